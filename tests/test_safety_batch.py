"""Fault injection on a real loopback Dask cluster: a worker killed every time it renders one
agency fails that agency only; a worker killed once is recovered; the index, ``batch.json``
and the exit status say so."""

import hashlib
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import dask
import pytest
from distributed import Client, LocalCluster

from analysis.cli import main
from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.pipeline import batch

from .conftest import write_study_config
from .test_study_index import _InProcess

ALWAYS_KILLED, ONCE_KILLED = "diskominfo-sukamaju", "samsat-lembah-hijau"
pytestmark = pytest.mark.slow

# Preloaded by every worker: rendering ALWAYS_KILLED SIGKILLs the worker process every time,
# rendering ONCE_KILLED does so the first time only (a file marks that it happened).
KILLER = """
import os, signal
from pathlib import Path
import analysis.pipeline.report as report

render = report.render_report

def render_report(config, agency, *args, **kwargs):
    once = Path({marker!r})
    if agency == {always!r} or (agency == {once!r} and not once.exists()):
        once.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return render(config, agency, *args, **kwargs)

def dask_setup(worker):
    report.render_report = render_report
"""


def _digests(study):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in study.raw_files()}


def test_killed_worker_fails_its_agency_and_the_batch_still_finishes(tmp_path, capsys):
    config = write_study_config(tmp_path, [ALWAYS_KILLED, ONCE_KILLED])
    study = load_study(config)
    generate_demo(study)
    raw = _digests(study)
    killer = KILLER.format(
        marker=str(tmp_path / "killed-once"), always=ALWAYS_KILLED, once=ONCE_KILLED
    )
    with dask.config.set(
        {"distributed.worker.preload": [killer], "distributed.scheduler.allowed-failures": 2}
    ):
        status = main(["batch", "--config", str(config), "--workers", "2", "--lang", "en"])
    assert status == 1
    root = tmp_path / "reports" / "demo"
    summary = {s["agency"]: s for s in json.loads((root / "batch.json").read_text("utf-8"))}
    assert summary[ALWAYS_KILLED]["status"] == "failed", summary
    assert "KilledWorker" in summary[ALWAYS_KILLED]["error"]
    # "skipped" when its finished report was made again after a worker died holding the result
    assert summary[ONCE_KILLED]["status"] in ("ok", "skipped"), summary[ONCE_KILLED]["error"]
    assert (root / ONCE_KILLED / "report.pdf").is_file()
    index = (root / "index.html").read_text(encoding="utf-8")
    assert f"{ONCE_KILLED}/report.html" in index and f"{ALWAYS_KILLED}/report.html" not in index
    assert "Traceback" not in capsys.readouterr().err
    assert _digests(study) == raw  # raw files are never modified


# Preloaded by the one worker below: ALWAYS_KILLED SIGKILLs it, any other agency is "ok".
KILLER_OF_ONE = """
import os, signal, time
import analysis.pipeline.report as report

def render_report(config, agency, *args, **kwargs):
    if agency == {always!r}:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2)
    return report.ReportOutcome(agency, "ok", None, agency, 0.2)

def dask_setup(worker):
    report.render_report = render_report
"""


class _TwoSlotsOnOneWorker(_InProcess):
    """A client whose one single-threaded worker is said to have two threads, so that it is
    handed both reports at once, as the first worker back is after two die together."""

    def start(self, reports):
        self.client.nthreads = lambda: {"worker": 2}
        return self.client


def test_a_report_killed_while_waiting_behind_a_killer_is_submitted_again(tmp_path):
    study = load_study(write_study_config(tmp_path, [ALWAYS_KILLED, ONCE_KILLED]))
    arguments = {"lang": "en", "output_dir": None, "processed_dir": None}
    preload = KILLER_OF_ONE.format(always=ALWAYS_KILLED)
    with (
        dask.config.set(
            {"distributed.worker.preload": [preload], "distributed.scheduler.allowed-failures": 0}
        ),
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        outcomes = batch._render_on_dask(
            study,
            [ALWAYS_KILLED, ONCE_KILLED],
            arguments,
            _TwoSlotsOnOneWorker(client),
            force=False,
            progress=None,
        )
    # ALWAYS_KILLED is submitted first and runs first; its death is counted against the report
    # waiting behind it too, which (allowed-failures 0) Dask fails with KilledWorker at once
    assert outcomes[ALWAYS_KILLED].status == "failed", outcomes
    assert "KilledWorker" in outcomes[ALWAYS_KILLED].error
    assert outcomes[ONCE_KILLED].status == "ok", outcomes[ONCE_KILLED].error
    root = tmp_path / "reports" / "demo"
    assert [p.name for p in root.iterdir() if p.name.startswith(f".{batch.STARTS}")] == []


# Preloaded by the worker below: a worker process started again takes 3 s more to start.
SLOW_RESTART = """
import time
from pathlib import Path

def dask_setup(worker):
    started = Path({marker!r})
    if started.exists():
        time.sleep(3)
    started.touch()
"""


def test_a_local_cluster_keeps_a_worker_whose_process_restarts_slowly(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "warm_up_worker", os.getpid)  # no kernel or browser needed here
    preload = SLOW_RESTART.format(marker=str(tmp_path / "started"))
    # Dask's cluster closes a nanny whose worker is not back 1 s after its death here (15 s by
    # default: a restart on a busy machine, or a worker killed again meanwhile, takes longer)
    patience = {"distributed.deploy.lost-worker-timeout": "1s"}
    with (
        dask.config.set({"distributed.worker.preload": [preload], **patience}),
        batch.BatchCluster(None, 1) as cluster,
    ):
        client = cluster.start(1)
        ((address, pid),) = client.run(os.getpid).items()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while set(client.scheduler_info()["workers"]) in ({address}, set()):
            assert time.monotonic() < deadline, "no worker came back"  # without KEEP_WORKERS
            time.sleep(0.2)
        assert len(cluster.cluster.workers) == 1
        (new_pid,) = client.run(os.getpid).values()
        assert new_pid != pid


THREE = ["diskominfo-sukamaju", "rsud-wanasari", "samsat-lembah-hijau"]


def _render_on(cluster, study, no_worker_seconds):
    """The outcomes, the progress calls and the seconds of rendering :data:`THREE`; fails
    after 60 s rather than waiting for ever (closing the client then ends the wait)."""
    arguments = {"lang": "en", "output_dir": None, "processed_dir": None}
    seen = []
    with ThreadPoolExecutor(1) as runner, Client(cluster) as client:
        started = time.monotonic()
        running = runner.submit(
            batch._render_on_dask,
            study,
            THREE,
            arguments,
            _InProcess(client, no_worker_seconds),
            False,
            seen.append,
        )
        try:
            outcomes = running.result(timeout=60)
        except TimeoutError:
            pytest.fail("the batch still waited after 60 s")
        seconds = time.monotonic() - started
    return outcomes, seen, seconds


def _no_tasks_left(cluster):
    deadline = time.monotonic() + 10
    while cluster.scheduler.tasks and time.monotonic() < deadline:
        time.sleep(0.1)
    return not cluster.scheduler.tasks


def test_a_cluster_without_workers_fails_the_agencies_not_yet_rendered(tmp_path):
    study = load_study(write_study_config(tmp_path, THREE))
    with LocalCluster(n_workers=0, dashboard_address=":0") as cluster:
        outcomes, seen, seconds = _render_on(cluster, study, no_worker_seconds=1)
        assert _no_tasks_left(cluster)  # the report submitted was cancelled
    # every agency is failed once, in config order, naming the wait and the option
    assert [o.agency for o in seen] == THREE
    for outcome in seen:
        assert outcome.status == "failed"
        assert outcome.error == batch.no_worker_error(1, "see --no-worker-timeout")
    assert "no worker for 1 s" in outcomes[THREE[0]].error
    assert seconds < 10  # 1 s without a worker, checked every 0.5 s; not once per agency
    root = tmp_path / "reports" / "demo"
    assert [p.name for p in root.iterdir() if p.name.startswith(f".{batch.STARTS}")] == []


def test_the_schedulers_own_no_worker_timeout_fails_every_agency_left_at_once(tmp_path):
    study = load_study(write_study_config(tmp_path, THREE))
    with (
        dask.config.set({batch.DASK_NO_WORKERS: "1s"}),  # as an existing cluster may set
        LocalCluster(n_workers=0, dashboard_address=":0") as cluster,
    ):
        outcomes, seen, seconds = _render_on(cluster, study, no_worker_seconds=0)  # ours: never
        assert _no_tasks_left(cluster)
    assert [o.agency for o in seen] == THREE
    expected = batch.no_worker_error(1, f"the scheduler's {batch.DASK_NO_WORKERS}")
    assert [o.error for o in seen] == [expected] * 3
    assert seconds < 10  # the first report's timeout fails the others too, not one by one


def _slow_report(config, agency, *args, **kwargs):
    time.sleep(2.5)
    return batch.ReportOutcome(agency, "ok", None, "folder", 2.5)


def test_a_worker_busy_for_longer_than_the_timeout_is_not_a_missing_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "render_report", _slow_report)
    study = load_study(write_study_config(tmp_path, THREE))
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        outcomes, seen, seconds = _render_on(cluster, study, no_worker_seconds=1)
    assert {agency: o.status for agency, o in outcomes.items()} == dict.fromkeys(THREE, "ok")
    assert seconds >= 7.5  # one worker, one report at a time, each longer than the timeout


@pytest.mark.parametrize(
    "address, error",
    [
        (
            "tcp://127.0.0.1:1",
            "OSError: Timed out trying to connect to tcp://127.0.0.1:1 after 2 s",
        ),
        ("sukamaju", "ValueError: missing port number in address 'sukamaju'"),
    ],
)
def test_a_scheduler_that_cannot_be_reached_fails_every_agency_with_the_reason(
    tmp_path, address, error
):
    study = load_study(write_study_config(tmp_path, THREE))
    arguments = {"lang": "en", "output_dir": None, "processed_dir": None}
    seen = []
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        batch.BatchCluster(address, None) as cluster,
    ):
        outcomes = batch._render_on_dask(study, THREE, arguments, cluster, False, seen.append)
    assert [o.agency for o in seen] == THREE
    assert {o.status for o in outcomes.values()} == {"failed"}
    assert {o.error for o in outcomes.values()} == {f"not rendered: {error}"}


def test_a_batch_that_loses_its_scheduler_fails_the_agencies_left(tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "render_report", _slow_report)
    study = load_study(write_study_config(tmp_path, THREE))
    arguments = {"lang": "en", "output_dir": None, "processed_dir": None}
    seen = []

    def lose_the_scheduler_after_the_first_report(outcome):
        seen.append(outcome)
        if len(seen) == 1:
            cluster.sync(cluster.scheduler.close)

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "2s"}),
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        outcomes = batch._render_on_dask(
            study,
            THREE,
            arguments,
            _InProcess(client),
            False,
            lose_the_scheduler_after_the_first_report,
        )
    assert [o.status for o in seen] == ["ok", "failed", "failed"]
    assert outcomes[THREE[1]].error.startswith("not rendered: the batch lost its Dask scheduler")

"""The study's front page: the study report when it can be made, else the plain agency list
with its error; and a batch hands a worker one report at a time."""

import json
import threading
import time

from distributed import Client, LocalCluster, get_worker

from analysis.config import load_study
from analysis.pipeline import batch, study_report
from analysis.pipeline.report import ReportOutcome
from analysis.reporting.study_context import shown_outcomes

from .conftest import write_study_config

AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau", "rsud-wanasari"]


def test_shown_outcomes_read_batch_json_as_the_study_report_shows_them(tmp_path):
    records = [
        {"agency": "a", "status": "ok", "error": None, "folder": "a", "seconds": 3.2},
        {"agency": "b", "status": "skipped", "error": None, "folder": "b", "seconds": None},
        {"agency": "c", "status": "failed", "error": "ValueError: x", "folder": "c"},
        {"agency": "d", "status": "not_selected", "error": None, "folder": "d"},
    ]
    (tmp_path / "batch.json").write_text(json.dumps(records), encoding="utf-8")
    # a kept report shows as made, an unselected agency without one as not made yet; no times
    assert shown_outcomes(tmp_path) == {
        "a": {"status": "ok", "error": None},
        "b": {"status": "ok", "error": None},
        "c": {"status": "failed", "error": "ValueError: x"},
        "d": {"status": "missing", "error": None},
    }
    assert shown_outcomes(tmp_path / "nowhere") == {}


def test_a_failed_study_report_leaves_the_agency_list_with_its_error(fresh_copy, monkeypatch):
    study = load_study(fresh_copy / "config" / "demo.yml")
    root = fresh_copy / "reports" / "demo"
    root.mkdir(parents=True)
    (root / "index.pdf").write_bytes(b"%PDF-1.4 of an earlier run")
    monkeypatch.setattr(study_report, "STUDY_NOTEBOOK", "no-such-notebook.ipynb")
    outcomes = [
        ReportOutcome(a.id, "failed", "no report in this test", str(root / a.id))
        for a in study.agencies
    ]
    made = batch.write_index(study, outcomes, "en")
    assert made.status == "failed" and "no-such-notebook" in made.error
    index = (root / "index.html").read_text(encoding="utf-8")
    assert "The study report could not be made" in index and "no-such-notebook" in index
    assert study.agencies[0].name in index
    assert not (root / "index.pdf").exists()  # no PDF of an earlier study report is left
    assert not (root / study_report.STUDY_STAMP).exists()
    assert [p.name for p in root.iterdir() if p.name.startswith(".index")] == []


class _InProcess:
    """Stands in for :class:`analysis.pipeline.batch.BatchCluster` with in-process workers."""

    def __init__(self, client, no_worker_seconds=batch.NO_WORKER_SECONDS):
        self.client, self.no_worker_seconds = client, no_worker_seconds

    def start(self, reports):
        return self.client


HELD: list[int] = []
"""Per report rendered by :func:`_fake_render`: the reports its worker held meanwhile."""
HELD_LOCK = threading.Lock()


def _fake_render(config, agency, **arguments):
    """Stands in for :func:`analysis.pipeline.report.render_report` (in-process workers)."""
    worker = get_worker()
    with HELD_LOCK:  # reports this worker holds: the running one and any assigned to wait
        tasks = worker.state.tasks.values()  # (done ones are kept in memory for the client)
        HELD.append(sum(str(t.key).startswith("report-") and t.state != "memory" for t in tasks))
    time.sleep(0.3)
    return ReportOutcome(agency, "ok", None, agency, 0.3)


def test_a_worker_holds_one_report_at_a_time(tmp_path, monkeypatch):
    study = load_study(write_study_config(tmp_path, AGENCIES))
    HELD.clear()
    monkeypatch.setattr(batch, "render_report", _fake_render)
    arguments = {"lang": "id", "output_dir": None, "processed_dir": None}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        outcomes = batch._render_on_dask(
            study, AGENCIES, arguments, _InProcess(client), force=False, progress=None
        )
    assert sorted(outcomes) == sorted(AGENCIES)
    assert all(outcome.status == "ok" for outcome in outcomes.values())
    # Dask would assign 3 submitted tasks to 2 workers at once (queuing is for large groups
    # of root tasks), so one worker would hold 2: a kill would then fail an agency not begun
    assert HELD == [1, 1, 1]


PYTHON = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}


def test_a_kernel_started_early_runs_the_notebook_later_and_is_shut_down(tmp_path):
    import nbformat
    import psutil

    from analysis.pipeline.execute import KernelStartedEarly

    notebook = tmp_path / "tiny.ipynb"
    cells = [nbformat.v4.new_code_cell("value = 6", metadata={"tags": ["parameters"]})]
    cells.append(nbformat.v4.new_code_cell("print(value * 7)"))
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=PYTHON), notebook)
    with KernelStartedEarly() as early:
        early.start()
        early.start()  # once: the second call starts nothing
        started = time.monotonic()
        kernel = early._kernel.result()
        pid = kernel.manager.provisioner.pid
        early.execute(notebook, tmp_path / "out.ipynb", {"value": 7})
        # the notebook ran in the kernel started early (no second start-up paid here)
        assert kernel.reports == 1 and time.monotonic() - started < 30
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "49\n"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert early._kernel is None and not kernel.folder.exists()


def test_a_kernel_never_started_early_runs_the_notebook_in_a_new_one(tmp_path):
    import nbformat

    from analysis.pipeline.execute import KernelStartedEarly

    notebook = tmp_path / "tiny.ipynb"
    cells = [nbformat.v4.new_code_cell("print('ran')")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=PYTHON), notebook)
    with KernelStartedEarly() as early:
        early.execute(notebook, tmp_path / "out.ipynb", {})
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert out.cells[-1].outputs[0]["text"] == "ran\n"


def test_warming_up_lowers_only_the_calling_threads_priority_once():
    import os
    import sys

    import pytest

    from analysis.pipeline.execute import WARM_UP_NICENESS, lower_thread_priority

    if not sys.platform.startswith("linux"):
        pytest.skip("nice values are per thread on Linux only; elsewhere nothing is changed")
    seen = {}

    def warm():
        lower_thread_priority()
        lower_thread_priority()  # a second batch on the same worker: no lower still
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, 0)

    before = os.getpriority(os.PRIO_PROCESS, 0)
    thread = threading.Thread(target=warm)
    thread.start()
    thread.join()
    assert seen["thread"] == max(before, WARM_UP_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the rest of the process keeps its own


def test_a_worker_warms_up_in_the_background_and_a_warm_report_waits_for_it(monkeypatch):
    from contextlib import contextmanager

    from analysis.pipeline import report

    release, started = threading.Event(), []

    class SlowPool:
        @contextmanager
        def lend(self):
            started.append(threading.current_thread().name)
            release.wait(timeout=60)
            yield None

    monkeypatch.setattr(report, "KERNELS", SlowPool())
    monkeypatch.setattr(report, "BROWSERS", SlowPool())
    monkeypatch.setattr(report, "_warming", None)
    report.warm_up_worker()
    report.warm_up_worker()  # asked again while warming: no second warm-up
    # the task thread is free at once (the kernel is still starting) ...
    assert not release.is_set()
    waited = threading.Thread(target=report._wait_for_warm_up)
    waited.start()
    waited.join(timeout=0.5)
    assert waited.is_alive()  # ... while a warm report waits for the warm-up to end
    release.set()
    waited.join(timeout=60)
    assert not waited.is_alive()
    assert started == ["warm-up", "warm-up"]  # one thread: the kernel, then the browser

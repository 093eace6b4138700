"""The batch at scale: reports that do not depend on the number of workers, warm kernels reused
by a worker of an existing cluster, and no cleaning, cluster or rendering when nothing changed."""

import json
import os
import re

import psutil
import pytest
from distributed import Client

from analysis.config import load_study, paths
from analysis.demo.generator import generate_demo
from analysis.errors import InputError
from analysis.pipeline import batch, execute, run_batch, run_report
from analysis.pipeline.batch import NOT_SELECTED, clean_if_changed, local_cluster, select_agencies
from analysis.pipeline.cache import STAMP

from .conftest import write_study_config

AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau"]
#: The report's generation time (provenance), the only part of the HTML that may differ.
GENERATED_AT = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _forbidden(*args, **kwargs):
    raise AssertionError("called although nothing changed")


def _kernel_reports() -> list[int]:
    """On a worker: the reports each of its warm kernels has made."""
    return [kernel.reports for kernel in execute.KERNELS.idle]


def _batch_on_cluster(workers: int, config, output_dir):
    """A forced batch on an existing cluster of ``workers``; outcomes and its kernels' reports."""
    cluster = local_cluster(workers)
    try:
        with Client(cluster) as client:
            outcomes = run_batch(
                config, output_dir=output_dir, scheduler=cluster.scheduler_address, force=True
            )
            kernels = sorted(client.run(_kernel_reports).values())
    finally:
        cluster.close()
    return outcomes, kernels


def _started(notebook) -> str:
    """When papermill started executing an executed notebook (ISO time)."""
    return json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["papermill"]["start_time"]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same two-agency study rendered on one worker and on two workers."""
    folder = tmp_path_factory.mktemp("scale")
    config = write_study_config(folder, AGENCIES)
    generate_demo(load_study(config))
    one = _batch_on_cluster(1, config, folder / "one")
    two = _batch_on_cluster(2, config, folder / "two")
    return folder, config, one, two


@pytest.fixture(scope="module")
def reused_and_new(two_runs):
    """The report the one-worker run made second (in a reused kernel), and the same report
    made by ``run_report`` in a new kernel of its own."""
    folder, config, _, _ = two_runs
    second = max(AGENCIES, key=lambda a: _started(folder / "one" / a / "report.ipynb"))
    assert run_report(config, second, output_dir=folder / "new", force=True).status == "ok"
    return folder / "one" / second, folder / "new" / second


@pytest.mark.slow
def test_each_worker_keeps_one_warm_kernel_for_all_its_reports(two_runs):
    _, _, (one, one_kernels), (two, two_kernels) = two_runs
    assert [o.status for o in one] == ["ok", "ok"] == [o.status for o in two]
    assert one_kernels == [[2]]  # the second report ran in the kernel the first one warmed up
    assert len(two_kernels) == 2 and sum(sum(kernels) for kernels in two_kernels) == 2


@pytest.mark.slow
def test_results_json_is_byte_identical_whatever_the_number_of_workers(two_runs):
    folder, _, _, _ = two_runs
    for agency in [*AGENCIES, "."]:  # "." : the study report's, beside the agency folders
        one = (folder / "one" / agency / "results.json").read_bytes()
        assert one == (folder / "two" / agency / "results.json").read_bytes(), agency


@pytest.mark.slow
def test_html_is_identical_apart_from_the_generation_time(two_runs):
    folder, _, _, _ = two_runs
    for agency in AGENCIES:
        pages = [(folder / run / agency / "report.html").read_bytes() for run in ("one", "two")]
        assert [len(GENERATED_AT.findall(page)) for page in pages] == [1, 1]
        assert GENERATED_AT.sub(b"", pages[0]) == GENERATED_AT.sub(b"", pages[1]), agency


@pytest.mark.slow
def test_a_report_made_in_a_reused_kernel_is_the_one_a_new_kernel_makes(reused_and_new):
    reused, new = reused_and_new
    assert (reused / "results.json").read_bytes() == (new / "results.json").read_bytes()
    pages = [(folder / "report.html").read_bytes() for folder in (reused, new)]
    assert GENERATED_AT.sub(b"", pages[0]) == GENERATED_AT.sub(b"", pages[1])


@pytest.mark.slow
def test_a_rerun_without_changes_neither_cleans_nor_starts_a_cluster(two_runs, monkeypatch):
    folder, config, _, _ = two_runs
    monkeypatch.setattr(batch, "clean_locked", _forbidden)
    monkeypatch.setattr(batch, "local_cluster", _forbidden)
    outcomes = run_batch(config, output_dir=folder / "two")
    assert [o.status for o in outcomes] == ["skipped", "skipped"]


@pytest.mark.slow
def test_agencies_renders_a_subset_and_the_index_still_lists_every_agency(two_runs, monkeypatch):
    folder, config, _, _ = two_runs
    stale = folder / "two" / AGENCIES[0]
    (stale / STAMP).write_text("inputs of an older run", encoding="utf-8")
    monkeypatch.setattr(batch, "local_cluster", _forbidden)  # nothing selected needs rendering
    outcomes = run_batch(config, output_dir=folder / "two", agencies=[AGENCIES[1]])
    assert [(o.agency, o.status) for o in outcomes] == [
        (AGENCIES[0], NOT_SELECTED),
        (AGENCIES[1], "skipped"),
    ]
    index = (folder / "two" / "index.html").read_text(encoding="utf-8")
    assert f"{AGENCIES[1]}/report.html" in index and f"{AGENCIES[0]}/report.html" not in index
    assert "Dinas Komunikasi dan Informatika Kabupaten Sukamaju" in index  # listed, not linked


def test_select_agencies_keeps_config_order_and_names_unknown_ids(tmp_path):
    study = load_study(write_study_config(tmp_path, AGENCIES))
    assert select_agencies(study, None) == AGENCIES
    assert select_agencies(study, [" samsat-lembah-hijau", "diskominfo-sukamaju"]) == AGENCIES
    with pytest.raises(InputError, match="no agency 'tidak-ada'.*known: diskominfo-sukamaju"):
        select_agencies(study, ["samsat-lembah-hijau", "tidak-ada"])
    with pytest.raises(InputError, match="no agency selected"):
        select_agencies(study, ["", " "])


def test_cleaning_is_skipped_until_a_raw_file_or_the_config_changes(tmp_path, monkeypatch):
    config = write_study_config(tmp_path, AGENCIES)
    study = load_study(config)
    generate_demo(study)
    data_dir = paths.processed_dir(study)
    data_dir.mkdir(parents=True)
    cleaned = []

    def clean(study, folder, helpers=None):
        cleaned.append(folder)
        (data_dir / "manifest.json").write_text('{"files": {}}', encoding="utf-8")

    monkeypatch.setattr(batch, "clean_locked", clean)
    for _ in range(2):
        clean_if_changed(study, None, force=False)
    assert len(cleaned) == 1  # the second call finds the stamp of the first
    clean_if_changed(study, None, force=True)
    assert len(cleaned) == 2
    comments = study.resolve(
        study.engagement[0].comments.path.replace("{agency}", AGENCIES[1])
    )  # a file cleaning reads that provenance's data digest leaves out
    comments.chmod(0o644)
    comments.write_text(comments.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    clean_if_changed(study, None, force=False)
    assert len(cleaned) == 3
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    clean_if_changed(load_study(config), None, force=False)
    assert len(cleaned) == 4


class _Helper:
    def __init__(self, number: int):
        self.number, self.closed, self.fine = number, False, True


def test_a_warm_pool_lends_one_helper_again_and_replaces_a_broken_one():
    started = []

    def start():
        started.append(_Helper(len(started)))
        return started[-1]

    pool = execute.WarmPool(start, lambda h: setattr(h, "closed", True), lambda h: h.fine)
    with pool.lend() as first:
        pass
    with pool.lend() as again:
        assert again is first  # kept between reports
    first.fine = False  # e.g. the kernel died, or grew past its memory limit
    with pool.lend() as replacement:
        assert replacement is not first and first.closed
    with pytest.raises(RuntimeError), pool.lend() as failing:
        raise RuntimeError("a notebook cell failed")
    assert failing is replacement and failing.closed and pool.idle == []
    with pool.lend(), pool.lend() as second:  # two reports at once get two helpers
        assert len(started) == 4 and second is started[-1]
    assert len(pool.idle) == 2
    pool.close_all()
    assert all(helper.closed for helper in started) and pool.idle == []


def test_a_warm_kernel_forgets_the_previous_notebook_and_is_replaced_when_too_big(monkeypatch):
    kernel = execute.ReportKernel()
    try:
        kernel._run_quietly("shown = 42; import matplotlib as m; m.rcParams['lines.linewidth'] = 9")
        kernel.client.execute_interactive("1 + 1", timeout=60)  # a notebook cell: counted
        kernel._run_quietly("assert get_ipython().execution_count == 2")
        kernel._run_quietly("import analysis.pipeline.execute as _e; _e.reset_session()")
        with pytest.raises(execute.KernelSetupError, match="NameError: name 'shown'"):
            kernel._run_quietly("shown")
        kernel._run_quietly("import matplotlib; assert matplotlib.rcParams['lines.linewidth'] != 9")
        kernel._run_quietly("assert get_ipython().execution_count == 1")
        assert kernel.usable() and 200 * 2**20 < kernel.memory() < execute.KERNEL_MEMORY_LIMIT
        monkeypatch.setattr(execute, "KERNEL_MEMORY_LIMIT", 2**20)
        assert not kernel.usable()
    finally:
        kernel.close()
    assert not kernel.folder.exists()


def test_only_a_local_cluster_started_in_the_background_lends_its_workers():
    # an existing cluster's workers may lack the pseudonym key and the raw files
    assert batch.BatchCluster("tcp://127.0.0.1:1", None).lend_local_workers() is None
    assert batch.BatchCluster(None, 1).lend_local_workers() is None  # not started


@pytest.mark.slow
def test_a_local_cluster_lends_its_workers_once_up_and_closes_in_the_background():
    with batch.BatchCluster(None, 1) as cluster:
        cluster.start_soon(reports=1)
        submit, slots = cluster.lend_local_workers()
        assert slots == 1
        assert submit(os.getpid, pure=False).result() != os.getpid()
        assert cluster.start(1) is cluster.client  # the same cluster, not a second one
        worker = psutil.Process(submit(os.getpid, pure=False).result())
        cluster.close_soon()  # returns at once; leaving the block waits for it
    assert cluster.cluster.status.name == "closed"
    assert not worker.is_running()

"""A whole study: clean, render every agency's report on Dask, write the study index.

Every agency ends with an outcome, whatever happens to it: an exception in its report, a worker
that died while rendering it (``KilledWorker``) or a timeout is that agency's ``failed`` outcome,
and the others render. A cluster left without any worker for ``no_worker_seconds`` (workers that
died and were not started again, or never joined) fails the agencies not yet rendered rather
than waiting for ever. ``index.html`` and ``batch.json`` are written in every case and the
cluster is closed in every case.

Only what changed is done again: cleaning is skipped when the raw files, config and code are
those the processed data were cleaned from (:func:`analysis.pipeline.cache.clean_key`), and an
agency whose report is current is skipped here, before any worker is involved; when nothing is
left to render no cluster is started. Workers render in warm kernels and print with a running
browser (:mod:`analysis.pipeline.execute`), so a report does not pay for starting them.

A successful run is quiet: the client is closed before the cluster, and each worker process is
given :data:`WORKER_EXIT_SECONDS` to exit. Dask's nanny allows 4 s and then kills the process,
logging ``Worker process still alive after 4.0 seconds, killing`` (and, when the kill cuts a
connection, ``CommClosedError``); a worker that has rendered reports holds the whole reporting
stack, and its interpreter's exit (the final garbage collection over those modules) takes 1.5 s on
an idle machine and more than 4 s on a busy one. A worker that has not exited by then is still
killed, with that warning.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import asdict
from functools import cache
from pathlib import Path

from analysis.config import Study, load_study, paths
from analysis.errors import InputError
from analysis.pipeline import folders
from analysis.pipeline.cache import (
    CLEAN_STAMP,
    clean_key,
    code_key,
    input_key,
    is_clean_current,
    is_current,
)
from analysis.pipeline.clean import clean_locked
from analysis.pipeline.engagement import Helpers
from analysis.pipeline.execute import KernelStartedEarly
from analysis.pipeline.locking import study_lock
from analysis.pipeline.report import ReportOutcome, render_report, short_error, warm_up_worker
from analysis.pipeline.study_report import StudyReportOutcome, render_study_report
from analysis.reporting.index_page import render_index
from analysis.reporting.results import read_results

RENDERED = ("ok", "skipped", "no_pdf")
"""Outcomes whose folder holds a report of this run's inputs."""
NOT_SELECTED = "not_selected"
"""Outcome of an agency left out by ``agencies`` whose folder holds no current report."""
WORKER_EXIT_SECONDS = 30
"""Seconds a local worker process may take to exit when the cluster closes."""
RESUBMITS = 2
"""Times a report killed while it waited (never while it ran) is submitted again."""
KEEP_WORKERS = {"distributed.deploy.lost-worker-timeout": "365d"}
"""Dask config while a batch's local cluster runs. A worker process that dies is started again
by its nanny; Dask's cluster would also close that nanny for good when no worker of its name
is up 15 s (Dask's default) after the death, which happens when the new process takes longer
to start or has died again meanwhile. Workers killed in a row could so leave the cluster with
none, and the batch waiting for ever."""
NO_WORKER_SECONDS = 600.0
"""Default seconds a batch waits while its cluster has no worker before it fails the agencies
not yet rendered (``--no-worker-timeout``; 0 waits for ever)."""
DASK_NO_WORKERS = "distributed.scheduler.no-workers-timeout"
"""Dask's own setting for failing tasks that wait without any worker (unset by default)."""
LOST_SCHEDULER = "scheduler-connection-lost"
"""Dask's reason for the futures it cancels when its client lost the scheduler."""
WATCH_SECONDS = 5.0
"""How often a batch waiting for its reports checks that its cluster still has a worker."""
STARTS = "batch-starts"
"""Name of the run's staging folder (``.batch-starts.staging-<random>`` in the reports folder)
that counts the times each report task began."""


def run_batch(
    config: str | Path,
    lang: str = "id",
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
    agencies: Iterable[str] | None = None,
    progress: Callable[[ReportOutcome], None] | None = None,
    study_report: Callable[[StudyReportOutcome], None] | None = None,
    no_worker_seconds: float = NO_WORKER_SECONDS,
) -> list[ReportOutcome]:
    """Clean the study, render every agency's report in parallel, then the study report as the
    study's front page (``index.html``, ``index.pdf``; :mod:`analysis.pipeline.study_report`).

    The study report runs in this process, in a kernel started with the cluster (while the
    study is cleaned or the agency reports run), so that its start-up is not paid at the end;
    the cluster closes while it runs.

    Holds the study's lock throughout (:func:`analysis.pipeline.locking.study_lock`).

    Parameters
    ----------
    config : path
        Study config.
    lang : str
        Report language.
    output_dir, processed_dir : path, optional
        Overrides of the study's report and processed folders.
    scheduler : str, optional
        Address of an existing Dask scheduler; a local cluster when None.
    workers : int, optional
        Local cluster workers (default: CPU cores, and no more than there are reports to make).
    force : bool
        Clean again and re-render agencies whose inputs did not change.
    agencies : iterable of str, optional
        Ids of the agencies to render (default: all). The others are not rendered; each is
        ``skipped`` when its folder holds a current report, else :data:`NOT_SELECTED`.
    progress : callable, optional
        Called with each selected agency's outcome as soon as it is known.
    study_report : callable, optional
        Called with the study report's outcome.
    no_worker_seconds : float
        Seconds to wait while the cluster has no worker at all before the agencies not yet
        rendered are ``failed`` (0: wait for ever). An existing cluster that adds workers only
        when asked (a job queue) may need longer than the default.

    Returns
    -------
    list of ReportOutcome
        One per agency of the study, in config order; also written to ``batch.json`` beside
        the index.

    Raises
    ------
    InputError
        Before any agency is rendered: an unknown agency id, a survey problem, an output
        folder that may not be written, or another run of the study holding the lock.
    """
    study = load_study(config)
    selected = select_agencies(study, agencies)
    root = folders.reports_folder(study, output_dir)
    folders.processed_folder(study, processed_dir)
    with (
        study_lock(study),
        KernelStartedEarly() as study_kernel,
        BatchCluster(scheduler, workers, study_kernel.start, no_worker_seconds) as cluster,
    ):
        folders.claim(root, study, "reports")
        clean_if_changed(
            study,
            processed_dir,
            force,
            lambda: cluster.start_soon(len(selected)),
            cluster.lend_local_workers,
        )
        for name in [STARTS, *(agency.id for agency in study.agencies)]:
            folders.remove_leftovers(root, name)
        arguments = {"lang": lang, "output_dir": output_dir, "processed_dir": processed_dir}
        outcomes = _render_all(study, selected, arguments, cluster, force, progress)
        cluster.close_soon()
        made = write_index(study, outcomes, lang, output_dir, processed_dir, force, study_kernel)
    if study_report is not None:
        study_report(made)
    return outcomes


def select_agencies(study: Study, agencies: Iterable[str] | None) -> list[str]:
    """The ids of ``agencies`` in config order (all of the study's when None).

    Raises
    ------
    InputError
        For an id the study does not have (naming the known ones), or an empty selection.
    """
    if agencies is None:
        return [agency.id for agency in study.agencies]
    chosen = {agency.strip() for agency in agencies if agency.strip()}
    if not chosen:
        raise InputError("no agency selected", hint="name agency ids, separated by commas")
    for agency in sorted(chosen):
        study.agency(agency)
    return [agency.id for agency in study.agencies if agency.id in chosen]


def clean_if_changed(
    study: Study,
    processed_dir: str | Path | None,
    force: bool,
    before_cleaning: Callable[[], object] | None = None,
    helpers: Helpers | None = None,
) -> Path:
    """Clean the study unless its processed data were cleaned from the same inputs.

    The caller holds the study's lock. After cleaning, the key of the inputs
    (:func:`analysis.pipeline.cache.clean_key`) is written into the processed folder.

    Parameters
    ----------
    study : Study
    processed_dir : path, optional
        Override of the study's processed folder.
    force : bool
        Clean even when the inputs did not change.
    before_cleaning : callable, optional
        Called when cleaning is due, before it starts (a batch starts its workers then, so
        that they warm up while the study is cleaned).
    helpers : callable, optional
        Lends processes to read engagement exports on (a batch lends its local workers once
        they are up): :data:`analysis.pipeline.engagement.Helpers`.

    Returns
    -------
    Path
        The processed folder.
    """
    data_dir = paths.processed_dir(study, processed_dir)
    key = clean_key(study)
    if force or not is_clean_current(data_dir, key):
        if before_cleaning is not None:
            before_cleaning()
        clean_locked(study, processed_dir, helpers)
        folders.write_text(data_dir / CLEAN_STAMP, key)
    return data_dir


def _render_all(
    study: Study,
    selected: list[str],
    arguments: dict,
    cluster: BatchCluster,
    force: bool,
    progress: Callable[[ReportOutcome], None] | None,
) -> list[ReportOutcome]:
    """:func:`render_report` on Dask for every selected agency whose report is not current."""
    known, code = {}, code_key()
    for agency in study.agencies:
        chosen = agency.id in selected
        if chosen and force:
            continue
        if _is_current(study, agency.id, arguments, code):
            known[agency.id] = _unrendered(study, agency.id, "skipped", arguments)
        elif not chosen:
            known[agency.id] = _unrendered(study, agency.id, NOT_SELECTED, arguments)
    for agency in selected:
        if agency in known and progress is not None:
            progress(known[agency])
    stale = [agency for agency in selected if agency not in known]
    if stale:
        known |= _render_on_dask(study, stale, arguments, cluster, force, progress)
    return [known[agency.id] for agency in study.agencies]


def _is_current(study: Study, agency: str, arguments: dict, code: str) -> bool:
    """Whether the agency's folder holds a report of its current inputs (False on any error)."""
    try:
        data_dir = paths.processed_dir(study, arguments["processed_dir"])
        key = input_key(study, agency, arguments["lang"], data_dir, code=code)
    except Exception:  # the worker will report what is wrong
        return False
    return is_current(paths.reports_dir(study, arguments["output_dir"]) / agency, key)


def _unrendered(
    study: Study, agency: str, status: str, arguments: dict, error: str | None = None
) -> ReportOutcome:
    folder = paths.reports_dir(study, arguments["output_dir"]) / agency
    return ReportOutcome(agency, status, error, str(folder))


def _render_on_dask(
    study: Study,
    agencies: list[str],
    arguments: dict,
    cluster: BatchCluster,
    force: bool,
    progress: Callable[[ReportOutcome], None] | None,
) -> dict[str, ReportOutcome]:
    """:func:`render_report` (warm) for ``agencies`` on Dask; an agency's error is its outcome.

    Reports are handed out one per worker thread at a time, the next when one is done, so a
    worker never holds a report it has not begun: a worker that dies fails the one agency it
    was rendering and no other. (Dask queues tasks on the scheduler only for large groups of
    root tasks; a few submitted reports would otherwise be assigned to workers all at once.)

    Dask may still hand one worker two reports when workers die together: the first worker
    back gets both, one waiting behind the other, and a death caused by the running one is
    counted against both. A report that fails with ``KilledWorker`` having begun fewer times
    than the deaths counted against it is therefore submitted again, as a new task, up to
    :data:`RESUBMITS` times (:func:`_died_waiting`).

    When the cluster has had no worker for ``cluster.no_worker_seconds`` (:class:`WorkerWatch`),
    its scheduler fails a report for want of workers (:data:`DASK_NO_WORKERS`) or this process
    loses the scheduler, the reports not yet made are cancelled and their agencies ``failed``
    with that error; so are all of them when no cluster can be started or reached.
    """
    try:
        client = cluster.start(len(agencies))
    except (OSError, ValueError, RuntimeError) as error:  # e.g. a scheduler address not reached
        return _failed(study, agencies, arguments, f"not rendered: {short_error(error)}", progress)
    run = uuid.uuid4().hex[:8]
    waiting = list(reversed(agencies))
    agency_of, tries = {}, {}
    starts = folders.staging_folder(paths.reports_dir(study, arguments["output_dir"]) / STARTS)

    def submit(agency):
        tries[agency] = tries.get(agency, 0) + 1
        key = f"report-{agency}-{run}-{tries[agency]}"
        future = client.submit(
            _render_counting_starts,
            render_report,
            str(starts / key),
            str(study.config_path),
            agency,
            **arguments,
            force=force,
            warm=True,
            key=key,
        )
        agency_of[future.key] = agency
        return future

    def top_up(pending):  # workers may join an existing cluster during the run
        try:
            free = min(max(1, sum(client.nthreads().values())) - len(pending), len(waiting))
        except OSError as error:  # the scheduler is gone
            return pending, lost_scheduler_error(short_error(error))
        return pending | {submit(waiting.pop()) for _ in range(free)}, None

    outcomes = {}
    watch = WorkerWatch(client, cluster.no_worker_seconds)
    try:
        pending, gone = top_up(set())
        while pending and gone is None:
            done, pending = _first_done(pending, watch.every)
            if not done:
                gone = watch.error if watch.gave_up() else None
                continue
            for future in sorted(done, key=lambda f: agencies.index(agency_of[f.key])):
                agency = agency_of[future.key]
                if (lost := _cluster_gone(future)) is not None:
                    gone = lost
                    pending.add(future)
                elif tries[agency] <= RESUBMITS and _died_waiting(future, starts):
                    pending.add(submit(agency))
                else:
                    outcomes[agency] = _outcome(study, future, agency, arguments)
                    if progress is not None:
                        progress(outcomes[agency])
            if gone is None:
                pending, gone = top_up(pending)
        if gone is not None:
            with suppress(OSError):  # a scheduler that is gone has dropped them already
                client.cancel(list(pending))
            left = sorted(
                [agency_of[future.key] for future in pending] + waiting, key=agencies.index
            )
            outcomes |= _failed(study, left, arguments, gone, progress)
    finally:
        folders.remove(starts)
    return outcomes


def _failed(
    study: Study,
    agencies: list[str],
    arguments: dict,
    error: str,
    progress: Callable[[ReportOutcome], None] | None,
) -> dict[str, ReportOutcome]:
    """``failed`` outcomes with ``error`` for ``agencies`` left unrendered, each passed to
    ``progress`` in turn."""
    outcomes = {}
    for agency in agencies:
        outcomes[agency] = _unrendered(study, agency, "failed", arguments, error)
        if progress is not None:
            progress(outcomes[agency])
    return outcomes


def _first_done(pending: set, seconds: float | None) -> tuple[set, set]:
    """Wait until one of the ``pending`` futures is done (cancelled included), or ``seconds``
    have passed: (the done futures, the others); nothing is done after a timeout."""
    from distributed import wait as wait_for

    try:
        return tuple(wait_for(pending, timeout=seconds, return_when="FIRST_COMPLETED"))
    except TimeoutError:
        return set(), pending
    except CancelledError:  # Dask's wait raises when a future was cancelled
        done = {future for future in pending if future.done()}
        return done, pending - done


def _cluster_gone(future) -> str | None:
    """The error for every agency left when the future shows that the batch has no cluster to
    render on any more, else None: Dask's scheduler gave up waiting for a worker
    (:data:`DASK_NO_WORKERS`, which an existing cluster may set), or this process lost its
    connection to the scheduler (Dask then cancels every future)."""
    from distributed.client import FutureCancelledError
    from distributed.scheduler import NoWorkerError

    if future.status == "error" and isinstance(future.exception(), NoWorkerError):
        return no_worker_error(future.exception().timeout, f"the scheduler's {DASK_NO_WORKERS}")
    if future.status == "cancelled":
        try:
            future.result()
        except FutureCancelledError as cancelled:
            if cancelled.reason == LOST_SCHEDULER:
                return lost_scheduler_error(cancelled.msg)
    return None


def no_worker_error(seconds: float, setting: str) -> str:
    """The error of an agency left unrendered because the cluster had no worker for
    ``seconds``, ``setting`` being the option or Dask setting that gave up."""
    return (
        f"not rendered: the Dask cluster had no worker for {seconds:g} s (its workers died and "
        f"were not started again, or never joined; {setting})"
    )


def lost_scheduler_error(detail: str | None) -> str:
    """The error of an agency left unrendered because the batch lost its scheduler."""
    return f"not rendered: the batch lost its Dask scheduler ({detail})"


class WorkerWatch:
    """Tells a batch when its cluster has had no worker for ``seconds`` (None or 0: never).

    Parameters
    ----------
    client : distributed.Client
    seconds : float or None
    """

    def __init__(self, client, seconds: float | None):
        self.client, self.seconds = client, seconds or None
        self.every = None if self.seconds is None else min(WATCH_SECONDS, self.seconds / 2)
        self._none_since: float | None = None

    @property
    def error(self) -> str:
        """The error of an agency left unrendered when the watch gave up."""
        return no_worker_error(self.seconds or 0, "see --no-worker-timeout")

    def gave_up(self) -> bool:
        """Whether the cluster has had no worker since at least ``seconds`` ago (asks it now;
        a scheduler that cannot be reached counts as one without workers)."""
        if self.seconds is None:
            return False
        try:
            workers = self.client.nthreads()
        except Exception:  # the scheduler is gone or unreachable
            workers = {}
        now = time.monotonic()
        if workers:
            self._none_since = None
        elif self._none_since is None:
            self._none_since = now
        return self._none_since is not None and now - self._none_since >= self.seconds


def _render_counting_starts(render: Callable, starts: str, *args, **kwargs) -> ReportOutcome:
    """``render(*args, **kwargs)``, first adding a line to the file ``starts``.

    The line is on disk before the report begins, so the count of times a task began survives
    the deaths of the workers that ran it. (``render`` is passed in, not looked up here, so
    that a worker uses :func:`render_report` as its own module has it.)
    """
    with open(starts, "a", encoding="utf-8") as file:
        file.write("started\n")
    return render(*args, **kwargs)


def _died_waiting(future, starts: Path) -> bool:
    """Whether the future failed with ``KilledWorker`` although it began fewer times than the
    worker deaths Dask counted against it (``allowed_failures + 1``): at least one of them
    happened while it waited behind another report on the same worker."""
    from distributed import KilledWorker

    if future.status != "error":
        return False
    error = future.exception()
    if not isinstance(error, KilledWorker):
        return False
    file = starts / future.key
    began = len(file.read_text(encoding="utf-8").splitlines()) if file.exists() else 0
    return began < error.allowed_failures + 1


class BatchCluster:
    """The Dask cluster and client of one batch: started on first need, closed on exit.

    A local cluster (:func:`local_cluster`) when ``scheduler`` is None, else a client of that
    scheduler. A local cluster keeps its workers while it runs (:data:`KEEP_WORKERS`). When
    started, every worker is asked to warm up (:func:`warm_up_worker`) at once. A batch that
    has to clean starts the cluster in the background (:meth:`start_soon`), so that the worker
    processes start, and their kernels and browsers warm up, while the study is cleaned. On
    exit the client is closed before the cluster (see the module docstring).

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing Dask scheduler.
    workers : int, optional
        Local workers (default: CPU cores).
    on_start : callable, optional
        Called when the cluster is started (in the background or not).
    no_worker_seconds : float, optional
        Seconds a batch waits while the cluster has no worker (:class:`WorkerWatch`).
    """

    def __init__(
        self,
        scheduler: str | None,
        workers: int | None,
        on_start: Callable[[], object] | None = None,
        no_worker_seconds: float | None = NO_WORKER_SECONDS,
    ):
        self.scheduler, self.workers, self.on_start = scheduler, workers, on_start
        self.no_worker_seconds = no_worker_seconds
        self.cluster = self.client = None
        self._starting: Future | None = None
        self._closing: Future | None = None
        self._keep_workers = None
        self._warming: list = []

    def __enter__(self) -> BatchCluster:
        return self

    def __exit__(self, *exc_info) -> None:
        if self._closing is not None:
            self._closing.result()
        else:
            self._close()

    def close_soon(self) -> None:
        """Close the client and the cluster in a background thread (a batch does, once its
        agency reports are done, while it makes the study report); exit waits for it."""
        if self._closing is None:
            closer = ThreadPoolExecutor(1, thread_name_prefix="batch-cluster-close")
            self._closing = closer.submit(self._close)
            closer.shutdown(wait=False)

    def _close(self) -> None:
        if self._starting is not None:
            wait([self._starting])
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        if self._keep_workers is not None:
            self._keep_workers.__exit__(None, None, None)

    def start_soon(self, reports: int) -> None:
        """:meth:`start` in a background thread; the next :meth:`start` waits for it."""
        if self._starting is None and self.client is None:
            starter = ThreadPoolExecutor(1, thread_name_prefix="batch-cluster")
            self._starting = starter.submit(self._start, reports)
            starter.shutdown(wait=False)

    def start(self, reports: int):
        """The client, started if need be, with no more local workers than ``reports``.

        Returns
        -------
        distributed.Client

        Raises
        ------
        OSError, RuntimeError
            When the cluster could not be started, or the scheduler not reached.
        """
        if self._starting is not None:
            self._starting.result()  # also in another thread (see lend_local_workers)
        if self.client is None:
            self._start(reports)
        return self.client

    def lend_local_workers(self) -> tuple[Callable, int] | None:
        """The local cluster's workers, for the study's cleaning to read engagement exports on
        (:data:`analysis.pipeline.engagement.Helpers`): waits until the cluster started in the
        background is up, then gives ``(client.submit, workers)``.

        None without a cluster started in the background, and for an existing cluster: its
        workers may run on other machines, without the study's pseudonym key (an environment
        variable of this process, which local workers inherit) or its raw files.
        """
        if self._starting is None or self.scheduler is not None:
            return None
        self._starting.result()
        return self.client.submit, len(self.client.scheduler_info()["workers"])

    def _start(self, reports: int) -> None:
        import dask
        from dask.system import CPU_COUNT
        from distributed import Client

        if self.on_start is not None:
            self.on_start()
        if self.scheduler is None:
            self._keep_workers = dask.config.set(KEEP_WORKERS)
            self.cluster = local_cluster(max(1, min(self.workers or CPU_COUNT, reports)))
        self.client = Client(self.scheduler or self.cluster)
        self._warming = [
            self.client.submit(
                warm_up_worker, workers=[address], allow_other_workers=False, pure=False
            )
            for address in self.client.scheduler_info()["workers"]
        ]


def local_cluster(workers: int | None = None):
    """A local Dask cluster for rendering reports: one single-threaded process per worker.

    Workers are given :data:`WORKER_EXIT_SECONDS` to exit when the cluster closes.

    Parameters
    ----------
    workers : int, optional
        Worker processes (default: CPU cores).

    Returns
    -------
    distributed.LocalCluster
        Close it after its clients.
    """
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers or None,
        threads_per_worker=1,
        worker_class=patient_nanny(),
        dashboard_address=":0",
    )


@cache
def patient_nanny() -> type:
    """Dask's ``Nanny``, waiting :data:`WORKER_EXIT_SECONDS` for its worker process to exit.

    Made on first use, so that importing :mod:`analysis.pipeline` (report kernels do) does not
    import ``distributed``.
    """
    from distributed import Nanny

    class PatientNanny(Nanny):
        async def close(self, timeout: float = WORKER_EXIT_SECONDS, reason: str = "nanny-close"):
            return await super().close(timeout=timeout, reason=reason)

    return PatientNanny


def _outcome(study: Study, future, agency: str, arguments: dict) -> ReportOutcome:
    """The future's outcome, or a ``failed`` one naming what went wrong on the worker."""
    try:
        return future.result()
    except Exception as error:  # KilledWorker, a lost scheduler, an unexpected bug
        folder = paths.reports_dir(study, arguments["output_dir"]) / agency
        return ReportOutcome(agency, "failed", short_error(error), str(folder))


def write_index(
    study: Study,
    outcomes: list[ReportOutcome],
    lang: str,
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    force: bool = False,
    kernel: KernelStartedEarly | None = None,
) -> StudyReportOutcome:
    """Write ``batch.json``, then the study's front page: the study report (``index.html``,
    ``index.pdf``), or the plain list of agencies headed by the error when it failed.

    The study report is made here, in ``kernel`` (else a new kernel), not on the cluster: this
    process has the study's data (it cleaned them), and a cluster whose workers have all died
    would leave it waiting. It is skipped when nothing it shows changed.

    Returns
    -------
    StudyReportOutcome
    """
    root = paths.reports_dir(study, output_dir)
    folders.write_text(root / "batch.json", json.dumps([asdict(o) for o in outcomes], indent=1))
    made = render_study_report(study.config_path, lang, output_dir, processed_dir, force, kernel)
    if made.status == "failed":
        write_agency_list(study, outcomes, lang, output_dir, study_error=made.error)
    return made


def write_agency_list(
    study: Study,
    outcomes: list[ReportOutcome],
    lang: str,
    output_dir: str | Path | None = None,
    study_error: str | None = None,
) -> Path:
    """Write ``index.html`` as the plain list of agencies (the front page when the study report
    could not be made, headed by ``study_error``).

    Only reports of this run's inputs are linked: a failed agency's entry shows its error and
    links no HTML or PDF.
    """
    root = paths.reports_dir(study, output_dir)
    entries = []
    for outcome in outcomes:
        folder = Path(outcome.folder)
        rendered = outcome.status in RENDERED
        html, pdf, results = (folder / n for n in ("report.html", "report.pdf", "results.json"))
        entries.append(
            {
                "id": outcome.agency,
                "name": study.agency(outcome.agency).name,
                "status": outcome.status,
                "error": outcome.error,
                "html": f"{outcome.agency}/report.html" if rendered and html.is_file() else None,
                "pdf": f"{outcome.agency}/report.pdf" if rendered and pdf.is_file() else None,
                "results": (
                    read_results(results).to_dict(orient="records")
                    if rendered and results.is_file()
                    else []
                ),
            }
        )
    info = {
        "id": study.study.id,
        "title": study.study.title.get(lang),
        "synthetic": study.study.synthetic,
        "study_error": study_error,
    }
    staged = folders.temporary_sibling(root / "index.html")
    try:
        render_index(info, entries, staged, lang=lang)
        os.replace(staged, root / "index.html")
    finally:
        staged.unlink(missing_ok=True)
    return root / "index.html"

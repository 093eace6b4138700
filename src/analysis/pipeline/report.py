"""One agency's report: execute the notebook, export HTML and PDF, move it into place.

The report is built in a fresh staging folder inside the study's reports folder and renamed to
``<reports>/<agency>/`` when done, whether it succeeded or failed. So the agency folder always
holds one run: a failed run keeps its executed notebook (with the error) and never sits beside
the HTML or PDF of an earlier run.

A batch worker renders with ``warm=True``: the notebook runs in the worker's warm kernel
(:data:`analysis.pipeline.execute.KERNELS`) and the PDF is printed by the worker's running
browser (:data:`BROWSERS`), both kept for the next report; a browser that failed to print is
closed and the next report starts another.
"""

from __future__ import annotations

import threading
import time
import traceback
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import papermill as pm

from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.pipeline import folders
from analysis.pipeline.cache import STAMP, input_key, is_current
from analysis.pipeline.execute import (
    KERNELS,
    WarmPool,
    execute_report,
    execute_report_warm,
    lower_thread_priority,
)
from analysis.pipeline.locking import study_lock
from analysis.reporting.browser import BrowserUnavailable, DevToolsBrowser
from analysis.reporting.export import PdfPrintError, PdfUnavailable, export_html, html_to_pdf


@dataclass
class ReportOutcome:
    """What happened to one agency's report.

    Attributes
    ----------
    agency : str
    status : str
        ``ok``, ``skipped`` (inputs unchanged), ``no_pdf`` (HTML made; no browser, or the
        browser failed to print; tried again next run) or ``failed``.
    error : str or None
        The error message for ``failed`` / ``no_pdf``.
    folder : str
        The agency's report folder.
    seconds : float or None
        Wall time of rendering it, on the machine that did; None when it was not rendered
        (skipped) or its worker was lost.
    """

    agency: str
    status: str
    error: str | None
    folder: str
    seconds: float | None = None


def run_report(
    config: str | Path,
    agency: str,
    lang: str = "id",
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    force: bool = False,
) -> ReportOutcome:
    """Execute and export one agency's report, holding the study's lock.

    Writes ``report.ipynb`` (executed, kept on failure with the error), ``report.html``,
    ``report.pdf`` and ``results.json`` into ``<output_dir>/<agency>/``.

    Returns
    -------
    ReportOutcome
        A failing agency is an outcome, not an exception.

    Raises
    ------
    InputError
        For an unknown agency, an output folder that may not be written, or another run of
        the study holding the lock (all checked before anything is written).
    """
    study = load_study(config)
    study.agency(agency)
    root = folders.reports_folder(study, output_dir)
    with study_lock(study):
        folders.claim(root, study, "reports")
        folders.remove_leftovers(root, agency)
        return render_report(config, agency, lang, output_dir, processed_dir, force)


def render_report(
    config: str | Path,
    agency: str,
    lang: str = "id",
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    force: bool = False,
    warm: bool = False,
) -> ReportOutcome:
    """:func:`run_report` for a caller that holds the lock and has claimed the reports folder.

    This is the task a batch runs on its workers (with ``warm=True``: in the worker's warm
    kernel, printed by its running browser); it never raises for a failing agency.
    """
    started = time.perf_counter()
    study = load_study(config)
    folder = paths.reports_dir(study, output_dir) / agency
    try:
        data_dir = paths.processed_dir(study, processed_dir)
        failed = processed.read_summary(data_dir).get("failed_agencies", {})
        key = input_key(study, agency, lang, data_dir)
    except Exception as error:  # no processed data: nothing to render from
        return ReportOutcome(agency, "failed", short_error(error), str(folder))
    if not force and is_current(folder, key):
        return ReportOutcome(agency, "skipped", None, str(folder))
    staging = folders.staging_folder(folder)
    try:
        status, error = _render(study, agency, lang, staging, data_dir, failed.get(agency), warm)
        if status == "ok":
            folders.write_text(staging / STAMP, key)
        folders.replace_folder(staging, folder)
    finally:
        folders.remove(staging)  # gone already when renamed into place
    seconds = round(time.perf_counter() - started, 3)
    return ReportOutcome(agency, status, error, str(folder), seconds)


def _render(
    study: Study,
    agency: str,
    lang: str,
    staging: Path,
    data_dir: Path,
    clean_error: str | None,
    warm: bool,
) -> tuple[str, str | None]:
    """Execute, export HTML, print PDF into ``staging``; returns the status and error."""
    if clean_error:
        return "failed", clean_error
    if warm:
        _wait_for_warm_up()
        lower_thread_priority()
    try:
        execute = execute_report_warm if warm else execute_report
        execute(study, agency, lang, staging, data_dir)
        export_html(
            staging / "report.ipynb",
            staging / "report.html",
            title=f"{study.agency(agency).name} — {study.study.id}",
            lang=lang,
        )
    except Exception as error:  # one agency's failure is reported, not raised
        return "failed", short_error(error)
    try:
        print_pdf(staging / "report.html", staging / "report.pdf", warm)
    except (PdfUnavailable, PdfPrintError) as error:
        return "no_pdf", str(error)
    return "ok", None


def print_pdf(html: Path, pdf: Path, warm: bool = False) -> Path:
    """Print ``html`` to ``pdf``: with one of this process's running browsers (:data:`BROWSERS`)
    when ``warm``, else with a browser started for it.

    Raises
    ------
    PdfUnavailable, PdfPrintError
        As :func:`analysis.reporting.export.html_to_pdf`.
    """
    if not warm:
        return html_to_pdf(html, pdf)
    with BROWSERS.lend() as browser:
        return html_to_pdf(html, pdf, browser=browser)


def _start_browser() -> DevToolsBrowser:
    """A new headless browser for :data:`BROWSERS`, failing as :func:`html_to_pdf` does."""
    try:
        return DevToolsBrowser()
    except BrowserUnavailable as error:
        raise PdfUnavailable(str(error)) from None
    except OSError as error:
        raise PdfPrintError(f"Chromium could not be started: {error}") from None


BROWSERS: WarmPool[DevToolsBrowser] = WarmPool(
    _start_browser, DevToolsBrowser.close, lambda browser: browser.alive
)
"""The running browsers of this process that print its reports' PDFs."""


def warm_up_worker() -> None:
    """Start this process's warm kernel and browser before its first report, in a background
    thread (a batch asks each worker to, while it cleans); a failure is left for that report
    to meet.

    The task thread is free again at once: a batch's cleaning lends its workers agencies to
    read meanwhile (:mod:`analysis.pipeline.engagement`). The warming thread, and so the kernel
    and browser it starts, get a lower priority
    (:func:`analysis.pipeline.execute.lower_thread_priority`), so that warming up does not
    slow the cleaning down. A warm report first waits for the warm-up to end, so it does not
    start a second kernel, and renders at that same priority.
    """
    global _warming
    with _warming_lock:
        if _warming is None or not _warming.is_alive():
            _warming = threading.Thread(target=_warm_up, name="warm-up", daemon=True)
            _warming.start()


def _warm_up() -> None:
    lower_thread_priority()
    for pool in (KERNELS, BROWSERS):
        with suppress(Exception), pool.lend():
            pass


def _wait_for_warm_up() -> None:
    with _warming_lock:
        warming = _warming
    if warming is not None:
        warming.join()


_warming: threading.Thread | None = None
_warming_lock = threading.Lock()


def short_error(error: BaseException) -> str:
    """One line for an error: a notebook's ``ename: evalue``, else the exception's own line."""
    if isinstance(error, pm.PapermillExecutionError):
        return f"{error.ename}: {error.evalue}"
    return "".join(traceback.format_exception_only(error)).strip()

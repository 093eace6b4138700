"""One agency's report: execute the notebook, export HTML and PDF, move it into place.

The report is built in a fresh staging folder inside the study's reports folder and renamed to
``<reports>/<agency>/`` when done, whether it succeeded or failed. So the agency folder always
holds one run: a failed run keeps its executed notebook (with the error) and never sits beside
the HTML or PDF of an earlier run.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

import papermill as pm

from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.pipeline import folders
from analysis.pipeline.cache import STAMP, input_key, is_current
from analysis.pipeline.execute import execute_report
from analysis.pipeline.locking import study_lock
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
    """

    agency: str
    status: str
    error: str | None
    folder: str


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
) -> ReportOutcome:
    """:func:`run_report` for a caller that holds the lock and has claimed the reports folder.

    This is the task a batch runs on its workers; it never raises for a failing agency.
    """
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
        outcome = _render(study, agency, lang, staging, data_dir, failed.get(agency))
        if outcome.status == "ok":
            folders.write_text(staging / STAMP, key)
        folders.replace_folder(staging, folder)
    finally:
        folders.remove(staging)  # gone already when renamed into place
    return ReportOutcome(agency, outcome.status, outcome.error, str(folder))


def _render(
    study: Study, agency: str, lang: str, staging: Path, data_dir: Path, clean_error: str | None
) -> ReportOutcome:
    """Execute, export HTML, print PDF into ``staging``; the outcome's folder is ``staging``."""
    if clean_error:
        return ReportOutcome(agency, "failed", clean_error, str(staging))
    try:
        execute_report(study, agency, lang, staging, data_dir)
        export_html(
            staging / "report.ipynb",
            staging / "report.html",
            title=f"{study.agency(agency).name} — {study.study.id}",
            lang=lang,
        )
    except Exception as error:  # one agency's failure is reported, not raised
        return ReportOutcome(agency, "failed", short_error(error), str(staging))
    try:
        html_to_pdf(staging / "report.html", staging / "report.pdf")
    except (PdfUnavailable, PdfPrintError) as error:
        return ReportOutcome(agency, "no_pdf", str(error), str(staging))
    return ReportOutcome(agency, "ok", None, str(staging))


def short_error(error: BaseException) -> str:
    """One line for an error: a notebook's ``ename: evalue``, else the exception's own line."""
    if isinstance(error, pm.PapermillExecutionError):
        return f"{error.ename}: {error.evalue}"
    return "".join(traceback.format_exception_only(error)).strip()

"""The main job: clean a study, then render every agency's report (HTML, PDF, results.json).

``clean_study`` turns raw files into processed Parquet. ``run_report`` executes the report
notebook for one agency with papermill and exports it. ``run_batch`` maps ``run_report`` over the
agencies on Dask (a local cluster by default, or an existing scheduler), skips agencies whose
inputs did not change, never lets one failing agency stop the others, and writes the study index.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import papermill as pm
from jupyter_client.manager import KernelManager

from analysis import tables
from analysis.cleaning.survey import clean_survey
from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.io.posts.platforms import read_posts
from analysis.reporting.export import PdfPrintError, PdfUnavailable, export_html, html_to_pdf
from analysis.reporting.index_page import render_index
from analysis.reporting.provenance import raw_inputs
from analysis.reporting.results import read_results

KernelManager.shutdown_wait_time = 0.5  # avoids 3 s shutdown stalls (reference/pdf_pipeline.md)


class LocalKernelManager(KernelManager):
    """A kernel that talks over IPC sockets in its own private folder.

    No TCP ports are opened (so no unencrypted-TCP warning), and kernels started at the same
    time by parallel workers never share socket files.
    """

    def __init__(self, **kwargs):
        folder = tempfile.mkdtemp(prefix="analysis-kernel-")
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(folder, "kernel"))
        super().__init__(**kwargs)
        self.socket_folder = folder

    def cleanup_resources(self, restart: bool = False) -> None:
        """Remove the socket files, and their folder unless the kernel restarts."""
        super().cleanup_resources(restart=restart)
        if not restart:
            shutil.rmtree(self.socket_folder, ignore_errors=True)


@dataclass
class ReportOutcome:
    """What happened to one agency's report.

    Attributes
    ----------
    agency : str
    status : str
        ``ok``, ``skipped`` (inputs unchanged), ``no_pdf`` (HTML made; no browser, or the
        browser failed to print) or ``failed``.
    error : str or None
        The error message for ``failed`` / ``no_pdf``.
    folder : str
        The agency's report folder.
    """

    agency: str
    status: str
    error: str | None
    folder: str


def clean_study(study: Study, processed_dir: str | Path | None = None) -> Path:
    """Clean the survey and read engagement exports; write processed tables.

    Returns
    -------
    Path
        The processed folder of the study.
    """
    cleaned = clean_survey(study)
    posts, skipped = read_engagement(study)
    summary = {
        "config_sha256": study.config_hash(),
        "inputs": {
            str(p.name): hashlib.sha256(p.read_bytes()).hexdigest() for p in raw_inputs(study)
        },
        "notes": cleaned.notes,
    }
    frames = {
        "responses": cleaned.responses,
        "posts": posts,
        "post_exclusions": skipped,
        "exclusions": cleaned.exclusions,
        "flags": cleaned.flags,
        "received": cleaned.received,
        "dropped_columns": cleaned.dropped_columns,
    }
    return processed.write_processed(paths.processed_dir(study, processed_dir), frames, summary)


def read_engagement(study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every agency's platform exports.

    Returns
    -------
    tuple of DataFrame
        The ``posts`` table (contract :data:`analysis.tables.POSTS`) and the ledger of export
        rows that are not posts (contract :data:`analysis.tables.LEDGER`: ``total_row`` for
        summary rows such as YouTube's "Total", ``duplicate_post`` for a repeated post id).
    """
    posts, skipped = [], []
    for source in study.engagement:
        for agency in study.agencies:
            path = study.resolve(source.path.format(agency=agency.id))
            if not path.exists():
                continue
            frame = read_posts(
                path,
                platform=source.platform,
                agency_id=agency.id,
                fmt=source.format,
                timezone=study.study.timezone,
                followers=agency.followers.get(source.platform),
            )
            posts.append(frame)
            skipped += [
                {
                    "source_file": path.name,
                    "source_row": row,
                    "agency_id": agency.id,
                    "reason": reason.replace(" ", "_").replace("post_id", "post"),
                    "detail": f"{source.platform} export: {reason}",
                    "action": "exclude",
                }
                for row, reason in frame.attrs.get("skipped_rows", [])
            ]
    all_posts = (
        tables.conform(pd.concat(posts, ignore_index=True), tables.POSTS)
        if posts
        else tables.empty_table(tables.POSTS)
    )
    ledger = (
        tables.conform(pd.DataFrame(skipped), tables.LEDGER)
        if skipped
        else tables.empty_table(tables.LEDGER)
    )
    return all_posts, ledger


def run_report(
    config: str | Path,
    agency: str,
    lang: str = "id",
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    force: bool = False,
) -> ReportOutcome:
    """Execute and export one agency's report; never raises for a failing agency.

    Writes ``report.ipynb`` (executed, kept on failure with the error), ``report.html``,
    ``report.pdf`` and ``results.json`` into ``<output_dir>/<agency>/``.

    Returns
    -------
    ReportOutcome
    """
    study = load_study(config)
    folder = paths.reports_dir(study, output_dir) / agency
    folder.mkdir(parents=True, exist_ok=True)
    data_dir = paths.processed_dir(study, processed_dir)
    key = input_key(study, agency, lang, data_dir)
    stamp = folder / ".inputs.sha256"
    if (
        not force
        and stamp.exists()
        and stamp.read_text() == key
        and (folder / "report.html").exists()
    ):
        return ReportOutcome(agency, "skipped", None, str(folder))
    stamp.unlink(missing_ok=True)
    try:
        execute_report(study, agency, lang, folder, data_dir)
        export_html(
            folder / "report.ipynb",
            folder / "report.html",
            title=f"{study.agency(agency).name} — {study.study.id}",
            lang=lang,
        )
    except Exception as error:  # one agency's failure is reported, not raised
        return ReportOutcome(agency, "failed", _short_error(error), str(folder))
    outcome = ReportOutcome(agency, "ok", None, str(folder))
    try:
        html_to_pdf(folder / "report.html", folder / "report.pdf")
    except (PdfUnavailable, PdfPrintError) as error:
        outcome = ReportOutcome(agency, "no_pdf", str(error), str(folder))
    stamp.write_text(key)
    return outcome


def execute_report(study: Study, agency: str, lang: str, folder: Path, data_dir: Path) -> Path:
    """Run the report notebook for one agency with papermill (kernel ``python3``)."""
    parameters = {
        "config": str(study.config_path),
        "agency": agency,
        "lang": lang,
        "processed_dir": str(data_dir),
        "output_dir": str(folder),
    }
    pm.execute_notebook(
        paths.notebook(paths.REPORT_NOTEBOOK),
        folder / "report.ipynb",
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(paths.notebooks_dir()),
        kernel_manager_class=LocalKernelManager,
    )
    return folder / "report.ipynb"


def input_key(study: Study, agency: str, lang: str, data_dir: Path) -> str:
    """Hash of everything a report depends on: notebook, config, the agency's data, code."""
    digest = hashlib.sha256(f"{agency}|{lang}".encode())
    files = [paths.notebook(paths.REPORT_NOTEBOOK), study.config_path]
    for table in processed.PARTITIONED:
        files += sorted((data_dir / table / f"agency_id={agency}").glob("*.parquet"))
    files += sorted(data_dir.glob("*.parquet"))
    files += sorted(paths.PACKAGE_DIR.rglob("*.py")) + sorted(paths.PACKAGE_DIR.rglob("*.yml"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def run_batch(
    config: str | Path,
    lang: str = "id",
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    force: bool = False,
) -> list[ReportOutcome]:
    """Clean the study, render every agency's report in parallel, and write the index.

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
        Local cluster workers (default: CPU cores).
    force : bool
        Re-render agencies whose inputs did not change.

    Returns
    -------
    list of ReportOutcome
        One per agency, in config order; also written to ``batch.json`` beside the index.
    """
    from distributed import Client, LocalCluster

    study = load_study(config)
    clean_study(study, processed_dir)
    agencies = [a.id for a in study.agencies]
    cluster = (
        None
        if scheduler
        else LocalCluster(
            n_workers=workers or None, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    )
    with Client(scheduler or cluster) as client:
        futures = client.map(
            run_report,
            [str(study.config_path)] * len(agencies),
            agencies,
            lang=lang,
            output_dir=output_dir,
            processed_dir=processed_dir,
            force=force,
            pure=False,
        )
        outcomes = client.gather(futures)
    if cluster is not None:
        cluster.close()
    write_index(study, outcomes, lang, output_dir)
    return outcomes


def write_index(
    study: Study, outcomes: list[ReportOutcome], lang: str, output_dir: str | Path | None = None
) -> Path:
    """Write ``index.html`` and ``batch.json`` for the study's report folder."""
    root = paths.reports_dir(study, output_dir)
    entries = []
    for outcome in outcomes:
        folder = Path(outcome.folder)
        results = folder / "results.json"
        entries.append(
            {
                "id": outcome.agency,
                "name": study.agency(outcome.agency).name,
                "status": outcome.status,
                "error": outcome.error,
                "html": f"{outcome.agency}/report.html"
                if (folder / "report.html").exists()
                else None,
                "pdf": f"{outcome.agency}/report.pdf" if (folder / "report.pdf").exists() else None,
                "results": (
                    read_results(results).to_dict(orient="records")
                    if results.exists() and outcome.status != "failed"
                    else []
                ),
            }
        )
    (root / "batch.json").write_text(
        json.dumps([asdict(o) for o in outcomes], indent=1), encoding="utf-8"
    )
    info = {
        "id": study.study.id,
        "title": study.study.title.get(lang),
        "synthetic": study.study.synthetic,
    }
    return render_index(info, entries, root / "index.html", lang=lang)


def _short_error(error: Exception) -> str:
    if isinstance(error, pm.PapermillExecutionError):
        return f"{error.ename}: {error.evalue}"
    return "".join(traceback.format_exception_only(error)).strip()

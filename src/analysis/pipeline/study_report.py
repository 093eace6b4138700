"""The study report as the study's front page: ``<reports>/index.html`` and ``index.pdf``.

A batch makes it after the agency reports, in its own process: the study report notebook
(:data:`STUDY_NOTEBOOK`) runs with the study's reports folder as its output folder, so its links
to ``<agency>/report.html`` resolve, and is exported to ``index.html`` and printed to
``index.pdf`` (its executed notebook is ``index.ipynb``; its ``results.json``, ``figures/``,
``tables/`` and ``tables.docx`` sit beside them). It is made again only when what it shows
changed: :func:`study_key` hashes the notebook's inputs (config, every processed file, code,
language) and every agency's ``results.json`` and outcome, and is kept in :data:`STUDY_STAMP`.

The front page is always there: when the notebook fails, ``index.html`` is the plain list of
agencies (:func:`analysis.reporting.index_page.render_index`) headed by the study report's error,
and no ``index.pdf`` is left from an earlier run.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.pipeline import folders
from analysis.pipeline.cache import code_key
from analysis.pipeline.execute import KernelStartedEarly, execute_notebook
from analysis.reporting.export import PdfPrintError, PdfUnavailable, export_html
from analysis.reporting.study_context import shown_outcomes

STUDY_NOTEBOOK = "95-study-report.ipynb"
STUDY_STAMP = ".study-inputs.sha256"
"""File in the reports folder holding the :func:`study_key` of the index made last."""
FILES = ("index.ipynb", "index.html", "index.pdf")


@dataclass
class StudyReportOutcome:
    """What happened to the study report.

    Attributes
    ----------
    status : str
        ``ok``, ``skipped`` (nothing it shows changed), ``no_pdf`` (HTML made, the PDF not) or
        ``failed`` (``index.html`` is the plain agency list with the error).
    error : str or None
    seconds : float or None
        Wall time of making it; None when skipped.
    """

    status: str
    error: str | None
    seconds: float | None = None


def study_key(study: Study, lang: str, root: Path, data_dir: Path) -> str:
    """Hash of what the study report shows: config, processed data, code, language, each
    agency's recorded results and what its link says
    (:func:`~analysis.reporting.study_context.shown_outcomes`)."""
    digest = hashlib.sha256(f"{STUDY_NOTEBOOK}|{lang}".encode())
    digest.update(study.config_path.read_bytes())
    for relative, entry in sorted(processed.read_manifest(data_dir).items()):
        digest.update(f"{relative}={entry['sha256']}".encode())
    for agency in study.agencies:
        path = root / agency.id / "results.json"
        digest.update(f"\0{agency.id}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    digest.update(json.dumps(shown_outcomes(root), sort_keys=True).encode())
    digest.update(code_key().encode())
    return digest.hexdigest()


def render_study_report(
    config: str | Path,
    lang: str,
    output_dir: str | Path | None = None,
    processed_dir: str | Path | None = None,
    force: bool = False,
    kernel: KernelStartedEarly | None = None,
) -> StudyReportOutcome:
    """Make ``index.html`` and ``index.pdf`` from the study report notebook, unless current.

    Run by a batch after its agency reports, holding the study's lock, in ``kernel`` (a
    kernel the batch started while the agency reports ran) or else in a new kernel; it never
    raises for a failing notebook.

    Returns
    -------
    StudyReportOutcome
    """
    from analysis.pipeline.report import print_pdf, short_error

    started = time.perf_counter()
    study = load_study(config)
    root = paths.reports_dir(study, output_dir)
    try:
        data_dir = paths.processed_dir(study, processed_dir)
        key = study_key(study, lang, root, data_dir)
    except Exception as error:  # no processed data
        return StudyReportOutcome("failed", short_error(error))
    stamp = root / STUDY_STAMP
    current = stamp.is_file() and stamp.read_text(encoding="utf-8") == key
    if current and not force and (root / "index.html").is_file():
        return StudyReportOutcome("skipped", None)
    stamp.unlink(missing_ok=True)
    parameters = {
        "config": str(study.config_path),
        "lang": lang,
        "processed_dir": str(data_dir),
        "output_dir": str(root),
    }
    staged = {name: folders.temporary_sibling(root / name) for name in FILES}
    try:
        try:
            notebook = paths.notebook(STUDY_NOTEBOOK)
            if kernel is not None:
                kernel.execute(notebook, staged["index.ipynb"], parameters)
            else:
                execute_notebook(notebook, staged["index.ipynb"], parameters)
            export_html(
                staged["index.ipynb"],
                staged["index.html"],
                title=f"{study.study.title.get(lang)} — {study.study.id}",
                lang=lang,
            )
        except Exception as error:  # the front page falls back to the agency list
            _replace(staged, root, ("index.ipynb",))
            (root / "index.pdf").unlink(missing_ok=True)
            return StudyReportOutcome("failed", short_error(error), _since(started))
        try:
            print_pdf(staged["index.html"], staged["index.pdf"])
        except (PdfUnavailable, PdfPrintError) as error:
            _replace(staged, root, ("index.ipynb", "index.html"))
            (root / "index.pdf").unlink(missing_ok=True)
            return StudyReportOutcome("no_pdf", str(error), _since(started))
        _replace(staged, root, FILES)
        folders.write_text(stamp, key)
        return StudyReportOutcome("ok", None, _since(started))
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)


def _replace(staged: dict[str, Path], root: Path, names: tuple[str, ...]) -> None:
    """Move the staged files ``names`` that were written into place."""
    for name in names:
        if staged[name].is_file() and staged[name].stat().st_size > 0:
            os.replace(staged[name], root / name)


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)

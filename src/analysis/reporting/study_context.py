"""The study report: every agency together, as one document in the same style as theirs.

:func:`open_study_report` opens a :class:`StudyReportContext`, the agency report's context for
the whole study (all respondents, posts and comments; the agencies' own recorded results), so
the study report has the same title page, numbered APA tables and figures, CSV and Word
tables, PDF layout and results contract (``results.json`` with agency ``(study)``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import pandas as pd
from IPython.display import HTML, Markdown

from analysis import tables
from analysis.cleaning.scoring import score_constructs
from analysis.config import load_study, paths
from analysis.io import store as processed
from analysis.reporting.context import ReportContext, _e, whole_number
from analysis.reporting.display import plain
from analysis.reporting.results import ResultLog
from analysis.reporting.synthesis import read_agency_results

#: Agency id of the study report's records in ``results.json``.
STUDY = "(study)"


@dataclass
class StudyReportContext(ReportContext):
    """:class:`~analysis.reporting.context.ReportContext` for the whole study.

    Attributes
    ----------
    agency_results : DataFrame
        Every agency's ``results.json`` records (agencies whose report has not been made are
        absent).
    outcomes : dict
        Agency id -> its batch outcome as shown (:func:`shown_outcomes`); empty when no batch
        wrote ``batch.json``.
    """

    agency_results: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcomes: dict[str, dict] = field(default_factory=dict)
    report_kind: ClassVar[str] = "title_page.study_kind"

    @property
    def labels(self) -> dict[str, str]:
        """The agency report's labels plus agency id -> agency name."""
        return super().labels | {a.id: a.name for a in self.study.agencies}

    @property
    def agency_name(self) -> str:
        """What the study report is about: all agencies of the study."""
        return self.text("study_report.all_agencies", n=len(self.study.agencies))

    def links(self) -> HTML:
        """Every agency's report (HTML and PDF) with its status; failed runs with their error."""
        items = []
        for agency in self.study.agencies:
            folder = quote(agency.id)
            outcome = self.outcomes.get(agency.id, {})
            state = outcome.get("status") or (
                "ok" if agency.id in set(self.agency_results.get("agency", [])) else "missing"
            )
            label = _e(self.text(f"study_report.status_{state}"))
            if state in ("ok", "no_pdf"):
                pdf = f' · <a href="{folder}/report.pdf">PDF</a>' if state != "no_pdf" else ""
                entry = f'<a href="{folder}/report.html">{_e(agency.name)}</a>{pdf} — {label}'
            else:
                error = outcome.get("error")
                entry = f"{_e(agency.name)} — <strong>{label}</strong>"
                entry += f": <code>{_e(error)}</code>" if error else ""
            items.append(f"<li>{entry}</li>")
        return HTML(f'<ul class="agency-links">{"".join(items)}</ul>')

    def caveat(self) -> Markdown:
        """The ecological-inference caveat of agency-level results."""
        return Markdown(plain(self.text("study_report.ecological")))


def open_study_report(
    config: str,
    lang: str = "id",
    processed_dir: str = "",
    output_dir: str = "",
    min_cell: int | str = "",
) -> StudyReportContext:
    """Load the study and every agency's data and recorded results for the study report.

    Parameters
    ----------
    config : str
        Path of the study config.
    lang : str
        ``id`` or ``en``.
    processed_dir : str
        Processed data folder (``""``: the study's).
    output_dir : str
        The study's reports folder, holding ``<agency>/results.json`` (``""``:
        ``reports/<study>``); the study report's own files go there too.
    min_cell : int or str
        k of the small-cell protection; ``""`` takes the study config's
        ``reporting.min_cell`` (default 5).

    Returns
    -------
    StudyReportContext
    """
    study = load_study(config)
    data_dir = paths.processed_dir(study, processed_dir or None)
    out = Path(output_dir) if output_dir else paths.reports_dir(study)
    responses = processed.read_partition(data_dir, "responses")
    comments = (
        processed.read_partition(data_dir, "comments")
        if any(source.comments for source in study.engagement)
        else tables.empty_table(tables.COMMENTS)
    )
    return StudyReportContext(
        study=study,
        agency_id=STUDY,
        lang=lang,
        responses=responses,
        exclusions=processed.read_flat(data_dir, "exclusions"),
        flags=processed.read_flat(data_dir, "flags"),
        received=processed.read_flat(data_dir, "received"),
        posts=processed.read_partition(data_dir, "posts"),
        comments=comments,
        scores=score_constructs(responses, study),
        output_dir=out,
        parameters={"config": Path(config).name, "lang": lang},
        log=ResultLog(agency=STUDY),
        min_cell=whole_number(
            study.reporting.min_cell if min_cell == "" else min_cell, "min_cell", 1
        ),
        agency_results=read_agency_results(out, [a.id for a in study.agencies]),
        outcomes=shown_outcomes(out),
    )


def shown_outcomes(reports_dir: Path) -> dict[str, dict]:
    """Each agency's batch outcome as the study report shows it, from ``batch.json``.

    A report kept unchanged (``skipped``) is shown as made (``ok``) and an agency left out of
    the run with no current report (``not_selected``) as not made yet (``missing``), so that a
    re-run that changes nothing shows the same study report; no run time is shown.

    Returns
    -------
    dict
        Agency id -> ``{"status": ..., "error": ...}``; empty when there is no ``batch.json``.
    """
    batch = reports_dir / "batch.json"
    records = json.loads(batch.read_text(encoding="utf-8")) if batch.is_file() else []
    shown = {"skipped": "ok", "not_selected": "missing"}
    return {
        record["agency"]: {
            "status": shown.get(record["status"], record["status"]),
            "error": record.get("error"),
        }
        for record in records
    }

"""What a report notebook works with: the loaded study, one agency's data, and display helpers.

The agency report notebook opens a :class:`ReportContext` with :func:`open_report` and then, cell
by cell, calls analysis functions and shows their output through :meth:`ReportContext.show`,
which records every number in ``results.json`` and formats the table in the report language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.reporting.display import display_table
from analysis.reporting.i18n import number, p_value, t
from analysis.reporting.provenance import provenance_table
from analysis.reporting.results import ResultLog
from analysis.stats import reliability as measurement


@dataclass
class ReportContext:
    """One agency's report in the making.

    Attributes
    ----------
    study : Study
    agency_id : str
    lang : str
    responses, exclusions, received, posts, scores : DataFrame
        The agency's processed tables (``exclusions`` and ``received`` for the whole study).
    output_dir : Path
        Where ``results.json`` is written.
    log : ResultLog
    """

    study: Study
    agency_id: str
    lang: str
    responses: pd.DataFrame
    exclusions: pd.DataFrame
    received: pd.DataFrame
    posts: pd.DataFrame
    scores: pd.DataFrame
    output_dir: Path
    parameters: dict = field(default_factory=dict)
    log: ResultLog | None = None

    @property
    def agency_name(self) -> str:
        """The agency's full name."""
        return self.study.agency(self.agency_id).name

    @property
    def labels(self) -> dict[str, str]:
        """Variable id -> readable label in the report language."""
        found = {c.id: c.label.get(self.lang) for c in self.study.constructs}
        found.update({d.id: d.label.get(self.lang) for d in self.study.demographics if d.label})
        return found

    def title(self) -> Markdown:
        """The report title, date line and (for demo data) the synthetic-data banner."""
        lines = [
            f"# {t(self.lang, 'report_title', agency=self.agency_name)}",
            t(
                self.lang,
                "generated",
                date=date.today().isoformat(),
                study=self.study.study.title.get(self.lang),
            ),
        ]
        if self.study.study.synthetic:
            lines.append(f"> **{t(self.lang, 'synthetic_banner')}**")
        return Markdown("\n\n".join(lines))

    def heading(self, section: str) -> Markdown:
        """A section heading with its introduction, in the report language."""
        intro = texts_or_empty(self.lang, f"intro.{section}")
        return Markdown(f"## {t(self.lang, f'sections.{section}')}\n\n{intro}")

    def show(self, analysis: str, table: pd.DataFrame) -> HTML:
        """Record ``table`` in the results log and return it formatted for the report."""
        self.log.record(analysis, table)
        shown = display_table(analysis, table, self.lang, self.labels)
        return HTML(shown.to_html(index=False, classes="report-table", border=0, escape=True))

    def narrate(self, hypothesis_table: pd.DataFrame) -> Markdown:
        """One sentence per focal hypothesis term, APA style, in the report language."""
        sentences = []
        for row in hypothesis_table[hypothesis_table["focal"]].itertuples():
            hyp = next(h for h in self.study.hypotheses if h.id == row.hypothesis)
            direction = "positive" if row.estimate > 0 else "negative"
            sentences.append(
                "- "
                + t(
                    self.lang,
                    f"narrative.{row.decision}",
                    id=row.hypothesis,
                    predictor=self.labels.get(row.term, row.term),
                    outcome=self.labels.get(hyp.outcome, hyp.outcome),
                    direction=t(self.lang, f"narrative.{direction}"),
                    b=number(row.estimate, self.lang),
                    lo=number(row.ci_low, self.lang),
                    hi=number(row.ci_high, self.lang),
                    df=number(row.df, self.lang, 0),
                    t=number(row.statistic, self.lang),
                    p=p_value(row.p_value, self.lang),
                    f2=number(row.effect_size, self.lang),
                    r2=number(row.r2, self.lang),
                    n=row.n,
                )
            )
        return Markdown("\n".join(sentences))

    def methods(self) -> Markdown:
        """Methods and limitations paragraphs."""
        alpha = number(self.study.study.alpha, self.lang)
        return Markdown(t(self.lang, "methods", alpha=alpha) + "\n\n" + t(self.lang, "limitations"))

    def provenance(self) -> HTML:
        """The provenance table (hashes, versions, commit, seed, parameters)."""
        table = provenance_table(self.study, self.parameters, self.lang)
        return HTML(table.to_html(index=False, classes="report-table provenance", border=0))

    def finish(self) -> Path:
        """Write ``results.json`` to the output folder and return its path."""
        return self.log.write(self.output_dir / "results.json")


def texts_or_empty(lang: str, key: str) -> str:
    """The text at ``key``, or ``""`` when that section has no introduction."""
    try:
        return t(lang, key)
    except KeyError:
        return ""


def ensure_processed(study: Study, processed_dir: str | None = None) -> Path:
    """The study's processed folder, cleaning the raw data first if it was never cleaned.

    For a synthetic (demo) study whose raw files are missing, they are generated first, so a
    notebook opened on a fresh clone runs top to bottom with its defaults.
    """
    data_dir = paths.processed_dir(study, processed_dir)
    if not (data_dir / "clean.json").exists():
        from analysis.demo.generator import generate_demo
        from analysis.pipeline.run import clean_study

        if study.study.synthetic:
            generate_demo(study)
        clean_study(study, processed_dir)
    return data_dir


def open_report(
    config: str, agency: str, lang: str = "id", processed_dir: str = "", output_dir: str = ""
) -> ReportContext:
    """Load the study config and one agency's processed data for its report.

    Parameters
    ----------
    config : str
        Path of the study config.
    agency : str
        Agency id.
    lang : str
        ``id`` or ``en``.
    processed_dir, output_dir : str
        Overrides of the study's processed-data and report folders (``""``: defaults, with the
        report in ``reports/<study>/<agency>``).

    Returns
    -------
    ReportContext
    """
    study = load_study(config)
    study.agency(agency)
    data_dir = ensure_processed(study, processed_dir or None)
    responses = processed.read_partition(data_dir, "responses", agency)
    out = Path(output_dir) if output_dir else paths.reports_dir(study) / agency
    return ReportContext(
        study=study,
        agency_id=agency,
        lang=lang,
        responses=responses,
        exclusions=processed.read_flat(data_dir, "exclusions"),
        received=processed.read_flat(data_dir, "received"),
        posts=processed.read_partition(data_dir, "posts", agency),
        scores=measurement.score_constructs(responses, study),
        output_dir=out,
        parameters={"config": Path(config).name, "agency": agency, "lang": lang},
        log=ResultLog(agency=agency),
    )

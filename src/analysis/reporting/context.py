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

from analysis import tables
from analysis.cleaning.scoring import score_constructs
from analysis.config import Study, load_study, paths
from analysis.config.prereg import compare_with_lock, read_lock
from analysis.errors import InputError
from analysis.io import store as processed
from analysis.reporting.display import display_table, plain
from analysis.reporting.i18n import ci_level, number, significance, t
from analysis.reporting.narrative import verdict_sentence
from analysis.reporting.provenance import provenance_table
from analysis.reporting.results import ResultLog


@dataclass
class ReportContext:
    """One agency's report in the making.

    Attributes
    ----------
    study : Study
    agency_id : str
    lang : str
    responses, exclusions, flags, received, posts, scores : DataFrame
        The agency's processed tables (``exclusions``, ``flags`` and ``received`` for the
        whole study).
    output_dir : Path
        Where ``results.json`` is written.
    log : ResultLog
    """

    study: Study
    agency_id: str
    lang: str
    responses: pd.DataFrame
    exclusions: pd.DataFrame
    flags: pd.DataFrame
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
        return self.study.labels(self.lang)

    @property
    def alpha(self) -> float:
        """The study's significance level."""
        return self.study.study.alpha

    def text(self, key: str, **values) -> str:
        """A report text in the report language, with the confidence level filled in."""
        return t(self.lang, key, level=ci_level(self.alpha, self.lang), **values)

    def title(self) -> Markdown:
        """The report title, date line and (for demo data) the synthetic-data banner."""
        lines = [
            "# " + self.text("report_title", agency=plain(self.agency_name)),
            self.text(
                "generated",
                date=date.today().isoformat(),
                study=plain(self.study.study.title.get(self.lang)),
            ),
        ]
        if self.study.study.synthetic:
            lines.append(f"> **{self.text('synthetic_banner')}**")
        return Markdown("\n\n".join(lines))

    def heading(self, section: str) -> Markdown:
        """A section heading with its introduction, in the report language."""
        intro = self.intro(section)
        return Markdown(f"## {self.text(f'sections.{section}')}\n\n{intro}")

    def intro(self, section: str) -> str:
        """The introduction of a section ("" when it has none)."""
        if section == "descriptives":
            low, high = self._score_range()
            return self.text(
                "intro.descriptives",
                low=number(low, self.lang, 0),
                high=number(high, self.lang, 0),
            ) + (" " + self.text("intro.weighted") if self.study.weight_column else "")
        try:
            return self.text(f"intro.{section}")
        except KeyError:
            return ""

    def show(self, analysis: str, table: pd.DataFrame) -> HTML | Markdown:
        """Record ``table`` in the results log and return it formatted for the report."""
        self.log.record(analysis, table)
        if table.empty:
            return Markdown(f"*{self.text(f'empty.{analysis}')}*")
        shown = display_table(analysis, table, self.lang, self.labels, self.alpha)
        return HTML(shown.to_html(index=False, classes="report-table", border=0, escape=True))

    def narrate(self, verdicts: pd.DataFrame) -> Markdown:
        """One APA-style sentence per hypothesis, in the report language."""
        declared = {h.id: h for h in self.study.hypotheses}
        sentences = [
            "- "
            + verdict_sentence(row, declared[row.hypothesis], self.labels, self.lang, self.alpha)
            for row in verdicts.itertuples()
        ]
        return Markdown("\n".join(sentences))

    @property
    def confirmatory(self) -> dict[str, bool]:
        """Hypothesis id -> whether it matches the pre-registration lock (all True: no lock)."""
        status = compare_with_lock(self.study)
        return dict(zip(status["hypothesis"], status["confirmatory"], strict=True))

    def preregistration(self) -> Markdown:
        """Whether the hypotheses match the pre-registration lock, with every deviation."""
        lock = read_lock(self.study)
        if lock is None:
            return Markdown(self.text("prereg.none"))
        status = compare_with_lock(self.study)
        when = plain(lock["locked_at"].replace("T", " ").replace("Z", " UTC"))
        paragraphs = [self.text("prereg.locked", when=when)]
        if lock.get("after_cleaning"):
            paragraphs.append(self.text("prereg.after_cleaning"))
        deviations = status[status["status"] != "locked"]
        if deviations.empty:
            paragraphs.append(self.text("prereg.match"))
        else:
            listed = "\n".join(
                f"- **{plain(row.hypothesis)}**: {self.text(f'prereg.{row.status}')}"
                for row in deviations.itertuples()
            )
            paragraphs.append(self.text("prereg.deviations") + "\n\n" + listed)
        return Markdown("\n\n".join(paragraphs))

    def statements(self) -> Markdown:
        """The hypotheses as pre-registered in the config, one line each."""
        lines = [
            f"- **{plain(h.id)}**: {plain(h.statement.get(self.lang))}"
            for h in self.study.hypotheses
        ]
        return Markdown("\n".join(lines))

    def methods(self) -> Markdown:
        """Methods and limitations paragraphs."""
        parts = [
            self.text(
                "methods",
                alpha=significance(self.alpha, self.lang),
            ),
            self.text("weights_used" if self.study.weight_column else "weights_none"),
            self.text("limitations"),
        ]
        return Markdown("\n\n".join(parts))

    def provenance(self) -> HTML:
        """The provenance table (hashes, versions, commit, seed, parameters)."""
        table = provenance_table(self.study, self.parameters, self.lang)
        return HTML(table.to_html(index=False, classes="report-table provenance", border=0))

    def finish(self) -> Path:
        """Write ``results.json`` to the output folder and return its path."""
        return self.log.write(self.output_dir / "results.json")

    def _score_range(self) -> tuple[float, float]:
        ranges = [self.study.score_range(c.id) for c in self.study.constructs]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)


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
    data_dir = paths.processed_dir(study, processed_dir or None)
    responses = processed.read_partition(data_dir, "responses", agency)
    if responses.empty:
        raise InputError(
            f"agency {agency!r} has no analysed respondents in {data_dir}: every row was "
            "excluded or none named this agency (see the exclusion ledger)"
        )
    posts = (
        processed.read_partition(data_dir, "posts", agency)
        if study.engagement
        else tables.empty_table(tables.POSTS)
    )
    out = Path(output_dir) if output_dir else paths.reports_dir(study) / agency
    return ReportContext(
        study=study,
        agency_id=agency,
        lang=lang,
        responses=responses,
        exclusions=processed.read_flat(data_dir, "exclusions"),
        flags=processed.read_flat(data_dir, "flags"),
        received=processed.read_flat(data_dir, "received"),
        posts=posts,
        scores=score_constructs(responses, study),
        output_dir=out,
        parameters={"config": Path(config).name, "agency": agency, "lang": lang},
        log=ResultLog(agency=agency),
    )

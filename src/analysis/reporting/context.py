"""What a report notebook works with: the loaded study, one agency's data, and display helpers.

The agency report notebook opens a :class:`ReportContext` with :func:`open_report` and then, cell
by cell, calls analysis functions and shows their output through :meth:`ReportContext.show`,
which records every number in ``results.json``, formats the table in the report language as a
numbered APA table (small cells masked, see :mod:`analysis.reporting.small_cells`), writes it as
CSV beside the report and keeps it for ``tables.docx``. :meth:`ReportContext.figure` numbers a
figure, makes it print-ready and saves it as PNG and SVG. The other methods write the parts of a
publishable document around them: title page, table of contents, executive summary, data
sources, sample-flow diagram, models, limitations drawn from the results, codebook and
provenance. Every number they show comes from a table the report records.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from analysis import tables
from analysis.cleaning.scoring import score_constructs
from analysis.config import Study, load_study, paths
from analysis.config.models import option_slug
from analysis.config.prereg import compare_with_lock, read_lock
from analysis.content import load_codebook
from analysis.errors import InputError
from analysis.io import store as processed
from analysis.reporting import artifacts, small_cells
from analysis.reporting.display import DISPLAY_COLUMNS, display_table, plain, term_label
from analysis.reporting.figures import print_ready
from analysis.reporting.i18n import ci_level, number, p_value, significance, t, texts
from analysis.reporting.narrative import verdict_sentence
from analysis.reporting.provenance import provenance_table
from analysis.reporting.results import ResultLog
from analysis.reporting.word import ApaTable, write_tables_docx

#: Analysed respondents below which the limitations name the small sample (a common floor for
#: regression and factor analysis in survey research; SEM asks for more).
SMALL_N = 100
#: Key of the output metadata that carries report facts to the HTML export (running header).
REPORT_METADATA = "analysis-report"


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
    comments : DataFrame
        The comment threads on the agency's posts (empty when the study has none).
    output_dir : Path
        Where ``results.json``, ``tables.docx`` and the ``figures/`` and ``tables/`` folders
        are written.
    parameters : dict
        The notebook parameters, shown in the provenance table.
    log : ResultLog
    min_cell : int
        k of the small-cell protection: groups of fewer respondents are shown as ``< k``.
    small_n : int
        Analysed respondents below which the limitations name the small sample.
    apa_tables : list of ApaTable
        Every table shown so far, numbered, for ``tables.docx``.
    shown : dict
        Analysis -> the tidy table the report recorded (the limitations read them).
    masked : list of str
        Analyses in which :meth:`show` masked small cells.
    figure_count : int
        Figures numbered so far.
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
    min_cell: int = small_cells.MIN_CELL
    small_n: int = SMALL_N
    apa_tables: list[ApaTable] = field(default_factory=list)
    shown: dict[str, pd.DataFrame] = field(default_factory=dict)
    masked: list[str] = field(default_factory=list)
    figure_count: int = 0
    comments: pd.DataFrame = field(default_factory=lambda: tables.empty_table(tables.COMMENTS))
    report_kind: ClassVar[str] = "title_page.kind"
    """Text key of the kind of report the title page names."""

    @property
    def agency_name(self) -> str:
        """The agency's full name."""
        return self.study.agency(self.agency_id).name

    @property
    def labels(self) -> dict[str, str]:
        """Variable id -> readable label in the report language.

        Constructs and demographics (the config's labels), post-level variables and model
        terms such as ``indirect`` or ``level_change`` (the locale's ``post_variables`` and
        ``terms``) and the content codebook's categories.
        """
        codebook = self.study.codebook or load_codebook()
        return (
            texts(self.lang)["post_variables"]
            | texts(self.lang)["terms"]
            | codebook.labels(self.lang)
            | self.study.labels(self.lang)
        )

    @property
    def alpha(self) -> float:
        """The study's significance level."""
        return self.study.study.alpha

    def text(self, key: str, **values) -> str:
        """A report text in the report language, with the confidence level filled in."""
        return t(self.lang, key, level=ci_level(self.alpha, self.lang), **values)

    def title(self) -> HTML:
        """The title page: agency, study, date and language, and the synthetic-data banner.

        The output carries the running header of the PDF pages (study and agency) in its
        metadata, for :func:`analysis.reporting.export.export_html`.
        """
        study_title = self.study.study.title.get(self.lang)
        facts = [
            (self.text("title_page.study"), study_title),
            (self.text("title_page.agency"), self.agency_name),
            (self.text("title_page.date"), long_date(date.today(), self.lang)),
            (self.text("title_page.language"), self.text(f"languages.{self.lang}")),
        ]
        listed = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
        banner = (
            f'<p class="synthetic-banner"><strong>{_e(self.text("synthetic_banner"))}</strong></p>'
            if self.study.study.synthetic
            else ""
        )
        page = (
            '<section class="title-page">'
            f'<p class="title-kind">{_e(self.text(self.report_kind))}</p>'
            f'<h1 class="report-title">{_e(self.agency_name)}</h1>'
            f'<p class="title-study">{_e(study_title)}</p>'
            f'<dl class="title-facts">{listed}</dl>{banner}</section>'
        )
        header = f"{study_title} — {self.agency_name}"
        return HTML(page, metadata={REPORT_METADATA: {"running_header": header}})

    def contents(self) -> HTML:
        """The table of contents; the HTML export fills it with links to every heading."""
        title = _e(self.text("contents"))
        return HTML(f'<nav class="toc" id="contents"><h2 class="toc-title">{title}</h2></nav>')

    def heading(self, section: str, level: int = 2) -> HTML:
        """A section heading (anchor ``sec-<section>``) with its introduction.

        Parameters
        ----------
        section : str
            Key of ``sections.<section>`` (and of ``intro.<section>``, if it has one) in the
            locale files.
        level : int
            2 for a chapter (it starts a new page in print), 3 for a section within one.
        """
        if level not in (2, 3):
            raise ValueError(f"heading level must be 2 or 3, not {level!r}")
        kind = ' class="chapter"' if level == 2 else ""
        intro = self.intro(section)
        paragraph = f"<p>{_e(intro)}</p>" if intro else ""
        return HTML(
            f'<h{level} id="sec-{_e(section)}"{kind}>{_e(self.text(f"sections.{section}"))}'
            f"</h{level}>{paragraph}"
        )

    def intro(self, section: str) -> str:
        """The introduction of a section ("" when it has none)."""
        if section == "descriptives":
            low, high = self._score_range()
            return self.text(
                "intro.descriptives",
                low=number(low, self.lang, 0),
                high=number(high, self.lang, 0),
            ) + (" " + self.text("intro.weighted") if self.study.weight_column else "")
        return self._optional_text(f"intro.{section}")

    def show(self, analysis: str, table: pd.DataFrame) -> HTML | Markdown:
        """Record ``table`` and return it as a numbered APA table in the report language.

        The tidy table goes to ``results.json`` and to ``tables/<analysis>.csv``; the table as
        shown (groups below :attr:`min_cell` masked when the table declares group counts, see
        :mod:`analysis.reporting.small_cells`) is kept for ``tables.docx``.
        """
        self.log.record(analysis, table)
        self.shown[analysis] = table
        if table.empty:
            return Markdown(f"*{self.text(f'empty.{analysis}')}*")
        artifacts.save_table(table, self.output_dir, analysis, self.min_cell)
        shown = display_table(analysis, table, self.lang, self.labels, self.alpha)
        notes = [self._optional_text(f"table_notes.{analysis}")]
        masked = small_cells.masked_rows(table, self.min_cell)
        if masked.any():
            if analysis not in DISPLAY_COLUMNS:
                raise ValueError(
                    f"{analysis!r} has small cells to mask, but only a table shown column by "
                    "column (display.DISPLAY_COLUMNS) can be masked"
                )
            shown = small_cells.mask_display(
                shown,
                list(DISPLAY_COLUMNS[analysis]),
                masked,
                set(table.attrs.get("keys", ())) | set(table.attrs.get("breakdown", ())),
                table.attrs["group_count"],
                self.min_cell,
            )
            self._record_masking(analysis)
            notes.append(self.text("table_notes.masked", k=self.min_cell))
        return self._apa_table(analysis, shown, " ".join(n for n in notes if n))

    def figure(self, name: str, fig: plt.Figure | None) -> ReportFigure | None:
        """A numbered figure with its caption, saved as ``figures/<name>.png`` and ``.svg``.

        The figure is made print-ready first (:func:`analysis.reporting.figures.print_ready`);
        a one-panel figure's title becomes the caption, other figures take the caption
        ``figure_titles.<name>`` of the locale files. None (a figure function with nothing to
        draw) gives None, and no number.
        """
        if fig is None:
            return None
        title = print_ready(fig, self.lang) or self.text(f"figure_titles.{name}")
        files = artifacts.save_figure(fig, self.output_dir, name)
        self.figure_count += 1
        return ReportFigure(
            self.text("figure_label", n=self.figure_count),
            title,
            files["png"].read_bytes(),
            round(fig.get_size_inches()[0] * 96),
        )

    def figures(self, name: str, figs: dict[str, plt.Figure]) -> None:
        """Show several numbered figures of one kind (:meth:`figure` each), saved as
        ``figures/<name>-<key>.png`` and ``.svg`` (the key as a slug,
        :func:`analysis.config.models.option_slug`: ``H1`` -> ``h1``)."""
        for key, fig in figs.items():
            display(self.figure(f"{name}-{option_slug(key)}", fig))

    def summary(self, verdicts: pd.DataFrame, flow: pd.DataFrame) -> HTML:
        """The executive summary: who was analysed, then a verdict table per hypothesis.

        Parameters
        ----------
        verdicts : DataFrame
            The verdict table (:func:`analysis.reporting.hypotheses.run_hypotheses`), which
            the report records under ``hypothesis``.
        flow : DataFrame
            The sample flow (:func:`analysis.cleaning.accounting.sample_flow`), which the
            report records under ``sample_flow``.
        """
        counts = flow.groupby("step")["n"].sum()
        sample = self.text(
            "summary.sample",
            agency=self.agency_name,
            n=number(counts.get("analysed", 0), self.lang, 0),
            received=number(counts.get("received", 0), self.lang, 0),
        )
        parts = [f"<p>{_e(sample)}</p>"]
        if verdicts.empty:
            parts.append(f"<p>{_e(self.text('empty.hypothesis'))}</p>")
            return HTML("".join(parts))
        declared = {h.id: h for h in self.study.hypotheses}
        listed = "".join(
            "<li>"
            + _e(
                self.text(
                    "summary.item",
                    id=row.hypothesis,
                    decision=t(self.lang, f"decisions.{row.decision}"),
                    statement=declared[row.hypothesis].statement.get(self.lang),
                )
            )
            + "</li>"
            for row in verdicts.itertuples()
        )
        parts.append(f"<p>{_e(self.text('summary.verdicts'))}</p><ul>{listed}</ul>")
        parts.append(self._apa_table("summary", self._verdict_summary(verdicts)).data)
        parts.append(f"<p>{_e(self.text('summary.reading'))}</p>")
        return HTML("".join(parts))

    def sources(self) -> HTML:
        """The data sources: the survey files and this agency's social media exports."""
        lines = [
            self.text(
                "sources.survey",
                file=self.study.relative(self.study.resolve(s.path)),
                format=s.format,
            )
            for s in self.study.survey
        ]
        exports = [
            self.text(
                "sources.engagement",
                platform=t(self.lang, f"platforms.{f.source.platform}"),
                file=self.study.relative(f.path),
                format=f.source.format,
            )
            for f in self.study.engagement_files(self.agency_id)
            if f.path.exists()
        ]
        if self.study.engagement and not exports:
            exports = [self.text("sources.no_engagement")]
        items = "".join(f"<li>{_e(line)}</li>" for line in lines + exports)
        return HTML(f'<ul class="sources">{items}</ul>')

    def flow_diagram(self, flow: pd.DataFrame) -> HTML:
        """The sample flow as a numbered CONSORT-style diagram.

        The main column holds the rows received and the respondents analysed; beside it, each
        reason that excluded someone and each screening flag that marked analysed respondents,
        with its count. The numbers are those of the flow table, which the report records and
        shows with :meth:`show`.
        """
        boxes = [
            self._flow_box(flow, "received"),
            "<div></div>",
            '<div class="flow-line"></div>',
            self._flow_box(flow, "excluded"),
            self._flow_box(flow, "analysed"),
            self._flow_box(flow, "flagged"),
        ]
        self.figure_count += 1
        caption = _caption(
            self.text("figure_label", n=self.figure_count), self.text("figure_titles.sample_flow")
        )
        return HTML(
            f'<figure class="report-figure">{caption}<div class="flow">{"".join(boxes)}</div>'
            "</figure>"
        )

    def models(self) -> HTML:
        """One row per hypothesis: its model, outcome, predictors, other variables and level."""
        if not self.study.hypotheses:
            return HTML(f"<p>{_e(self.text('empty.hypothesis'))}</p>")

        post_labels = self.labels | texts(self.lang).get("post_variables", {})

        def names(variables, level: str) -> str:
            labels = post_labels if level == "post" else self.labels
            return ", ".join(term_label(v, labels) for v in variables) or "–"

        rows = [
            {
                "hypothesis": h.id,
                "family": t(self.lang, f"families.{h.family}"),
                "outcome": names([h.outcome], h.level),
                "predictors": names(h.predictors, h.level),
                "others": names([*h.mediators, *filter(None, [h.moderator]), *h.controls], h.level),
                "level": self.text(f"models.level_{h.level}"),
            }
            for h in self.study.hypotheses
        ]
        table = pd.DataFrame(rows)
        table.columns = [self.text(f"models.{c}") for c in table.columns]
        return self._apa_table("models", table, words=True)

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
        """How the data were cleaned and analysed: models, level, missing data, weights."""
        parts = [
            self.text("methods", alpha=significance(self.alpha, self.lang)),
            self.text("weights_used" if self.study.weight_column else "weights_none"),
        ]
        return Markdown("\n\n".join(parts))

    def limitations(self) -> HTML:
        """Limitations drawn from this report's results, then those of the design.

        Reads the tables the report recorded: a sample below :attr:`small_n`, hypotheses that
        could not be tested, failed assumption checks, constructs below the reliability or
        validity criteria, a poorly fitting measurement model, masked small cells, and (when
        the study compares agencies) the ecological-inference caveat. Call it after the
        sections whose tables it reads.
        """
        items = [
            *self._sample_limits(),
            *self._untested_limits(),
            *self._short_series_limits(),
            *self._assumption_limits(),
            *self._measurement_limits(),
        ]
        agency_level = [h.id for h in self.study.hypotheses if h.level == "agency"]
        if agency_level:
            items.append(self.text("limits.ecological", ids=", ".join(agency_level)))
        if self.masked:
            labels = {a.title: a.label for a in self.apa_tables}
            names = ", ".join(labels.get(self._table_title(a), a) for a in self.masked)
            items.append(self.text("limits.small_cells", k=self.min_cell, tables=names))
        listed = "".join(f"<li>{_e(item)}</li>" for item in items)
        found = (
            f"<p>{_e(self.text('limits.found'))}</p><ul>{listed}</ul>"
            if items
            else f"<p>{_e(self.text('limits.none_found'))}</p>"
        )
        return HTML(f"{found}<p>{_e(self.text('limitations'))}</p>")

    def codebook(self) -> HTML:
        """The appendix codebook: every item with its construct, wording and answer scale,
        then the demographic questions."""
        rows = [
            {
                "variable": construct.label.get(self.lang),
                "code": item.id,
                "wording": item.column,
                "answers": self._answer_range(construct.scale),
                "reverse": self.text("answer_yes" if item.reverse else "answer_no"),
            }
            for construct, item in self.study.items()
        ]
        rows += [
            {
                "variable": self.labels.get(d.id, d.id),
                "code": d.id,
                "wording": d.column,
                "answers": self.text(f"codebook.type_{d.type}"),
                "reverse": "–",
            }
            for d in self.study.demographics
        ]
        table = pd.DataFrame(rows)
        table.columns = [self.text(f"codebook.{c}") for c in table.columns]
        return self._apa_table("codebook", table, self.text("table_notes.codebook"), words=True)

    def provenance(self) -> HTML:
        """The provenance table (hashes, versions, commit, seed, parameters)."""
        table = provenance_table(self.study, self.parameters, self.lang)
        return HTML(table.to_html(index=False, classes="report-table provenance", border=0))

    def finish(self) -> Path:
        """Write ``results.json`` and ``tables.docx`` (every APA table) to the output folder.

        Returns
        -------
        Path
            ``results.json``.
        """
        if self.apa_tables:
            write_tables_docx(
                self.apa_tables,
                self.output_dir / "tables.docx",
                lang=self.lang,
                title=f"{self.study.study.title.get(self.lang)} — {self.agency_name}",
            )
        return self.log.write(self.output_dir / "results.json")

    def _score_range(self) -> tuple[float, float]:
        ranges = [self.study.score_range(c.id) for c in self.study.constructs]
        return min(r[0] for r in ranges), max(r[1] for r in ranges)

    def _optional_text(self, key: str) -> str:
        try:
            return self.text(key)
        except KeyError:
            return ""

    def _table_title(self, analysis: str) -> str:
        return self._optional_text(f"tables.{analysis}") or analysis.replace("_", " ")

    def _apa_table(
        self, analysis: str, shown: pd.DataFrame, note: str = "", *, words: bool = False
    ) -> HTML:
        """Number a displayed table, keep it for ``tables.docx`` and return its HTML.

        ``words``: a table of words rather than numbers (left-aligned throughout).
        """
        apa = ApaTable(
            label=self.text("table_label", n=len(self.apa_tables) + 1),
            title=self._table_title(analysis),
            table=shown,
            note=note,
            note_lead=self.text("note_lead"),
        )
        self.apa_tables.append(apa)
        classes = "report-table text-table" if words else "report-table"
        body = shown.to_html(index=False, classes=classes, border=0, escape=True)
        note_html = (
            f'<p class="table-note"><em>{_e(apa.note_lead)}</em> {_e(note)}</p>' if note else ""
        )
        return HTML(
            f'<div class="apa-table"><p class="table-label"><strong>{_e(apa.label)}</strong></p>'
            f'<p class="table-title"><em>{_e(apa.title)}</em></p>{body}{note_html}</div>'
        )

    def _record_masking(self, analysis: str) -> None:
        """Record k for each analysis with masked cells, so that ``< k`` is a recorded number."""
        if analysis not in self.masked:
            self.masked.append(analysis)
        table = pd.DataFrame({"analysis": self.masked, "min_cell": self.min_cell})
        table.attrs.update(keys=("analysis",), estimate="min_cell")
        self.log.record("small_cells", table)

    def _answer_range(self, scale: str) -> str:
        """``Sangat Tidak Setuju … Sangat Setuju``: a scale's lowest and highest answers."""
        labels = self.study.scale(scale).labels
        return f"{labels[0]} … {labels[-1]}"

    def _flow_box(self, flow: pd.DataFrame, step: str) -> str:
        rows = flow[flow["step"] == step]
        name = _e(t(self.lang, f"steps.{step}"))
        if step in ("received", "analysed"):
            main = " flow-final" if step == "analysed" else ""
            total = number(rows["n"].sum(), self.lang, 0)
            return f'<div class="flow-box{main}"><strong>{name}</strong><br>n = {total}</div>'
        rows = rows[rows["n"] > 0]
        if rows.empty:
            return "<div></div>"
        lines = "".join(
            f"<li>{_e(t(self.lang, f'reasons.{r.reason}'))}: {number(r.n, self.lang, 0)}</li>"
            for r in rows.itertuples()
        )
        return f'<div class="flow-box flow-side"><strong>{name}</strong><ul>{lines}</ul></div>'

    def _verdict_summary(self, verdicts: pd.DataFrame) -> pd.DataFrame:
        """The summary's verdict table: model, estimate with interval, p and decision.

        The statements are listed above the table: config text is not a result, so a table
        of results holds none.
        """
        separator = "; " if self.lang == "id" else ", "
        rows = []
        for row in verdicts.itertuples():
            estimate = "–"
            if row.estimate == row.estimate:
                estimate = number(row.estimate, self.lang)
                if row.ci_low == row.ci_low:
                    low, high = number(row.ci_low, self.lang), number(row.ci_high, self.lang)
                    # no-break spaces: an estimate and its interval stay on one line
                    estimate += f"\u00a0[{low}{separator.strip()}\u00a0{high}]"
            shown_p = "–"
            if row.p_value == row.p_value:
                shown_p = p_value(row.p_value, self.lang, self.alpha).removeprefix("=\u00a0")
            rows.append(
                {
                    "hypothesis": row.hypothesis,
                    "family": t(self.lang, f"families.{row.family}"),
                    "estimate": estimate,
                    "p_value": shown_p,
                    "decision": t(self.lang, f"decisions.{row.decision}"),
                }
            )
        table = pd.DataFrame(rows)
        table.columns = [self.text(f"summary.columns.{c}") for c in table.columns]
        return table

    def _sample_limits(self) -> list[str]:
        flow = self.shown.get("sample_flow")
        if flow is None:
            return []
        analysed = int(flow.loc[flow["step"] == "analysed", "n"].sum())
        if analysed >= self.small_n:
            return []
        n = number(analysed, self.lang, 0)
        return [self.text("limits.small_n", n=n, threshold=number(self.small_n, self.lang, 0))]

    def _untested_limits(self) -> list[str]:
        verdicts = self.shown.get("hypothesis")
        if verdicts is None or verdicts.empty:
            return []
        return [
            self.text(
                "limits.not_tested",
                id=row.hypothesis,
                reason=t(self.lang, f"untestable.{row.label}"),
            )
            for row in verdicts.itertuples()
            if row.decision == "not_tested" and row.label != "agency_level"
        ]

    def _short_series_limits(self) -> list[str]:
        """Interrupted time series over fewer than :data:`SHORT_SERIES_WEEKS` weeks, whose
        tests reject a true "no change" more often than their level (``bench/its_coverage.py``;
        :data:`SHORT_SERIES_FALSE_POSITIVES`)."""
        verdicts = self.shown.get("hypothesis")
        if verdicts is None or verdicts.empty:
            return []
        short = verdicts[
            (verdicts["family"] == "its")
            & (verdicts["decision"] != "not_tested")
            & (verdicts["n"] < SHORT_SERIES_WEEKS)
        ]
        return [
            self.text(
                "limits.short_series",
                id=row.hypothesis,
                weeks=number(row.n, self.lang, 0),
                threshold=SHORT_SERIES_WEEKS,
                rate=number(100 * SHORT_SERIES_FALSE_POSITIVES, self.lang, 0),
            )
            for row in short.itertuples()
        ]

    def _assumption_limits(self) -> list[str]:
        checks = self.shown.get("assumptions")
        if checks is None or checks.empty:
            return []
        found = []
        for row in checks[~checks["passed"].astype(bool)].itertuples():
            if row.p_value == row.p_value:
                value = f"p {p_value(row.p_value, self.lang, self.alpha)}"
            else:
                value = f"{self.text('limits.value')} = {number(row.statistic, self.lang)}"
            found.append(
                self.text(
                    "limits.assumption",
                    id=row.hypothesis,
                    check=t(self.lang, f"checks.{row.check}"),
                    value=value,
                    action=t(self.lang, f"actions.{row.action}"),
                )
            )
        return found

    def _measurement_limits(self) -> list[str]:
        found = []
        reliability = self.shown.get("reliability")
        if reliability is not None and not reliability.empty:
            found += [
                self.text(
                    "limits.unreliable",
                    construct=self.labels.get(row.construct, row.construct),
                    alpha=number(row.alpha, self.lang),
                )
                for row in reliability[reliability["reliable"].eq(False)].itertuples()
            ]
        fit = self.shown.get("measurement_fit")
        if fit is not None and not fit.empty and not bool(fit.iloc[0]["good_fit"]):
            row = fit.iloc[0]
            found.append(
                self.text(
                    "limits.poor_fit",
                    cfi=number(row["cfi"], self.lang),
                    rmsea=number(row["rmsea"], self.lang, 3),
                    srmr=number(row["srmr"], self.lang),
                )
            )
        validity = self.shown.get("construct_validity")
        if validity is not None and not validity.empty:
            failing = validity.loc[validity["discriminant"].eq(False), "construct"]
            if len(failing):
                names = ", ".join(self.labels.get(c, c) for c in failing)
                found.append(self.text("limits.discriminant", constructs=names))
        return found


#: Weeks below which an interrupted time series is flagged as short in the limitations.
SHORT_SERIES_WEEKS = 52
#: Share of 26-week series without any change whose level change the default test (AR(1)
#: errors) finds at p < .05: ``bench/its_coverage.py --lengths 26``, 1,000 seeded series each:
#: 0.095 with AR(1) errors of rho 0.4 (the figure cited), 0.072 independent, 0.076 Poisson
#: counts; 0.088 / 0.062 / 0.061 at 52 weeks.
SHORT_SERIES_FALSE_POSITIVES = 0.095


@dataclass
class ReportFigure:
    """A numbered figure as a report shows it: number and title above the image (APA).

    In a notebook it displays as HTML (a ``<figure>`` with the caption and the PNG), with the
    plain PNG beside it for viewers without HTML, and the caption as its plain text. Its
    ``repr`` leaves out the image: IPython would otherwise store the PNG's bytes, escaped, as
    the output's plain text (2.6 MB of a report notebook's 5.7 MB, sent, stored and written
    for nothing).
    """

    label: str
    title: str
    png: bytes = field(repr=False)
    width: int

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        encoded = base64.b64encode(self.png).decode("ascii")
        image = (
            f'<img src="data:image/png;base64,{encoded}" alt="{_e(self.title)}" '
            f'width="{self.width}">'
        )
        caption = _caption(self.label, self.title)
        return {
            "text/html": f'<figure class="report-figure">{caption}{image}</figure>',
            "image/png": encoded,
            "text/plain": f"{self.label}. {self.title}",
        }


def long_date(day: date, lang: str) -> str:
    """A date written out in the report language: ``1 Desember 2026`` / ``1 December 2026``."""
    months = t(lang, "months").split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def whole_number(value: int | str, name: str, minimum: int) -> int:
    """A whole-number parameter given as a number or as text (``"5"``), at least ``minimum``.

    Raises
    ------
    InputError
        When ``value`` is not a whole number of at least ``minimum``; the message names it.
    """
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < minimum:
        raise InputError(
            f"{name} must be a whole number of respondents, at least {minimum}, not {value!r}"
        )
    return int(text)


def _caption(label: str, title: str) -> str:
    return (
        f'<figcaption><span class="figure-label"><strong>{_e(label)}</strong></span>'
        f'<span class="figure-title"><em>{_e(title)}</em></span></figcaption>'
    )


def _e(text) -> str:
    """``text`` escaped for HTML: config texts are shown as text, never as markup."""
    return html.escape(str(text), quote=True)


def open_report(
    config: str,
    agency: str,
    lang: str = "id",
    processed_dir: str = "",
    output_dir: str = "",
    *,
    min_cell: int | str = "",
    small_n: int | str = "",
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
    min_cell : int or str
        Small-cell protection: groups of fewer respondents are shown as ``< min_cell`` (1
        shows every group). Notebook parameters are text, so ``"5"`` is read as 5; ``""``
        takes the study config's ``reporting.min_cell`` (default 5).
    small_n : int or str
        Analysed respondents below which the limitations name the small sample; ``""`` takes
        the config's ``reporting.small_n`` (default 100).

    Returns
    -------
    ReportContext

    Raises
    ------
    InputError
        For an agency without analysed respondents, or a ``min_cell`` or ``small_n`` that is
        not a whole number (at least 1 and 0).
    """
    study = load_study(config)
    min_cell = whole_number(study.reporting.min_cell if min_cell == "" else min_cell, "min_cell", 1)
    small_n = whole_number(study.reporting.small_n if small_n == "" else small_n, "small_n", 0)
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
    comments = (
        processed.read_partition(data_dir, "comments", agency)
        if any(source.comments for source in study.engagement)
        else tables.empty_table(tables.COMMENTS)
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
        parameters={
            "config": Path(config).name,
            "agency": agency,
            "lang": lang,
            "min_cell": min_cell,
            "small_n": small_n,
        },
        log=ResultLog(agency=agency),
        min_cell=min_cell,
        small_n=small_n,
        comments=comments,
    )

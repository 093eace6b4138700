"""Publication-grade agency reports: title page, contents, APA tables and figures, files beside
the report (PNG/SVG, CSV, Word), small-cell protection, limitations from the results, and an A4
PDF with page numbers, running header and working contents links.

The end-to-end tests render one demo agency report per language as a batch does (papermill,
HTML export, PDF); the others work on one agency's data in-process.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from docx import Document
from docx.oxml.ns import qn
from PIL import Image

from analysis import stats
from analysis.errors import InputError
from analysis.pipeline.report import run_report
from analysis.reporting import figures, small_cells
from analysis.reporting.artifacts import save_figure, save_table
from analysis.reporting.browser import find_chromium
from analysis.reporting.context import (
    SHORT_SERIES_FALSE_POSITIVES,
    long_date,
    open_report,
    whole_number,
)
from analysis.reporting.export import fill_contents, print_options
from analysis.reporting.i18n import number, t
from analysis.reporting.results import read_results
from analysis.reporting.word import ApaTable, read_docx_tables, write_tables_docx

AGENCY = "rsud-wanasari"  # has exclusions of several kinds and one flagged respondent
requires_pdf_tools = pytest.mark.skipif(
    find_chromium() is None or shutil.which("pdfinfo") is None,
    reason="needs Chromium (apt-get install chromium) and poppler-utils (pdfinfo, pdftotext)",
)


@pytest.fixture(scope="module", params=["id", "en"])
def rendered(request, demo_project, tmp_path_factory) -> dict:
    """One demo agency report rendered by the pipeline, in Indonesian and in English."""
    lang = request.param
    out = tmp_path_factory.mktemp(f"reports-{lang}")
    outcome = run_report(demo_project / "config" / "demo.yml", AGENCY, lang, output_dir=out)
    assert outcome.status in ("ok", "no_pdf"), outcome.error
    folder = Path(outcome.folder)
    page = (folder / "report.html").read_text(encoding="utf-8")
    return {
        "lang": lang,
        "folder": folder,
        "soup": BeautifulSoup(page, "html.parser"),
        "results": read_results(folder / "results.json"),
        "pdf": folder / "report.pdf",
    }


def _text(node) -> str:
    return " ".join(node.get_text(" ").replace("\u00a0", " ").split())


def _pdf_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    run = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True)
    return " ".join(run.stdout.replace("\u00a0", " ").split())


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


# --- the rendered report ---------------------------------------------------------------------


@pytest.mark.notebook
class TestRenderedReport:
    def test_title_page_names_study_agency_date_and_language(self, rendered, demo_study):
        lang, soup = rendered["lang"], rendered["soup"]
        title = soup.find("section", class_="title-page")
        text = _text(title)
        assert t(lang, "title_page.kind") in text and t(lang, "title_page.study_kind") not in text
        assert demo_study.agency(AGENCY).name in text
        assert demo_study.study.title.get(lang) in text
        assert long_date(date.today(), lang) in text
        assert t(lang, f"languages.{lang}") in text
        assert t(lang, "synthetic_banner") in text

    def test_every_chapter_is_in_the_contents_and_every_link_resolves(self, rendered):
        soup = rendered["soup"]
        links = [a["href"] for a in soup.find("nav", id="contents").find_all("a")]
        headings = [h["id"] for h in soup.find_all(["h2", "h3"], id=re.compile("^sec-"))]
        assert [link.removeprefix("#") for link in links] == headings
        assert all(soup.find(id=link.removeprefix("#")) for link in links)
        for section in ("summary", "sources", "sample", "limitations", "codebook", "provenance"):
            assert f"sec-{section}" in headings

    def test_summary_has_one_verdict_row_per_hypothesis_from_the_recorded_table(
        self, rendered, demo_study
    ):
        lang, soup, results = rendered["lang"], rendered["soup"], rendered["results"]
        table = soup.find(id="sec-summary").find_next("table")
        rows = [[_text(td) for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
        verdicts = results[
            (results["analysis"] == "hypothesis") & (results["measure"] == "estimate")
        ]
        assert [r[0] for r in rows] == [h.id for h in demo_study.hypotheses]
        for row, verdict in zip(rows, verdicts.itertuples(), strict=True):
            assert row[-1] == t(lang, f"decisions.{verdict.decision}")
            if verdict.estimate == verdict.estimate:
                assert row[2].startswith(number(verdict.estimate, lang))

    def test_tables_and_figures_are_numbered_with_captions_above(self, rendered):
        lang, soup = rendered["lang"], rendered["soup"]
        labels = [_text(p) for p in soup.find_all("p", class_="table-label")]
        assert labels == [t(lang, "table_label", n=i) for i in range(1, len(labels) + 1)]
        captions = [_text(s) for s in soup.find_all("span", class_="figure-label")]
        assert captions == [t(lang, "figure_label", n=i) for i in range(1, len(captions) + 1)]
        assert len(labels) >= 15 and len(captions) >= 4
        for figure in soup.find_all("figure", class_="report-figure"):
            assert figure.contents[0].name == "figcaption"  # APA: number and title above

    def test_flow_diagram_shows_the_recorded_counts(self, rendered):
        lang, soup, results = rendered["lang"], rendered["soup"], rendered["results"]
        flow = results[results["analysis"] == "sample_flow"]
        diagram = _text(soup.find("div", class_="flow"))
        for step in ("received", "analysed"):
            n = flow.loc[flow["term"] == step, "estimate"].iloc[0]
            assert f"{t(lang, f'steps.{step}')} n = {number(n, lang, 0)}" in diagram
        for row in flow[(flow["term"].str.contains(":")) & (flow["estimate"] > 0)].itertuples():
            reason = row.term.split(":")[1]
            assert f"{t(lang, f'reasons.{reason}')}: {number(row.estimate, lang, 0)}" in diagram
        # the one respondent flagged by the Mahalanobis rule is shown beside "analysed"
        assert f"{t(lang, 'reasons.careless')}: 1" in diagram

    def test_each_figure_is_saved_as_png_and_svg(self, rendered):
        folder, soup = rendered["folder"], rendered["soup"]
        shown = [img for img in soup.find_all("img") if img.find_parent("figure")]
        pngs = sorted((folder / "figures").glob("*.png"))
        assert len(pngs) == len(shown) >= 4
        for png in pngs:
            assert Image.open(png).size[0] > 800  # 200 dpi
            svg = png.with_suffix(".svg")
            assert ET.parse(svg).getroot().tag.endswith("svg")

    def test_figure_outputs_carry_their_caption_as_plain_text_not_the_image_bytes(self, rendered):
        lang, notebook = (
            rendered["lang"],
            json.loads((rendered["folder"] / "report.ipynb").read_text(encoding="utf-8")),
        )
        figures_shown = [
            output["data"]
            for cell in notebook["cells"]
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
        ]
        assert len(figures_shown) >= 4
        label = re.escape(t(lang, "figure_label", n=0)).replace("0", r"\d+")
        for data in figures_shown:
            plain = "".join(data["text/plain"])
            assert re.match(rf"{label}\. \S", plain), plain[:80]
            assert len(plain) < 300 and "PNG" not in plain

    def test_each_shown_table_is_saved_as_csv_with_the_recorded_values(self, rendered):
        folder, results = rendered["folder"], rendered["results"]
        csvs = {p.stem for p in (folder / "tables").glob("*.csv")}
        shown = set(results["analysis"]) - {"small_cells"}
        assert csvs == shown
        descriptives = pd.read_csv(folder / "tables" / "descriptives.csv")
        recorded = results[(results["analysis"] == "descriptives") & (results["measure"] == "mean")]
        assert descriptives["mean"].tolist() == recorded["estimate"].tolist()

    def test_word_file_holds_every_table_with_the_numbers_of_the_html(self, rendered):
        soup, folder = rendered["soup"], rendered["folder"]
        html_tables = [div.find("table") for div in soup.find_all("div", class_="apa-table")]
        docx_tables = read_docx_tables(folder / "tables.docx")
        assert len(docx_tables) == len(html_tables)
        for shown, written in zip(html_tables, docx_tables, strict=True):
            header = [_text(th) for th in shown.thead.find_all("th")]
            cells = [[_text(td) for td in tr.find_all("td")] for tr in shown.tbody.find_all("tr")]
            assert [" ".join(c.split()) for c in written.columns] == header
            assert [
                [" ".join(c.replace("\u00a0", " ").split()) for c in r]
                for r in written.values.tolist()
            ] == cells

    def test_word_tables_are_apa_in_the_report_language(self, rendered):
        lang = rendered["lang"]
        document = Document(str(rendered["folder"] / "tables.docx"))
        label, title = document.paragraphs[1], document.paragraphs[2]
        assert label.text == t(lang, "table_label", n=1) and label.runs[0].bold
        assert title.text == t(lang, "tables.summary") and title.runs[0].italic
        borders = document.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
        kinds = {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
        # APA: rules above and below the table, none between columns or rows
        assert kinds == {
            "top": "single",
            "bottom": "single",
            "left": "nil",
            "right": "nil",
            "insideH": "nil",
            "insideV": "nil",
        }
        assert document.core_properties.language == {"id": "id-ID", "en": "en-US"}[lang]

    def test_limitations_and_appendix_are_written(self, rendered, demo_study):
        soup = rendered["soup"]
        limitations = soup.find(id="sec-limitations").find_parent(class_="jp-Cell")
        assert t(rendered["lang"], "limitations")[:60] in _text(limitations.find_next_sibling())
        codebook = soup.find(id="sec-codebook").find_next("table")
        codes = [_text(tr.find_all("td")[1]) for tr in codebook.tbody.find_all("tr")]
        assert codes == [i.id for _, i in demo_study.items()] + [
            d.id for d in demo_study.demographics
        ]


@pytest.mark.notebook
@pytest.mark.browser
@requires_pdf_tools
class TestRenderedPdf:
    def test_every_page_is_a4_and_numbered_x_of_y_under_a_running_header(
        self, rendered, demo_study
    ):
        pdf, lang = rendered["pdf"], rendered["lang"]
        pages = _pdf_pages(pdf)
        assert pages >= 10
        sizes = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True
        ).stdout
        found = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sizes)
        assert len(found) == pages
        assert all(abs(float(w) - 595) <= 1 and abs(float(h) - 842) <= 1 for w, h in found)
        header = demo_study.study.title.get(lang)[:40]
        for page in range(1, pages + 1):
            text = _pdf_text(pdf, page)
            expected = t(lang, "pdf.page_of", page=page, total=pages)
            assert expected in text, (page, text[-80:])
            assert header in text

    def test_contents_links_lead_to_the_pages_of_their_headings(self, rendered):
        pdf, soup = rendered["pdf"], rendered["soup"]
        dests = subprocess.run(
            ["pdfinfo", "-dests", str(pdf)], capture_output=True, text=True
        ).stdout
        pages = {
            name: int(page)
            for page, name in re.findall(r"^\s*(\d+)\s+\[.*?\]\s+\"([^\"]+)\"", dests, re.M)
        }
        anchors = [a["href"][1:] for a in soup.find("nav", id="contents").find_all("a")]
        assert set(anchors) <= set(pages)
        in_order = [pages[a] for a in anchors]
        assert in_order == sorted(in_order) and in_order[0] == 3  # title page, contents, summary
        for anchor in ("sec-summary", "sec-limitations", "sec-provenance"):
            heading = _text(soup.find(id=anchor))
            assert heading in _pdf_text(pdf, pages[anchor])
        # the contents page links to those destinations
        links = subprocess.run(
            ["pdftohtml", "-xml", "-stdout", "-i", "-f", "2", "-l", "2", str(pdf)],
            capture_output=True,
            text=True,
        ).stdout
        targets = [int(p) for p in re.findall(r'<a href="[^"#]*#(\d+)"', links)]
        assert targets == in_order

    def test_no_figure_or_short_table_is_split_over_two_pages(self, rendered):
        # each short table's label and every word of its last row are on the same page, and
        # each figure's caption is on a page with an image (pdfimages lists them by page)
        pdf, soup = rendered["pdf"], rendered["soup"]
        pages = [_pdf_text(pdf, page) for page in range(1, _pdf_pages(pdf) + 1)]

        def page_of(label: str) -> int:
            holding = [i for i, p in enumerate(pages, 1) if re.search(rf"{label}(?!\d)", p)]
            assert len(holding) == 1, label
            return holding[0]

        for div in soup.find_all("div", class_="apa-table"):
            rows = div.find("tbody").find_all("tr")
            if len(rows) >= 15:
                continue  # long tables may run over pages, with their header repeated
            page = page_of(_text(div.find("p", class_="table-label")))
            words = set(pages[page - 1].split())  # pdftotext may reorder a wrapped cell's lines
            for cell in rows[-1].find_all("td"):
                assert set(_text(cell).split()) <= words, (page, _text(cell))
        images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
        with_images = {int(line.split()[0]) for line in images.stdout.splitlines()[2:]}
        for figure in soup.find_all("figure", class_="report-figure"):
            if figure.find("img"):
                assert page_of(_text(figure.find("span", class_="figure-label"))) in with_images


# --- small cells -----------------------------------------------------------------------------


def _with_groups(counts: dict[str, int], breakdown: str | None = None) -> pd.DataFrame:
    table = pd.DataFrame({"group": list(counts), "n": list(counts.values())})
    table["mean"] = np.linspace(3.0, 4.0, len(table))
    table.attrs.update(keys=("group",), group_count="n")
    if breakdown:
        table[breakdown] = ["a"] * 3 + ["b"] * (len(table) - 3)
        table.attrs["breakdown"] = (breakdown,)
    return table


class TestSmallCells:
    def test_groups_below_k_are_masked_and_the_next_smallest_with_a_single_one(self):
        # hand-worked: k = 5; 3 < 5 is masked; alone in its breakdown it could be recovered
        # from the total, so the next smallest group (12) is masked too; 0 describes nobody
        table = _with_groups({"a": 40, "b": 3, "c": 12, "d": 0, "e": 25})
        assert small_cells.masked_rows(table, 5).tolist() == [False, True, True, False, False]
        both_small = _with_groups({"a": 40, "b": 3, "c": 4, "d": 25})
        assert small_cells.masked_rows(both_small, 5).tolist() == [False, True, True, False]
        assert not small_cells.masked_rows(table, 1).any()

    def test_complementary_masking_stays_within_each_breakdown(self):
        table = _with_groups({"a": 2, "b": 30, "c": 50, "d": 7, "e": 8}, breakdown="question")
        # question a: 2 masked, then its next smallest (30); question b: 7 and 8 both shown
        assert small_cells.masked_rows(table, 5).tolist() == [True, True, False, False, False]

    def test_tables_without_group_counts_are_never_masked(self):
        table = pd.DataFrame({"construct": ["x"], "n": [2]})
        assert not small_cells.masked_rows(table, 5).any()
        assert small_cells.mask_tidy(table, 5) is table

    def test_bad_declarations_and_k_are_clear_errors(self):
        table = _with_groups({"a": 2, "b": 9})
        table.attrs["group_count"] = "count"
        with pytest.raises(InputError, match=r"lacks the columns.*count"):
            small_cells.masked_rows(table, 5)
        for bad in (0, -3, 2.5, True, "five", "5.5", ""):
            with pytest.raises(InputError, match="min_cell must be a whole number"):
                whole_number(bad, "min_cell", 1)
        assert whole_number("5", "min_cell", 1) == 5 == whole_number(5, "min_cell", 1)

    def test_csv_keeps_the_group_name_and_hides_its_values(self, tmp_path):
        table = _with_groups({"a": 40, "b": 3, "c": 12})
        written = pd.read_csv(save_table(table, tmp_path, "groups", min_cell=5), dtype=str)
        assert written["group"].tolist() == ["a", "b", "c"]
        assert written["n"].tolist() == ["40", "<5", "<5"]
        assert written["mean"].isna().tolist() == [False, True, True]

    @pytest.mark.parametrize("lang", ["id", "en"])
    def test_a_report_masks_small_groups_everywhere_it_publishes_them(
        self, demo_project, tmp_path, lang
    ):
        config = demo_project / "config" / "demo.yml"
        report = open_report(str(config), AGENCY, lang, output_dir=str(tmp_path))
        scores = report.scores.copy()
        scores.loc[scores.index[:3], "gender"] = "lainnya"  # a planted group of three
        groups = [
            stats.describe(part, ["trust"]).assign(construct=str(name))
            for name, part in scores.groupby("gender")
        ]
        table = pd.concat(groups, ignore_index=True).drop(columns="variable")
        table.attrs.update(keys=("construct",), estimate="mean", group_count="n")
        counts = dict(zip(table["construct"], table["n"], strict=True))
        assert counts["lainnya"] == 3 and len(counts) == 3

        shown = BeautifulSoup(report.show("descriptives", table).data, "html.parser")
        rows = {
            r.find("td").get_text(): [_text(td) for td in r.find_all("td")]
            for r in shown.tbody.find_all("tr")
        }
        smallest_other = min((n, g) for g, n in counts.items() if g != "lainnya")[1]
        for group in ("lainnya", smallest_other):
            assert rows[group][1] == "< 5" and set(rows[group][2:]) == {"–"}
        largest = max(counts, key=counts.get)
        assert rows[largest][1] == number(counts[largest], lang, 0)
        assert t(lang, "table_notes.masked", k=5) in _text(shown)

        report.finish()
        written = read_docx_tables(tmp_path / "tables.docx")[-1]
        assert written.iloc[:, 1].tolist().count("<\u00a05") == 2
        csv = pd.read_csv(tmp_path / "tables" / "descriptives.csv", dtype=str)
        assert sorted(csv["n"].tolist()).count("<5") == 2
        results = read_results(tmp_path / "results.json")
        # results.json, the internal record, keeps the counts and records k
        recorded = results[(results["analysis"] == "descriptives") & (results["measure"] == "mean")]
        assert sorted(recorded["n"]) == sorted(counts.values())
        rule = results[results["analysis"] == "small_cells"]
        assert rule["estimate"].tolist() == [5] and rule["term"].tolist() == ["descriptives"]
        limits = _text(BeautifulSoup(report.limitations().data, "html.parser"))
        assert t(lang, "limits.small_cells", k=5, tables=t(lang, "table_label", n=1)) in limits


# --- limitations from the results ------------------------------------------------------------


def test_limitations_are_drawn_from_the_recorded_tables(demo_project, tmp_path):
    report = open_report(
        str(demo_project / "config" / "demo.yml"),
        AGENCY,
        "en",
        output_dir=str(tmp_path),
        small_n=1000,
    )
    report.shown["sample_flow"] = pd.DataFrame(
        {"step": ["received", "analysed"], "reason": ["", ""], "n": [320, 286]}
    )
    report.shown["hypothesis"] = pd.DataFrame(
        {
            "hypothesis": ["H1", "H2", "H9", "H10"],
            "family": ["ols", "ols", "its", "its"],
            "n": [286, 3, 25, 60],
            "decision": ["supported", "not_tested", "supported", "not_supported"],
            "label": [None, "too_few_rows", None, None],
        }
    )
    report.shown["assumptions"] = pd.DataFrame(
        {
            "hypothesis": ["H1", "H1", "H1"],
            "check": [
                "heteroskedasticity_breusch_pagan",
                "multicollinearity_vif_max",
                "normality_lilliefors",
            ],
            "statistic": [9.1, 12.5, 0.03],
            "p_value": [0.0026, np.nan, 0.4],
            "passed": [False, False, True],
            "action": ["robust_se_used", "interpret_with_care", "none"],
        }
    )
    report.shown["reliability"] = pd.DataFrame(
        {"construct": ["trust", "pu"], "alpha": [0.55, 0.8], "reliable": [False, True]}
    )
    report.shown["measurement_fit"] = pd.DataFrame(
        {"cfi": [0.91], "rmsea": [0.081], "srmr": [0.05], "good_fit": [False]}
    )
    report.shown["construct_validity"] = pd.DataFrame(
        {"construct": ["smu", "resp"], "discriminant": [True, False]}
    )
    # bench/its_coverage.py --lengths 26: the share of no-change series with p < .05
    FALSE_POSITIVES = round(100 * SHORT_SERIES_FALSE_POSITIVES)
    report.study = report.study.model_copy(deep=True)  # the loaded study may be shared
    report.study.hypotheses[0].level = "agency"
    shown = BeautifulSoup(report.limitations().data, "html.parser")
    items = [_text(li) for li in shown.find_all("li")]
    agency_level = ", ".join(h.id for h in report.study.hypotheses if h.level == "agency")
    assert agency_level.startswith("H1")
    assert items == [
        "Small sample: n = 286 respondents were analysed, below 1,000; estimates are imprecise "
        "and only fairly large effects can be detected (see the sensitivity analysis).",
        "H2 could not be tested: too few complete rows for its model (fewer than 10 residual "
        "degrees of freedom).",
        "H9: the weekly series covers 25 weeks, fewer than 52. Over so few weeks the test of a "
        f"change finds one where there is none more often than its 5% (in {FALSE_POSITIVES}% of "
        "26-week series without a change, in simulation); read this result as exploratory.",
        "H1: Equal variance: Breusch-Pagan is not met (p = .003). What was done: HC3 robust "
        "standard errors are used, which do not assume equal variances.",
        "H1: Multicollinearity: largest VIF (limit 10) is not met (value = 12.50). What was done: "
        "Interpret with care.",
        "The reliability of Trust in public services is low (alpha = 0.55); results that use this "
        "score need care.",
        "The measurement model does not meet the good-fit criteria (CFI = 0.91, RMSEA = 0.081, "
        "SRMR = 0.05).",
        "Discriminant validity is not met for: Responsiveness.",
        f"Agency-level hypotheses ({agency_level}) are tested in the study report on data per "
        "agency. An "
        "association across agencies does not mean the same association holds for each "
        "respondent (ecological fallacy).",
    ]


# --- figures, files, dates -------------------------------------------------------------------


def test_figures_tell_series_apart_without_colour(demo_study, demo_project):
    report = open_report(str(demo_project / "config" / "demo.yml"), AGENCY, "id")
    fig = figures.engagement_by_platform(report.posts, demo_study, "id")
    title = figures.print_ready(fig, "id")
    ax = fig.axes[0]
    assert title == t("id", "figures.engagement", level="95") and ax.get_title() == ""
    hatches = [{bar.get_hatch() for bar in group} for group in ax.containers]
    assert [len(h) for h in hatches] == [1, 1, 1]
    assert len({h.pop() for h in hatches}) == 3  # one pattern per interaction
    legend = [handle.get_hatch() for handle in ax.get_legend().legend_handles]
    assert legend == [figures.HATCHES[0], figures.HATCHES[1], figures.HATCHES[2]]
    fig.canvas.draw()
    ticks = [label.get_text() for label in ax.get_yticklabels()]
    assert ticks and all("." not in tick for tick in ticks)


def test_figures_draw_the_intervals_of_the_stats_library(demo_study, demo_project):
    report = open_report(str(demo_project / "config" / "demo.yml"), AGENCY, "en")
    hypothesis = next(h for h in demo_study.hypotheses if h.level == "respondent")
    predictor, outcome = hypothesis.predictors[0], hypothesis.outcome
    ax = figures.hypothesis_scatters(report.scores, demo_study, "en").axes[0]
    # The line and band are analysis.stats.regression_band's (tested against R's predict.lm),
    # with the hypothesis' own standard errors, not a band the plotting library computes.
    band = stats.regression_band(
        report.scores, outcome, predictor, robust=hypothesis.robust, ci=1 - demo_study.study.alpha
    )
    line = ax.get_lines()[0]
    assert line.get_xdata() == pytest.approx(band["x"].to_numpy())
    assert line.get_ydata() == pytest.approx(band["fit"].to_numpy())
    outline = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert outline.min() == pytest.approx(band["ci_low"].min())
    assert outline.max() == pytest.approx(band["ci_high"].max())

    ax = figures.engagement_by_platform(report.posts, demo_study, "en").axes[0]
    whiskers = np.array(sorted((a[1], b[1]) for a, b in ax.collections[0].get_segments()))
    posts = report.posts.melt(value_vars=["likes", "comments", "shares"], id_vars=["platform"])
    means = stats.group_means(
        posts.dropna(), "value", ["platform", "variable"], interval="percentile",
        ci=1 - demo_study.study.alpha, seed=demo_study.study.seed,
    )  # fmt: skip
    assert whiskers == pytest.approx(means.sort_values("ci_low")[["ci_low", "ci_high"]].to_numpy())


def test_a_scatter_without_a_line_to_fit_shows_its_points(demo_study, demo_project):
    report = open_report(str(demo_project / "config" / "demo.yml"), AGENCY, "en")
    hypothesis = next(h for h in demo_study.hypotheses if h.level == "respondent")
    constant = report.scores.assign(**{hypothesis.predictors[0]: 3.0})
    ax = figures.hypothesis_scatters(constant, demo_study, "en").axes[0]
    assert ax.get_lines() == [] and len(ax.collections[0].get_offsets()) > 100


def test_lines_get_markers_and_indonesian_axes_a_decimal_comma():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0.5, 1.5], label="a")
    ax.plot([0, 1], [1.0, 2.5], label="b")
    ax.legend()
    figures.print_ready(fig, "id")
    assert [line.get_marker() for line in ax.get_lines()] == list(figures.MARKERS[:2])
    fig.canvas.draw()
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert "1,50" in labels and not any("." in label for label in labels)
    plt.close(fig)


def test_saved_figures_are_the_same_bytes_on_every_run(tmp_path):
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    first = {k: p.read_bytes() for k, p in save_figure(fig, tmp_path / "1", "bars").items()}
    second = {k: p.read_bytes() for k, p in save_figure(fig, tmp_path / "2", "bars").items()}
    assert first == second and set(first) == {"png", "svg"}
    with pytest.raises(ValueError, match="cannot name a report file"):
        save_figure(fig, tmp_path, "../escape")
    plt.close(fig)


def test_dates_are_written_out_in_the_report_language():
    assert long_date(date(2026, 12, 1), "id") == "1 Desember 2026"
    assert long_date(date(2026, 12, 1), "en") == "1 December 2026"
    assert long_date(date(2027, 2, 28), "id") == "28 Februari 2027"


def test_word_file_puts_wide_tables_on_landscape_pages(tmp_path):
    narrow = pd.DataFrame({"Konstruk": ["Kepercayaan"], "n": ["248"]})
    wide = pd.DataFrame({f"c{i}": [f"{i},5"] for i in range(10)})
    path = write_tables_docx(
        [
            ApaTable("Tabel 1", "Sempit", narrow),
            ApaTable("Tabel 2", "Lebar", wide, "x", "Catatan."),
        ],
        tmp_path / "t.docx",
        lang="id",
        title="Uji",
    )
    document = Document(str(path))
    assert [s.orientation for s in document.sections] == [0, 1]  # portrait, landscape
    assert document.sections[1].page_width > document.sections[1].page_height
    note = document.paragraphs[-1]
    assert note.text == "Catatan. x" and note.runs[0].italic
    assert read_docx_tables(path)[1].iloc[0].tolist() == [f"{i},5" for i in range(10)]
    with pytest.raises(ValueError, match="unknown report language"):
        write_tables_docx([], tmp_path / "x.docx", lang="jv", title="x")


# --- export pieces -----------------------------------------------------------------------------


def test_contents_lists_chapters_and_their_sections_in_order():
    page = (
        '<nav class="toc" id="contents"><h2>Isi</h2></nav>'
        '<h2 class="chapter" id="sec-a">1. A</h2><h3 id="sec-a1">1.1 <em>A1</em></h3>'
        '<h2 id="sec-b">2. B &amp; C</h2><h2>no anchor</h2>'
    )
    soup = BeautifulSoup(fill_contents(page), "html.parser")
    listing = soup.find("nav").find("ol", class_="toc-list")
    top = listing.find_all("li", recursive=False)
    assert [li.a["href"] for li in top] == ["#sec-a", "#sec-b"]
    assert [a.get_text() for a in top[0].ol.find_all("a")] == ["1.1 A1"]
    assert top[1].a.get_text() == "2. B & C"
    assert fill_contents("<p>no contents</p>") == "<p>no contents</p>"


def test_print_options_number_pages_in_the_page_language_and_escape_the_header():
    page = (
        '<html lang="id"><head><meta content="Studi &lt;b&gt; — Dinas" name="running-header">'
        "</head><body></body></html>"
    )
    options = print_options(page)
    assert 'Halaman <span class="pageNumber"></span> dari' in options["footerTemplate"]
    assert "Studi &lt;b&gt; — Dinas" in options["headerTemplate"]
    assert options["preferCSSPageSize"] and options["displayHeaderFooter"]
    assert options["generateDocumentOutline"]
    english = print_options('<html lang="fr"><body></body></html>')
    assert "Page <span" in english["footerTemplate"]

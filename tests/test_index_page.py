"""The study index page: links, statuses, synthetic banner, comparison table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.reporting.browser import find_chromium
from analysis.reporting.index_page import render_index

from .support.devtools import console_errors

STUDY = {"id": "demo-2026", "title": "Media sosial dan kepercayaan publik", "synthetic": True}
ERROR = "ValueError: kolom <b>trust</b> tidak ditemukan"


def record(analysis: str, term: str, estimate, hypothesis=None, **values) -> dict:
    fields = "se ci_low ci_high statistic df p_value p_adjusted effect_size n decision label"
    base = dict.fromkeys(fields.split())
    base.update(analysis=analysis, hypothesis=hypothesis, agency="x", term=term)
    base.update(estimate=estimate, effect_size_name=None, **values)
    return base


def results(n: int, b1: float, e_instagram: float | None) -> list[dict]:
    return [
        record("sample_flow", "received", n + 25),
        record("sample_flow", "analysed", n),
        record(
            "hypothesis",
            "smu",
            b1,
            "H1",
            ci_low=b1 - 0.1,
            ci_high=b1 + 0.1,
            p_value=0.0004,
            decision="supported",
        ),
        record("hypothesis", "age", 0.777, "H1", ci_low=-0.1, ci_high=0.2, p_value=0.5),
        record(
            "hypothesis",
            "resp",
            -0.05,
            "H2",
            ci_low=-0.25,
            ci_high=0.15,
            p_value=0.0234,
            decision="not_supported",
        ),
        record("engagement", "instagram:E", e_instagram),
        record("engagement", "instagram:posts", 99.0),
        record("engagement", "facebook:E", 1.2),
    ]


AGENCIES = [
    {
        "id": "kominfo",
        "name": "Dinas Kominfo",
        "status": "ok",
        "error": None,
        "html": "kominfo/report.html",
        "pdf": "kominfo/report.pdf",
        "results": results(1234, 0.4213, 3.456),
    },
    {
        "id": "dinkes",
        "name": "Dinas Kesehatan",
        "status": "failed",
        "error": ERROR,
        "html": None,
        "pdf": None,
        "results": [],
    },
    {
        "id": "capil",
        "name": "Disdukcapil",
        "status": "skipped",
        "error": None,
        "html": "capil/report.html",
        "pdf": "capil/report.pdf",
        "results": results(87, -0.3, None),
    },
]


def render(tmp_path: Path, lang: str = "id", study: dict = STUDY, agencies=AGENCIES):
    path = render_index(study, agencies, tmp_path / "site" / "index.html", lang=lang)
    text = path.read_text(encoding="utf-8")
    return path, text, BeautifulSoup(text, "html.parser")


def comparison_row(soup: BeautifulSoup, name: str) -> list[str]:
    row = next(th.parent for th in soup.select("table.comparison tbody th") if th.text == name)
    return [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["th", "td"])]


def test_links_are_relative_and_point_to_each_report(tmp_path):
    _, _, soup = render(tmp_path)
    links = [a["href"] for a in soup.find_all("a")]
    assert links == [
        "kominfo/report.html",
        "kominfo/report.pdf",
        "capil/report.html",
        "capil/report.pdf",
    ]


def test_absolute_report_paths_become_relative(tmp_path):
    agency = dict(AGENCIES[0], html=str(tmp_path / "site" / "kominfo" / "report.html"), pdf=None)
    _, _, soup = render(tmp_path, agencies=[agency])
    assert [a["href"] for a in soup.find_all("a")] == ["kominfo/report.html"]


def test_statuses_and_escaped_error(tmp_path):
    _, text, soup = render(tmp_path)
    badges = [badge.get_text() for badge in soup.select(".badge")]
    assert badges == ["berhasil", "gagal", "tidak berubah (dilewati)"]
    assert "&lt;b&gt;trust&lt;/b&gt;" in text
    assert "<b>trust</b>" not in text
    assert soup.select_one("pre.error").get_text() == ERROR


def test_synthetic_banner_in_both_languages(tmp_path):
    _, text_id, _ = render(tmp_path)
    assert "Data sintetis untuk demo — bukan data instansi nyata" in text_id
    _, text_en, soup = render(tmp_path, lang="en")
    assert "Synthetic demo data — not real agency data" in text_en
    assert soup.html["lang"] == "en"
    _, real, _ = render(tmp_path, study=dict(STUDY, synthetic=False))
    assert "sintetis" not in real


def test_comparison_values_indonesian(tmp_path):
    _, _, soup = render(tmp_path)
    headers = [th.get_text(" ", strip=True) for th in soup.select("table.comparison thead th")]
    assert headers == ["Instansi", "n dianalisis", "H1", "H2", "E Instagram", "E Facebook"]
    assert comparison_row(soup, "Dinas Kominfo") == [
        "Dinas Kominfo",
        "1.234",
        "0,42 [0,32; 0,52] p < 0,001 · didukung",
        "-0,05 [-0,25; 0,15] p = 0,023 · tidak didukung",
        "3,46",
        "1,20",
    ]
    assert comparison_row(soup, "Dinas Kesehatan") == ["Dinas Kesehatan", "–", "–", "–", "–", "–"]
    assert comparison_row(soup, "Disdukcapil")[4] == "–"


def test_comparison_values_english(tmp_path):
    _, text, soup = render(tmp_path, lang="en")
    assert comparison_row(soup, "Dinas Kominfo") == [
        "Dinas Kominfo",
        "1,234",
        "0.42 [0.32, 0.52] p < .001 · supported",
        "-0.05 [-0.25, 0.15] p = .023 · not supported",
        "3.46",
        "1.20",
    ]
    assert "0.78" not in text  # control terms (no decision) are not compared


def test_records_from_a_dataframe_with_nan(tmp_path):
    frame = pd.DataFrame(results(50, 0.25, None))
    agency = dict(AGENCIES[0], results=frame.to_dict(orient="records"))
    _, _, soup = render(tmp_path, lang="en", agencies=[agency])
    row = comparison_row(soup, "Dinas Kominfo")
    assert row[1] == "50"
    assert row[2].startswith("0.25 [0.15, 0.35]")
    assert row[4] == "–"


def test_page_is_self_contained(tmp_path):
    _, text, soup = render(tmp_path)
    assert soup.find_all("script") == []
    assert soup.find_all("link") == []
    assert "http://" not in text
    assert "https://" not in text


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown index language"):
        render(tmp_path, lang="fr")


@pytest.mark.browser
@pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium/Chrome found: apt-get install chromium, or set CHROMIUM_EXECUTABLE",
)
def test_page_has_no_console_errors(tmp_path):
    path, _, _ = render(tmp_path)
    assert console_errors(path) == []

"""Rendered reports: every number shown is a recorded result; alpha, empty sections, config text.

Each test renders the report notebook (papermill on a copy without outputs, then the HTML
export a batch makes) and reads the HTML as a reader would.
"""

import re
import shutil

import papermill as pm
import pytest
import yaml
from bs4 import BeautifulSoup

from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.pipeline import clean_study
from analysis.reporting.export import export_html
from analysis.reporting.i18n import number, texts
from analysis.reporting.results import read_results

from .conftest import PROJECT, write_study_config
from .support.notebooks import stripped_copy

pytestmark = pytest.mark.notebook
NUMBER = re.compile(r"(?<![\w.,])\d[\d.,\-]*\d(?![\w])|(?<![\w.,\-])\d(?![\w.,])")


def render(config, agency, lang, tmp_path):
    """Run the report notebook for ``agency`` and export it; (HTML soup, results frame)."""
    out = tmp_path / "out"
    out.mkdir()
    source = stripped_copy(PROJECT / "notebooks" / "90-agency-report.ipynb", tmp_path / "nb")
    pm.execute_notebook(
        source,
        out / "report.ipynb",
        parameters={"config": str(config), "agency": agency, "lang": lang, "output_dir": str(out)},
        kernel_name="python3",
        cwd=str(PROJECT / "notebooks"),
        progress_bar=False,
    )
    html = export_html(out / "report.ipynb", out / "report.html", title="t", lang=lang)
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return soup, read_results(out / "results.json")


def shown_numbers(soup, lang) -> list[str]:
    """Numbers in result tables (not provenance, not metric names) and hypothesis sentences."""
    # metric and reply-time labels ("0-2 h") hold numbers that are names, not results
    names = set(texts(lang)["metrics"].values()) | set(texts(lang)["replies"].values())
    cells = [
        td.get_text(" ")
        for table in soup.find_all("table")
        if "provenance" not in (table.get("class") or [])
        for td in table.find_all("td")
    ]
    texts_shown = [cell for cell in cells if cell not in names]
    texts_shown += [li.get_text(" ") for li in soup.find_all("li") if "=" in li.get_text()]
    return [token for text in texts_shown for token in NUMBER.findall(text)]


def formatted(results, lang) -> set[str]:
    """Every recorded value as the report may print it."""
    shown = set()
    for column in ("estimate", "se", "ci_low", "ci_high", "statistic", "df", "p_value"):
        for value in results[column].dropna():
            for digits in range(5):
                shown.add(number(abs(value), lang, digits))
                shown.add(number(abs(value), lang, digits).lstrip("0"))  # APA: .023
    for column in ("p_adjusted", "effect_size", "n"):
        for value in results[column].dropna():
            for digits in range(5):
                shown.add(number(abs(value), lang, digits))
                shown.add(number(abs(value), lang, digits).lstrip("0"))
    shown |= set(results["label"].dropna().astype(str))
    shown |= {number(0.001, lang, 3), number(0.001, lang, 3).lstrip("0")}  # "p < .001"
    return shown


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_number_a_report_shows_is_a_recorded_result(demo_project, tmp_path, lang):
    config = demo_project / "config" / "demo.yml"
    soup, results = render(config, "dukcapil-tirtamaya", lang, tmp_path)
    numbers = shown_numbers(soup, lang)
    assert len(numbers) > 200  # the check reads the real tables
    missing = sorted(set(numbers) - formatted(results, lang))
    assert missing == []


@pytest.fixture()
def small_project(tmp_path, demo_project):
    """A two-agency copy of the demo project whose config a test may change."""
    folder = tmp_path / "project"
    (folder / "data").mkdir(parents=True)
    shutil.copytree(demo_project / "data" / "raw", folder / "data" / "raw")
    return folder


def _study(folder, **changes):
    config = write_study_config(folder, ["rsud-wanasari", "kpp-sindangreja"])
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "alpha":
            data["study"]["alpha"] = value
        else:
            data[key] = value
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    study = load_study(config)
    generate_demo(study)
    clean_study(study)
    return config


PAYLOAD = "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <script>alert(1)</script> $5"


def with_payloads(config) -> None:
    """Put a Markdown/HTML payload into every config text a report shows."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["study"]["title"]["en"] = f"Study {PAYLOAD}"
    for agency in data["agencies"]:
        agency["survey_value"] = agency["name"]
        agency["name"] = f"Agency {PAYLOAD}"
    data["constructs"][1]["label"]["en"] = f"Construct {PAYLOAD}"
    data["demographics"][0]["label"]["en"] = f"Demographic {PAYLOAD}"
    data["hypotheses"][0]["statement"]["en"] = f"Statement {PAYLOAD}"
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def test_a_survey_only_study_at_alpha_10_says_90_percent_everywhere(small_project, tmp_path):
    config = _study(small_project, alpha=0.10, engagement=[])
    with_payloads(config)
    soup, results = render(config, "rsud-wanasari", "en", tmp_path)
    text = soup.get_text(" ")
    # every config text is shown as text: no link, image or script comes from it
    for kind in ("Study", "Agency", "Construct", "Demographic", "Statement"):
        assert f"{kind} [x](javascript:alert(1))" in text, kind
    assert soup.find("a", href=re.compile("javascript")) is None
    assert soup.find("img", src="x") is None and soup.find("script") is None
    assert "90%" in text and "95%" not in text
    assert "No social media posts for this agency." in text
    assert "engagement" not in set(results["analysis"])
    assert {"hypothesis", "descriptives", "reliability"} <= set(results["analysis"])


def test_a_study_without_hypotheses_renders_and_config_text_stays_text(small_project, tmp_path):
    data = yaml.safe_load((PROJECT / "config" / "demo.yml").read_text(encoding="utf-8"))
    constructs = data["constructs"]
    constructs[0]["label"]["en"] = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> $5"
    config = _study(small_project, hypotheses=[], constructs=constructs)
    soup, results = render(config, "kpp-sindangreja", "en", tmp_path)
    assert "This study declares no confirmatory hypotheses." in soup.get_text(" ")
    assert soup.find("a", href=re.compile("javascript")) is None
    assert soup.find("img", src="x") is None
    assert "[click](javascript:alert(1))" in soup.get_text(" ")
    # no hypothesis, so no verdict or model rows are recorded; the other sections are
    assert not {"hypothesis", "hypothesis_terms"} & set(results["analysis"])
    assert {"sample_flow", "descriptives", "reliability", "engagement"} <= set(results["analysis"])

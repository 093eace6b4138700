"""The main job on a small study: reports per agency (HTML, PDF, results.json), the index,
caching of unchanged agencies, and one failing agency not stopping the others."""

import json
import re
import shutil
import subprocess
from urllib.parse import unquote

import pytest
import yaml

from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.pipeline import run_batch
from analysis.reporting.browser import find_chromium
from analysis.reporting.i18n import number, t
from analysis.reporting.results import read_results

from .conftest import write_study_config
from .support.devtools import console_errors

AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    config = write_study_config(folder, AGENCIES)
    study = load_study(config)
    generate_demo(study)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["agencies"].append({"id": "tanpa-data", "name": "Instansi Tanpa Data"})
    config.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    outcomes = run_batch(config, lang="id", workers=2)
    return folder, config, {o.agency: o for o in outcomes}


def test_every_agency_gets_html_pdf_and_results(batch):
    folder, _, outcomes = batch
    for agency in AGENCIES:
        assert outcomes[agency].status == "ok", outcomes[agency].error
        report = folder / "reports" / "demo" / agency
        for name in ("report.ipynb", "report.html", "report.pdf", "results.json"):
            assert (report / name).stat().st_size > 1000, name


def test_a_failing_agency_is_reported_and_does_not_stop_the_others(batch):
    folder, _, outcomes = batch
    assert outcomes["tanpa-data"].status == "failed"
    assert outcomes["tanpa-data"].error
    assert (folder / "reports" / "demo" / "tanpa-data" / "report.ipynb").exists()
    index = (folder / "reports" / "demo" / "index.html").read_text(encoding="utf-8")
    assert "Instansi Tanpa Data" in index and "diskominfo-sukamaju/report.pdf" in index
    summary = json.loads((folder / "reports" / "demo" / "batch.json").read_text(encoding="utf-8"))
    assert {s["agency"]: s["status"] for s in summary}["tanpa-data"] == "failed"


def test_the_study_report_is_the_front_page_and_its_links_resolve(batch):
    folder, _, _ = batch
    root = folder / "reports" / "demo"
    index = (root / "index.html").read_text(encoding="utf-8")
    assert 'id="sec-study_agencies"' in index and 'id="sec-study_hypotheses"' in index
    kind = re.search(r'<p class="title-kind">([^<]*)</p>', index).group(1)
    assert kind == t("id", "title_page.study_kind")  # not the agency report's
    assert "Instansi Tanpa Data" in index  # the failed agency, listed with its error
    links = set(re.findall(r'href="([^"#:]+)"', index))
    assert {"diskominfo-sukamaju/report.html", "samsat-lembah-hijau/report.pdf"} <= links
    assert "tanpa-data/report.html" not in links
    assert [link for link in links if not (root / unquote(link)).is_file()] == []
    assert (root / "index.pdf").read_bytes().startswith(b"%PDF")
    assert (root / "results.json").is_file() and (root / "tables.docx").is_file()


def test_unchanged_agencies_are_skipped_on_the_next_run(batch):
    folder, config, _ = batch
    index = (folder / "reports" / "demo" / "index.html").read_bytes()
    made = []
    outcomes = run_batch(config, lang="id", workers=1, study_report=made.append)
    again = {o.agency: o.status for o in outcomes}
    assert again["diskominfo-sukamaju"] == "skipped" and again["samsat-lembah-hijau"] == "skipped"
    # what the study report shows did not change: it is not made again
    assert made[0].status == "skipped"
    assert (folder / "reports" / "demo" / "index.html").read_bytes() == index


def test_report_numbers_come_from_results_json(batch):
    folder, _, _ = batch
    report = folder / "reports" / "demo" / "diskominfo-sukamaju"
    html = (report / "report.html").read_text(encoding="utf-8")
    results = read_results(report / "results.json")
    main = results["measure"] == "estimate"
    hypotheses = results[(results["analysis"] == "hypothesis") & main]
    assert len(hypotheses) >= 3
    for value in hypotheses["estimate"]:
        assert number(value, "id") in html  # every B shown is the recorded estimate
    flow = results[results["analysis"] == "sample_flow"].set_index("term")["estimate"]
    assert f"<td>{int(flow['analysed'])}</td>" in html


def test_html_is_self_contained_safe_and_without_code(batch):
    folder, _, _ = batch
    html = (folder / "reports" / "demo" / "diskominfo-sukamaju" / "report.html").read_text(
        encoding="utf-8"
    )
    assert "open_report(" not in html and "import " not in html
    assert "https://cdn" not in html and 'src="http' not in html
    assert "Data sintetis untuk demo" in html
    assert "data:image/png;base64" in html


@pytest.mark.browser
def test_html_opens_in_chromium_without_console_errors(batch):
    if find_chromium() is None:
        pytest.skip("no Chromium (apt-get install chromium)")
    folder, _, _ = batch
    assert console_errors(folder / "reports" / "demo" / "diskominfo-sukamaju" / "report.html") == []
    assert console_errors(folder / "reports" / "demo" / "index.html") == []


@pytest.mark.browser
def test_pdf_text_and_pages(batch, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("no poppler-utils")
    folder, _, _ = batch
    pdf = folder / "reports" / "demo" / "samsat-lembah-hijau" / "report.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "UPT Samsat Lembah Hijau",
        "Data sintetis untuk demo",
        "Alur sampel",
        "Uji hipotesis konfirmatori",
        "H1",
        "Cronbach",
        "SHA-256",
    ):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info  # 594.96 x 841.92 pts
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) >= 2

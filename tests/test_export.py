"""Executed notebook -> safe, self-contained HTML -> A4 PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import papermill as pm
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.reporting import browser, export
from analysis.reporting.browser import DevToolsBrowser, find_chromium
from analysis.reporting.export import (
    PdfPrintError,
    PdfUnavailable,
    export_html,
    html_to_pdf,
    report_exporter,
    safe_html,
    thread_exporter,
)

from .support.devtools import console_errors

INDONESIAN = "Kepercayaan warga pada “layanan publik” — selisih ± 0,5; skor ≥ 4; koefisien α dan β."
# Payloads that log a console error if they ever run: "no console errors" shows they stayed inert
XSS_SCRIPT = "<script>console.error(1)</script>"
XSS_IMG = "<img src=x onerror=console.error(1)>"
requires_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="no Chromium/Chrome found: apt-get install chromium, or set CHROMIUM_EXECUTABLE",
)
requires_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None, reason="poppler-utils (pdfinfo, pdftotext) not installed"
)


def report_notebook() -> nbformat.NotebookNode:
    """A small report: Indonesian Markdown, a DataFrame with XSS captions, untrusted Markdown
    and HTML outputs, stdout and a warning, a seaborn figure, and tagged cells."""
    cells = [
        new_markdown_cell(f"# Laporan Uji\n\n{INDONESIAN}"),
        new_code_cell(
            "%matplotlib inline\nimport warnings\nimport pandas as pd\nimport seaborn as sns\n"
            "from IPython.display import HTML, Markdown, display"
        ),
        new_code_cell(
            "pd.DataFrame({'instansi': ['Dinas Kominfo', 'Dinas Kesehatan'],\n"
            f"              'caption': [{XSS_SCRIPT!r}, {XSS_IMG!r}],\n"
            "              'skor': [4.25, 3.75]})"
        ),
        new_code_cell(
            "display(Markdown('Ket <img src=x onerror=console.error(2)> "
            "<script>console.error(3)</script>'))\n"
            "display(HTML('<b>tebal</b><script>console.error(4)</script>"
            "<img src=x onerror=console.error(5)>'))"
        ),
        new_code_cell("print('STDOUT-MARKER')\nwarnings.warn('WARNING-MARKER')"),
        new_code_cell(
            "ax = sns.barplot(x=['A', 'B', 'C'], y=[3.2, 4.1, 2.7])\n"
            "ax.set_title('Skor rata-rata');"
        ),
        new_code_cell("'REMOVED-CELL-MARKER'", metadata={"tags": ["remove_cell"]}),
        new_code_cell("'REMOVED-OUTPUT-MARKER'", metadata={"tags": ["remove_output"]}),
    ]
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernelspec})


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """The test notebook executed with papermill and exported to HTML."""
    folder = tmp_path_factory.mktemp("report")
    nbformat.write(report_notebook(), folder / "input.ipynb")
    pm.execute_notebook(
        folder / "input.ipynb",
        folder / "report.ipynb",
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    html = export_html(folder / "report.ipynb", folder / "report.html", title="Uji <Laporan>")
    return {"folder": folder, "html": html, "text": html.read_text(encoding="utf-8")}


@pytest.fixture(scope="module")
def pdf(report) -> Path:
    """The test report printed to PDF by headless Chromium."""
    return html_to_pdf(report["html"], report["folder"] / "report.pdf")


@pytest.mark.notebook
class TestHtml:
    def test_loads_nothing_from_the_network(self, report):
        text, soup = report["text"], BeautifulSoup(report["text"], "html.parser")
        assert '<script src="http' not in text
        assert "https://cdn" not in text
        assert soup.find_all("script") == []
        assert soup.find_all("link") == []
        assert not [t for t in soup.find_all(src=True) if not t["src"].startswith("data:")]
        css = " ".join(style.get_text() for style in soup.find_all("style"))
        assert not re.search(r"url\(\s*['\"]?(?!data:)", css)
        assert "@import" not in css

    def test_language_title_and_a4_print_css(self, report):
        soup = BeautifulSoup(report["text"], "html.parser")
        assert soup.html["lang"] == "id"
        assert soup.title.get_text() == "Uji <Laporan>"
        assert "Content-Security-Policy" in report["text"]
        css = " ".join(style.get_text() for style in soup.find_all("style"))
        assert "size: A4" in css
        assert "break-after: avoid" in css

    def test_hides_code_streams_and_removed_cells(self, report):
        text = report["text"]
        assert INDONESIAN in text
        assert "Dinas Kominfo" in text
        for hidden in ("import pandas", "sns.barplot", "STDOUT-MARKER", "WARNING-MARKER"):
            assert hidden not in text
        assert "REMOVED-CELL-MARKER" not in text
        assert "REMOVED-OUTPUT-MARKER" not in text
        assert "jp-InputArea" not in BeautifulSoup(text, "html.parser").main.decode()

    def test_figure_is_embedded_png(self, report):
        soup = BeautifulSoup(report["text"], "html.parser")
        images = [img["src"] for img in soup.find_all("img")]
        assert len(images) == 1
        assert images[0].startswith("data:image/png;base64,")

    def test_untrusted_text_stays_inert(self, report):
        soup = BeautifulSoup(report["text"], "html.parser")
        handlers = [(t.name, a) for t in soup.find_all(True) for a in t.attrs if a.startswith("on")]
        assert handlers == []
        assert all(img["src"].startswith("data:image/") for img in soup.find_all("img"))
        cells = [td.get_text() for td in soup.find_all("td")]
        assert XSS_SCRIPT in cells
        assert XSS_IMG in cells
        assert "tebal" in soup.get_text()

    def test_unknown_language_is_refused(self, report, tmp_path):
        with pytest.raises(ValueError, match="ISO 639-1"):
            export_html(
                report["folder"] / "report.ipynb", tmp_path / "x.html", title="x", lang="xx"
            )


@pytest.mark.notebook
class TestKeptExporter:
    """A thread keeps its exporter between exports (its templates compiled once)."""

    def test_a_kept_exporter_writes_what_a_new_one_writes(self, report, tmp_path, monkeypatch):
        executed = report["folder"] / "report.ipynb"
        other = nbformat.read(executed, as_version=4)
        other.cells[0].source = "# Laporan Kedua\n\nSkor 3,5 dari 5."
        nbformat.write(other, tmp_path / "other.ipynb")
        notebooks = [executed, tmp_path / "other.ipynb", executed]
        kept = [
            export_html(notebook, tmp_path / f"kept-{i}.html", title=f"T{i}", lang="id")
            for i, notebook in enumerate(notebooks)
        ]
        # Reference: a new exporter for every export, as before exporters were kept
        monkeypatch.setattr(export, "thread_exporter", report_exporter)
        new = [
            export_html(notebook, tmp_path / f"new-{i}.html", title=f"T{i}", lang="id")
            for i, notebook in enumerate(notebooks)
        ]
        for kept_page, new_page in zip(kept, new, strict=True):
            assert kept_page.read_bytes() == new_page.read_bytes()
        assert "Laporan Kedua" in kept[1].read_text(encoding="utf-8")
        assert "Laporan Kedua" not in kept[2].read_text(encoding="utf-8")

    def test_each_thread_keeps_its_own_exporter_per_language(self):
        mine = thread_exporter("id")
        assert thread_exporter("id") is mine
        assert thread_exporter("en") is not mine
        other = []
        worker = threading.Thread(target=lambda: other.append(thread_exporter("id")))
        worker.start()
        worker.join()
        assert other[0] is not mine

    def test_an_edited_template_is_used_at_once(self, report, tmp_path, monkeypatch):
        templates = tmp_path / "templates"
        shutil.copytree(export.TEMPLATES, templates)
        monkeypatch.setattr(export, "TEMPLATES", templates)
        executed = report["folder"] / "report.ipynb"
        before = thread_exporter("id")
        export_html(executed, tmp_path / "before.html", title="x")
        css = templates / "report" / "report.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* EDITED-CSS-MARKER */\n", "utf-8")
        page = export_html(executed, tmp_path / "after.html", title="x")
        assert thread_exporter("id") is not before
        assert "EDITED-CSS-MARKER" not in (tmp_path / "before.html").read_text(encoding="utf-8")
        assert "EDITED-CSS-MARKER" in page.read_text(encoding="utf-8")


class TestSafeHtml:
    def test_keeps_report_markup(self):
        html = '<h2 id="a">Judul</h2><table><thead><tr><th colspan="2">x</th></tr></thead></table>'
        assert safe_html(html) == html

    def test_removes_scripts_handlers_and_remote_images(self):
        cleaned = safe_html(
            '<p onclick="x()">a</p><script>alert(1)</script>'
            '<img src="https://tracker.example/p.png"><a href="javascript:alert(1)">b</a>'
        )
        assert "<script" not in cleaned
        assert "onclick" not in cleaned
        assert "<img" not in cleaned
        assert "javascript:" not in cleaned

    def test_drops_style_elements_and_remote_css(self):
        cleaned = safe_html(
            "<style>@import url(http://e.example/x.css);</style>"
            '<td style="color: red; background: url(http://e.example/b.png)">c</td>'
        )
        assert "<style" not in cleaned
        assert "http" not in cleaned


def fake_chromium(folder: Path, body: str) -> str:
    """A shell script standing in for Chromium; ``$pdf`` is the --print-to-pdf target."""
    script = folder / "fake-chromium"
    script.write_text(
        "#!/bin/sh\n"
        'for arg; do case "$arg" in --print-to-pdf=*) pdf="${arg#--print-to-pdf=}";; '
        '--user-data-dir=*) echo "${arg#--user-data-dir=}" > "$(dirname "$0")/profile";; '
        f"esac; done\n{body}\n"
    )
    script.chmod(0o755)
    return str(script)


class TestPdfErrors:
    def test_no_browser_says_how_to_install(self, monkeypatch, tmp_path):
        monkeypatch.setattr(browser, "find_chromium", lambda: None)
        (tmp_path / "r.html").write_text("<p>x</p>")
        with pytest.raises(PdfUnavailable) as caught:
            html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")
        assert isinstance(caught.value, RuntimeError)
        assert "apt-get install chromium" in str(caught.value)
        assert "CHROMIUM_EXECUTABLE" in str(caught.value)

    def test_failure_shows_chromium_stderr(self, tmp_path):
        chromium = fake_chromium(tmp_path, "echo 'GPU process exploded' >&2\nexit 3")
        (tmp_path / "r.html").write_text("<p>x</p>")
        with pytest.raises(PdfPrintError, match="(?s)exit 3.*GPU process exploded"):
            html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf", chromium=chromium)

    def test_empty_pdf_is_an_error_and_profile_is_removed(self, tmp_path):
        chromium = fake_chromium(tmp_path, ': > "$pdf"')
        (tmp_path / "r.html").write_text("<p>x</p>")
        with pytest.raises(PdfPrintError, match="could not print"):
            html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf", chromium=chromium)
        profile = Path((tmp_path / "profile").read_text().strip())
        assert profile.name.startswith("analysis-chromium-")
        assert not profile.exists()

    def test_timeout_kills_chromium(self, tmp_path):
        chromium = fake_chromium(tmp_path, "sleep 30")
        (tmp_path / "r.html").write_text("<p>x</p>")
        start = time.perf_counter()
        with pytest.raises(PdfPrintError, match="within 1 s"):
            html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf", chromium=chromium, timeout=1)
        assert time.perf_counter() - start < 10


@pytest.mark.notebook
@pytest.mark.browser
@requires_chromium
class TestPdf:
    def test_page_has_no_console_errors(self, report):
        assert console_errors(report["html"]) == []

    @requires_poppler
    def test_pages_are_a4(self, pdf):
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
        assert abs(width - 595) <= 1
        assert abs(height - 842) <= 1

    @requires_poppler
    def test_text_survives(self, pdf):
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        assert " ".join(INDONESIAN.split()) in " ".join(text.split())
        for value in ("Dinas Kominfo", "Dinas Kesehatan", "4.25", "3.75", XSS_SCRIPT):
            assert value in text
        assert "STDOUT-MARKER" not in text

    @requires_poppler
    def test_pages_have_the_running_header_and_a_number_in_the_page_language(self, pdf):
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
        # no report metadata in this notebook: the running header is the page title
        assert text.startswith("Uji <Laporan>")
        assert "Halaman 1 dari 1" in text

    def test_a_running_browser_prints_report_after_report(self, report, tmp_path):
        with DevToolsBrowser() as session:
            for name in ("a.pdf", "b.pdf"):
                html_to_pdf(report["html"], tmp_path / name, browser=session)
            assert session.alive  # the caller's browser stays open for the next report
        assert (tmp_path / "a.pdf").read_bytes()[:4] == b"%PDF"
        assert (tmp_path / "b.pdf").stat().st_size > 1000

    @requires_poppler
    def test_renders_to_png(self, pdf, tmp_path):
        subprocess.run(["pdftoppm", "-r", "50", "-png", pdf, tmp_path / "page"], check=True)
        assert list(tmp_path.glob("page*.png"))

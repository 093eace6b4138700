"""Executed report notebook -> self-contained, safe HTML (code hidden) -> A4 PDF.

The HTML comes from nbconvert's ``HTMLExporter`` with the ``report`` template
(``analysis/reporting/templates/nbconvert/report``), which extends JupyterLab's template but
loads nothing from the network and runs no script. The PDF is printed from that HTML by
headless Chromium (see ``reference/pdf_pipeline.md``, route c).

Safety: the page carries a Content-Security-Policy that blocks scripts and remote loads, and
HTML from cell outputs and Markdown passes :func:`safe_html` (an allowlist sanitizer). nbconvert's
own ``sanitize_html`` option is not used: its allowlist escapes headings, paragraphs, table
headers and images, so reports would show raw tags.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbconvert.utils.iso639_1 import iso639_1
from traitlets.config import Config

from analysis.reporting.browser import (
    BrowserUnavailable,
    file_url,
    require_chromium,
    run_headless,
    stderr_tail,
)

TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"
#: Output formats shown, best first; JavaScript, widgets and mermaid are never rendered.
DISPLAY_PRIORITY = (
    "text/html text/markdown image/svg+xml image/png image/jpeg text/latex text/plain"
)
_BLOCK_TAGS = {"p", "br", "hr", "div", "pre", "blockquote", "details", "summary", "figure"}
_CAPTION_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption"}
_INLINE_TAGS = {"a", "abbr", "b", "i", "u", "s", "em", "strong", "small", "mark", "sub", "sup"}
_MORE_INLINE_TAGS = {"span", "code", "q", "del", "ins", "kbd", "samp", "var", "img"}
_LIST_TAGS = {"ul", "ol", "li", "dl", "dt", "dd"}
_TABLE_TAGS = {"table", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
#: Markup allowed in HTML/Markdown outputs and Markdown cells; anything else is escaped.
SAFE_TAGS = frozenset().union(
    _BLOCK_TAGS, _CAPTION_TAGS, _INLINE_TAGS, _MORE_INLINE_TAGS, _LIST_TAGS, _TABLE_TAGS
)
#: Attributes allowed on any safe tag (``style`` is filtered by bleach's CSS sanitizer).
SAFE_ATTRIBUTES = frozenset(
    {"class", "id", "title", "style", "align", "alt", "colspan", "rowspan", "width", "height"}
)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_CSS = CSSSanitizer()


class PdfUnavailable(BrowserUnavailable):
    """No Chromium/Chrome to print PDFs with; the message says how to install one."""


class PdfPrintError(RuntimeError):
    """Chromium ran but produced no PDF; the message ends with Chromium's stderr."""


class DropStreams(Preprocessor):
    """Remove stdout/stderr stream outputs, then code cells left without any output."""

    def preprocess(self, nb, resources):
        """Drop stream outputs and empty code cells from ``nb``."""
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = [out for out in cell.outputs if out.output_type != "stream"]
        nb.cells = [cell for cell in nb.cells if cell.cell_type != "code" or cell.outputs]
        return nb, resources


def safe_html(html: str) -> str:
    """Sanitize HTML from a notebook: allowlisted tags and attributes only, the rest escaped.

    ``<style>`` elements are removed (pandas adds one to every DataFrame; the report CSS styles
    tables). Images must be inline ``data:image/...`` (others are dropped); links may be http(s),
    mailto or relative.

    Parameters
    ----------
    html : str
        HTML from a cell output or rendered Markdown.

    Returns
    -------
    str
        HTML that cannot run scripts or load anything.
    """
    cleaned = bleach.clean(
        _STYLE_ELEMENT.sub("", str(html)),
        tags=SAFE_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        css_sanitizer=_CSS,
        strip_comments=True,
    )
    return _IMG_WITHOUT_SRC.sub("", cleaned)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "img" and name == "src":
        return value.startswith("data:image/")
    if tag == "a" and name == "href":
        return not value.lower().startswith("data:")
    return name in SAFE_ATTRIBUTES


def report_exporter(lang: str) -> HTMLExporter:
    """The HTML exporter for reports: code and prompts hidden, tagged cells removed.

    Cells tagged ``remove_cell`` are dropped, outputs of cells tagged ``remove_output`` too,
    and so are all stdout/stderr outputs (warnings would otherwise leak into reports).

    Parameters
    ----------
    lang : str
        ISO 639-1 code for ``<html lang>``.

    Returns
    -------
    nbconvert.HTMLExporter
    """
    if lang not in iso639_1:
        raise ValueError(f"{lang!r} is not an ISO 639-1 language code")
    config = Config(
        {
            "NbConvertBase": {"display_data_priority": DISPLAY_PRIORITY.split()},
            "TagRemovePreprocessor": {
                "enabled": True,
                "remove_cell_tags": {"remove_cell"},
                "remove_all_outputs_tags": {"remove_output"},
            },
        }
    )
    exporter = HTMLExporter(
        config=config,
        template_name="report",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
        embed_images=True,
        language_code=lang,
    )
    exporter.register_filter("safe_html", safe_html)
    exporter.register_preprocessor(DropStreams(), enabled=True)
    return exporter


def export_html(notebook_path: Path, html_path: Path, *, title: str, lang: str = "id") -> Path:
    """Export an executed notebook to a self-contained HTML report without code.

    Parameters
    ----------
    notebook_path : Path
        The executed notebook (papermill output).
    html_path : Path
        Where to write the HTML; folders are created.
    title : str
        The page ``<title>``.
    lang : str
        Report language (``id`` or ``en``; any ISO 639-1 code), set as ``<html lang>``.

    Returns
    -------
    Path
        ``html_path``.

    Raises
    ------
    ValueError
        When ``lang`` is not an ISO 639-1 code.
    """
    notebook_path, html_path = Path(notebook_path), Path(html_path)
    nb = nbformat.read(notebook_path, as_version=4)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    resources = {"metadata": {"path": str(notebook_path.resolve().parent)}}
    body, _ = report_exporter(lang).from_notebook_node(nb, resources=resources)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(body, encoding="utf-8")
    return html_path


def html_to_pdf(
    html_path: Path, pdf_path: Path, *, chromium: str | None = None, timeout: float = 120
) -> Path:
    """Print an HTML file to PDF with headless Chromium (page size from the page's CSS).

    Parameters
    ----------
    html_path : Path
        The HTML report.
    pdf_path : Path
        Where to write the PDF; folders are created, an old file is replaced.
    chromium : str, optional
        Browser executable (name or path); found with
        :func:`analysis.reporting.browser.find_chromium` when None.
    timeout : float
        Seconds before Chromium is killed.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    PdfUnavailable
        When no browser is found.
    PdfPrintError
        When Chromium fails, times out, or writes no or an empty PDF.
    """
    try:
        executable = require_chromium(chromium)
    except BrowserUnavailable as error:
        raise PdfUnavailable(str(error)) from None
    pdf_path = Path(pdf_path).resolve()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    flags = [
        "--no-pdf-header-footer",
        "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf_path}",
        file_url(html_path),
    ]
    try:
        result = run_headless(executable, flags, timeout)
    except subprocess.TimeoutExpired:
        raise PdfPrintError(f"Chromium did not print {html_path} within {timeout:g} s") from None
    if result.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise PdfPrintError(
            f"Chromium could not print {html_path} to {pdf_path} "
            f"(exit {result.returncode}):\n{stderr_tail(result.stderr)}"
        )
    return pdf_path

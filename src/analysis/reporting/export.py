"""Executed report notebook -> self-contained, safe HTML (code hidden) -> A4 PDF.

The HTML comes from nbconvert's ``HTMLExporter`` with the ``report`` template
(``analysis/reporting/templates/nbconvert/report``), which extends JupyterLab's template but
loads nothing from the network and runs no script. The export fills the report's table of
contents (:meth:`~analysis.reporting.context.ReportContext.contents`) with links to its
headings and writes the running header of the PDF pages into the page's ``<meta
name="running-header">``. The PDF is printed from that HTML by headless Chromium over the
DevTools protocol (:class:`~analysis.reporting.browser.DevToolsBrowser`): A4 from the page's
CSS, the running header on top of every page, "Halaman x dari y" / "Page x of y" at the foot,
the headings as the PDF's outline (bookmarks) and the contents as links.

Safety: the page carries a Content-Security-Policy that blocks scripts and remote loads, and
HTML from cell outputs and Markdown passes :func:`safe_html` (an allowlist sanitizer). nbconvert's
own ``sanitize_html`` option is not used: its allowlist escapes headings, paragraphs, table
headers and images, so reports would show raw tags.
"""

from __future__ import annotations

import html
import re
import threading
from html.parser import HTMLParser
from pathlib import Path

import bleach
import nbformat
from bleach.css_sanitizer import CSSSanitizer
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbconvert.utils.iso639_1 import iso639_1
from traitlets.config import Config

from analysis.reporting.browser import BrowserUnavailable, DevToolsBrowser, file_url
from analysis.reporting.i18n import LANGUAGES, t

TEMPLATES = Path(__file__).resolve().parent / "templates" / "nbconvert"
#: Output formats shown, best first; JavaScript, widgets and mermaid are never rendered.
DISPLAY_PRIORITY = (
    "text/html text/markdown image/svg+xml image/png image/jpeg text/latex text/plain"
)
_BLOCK_TAGS = {"p", "br", "hr", "div", "pre", "blockquote", "details", "summary", "figure"}
_SECTION_TAGS = {"section", "nav", "header", "footer"}
_CAPTION_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption"}
_INLINE_TAGS = {"a", "abbr", "b", "i", "u", "s", "em", "strong", "small", "mark", "sub", "sup"}
_MORE_INLINE_TAGS = {"span", "code", "q", "del", "ins", "kbd", "samp", "var", "img"}
_LIST_TAGS = {"ul", "ol", "li", "dl", "dt", "dd"}
_TABLE_TAGS = {"table", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"}
#: Markup allowed in HTML/Markdown outputs and Markdown cells; anything else is escaped.
SAFE_TAGS = frozenset().union(
    _BLOCK_TAGS,
    _SECTION_TAGS,
    _CAPTION_TAGS,
    _INLINE_TAGS,
    _MORE_INLINE_TAGS,
    _LIST_TAGS,
    _TABLE_TAGS,
)
#: Attributes allowed on any safe tag (``style`` is filtered by bleach's CSS sanitizer).
SAFE_ATTRIBUTES = frozenset(
    {"class", "id", "title", "style", "align", "alt", "colspan", "rowspan", "width", "height"}
)
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_CSS = CSSSanitizer()
#: Key of the notebook output metadata with report facts (see ReportContext.title).
REPORT_METADATA = "analysis-report"
#: The contents placeholder and the headings it lists (``h2``/``h3`` with a ``sec-`` anchor).
_CONTENTS = re.compile(r'(<nav\b[^>]*\bid="contents"[^>]*>.*?)(</nav>)', re.DOTALL)
_HEADING = re.compile(r'<h([23])\b[^>]*\bid="(sec-[^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
#: Header and footer boxes of the PDF pages (Chromium draws them in the page margins; the
#: side padding lines them up with the text, whose @page margin is 15 mm).
_MARGIN_STYLE = (
    "width:100%;box-sizing:border-box;padding:0 15mm;"
    "font-family:'DejaVu Sans',Arial,sans-serif;font-size:7.5pt;color:#57606a;"
)


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


def thread_exporter(lang: str) -> HTMLExporter:
    """:func:`report_exporter` for ``lang``, made once per thread and kept for its next reports.

    An exporter compiles its Jinja templates when it first renders (about a fifth of an
    export, 0.09 s a report), so a batch worker that exports report after report keeps its
    exporter. Each thread has its own: an export registers filters on its exporter. A kept
    exporter is made again when a file of the report template (:data:`TEMPLATES`: its
    HTML and CSS) was changed since, so that an edited template is used at once.

    Raises
    ------
    ValueError
        When ``lang`` is not an ISO 639-1 code.
    """
    kept = _THREAD_EXPORTERS.__dict__.setdefault("by_language", {})
    version = _template_version()
    if lang not in kept or kept[lang][0] != version:
        kept[lang] = (version, report_exporter(lang))
    return kept[lang][1]


def _template_version() -> tuple:
    """Name, size and modification time of every file of the report template."""
    return tuple(
        (path.as_posix(), stat.st_size, stat.st_mtime_ns)
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and (stat := path.stat())
    )


_THREAD_EXPORTERS = threading.local()


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
    resources = {
        "metadata": {"path": str(notebook_path.resolve().parent)},
        "report": {"running_header": report_facts(nb).get("running_header", title)},
    }
    body, _ = thread_exporter(lang).from_notebook_node(nb, resources=resources)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(fill_contents(body), encoding="utf-8")
    return html_path


def report_facts(nb: nbformat.NotebookNode) -> dict:
    """The report facts a notebook's outputs carry in their metadata (e.g. the running header).

    Returns
    -------
    dict
        Merged in cell order; empty when no output carries any.
    """
    facts = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            for per_type in output.get("metadata", {}).values():
                if isinstance(per_type, dict):
                    facts.update(per_type.get(REPORT_METADATA, {}))
    return facts


def fill_contents(page: str) -> str:
    """Fill the contents placeholder (``<nav id="contents">``) with links to the headings.

    Chapters (``h2``) and their sections (``h3``) with a ``sec-`` anchor are listed in page
    order as a nested list of ``<a href="#sec-...">`` links; a page without the placeholder is
    returned as it is.
    """
    placeholder = _CONTENTS.search(page)
    if placeholder is None:
        return page
    chapters: list[tuple[str, list[str]]] = []
    for level, anchor, text in _HEADING.findall(page, placeholder.end()):
        link = f'<a href="#{anchor}">{_TAG.sub("", text).strip()}</a>'
        if level == "2" or not chapters:
            chapters.append((link, []))
        else:
            chapters[-1][1].append(link)
    items = "".join(
        f"<li>{link}"
        + (f"<ol>{''.join(f'<li>{s}</li>' for s in sections)}</ol>" if sections else "")
        + "</li>"
        for link, sections in chapters
    )
    listing = f'<ol class="toc-list">{items}</ol>'
    return page[: placeholder.end(1)] + listing + page[placeholder.end(1) :]


def html_to_pdf(
    html_path: Path,
    pdf_path: Path,
    *,
    chromium: str | None = None,
    timeout: float = 120,
    browser: DevToolsBrowser | None = None,
) -> Path:
    """Print an HTML file to PDF with headless Chromium (page size and margins from its CSS).

    Every page gets the running header of the page's ``<meta name="running-header">`` and
    "Halaman x dari y" / "Page x of y" in the language of ``<html lang>``; the PDF gets an
    outline of the headings and keeps the page's links.

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
        Seconds before Chromium is given up (and, when it was started here, killed).
    browser : DevToolsBrowser, optional
        A running browser to print with (a batch worker keeps one open); started for this
        PDF and closed afterwards when None.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    PdfUnavailable
        When no browser is found.
    PdfPrintError
        When Chromium fails, times out, or returns an empty PDF.
    """
    html_path = Path(html_path)
    pdf_path = Path(pdf_path).resolve()
    options = print_options(html_path.read_text(encoding="utf-8"))
    own = browser is None
    try:
        if own:
            browser = DevToolsBrowser(chromium)
    except BrowserUnavailable as error:
        raise PdfUnavailable(str(error)) from None
    except OSError as error:
        raise PdfPrintError(
            f"Chromium could not be started to print {html_path}: {error}"
        ) from None
    try:
        data = browser.print_pdf(file_url(html_path), options, timeout)
    except TimeoutError:
        if own:
            browser.close(grace=0)
        raise PdfPrintError(f"Chromium did not print {html_path} within {timeout:g} s") from None
    except RuntimeError as error:
        if own:
            browser.close(grace=0)
        raise PdfPrintError(
            f"Chromium could not print {html_path} to {pdf_path}: {error}"
        ) from None
    if own:
        browser.close()
    if not data:
        raise PdfPrintError(f"Chromium could not print {html_path} to {pdf_path}: empty PDF")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    pdf_path.write_bytes(data)
    return pdf_path


def print_options(page: str) -> dict:
    """``Page.printToPDF`` options for an HTML page: A4 from its CSS, header, footer, outline.

    Parameters
    ----------
    page : str
        The HTML; its ``<meta name="running-header">`` and ``<html lang>`` (``id`` or ``en``;
        English for any other language) are read.

    Returns
    -------
    dict
    """
    head = _PageHead()
    head.feed(page[: page.find("<body")] if "<body" in page else page)
    running = html.escape(head.running_header)
    lang = head.lang if head.lang in LANGUAGES else "en"
    footer = t(
        lang,
        "pdf.page_of",
        page='<span class="pageNumber"></span>',
        total='<span class="totalPages"></span>',
    )
    return {
        "printBackground": True,
        "preferCSSPageSize": True,
        "displayHeaderFooter": True,
        "headerTemplate": (
            f'<div style="{_MARGIN_STYLE}white-space:nowrap;overflow:hidden;'
            f'text-overflow:ellipsis;">{running}</div>'
        ),
        "footerTemplate": f'<div style="{_MARGIN_STYLE}text-align:center;">{footer}</div>',
        "generateDocumentOutline": True,
        "generateTaggedPDF": True,
    }


class _PageHead(HTMLParser):
    """Reads ``<html lang>`` and ``<meta name="running-header">`` from a page's head."""

    def __init__(self):
        super().__init__()
        self.lang = ""
        self.running_header = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        elif tag == "meta" and attributes.get("name") == "running-header":
            self.running_header = attributes.get("content") or ""

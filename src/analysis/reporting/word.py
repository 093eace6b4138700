"""Every APA table of a report in one Word document (``tables.docx``), written with python-docx.

Most theses and journals in the field are written in Word, so the tables a report shows are also
delivered as Word tables a researcher can paste and restyle. The layout follows APA 7 (section
7.8): the table number in bold, the title in italics on the next line, horizontal rules above and
below the column headings and below the last row, no vertical rules, and a note under the table
that starts with an italic *Note.* (*Catatan.* in Indonesian). Cells hold the very strings the
HTML report shows, so both carry the same numbers. Tables with many columns get a landscape page.

python-docx has no API for table borders, repeating header rows or the proofing language, so
those few properties are written as WordprocessingML elements here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

#: Word's proofing language per report language.
WORD_LANGUAGES = {"id": "id-ID", "en": "en-US"}
#: Tables with more columns than this are put on a landscape page.
LANDSCAPE_COLUMNS = 8
#: Body font and size (APA 7 allows any legible font; tables may use a smaller size).
FONT = "Times New Roman"
BODY_SIZE = Pt(12)
TABLE_SIZE = Pt(10)
WIDE_TABLE_SIZE = Pt(8)


@dataclass
class ApaTable:
    """One table as the report shows it.

    Attributes
    ----------
    label : str
        ``Tabel 3`` / ``Table 3``.
    title : str
        The table's title.
    table : DataFrame
        The displayed table: translated headers, every cell a formatted string.
    note : str
        The note below the table without its ``Note.`` lead ("" for none).
    note_lead : str
        ``Catatan.`` / ``Note.``.
    """

    label: str
    title: str
    table: pd.DataFrame
    note: str = ""
    note_lead: str = "Note."


def write_tables_docx(
    tables: list[ApaTable],
    path: str | Path,
    *,
    lang: str,
    title: str,
    created: datetime | None = None,
) -> Path:
    """Write ``tables`` in APA style into one ``.docx`` file.

    Parameters
    ----------
    tables : list of ApaTable
        In report order.
    path : path
        The ``.docx`` to write; folders are created, an old file is replaced.
    lang : str
        ``id`` or ``en``: Word's proofing language for the text.
    title : str
        Document title (first line, and the file's title property).
    created : datetime, optional
        The file's creation time property (default: now).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When ``lang`` is not ``id`` or ``en``.
    """
    if lang not in WORD_LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; use one of id, en")
    document = Document()
    _page_setup(document.sections[0], landscape=False)
    _body_style(document, WORD_LANGUAGES[lang])
    document.core_properties.title = title
    document.core_properties.language = WORD_LANGUAGES[lang]
    if created is not None:
        document.core_properties.created = created
    heading = document.add_paragraph()
    heading.add_run(title).bold = True
    landscape = False
    for table in tables:
        wide = len(table.table.columns) > LANDSCAPE_COLUMNS
        if wide != landscape:
            _page_setup(document.add_section(WD_SECTION.NEW_PAGE), landscape=wide)
            landscape = wide
        _add_table(document, table, WIDE_TABLE_SIZE if wide else TABLE_SIZE)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def read_docx_tables(path: str | Path) -> list[pd.DataFrame]:
    """The tables of a ``.docx`` as string DataFrames (first row as the header).

    Returns
    -------
    list of pandas.DataFrame
        One per table, in document order.
    """
    frames = []
    for table in Document(str(path)).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        frames.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return frames


def _add_table(document, apa: ApaTable, size: Pt) -> None:
    number = document.add_paragraph()
    number.paragraph_format.space_before = Pt(12)
    number.paragraph_format.keep_with_next = True
    number.add_run(apa.label).bold = True
    title = document.add_paragraph()
    title.paragraph_format.keep_with_next = True
    title.add_run(apa.title).italic = True
    frame = apa.table
    table = document.add_table(rows=len(frame) + 1, cols=len(frame.columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _apa_borders(table)
    # row by row: python-docx's table.cell(r, c) lists every cell of the table on each call,
    # which made a 1,000-row table of the study report take minutes
    header, *body = table.rows
    for column, (cell, name) in enumerate(zip(header.cells, frame.columns, strict=True)):
        _fill(cell, str(name), size, column)
        _rule_below(cell)
    _repeat_header(header)
    for row, values in zip(body, frame.itertuples(index=False), strict=True):
        for column, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            _fill(cell, "" if pd.isna(value) else str(value), size, column)
        _keep_row_whole(row)
    if apa.note:
        note = document.add_paragraph()
        note.paragraph_format.space_before = Pt(4)
        note.add_run(apa.note_lead).italic = True
        note.add_run(" " + apa.note)
        for run in note.runs:
            run.font.size = size


def _fill(cell, text: str, size: Pt, column: int) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if column == 0 else WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.add_run(text).font.size = size


def _page_setup(section, *, landscape: bool) -> None:
    """A4 with APA's 2.54 cm margins, portrait or landscape."""
    short, long = Cm(21.0), Cm(29.7)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.54))


def _body_style(document, language: str) -> None:
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = BODY_SIZE
    properties = style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    properties.append(lang)


def _border(name: str, kind: str = "single", size: int = 8) -> OxmlElement:
    element = OxmlElement(f"w:{name}")
    element.set(qn("w:val"), kind)
    element.set(qn("w:sz"), str(size))  # eighths of a point
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000" if kind != "nil" else "auto")
    return element


def _apa_borders(table) -> None:
    """A rule above the table and below its last row; no vertical or inner rules."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for name in ("top", "bottom"):
        borders.append(_border(name))
    for name in ("left", "right", "insideH", "insideV"):
        borders.append(_border(name, "nil"))
    properties.append(borders)


def _rule_below(cell) -> None:
    """The rule under the column headings."""
    properties = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    borders.append(_border("bottom"))
    properties.append(borders)


def _repeat_header(row) -> None:
    """Repeat the heading row on every page a long table runs over."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)
    _keep_row_whole(row)


def _keep_row_whole(row) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))

"""Read any tabular export (delimited text or one sheet of an ``.xlsx``) as strings by row.

Every reader of spreadsheet-like exports (Google Forms, Qualtrics, KoboToolbox, ODK Central, plain
tables) starts here, so the choice between the text front end (:mod:`analysis.io.text`) and the
workbook reader (:mod:`analysis.io.excel`), and the notes saying how a file was read, exist once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.io.excel import list_sheets, read_xlsx_table
from analysis.io.text import read_compact_table, read_text_table

#: Extensions read as Excel workbooks; everything else goes to the delimited-text front end.
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm")


@dataclass
class Table:
    """One table of an export file, with how it was read.

    Attributes
    ----------
    frame : pandas.DataFrame
        One string column per header, index ``source_row`` (the spreadsheet row).
    notes : list of str
        How the file was read: ``read with encoding utf-8, delimiter ';'`` for text,
        ``read sheet "Form Responses 1"`` for a workbook.
    other_sheets : list of str
        The workbook's sheets that were not read (empty for text files).
    """

    frame: pd.DataFrame
    notes: list[str]
    other_sheets: list[str] = field(default_factory=list)


def is_workbook(path: Path) -> bool:
    """True when ``path`` is read as an Excel workbook (by its extension)."""
    return Path(path).suffix.lower() in WORKBOOK_EXTENSIONS


def read_table(path: Path, sheet: str | None = None, *, compact: bool = False) -> Table:
    """Read a delimited text file, or one worksheet of a workbook, into a :class:`Table`.

    Parameters
    ----------
    path : Path
        The export.
    sheet : str, optional
        Worksheet of a workbook (the first when omitted); ignored for text files.
    compact : bool
        Return a text file's repetitive columns as categories of their cell strings
        (:func:`analysis.io.text.read_compact_table`).

    Returns
    -------
    Table
        See :class:`Table`.

    Raises
    ------
    InputError
        Whatever the text or workbook reader finds wrong with the file.
    """
    path = Path(path)
    if is_workbook(path):
        frame, name = read_xlsx_table(path, sheet)
        others = [other for other in list_sheets(path) if other != name]
        return Table(frame, [f'read sheet "{name}"'], others)
    table = read_compact_table(path) if compact else read_text_table(path)
    notes = [f"read with encoding {table.encoding}, delimiter {table.delimiter!r}"]
    return Table(table.frame, notes)

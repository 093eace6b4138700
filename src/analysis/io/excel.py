"""Read Excel workbooks (``.xlsx``) as string tables indexed by spreadsheet row, like CSV files.

Cells come back as the text a researcher sees: real Excel dates as ISO strings, whole numbers
without a spurious ``.0``, ``TRUE``/``FALSE`` for booleans. Headers lose Excel's escaped line
breaks (``_x000a_``) and are made unique the way Google Sheets does. Readers reach workbooks
through :func:`analysis.io.tabular.read_table`.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from analysis.errors import InputError
from analysis.io.files import open_input
from analysis.io.text import unique_headers

#: Largest magnitude whose float value is written as an exact integer (beyond it, floats such as
#: Excel-mangled ids ``1.23457E+18`` keep their float text instead of invented digits).
_EXACT_INTEGER = 1e15

_LINE_BREAK = re.compile(r"\s*(?:_x000d_|_x000a_|\r\n|\r|\n)+\s*", re.IGNORECASE)


def cell_text(value) -> str:
    """Return the text of one openpyxl cell value (``""`` for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        spec = "milliseconds" if value.microsecond else "seconds"
        return value.isoformat(sep=" ", timespec=spec)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INTEGER:
        return str(int(value))
    return str(value)


def clean_header(text: str) -> str:
    """Replace line breaks (real or escaped as ``_x000a_``) by one space and strip the ends."""
    return _LINE_BREAK.sub(" ", text).strip()


def list_sheets(path: Path) -> list[str]:
    """Names of the worksheets of the workbook at ``path``, in workbook order."""
    workbook = _open_workbook(Path(path))
    try:
        return [sheet.title for sheet in workbook.worksheets]
    finally:
        workbook.close()


def read_xlsx_table(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read one worksheet into a string DataFrame indexed by spreadsheet row number.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` workbook.
    sheet : str, optional
        Worksheet name; the first worksheet when omitted.

    Returns
    -------
    frame : pandas.DataFrame
        One ``string`` column per header of row 1 (line breaks in headers replaced by a space,
        repeated headers suffixed `` 2``, `` 3``); index ``source_row`` = the 1-based row Excel
        shows. Blank rows are skipped; columns with neither a header nor any value (formatting
        left-overs) are left out.
    sheet : str
        Name of the worksheet read.

    Raises
    ------
    InputError
        When the file is not a readable workbook, has no worksheets, lacks ``sheet``, has an
        empty first row (the hint names the other sheets when the first one was read by
        default), or has values in a column without a header.
    """
    path = Path(path)
    name, rows, others = _sheet_rows(path, sheet)
    if not rows or not any(value is not None for value in rows[0]):
        hint = None
        if sheet is None and others:
            hint = (
                f'sheet "{name}" is read because it is the first; the workbook also has '
                + ", ".join(f'"{o}"' for o in others)
                + ": move the responses to the first sheet or delete the empty one"
            )
        raise InputError(
            f'row 1 of sheet "{name}" is empty; expected the header row',
            path=path,
            row=1,
            hint=hint,
        )
    grid = pd.DataFrame(rows, index=pd.RangeIndex(1, len(rows) + 1), dtype=object)
    text = grid.map(cell_text)
    header = text.iloc[0].map(clean_header)
    body = text.iloc[1:]
    body = body[(body != "").any(axis=1)]
    filled = (body != "").any(axis=0)
    unnamed = (header == "") & filled
    if unnamed.any():
        position = int(unnamed[unnamed].index[0])
        first = int(body.index[body[position] != ""][0])
        raise InputError(
            f"column {get_column_letter(position + 1)} holds values but has no header",
            path=path,
            row=first,
            hint="give the column a header in row 1 or delete it",
        )
    keep = (header != "") | filled
    frame = body.loc[:, keep]
    frame.columns = unique_headers(list(header[keep]))
    frame.index.name = "source_row"
    return frame.astype("string"), name


def _open_workbook(path: Path):
    """The workbook, opened read-only once :func:`analysis.io.files.open_input` let it pass."""
    open_input(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many unrelated types for damaged files
        raise InputError(
            f"cannot be opened as an Excel .xlsx workbook ({type(error).__name__}: {error})",
            path=path,
            hint="open it in Excel or LibreOffice and save it again as .xlsx",
        ) from error


def _sheet_rows(path: Path, sheet: str | None) -> tuple[str, list[tuple], list[str]]:
    """The name and rows of ``sheet`` (the first when None), and the other sheets' names."""
    workbook = _open_workbook(path)
    try:
        names = [ws.title for ws in workbook.worksheets]
        if not names:
            raise InputError(
                "the workbook has no worksheets; expected one with a header row", path=path
            )
        if sheet is not None and sheet not in names:
            raise InputError(
                f'has no sheet "{sheet}"', path=path, hint="sheets: " + ", ".join(names)
            )
        name = sheet if sheet is not None else names[0]
        rows = list(workbook[name].iter_rows(values_only=True))
    finally:
        workbook.close()
    return name, rows, [n for n in names if n != name]

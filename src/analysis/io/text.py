"""Read delimited text exports as they really arrive: any common encoding and delimiter.

Handles UTF-8 with or without BOM, UTF-16 (with BOM), Windows-1252, comma / semicolon / tab
separators and Excel's ``sep=`` first line. Every cell is returned as a string, so nothing is
re-interpreted before the codebook says what a column means.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import InputError


@dataclass
class TextTable:
    """A delimited file read as strings, with what was detected about it."""

    frame: pd.DataFrame
    encoding: str
    delimiter: str
    header_row: int  # 1-based row of the header line in the file


def detect_encoding(raw: bytes) -> str:
    """Return the encoding of ``raw``: BOM first, then strict UTF-8, else Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode_file(path: Path) -> tuple[str, str]:
    """Read ``path`` and return ``(text, encoding)``; raise InputError for empty files."""
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    encoding = detect_encoding(raw)
    return raw.decode(encoding), encoding


def sniff_delimiter(header_line: str) -> str:
    """Guess the delimiter from the header line: the most frequent of ``,`` ``;`` tab."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_text_table(path: Path, header_rows: int = 1) -> TextTable:
    """Read a delimited file into a string DataFrame indexed by spreadsheet row number.

    Parameters
    ----------
    path : Path
        The export file.
    header_rows : int
        Number of header lines; the first is used as column names, the others are returned as
        the first rows of ``frame`` with their row numbers (callers drop them).

    Returns
    -------
    TextTable
        ``frame`` has one string column per header (duplicated headers get `` 2``, `` 3`` as
        Google Sheets does) and index = 1-based spreadsheet row of each record.
    """
    text, encoding = decode_file(path)
    first_line, _, rest = text.partition("\n")
    skipped = 0
    if first_line.strip().lower().startswith("sep="):
        delimiter = first_line.strip()[4:5] or ","
        text, skipped = rest, 1
    else:
        delimiter = sniff_delimiter(first_line)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError("the first line is empty; expected the header row", path=path, row=1)
    header = [cell.strip() for cell in rows[0]]
    width = len(header)
    records = rows[1:]
    index = []
    data = []
    for offset, record in enumerate(records, start=2 + skipped):
        if not any(cell.strip() for cell in record):
            continue  # blank line: not a data row
        if len(record) > width:
            raise InputError(
                f"has {len(record)} fields but the header has {width}; the delimiter may be "
                f"wrong or a quote is unbalanced",
                path=path,
                row=offset,
            )
        data.append(record + [""] * (width - len(record)))
        index.append(offset)
    frame = pd.DataFrame(
        data, columns=unique_headers(header), index=pd.Index(index, name="source_row")
    )
    return TextTable(
        frame=frame.astype("string"), encoding=encoding, delimiter=delimiter, header_row=1 + skipped
    )


def unique_headers(headers: list[str]) -> list[str]:
    """Make headers unique as Google Sheets does: a repeated title gets `` 2``, `` 3`` ..."""
    seen: dict[str, int] = {}
    out = []
    for name in headers:
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name} {count}")
    return out

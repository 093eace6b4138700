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


def _single_byte_encoding(path: Path) -> str:
    """Windows-1252 when every byte is defined there, else Latin-1 (which decodes anything)."""
    try:
        Path(path).read_bytes().decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"
    return "cp1252"


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


def read_text_table(path: Path) -> TextTable:
    """Read a delimited file into a string DataFrame indexed by spreadsheet row number.

    Parsing is done by pandas' C reader (vectorised, Arrow-backed strings); every cell stays a
    string, empty cells are ``""``.

    Parameters
    ----------
    path : Path
        The export file.

    Returns
    -------
    TextTable
        ``frame`` has one string column per header (duplicated headers get `` 2``, `` 3`` as
        Google Sheets does) and index = 1-based spreadsheet row of each record (header = row
        1, or 2 after a ``sep=`` line). Blank lines are skipped but keep their row numbers.

    Raises
    ------
    InputError
        Empty file, empty header, or a record with more fields than the header (its row).
    """
    with Path(path).open("rb") as stream:
        head = stream.read(1 << 16)
    if not head.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    encoding = detect_encoding(head[: len(head) - 4] if len(head) == 1 << 16 else head)
    first_line = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n")[0]
    skipped = 0
    if first_line.strip().lower().startswith("sep="):
        delimiter, skipped = first_line.strip()[4:5] or ",", 1
    else:
        delimiter = sniff_delimiter(first_line)
    try:
        grid = _read_grid(path, encoding, delimiter, skipped)
    except UnicodeDecodeError:  # valid UTF-8 at the start only: a Windows-1252 file
        encoding = _single_byte_encoding(path)
        grid = _read_grid(path, encoding, delimiter, skipped)
    except pd.errors.ParserError:
        text = Path(path).read_bytes().decode(encoding, errors="replace")
        if skipped:
            text = text.partition("\n")[2]
        raise _ragged_row_error(path, text, delimiter, skipped) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file has no header row", path=path, row=1) from None
    short = grid.isna().any(axis=1)  # empty cells are "", so NaN marks a record cut short
    if short.any():
        number = int(short.to_numpy().argmax())
        fields = int(grid.iloc[number].notna().sum())
        raise InputError(
            f"has {fields} fields but the header has {grid.shape[1]}; the file may be cut off "
            "or a line break is not quoted",
            path=path,
            row=number + 1 + skipped,
        )
    header = [str(cell).strip() for cell in grid.iloc[0]]
    if not any(header):
        raise InputError(
            "the first line is empty; expected the header row", path=path, row=1 + skipped
        )
    frame = grid.iloc[1:].set_axis(unique_headers(header), axis=1)
    frame.index = pd.Index(frame.index + 1 + skipped, name="source_row")
    blank = (frame == "").all(axis=1)
    return TextTable(
        frame=frame[~blank], encoding=encoding, delimiter=delimiter, header_row=1 + skipped
    )


def _read_grid(path: Path, encoding: str, delimiter: str, skipped: int) -> pd.DataFrame:
    """All cells of the file as strings (header included as the first row)."""
    return pd.read_csv(
        path,
        sep=delimiter,
        header=None,
        dtype=str,
        keep_default_na=False,
        skip_blank_lines=False,
        engine="c",
        encoding=encoding,
        skiprows=skipped,
    )


def _ragged_row_error(path: Path, text: str, delimiter: str, skipped: int) -> InputError:
    """Find the first record with more fields than the header (slow path, errors only)."""
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = len(next(records))
    for number, record in enumerate(records, start=2 + skipped):
        if len(record) > width:
            return InputError(
                f"has {len(record)} fields but the header has {width}; the delimiter may be "
                "wrong or a quote is unbalanced",
                path=path,
                row=number,
                column=None,
            )
    return InputError("cannot be read as a delimited table (unbalanced quotes?)", path=path)


def unique_headers(headers: list[str]) -> list[str]:
    """Make headers unique as Google Sheets does: a repeated title gets `` 2``, `` 3`` ..."""
    seen: dict[str, int] = {}
    out = []
    for name in headers:
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name} {count}")
    return out

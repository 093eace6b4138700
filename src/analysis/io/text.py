"""Read delimited text exports as they really arrive: any common encoding and delimiter.

Handles UTF-8 with or without BOM, UTF-16 (with BOM), Windows-1252, comma / semicolon / tab
separators and Excel's ``sep=`` first line. This is the one front end of every delimited-text
reader (Google Forms, Qualtrics, KoboToolbox, ODK Central, plain tables, post exports): the file
checks of :func:`analysis.io.files.open_input`, the line-length limit, the encoding, the BOM and
the delimiter are decided here and nowhere else. Every cell is returned as a string, so nothing is
re-interpreted before the codebook says what a column means.

Large files are parsed in byte ranges on several threads by pandas' C reader (each range starts
and ends at a line break). Whenever a range cannot be read on its own (a quoted line break at a
range boundary, a record with too many fields, a byte that is not in the encoding) the whole file
is read again in one pass, which also finds the row to report, so the result never depends on
how the file was split.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import io
import mmap
import os
import re
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.errors import InputError
from analysis.io.files import check_line_lengths, open_input

#: Fewest and most bytes of the file one parsing task reads (the first reads the fewest).
MIN_RANGE_BYTES, MAX_RANGE_BYTES = 1 << 20, 32 << 20
#: Encodings in which a ``\n`` byte is always a line break, so a file can be split at any one.
SPLITTABLE = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252"}


@dataclass
class TextTable:
    """A delimited file read as strings, with what was detected about it."""

    frame: pd.DataFrame
    encoding: str
    delimiter: str
    header_row: int  # 1-based row of the header line in the file


class _Unsplittable(Exception):
    """A byte range that cannot be parsed on its own: read the file in one pass instead."""


def _single_byte_encoding(path: Path) -> str:
    """Windows-1252 when every byte is defined there, else Latin-1 (which decodes anything).

    Raises InputError when the file also holds valid UTF-8 characters: it mixes encodings, and
    reading it either way would garble part of the answers.
    """
    raw = Path(path).read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if re.search(rb"[\xc2-\xf4][\x80-\xbf]+", raw):
            byte = raw[error.start]
            raise InputError(
                f"byte 0x{byte:02X} is not UTF-8, but the rest of the file is UTF-8: it mixes "
                "encodings (this byte looks like Windows-1252)",
                path=path,
                row=raw[: error.start].count(b"\n") + 1,
                hint="open it in a spreadsheet and save it again as CSV UTF-8",
            ) from None
    try:
        raw.decode("cp1252")
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


def read_text(path: Path) -> tuple[str, str, str]:
    """The whole text of a delimited file below an Excel ``sep=`` line, decoded as detected.

    For readers that split records themselves (Qualtrics' header rows); they get the same
    checks, encoding and delimiter as :func:`read_text_table`.

    Returns
    -------
    text, encoding, delimiter : str

    Raises
    ------
    InputError
        As :func:`read_text_table` for the file as a whole (missing, not a regular file, empty,
        a line over the length limit, an empty header line, mixed encodings).
    """
    encoding, delimiter, skipped = _sniff(Path(path))
    text = Path(path).read_bytes().decode(encoding, errors="replace").lstrip("\ufeff")
    for _ in range(skipped):
        text = text.partition("\n")[2]
    return text, encoding, delimiter


def read_header(path: Path) -> list[str]:
    """The header cells of a delimited file, reading no more than the header record.

    Raises
    ------
    InputError
        As :func:`read_text`, or when the header record cannot be split into fields.
    """
    encoding, delimiter, skipped = _sniff(Path(path))
    with Path(path).open(encoding=encoding, errors="replace", newline="") as stream:
        for _ in range(skipped):
            stream.readline()
        try:
            header = next(csv.reader(stream, delimiter=delimiter), [])
        except csv.Error as error:
            raise InputError(
                f"the header row cannot be split into fields ({error})", path=path, row=1 + skipped
            ) from None
    return [cell.strip().lstrip("\ufeff") for cell in header]


def sniff_delimiter(header_line: str, data_lines: list[str] = ()) -> str:
    """Guess the delimiter among ``,`` ``;`` and tab.

    With data lines, the delimiter that splits the header and every data line into the same
    number (> 1) of fields wins, the most fields first; otherwise the one most frequent in the
    header line. Ties in the header favour tab, then semicolon (commas occur inside answers).
    """
    candidates = ("\t", ";", ",")
    if data_lines:
        consistent = {}
        for delimiter in candidates:
            widths = {
                len(next(csv.reader([line], delimiter=delimiter)))
                for line in [header_line, *data_lines]
            }
            if len(widths) == 1 and widths.pop() > 1:
                consistent[delimiter] = header_line.count(delimiter)
        if consistent:
            return max(consistent, key=consistent.get)
    counts = {d: header_line.count(d) for d in candidates}
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
    return _read_table(Path(path), compact=False)


def read_compact_table(path: Path) -> TextTable:
    """Like :func:`read_text_table`, with the columns that repeat a few values as categories.

    A column whose distinct values are at most half its rows (answer labels, agency names,
    durations) comes back as a pandas ``category`` whose categories are the cell strings, so
    each cell takes one small integer instead of a string. The cells are the same strings.

    Parameters
    ----------
    path : Path
        The export file.

    Returns
    -------
    TextTable
        As :func:`read_text_table`, except for the dtype of the repetitive columns.

    Raises
    ------
    InputError
        As :func:`read_text_table`.
    """
    return _read_table(Path(path), compact=True)


def _read_table(path: Path, compact: bool) -> TextTable:
    """Read ``path`` in parallel byte ranges, else in one pass (see the module docstring)."""
    encoding, delimiter, skipped = _sniff(path)
    try:
        header, frame = _read_ranges(path, encoding, delimiter, skipped, compact)
    except _Unsplittable:
        header, frame, encoding = _read_whole(path, encoding, delimiter, skipped)
        frame = _compact(frame) if compact else frame
    if not any(header):
        raise InputError(
            "the first line is empty; expected the header row", path=path, row=1 + skipped
        )
    frame.columns = unique_headers(header)
    frame.index = pd.RangeIndex(2 + skipped, 2 + skipped + len(frame), name="source_row")
    _check_last_record(path, encoding, delimiter, len(header), frame.index)
    blank = _blank_rows(frame)
    return TextTable(
        frame=frame[~blank] if blank.any() else frame,
        encoding=encoding,
        delimiter=delimiter,
        header_row=1 + skipped,
    )


def _check_last_record(path: Path, encoding: str, delimiter: str, width: int, rows) -> None:
    """Raise InputError when the last line has fewer fields than the header.

    A download cut off mid-record leaves a short last line, which a CSV parser silently pads
    with empty cells. A last line inside a quoted multi-line cell (odd number of quotes) is
    left to the parser.
    """
    with Path(path).open("rb") as stream:
        stream.seek(max(0, Path(path).stat().st_size - (1 << 16)))
        tail = stream.read().decode(encoding, errors="replace")
    lines = [line for line in tail.splitlines() if line.strip()]
    if len(rows) == 0 or not lines or lines[-1].count('"') % 2:
        return
    fields = next(csv.reader([lines[-1]], delimiter=delimiter))
    if len(fields) < width:
        raise InputError(
            f"has {len(fields)} fields but the header has {width}; the file may be cut off "
            "or a line break is not quoted",
            path=path,
            row=int(rows[-1]),
        )


def _sniff(path: Path) -> tuple[str, str, int]:
    """Encoding, delimiter and number of lines before the header (1 after ``sep=``).

    The file is checked first (:func:`analysis.io.files.open_input`, then no line may exceed
    :data:`analysis.io.files.MAX_LINE_BYTES`), and a header line that holds no header (only
    delimiters and spaces) is refused before the rest of the file is read.
    """
    check_line_lengths(path, open_input(path).size)
    with Path(path).open("rb") as stream:
        head = stream.read(1 << 16)
    if not head.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    encoding = detect_encoding(head[: len(head) - 4] if len(head) == 1 << 16 else head)
    if encoding == "cp1252":
        encoding = _single_byte_encoding(path)  # raises when the file mixes in UTF-8
    lines = head.decode(encoding, errors="replace").lstrip("\ufeff").split("\n")
    skipped = int(lines[0].strip().lower().startswith("sep="))
    if len(lines) > 1 + skipped and not lines[skipped].strip(" \t\r,;"):
        raise InputError(
            "the first line is empty; expected the header row", path=path, row=1 + skipped
        )
    if skipped:
        return encoding, lines[0].strip()[4:5] or ",", 1
    data = [line.rstrip("\r") for line in lines[1:6] if line.strip() and '"' not in line]
    if len(lines) <= 6:  # the whole file is in ``head``: no line was cut by the 64 KiB read
        data = data[: len(lines) - 1]
    return encoding, sniff_delimiter(lines[0].rstrip("\r"), data[:-1] or data), 0


def _read_whole(
    path: Path, encoding: str, delimiter: str, skipped: int
) -> tuple[list[str], pd.DataFrame, str]:
    """Header cells, data cells and encoding, read in one pass; errors name their row."""
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
    return header, grid.iloc[1:].reset_index(drop=True), encoding


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


def _read_ranges(
    path: Path, encoding: str, delimiter: str, skipped: int, compact: bool
) -> tuple[list[str], pd.DataFrame]:
    """Header cells and data cells, the data parsed in byte ranges on several threads.

    The first range is parsed alone: it shows which columns the C reader would turn into
    numbers (read as text from then on) and, when ``compact``, which columns repeat values.

    Raises
    ------
    _Unsplittable
        When the file or one of its ranges cannot be parsed this way.
    """
    if encoding not in SPLITTABLE:
        raise _Unsplittable
    header, start = _header_line(path, encoding, delimiter, skipped)
    workers = _cpu_count()
    bounds = _range_bounds(path, start, workers)
    if len(bounds) < 2:
        raise _Unsplittable  # no data rows: the one-pass reader gives the empty table
    reader = _RangeReader(path, SPLITTABLE[encoding], delimiter, len(header))
    with warnings.catch_warnings():  # mixed-type chunks are re-read as text, see parse()
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        first = reader.parse(bounds[0], bounds[1])
        if compact:
            reader.categories = {k: {} for k in _repetitive(first)}
        parts = [reader.compact(first)]
        if len(bounds) > 2:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts += pool.map(reader.read, bounds[1:-1], bounds[2:])
    frame = _concat(parts, reader)
    if len(parts) > 1:
        del parts, first
        _release_freed_memory()
    return header, frame


def _header_line(path: Path, encoding: str, delimiter: str, skipped: int) -> tuple[list, int]:
    """Header cells and the byte offset where the data start (the header must be one line)."""
    with Path(path).open("rb") as stream:
        for _ in range(skipped):
            stream.readline()
        line = stream.readline()
        start = stream.tell()
    try:
        cells = pd.read_csv(
            io.BytesIO(line),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            encoding=encoding,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        raise _Unsplittable from None
    if len(cells) != 1:
        raise _Unsplittable
    return [str(cell).strip() for cell in cells.iloc[0]], start


def _range_bounds(path: Path, start: int, workers: int) -> list[int]:
    """Offsets ``start = b0 < b1 < ... < bn = size`` of the byte ranges to parse.

    Each ``bk`` follows a line break, and blank lines stay at the end of a range (a range must
    not start with a one-field record). The first range holds about :data:`MIN_RANGE_BYTES`,
    the others a quarter of the rest per worker, within :data:`MIN_RANGE_BYTES` and
    :data:`MAX_RANGE_BYTES`.
    """
    size = Path(path).stat().st_size
    step = min(MAX_RANGE_BYTES, max(MIN_RANGE_BYTES, (size - start) // (4 * workers)))
    bounds = [start]
    target = start + MIN_RANGE_BYTES
    with Path(path).open("rb") as stream:
        while target < size:
            stream.seek(target)
            stream.readline()
            while _at_blank_line(stream):
                stream.readline()
            if stream.tell() >= size:
                break
            bounds.append(stream.tell())
            target = bounds[-1] + step
    return [*bounds, size] if size > start else bounds


def _at_blank_line(stream: io.BufferedReader) -> bool:
    """True when the next line of ``stream`` is empty."""
    ahead = stream.peek(2)[:2]
    return ahead[:1] == b"\n" or ahead == b"\r\n"


class _RangeReader:
    """Parses byte ranges of one file into string frames (thread-safe).

    Columns that are keys of :attr:`categories` come back from :meth:`read` as integer codes
    into a text -> code mapping the ranges share.
    """

    def __init__(self, path: Path, encoding: str, delimiter: str, width: int) -> None:
        self.path = path
        self.width = width
        self.options = {
            "sep": delimiter,
            "header": None,
            "na_filter": False,
            "skip_blank_lines": False,
            "engine": "c",
            "encoding": encoding,
        }
        self.text_columns: set[int] = set()  # columns the C reader would turn into numbers
        self.categories: dict[int, dict[str, int]] = {}
        self.lock = threading.Lock()

    def read(self, start: int, stop: int) -> pd.DataFrame:
        """The cells of the records in ``[start, stop)``, compacted (see :meth:`compact`)."""
        return self.compact(self.parse(start, stop))

    def parse(self, start: int, stop: int) -> pd.DataFrame:
        """The cells of the records in ``[start, stop)`` as strings, ``width`` columns.

        The C reader reads the range from a memory map of the file (no copy of its bytes).
        """
        base = start - start % mmap.ALLOCATIONGRANULARITY
        with self.path.open("rb") as stream:
            try:
                data = mmap.mmap(stream.fileno(), stop - base, offset=base, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # a file that cannot be mapped
                raise _Unsplittable from None
            with data:
                return self._parse(data, start - base)

    def _parse(self, data: mmap.mmap, start: int) -> pd.DataFrame:
        """Parse ``data`` from ``start``; columns that come out as numbers are read again as
        text (and as text in every later range)."""
        while True:
            with self.lock:
                dtype = dict.fromkeys(self.text_columns, str)
            data.seek(start)
            try:
                frame = pd.read_csv(data, dtype=dtype, **self.options)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                raise _Unsplittable from None
            numeric = {
                k for k, column in frame.items() if not isinstance(column.dtype, pd.StringDtype)
            }
            if not numeric:
                break
            with self.lock:
                self.text_columns |= numeric
        if frame.shape[1] > self.width:
            raise _Unsplittable
        for k in range(frame.shape[1], self.width):  # short records are padded with ""
            frame[k] = pd.Series("", index=frame.index, dtype="str")
        return frame

    def compact(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the columns of :attr:`categories` replaced by their codes."""
        for k, known in self.categories.items():
            codes, uniques = pd.factorize(frame[k])
            with self.lock:
                mapping = [known.setdefault(text, len(known)) for text in uniques.tolist()]
            frame[k] = np.asarray(mapping, dtype=np.min_scalar_type(-len(known)))[codes]
        return frame

    def categorical(self, k: int, codes: np.ndarray) -> pd.Categorical:
        """Column ``k`` as a categorical, from the codes of all ranges."""
        return pd.Categorical.from_codes(codes, categories=list(self.categories[k]))


def _repetitive(frame: pd.DataFrame) -> list[int]:
    """Columns whose distinct values are at most half the rows."""
    return [k for k, column in frame.items() if column.nunique() <= max(1, len(frame) // 2)]


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its repetitive columns (see :func:`_repetitive`) as categories."""
    repetitive = _repetitive(frame)
    return frame.astype(dict.fromkeys(repetitive, "category")) if repetitive else frame


def _concat(parts: list[pd.DataFrame], reader: _RangeReader) -> pd.DataFrame:
    """Stack the range frames column by column: categories from their shared codes, strings
    copied into one buffer per column (so the ranges' memory can be handed back)."""
    columns = {}
    for k in parts[0].columns:
        pieces = [part[k] for part in parts]
        if k in reader.categories:
            columns[k] = reader.categorical(k, np.concatenate([p.to_numpy() for p in pieces]))
        else:
            chunked = pa.array(pd.concat(pieces, ignore_index=True).array, pa.large_string())
            whole = chunked.combine_chunks() if isinstance(chunked, pa.ChunkedArray) else chunked
            columns[k] = pd.array(whole, dtype="str")
    return pd.DataFrame(columns)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose cells are all ``""``, checking each column only for the rows still blank."""
    blank = np.ones(len(frame), dtype=bool)
    for _, column in frame.items():
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows] = (column.iloc[rows] == "").to_numpy(dtype=bool, na_value=False)
    return blank


def _release_freed_memory() -> None:
    """Hand the memory the parsing threads freed back to the system.

    glibc keeps freed memory in per-thread pools that later work on the main thread cannot
    reuse; ``malloc_trim`` releases it. Elsewhere (no glibc) this does nothing.
    """
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).malloc_trim(0)


def _cpu_count() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _ragged_row_error(path: Path, text: str, delimiter: str, skipped: int) -> InputError:
    """Find the first record whose field count differs from the header's (errors only).

    A quote that is never closed swallows the rest of the file into one record, which then
    has too few fields: that record's row is where the quote opens.
    """
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = len(next(records))
    for number, record in enumerate(records, start=2 + skipped):
        if record and len(record) != width:
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

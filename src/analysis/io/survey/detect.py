"""Recognise which tool exported a survey file and read it with the matching reader.

The extension says which family a file belongs to (``.sav`` SPSS, ``.dta`` Stata, ``.xlsx``
workbook, ``.csv``/``.tsv``/``.txt`` delimited text) and the first bytes must agree. Workbooks and
text files are then told apart by their header row (export_formats.md §9.2): a Google Forms
timestamp first column, Qualtrics ``StartDate`` + ``ResponseId`` (or ``V1`` ... ``V10``),
KoboToolbox ``_uuid`` + ``_submission_time``, ODK Central ``SubmissionDate`` + ``KEY``. Anything
else is a plain table, read with the configured timestamp and id columns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import InputError, did_you_mean, raise_first_bad
from analysis.io.excel import read_xlsx_table
from analysis.io.files import open_input
from analysis.io.labels import fold_header
from analysis.io.numbers import parse_decimal
from analysis.io.raw import RawSurvey
from analysis.io.survey.google_forms import looks_like_google_forms, read_google_forms
from analysis.io.survey.kobo import read_kobo, read_odk
from analysis.io.survey.qualtrics import LEGACY_IDS, read_qualtrics
from analysis.io.survey.spss import read_spss, read_stata
from analysis.io.tabular import is_workbook, read_table
from analysis.io.text import read_header
from analysis.io.timestamps import (
    check_timezone,
    parse_timestamps,
)

#: Extension -> the kind of content it must hold.
EXTENSIONS = {
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
    ".xlsx": "zip",
    ".xlsm": "zip",
    ".sav": "spss",
    ".zsav": "spss",
    ".dta": "stata",
}

KIND_NAMES = {
    "text": "delimited text",
    "zip": "a ZIP container (an .xlsx workbook, or a zipped export such as ODK's .csv.zip)",
    "spss": "an SPSS data file",
    "stata": "a Stata data file",
    "ole": "an old-style Excel .xls workbook",
    "binary": "binary data",
    "utf16": "UTF-16 text without a byte-order mark",
}

#: Header fingerprints tried on text and workbook files, in order:
#: (format, what it looks for, test on (headers, normalised header set)).
FINGERPRINTS = (
    (
        "google_forms",
        "first column Timestamp / Stempel waktu / Carimbo de data/hora / Marca temporal",
        lambda headers, names: looks_like_google_forms(headers),
    ),
    (
        "qualtrics",
        "StartDate and ResponseId, or V1 ... V10 (legacy)",
        lambda headers, names: (
            tuple(headers[: len(LEGACY_IDS)]) == LEGACY_IDS or {"startdate", "responseid"} <= names
        ),
    ),
    (
        "kobo",
        "_submission_time and _uuid (or _id)",
        lambda headers, names: "_submission_time" in names and bool(names & {"_uuid", "_id"}),
    ),
    ("odk", "SubmissionDate and KEY", lambda headers, names: {"submissiondate", "key"} <= names),
)

#: Headers that betray an export tool even when its fingerprint column was removed:
#: (tool, normalised headers that identify it, the fingerprint column it then must have).
NEAR_MISSES = (
    ("an ODK Central export", {"key", "meta-instanceid"}, "SubmissionDate"),
    ("a KoboToolbox export", {"_uuid", "_index"}, "_submission_time"),
    ("a KoboToolbox export", {"_id", "_uuid"}, "_submission_time"),
)

COMMON_OPTIONS = frozenset({"timezone"})
TABLE_OPTIONS = frozenset({"timezone", "date_order", "timestamp_column", "id_column", "sheet"})


def detect_format(path: Path) -> str:
    """Return the format of ``path``: one of the keys of :data:`READERS`.

    Raises
    ------
    InputError
        When the file is missing, its extension is not supported, or its content does not
        match its extension (e.g. a ``.sav`` that is not an SPSS file; see
        :func:`check_content`); the message lists what was tried. Also when the headers show an
        export tool whose fingerprint column is missing (an ODK Central file without
        ``SubmissionDate``, a Kobo file without ``_submission_time``: :data:`NEAR_MISSES`)
        rather than reading it as a plain table without submission times.
    """
    path = Path(path)
    kind = check_content(path)
    if kind == "spss":
        return "spss"
    if kind == "stata":
        return "stata"
    headers = list(read_xlsx_table(path)[0].columns) if kind == "zip" else read_header(path)
    found = fingerprint(headers)
    if found is None:
        _check_near_miss(headers, path)
    return found or ("xlsx" if kind == "zip" else "csv")


def check_content(path: Path) -> str:
    """Check that ``path`` exists and that its first bytes agree with its extension.

    Returns the content kind (a key of :data:`KIND_NAMES`). Raises InputError for a missing
    file or one that may not be read (:func:`analysis.io.files.open_input`), an unsupported
    extension, content of another kind than the extension says (a ``.sav``
    that is a CSV, an ``.xlsx`` that is text), UTF-16 text without a byte-order mark (which
    cannot be told apart from binary data reliably) and a text file holding nothing but a
    byte-order mark or blank lines.
    """
    path = Path(path)
    open_input(path)
    extension = path.suffix.lower()
    if extension not in EXTENSIONS:
        raise InputError(
            f'the extension "{extension}" is not a survey format this package reads',
            path=path,
            hint="tried extensions: "
            + ", ".join(EXTENSIONS)
            + ("; save an .xls workbook again as .xlsx" if extension == ".xls" else ""),
        )
    with path.open("rb") as handle:
        head = handle.read(512)
    kind = content_kind(head)
    if kind == "utf16" and EXTENSIONS[extension] == "text":
        raise InputError(
            "is UTF-16 text without a byte-order mark, which cannot be read reliably",
            path=path,
            hint="save it again as CSV UTF-8, e.g. with Excel's Save As > CSV UTF-8",
        )
    if kind != EXTENSIONS[extension]:
        raise InputError(
            f"the extension {extension} means {KIND_NAMES[EXTENSIONS[extension]]}, but the "
            f"content is {KIND_NAMES[kind]}",
            path=path,
            hint="give the file the extension of what it holds, or export it again",
        )
    if kind == "text" and not _without_bom(head).strip():
        _check_not_blank(path)
    return kind


BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _without_bom(raw: bytes) -> bytes:
    """``raw`` without a leading byte-order mark (and without the NULs of UTF-16)."""
    for bom in BOMS:
        if raw.startswith(bom):
            rest = raw[len(bom) :]
            return rest if bom == BOMS[0] else rest.replace(b"\x00", b"")
    return raw


def _check_not_blank(path: Path) -> None:
    """Raise InputError when a text file holds nothing but a byte-order mark or blank lines."""
    raw = Path(path).read_bytes()
    if _without_bom(raw).strip():
        return
    if not raw:
        what = ""
    elif not raw.startswith(BOMS):
        what = " (it holds only blank lines)"
    elif _without_bom(raw):
        what = " (it holds only a byte-order mark and blank lines)"
    else:
        what = " (it holds only a byte-order mark)"
    raise InputError(
        f"the file is empty{what}; expected a header row and data rows",
        path=path,
        hint="export the responses again",
    )


def _check_near_miss(headers: list[str], path: Path) -> None:
    """Raise when the headers betray an export tool whose fingerprint column is missing."""
    names = {fold_header(h) for h in headers}
    for tool, signature, required in NEAR_MISSES:
        if signature <= names and fold_header(required) not in names:
            raise InputError(
                f"looks like {tool} (it has "
                + ", ".join(h for h in headers if fold_header(h) in signature)
                + f") but has no {required} column",
                path=path,
                row=1,
                column=required,
                hint=f"export the file again with all columns; {required} is needed for the "
                "submission times",
            )


def _looks_utf16(head: bytes) -> bool:
    """True for UTF-16 (LE or BE) text without a BOM: every other byte is NUL, the others not."""
    if len(head) < 8:
        return False
    even, odd = head[0::2], head[1::2]
    for text, zeros in ((even, odd), (odd, even)):
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.05 * len(text):
            return True
    return False


def content_kind(head: bytes) -> str:
    """Classify a file by its first bytes: a key of :data:`KIND_NAMES`."""
    if head[:4] in (b"$FL2", b"$FL3"):
        return "spss"
    old_stata = len(head) > 2 and 0x66 <= head[0] <= 0x73 and head[1] in (1, 2) and head[2] == 1
    if head.startswith(b"<stata_dta>") or old_stata:
        return "stata"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16" if _looks_utf16(head) else "binary"
    return "text"


def fingerprint(headers: list[str]) -> str | None:
    """The export tool whose header fingerprint ``headers`` match (see :data:`FINGERPRINTS`)."""
    names = {fold_header(h) for h in headers}
    return next((fmt for fmt, _, test in FINGERPRINTS if test(headers, names)), None)


def read_plain_table(
    path: Path,
    timezone: str = "UTC",
    date_order: str = "auto",
    timestamp_column: str | None = None,
    id_column: str | None = None,
    sheet: str | None = None,
) -> RawSurvey:
    """Read a survey table no fingerprint recognises (CSV/TSV, or one sheet of an XLSX).

    Parameters
    ----------
    path : Path
        The file.
    timezone, date_order
        For ``timestamp_column`` values without a zone; see
        :func:`analysis.io.timestamps.parse_timestamps`. Values with ``Z``, an offset or a zone
        are converted with it.
    timestamp_column : str, optional
        Header of the submission time column.
    id_column : str, optional
        Header of the response id column.
    sheet : str, optional
        Worksheet of an XLSX file (the first when omitted).

    Returns
    -------
    RawSurvey
        ``format="csv"`` or ``"xlsx"``; roles ``submitted_at`` (``_submitted_at``,
        ``datetime64[ns, UTC]``) when ``timestamp_column`` is given and ``response_id`` when
        ``id_column`` is; ``question_text``, ``value_labels``, ``missing_codes`` empty; ``notes``
        say how the file was read.
    """
    path = Path(path)
    table = read_table(path, sheet)
    fmt = "xlsx" if is_workbook(path) else "csv"
    raw = RawSurvey(frame=table.frame, path=path, format=fmt, notes=table.notes)
    if raw.frame.empty:
        raise InputError("has a header row but no data rows", path=path, row=2)
    for option, column in (("timestamp_column", timestamp_column), ("id_column", id_column)):
        if column is not None:
            require_column(raw, column, option)
    if id_column is not None:
        raw.roles["response_id"] = id_column
    if timestamp_column is not None:
        raw.frame["_submitted_at"] = parse_timestamps(
            raw.frame[timestamp_column], timezone, date_order, path, timestamp_column
        )
        raw.roles["submitted_at"] = "_submitted_at"
        raw.notes.append(f'submitted_at from "{timestamp_column}", zone-less times in {timezone}')
    return raw


def require_column(raw: RawSurvey, column: str, option: str) -> None:
    """Raise InputError (row 1, closest header as hint) unless ``column`` is in ``raw``.

    ``option`` names the config key that gave the column (``column``, ``duration_column`` ...).
    """
    if column in raw.frame.columns:
        return
    texts = list(raw.question_text.values())  # Qualtrics row 2, SPSS variable labels
    raise InputError(
        f"the configured {option} is not a header of the file",
        path=raw.path,
        row=1,
        column=column,
        hint=did_you_mean(column, [*raw.frame.columns, *texts]),
    )


#: Format -> (reader, options it takes). ``duration_column`` is handled for every format.
READERS = {
    "google_forms": (read_google_forms, frozenset({"timezone", "date_order"})),
    "qualtrics": (read_qualtrics, frozenset({"timezone", "date_order"})),
    "kobo": (read_kobo, COMMON_OPTIONS),
    "odk": (read_odk, COMMON_OPTIONS),
    "spss": (read_spss, COMMON_OPTIONS),
    "stata": (read_stata, COMMON_OPTIONS),
    "csv": (read_plain_table, TABLE_OPTIONS),
    "xlsx": (read_plain_table, TABLE_OPTIONS),
}


def read_survey(path: Path, fmt: str = "auto", **options) -> RawSurvey:
    """Read a survey export of any supported format.

    Parameters
    ----------
    path : Path
        The export file.
    fmt : str
        ``auto`` (see :func:`detect_format`) or a key of :data:`READERS`.
    **options
        ``timezone`` (all formats), ``date_order`` (Google Forms, Qualtrics, plain tables),
        ``timestamp_column``, ``id_column``, ``sheet`` (plain tables) and ``duration_column``
        (all formats: a column of seconds >= 0 that becomes the ``duration_seconds`` role). An
        option the format cannot use is ignored with a note unless it is None or ``"auto"``.

    Returns
    -------
    RawSurvey
        As returned by the format's reader (see each reader for its roles, ``question_text``,
        ``value_labels``, ``missing_codes`` and ``notes``), plus the ``duration_column`` role.

    Raises
    ------
    InputError
        Unknown format, option or time zone; content that does not match the extension (also
        with an explicit format, see :func:`check_content`); an undetectable file; a
        ``duration_column`` value that is not a number of seconds >= 0; or any problem the
        reader finds.
    """
    path = Path(path)
    known = set().union(*(accepted for _, accepted in READERS.values())) | {"duration_column"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise InputError(
            f"unknown reader option {unknown[0]}",
            path=path,
            hint="options: " + ", ".join(sorted(known)),
        )
    detected = fmt == "auto"
    if not detected and fmt not in READERS:
        raise InputError(
            f'unknown survey format "{fmt}"', path=path, hint="formats: auto, " + ", ".join(READERS)
        )
    if options.get("timezone") is not None:
        check_timezone(options["timezone"], path=path)
    source = open_input(path)
    if detected:
        fmt = detect_format(path)
    else:
        check_content(path)
    reader, accepted = READERS[fmt]
    raw = reader(path, **{k: v for k, v in options.items() if k in accepted})
    raw.notes[:0] = source.notes
    if detected and fmt in ("csv", "xlsx"):
        tried = "; ".join(f"{name}: {what}" for name, what, _ in FINGERPRINTS)
        raw.notes.append(f"no export tool recognised (tried {tried}): read as a plain table")
    _apply_options(raw, fmt, accepted, options)
    return raw


def _apply_options(raw: RawSurvey, fmt: str, accepted: frozenset, options: dict) -> None:
    """Note options the reader could not use and apply ``duration_column``."""
    ignored = {
        k: v
        for k, v in options.items()
        if k not in accepted | {"duration_column"} and v not in (None, "auto")
    }
    raw.notes.extend(
        f"option {k}={v!r} does not apply to {fmt} files; ignored" for k, v in ignored.items()
    )
    if options.get("duration_column") is not None:
        use_duration_column(raw, options["duration_column"])


def use_duration_column(raw: RawSurvey, column: str) -> None:
    """Make ``column`` (seconds >= 0) the ``duration_seconds`` role, noting a replaced one.

    Raises
    ------
    InputError
        When ``column`` is not a header, or a value is not a number of seconds >= 0.
    """
    require_column(raw, column, "duration_column")
    if raw.roles.get("duration_seconds") not in (None, column):
        raw.notes.append(
            f'duration from the configured column "{column}" instead of '
            f'"{raw.roles["duration_seconds"]}"'
        )
    raw.roles["duration_seconds"] = column
    check_durations(raw, column)


def check_durations(raw: RawSurvey, column: str) -> None:
    """Raise InputError for the first completion time that is not a number of seconds >= 0."""
    values = raw.frame[column]
    if pd.api.types.is_numeric_dtype(values):
        seconds = values.astype("Float64")
    else:
        try:
            seconds = parse_decimal(values, path=raw.path, column=column)
        except InputError as error:
            raise InputError(
                error.message,
                path=error.path,
                row=error.row,
                column=error.column,
                hint="expected the completion time in seconds, e.g. 312",
            ) from None
    raise_first_bad(
        (seconds < 0).fillna(False).astype(bool),
        values,
        path=raw.path,
        column=column,
        what="is a negative completion time",
        hint="expected seconds >= 0; check the clock or timer that wrote this column",
    )

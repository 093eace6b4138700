"""Qualtrics response exports (CSV, UTF-16 TSV, XLSX) read into a :class:`RawSurvey`.

The current "Data Table" export has three header rows: row 1 the field ids (``StartDate``,
``Q1`` ...), row 2 the question texts, row 3 the ImportId JSON (``{"ImportId":"QID1"}``, newer
exports add ``"timeZone"`` on the date columns; older ones use single quotes). Responses start on
row 4. The legacy (pre-2017) export has two header rows, ``V1`` ... ``V10`` in row 1 and the real
field names (``ResponseID``, ``StartDate`` ...) in row 2.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.io.excel import read_xlsx_table
from analysis.io.raw import RawSurvey
from analysis.io.text import read_text, unique_headers
from analysis.io.timestamps import check_timezone, parse_timestamps

#: Role -> Qualtrics field ids (row 1 of the current export), first present wins.
ROLE_COLUMNS = {
    "submitted_at": ("RecordedDate", "EndDate"),
    "started_at": ("StartDate",),
    "duration_seconds": ("Duration (in seconds)",),
    "response_id": ("ResponseId",),
    "email": ("RecipientEmail",),
    "finished": ("Finished",),
    "progress": ("Progress",),
    "status": ("Status",),
    "ip_address": ("IPAddress",),
}

#: Role -> field names in row 2 of the legacy export (row 1 holds V1 ... V10 there).
LEGACY_ROLE_LABELS = {
    "submitted_at": ("EndDate",),
    "started_at": ("StartDate",),
    "response_id": ("ResponseID",),
    "email": ("EmailAddress",),
    "finished": ("Finished",),
    "status": ("Status",),
    "ip_address": ("IPAddress",),
}

LEGACY_IDS = tuple(f"V{i}" for i in range(1, 11))
_RESPONSE_ID = re.compile(r"^R_[0-9A-Za-z]{8,}$")


def read_qualtrics(path: Path, timezone: str = "UTC", date_order: str = "auto") -> RawSurvey:
    """Read a Qualtrics export: the three-header-row layout or the legacy two-row one.

    Repairs, each recorded in ``notes``: an empty trailing column (the header line ends with the
    delimiter, as API exports do) is dropped. A file whose ImportId row is missing -- row 3 holds
    a response, recognised by its ``ResponseId`` (``R_`` + letters/digits) -- is read with
    responses from row 3, dates in ``timezone``. Any other row 3 that is not ImportId JSON, a
    response in row 2 (question-text row missing), a row with more or fewer fields than the
    header (a truncated download) or an unbalanced quote raises :class:`InputError`, as does a
    legacy file whose row 2 holds a response instead of the field names.

    Parameters
    ----------
    path : Path
        ``.csv``, ``.tsv`` (Qualtrics writes TSV as UTF-16) or ``.xlsx``.
    timezone : str
        IANA zone for the date columns whose ImportId carries no ``timeZone`` (and for all of
        them in legacy files and in files without the ImportId row).
    date_order : str
        For dates re-saved by Excel as ``9/11/2022 17:54``; see
        :func:`analysis.io.timestamps.parse_timestamps`.

    Returns
    -------
    RawSurvey
        ``format="qualtrics"``, index = spreadsheet row (the first response is row 4; row 3 in
        legacy files and in files repaired for a missing ImportId row). Roles:
        ``submitted_at`` (``RecordedDate``, else ``EndDate``, parsed into ``_submitted_at``),
        ``started_at`` (``StartDate`` parsed into ``_started_at``), both
        ``datetime64[ns, UTC]``; ``duration_seconds`` (``Duration (in seconds)``; legacy files:
        ``EndDate - StartDate`` in ``_duration_seconds``), ``response_id``, ``email``
        (``RecipientEmail``, only when some row has one), ``finished``, ``progress``,
        ``status``, ``ip_address`` -- each when the column exists. ``question_text`` = row 2 per
        column; ``value_labels`` and ``missing_codes`` empty; ``notes`` lists the layout, the
        time zones used and the repairs.
    """
    path = Path(path)
    check_timezone(timezone, path=path)
    grid, notes = _read_grid(path)
    if tuple(grid.columns[: len(LEGACY_IDS)]) == LEGACY_IDS:
        return _read_legacy(grid, notes, path, timezone, date_order)
    texts = _header_row(grid, 2, path)
    if _RESPONSE_ID.match(texts.get("ResponseId", "")):
        raise InputError(
            "holds a response, but a Qualtrics export has the question texts in row 2",
            path=path,
            row=2,
            column="ResponseId",
            hint="download the export again; do not delete the header rows",
        )
    import_ids, first = _import_ids(grid, path, notes)
    data = _responses(grid, first, path)
    raw = RawSurvey(frame=data, path=path, format="qualtrics", notes=notes)
    raw.question_text = {c: t for c, t in texts.items() if t}
    _fill_roles(raw, ROLE_COLUMNS, {c: c for c in data.columns})
    zones = {c: (timezone, "the configured time zone") for c in data.columns}
    zones.update(
        {
            c: (meta["timeZone"], "timeZone of the ImportId row")
            for c, meta in import_ids.items()
            if meta.get("timeZone")
        }
    )
    _parse_times(raw, zones, date_order)
    return raw


def _read_legacy(
    grid: pd.DataFrame, notes: list[str], path: Path, timezone: str, date_order: str
) -> RawSurvey:
    names = _header_row(grid, 2, path)
    if _RESPONSE_ID.match(names.get("V1", "")):
        raise InputError(
            f'holds a response ("{names["V1"]}"), but a legacy Qualtrics export (V1 ... V10 in '
            "row 1) has the field names (ResponseID, ...) in row 2",
            path=path,
            row=2,
            column="V1",
            hint="download the export again; do not delete the header rows",
        )
    data = _responses(grid, 3, path)
    notes.append("legacy Qualtrics export (V1 ... V10 in row 1): field names read from row 2")
    raw = RawSurvey(frame=data, path=path, format="qualtrics", notes=notes)
    raw.question_text = {c: t for c, t in names.items() if t}
    _fill_roles(raw, LEGACY_ROLE_LABELS, {name: c for c, name in names.items()})
    _parse_times(
        raw, dict.fromkeys(data.columns, (timezone, "the configured time zone")), date_order
    )
    if {"started_at", "submitted_at"} <= raw.roles.keys():
        elapsed = data[raw.roles["submitted_at"]] - data[raw.roles["started_at"]]
        data["_duration_seconds"] = elapsed.dt.total_seconds().astype("Float64")
        raw.roles["duration_seconds"] = "_duration_seconds"
        notes.append("legacy export has no duration column: duration = EndDate - StartDate")
    return raw


def _read_grid(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """All rows below row 1 as strings, indexed by row; columns = row 1 made unique."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        frame, sheet = read_xlsx_table(path)
        return frame, [f'read sheet "{sheet}"']
    text, encoding, delimiter = read_text(path)
    records = _strict_records(text, delimiter, path)
    header = [cell.strip() for cell in records[0]]
    width = len(header)
    rows = {number: record for number, record in enumerate(records, start=1) if record}
    for number, record in rows.items():
        if len(record) != width:
            raise InputError(
                f"has {len(record)} fields but the header has {width}; the line is cut off "
                f"(incomplete download) or a quote is unbalanced",
                path=path,
                row=number,
                hint="download the export again",
            )
    del rows[1]
    grid = pd.DataFrame(
        list(rows.values()),
        index=pd.Index(list(rows), name="source_row"),
        columns=unique_headers(header),
        dtype="string",
    )
    notes = [f"read with encoding {encoding}, delimiter {delimiter!r}"]
    return _drop_unnamed(grid, header, path, notes), notes


def _strict_records(text: str, delimiter: str, path: Path) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as error:
        raise InputError(
            f"cannot be split into fields ({error}); the file is cut off or a quote is unbalanced",
            path=path,
            row=len(records) + 1,
            hint="download the export again",
        ) from error
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputError("the first line is empty; expected the header row", path=path, row=1)
    return records


def _drop_unnamed(
    grid: pd.DataFrame, header: list[str], path: Path, notes: list[str]
) -> pd.DataFrame:
    """Drop columns with an empty header and no values; raise if such a column holds values."""
    unnamed = [position for position, name in enumerate(header) if not name]
    for position in unnamed:
        values = grid.iloc[:, position]
        if (values.str.strip() != "").any():
            row = int(values.index[values.str.strip() != ""][0])
            raise InputError(
                f"column {position + 1} holds values but has no header", path=path, row=row
            )
    if unnamed:
        notes.append(
            f"dropped {len(unnamed)} empty column(s) without a header "
            "(the header line ends with the delimiter)"
        )
    keep = [p for p in range(len(header)) if p not in unnamed]
    return grid.iloc[:, keep]


def _header_row(grid: pd.DataFrame, row: int, path: Path) -> dict[str, str]:
    if row not in grid.index:
        raise InputError(
            f"has no row {row}; a Qualtrics export has header rows 1 to 3 and then responses",
            path=path,
            row=row,
        )
    return grid.loc[row].fillna("").str.strip().to_dict()


def _import_ids(grid: pd.DataFrame, path: Path, notes: list[str]) -> tuple[dict, int]:
    """Parse row 3 (ImportId JSON); return ``(column -> dict, first response row)``."""
    cells = _header_row(grid, 3, path)
    parsed = {column: _import_id(text) for column, text in cells.items()}
    bad = [column for column, value in parsed.items() if value is None]
    if not bad:
        notes.append("three header rows: ids, question texts, ImportId")
        return parsed, 4
    if len(bad) == len(parsed) and _RESPONSE_ID.match(cells.get("ResponseId", "")):
        notes.append(
            "row 3 holds a response, not the ImportId row: read responses from row 3; "
            "no timeZone in the file, dates read in the configured time zone"
        )
        return {}, 3
    raise InputError(
        f'"{cells[bad[0]]}" is not ImportId JSON',
        path=path,
        row=3,
        column=bad[0],
        hint='a Qualtrics export has e.g. {"ImportId":"QID1"} in every column of row 3',
    )


def _import_id(text: str) -> dict | None:
    """``{"ImportId": ...}`` from JSON or the older single-quote form; None if neither."""
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(text)
        except (ValueError, SyntaxError):
            continue
        if isinstance(value, dict) and "ImportId" in value:
            return value
    return None


def _responses(grid: pd.DataFrame, first: int, path: Path) -> pd.DataFrame:
    data = grid.loc[grid.index >= first].copy()
    if data.empty:
        raise InputError("has the header rows but no responses", path=path, row=first)
    return data


def _fill_roles(raw: RawSurvey, role_names: dict, lookup: dict[str, str]) -> None:
    """Map each role to the first of its field names found through ``lookup``."""
    for role, names in role_names.items():
        found = [lookup[name] for name in names if name in lookup]
        if found:
            raw.roles[role] = found[0]
    email = raw.roles.get("email")
    if email is not None and (raw.frame[email].fillna("").str.strip() == "").all():
        del raw.roles["email"]
        raw.notes.append(f'"{email}" is empty in every row (anonymous link): no email role')


def _parse_times(raw: RawSurvey, zones: dict[str, tuple[str, str]], date_order: str) -> None:
    """Parse the ``submitted_at`` and ``started_at`` columns into ``_<role>`` UTC columns.

    ``zones`` maps each column to ``(IANA zone, where that zone came from)``.
    """
    for role in ("submitted_at", "started_at"):
        column = raw.roles.get(role)
        if column is None:
            continue
        zone, source = zones[column]
        check_timezone(zone, raw.path, 3, column)
        raw.frame[f"_{role}"] = parse_timestamps(
            raw.frame[column], zone, date_order, path=raw.path, column=column
        )
        raw.roles[role] = f"_{role}"
        raw.notes.append(f'{role} from "{column}", local time in {zone} ({source})')

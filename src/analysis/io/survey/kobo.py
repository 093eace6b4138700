"""KoboToolbox (CSV / XLSX) and ODK Central (CSV) submission exports read into a RawSurvey.

Both come from XLSForms: one column per question (group paths ``grp/q`` in Kobo, ``grp-q`` in
ODK Central), device times ``start``/``end`` with a UTC offset, and server columns appended by
the tool (Kobo ``_id``, ``_uuid``, ``_submission_time`` in UTC without an offset,
``_validation_status``, ``_notes``, ``_status``, ``_submitted_by``, ``__version__``, ``_tags``,
``_index``; ODK ``SubmissionDate`` ending in ``Z``, ``meta-instanceID``, ``KEY``,
``ReviewState``). All columns are kept as exported.
select_multiple questions keep both the space-separated summary column and the ``q/option``
0/1 columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import InputError
from analysis.io.raw import RawSurvey
from analysis.io.tabular import read_table
from analysis.io.timestamps import parse_iso_timestamps


@dataclass(frozen=True)
class XLSFormExport:
    """What tells one XLSForm tool's export apart: the server columns it appends.

    Attributes
    ----------
    format : str
        ``RawSurvey.format`` of the result.
    tool : str
        The export named in messages (``a KoboToolbox export``).
    submitted : str
        Server submission time column (UTC), the ``submitted_at`` role.
    ids : tuple of str
        Columns for the ``response_id`` role, the first present wins.
    key : tuple of str
        Server id columns, the first present of which every submission must fill.
    status : str
        Review status column, the ``status`` role when present.
    """

    format: str
    tool: str
    submitted: str
    ids: tuple[str, ...]
    key: tuple[str, ...]
    status: str


KOBO = XLSFormExport(
    "kobo",
    "a KoboToolbox export",
    "_submission_time",
    ("_uuid", "_id"),
    ("_uuid", "_id"),
    "_validation_status",
)
ODK = XLSFormExport(
    "odk",
    "an ODK Central export",
    "SubmissionDate",
    ("meta-instanceID", "KEY"),
    ("KEY",),
    "ReviewState",
)


def read_kobo(path: Path, timezone: str = "UTC") -> RawSurvey:
    """Read a KoboToolbox data export (CSV with ``;`` or ``,``, or the first sheet of an XLSX).

    Parameters
    ----------
    path : Path
        The export, downloaded with XML or label headers and any group separator.
    timezone : str
        Zone for ``start``/``end`` values written without an offset (Kobo writes one).

    Returns
    -------
    RawSurvey
        ``format="kobo"``, index = spreadsheet row. Roles: ``submitted_at``
        (``_submission_time``, server time in UTC, parsed into ``_submitted_at``),
        ``response_id`` (``_uuid``, else ``_id``), ``status`` (``_validation_status``) when
        present, ``started_at`` (``start`` parsed into ``_started_at``) and ``duration_seconds``
        (``end - start`` in ``_duration_seconds``) when the form records ``start``/``end``.
        ``question_text``, ``value_labels``, ``missing_codes`` empty (the export holds either
        names or labels as headers, never both). ``notes``: how the file was read, the
        select_multiple option columns kept, and worksheets (repeat groups) not read.

    Raises
    ------
    InputError
        Missing ``_submission_time``/``_uuid``, no data rows, an empty server column in some row
        (a cut-off line), or a time that is not ISO 8601.
    """
    return read_xlsform_export(path, KOBO, timezone)


def read_odk(path: Path, timezone: str = "UTC") -> RawSurvey:
    """Read an ODK Central ``submissions.csv`` (unzipped from the ``.csv.zip`` download).

    Parameters
    ----------
    path : Path
        The CSV file (or the same table saved as ``.xlsx``).
    timezone : str
        Zone for ``start``/``end`` values written without an offset.

    Returns
    -------
    RawSurvey
        ``format="odk"``, index = spreadsheet row. Roles: ``submitted_at`` (``SubmissionDate``,
        ISO UTC, parsed into ``_submitted_at``), ``response_id`` (``meta-instanceID``, else
        ``KEY``), ``status`` (``ReviewState``) when present, ``started_at`` and
        ``duration_seconds`` (``_started_at``, ``_duration_seconds``) from ``start``/``end``
        when the form records them. ``question_text``, ``value_labels``, ``missing_codes``
        empty. ``notes``: how the file was read and the select_multiple option columns kept
        (``?splitSelectMultiples=true``).

    Raises
    ------
    InputError
        Missing ``SubmissionDate``/``KEY``, no data rows, an empty ``SubmissionDate`` or ``KEY``
        in some row (a cut-off line), or a time that is not ISO 8601.
    """
    return read_xlsform_export(path, ODK, timezone)


def read_xlsform_export(path: Path, export: XLSFormExport, timezone: str) -> RawSurvey:
    """Read the export of one XLSForm tool (:data:`KOBO`, :data:`ODK`) into a RawSurvey.

    See :func:`read_kobo` and :func:`read_odk` for the roles and errors.
    """
    path = Path(path)
    frame, notes = _read_table(path)
    key = next((c for c in export.key if c in frame.columns), export.key[0])
    _require(frame, (export.submitted, key), path, export.tool)
    raw = RawSurvey(frame=frame, path=path, format=export.format, notes=notes)
    raw.roles["response_id"] = next(c for c in (*export.ids, key) if c in frame.columns)
    _submitted(raw, export.submitted)
    if export.status in frame.columns:
        raw.roles["status"] = export.status
    _device_times(raw, timezone)
    _note_options(raw)
    return raw


def _read_table(path: Path) -> tuple[pd.DataFrame, list[str]]:
    """The export as a string frame (CSV/TSV, or the first sheet of an XLSX) and read notes."""
    table = read_table(path)
    if table.other_sheets:
        table.notes.append("repeat-group sheets not read: " + ", ".join(table.other_sheets))
    return table.frame, table.notes


def _require(frame: pd.DataFrame, columns: tuple[str, ...], path: Path, what: str) -> None:
    """Raise unless ``columns`` exist, there are data rows and every row fills ``columns``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            f"has no column {', '.join(missing)}, expected in {what}",
            path=path,
            row=1,
            column=missing[0],
            hint="download the export again from the tool, keeping all columns",
        )
    if frame.empty:
        raise InputError("has a header row but no submissions", path=path, row=2)
    for column in columns:
        empty = frame[column].fillna("").str.strip() == ""
        if empty.any():
            raise InputError(
                "is empty, but the server fills it in every submission; the line may be cut off",
                path=path,
                row=int(empty[empty].index[0]),
                column=column,
            )


def _submitted(raw: RawSurvey, column: str) -> None:
    """Parse the server submission time (UTC) into ``_submitted_at``."""
    raw.frame["_submitted_at"] = parse_iso_timestamps(raw.frame[column], "UTC", raw.path, column)
    raw.roles["submitted_at"] = "_submitted_at"
    raw.notes.append(f'submitted_at from "{column}" (server time, UTC)')


def _device_times(raw: RawSurvey, timezone: str) -> None:
    """Fill ``started_at`` from ``start`` and ``duration_seconds`` from ``end - start``."""
    frame = raw.frame
    if "start" not in frame.columns:
        return
    frame["_started_at"] = parse_iso_timestamps(frame["start"], timezone, raw.path, "start")
    raw.roles["started_at"] = "_started_at"
    if "end" in frame.columns:
        ended = parse_iso_timestamps(frame["end"], timezone, raw.path, "end")
        frame["_duration_seconds"] = (
            (ended - frame["_started_at"]).dt.total_seconds().astype("Float64")
        )
        raw.roles["duration_seconds"] = "_duration_seconds"
        raw.notes.append("duration = end - start (device clock, offsets applied)")


def _note_options(raw: RawSurvey) -> None:
    """Note the select_multiple ``question/option`` columns (their question is also a column)."""
    names = set(map(str, raw.frame.columns))
    options = [c for c in names if "/" in c and c.rsplit("/", 1)[0] in names]
    if options:
        raw.notes.append(
            f"{len(options)} select_multiple option columns (question/option, "
            "1 = ticked) kept next to their summary columns"
        )

"""SPSS ``.sav`` and Stata ``.dta`` files read with pyreadstat, keeping their labels and codes.

Numbers stay numbers; variable labels become ``question_text``, value labels ``value_labels``,
and user-missing codes stay visible in the data (``user_missing=True``) and are listed in
``missing_codes`` so that cleaning turns them into NA. These files have no header row, but their
rows are numbered as in a CSV export of the data view: the first case is row 2 (the variable
names would be row 1), so messages point at the same row a researcher sees after "Save As CSV".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from analysis.errors import InputError
from analysis.io.files import open_input
from analysis.io.labels import fold_header
from analysis.io.raw import RawSurvey
from analysis.io.timestamps import check_timezone, localize, parse_iso_timestamps

#: Role -> variable names (compared by :func:`analysis.io.labels.fold_header`) used by tools
#: that export SPSS/Stata files: Qualtrics (``Duration__in_seconds_`` is how it names
#: ``Duration (in seconds)``), Kobo, ODK.
ROLE_VARIABLES = {
    "submitted_at": ("RecordedDate", "EndDate", "_submission_time", "SubmissionDate"),
    "started_at": ("StartDate", "start"),
    "duration_seconds": ("Duration__in_seconds_", "Duration_in_seconds", "Duration"),
    "response_id": ("ResponseId", "_uuid", "meta_instanceID", "KEY"),
    "email": ("RecipientEmail",),
    "finished": ("Finished",),
    "progress": ("Progress",),
    "status": ("Status", "_validation_status", "ReviewState"),
    "ip_address": ("IPAddress",),
}

#: Variables that hold server time in UTC whatever the study's time zone.
UTC_VARIABLES = ("_submission_time", "SubmissionDate")


def read_spss(path: Path, timezone: str = "UTC") -> RawSurvey:
    """Read an SPSS ``.sav``/``.zsav`` file.

    Parameters
    ----------
    path : Path
        The data file.
    timezone : str
        Zone of date-time variables (SPSS stores them without one), except the UTC server times
        ``_submission_time``/``SubmissionDate``.

    Returns
    -------
    RawSurvey
        ``format="spss"``; ``frame`` as pyreadstat returns it (numbers as float, strings as
        ``str`` with ``""`` for empty, user-missing codes kept), index ``source_row`` = case
        number + 1. ``question_text`` = variable labels, ``value_labels`` = value labels per
        variable, ``missing_codes`` = user-missing values per variable (for a range, the codes
        in the range that occur in the data). Roles from the variable names in
        :data:`ROLE_VARIABLES` when present: ``submitted_at``/``started_at`` parsed into
        ``_submitted_at``/``_started_at`` (``datetime64[ns, UTC]``), ``duration_seconds``,
        ``response_id``, ``email``, ``finished``, ``progress``, ``status``, ``ip_address``.
        ``notes`` record the file encoding, the zone used and any missing range.
    """
    path = Path(path)
    frame, meta = _read(pyreadstat.read_sav, path, "an SPSS .sav file")
    raw = _survey(frame, meta, path, "spss", timezone)
    for column, spans in meta.missing_ranges.items():
        raw.missing_codes[column] = _range_codes(frame[column], spans, column, raw.notes)
    return raw


def read_stata(path: Path, timezone: str = "UTC") -> RawSurvey:
    """Read a Stata ``.dta`` file.

    Parameters
    ----------
    path : Path
        The data file.
    timezone : str
        Zone of date-time variables, as for :func:`read_spss`.

    Returns
    -------
    RawSurvey
        ``format="stata"``; as :func:`read_spss`, with ``missing_codes`` = the extended missing
        values declared per variable (pyreadstat returns ``.a`` as ``"a"``; such a column holds
        objects: numbers and letters).
    """
    path = Path(path)
    frame, meta = _read(pyreadstat.read_dta, path, "a Stata .dta file")
    raw = _survey(frame, meta, path, "stata", timezone)
    raw.missing_codes = {c: list(v) for c, v in meta.missing_user_values.items() if v}
    return raw


def _read(reader, path: Path, what: str):
    open_input(path)
    try:
        return reader(str(path), user_missing=True)
    except (pyreadstat.ReadstatError, pyreadstat.PyreadstatError, UnicodeDecodeError) as error:
        raise InputError(
            f"cannot be read as {what} ({error})",
            path=path,
            hint="check that the extension matches the content; export the file again",
        ) from error


def _survey(frame: pd.DataFrame, meta, path: Path, fmt: str, timezone: str) -> RawSurvey:
    check_timezone(timezone, path=path)
    if frame.empty:
        raise InputError("has variables but no cases (rows)", path=path, row=2)
    frame.index = pd.RangeIndex(2, len(frame) + 2, name="source_row")
    raw = RawSurvey(frame=frame, path=path, format=fmt)
    raw.question_text = {c: t for c, t in meta.column_names_to_labels.items() if t}
    raw.value_labels = {c: dict(v) for c, v in meta.variable_value_labels.items()}
    raw.notes.append(
        f"read with pyreadstat (file encoding {meta.file_encoding or 'not stated'}); case i is "
        "row i + 1"
    )
    lookup = {fold_header(c): c for c in frame.columns}
    for role, names in ROLE_VARIABLES.items():
        found = [lookup[fold_header(n)] for n in names if fold_header(n) in lookup]
        if found:
            raw.roles[role] = found[0]
    for role in ("submitted_at", "started_at"):
        if role in raw.roles:
            _parse_time(raw, role, timezone)
    return raw


def _parse_time(raw: RawSurvey, role: str, timezone: str) -> None:
    """Convert the role's date-time variable (or ISO text) to UTC in ``_<role>``."""
    column = raw.roles[role]
    zone = "UTC" if column in UTC_VARIABLES else timezone
    values = raw.frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        utc = values.dt.tz_convert("UTC") if values.dt.tz is not None else localize(values, zone)
        parsed = utc.astype("datetime64[ns, UTC]")
    elif pd.api.types.is_numeric_dtype(values):
        raise InputError(
            "is a number, expected a date-time variable (or ISO 8601 text)",
            path=raw.path,
            row=1,
            column=column,
            hint="give the variable a DATETIME format in SPSS",
        )
    else:
        parsed = parse_iso_timestamps(values, zone, raw.path, column)
    raw.frame[f"_{role}"] = parsed
    raw.roles[role] = f"_{role}"
    raw.notes.append(f'{role} from "{column}", local time in {zone}')


def _range_codes(values: pd.Series, spans: list[dict], column: str, notes: list[str]) -> list:
    """User-missing codes of one variable: discrete values, and for a range the values in it."""
    codes = [span["lo"] for span in spans if span["lo"] == span["hi"]]
    for span in (s for s in spans if s["lo"] != s["hi"]):
        inside = values[(values >= span["lo"]) & (values <= span["hi"])]
        codes.extend(sorted(inside.dropna().unique().tolist()))
        notes.append(
            f"{column}: user-missing range {span['lo']:g} to {span['hi']:g}; listed "
            "the codes in it that occur in the data"
        )
    return codes

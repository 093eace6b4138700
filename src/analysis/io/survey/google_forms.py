"""Google Forms responses: the CSV downloaded from Forms, or the linked Sheet as CSV/XLSX.

All routes are read by :func:`read_google_forms` (through :func:`analysis.io.tabular.read_table`)
and start with a timestamp column (``Timestamp``, ``Stempel waktu``, ...) and then one
column per question whose header is the question title. An email column (``Email address``,
``Alamat email``) appears when the form collects emails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError, did_you_mean
from analysis.io.labels import factorize_text, fold_header
from analysis.io.raw import RawSurvey
from analysis.io.tabular import read_table
from analysis.io.timestamps import parse_timestamps

TIMESTAMP_HEADERS = ("timestamp", "stempel waktu", "carimbo de data/hora", "marca temporal")
EMAIL_HEADERS = ("email address", "alamat email", "email", "alamat surel")


def looks_like_google_forms(columns) -> bool:
    """True when the first header is a Google Forms timestamp header."""
    return len(columns) > 0 and fold_header(columns[0]) in TIMESTAMP_HEADERS


def read_google_forms(
    path: Path,
    timezone: str = "Asia/Jakarta",
    date_order: str = "auto",
    duration_column: str | None = None,
    sheet: str | None = None,
) -> RawSurvey:
    """Read a Google Forms export: the CSV from Forms, or the linked Sheet as CSV or XLSX.

    Parameters
    ----------
    path : Path
        The CSV file, or the workbook (File -> Download -> Microsoft Excel from the Sheet).
    timezone : str
        Zone of the Sheet (File -> Settings) for timestamps written without one; the XLSX
        stores local date-times without a zone.
    date_order : str
        See :func:`analysis.io.timestamps.parse_timestamps`.
    duration_column : str, optional
        Header of a column holding the completion time in seconds, when the form records one
        (Google Forms itself does not; timer add-ons and some deployments do).
    sheet : str, optional
        Worksheet of a workbook; the first (``Form Responses 1``) when omitted.

    Returns
    -------
    RawSurvey
        ``format="google_forms"`` with roles ``submitted_at`` (parsed into column
        ``_submitted_at``, ``datetime64[ns, UTC]``), ``email`` when an email column exists and
        ``duration_seconds`` when ``duration_column`` is given; ``question_text``,
        ``value_labels`` and ``missing_codes`` empty; ``notes`` say how the file was read.
        Repetitive columns of a CSV are categories of the cell strings
        (:func:`analysis.io.text.read_compact_table`).

    Raises
    ------
    InputError
        When the first column is not a timestamp column, there are no responses, a timestamp
        cannot be read or ``duration_column`` is not a header.
    """
    path = Path(path)
    table = read_table(path, sheet, compact=True)
    frame = table.frame
    if not looks_like_google_forms(frame.columns):
        raise InputError(
            f'the first column is "{frame.columns[0]}", expected a Google Forms timestamp column',
            path=path,
            row=1,
            column=str(frame.columns[0]),
            hint="one of: " + ", ".join(TIMESTAMP_HEADERS),
        )
    if frame.empty:
        raise InputError("has a header row but no responses", path=path, row=2)
    timestamp = frame.columns[0]
    frame["_submitted_at"] = parse_timestamps(
        frame[timestamp], timezone, date_order, path=path, column=timestamp
    )
    roles = {"submitted_at": "_submitted_at"}
    emails = [c for c in frame.columns if fold_header(c) in EMAIL_HEADERS]
    if emails:
        roles["email"] = emails[0]
    if duration_column is not None:
        if duration_column not in frame.columns:
            raise InputError(
                "the configured duration column is not in the file",
                path=path,
                row=1,
                column=duration_column,
                hint=did_you_mean(duration_column, frame.columns),
            )
        roles["duration_seconds"] = duration_column
    notes = [*table.notes, f"timestamps without a zone are local times in {timezone}"]
    return RawSurvey(frame=frame, path=path, format="google_forms", roles=roles, notes=notes)


def split_options(values: pd.Series, options: list[str]) -> pd.DataFrame:
    """Split checkbox answers joined with ", " into one 0/1 column per known option.

    Google Forms joins the ticked options of a checkbox question with ", " in one cell, and an
    option may itself contain ", " (``Situs web, portal, atau aplikasi``). Options are therefore
    matched as whole known labels, longest first, and whatever is left is the free "Other" text.

    Parameters
    ----------
    values : pandas.Series
        Cells as exported; ``""``/NA means the question was not answered.
    options : list of str
        The question's options, exactly as in the form.

    Returns
    -------
    pandas.DataFrame
        Same index; one ``Int8`` column per option (1 ticked, 0 not) and ``other`` (1 when text
        outside the known options was given); all NA for unanswered rows. The "Other" text
        itself is not returned: it is free text from the public and may identify someone.
    """
    codes, texts = factorize_text(values)
    cells = pd.concat([texts, pd.Series([""], dtype="string")]).str.strip().tolist()  # NA last
    ordered = sorted(options, key=len, reverse=True)
    rows = [_match_options(cell, ordered) for cell in cells]
    table = pd.DataFrame(
        [[int(o in ticked) for o in options] + [int(other)] for ticked, other in rows],
        columns=[*options, "other"],
    )
    out = table.iloc[codes].set_axis(values.index).astype("Int8")
    out[np.array([cell == "" for cell in cells])[codes]] = pd.NA
    return out


def _match_options(cell: str, ordered: list[str]) -> tuple[set[str], bool]:
    rest = f", {cell}, "
    ticked = set()
    for option in ordered:
        token = f", {option}, "
        if token in rest:
            ticked.add(option)
            rest = rest.replace(token, ", ", 1)
    return ticked, rest.strip(", ") != ""

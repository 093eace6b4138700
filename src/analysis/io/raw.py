"""The raw survey table every survey reader returns, before codebook cleaning.

A reader turns one export file into a :class:`RawSurvey`: the answers exactly as the tool wrote
them (strings, or numbers for binary formats), the spreadsheet row of each answer, and which
columns play the standard roles (timestamp, duration, email, ...). Cleaning then maps columns to
item ids through the study codebook and answers to numbers through answer scales.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Standard column roles a reader may fill in ``RawSurvey.roles``.
ROLES = (
    "submitted_at",  # when the response was submitted
    "started_at",  # when the respondent started (Qualtrics StartDate, Kobo start)
    "duration_seconds",  # time taken, seconds
    "response_id",  # the tool's own response id (Qualtrics ResponseId, Kobo _uuid)
    "email",  # respondent email collected by the tool
    "finished",  # completion flag (Qualtrics Finished)
    "progress",  # percent complete (Qualtrics Progress)
    "status",  # tool status (Qualtrics Status, ODK ReviewState, Kobo _validation_status)
    "ip_address",  # respondent IP (Qualtrics IPAddress)
)


@dataclass
class RawSurvey:
    """One survey export as read from disk.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per data row of the file; columns are the file's headers (made unique the way the
        tool does, e.g. Google Sheets appends `` 2``); values as written (``str`` for text formats,
        with ``""`` for an empty cell; numbers for SPSS/Stata). The index is ``source_row``: the
        1-based row number a spreadsheet program shows for that row (header rows count).
    path : Path
        The file read.
    format : str
        Detected or configured format: ``google_forms``, ``qualtrics``, ``kobo``, ``odk``,
        ``spss``, ``stata``, ``csv``, ``xlsx``.
    roles : dict
        Role name (see :data:`ROLES`) -> column in ``frame``; ``submitted_at`` already parsed to
        ``datetime64[ns, UTC]`` in a column named by the role's value.
    question_text : dict
        Column -> full question text where the format keeps it apart from the column id
        (Qualtrics row 2, SPSS variable labels, Kobo labels). Empty for Google Forms, whose
        headers are the question texts.
    value_labels : dict
        Column -> {code: label} for formats that carry value labels (SPSS, Stata).
    missing_codes : dict
        Column -> list of user-missing codes declared in the file (SPSS).
    notes : list of str
        Documented repairs the reader made (e.g. "dropped the empty trailing column"), which
        cleaning copies into its report.
    """

    frame: pd.DataFrame
    path: Path
    format: str
    roles: dict[str, str] = field(default_factory=dict)
    question_text: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict] = field(default_factory=dict)
    missing_codes: dict[str, list] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

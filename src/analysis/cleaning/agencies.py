"""Which agency each survey row belongs to: answers matched by name, id, code or value label.

An agency question may hold the agency's name (Google Forms, choice-text exports), a code
(Qualtrics numeric export ``"1"``, SPSS/Stata ``1.0``) or a code whose value label is the name
(SPSS ``1 = "Dinas Kominfo"``). One key per answer makes these comparable: numbers are compared
as numbers (``1``, ``1.0`` and ``"01"`` are one code), text as folded labels
(:func:`analysis.io.labels.fold_label`: case, spacing and punctuation do not count).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.errors import InputError
from analysis.io.labels import factorize_text, fold_label

if TYPE_CHECKING:
    from analysis.config import Agency, Study, SurveySource
    from analysis.io.raw import RawSurvey

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


def answer_key(value: object) -> str:
    """The key an agency answer or config value is matched by.

    Parameters
    ----------
    value : object
        A cell (text or number) or a config value (``name``, ``id``, ``survey_value``).

    Returns
    -------
    str
        ``"1"`` for the numbers 1, 1.0 and the texts ``"1"``, ``"1.0"``, ``"01"``; the folded
        label for any other text (``"dinas kominfo"``); ``""`` for an empty answer.

    Examples
    --------
    >>> answer_key(1.0) == answer_key("1") == answer_key(" 01 ")
    True
    >>> answer_key("Dinas  KOMINFO.")
    'dinas kominfo'
    """
    if isinstance(value, bool):
        return fold_label(value)
    if isinstance(value, int | float | np.integer | np.floating):
        return "" if value != value else f"{float(value):g}"
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        return f"{float(text):g}"
    return fold_label(text)


def agency_keys(agency: Agency) -> list[str]:
    """Keys that name ``agency``: its ``survey_value`` and ``id``, or its ``name`` and ``id``.

    A ``survey_value`` replaces the name as the answer that names the agency, so two agencies
    may share a display name (two branches of one office) when their survey values differ.
    """
    values = [agency.survey_value if agency.survey_value is not None else agency.name, agency.id]
    return [answer_key(v) for v in values]


def agency_lookup(agencies: list[Agency]) -> dict[str, str]:
    """Answer key -> agency id for every key of every agency.

    Raises
    ------
    ValueError
        When one key names two agencies (e.g. one agency's ``survey_value`` is another's name).
    """
    lookup: dict[str, str] = {}
    for agency in agencies:
        for key in agency_keys(agency):
            other = lookup.setdefault(key, agency.id)
            if other != agency.id:
                raise ValueError(
                    f"agencies {other!r} and {agency.id!r} are both named by the survey answer "
                    f"{key!r} (name, id or survey_value); give each its own survey_value"
                )
    return lookup


def assign_agency(study: Study, source: SurveySource, raw: RawSurvey) -> pd.Series:
    """Agency id per row (NA when the answer names no agency of the study).

    A cell matches an agency by its own key (a name, an id, or a code equal to a
    ``survey_value``) or, for a coded answer with a value label (SPSS, Stata), by the label's.
    Distinct answers are matched once.

    Raises
    ------
    InputError
        When a code and its value label name two different agencies.
    """
    index = raw.frame.index
    if source.agency:
        return pd.Series(study.agency(source.agency).id, index=index, dtype="string")
    column = source.agency_column
    lookup = agency_lookup(study.agencies)
    labels = {answer_key(code): label for code, label in raw.value_labels.get(column, {}).items()}
    codes, texts = factorize_text(raw.frame[column])
    found = []
    for text in texts.tolist():
        key = answer_key(text)
        by_code, by_label = lookup.get(key), lookup.get(answer_key(labels.get(key, "")))
        if by_code and by_label and by_code != by_label:
            raise InputError(
                f'the answer {text} names agency "{by_code}" by its code but agency '
                f'"{by_label}" by its value label "{labels[key]}"',
                path=raw.path,
                column=column,
                hint="make the agencies' survey_value and the file's value labels agree",
            )
        found.append(by_code or by_label)
    ids = pa.array([*found, None], pa.string())
    rows = codes.astype(np.int64) % len(ids)  # NA (-1) takes the last id
    return pd.Series(pd.array(ids.take(rows), dtype="string"), index=index)

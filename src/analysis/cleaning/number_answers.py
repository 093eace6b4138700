"""Everyday answers to number questions: ``45 tahun``, ``± 40``, ``17-25``, ``40an``.

Respondents answer "Usia" in words around the number. What is unambiguous is read as the number
and counted in the cleaning notes as a repair: a unit after it (``45 tahun``, ``45 thn``,
``45 th``, ``45 years``) and a sign or word of approximation before it (``± 40``, ``+- 40``,
``kurang lebih 40``, ``sekitar 40``, ``kira-kira 40``, ``~40``, ``about 40``). A range
(``17-25``, ``17 - 25 tahun``, ``17 s/d 25``, ``17 sampai 25``) and a decade (``40an``,
``40-an``: 40 to 49) are not one number: the demographic's ``ranges`` decides (``error``: stop,
``midpoint``: the middle of the range, ``category``: the answers are brackets). Anything else
that is not a number stops cleaning with one error that says how many answers are affected and
shows the first few (row and answer). Plain numbers, decimal commas and placeholders such as
``-`` are read by :func:`analysis.io.numbers.parse_decimal`.

No library reads these answers (they are Indonesian and English survey habits, not a number
format), so the small grammar below is written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.io.labels import factorize_text
from analysis.io.numbers import PLACEHOLDERS, parse_decimal

_NUMBER = r"\d+(?:[.,]\d+)?"
_APPROX = (
    r"(?:±|\+\s*-|\+\s*/\s*-|~|kurang\s+lebih|lebih\s+kurang|kurleb|sekitar|kira\s*-?\s*kira|"
    r"kira2|approx\.?|approximately|about|around|circa|ca\.)"
)
_UNIT = r"(?:tahun|thn\.?|th\.?|years?(?:\s+old)?|yrs?\.?|y\.?o\.?|y/o)"
_RANGE_WORD = r"(?:-|–|—|s\s*/\s*d|s\.d\.?|sd|sampai|hingga|to)"
PATTERNS = {
    "approximate": re.compile(rf"{_APPROX}\s*(?P<n>{_NUMBER})(?:\s*{_UNIT})?"),
    "unit": re.compile(rf"(?P<n>{_NUMBER})\s*{_UNIT}"),
    "range": re.compile(rf"(?P<lo>\d+)\s*{_RANGE_WORD}\s*(?P<hi>\d+)(?:\s*{_UNIT})?"),
    "decade": re.compile(r"(?P<lo>[1-9]0)\s*-?\s*an(?:\s*" + _UNIT + ")?"),
}
#: How many examples an error shows.
EXAMPLES = 3
#: How many row numbers a note lists.
NOTED_ROWS = 10


@dataclass(frozen=True)
class Reading:
    """How one distinct answer was read.

    Attributes
    ----------
    kind : str
        ``number`` (as written), ``unit``, ``approximate``, ``range``, ``decade`` or ``bad``.
    low, high : float
        The number (``low == high``) or the range's ends; NaN for ``bad`` and empty answers.
    """

    kind: str
    low: float = np.nan
    high: float = np.nan


def read_number_answers(
    values: pd.Series, *, path, column: str, ranges: str = "error", variable: str = ""
) -> tuple[pd.Series, list[str]]:
    """Read a number question's answers, repairing the unambiguous everyday forms.

    Parameters
    ----------
    values : pandas.Series
        The answers as exported (text or numbers), indexed by spreadsheet row.
    path : str or Path
        The survey file, for the error.
    column : str
        The column header, for notes and the error.
    ranges : str
        ``error``, ``midpoint`` or ``category`` (see the module docstring).
    variable : str
        The demographic's id, named in the error's hint.

    Returns
    -------
    values : pandas.Series
        ``Float64`` (``ranges`` ``error``/``midpoint``), or ``string`` brackets such as
        ``17-25`` (``ranges: category``); NA for empty answers and placeholders.
    notes : list of str
        One note per kind of repair: how many answers and their rows (never the answers).

    Raises
    ------
    InputError
        Listing how many answers cannot be read and the first few (row and answer).
    """
    if ranges != "category" and pd.api.types.is_numeric_dtype(values):
        return values.astype("Float64"), []
    if ranges != "category":
        try:
            return parse_decimal(values, path=path, column=column), []
        except InputError:
            pass  # some answers are not plain numbers: read each distinct answer below
    codes, texts = factorize_text(values)
    readings = [read_answer(text, path=path, column=column) for text in texts.tolist()]
    readings.append(Reading("number"))  # NA cells
    if ranges == "category":
        return _brackets(values, codes, readings, path=path, column=column, variable=variable)
    kinds = np.array([r.kind for r in readings], dtype=object)
    if ranges == "error":
        kinds[np.isin(kinds, ["range", "decade"])] = "bad"
    hint = (
        "numbers with a unit (45 tahun) or an approximation (± 40) are read as numbers; for "
        f'ranges (17-25, 40an) set ranges: midpoint or ranges: category on demographic "{variable}"'
        "; correct other answers, or list codes that mean no answer in missing_codes"
    )
    _raise_unread(values, kinds[codes], path=path, column=column, what="not a number", hint=hint)
    numbers = np.array([(r.low + r.high) / 2 for r in readings])[codes]
    notes = _repair_notes(values.index, kinds[codes], column, "midpoint")
    return pd.Series(pd.array(numbers, dtype="Float64"), index=values.index), notes


def read_answer(text: str, *, path=None, column: str | None = None) -> Reading:
    """How one answer reads (see the module docstring); ``bad`` when it is no number."""
    folded = " ".join(str(text).replace("\u00a0", " ").casefold().split())
    if folded in PLACEHOLDERS:
        return Reading("number")
    plain = _plain_number(folded, path, column)
    if plain is not None:
        return Reading("number", plain, plain)
    for kind, pattern in PATTERNS.items():
        found = pattern.fullmatch(folded)
        if found is None:
            continue
        if kind in ("approximate", "unit"):
            number = _plain_number(found["n"], path, column)
            return Reading(kind, number, number) if number is not None else Reading("bad")
        low = float(found["lo"])
        high = low + 9 if kind == "decade" else float(found["hi"])
        return Reading(kind, low, high) if low < high else Reading("bad")
    return Reading("bad")


def _plain_number(text: str, path, column) -> float | None:
    """``text`` as a number when it is one as written (``45``, ``45,5``), else None."""
    if not re.fullmatch(rf"[-+]?{_NUMBER}", text):
        return None
    return float(parse_decimal(pd.Series([text]), path=path, column=column).iloc[0])


def _raise_unread(
    values: pd.Series, kinds: np.ndarray, *, path, column: str, what: str, hint: str
) -> None:
    """Raise one InputError for the answers read as ``bad``: how many, and the first few."""
    bad = np.flatnonzero(kinds == "bad")
    if not len(bad):
        return
    shown = ", ".join(f'row {values.index[k]} "{values.iloc[k]}"' for k in bad[:EXAMPLES])
    more = f" and {len(bad) - EXAMPLES} more" if len(bad) > EXAMPLES else ""
    answers = "1 answer is" if len(bad) == 1 else f"{len(bad)} answers are"
    raise InputError(
        f"{answers} {what}: {shown}{more}",
        path=path,
        row=int(values.index[bad[0]]),
        column=column,
        hint=hint,
    )


def _brackets(values, codes, readings, *, path, column, variable) -> tuple[pd.Series, list[str]]:
    """The answers as brackets (``ranges: category``): each range or decade as ``low-high``,
    each number in the one bracket found among the answers that holds it."""
    spans = sorted({(r.low, r.high) for r in readings if r.kind in ("range", "decade")})
    labels, kinds = [], []
    for reading in readings:
        if reading.kind in ("range", "decade"):
            labels.append(f"{reading.low:g}-{reading.high:g}")
            kinds.append(reading.kind)
            continue
        if reading.kind == "bad" or reading.low != reading.low:
            labels.append(None)
            kinds.append(reading.kind)
            continue
        holding = [(lo, hi) for lo, hi in spans if lo <= reading.low <= hi]
        labels.append(f"{holding[0][0]:g}-{holding[0][1]:g}" if len(holding) == 1 else None)
        kinds.append("in_bracket" if len(holding) == 1 else "bad")
    kinds = np.array(kinds, dtype=object)
    _raise_unread(
        values,
        kinds[codes],
        path=path,
        column=column,
        what="neither a range nor a number inside exactly one range",
        hint=f'demographic "{variable}" has ranges: category, so its answers are brackets '
        "(17-25, 40an) or numbers inside one of the brackets respondents gave",
    )
    found = pd.array(np.array(labels, dtype=object)[codes], dtype="string")
    return pd.Series(found, index=values.index), _repair_notes(
        values.index, kinds[codes], column, "bracket"
    )


def _repair_notes(rows: pd.Index, kinds: np.ndarray, column: str, ranges: str) -> list[str]:
    """One note per kind of repair: how many answers, and their first rows."""
    what = {
        "unit": "read as the number before their unit (45 tahun)",
        "approximate": "read as the number after their approximation (± 40)",
        "range": "read as the midpoint of their range (17-25)"
        if ranges == "midpoint"
        else "kept as the bracket they name (17-25)",
        "decade": "read as the midpoint of their decade (40an: 40-49)"
        if ranges == "midpoint"
        else "kept as the bracket of their decade (40an: 40-49)",
        "in_bracket": "given as numbers, placed in the bracket that holds them",
    }
    notes = []
    for kind, text in what.items():
        found = np.flatnonzero(kinds == kind)
        if not len(found):
            continue
        listed = ", ".join(str(rows[k]) for k in found[:NOTED_ROWS])
        more = ", ..." if len(found) > NOTED_ROWS else ""
        answers = "answer" if len(found) == 1 else "answers"
        notes.append(f'column "{column}": {len(found)} {answers} {text}; rows {listed}{more}')
    return notes

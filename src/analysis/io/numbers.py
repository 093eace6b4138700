"""Parse counts and rates as social-media exports write them: separators, suffixes, placeholders.

Exports write the same number in many ways: ``12400``, ``"12,400"`` (English UI), ``12.400``
(Indonesian/German UI), ``12 400``, ``12.4K``, ``12,4 rb`` (Indonesian *ribu*, typed by hand),
``1,2 jt`` (*juta*), ``-1`` (TikTok adjustments) and ``-``/``—``/``N/A``/``undefined`` for "no
value". :func:`parse_counts` turns a column of such strings into ``Int64`` and
:func:`parse_decimal` into ``Float64``; both read each distinct text once and raise
:class:`~analysis.errors.InputError` naming the file, row, column and value they cannot read.

Separator rules (``locale="auto"``)
    A value holding both ``,`` and ``.`` uses the last one as decimal mark. A mark repeated
    (``1.234.567``) is a thousands separator. A single mark followed by exactly three digits
    (``1,250``/``1.250``) is a thousands separator in a count (counts are whole numbers) and, in a
    rate, follows the column: if other values in the column show a decimal comma (``5,22``) the
    column is read as decimal-comma, otherwise ``.`` is the decimal mark and ``,`` the thousands
    separator. A single mark before a suffix (``1.2K``, ``1,2 rb``) is always a decimal mark.
    Spaces, no-break spaces and apostrophes between digits are thousands separators. An explicit
    locale (``"en"``, ``"id"``, ``"de"``, ``"id-ID"`` ...) fixes the decimal mark for every value,
    and a value whose grouping does not fit it (``12,5`` in ``en``) is an error, not a guess.

Suffixes
    ``K``/``rb``/``ribu`` = 10^3, ``M``/``jt``/``juta`` = 10^6, ``B``/``bn``/``mlr``/``miliar``
    = 10^9 (case-insensitive). With ``locale="id"`` a bare ``M`` means *miliar* (10^9), as the
    Indonesian UI abbreviates it; everywhere else ``M`` is a million. Abbreviated counts are
    rounded to the nearest whole number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import InputError, raise_first_bad
from analysis.io.labels import factorize_text

#: Cell values meaning "no value" (compared after stripping and case-folding).
PLACEHOLDERS = frozenset(
    {"", "-", "--", "—", "–", "n/a", "na", "n.a.", "#n/a", "undefined", "null", "none", "nan"}
)
#: Multipliers of abbreviated numbers.
SUFFIXES = {
    "k": 1e3,
    "rb": 1e3,
    "ribu": 1e3,
    "m": 1e6,
    "jt": 1e6,
    "juta": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "mlr": 1e9,
    "miliar": 1e9,
}
#: Languages whose UI writes a decimal comma (and ``.`` or a space between thousands).
COMMA_DECIMAL = frozenset(
    {
        "id",
        "de",
        "pt",
        "es",
        "it",
        "fr",
        "nl",
        "vi",
        "tr",
        "ru",
        "pl",
        "da",
        "sv",
        "nb",
        "fi",
        "cs",
        "ro",
        "hu",
    }
)
#: Languages whose UI writes a decimal point (and ``,`` between thousands).
POINT_DECIMAL = frozenset({"en", "zh", "ja", "ko", "th", "ms", "tl", "hi"})

_TOKEN = (
    r"^(?P<sign>[-+]?)\s*(?P<body>\d(?:[\d.,' ]*\d)?)\s*(?P<suffix>[a-z]+)?\s*"
    r"(?P<pct>%)?$"
)
_GROUPED = {
    "point": r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$",
    "comma": r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$",
}
#: A count written as plain digits (no sign, separator or suffix) that fits in an int64.
_PLAIN_COUNT = r"[0-9]{1,18}"
_COUNT_HINT = (
    'expected a whole number such as 1234, "1,234", 1.250, 1.2K or 3,4 rb; - or N/A for none'
)
_DECIMAL_HINT = "expected a number such as 0.033, 5,22, 38% or 42600.6525; - or N/A for none"


def parse_counts(
    values: pd.Series, *, path=None, column: str | None = None, locale: str = "auto"
) -> pd.Series:
    """Parse a column of counts (likes, views ...) into whole numbers.

    Parameters
    ----------
    values : pandas.Series
        Cells as strings (or numbers), indexed by spreadsheet row number.
    path : str or Path, optional
        The file the column comes from, for error messages.
    column : str, optional
        The column header, for error messages.
    locale : str
        ``"auto"`` (infer per value, see the module docstring) or a UI language such as ``"en"``,
        ``"id"``, ``"de"`` or ``"pt-BR"`` that fixes the decimal mark.

    Returns
    -------
    pandas.Series
        ``Int64`` with the same index; placeholders give ``<NA>``; negatives are kept.

    Raises
    ------
    InputError
        Naming the first row whose value is not a count (text, a fraction such as ``12.5`` without
        a suffix, a percentage or an unknown suffix).
    """
    _locale_style(locale, path, column)
    codes, texts = factorize_text(values)
    if texts.str.fullmatch(_PLAIN_COUNT).all():  # most exports: digits only, read at once
        counts = pd.array([*texts.astype("int64"), pd.NA], dtype="Int64")
        return pd.Series(counts.take(codes), index=values.index)
    parts = _tokenise(texts, locale)
    number = _number(parts, integer=True, locale=locale, path=path, column=column)
    scaled = number * parts["multiplier"]
    whole = parts["suffix"].notna() | (scaled == np.round(scaled))
    bad = parts["value"] & (number.isna() | parts["pct"].notna() | ~whole)
    _raise_first_bad(bad, codes, values, path, column, "is not a count", _COUNT_HINT)
    counts = np.floor(scaled + 0.5).where(parts["value"]).astype("Int64")
    return pd.Series(counts.array.take(codes), index=values.index)


def parse_decimal(
    values: pd.Series, *, path=None, column: str | None = None, locale: str = "auto"
) -> pd.Series:
    """Parse a column of rates, percentages or decimal amounts.

    A trailing ``%`` is dropped and the number kept in percent units (``38%`` gives ``38.0``;
    YouTube's ``Impressions click-through rate (%)`` already holds ``5.22``). Fractions such as
    X's ``engagement rate`` (``0.033``) are returned as written.

    Parameters
    ----------
    values : pandas.Series
        Cells as strings (or numbers), indexed by spreadsheet row number.
    path : str or Path, optional
        The file, for error messages.
    column : str, optional
        The column header, for error messages.
    locale : str
        ``"auto"`` (infer from the column, see the module docstring) or a UI language.

    Returns
    -------
    pandas.Series
        ``Float64`` with the same index; placeholders give ``<NA>``.

    Raises
    ------
    InputError
        Naming the first row whose value is not a number.
    """
    codes, texts = factorize_text(values)
    parts = _tokenise(texts, locale)
    number = _number(parts, integer=False, locale=locale, path=path, column=column)
    bad = parts["value"] & number.isna()
    _raise_first_bad(bad, codes, values, path, column, "is not a number", _DECIMAL_HINT)
    decimals = (number * parts["multiplier"]).where(parts["value"]).astype("Float64")
    return pd.Series(decimals.array.take(codes), index=values.index)


def _raise_first_bad(
    bad: pd.Series, codes: np.ndarray, values: pd.Series, path, column, what: str, hint: str
) -> None:
    """:func:`~analysis.errors.raise_first_bad` for per-text flags ``bad`` (NA text last)."""
    cells = pd.Series(bad.to_numpy(dtype=bool)[codes], index=values.index)
    raise_first_bad(cells, values, path=path, column=column, what=what, hint=hint)


def _tokenise(texts: pd.Series, locale: str) -> pd.DataFrame:
    """Each distinct cell text (see :func:`analysis.io.labels.factorize_text`) split into sign,
    digit body, suffix and percent sign, placeholders flagged.

    The texts keep their numbers, with one more row at the end for NA cells, so every result
    per text is taken for each cell with ``take(codes)``.
    """
    text = (
        pd.concat([texts, pd.Series([""], dtype="string")], ignore_index=True)
        .str.replace("[\u00a0\u202f\u2009]", " ", regex=True)
        .str.replace("\u2212", "-", regex=False)
        .str.strip()
    )
    folded = text.str.casefold()
    parts = folded.str.extract(_TOKEN)
    parts["value"] = ~folded.isin(PLACEHOLDERS)
    parts["body"] = parts["body"].str.replace(r"[' ]", "", regex=True)
    suffixes = {**SUFFIXES, "m": 1e9} if locale.lower().startswith("id") else SUFFIXES
    multiplier = parts["suffix"].map(suffixes).astype("float64")
    parts["multiplier"] = multiplier.where(parts["suffix"].notna().to_numpy(bool), 1.0)
    parts["sign"] = np.where(parts["sign"].eq("-").fillna(False).to_numpy(bool), -1.0, 1.0)
    return parts


def _number(parts: pd.DataFrame, *, integer: bool, locale: str, path, column) -> pd.Series:
    """Return the signed, unscaled number of each cell (NaN where it cannot be read)."""
    style = _styles(parts, integer=integer, locale=_locale_style(locale, path, column))
    body = parts["body"].fillna("")
    fits = pd.Series(False, index=parts.index)
    normal = pd.Series("", index=parts.index, dtype="string")
    for name, pattern in _GROUPED.items():
        mask = style == name
        fits |= mask & body.str.fullmatch(pattern).fillna(False).astype(bool)
        thousands, decimal = (",", ".") if name == "point" else (".", ",")
        normal[mask] = (
            body[mask]
            .str.replace(thousands, "", regex=False)
            .str.replace(decimal, ".", regex=False)
        )
    number = pd.to_numeric(normal.where(fits), errors="coerce").astype("float64")
    return number.where(parts["multiplier"].notna()) * parts["sign"]


def _styles(parts: pd.DataFrame, *, integer: bool, locale: str) -> pd.Series:
    """Per cell, ``"point"`` (``,`` groups thousands) or ``"comma"`` (``.`` groups thousands)."""
    if locale != "auto":
        return pd.Series(locale, index=parts.index)
    body = parts["body"].fillna("")
    commas, dots = body.str.count(","), body.str.count(r"\.")
    last_dot = body.str.rfind(".") > body.str.rfind(",")
    three = body.str.contains(r"^[1-9]\d{0,2}[.,]\d{3}$", regex=True) & parts["suffix"].isna()
    style = pd.Series("point", index=parts.index)
    style[(commas > 0) & (dots > 0) & ~last_dot] = "comma"
    style[(commas == 0) & (dots > 1)] = "comma"
    style[(dots == 0) & (commas == 1) & ~three] = "comma"
    ambiguous = ((commas + dots) == 1) & three
    if integer:
        style[ambiguous & (dots == 1)] = "comma"
    else:
        evidence = style[~ambiguous & ((commas + dots) > 0) & parts["value"]]
        column_style = (
            "comma" if (evidence == "comma").any() and not (evidence == "point").any() else "point"
        )
        style[ambiguous] = column_style
    return style


def _locale_style(locale: str, path, column) -> str:
    """Map a locale argument to ``"auto"``, ``"point"`` or ``"comma"``."""
    language = locale.strip().lower().replace("_", "-").split("-")[0]
    if language == "auto":
        return "auto"
    if language in COMMA_DECIMAL:
        return "comma"
    if language in POINT_DECIMAL:
        return "point"
    raise InputError(
        f'unknown number locale "{locale}"',
        path=path,
        column=column,
        hint="use auto, or a language code such as en, id, de, pt",
    )

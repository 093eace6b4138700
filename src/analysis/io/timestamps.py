"""Parse survey timestamps as the tools write them, into UTC.

Google Forms' CSV download writes ``2026/09/27 3:00:00 PM GMT+7``; the linked Sheet writes the
spreadsheet locale (``27/09/2026 15:00:00`` in Indonesia, ``9/27/2026 15:00:00`` in the US) with no
zone; Indonesian users also write ``WIB``/``WITA``/``WIT``. Naive times are read in the study's
time zone.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.errors import InputError

#: Indonesian zone abbreviations and their UTC offsets in hours.
INDONESIAN_ZONES = {"WIB": 7, "WITA": 8, "WIT": 9}

ISO_WITH_ZONE = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
_OFFSET = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.IGNORECASE)
_ABBREV = re.compile(r"\s*\b(WIB|WITA|WIT)\s*$", re.IGNORECASE)


def split_zone(text: str) -> tuple[str, int | None]:
    """Split a trailing zone (``GMT+7``, ``UTC+08:00``, ``WIB``) off ``text``.

    Returns the text without the zone and the offset in minutes (None when there was none).
    """
    match = _OFFSET.search(text)
    if match:
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        return text[: match.start()], sign * minutes
    match = _ABBREV.search(text)
    if match:
        return text[: match.start()], INDONESIAN_ZONES[match.group(1).upper()] * 60
    return text, None


def split_zones(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`split_zone`: (text without zone, offset in minutes or NA)."""
    bare = text.copy()
    offsets = pd.Series(float("nan"), index=text.index)
    lettered = text.str.contains(r"[A-Za-z]", regex=True).to_numpy(dtype=bool, na_value=False)
    if not lettered.any():
        return bare, offsets
    part = text[lettered]
    offset = part.str.extract("(?i)" + _OFFSET.pattern)
    sign = offset[0].map({"+": 1, "-": -1})
    minutes = pd.to_numeric(offset[1]) * 60 + pd.to_numeric(offset[2]).fillna(0)
    abbrev = part.str.extract("(?i)" + _ABBREV.pattern)[0].str.upper()
    offsets[lettered] = (sign * minutes).fillna(abbrev.map(INDONESIAN_ZONES) * 60)
    stripped = part.str.replace("(?i)" + _OFFSET.pattern, "", regex=True)
    bare[lettered] = stripped.str.replace("(?i)" + _ABBREV.pattern, "", regex=True).str.strip()
    return bare, offsets


def parse_timestamps(
    values: pd.Series,
    timezone: str,
    date_order: str = "auto",
    path=None,
    column: str | None = None,
) -> pd.Series:
    """Parse survey timestamps to ``datetime64[ns, UTC]``.

    Parameters
    ----------
    values : pandas.Series
        Strings indexed by spreadsheet row; ``""`` or NA give NaT.
    timezone : str
        IANA zone for values without a zone (e.g. ``Asia/Jakarta``).
    date_order : {"auto", "dmy", "mdy", "ymd"}
        Order of day and month in slash dates. ``auto`` picks ``dmy`` when any first number is
        above 12, ``mdy`` when any second number is, else ``dmy`` (the Indonesian default).
    path, column
        Used in error messages.

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]`` with the same index.

    Raises
    ------
    InputError
        Naming the first row whose value cannot be read as a date and time.
    """
    text = values.astype("str").fillna("").str.strip()
    iso = text.str.match(ISO_WITH_ZONE).to_numpy(dtype=bool, na_value=False)
    if iso.any():
        text = text.where(~iso, "")
    bare, offsets = split_zones(text)
    order = _resolve_order(bare, date_order)
    parsed = _parse_local(bare, order)
    bad = (bare != "") & parsed.isna()
    if bad.any():
        row = bad[bad].index[0]
        raise InputError(
            f'"{values[row]}" is not a date and time this reader knows',
            path=path,
            row=int(row),
            column=column,
            hint="expected e.g. 27/09/2026 15:00:00 or 2026/09/27 3:00:00 PM GMT+7",
        )
    has_offset = offsets.notna()
    offsets = offsets.astype(float)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if (~has_offset).any():
        local = parsed[~has_offset].dt.tz_localize(timezone, ambiguous="NaT", nonexistent="NaT")
        out[~has_offset] = local.dt.tz_convert("UTC")
    if has_offset.any():
        shift = pd.to_timedelta(offsets[has_offset].astype(float), unit="min")
        out[has_offset] = (parsed[has_offset] - shift).dt.tz_localize("UTC")
    if iso.any():
        out[iso] = _parse_iso(values.astype("str")[iso], path, column)
    return out


def _parse_iso(values: pd.Series, path, column) -> pd.Series:
    """ISO 8601 values with ``Z`` or an offset (ODK, Kobo, APIs), converted to UTC."""
    parsed = pd.to_datetime(values.str.strip(), utc=True, format="ISO8601", errors="coerce")
    if parsed.isna().any():
        row = parsed[parsed.isna()].index[0]
        raise InputError(
            f'"{values[row]}" is not a valid ISO 8601 date and time',
            path=path,
            row=int(row),
            column=column,
        )
    return parsed


FAST_FORMATS = {
    "dmy": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M.%S", "%d-%m-%Y %H:%M:%S"),
    "mdy": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p"),
    "ymd": ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"),
}


def _parse_local(bare: pd.Series, order: str) -> pd.Series:
    """Parse zone-less text: the fixed format that reads a sample, else a flexible parser."""
    parsed = pd.Series(pd.NaT, index=bare.index, dtype="datetime64[ns]")
    todo = bare != ""
    sample = bare[todo].head(200)
    for fmt in FAST_FORMATS["ymd"] + FAST_FORMATS[order if order != "ymd" else "dmy"]:
        if pd.to_datetime(sample, format=fmt, errors="coerce").notna().all():
            attempt = pd.to_datetime(bare[todo], format=fmt, errors="coerce")
            parsed[todo] = attempt
            todo &= parsed.isna()
            break
    if todo.any():
        dayfirst = order == "dmy"
        parsed[todo] = pd.to_datetime(
            bare[todo], errors="coerce", dayfirst=dayfirst, format="mixed"
        )
    return parsed


def _resolve_order(bare: pd.Series, date_order: str) -> str:
    if date_order != "auto":
        return date_order
    slash = bare.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}")
    first = pd.to_numeric(slash[0], errors="coerce")
    second = pd.to_numeric(slash[1], errors="coerce")
    if (first > 12).any():
        return "dmy"
    if (second > 12).any():
        return "mdy"
    return "dmy"

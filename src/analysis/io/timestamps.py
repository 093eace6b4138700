"""Parse timestamps as survey tools and platform exports write them, into UTC: the one parser.

Google Forms' CSV download writes ``2026/09/27 3:00:00 PM GMT+7``; the linked Sheet writes the
spreadsheet locale (``27/09/2026 15:00:00`` in Indonesia, ``9/27/2026 15:00:00`` in the US) with no
zone; Indonesian users also write ``WIB``/``WITA``/``WIT``. Post exports write ``Sep 27, 2026``,
``2026-09-27 15:00 +0000`` or ``09/27/2026 08:00 EDT``. Survey readers and post readers all go
through :func:`parse_timestamps` (post readers pass the formats their export uses) and
:func:`parse_iso_timestamps`.

Zones
    A trailing ``GMT+7``/``UTC+08:00``, a numeric offset after the time (``+0000``, ``-05:00``),
    ``Z`` or an abbreviation of :data:`ZONE_ABBREVIATIONS` (``WIB``, ``EDT`` ...) is applied.
    Values without one are local times in the configured IANA zone.

Daylight saving (the one rule, :func:`localize`)
    A local time that occurs twice (the repeated hour when daylight saving ends, e.g. 01:30 on
    1 November 2026 in ``America/New_York``) is read as its first occurrence, in daylight time;
    a local time that does not exist (the hour skipped when it starts, e.g. 02:30 on 8 March
    2026 there) is moved forward to the first time that exists (03:00 daylight time). Exports
    write such times without saying which is meant, and a researcher cannot repair them, so
    they are read by this fixed rule instead of being dropped. Indonesian zones have no
    daylight saving.
"""

from __future__ import annotations

import re
import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputError, raise_first_bad

#: Zone abbreviations accepted after a time, in minutes east of UTC.
ZONE_ABBREVIATIONS = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WIB": 420,
    "WITA": 480,
    "WIT": 540,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "CET": 60,
    "CEST": 120,
    "BST": 60,
    "SGT": 480,
    "JST": 540,
    "AEST": 600,
    "AEDT": 660,
}

ISO_WITH_ZONE = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
ISO_WITH_OFFSET = r"[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
#: A zone with letters (``GMT+7``, ``UTC+08:00``, ``WIB``, ``EDT``, ``Z``) after a number or
#: AM/PM; a word that is not a known zone leaves the value as it is.
_NAMED_ZONE = (
    r"^(?P<bare>.*?(?:\d|[AaPp][Mm]))\s*(?:(?:GMT|UTC|gmt|utc)\s*"
    r"(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?|(?P<abbrev>[A-Za-z]{1,5}))$"
)
#: A numeric offset (``+0000``, ``-05:00``, ``+7``), only right after a time (a date such as
#: ``27-09-2026`` does not end in an offset).
_NUMERIC_ZONE = (
    r"^(?P<bare>.*\d:\d\d(?::\d\d(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)\s*"
    r"(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$"
)


def localize(naive: pd.Series, timezone: str) -> pd.Series:
    """Local times (``datetime64[ns]``) in ``timezone`` as ``datetime64[ns, UTC]``.

    Applies the daylight-saving rule of the module docstring: a repeated local time is read
    as its first occurrence (daylight time), a skipped one is moved forward.
    """
    daylight = np.ones(len(naive), dtype=bool)
    local = naive.dt.tz_localize(timezone, ambiguous=daylight, nonexistent="shift_forward")
    return local.dt.tz_convert("UTC")


def _check_offsets(values: pd.Series, offsets: pd.Series, path, column) -> None:
    """Raise InputError for a zone offset outside UTC-12:00 ... UTC+14:00 (none exists)."""
    raise_first_bad(
        ((offsets > 14 * 60) | (offsets < -12 * 60)).fillna(False),
        values,
        path=path,
        column=column,
        what="has a time-zone offset that does not exist",
        hint="offsets run from GMT-12 to GMT+14; WIB is GMT+7, WITA GMT+8, WIT GMT+9",
    )


def split_zones(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split trailing zones off ``text``: (text without zone, offset in minutes or NaN).

    See the module docstring for the zones recognised; a value without one is kept whole.
    """
    bare = text.copy()
    offsets = pd.Series(float("nan"), index=text.index)
    candidate = text.str.contains(r"[A-Za-z+]|:\d\d\s*-\d", regex=True)
    candidate = candidate.to_numpy(dtype=bool, na_value=False)
    if not candidate.any():
        return bare, offsets
    part = text[candidate]
    named = part.str.extract(_NAMED_ZONE)
    numeric = part.str.extract(_NUMERIC_ZONE)
    abbreviated = named["abbrev"].str.upper().map(ZONE_ABBREVIATIONS).astype(float)
    minutes = _offset_minutes(named).fillna(abbreviated)
    use_numeric = minutes.isna()
    minutes = minutes.where(~use_numeric, _offset_minutes(numeric))
    stripped = named["bare"].where(~use_numeric, numeric["bare"]).str.strip()
    offsets[candidate] = minutes
    bare[candidate] = stripped.where(minutes.notna(), part)
    return bare, offsets


def _offset_minutes(parts: pd.DataFrame) -> pd.Series:
    """Signed minutes of the ``sign``/``hours``/``minutes`` groups (NaN where none)."""
    sign = parts["sign"].map({"+": 1.0, "-": -1.0}).astype(float)
    hours = pd.to_numeric(parts["hours"]).astype(float)
    return sign * (hours * 60 + pd.to_numeric(parts["minutes"]).astype(float).fillna(0))


def parse_timestamps(
    values: pd.Series,
    timezone: str,
    date_order: str = "auto",
    path=None,
    column: str | None = None,
    *,
    formats: tuple[str, ...] | None = None,
    default_order: str = "dmy",
) -> pd.Series:
    """Parse timestamps of a survey or a post export to ``datetime64[ns, UTC]``.

    Parameters
    ----------
    values : pandas.Series
        Strings indexed by spreadsheet row; ``""`` or NA give NaT.
    timezone : str
        IANA zone for values without a zone (e.g. ``Asia/Jakarta``); see the module docstring
        for the daylight-saving rule.
    date_order : {"auto", "dmy", "mdy", "ymd"}
        Order of day and month in slash dates. ``auto`` picks ``dmy`` when any first number is
        above 12, ``mdy`` when any second number is, else ``default_order``.
    path, column
        Used in error messages.
    formats : tuple of str, optional
        ``strftime`` formats the values must have (after their zone), tried in order; ``{dm}``
        stands for the slash date in the column's day/month order. Post readers pass their
        export's formats. Without them, survey layouts are recognised (see Notes).
    default_order : {"dmy", "mdy"}
        Slash-date order of ``auto`` when no value shows one: ``dmy``, the Indonesian default,
        for surveys; post readers pass ``mdy`` for English exports.

    Returns
    -------
    pandas.Series
        ``datetime64[ns, UTC]`` with the same index.

    Raises
    ------
    InputError
        Naming the first row whose value cannot be read as a date and time, or whose zone
        offset does not exist.

    Notes
    -----
    ISO 8601 values with ``Z`` or an offset are read by :func:`parse_iso_timestamps`. Without
    ``formats``, a fixed format that reads a sample of the column is tried first, then a
    flexible parser. When every value is written in the zero-padded layout of the format
    picked for the column (e.g. ``27/09/2026 15:00:00``), the values are read by array
    arithmetic on their bytes.
    """
    text = values.astype("str").fillna("")
    plain = None if formats else _parse_plain(text, date_order, default_order)
    if plain is not None:  # such values have no zone and no spaces to strip
        return localize(plain, timezone)
    text = text.str.strip()
    iso = text.str.match(ISO_WITH_ZONE).to_numpy(dtype=bool, na_value=False)
    if iso.any():
        text = text.where(~iso, "")
    bare, offsets = split_zones(text)
    _check_offsets(values, offsets, path, column)
    order = _resolve_order(bare, date_order, default_order)
    if formats:
        parsed = _parse_formats(bare, formats, order)
        hint = ", ".join(formats[:2]).replace("{dm}", SLASH_DATES[order])
    else:
        parsed = _parse_local(bare, order)
        hint = "27/09/2026 15:00:00 or 2026/09/27 3:00:00 PM GMT+7"
    raise_first_bad(
        (bare != "") & parsed.isna(),
        values,
        path=path,
        column=column,
        what="is not a date and time this reader knows",
        hint="expected e.g. " + hint,
    )
    out = _to_utc(parsed, offsets, timezone)
    if iso.any():
        out[iso] = parse_iso_timestamps(values.astype("str")[iso], "UTC", path, column)
    return out


#: The slash date of each day/month order, for ``{dm}`` in the formats of a post export.
SLASH_DATES = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y", "ymd": "%Y/%m/%d"}


def _parse_formats(bare: pd.Series, formats: tuple[str, ...], order: str) -> pd.Series:
    """Zone-less text read with the first of ``formats`` that reads each value (else NaT)."""
    parsed = pd.Series(pd.NaT, index=bare.index, dtype="datetime64[ns]")
    for pattern in formats:
        todo = parsed.isna() & (bare != "")
        if not todo.any():
            break
        fmt = pattern.replace("{dm}", SLASH_DATES[order])
        parsed[todo] = pd.to_datetime(bare[todo], format=fmt, errors="coerce")
    return parsed


def _to_utc(parsed: pd.Series, offsets: pd.Series, timezone: str) -> pd.Series:
    """Local times in UTC: at their offset in minutes where ``offsets`` has one, else in
    ``timezone`` (by :func:`localize`)."""
    has_offset = offsets.notna()
    offsets = offsets.astype(float)
    out = pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns, UTC]")
    if (~has_offset).any():
        out[~has_offset] = localize(parsed[~has_offset], timezone)
    if has_offset.any():
        shift = pd.to_timedelta(offsets[has_offset].astype(float), unit="min")
        out[has_offset] = (parsed[has_offset] - shift).dt.tz_localize("UTC")
    return out


def check_timezone(zone: str, path=None, row: int | None = None, column: str | None = None) -> None:
    """Raise InputError unless ``zone`` is an IANA time zone name such as ``Asia/Jakarta``."""
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise InputError(
            f'"{zone}" is not an IANA time zone',
            path=path,
            row=row,
            column=column,
            hint="e.g. Asia/Jakarta, UTC",
        ) from error


def parse_iso_timestamps(
    values: pd.Series, timezone: str, path=None, column: str | None = None
) -> pd.Series:
    """Parse ISO 8601 date-times to ``datetime64[ns, UTC]``.

    Values ending in ``Z`` or an offset (``2015-06-02T15:24:29.515+02``) are converted with it;
    values without one are local times in ``timezone``. ``""``/NA give NaT.

    Raises
    ------
    InputError
        Naming the first row whose value is not an ISO 8601 date-time.
    """
    check_timezone(timezone, path=path)
    text = values.astype("string").fillna("").str.strip()
    has_offset = text.str.contains(ISO_WITH_OFFSET, regex=True)
    aware = pd.to_datetime(text.where(has_offset), utc=True, format="ISO8601", errors="coerce")
    naive = pd.to_datetime(
        text.where(~has_offset & (text != "")), format="ISO8601", errors="coerce"
    )
    out = aware.where(has_offset, localize(naive, timezone)).astype("datetime64[ns, UTC]")
    raise_first_bad(
        (text != "") & out.isna(),
        values,
        path=path,
        column=column,
        what="is not an ISO 8601 date and time",
        hint="expected e.g. 2015-06-02T15:24:29.515+02:00",
    )
    return out


FAST_FORMATS = {
    "dmy": ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H.%M.%S", "%d-%m-%Y %H:%M:%S"),
    "mdy": ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p"),
    "ymd": ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"),
}


def _parse_local(bare: pd.Series, order: str) -> pd.Series:
    """Parse zone-less text: the fixed format that reads a sample, else a flexible parser."""
    parsed = np.full(len(bare), np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = (bare != "").to_numpy(dtype=bool, copy=True)
    fmt = _sample_format(bare.iloc[np.flatnonzero(todo)[:200]], order)
    if fmt is not None:
        parsed[todo] = strptime(bare if todo.all() else bare[todo], fmt)
        todo &= np.isnat(parsed)
    parsed = pd.Series(parsed, index=bare.index)
    if todo.any():
        dayfirst = order == "dmy"
        parsed[todo] = pd.to_datetime(
            bare[todo], errors="coerce", dayfirst=dayfirst, format="mixed"
        )
    return parsed


def _sample_format(sample: pd.Series, order: str) -> str | None:
    """The first of the :data:`FAST_FORMATS` to try that reads every value of ``sample``."""
    for fmt in FAST_FORMATS["ymd"] + FAST_FORMATS[order if order != "ymd" else "dmy"]:
        if pd.to_datetime(sample, format=fmt, errors="coerce").notna().all():
            return fmt
    return None


def _parse_plain(text: pd.Series, date_order: str, default_order: str) -> pd.Series | None:
    """Local times (``datetime64[ns]``) when every value is empty or a valid time written in
    the zero-padded layout of the format :func:`_parse_local` picks for the column; such
    values hold no zone and no ISO time, so the rest of :func:`parse_timestamps` would leave
    them as they are. Otherwise None."""
    filled = (text != "").to_numpy(dtype=bool)
    if not filled.any():
        return None
    sample = text.iloc[np.flatnonzero(filled)[:200]]
    fmt = _sample_format(sample, _resolve_order(text, date_order, default_order))
    if fmt is None:
        return None
    parsed, done = _parse_fixed_width(text, fmt)
    return pd.Series(parsed, index=text.index) if np.array_equal(done, filled) else None


#: Digits each directive of a fixed-width format takes.
FIXED_WIDTHS = {"Y": 4, "m": 2, "d": 2, "H": 2, "M": 2, "S": 2}


def strptime(text: pd.Series, fmt: str) -> np.ndarray:
    """``pd.to_datetime(text, format=fmt, errors="coerce")`` as ``datetime64[ns]`` values.

    Values written exactly in the layout of ``fmt`` with every number zero-padded (e.g.
    ``27/09/2026 15:00:00``) are read by array arithmetic on their bytes; any other value
    goes to pandas, so the result is pandas' for every value.
    """
    parsed, done = _parse_fixed_width(text, fmt)
    if not done.all():
        rest = pd.to_datetime(text[~done], format=fmt, errors="coerce")
        parsed[~done] = rest.astype("datetime64[ns]").to_numpy()
    return parsed


def _fixed_layout(fmt: str) -> tuple[list[int | None], dict[str, int]] | None:
    """Byte template of ``fmt`` (None = digit) and the start of each directive, when ``fmt``
    has only zero-padded number directives and ASCII separators; else None."""
    template: list[int | None] = []
    starts = {}
    for token in re.findall(r"%.|.", fmt, flags=re.DOTALL):
        if token[0] == "%":
            if token[1] not in FIXED_WIDTHS:
                return None
            starts[token[1]] = len(template)
            template += [None] * FIXED_WIDTHS[token[1]]
        elif token.isascii():
            template.append(ord(token))
        else:
            return None
    return template, starts


def _parse_fixed_width(text: pd.Series, fmt: str) -> tuple[np.ndarray, np.ndarray]:
    """Values of ``text`` in the zero-padded layout of ``fmt`` with a valid date and time
    (year 1678 to 2261, inside ``datetime64[ns]``), and which values those are."""
    parsed = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    done = np.zeros(len(text), dtype=bool)
    layout = _fixed_layout(fmt)
    if layout is None or not len(text):
        return parsed, done
    template, starts = layout
    strings = pa.array(text.array, type=pa.large_string())
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    sized = np.diff(_offsets(strings)) == len(template)
    rows = np.flatnonzero(sized)
    if len(rows) < len(strings):
        strings = strings.filter(pa.array(sized))
    cells = _byte_matrix(strings, len(template))
    shape_ok = np.ones(len(rows), dtype=bool)
    for position, byte in enumerate(template):
        column = cells[:, position]
        shape_ok &= (column - np.uint8(48) <= 9) if byte is None else (column == byte)
    fields = {k: _number(cells, start, FIXED_WIDTHS[k]) for k, start in starts.items()}
    stamps, valid = _stamps(fields, len(rows))
    keep = shape_ok & valid
    parsed[rows[keep]] = stamps[keep]
    done[rows[keep]] = True
    return parsed, done


def _offsets(strings: pa.LargeStringArray) -> np.ndarray:
    """The ``len(strings) + 1`` byte offsets of a large string array (a null has length 0)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)
    return offsets[strings.offset : strings.offset + len(strings) + 1]


def _byte_matrix(strings: pa.LargeStringArray, width: int) -> np.ndarray:
    """The UTF-8 bytes of strings that all have ``width`` bytes, one row per string."""
    if not len(strings):
        return np.zeros((0, width), dtype=np.uint8)
    offsets = _offsets(strings)
    data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)
    return data[offsets[0] : offsets[-1]].reshape(-1, width)


def _number(cells: np.ndarray, start: int, width: int) -> np.ndarray:
    """The decimal number written in columns ``start`` to ``start + width`` of ``cells``."""
    value = cells[:, start].astype(np.int32)
    for position in range(start + 1, start + width):
        value *= 10
        value += cells[:, position]
    return value - 48 * (10**width - 1) // 9  # the ASCII code of "0" in every place


def _stamps(fields: dict[str, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """``datetime64[ns]`` from year, month ... arrays (missing ones: 0), and which are valid."""
    zero = np.zeros(n, dtype=np.int32)
    year, month, day = (fields.get(k, zero) for k in "Ymd")
    hour, minute, second = (fields.get(k, zero) for k in "HMS")
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    length = MONTH_DAYS[np.clip(month, 1, 12) - 1] + (leap & (month == 2))
    valid = (year >= 1678) & (year <= 2261) & (month >= 1) & (month <= 12)
    valid &= (day >= 1) & (day <= length) & (hour <= 23) & (minute <= 59) & (second <= 59)
    seconds = _days_from_civil(year, month, day).astype(np.int64) * 86400
    seconds += hour * 3600 + minute * 60 + second
    seconds[~valid] = 0
    seconds *= 10**9
    return seconds.view("datetime64[ns]"), valid


#: Days of each month in a common year.
MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = year // 400
    of_era = year - era * 400
    of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    return era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468


#: The first two numbers of a slash (or dot, hyphen) date, as groups and as named groups.
LEADING_NUMBERS = r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}"
LEADING_NUMBERS_NAMED = r"^(?P<first>\d{1,2})[/.-](?P<second>\d{1,2})[/.-]\d{2,4}"


def _resolve_order(bare: pd.Series, date_order: str, default_order: str = "dmy") -> str:
    """``date_order``, or for ``auto`` the order the slash dates in ``bare`` imply
    (``default_order`` when no first or second number is above 12)."""
    if date_order != "auto":
        return date_order
    first, second = _leading_maxima(bare)
    if first > 12:
        return "dmy"
    if second > 12:
        return "mdy"
    return default_order


def _leading_maxima(bare: pd.Series) -> list[float]:
    """Largest first and second number of the slash dates in ``bare`` (0 when none).

    ASCII values go through Arrow's regular expressions (which match them alike), the others
    through Python's, whose ``\\d`` also takes other scripts' digits.
    """
    ascii_only = bare.str.isascii().to_numpy(dtype=bool, na_value=True)
    strings = pa.array((bare if ascii_only.all() else bare[ascii_only]).array, pa.large_string())
    found = pc.extract_regex(strings, LEADING_NUMBERS_NAMED)
    slash = bare[~ascii_only].str.extract(LEADING_NUMBERS)
    maxima = []
    for k in (0, 1):
        tops = [
            pc.max(pc.cast(pc.struct_field(found, [k]), pa.int64())).as_py(),
            pd.to_numeric(slash[k], errors="coerce").max(),
        ]
        maxima.append(max((top for top in tops if top is not None and top == top), default=0))
    return maxima

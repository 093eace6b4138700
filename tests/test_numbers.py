"""Tests for analysis.io.numbers: counts and rates as exports write them."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.io.numbers import parse_counts, parse_decimal

NA = pd.NA


def counts(values, locale="auto"):
    series = pd.Series(values, index=range(2, 2 + len(values)), dtype="string")
    return parse_counts(series, path="export.csv", column="Likes", locale=locale)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12400", 12400),
        ("12,400", 12400),  # English UI, quoted in the CSV
        ("1,972,048", 1972048),  # CrowdTangle Total Interactions
        ("1.250", 1250),  # id/de UI: "." followed by exactly three digits
        ("1.234.567", 1234567),
        ("12 400", 12400),
        ("12\u00a0400", 12400),  # no-break space
        ("1.2K", 1200),
        ("1.2 k", 1200),
        ("12K", 12000),
        ("2.5M", 2500000),
        ("3B", 3000000000),
        ("12,4 rb", 12400),  # Indonesian ribu
        ("1,2 jt", 1200000),  # Indonesian juta
        ("3 ribu", 3000),
        ("-1", -1),  # TikTok adjustment
        ("\u22123", -3),  # Unicode minus
        ("+5", 5),
        ("12.0", 12),
        (" 7 ", 7),
        ("0", 0),
        ("-", NA),
        ("—", NA),
        ("N/A", NA),
        ("n/a", NA),
        ("undefined", NA),
        ("", NA),
        (None, NA),
    ],
)
def test_parse_counts_auto(raw, expected):
    result = counts([raw])
    assert result.dtype == "Int64"
    if expected is NA:
        assert result.isna().all()
    else:
        assert result.iloc[0] == expected


@pytest.mark.parametrize(
    ("raw", "locale", "expected"),
    [
        ("1.250", "id", 1250),
        ("1.500", "de", 1500),
        ("12.400", "id-ID", 12400),
        ("12,5 rb", "id", 12500),
        ("1,5 M", "id", 1_500_000_000),  # Indonesian M = miliar
        ("1.5M", "en", 1_500_000),
        ("1,250", "en", 1250),
        ("1,234", "pt_BR", NA),  # decimal comma in pt: 1.234 is not a count
    ],
)
def test_parse_counts_explicit_locale(raw, locale, expected):
    if expected is NA:
        with pytest.raises(InputError):
            counts([raw], locale=locale)
    else:
        assert counts([raw], locale=locale).iloc[0] == expected


def test_parse_counts_keeps_index_and_mixed_column():
    result = counts(["12,400", "N/A", "1.2K", "-1"])
    assert list(result.index) == [2, 3, 4, 5]
    assert result.tolist() == [12400, NA, 1200, -1]


@pytest.mark.parametrize("bad", ["lots", "12.5", "5%", "3X", "1,2,3", "12,5"])
def test_parse_counts_error_names_file_row_column_value(bad):
    with pytest.raises(InputError) as info:
        counts(["10", "20", bad])
    error = info.value
    assert (error.path, error.row, error.column) == ("export.csv", 4, "Likes")
    assert f'"{bad}"' in str(error)
    assert 'export.csv, row 4, column "Likes"' in str(error)


def test_parse_counts_english_locale_rejects_decimal_comma():
    # "12,5" cannot be a thousands grouping in English: an error, not 125
    with pytest.raises(InputError, match="12,5"):
        counts(["12,5"], locale="en")


def test_unknown_locale_is_an_input_error():
    with pytest.raises(InputError, match="unknown number locale"):
        counts(["1"], locale="xx")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["0.033", "0.0122"], [0.033, 0.0122]),  # X engagement rate (a fraction)
        (["5.22", "38%"], [5.22, 38.0]),  # percent units are kept
        (["42600.6525"], [42600.6525]),
        (["1,234.5", "1.234,5"], [1234.5, 1234.5]),
        (["5,22", "1.250"], [5.22, 1250.0]),  # decimal-comma column: 1.250 groups thousands
        (["5.22", "1,250"], [5.22, 1250.0]),
        (["-0.8", "N/A", ""], [-0.8, NA, NA]),
    ],
)
def test_parse_decimal(values, expected):
    result = parse_decimal(pd.Series(values, dtype="string"), path="f.csv", column="rate")
    assert result.dtype == "Float64"
    assert [None if v is NA else round(v, 6) for v in result.tolist()] == [
        None if v is NA else v for v in expected
    ]


def test_parse_decimal_error():
    values = pd.Series(["0.5", "half"], index=[2, 3], dtype="string")
    with pytest.raises(InputError) as info:
        parse_decimal(values, path="f.csv", column="engagement rate")
    assert (info.value.row, info.value.column) == (3, "engagement rate")


@settings(deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_counts_round_trip_all_groupings(number):
    english = f"{number:,}"
    indonesian = english.replace(",", ".")
    spaced = english.replace(",", " ")
    result = counts([str(number), english, indonesian, spaced])
    assert result.tolist() == [number] * 4


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["K", "rb", "M", "jt"]))
def test_abbreviations_scale_tenths(tenths, suffix):
    scale = {"K": 1000, "rb": 1000, "M": 10**6, "jt": 10**6}[suffix]
    whole, decimal = divmod(tenths, 10)
    english = f"{whole}.{decimal}{suffix}"
    indonesian = f"{whole},{decimal} {suffix}"
    assert counts([english, indonesian]).tolist() == [tenths * scale // 10] * 2

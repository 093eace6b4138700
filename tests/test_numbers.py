"""Tests for analysis.io.numbers (counts and rates as exports write them) and for
analysis.cleaning.number_answers (everyday answers to number questions)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.cleaning.number_answers import read_answer, read_number_answers
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


# --- everyday answers to number questions (analysis.cleaning.number_answers) ------------------


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        ("45", "number", 45, 45),
        ("45,5", "number", 45.5, 45.5),
        ("45 tahun", "unit", 45, 45),
        ("45 thn", "unit", 45, 45),
        ("45th", "unit", 45, 45),
        ("30 years old", "unit", 30, 30),
        ("± 40", "approximate", 40, 40),
        ("+- 33", "approximate", 33, 33),
        ("kurang lebih 30 th", "approximate", 30, 30),
        ("sekitar 50", "approximate", 50, 50),
        ("17-25", "range", 17, 25),
        ("17 – 25", "range", 17, 25),
        ("17 s/d 25 tahun", "range", 17, 25),
        ("17 sampai 25", "range", 17, 25),
        ("40an", "decade", 40, 49),
        ("40-an", "decade", 40, 49),
        ("25-17", "bad", None, None),
        ("dua puluh", "bad", None, None),
        ("45 tahun 3 bulan", "bad", None, None),
    ],
)
def test_everyday_number_answers(text, kind, low, high):
    reading = read_answer(text)
    assert reading.kind == kind
    if low is not None:
        assert (reading.low, reading.high) == (low, high)


def test_number_answers_midpoints_and_repair_notes():
    answers = pd.Series(
        ["45 tahun", "30", "± 40", "17-25", "40an", "", "33 thn"], index=range(2, 9)
    )
    values, notes = read_number_answers(answers, path="f.csv", column="Usia", ranges="midpoint")
    # by hand: 45, 30, 40, (17 + 25) / 2 = 21, (40 + 49) / 2 = 44.5, NA, 33
    assert values.tolist() == [45, 30, 40, 21, 44.5, pd.NA, 33]
    assert notes == [
        'column "Usia": 2 answers read as the number before their unit (45 tahun); rows 2, 8',
        'column "Usia": 1 answer read as the number after their approximation (± 40); rows 4',
        'column "Usia": 1 answer read as the midpoint of their range (17-25); rows 5',
        'column "Usia": 1 answer read as the midpoint of their decade (40an: 40-49); rows 6',
    ]


def test_number_answers_that_cannot_be_read_are_listed_in_one_error():
    answers = pd.Series(["tua", "30", "17-25", "x", "y", "z"], index=range(2, 8))
    with pytest.raises(InputError) as error:
        read_number_answers(answers, path="f.csv", column="Usia", variable="age")
    # the range counts too when ranges is left at "error"
    assert str(error.value).startswith(
        'f.csv, row 2, column "Usia": 5 answers are not a number: row 2 "tua", row 4 "17-25", '
        'row 5 "x" and 2 more'
    )
    assert 'demographic "age"' in error.value.hint


def test_number_answers_as_brackets():
    answers = pd.Series(["17-25", "20", "40an", "45", "26 - 35", ""], index=range(2, 8))
    values, notes = read_number_answers(answers, path="f.csv", column="Usia", ranges="category")
    assert values.tolist() == ["17-25", "17-25", "40-49", "40-49", "26-35", pd.NA]
    assert any("2 answers given as numbers, placed in the bracket" in n for n in notes)
    with pytest.raises(InputError, match="1 answer is neither a range nor a number inside"):
        read_number_answers(pd.Series(["17-25", "80"]), path="f", column="Usia", ranges="category")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 10**17)), min_size=1, max_size=30))
def test_plain_digit_columns_read_at_once_as_the_general_rules_read_them(numbers):
    texts = [None if n is None else str(n) for n in numbers]
    plain = counts(texts)  # digits only: the quick path
    # second reading: the same cells after a placeholder row, which takes the general rules
    general = counts(["-", *texts]).iloc[1:]
    assert plain.tolist() == general.tolist()
    assert plain.dtype == "Int64" and plain.index.tolist() == list(range(2, 2 + len(texts)))


def test_a_plain_digit_column_still_checks_its_locale():
    with pytest.raises(InputError, match='unknown number locale "xx"'):
        counts(["12", "40"], locale="xx")

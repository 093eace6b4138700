"""Survey timestamps to UTC, in the forms Google Forms and Sheets write them."""

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io.timestamps import parse_timestamps


def _utc(text):
    return pd.Timestamp(text, tz="UTC")


def test_sheet_locale_day_first_is_read_in_the_study_zone():
    values = pd.Series(["27/09/2026 15:00:00", "01/10/2026 07:05:09"], index=[2, 3])
    parsed = parse_timestamps(values, "Asia/Jakarta", "dmy")
    # 15:00 WIB (UTC+7) = 08:00 UTC; 07:05:09 WIB = 00:05:09 UTC
    assert parsed.tolist() == [_utc("2026-09-27 08:00:00"), _utc("2026-10-01 00:05:09")]


def test_forms_download_with_offset_and_am_pm():
    values = pd.Series(["2026/09/27 3:00:00 PM GMT+7", "2026/09/27 9:30:00 AM UTC+8"])
    parsed = parse_timestamps(values, "UTC")
    # 15:00 at GMT+7 = 08:00 UTC; 09:30 at UTC+8 = 01:30 UTC
    assert parsed.tolist() == [_utc("2026-09-27 08:00"), _utc("2026-09-27 01:30")]


def test_indonesian_zone_abbreviations():
    values = pd.Series(["27/09/2026 10:00 WIB", "27/09/2026 10:00 WITA", "27/09/2026 10:00 WIT"])
    parsed = parse_timestamps(values, "UTC", "dmy")
    # WIB = UTC+7, WITA = UTC+8, WIT = UTC+9
    assert parsed.tolist() == [
        _utc("2026-09-27 03:00"),
        _utc("2026-09-27 02:00"),
        _utc("2026-09-27 01:00"),
    ]


def test_auto_order_detects_month_first_from_a_day_above_twelve():
    values = pd.Series(["9/27/2026 15:00:00", "10/1/2026 8:00:00"])
    parsed = parse_timestamps(values, "UTC", "auto")
    assert parsed.tolist() == [_utc("2026-09-27 15:00"), _utc("2026-10-01 08:00")]


def test_empty_cells_become_nat():
    parsed = parse_timestamps(pd.Series(["", "27/09/2026 15:00:00"]), "UTC", "dmy")
    assert parsed.isna().tolist() == [True, False]


def test_unreadable_date_names_row_and_column():
    values = pd.Series(["27/09/2026 15:00:00", "kemarin sore"], index=[2, 3])
    with pytest.raises(InputError, match=r'f.csv, row 3, column "Stempel waktu": "kemarin sore"'):
        parse_timestamps(values, "UTC", "dmy", path="f.csv", column="Stempel waktu")


def test_iso_values_with_z_or_offset_are_converted_with_their_zone():
    values = pd.Series(["2018-01-01T00:00:00.000Z", "2026-09-27T15:00:00+07:00", ""])
    parsed = parse_timestamps(values, "Asia/Jakarta")
    # Z is UTC; 15:00 at +07:00 = 08:00 UTC
    assert parsed.tolist()[:2] == [_utc("2018-01-01 00:00"), _utc("2026-09-27 08:00")]
    assert pd.isna(parsed.iloc[2])

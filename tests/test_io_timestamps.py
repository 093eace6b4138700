"""One timestamp parser for surveys and post exports: zones and the daylight-saving rule.

Expected instants are worked out by hand from the IANA rules for America/New_York in 2026:
daylight time (EDT, UTC-4) ends on 1 November at 02:00 (01:00-01:59 happens twice) and starts
on 8 March at 02:00 (02:00-02:59 does not exist).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io.posts.platforms import read_posts
from analysis.io.survey.google_forms import read_google_forms
from analysis.io.timestamps import localize, parse_iso_timestamps, parse_timestamps

NEW_YORK = "America/New_York"
X_HEADER = "Tweet id,Tweet permalink,Tweet text,time,impressions,retweets,replies,likes\n"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def x_export(tmp_path, *times: str):
    rows = "".join(
        f"{k},https://x.com/a/status/{k},post {k},{time},10,1,1,1\n"
        for k, time in enumerate(times, start=1)
    )
    path = tmp_path / "tweets.csv"
    path.write_text(X_HEADER + rows, encoding="utf-8")
    return read_posts(path, platform="x", agency_id="a", fmt="x_classic", timezone=NEW_YORK)


def test_x_export_at_the_fall_back_hour_reads_the_first_occurrence(tmp_path):
    posts = x_export(tmp_path, "2026-11-01 01:30", "2026-11-01 00:59", "2026-11-01 02:00")
    assert posts["published_at"].tolist() == [
        utc("2026-11-01 05:30"),  # 01:30 EDT, the first 01:30
        utc("2026-11-01 04:59"),  # 00:59 EDT
        utc("2026-11-01 07:00"),  # 02:00 EST
    ]


def test_google_forms_sheet_at_the_fall_back_hour_agrees_with_the_posts(tmp_path):
    # Before, survey times in the repeated hour silently became NaT.
    path = tmp_path / "form.csv"
    path.write_text(
        "Timestamp,Q1\n11/01/2026 01:30:00,Setuju\n10/31/2026 13:00:00,Netral\n",
        encoding="utf-8",
    )
    raw = read_google_forms(path, NEW_YORK, "mdy")
    assert raw.frame["_submitted_at"].tolist() == [utc("2026-11-01 05:30"), utc("2026-10-31 17:00")]


@pytest.mark.parametrize(
    "parse",
    [
        lambda values: parse_timestamps(values, NEW_YORK, "ymd"),
        lambda values: parse_timestamps(values, NEW_YORK, formats=("%Y-%m-%d %H:%M",)),
        lambda values: parse_iso_timestamps(values.str.replace(" ", "T"), NEW_YORK),
    ],
    ids=["survey", "posts", "iso"],
)
def test_every_path_applies_the_one_daylight_saving_rule(parse):
    values = pd.Series(["2026-11-01 01:30", "2026-03-08 02:30", "2026-03-08 03:30"])
    assert parse(values).tolist() == [
        utc("2026-11-01 05:30"),  # repeated hour: first occurrence, EDT
        utc("2026-03-08 07:00"),  # skipped hour: moved forward to 03:00 EDT
        utc("2026-03-08 07:30"),
    ]


def test_localize_keeps_missing_times_missing():
    naive = pd.Series(pd.to_datetime(["2026-11-01 01:30", None]))
    assert localize(naive, NEW_YORK).isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/09/2026 15:00:00 GMT+7", "2026-09-27 08:00"),
        ("27/09/2026 15:00:00 WIB", "2026-09-27 08:00"),
        ("27/09/2026 16:00:00 wita", "2026-09-27 08:00"),
        ("27/09/2026 15:00:00 +0700", "2026-09-27 08:00"),
        ("27/09/2026 04:00:00 EDT", "2026-09-27 08:00"),
        ("27/09/2026 15.00.00 WIB", "2026-09-27 08:00"),
        ("2026/09/27 3:00:00 PM GMT+7", "2026-09-27 08:00"),
        ("27-09-2026 08:00:00", "2026-09-27 08:00"),
    ],
)
def test_survey_and_post_zones_are_one_table(text, expected):
    # Before, survey times knew only GMT/UTC offsets and WIB/WITA/WIT, posts also +0700 and EDT.
    values = pd.Series([text], index=[2])
    assert parse_timestamps(values, "UTC", "dmy").tolist() == [utc(expected)]


def test_a_format_list_refuses_other_layouts_and_names_them():
    values = pd.Series(["2026-09-27 08:00", "27 Sept 2026"], index=[2, 3])
    with pytest.raises(InputError, match="is not a date and time this reader knows") as info:
        parse_timestamps(values, "UTC", formats=("%Y-%m-%d %H:%M",), column="time")
    assert (info.value.row, info.value.column) == (3, "time")
    assert "%Y-%m-%d %H:%M" in info.value.hint


def test_post_without_publish_time_is_an_error(tmp_path):
    with pytest.raises(InputError, match="the post has none") as info:
        x_export(tmp_path, "2026-09-27 08:00", " ")
    assert (info.value.row, info.value.column) == (3, "time")

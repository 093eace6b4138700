"""Posting timing, reach rates and cross-platform presence/consistency on hand-counted posts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import jaccard_score

from analysis.errors import InputError
from analysis.stats.activity import (
    CROSS_PLATFORM_METRICS,
    RATES_TABLE,
    REACH_METRICS,
    TIMING_TABLE,
    _topic_tokens,
    cross_platform,
    posting_timing,
    reach_rates,
)
from analysis.stats.engagement import METRICS_TABLE
from analysis.tables import POSTS, conform

CAPTION = "Pendaftaran vaksinasi balita dibuka di posyandu kelurahan #SehatBersama"


def make_posts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    frame["post_id"] = [str(i) for i in range(len(frame))]
    return conform(frame, POSTS)


@pytest.fixture
def posts() -> pd.DataFrame:
    """Dinas A on Instagram and Facebook, dinas B on YouTube (date-only export); times UTC."""
    ig = {"agency_id": "dinas-a", "platform": "instagram"}
    fb = {"agency_id": "dinas-a", "platform": "facebook"}
    yt = {"agency_id": "dinas-b", "platform": "youtube"}
    rows = [
        # Sunday 17:30 UTC = Monday 00:30 WIB
        {
            **ig,
            "published_at": "2026-05-03 17:30",
            "text": CAPTION,
            "likes": 10,
            "comments": 2,
            "shares": 1,
            "reach": 100,
            "views": 400,
        },
        # the same caption with a link, 2 hours later on Facebook: cross-posted
        {
            **fb,
            "published_at": "2026-05-03 19:30",
            "text": CAPTION + " https://s.id/vaksin",
            "likes": 4,
            "comments": 1,
            "shares": 0,
            "reach": 50,
        },
        # Monday 02:10 UTC = 09:10 WIB
        {
            **ig,
            "published_at": "2026-05-04 02:10",
            "text": "Rapat koordinasi zona integritas",
            "likes": 2,
            "comments": 0,
            "shares": 0,
            "reach": 0,
            "views": 100,
        },
        {
            **ig,
            "published_at": "2026-05-04 02:40",
            "text": "Upacara hari pendidikan nasional",
            "likes": 6,
            "comments": 1,
            "shares": None,
            "reach": 80,
            "views": 300,
        },
        # Facebook, two weeks later, another topic
        {
            **fb,
            "published_at": "2026-05-18 03:00",
            "text": "Lowongan tenaga kesehatan puskesmas",
            "likes": 1,
            "comments": 0,
            "shares": 0,
            "reach": 30,
        },
        # date-only export: local midnight (WIB = UTC+7)
        {
            **yt,
            "published_at": "2026-05-04 17:00",
            "text": "Profil dinas",
            "likes": 3,
            "comments": 1,
            "shares": 0,
            "views": 40,
        },
        {
            **yt,
            "published_at": "2026-05-10 17:00",
            "text": "Liputan kegiatan",
            "likes": 5,
            "comments": 0,
            "shares": 0,
            "views": 60,
        },
    ]
    return make_posts(rows)


def test_timing_counts_posts_per_local_weekday_and_hour(posts):
    table = posting_timing(posts, "Asia/Jakarta")
    assert list(table.columns) == list(TIMING_TABLE)
    assert dict(table.dtypes.astype(str)) == TIMING_TABLE
    ig = table[(table["agency_id"] == "dinas-a") & (table["platform"] == "instagram")]
    assert len(ig) == 7 * 24  # every cell, empty ones with 0 posts
    busy = ig[ig["n_posts"] > 0].set_index(["weekday", "hour"])
    # hand count in WIB: Monday 00:30 (13 interactions), Monday 09:10 (2) and 09:40 (shares
    # unknown: counted as a post, not in the mean)
    assert busy["n_posts"].to_dict() == {(0, 0): 1, (0, 9): 2}
    assert busy.loc[(0, 0), "mean_interactions"] == 13
    assert busy.loc[(0, 9), "mean_interactions"] == 2
    assert pd.isna(ig.set_index(["weekday", "hour"]).loc[(3, 12), "mean_interactions"])
    # in UTC the first post is a Sunday 17:00-18:00 post
    utc = posting_timing(posts, "UTC")
    first = utc[(utc["platform"] == "instagram") & (utc["n_posts"] > 0)]
    assert (6, 17) in set(zip(first["weekday"], first["hour"], strict=True))
    assert table["n_posts"].sum() == len(posts)


def test_a_date_only_export_gets_weekdays_without_hours(posts):
    table = posting_timing(posts, "Asia/Jakarta")
    yt = table[table["platform"] == "youtube"]
    # 2026-05-05 (Tuesday) and 2026-05-11 (Monday), both at local midnight: hour unknown
    assert len(yt) == 7 and yt["hour"].isna().all()
    assert yt.set_index("weekday")["n_posts"].to_dict() == {
        0: 1,
        1: 1,
        2: 0,
        3: 0,
        4: 0,
        5: 0,
        6: 0,
    }


def test_reach_rates_by_hand(posts):
    table = reach_rates(posts)
    assert list(table.columns) == list(RATES_TABLE) == list(METRICS_TABLE)
    rows = table.set_index(["agency_id", "platform", "metric"])["value"]
    ig = rows.loc[("dinas-a", "instagram")]
    # Instagram posts with three counts and reach > 0: only the first (13 / 100); the reach-0
    # post and the post without shares are left out
    assert ig["engagement_rate_reach"] == pytest.approx(13.0)
    assert ig["engagement_rate_reach_mean"] == pytest.approx(13.0)
    # views: first (13 / 400) and third (2 / 100); pooled 15 / 500, mean of 3.25 % and 2 %
    assert ig["engagement_rate_views"] == pytest.approx(15 / 500 * 100)
    assert ig["engagement_rate_views_mean"] == pytest.approx((3.25 + 2.0) / 2)
    fb = table[(table["platform"] == "facebook")].set_index("metric")
    # Facebook: 5 / 50 and 1 / 30 -> pooled 6 / 80, mean of 10 % and 3.33 %
    assert fb.loc["engagement_rate_reach", "value"] == pytest.approx(6 / 80 * 100)
    assert fb.loc["engagement_rate_reach_mean", "value"] == pytest.approx((10 + 100 / 30) / 2)
    assert fb.loc["engagement_rate_reach", "n_posts"] == 2
    # no views on Facebook, no reach on YouTube: NA, not 0
    assert fb.loc["engagement_rate_views", "value"] is pd.NA
    assert fb.loc["engagement_rate_views", "n_posts"] == 0
    yt = table[table["platform"] == "youtube"].set_index("metric")["value"]
    assert yt["engagement_rate_reach"] is pd.NA
    assert yt["engagement_rate_views"] == pytest.approx(9 / 100 * 100)
    assert table["metric"].tolist()[:4] == list(REACH_METRICS)


def test_cross_platform_presence_and_consistency_by_hand(posts):
    table = cross_platform(posts, "Asia/Jakarta")
    assert list(table.columns) == list(RATES_TABLE)
    rows = table.set_index(["agency_id", "platform", "metric"])
    value = rows["value"]
    # period: local Monday 2026-05-04 to Monday 2026-05-18 -> weeks of 05-04, 05-11, 05-18
    assert value[("dinas-a", "all", "platforms_active")] == 2
    assert value[("dinas-a", "all", "weeks_active_share")] == pytest.approx(200 / 3)
    assert value[("dinas-a", "instagram", "weeks_active_share")] == pytest.approx(100 / 3)
    assert value[("dinas-a", "facebook", "weeks_active_share")] == pytest.approx(200 / 3)
    assert value[("dinas-b", "youtube", "weeks_active_share")] == pytest.approx(200 / 3)
    # consistency: the vaccination caption is on both platforms 2 h apart; the other three
    # dinas A posts have >= 3 tokens and no counterpart -> 2 of 5 posts
    assert value[("dinas-a", "all", "cross_posted_share")] == pytest.approx(40.0)
    assert rows.loc[("dinas-a", "all", "cross_posted_share"), "n_posts"] == 5
    assert value[("dinas-a", "instagram", "cross_posted_share")] == pytest.approx(100 / 3)
    assert value[("dinas-a", "facebook", "cross_posted_share")] == pytest.approx(50.0)
    # one platform: consistency is not defined; too few tokens: not judged
    assert value[("dinas-b", "all", "cross_posted_share")] is pd.NA
    assert rows.loc[("dinas-b", "youtube", "cross_posted_share"), "n_posts"] == 0
    assert set(table["metric"]) == set(CROSS_PLATFORM_METRICS)


def test_the_window_decides_whether_a_late_repost_counts(posts):
    late = posts.copy()
    late.loc[1, "published_at"] = pd.Timestamp("2026-05-05 06:00", tz="UTC")  # 36.5 h later
    short = cross_platform(late, "Asia/Jakarta", window_hours=24).set_index(
        ["agency_id", "platform", "metric"]
    )
    long = cross_platform(late, "Asia/Jakarta", window_hours=48).set_index(
        ["agency_id", "platform", "metric"]
    )
    assert short.loc[("dinas-a", "all", "cross_posted_share"), "value"] == 0
    assert long.loc[("dinas-a", "all", "cross_posted_share"), "value"] == pytest.approx(40.0)


@pytest.mark.parametrize(
    "other, matched",
    [
        # 4 shared of 5 distinct content words: J = 0.8
        ("Pendaftaran vaksinasi balita dibuka di posyandu", True),
        # 3 shared of 6: J = 0.5, the threshold itself
        ("Pendaftaran vaksinasi balita ditutup puskesmas", True),
        # 2 shared of 7: J = 0.29
        ("Pendaftaran vaksinasi lansia ditutup puskesmas", False),
    ],
)
def test_topics_match_by_token_jaccard(other, matched):
    base = "Pendaftaran vaksinasi balita dibuka"
    a, b = _topic_tokens(base), _topic_tokens(other)
    vocabulary = sorted(a | b)
    # second implementation of the similarity: scikit-learn's Jaccard of indicator vectors
    jaccard = jaccard_score([w in a for w in vocabulary], [w in b for w in vocabulary])
    assert (jaccard >= 0.5) is matched
    frame = make_posts(
        [
            {
                "agency_id": "x",
                "platform": "instagram",
                "published_at": "2026-05-04 01:00",
                "text": base,
            },
            {"agency_id": "x", "platform": "x", "published_at": "2026-05-04 03:00", "text": other},
        ]
    )
    share = cross_platform(frame, "Asia/Jakarta").set_index(["platform", "metric"])
    assert share.loc[("all", "cross_posted_share"), "value"] == (100.0 if matched else 0.0)


def test_the_same_platform_never_counts_as_cross_posting():
    rows = [
        {
            "agency_id": "x",
            "platform": "instagram",
            "published_at": f"2026-05-04 0{h}:00",
            "text": CAPTION,
        }
        for h in (1, 2)
    ] + [
        {
            "agency_id": "x",
            "platform": "x",
            "published_at": "2026-05-20 01:00",
            "text": "Pengumuman libur nasional kantor",
        }
    ]
    table = cross_platform(make_posts(rows), "Asia/Jakarta").set_index(["platform", "metric"])
    assert table.loc[("all", "cross_posted_share"), "value"] == 0


def test_a_given_period_counts_weeks_without_posts():
    rows = [
        {
            "agency_id": "x",
            "platform": "instagram",
            "published_at": "2026-05-04 01:00",
            "text": CAPTION,
        }
    ]
    table = cross_platform(make_posts(rows), "Asia/Jakarta", start="2026-05-01", end="2026-05-31")
    weeks = table.set_index(["platform", "metric"]).loc[("all", "weeks_active_share")]
    # Monday weeks touching May 2026: 04-27 ... 05-25 -> 5 weeks, one active
    assert (weeks["numerator"], weeks["denominator"]) == (1, 5)


def test_bad_posts_tables_are_named(posts):
    with pytest.raises(InputError) as error:
        posting_timing(posts.drop(columns="shares"), "Asia/Jakarta")
    assert error.value.column == "shares"
    with pytest.raises(InputError) as error:
        reach_rates(posts.drop(columns="reach"))
    assert error.value.column == "reach"
    with pytest.raises(InputError) as error:
        cross_platform(posts.drop(columns="text"), "Asia/Jakarta")
    assert error.value.column == "text"
    for function, args in itertools.product((posting_timing, cross_platform), [("Asia/Jakarta",)]):
        with pytest.raises(InputError, match="no rows"):
            function(posts.iloc[:0], *args)
        naive = posts.assign(published_at=posts["published_at"].dt.tz_localize(None))
        with pytest.raises(InputError, match="time-zone aware") as error:
            function(naive, *args)
        assert error.value.column == "published_at"
    with pytest.raises(InputError, match="no rows"):
        reach_rates(posts.iloc[:0])
    with pytest.raises(InputError, match="window_hours"):
        cross_platform(posts, "Asia/Jakarta", window_hours=0)
    with pytest.raises(InputError, match="no post falls"):
        cross_platform(posts, "Asia/Jakarta", start="2027-01-01", end="2027-02-01")
    assert np.isfinite(reach_rates(posts)["value"].dropna().astype(float)).all()

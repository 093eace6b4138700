"""Tests for analysis.stats.engagement: Bonsón et al. (2015) metrics on hand-computed data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.stats.engagement import (
    METRICS,
    METRICS_TABLE,
    SUMMARY_TABLE,
    engagement_metrics,
    platform_summary,
)
from analysis.tables import POSTS, conform, empty_table

NA = pd.NA


def make_posts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return conform(frame, POSTS)


@pytest.fixture
def posts() -> pd.DataFrame:
    """Instagram: 4 posts, 2,000 followers on average. Facebook: 2 posts, no share counts."""
    ig = dict(agency_id="dinas-a", platform="instagram")
    fb = dict(agency_id="dinas-a", platform="facebook")
    return make_posts(
        [
            {
                **ig,
                "post_id": "1",
                "published_at": "2026-05-01 08:00",
                "likes": 10,
                "comments": 2,
                "shares": 0,
                "views": 500,
                "followers_at_post": 1900.0,
            },
            {
                **ig,
                "post_id": "2",
                "published_at": "2026-05-03 10:00",
                "likes": 0,
                "comments": 0,
                "shares": 1,
                "views": 300,
                "followers_at_post": 2000.0,
            },
            {
                **ig,
                "post_id": "3",
                "published_at": "2026-05-10 12:00",
                "likes": 30,
                "comments": 4,
                "shares": 3,
                "views": None,
                "followers_at_post": 2100.0,
            },
            {
                **ig,
                "post_id": "4",
                "published_at": "2026-05-14 23:00",
                "likes": 20,
                "comments": 0,
                "shares": 0,
                "views": 700,
                "followers_at_post": 2000.0,
            },
            {
                **fb,
                "post_id": "5",
                "published_at": "2026-05-02 01:00",
                "likes": 5,
                "comments": 1,
                "shares": None,
                "followers_at_post": 1000.0,
            },
            {
                **fb,
                "post_id": "6",
                "published_at": "2026-05-02 09:00",
                "likes": 7,
                "comments": None,
                "shares": None,
                "followers_at_post": 1000.0,
            },
        ]
    )


def metric(table: pd.DataFrame, platform: str, name: str) -> pd.Series:
    row = table[(table["platform"] == platform) & (table["metric"] == name)]
    assert len(row) == 1
    return row.iloc[0]


def test_contract_and_order(posts):
    table = engagement_metrics(posts)
    assert list(table.columns) == list(METRICS_TABLE)
    assert {c: str(t) for c, t in table.dtypes.items()} == METRICS_TABLE
    # platforms sorted, metrics in the documented order within each
    assert table["platform"].tolist() == ["facebook"] * 12 + ["instagram"] * 12
    assert table["metric"].tolist() == list(METRICS) * 2
    assert table["definition"].str.len().gt(20).all()


def test_instagram_hand_computed(posts):
    table = engagement_metrics(posts)
    # followers = mean(1900, 2000, 2100, 2000) = 8000 / 4 = 2000
    # P1 = posts with >= 1 like / posts x 100 = 3 / 4 x 100 = 75
    p1 = metric(table, "instagram", "P1")
    assert (p1["value"], p1["numerator"], p1["denominator"], p1["n_posts"]) == (75.0, 3, 4, 4)
    # P2 = total likes / posts = (10 + 0 + 30 + 20) / 4 = 60 / 4 = 15
    assert metric(table, "instagram", "P2")["value"] == pytest.approx(15.0)
    # P3 = P2 / followers x 1000 = 15 / 2000 x 1000 = 7.5
    p3 = metric(table, "instagram", "P3")
    assert (p3["value"], p3["numerator"], p3["denominator"]) == (pytest.approx(7.5), 15, 2000)
    # C1 = 2 commented posts / 4 x 100 = 50
    assert metric(table, "instagram", "C1")["value"] == pytest.approx(50.0)
    # C2 = (2 + 0 + 4 + 0) / 4 = 1.5
    assert metric(table, "instagram", "C2")["value"] == pytest.approx(1.5)
    # C3 = 1.5 / 2000 x 1000 = 0.75
    assert metric(table, "instagram", "C3")["value"] == pytest.approx(0.75)
    # V1 = 2 shared posts / 4 x 100 = 50
    assert metric(table, "instagram", "V1")["value"] == pytest.approx(50.0)
    # V2 = (0 + 1 + 3 + 0) / 4 = 1
    assert metric(table, "instagram", "V2")["value"] == pytest.approx(1.0)
    # V3 = 1 / 2000 x 1000 = 0.5
    assert metric(table, "instagram", "V3")["value"] == pytest.approx(0.5)
    # E = P3 + C3 + V3 = 7.5 + 0.75 + 0.5 = 8.75
    assert metric(table, "instagram", "E")["value"] == pytest.approx(8.75)
    # posts_per_week: 1 May to 14 May = 14 calendar days = 2 weeks; 4 posts / 2 = 2
    ppw = metric(table, "instagram", "posts_per_week")
    assert (ppw["value"], ppw["denominator"]) == (pytest.approx(2.0), pytest.approx(2.0))
    # interaction rate = (60 + 6 + 4) / 4 posts / 2000 x 100 = 17.5 / 2000 x 100 = 0.875
    assert metric(table, "instagram", "interaction_rate")["value"] == pytest.approx(0.875)


def test_facebook_without_shares_is_na_not_zero(posts):
    table = engagement_metrics(posts)
    for name in ("V1", "V2", "V3", "E", "interaction_rate"):
        assert metric(table, "facebook", name)["value"] is NA, name
    # P1 = 2 liked / 2 x 100 = 100; P2 = (5 + 7) / 2 = 6; P3 = 6 / 1000 x 1000 = 6
    assert metric(table, "facebook", "P1")["value"] == pytest.approx(100.0)
    assert metric(table, "facebook", "P3")["value"] == pytest.approx(6.0)
    # comments known for one post only: C2 = 1 / 1 = 1, resting on 1 post
    c2 = metric(table, "facebook", "C2")
    assert (c2["value"], c2["n_posts"]) == (pytest.approx(1.0), 1)
    # both posts on 2 May: a span under a week counts as one week; 2 posts / 1 week = 2
    assert metric(table, "facebook", "posts_per_week")["value"] == pytest.approx(2.0)


def test_export_followers_come_first_and_the_configured_count_fills_in(posts):
    # docs: the export's own follower column wins; the config's count is used only without one
    table = engagement_metrics(posts, {"instagram": 4000.0})
    without_export = engagement_metrics(
        posts.assign(followers_at_post=pd.NA).pipe(conform, POSTS), {"instagram": 4000.0}
    )
    assert metric(table, "instagram", "P3")["value"] == pytest.approx(
        metric(engagement_metrics(posts), "instagram", "P3")["value"]
    )
    # P3 = 15 / 4000 x 1000 = 3.75 when the export has no follower count
    assert metric(without_export, "instagram", "P3")["value"] == pytest.approx(3.75)
    assert metric(without_export, "facebook", "P3")["value"] is NA


def test_follower_counts_per_agency_give_each_agency_its_own(posts):
    # second implementation: one call per agency with its own flat dict, put together
    without_export = posts.assign(followers_at_post=pd.NA).pipe(conform, POSTS)
    other = without_export.assign(agency_id="dinas-b").pipe(conform, POSTS)
    counts = {"dinas-a": {"instagram": 4000.0}, "dinas-b": {"instagram": 1000.0}}
    both = engagement_metrics(pd.concat([other, without_export], ignore_index=True), counts)
    separately = pd.concat(
        [
            engagement_metrics(without_export, counts["dinas-a"]),
            engagement_metrics(other, counts["dinas-b"]),
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(both, separately)
    # P3 = 15 / 1000 x 1000 = 15 for dinas-b, 15 / 4000 x 1000 = 3.75 for dinas-a
    p3 = both[(both["metric"] == "P3") & (both["platform"] == "instagram")]
    assert p3.set_index("agency_id")["value"].to_dict() == pytest.approx(
        {"dinas-a": 3.75, "dinas-b": 15.0}
    )


def test_unknown_followers_gives_na_indices(posts):
    table = engagement_metrics(posts.assign(followers_at_post=pd.NA).pipe(conform, POSTS))
    for name in ("P3", "C3", "V3", "E", "interaction_rate"):
        assert metric(table, "instagram", name)["value"] is NA
    assert metric(table, "instagram", "P2")["value"] == pytest.approx(15.0)


def test_empty_posts():
    table = engagement_metrics(empty_table(POSTS))
    assert table.empty and list(table.columns) == list(METRICS_TABLE)
    assert platform_summary(empty_table(POSTS)).columns.tolist() == list(SUMMARY_TABLE)


counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10_000))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(counts, counts, counts, st.floats(min_value=1, max_value=1e6)),
        min_size=1,
        max_size=12,
    )
)
def test_e_is_sum_of_p3_c3_v3(rows):
    posts = make_posts(
        [
            {
                "agency_id": "a",
                "platform": "x",
                "post_id": str(i),
                "published_at": f"2026-05-{i + 1:02d} 08:00",
                "likes": likes,
                "comments": comments,
                "shares": shares,
                "followers_at_post": followers,
            }
            for i, (likes, comments, shares, followers) in enumerate(rows)
        ]
    )
    table = engagement_metrics(posts).set_index("metric")["value"]
    parts = table[["P3", "C3", "V3"]]
    if parts.isna().any():
        assert table["E"] is NA
    else:
        assert table["E"] == pytest.approx(parts.sum())
    if posts["shares"].isna().all():
        assert table[["V1", "V2", "V3", "E"]].isna().all()


def test_platform_summary(posts):
    summary = platform_summary(posts)
    assert list(summary.columns) == list(SUMMARY_TABLE)
    ig = summary[summary["platform"] == "instagram"].iloc[0]
    assert ig["n_posts"] == 4
    # 14 May 23:00 UTC is 15 May 06:00 in Jakarta
    assert (ig["first_date"], ig["last_date"]) == (dt.date(2026, 5, 1), dt.date(2026, 5, 15))
    # medians: likes (0, 10, 20, 30) -> 15; comments (0, 0, 2, 4) -> 1; shares (0, 0, 1, 3)
    # -> 0.5; views (300, 500, 700; one NA) -> 500
    assert (ig["median_likes"], ig["median_comments"], ig["median_shares"], ig["median_views"]) == (
        15.0,
        1.0,
        0.5,
        500.0,
    )
    fb = summary[summary["platform"] == "facebook"].iloc[0]
    assert fb["median_shares"] is NA and fb["median_views"] is NA


def test_posts_per_week_counts_local_calendar_days():
    # 2026-05-01 18:00 UTC is 2 May 01:00 in Jakarta (UTC+7); 2026-05-15 16:00 UTC is 15 May
    # 23:00. By hand: UTC days 1..15 = 15 days; Jakarta days 2..15 = 14 days = 2 weeks.
    rows = [
        {"agency_id": "a", "platform": "x", "post_id": str(i), "published_at": when, "likes": 1}
        for i, when in enumerate(["2026-05-01 18:00", "2026-05-08 12:00", "2026-05-15 16:00"])
    ]
    frame = make_posts(rows)
    local = metric(engagement_metrics(frame, timezone="Asia/Jakarta"), "x", "posts_per_week")
    utc = metric(engagement_metrics(frame, timezone="UTC"), "x", "posts_per_week")
    assert local["value"] == pytest.approx(3 / 2)
    assert utc["value"] == pytest.approx(3 / (15 / 7))

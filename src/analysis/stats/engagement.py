"""Engagement of agency accounts: Bonsón et al. indices, posting rate and interaction rate.

:func:`engagement_metrics` computes, per agency and platform, the metrics of Bonsón & Ratkai
(2013, *Online Information Review* 37(5)) as applied to local-government pages by Bonsón, Royo &
Ratkai (2015, *Government Information Quarterly* 32(1)):

====  =========================================  =============================================
P1    % of posts liked                           posts with >= 1 like / posts x 100
P2    average likes per post                     likes / posts
P3    popularity of messages among fans          P2 / followers x 1,000
C1    % of posts commented                       posts with >= 1 comment / posts x 100
C2    average comments per post                  comments / posts
C3    commitment of fans                         C2 / followers x 1,000
V1    % of posts shared                          posts with >= 1 share / posts x 100
V2    average shares per post                    shares / posts
V3    virality of messages among fans            V2 / followers x 1,000
E     engagement index                           P3 + C3 + V3
====  =========================================  =============================================

plus ``posts_per_week`` and the Quintly-style ``interaction_rate`` = (likes + comments + shares)
/ posts / followers x 100. :func:`platform_summary` gives the descriptive table for reports.

Adaptation decisions (stated here because they change the numbers)
    * **Likes.** Bonsón's "likes" predate Facebook reactions. For Facebook, ``likes`` holds all
      reactions (Business Suite ``Reactions``; CrowdTangle ``Likes`` + ``Love`` + ... +
      ``Care``), since a reaction is the same act of approval the original like was.
    * **Shares.** Instagram, Facebook and TikTok ``Shares``; X reposts (retweets, not quote
      posts and not X's link/DM ``Shares``); YouTube ``Shares`` only when the export has it.
      Saves and bookmarks are *not* used as a proxy for shares, so a platform without shares
      gets NA for V1-V3, E and the interaction rate rather than a different quantity.
    * **Fans.** The follower count is the mean of the export's own ``followers_at_post`` over
      the posts; the ``followers`` argument (the config's count) is used only for a platform
      whose export has no follower column. Followers change over a period;
      Quintly uses the mean of the start and end counts, which this mean approximates when
      followers are recorded per post.
    * **Missing counts.** A post whose count is NA is left out of that count's metrics (the
      denominator is the number of posts with a known count, reported in ``n_posts``). A
      platform with no known count gets NA, never 0.
    * **Denominators.** All rates here divide by followers, not by reach or impressions;
      industry engagement rates that divide by reach are a different number.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analysis.tables import conform, empty_table

#: Output order of the metrics.
METRICS = (
    "P1",
    "P2",
    "P3",
    "C1",
    "C2",
    "C3",
    "V1",
    "V2",
    "V3",
    "E",
    "posts_per_week",
    "interaction_rate",
)
#: Column contract of :func:`engagement_metrics`.
METRICS_TABLE = {
    "agency_id": "string",
    "platform": "string",
    "metric": "string",
    "value": "Float64",
    "numerator": "Float64",
    "denominator": "Float64",
    "n_posts": "Int64",
    "definition": "string",
}
#: Column contract of :func:`platform_summary`.
SUMMARY_TABLE = {
    "agency_id": "string",
    "platform": "string",
    "n_posts": "Int64",
    "first_date": "object",
    "last_date": "object",
    "median_likes": "Float64",
    "median_comments": "Float64",
    "median_shares": "Float64",
    "median_views": "Float64",
}

_KEYS = ["agency_id", "platform"]
_FAMILIES = {
    "P": ("likes", "like", "liked"),
    "C": ("comments", "comment", "commented"),
    "V": ("shares", "share", "shared"),
}
_FANS = (
    "followers = mean followers_at_post over the posts, else the configured follower count "
    "for the platform"
)


def engagement_metrics(
    posts: pd.DataFrame,
    followers: Mapping[str, float] | Mapping[str, Mapping[str, float]] | None = None,
    timezone: str = "UTC",
) -> pd.DataFrame:
    """Compute Bonsón et al. metrics, posting rate and interaction rate per agency and platform.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (:data:`analysis.tables.POSTS`).
    followers : dict, optional
        Follower count per platform (e.g. ``{"instagram": 18400}``), used where the export has
        no ``followers_at_post``; it applies to every agency. For the posts of several
        agencies, a dict per agency id (``{"dinas-a": {"instagram": 18400}, ...}``) gives
        each agency its own counts.
    timezone : str
        IANA zone whose calendar days count the weeks of ``posts_per_week`` (the study's zone,
        so a post at 01:00 WIB falls on its local day).

    Returns
    -------
    pandas.DataFrame
        Tidy table, one row per (agency, platform, metric), sorted by agency, platform and
        :data:`METRICS` order, with columns:

        agency_id : string
        platform : string
        metric : string
            ``P1``, ``P2``, ``P3``, ``C1``, ``C2``, ``C3``, ``V1``, ``V2``, ``V3``, ``E``,
            ``posts_per_week`` or ``interaction_rate``.
        value : Float64
            ``numerator / denominator x scale`` (scale 100 for percentages, 1,000 for
            per-1,000-follower indices, else 1); NA when the count is absent, the follower count
            is unknown or zero, or (for ``E``) any of P3, C3, V3 is NA.
        numerator : Float64
            The quantity divided: posts with >= 1 like/comment/share (P1, C1, V1), total
            likes/comments/shares (P2, C2, V2), average per post (P3, C3, V3 = P2, C2, V2),
            P2 + C2 + V2 (E), posts (posts_per_week), average likes + comments + shares per
            post (interaction_rate).
        denominator : Float64
            Posts with a known count (P1, P2, C1, C2, V1, V2), followers (P3, C3, V3, E,
            interaction_rate), or weeks between the first and last post (posts_per_week).
        n_posts : Int64
            Posts the value rests on (posts with a known count; for E the smallest of the three).
        definition : string
            The formula in words, naming the denominator.
    """
    if posts.empty:
        return empty_table(METRICS_TABLE)
    stats = _group_stats(posts, followers, timezone)
    frames = []
    for letter, (column, noun, verb) in _FAMILIES.items():
        frames += _family(stats, letter, column, noun, verb)
    frames += [_index_e(stats), _posts_per_week(stats), _interaction_rate(stats)]
    out = pd.concat(frames).reset_index()
    out["order"] = out["metric"].map({name: i for i, name in enumerate(METRICS)})
    out = out.sort_values([*_KEYS, "order"], kind="stable").drop(columns="order")
    return conform(out.reset_index(drop=True), METRICS_TABLE)[list(METRICS_TABLE)]


def _group_stats(
    posts: pd.DataFrame,
    followers: Mapping[str, float] | Mapping[str, Mapping[str, float]] | None,
    timezone: str,
) -> pd.DataFrame:
    """Per (agency, platform): counts, sums, posts with >= 1, followers, first/last post."""
    local = posts["published_at"].dt.tz_convert(timezone)
    work = posts[_KEYS].astype("string").assign(published_at=local)
    for column in ("likes", "comments", "shares"):
        values = posts[column].astype("Float64")
        work[column] = values
        work[f"{column}_pos"] = values.ge(1).astype("Float64")
    work["interactions"] = work["likes"] + work["comments"] + work["shares"]
    work["followers"] = posts["followers_at_post"].astype("Float64")
    spec = {
        "n": ("published_at", "size"),
        "first": ("published_at", "min"),
        "last": ("published_at", "max"),
        "followers": ("followers", "mean"),
    }
    for column in ("likes", "comments", "shares", "interactions"):
        spec |= {f"{column}_n": (column, "count"), f"{column}_sum": (column, "sum")}
    spec |= {f"{c}_pos": (f"{c}_pos", "sum") for c in ("likes", "comments", "shares")}
    stats = work.groupby(_KEYS, sort=True, dropna=False).agg(**spec)
    if followers:
        if all(isinstance(counts, Mapping) for counts in followers.values()):
            configured = [
                followers.get(agency, {}).get(platform) for agency, platform in stats.index
            ]
        else:
            configured = [followers.get(platform) for _, platform in stats.index]
        stats["followers"] = stats["followers"].fillna(
            pd.Series(configured, index=stats.index, dtype="Float64")
        )
    return stats


def _metric(
    stats: pd.DataFrame,
    name: str,
    numerator: pd.Series,
    denominator: pd.Series,
    scale: float,
    n_posts: pd.Series,
    definition: str,
) -> pd.DataFrame:
    """One metric's rows: value = numerator / denominator x scale, NA unless both are usable."""
    numerator = numerator.astype("Float64").where(n_posts > 0)
    denominator = denominator.astype("Float64")
    usable = (denominator > 0).fillna(False) & numerator.notna()
    value = (numerator / denominator.where(usable) * scale).where(usable)
    return pd.DataFrame(
        {
            "metric": name,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "n_posts": n_posts.astype("Int64"),
            "definition": definition,
        },
        index=stats.index,
    )


def _family(
    stats: pd.DataFrame, letter: str, column: str, noun: str, verb: str
) -> list[pd.DataFrame]:
    """The three Bonsón metrics of one count: % of posts with it, average, per 1,000 fans."""
    known = stats[f"{column}_n"]
    average = stats[f"{column}_sum"] / known.where(known > 0)
    base = f"posts with a known {noun} count"
    return [
        _metric(
            stats,
            f"{letter}1",
            stats[f"{column}_pos"],
            known,
            100.0,
            known,
            f"% of posts {verb}: posts with >= 1 {noun} / {base} x 100",
        ),
        _metric(
            stats,
            f"{letter}2",
            stats[f"{column}_sum"],
            known,
            1.0,
            known,
            f"average {column} per post: total {column} / {base}",
        ),
        _metric(
            stats,
            f"{letter}3",
            average,
            stats["followers"],
            1000.0,
            known,
            f"{letter}2 / followers x 1,000 ({_FANS})",
        ),
    ]


def _index_e(stats: pd.DataFrame) -> pd.DataFrame:
    """E = P3 + C3 + V3, written as (P2 + C2 + V2) / followers x 1,000 (same followers)."""
    averages = [
        stats[f"{c}_sum"] / stats[f"{c}_n"].where(stats[f"{c}_n"] > 0)
        for c in ("likes", "comments", "shares")
    ]
    n_posts = stats[["likes_n", "comments_n", "shares_n"]].min(axis=1)
    return _metric(
        stats,
        "E",
        averages[0] + averages[1] + averages[2],
        stats["followers"],
        1000.0,
        n_posts,
        f"P3 + C3 + V3 = (P2 + C2 + V2) / followers x 1,000; NA unless all three exist ({_FANS})",
    )


def _posts_per_week(stats: pd.DataFrame) -> pd.DataFrame:
    """Posts per week over the local calendar days from the first to the last post."""
    days = (stats["last"].dt.normalize() - stats["first"].dt.normalize()).dt.days + 1
    weeks = np.maximum(days.astype("float64"), 7.0) / 7.0
    return _metric(
        stats,
        "posts_per_week",
        stats["n"],
        weeks,
        1.0,
        stats["n"],
        "posts / weeks from the first to the last post (calendar days inclusive / "
        "7, at least one week)",
    )


def _interaction_rate(stats: pd.DataFrame) -> pd.DataFrame:
    """Quintly interaction rate: (likes + comments + shares) / posts / followers x 100."""
    known = stats["interactions_n"]
    average = stats["interactions_sum"] / known.where(known > 0)
    return _metric(
        stats,
        "interaction_rate",
        average,
        stats["followers"],
        100.0,
        known,
        "(likes + comments + shares) / posts with all three counts known / "
        f"followers x 100 ({_FANS})",
    )


def platform_summary(posts: pd.DataFrame, timezone: str = "Asia/Jakarta") -> pd.DataFrame:
    """Describe each agency's posting per platform, for report tables.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (:data:`analysis.tables.POSTS`).
    timezone : str
        Zone in which the first and last post dates are given.

    Returns
    -------
    pandas.DataFrame
        One row per (agency, platform), sorted, with columns:

        agency_id : string
        platform : string
        n_posts : Int64
            Number of posts.
        first_date, last_date : object (``datetime.date``)
            Local date of the first and the last post.
        median_likes, median_comments, median_shares, median_views : Float64
            Median per post over posts with a known count; NA when the platform has none.
    """
    if posts.empty:
        return empty_table(SUMMARY_TABLE)
    local = posts["published_at"].dt.tz_convert(timezone)
    work = posts[_KEYS].astype("string").assign(local=local)
    counts = ("likes", "comments", "shares", "views")
    for column in counts:
        work[column] = posts[column].astype("Float64")
    spec = {"n_posts": ("local", "size"), "first": ("local", "min"), "last": ("local", "max")}
    spec |= {f"median_{c}": (c, "median") for c in counts}
    out = work.groupby(_KEYS, sort=True, dropna=False).agg(**spec).reset_index()
    out["first_date"] = out.pop("first").dt.date
    out["last_date"] = out.pop("last").dt.date
    return conform(out, SUMMARY_TABLE)[list(SUMMARY_TABLE)]

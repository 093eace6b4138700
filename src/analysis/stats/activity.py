"""Activity of agency accounts: when they post, engagement per reached account, cross-platform work.

Three tidy tables from the posts table (:data:`analysis.tables.POSTS`):

:func:`posting_timing`
    Posts and mean interactions per local weekday x hour, per agency and platform (the
    heat map of when an agency posts and when its posts get answered).
:func:`reach_rates`
    Engagement rate by reach and by views (impressions on X), where the export has them: the
    industry rate that divides by the accounts reached rather than by followers (the Bonsón
    indices of :mod:`analysis.stats.engagement` divide by followers; the two are different
    numbers and a report must say which it shows).
:func:`cross_platform`
    Presence (platforms used, share of weeks with a post) and consistency (share of posts
    whose topic is also posted on another platform within a time window), per agency: the
    "integrated" principle of PermenPAN-RB 83/2012 (harmonise social media with the agency's
    other channels).

Interactions are ``likes + comments + shares`` (the Bonsón adaptation of
:mod:`analysis.stats.engagement`: Facebook reactions count as likes, X reposts as shares); a
post missing any of the three counts has no interaction count and is left out of means and
rates, so a platform whose export has no shares gets NA rather than a smaller number.

Topic matching is written here (no library matches posts across platforms): texts become sets
of content words and hashtags (:func:`analysis.content.text.tokenize`, lower-cased, Indonesian
and English stopwords and numbers removed, links and mentions dropped because they differ per
platform), and two posts share a topic when the Jaccard similarity of their sets,
``|A & B| / |A | B|``, is at least ``threshold`` (default 0.5: at least half of the words of
the two posts together are shared; a caption copied with a platform-specific link or
mention scores 1, a different post on the same event usually below 0.3).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.content.text import stopwords, tokenize
from analysis.errors import InputError, did_you_mean
from analysis.tables import conform

#: Column contract of :func:`posting_timing`.
TIMING_TABLE = {
    "agency_id": "string",
    "platform": "string",
    "weekday": "Int64",
    "hour": "Int64",
    "n_posts": "Int64",
    "mean_interactions": "Float64",
}
#: Column contract of :func:`reach_rates` and :func:`cross_platform` (as engagement_metrics).
RATES_TABLE = {
    "agency_id": "string",
    "platform": "string",
    "metric": "string",
    "value": "Float64",
    "numerator": "Float64",
    "denominator": "Float64",
    "n_posts": "Int64",
    "definition": "string",
}
#: Metrics of :func:`reach_rates`, in output order; the ratio-of-sums rates are the primary ones.
REACH_METRICS = (
    "engagement_rate_reach",
    "engagement_rate_reach_mean",
    "engagement_rate_views",
    "engagement_rate_views_mean",
)
#: Metrics of :func:`cross_platform`, in output order.
CROSS_PLATFORM_METRICS = ("platforms_active", "weeks_active_share", "cross_posted_share")
#: ``platform`` of the rows about an agency's accounts together.
ALL_PLATFORMS = "all"
#: Posts with fewer content words and hashtags than this are not matched across platforms.
MIN_TOKENS = 3

_KEYS = ["agency_id", "platform"]
_COUNTS = ("likes", "comments", "shares")


def posting_timing(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Posts and mean interactions per local weekday x hour, per agency and platform.

    Exports that give a date without a time of day (YouTube Studio, the 2024- X export) are
    read as local midnight; an agency's platform whose posts are *all* at 00:00:00 local time
    is taken to be such an export: its rows have the weekday but ``hour`` NA, instead of
    piling every post at midnight.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (:data:`analysis.tables.POSTS`; uses ``agency_id``, ``platform``,
        ``published_at`` (time-zone aware), ``likes``, ``comments``, ``shares``).
    timezone : str
        IANA zone whose clock and calendar give the weekday and hour (the audience's zone,
        e.g. ``Asia/Jakarta``).

    Returns
    -------
    pandas.DataFrame
        Every weekday x hour cell (7 x 24 rows; 7 rows for a date-only export) of every
        agency and platform with posts, sorted, with columns (:data:`TIMING_TABLE`):

        agency_id, platform : string
        weekday : Int64
            0 = Monday ... 6 = Sunday, local.
        hour : Int64
            0-23, local; NA for a date-only export.
        n_posts : Int64
            Posts in the cell (0 for an empty cell).
        mean_interactions : Float64
            Mean of likes + comments + shares over the cell's posts with all three counts;
            NA when there is none.

    Raises
    ------
    InputError
        For a missing column (named), an empty table or naive ``published_at`` times.
    """
    _check_posts(posts, ["agency_id", "platform", "published_at", *_COUNTS])
    local = _local_times(posts, timezone)
    work = (
        posts[_KEYS]
        .astype("string")
        .assign(
            weekday=local.dt.day_of_week.astype("int64"),
            hour=local.dt.hour.astype("int64"),
            midnight=(local - local.dt.normalize()) == pd.Timedelta(0),
            interactions=_interactions(posts),
        )
    )
    frames = []
    for (agency, platform), group in work.groupby(_KEYS, sort=True):
        date_only = bool(group["midnight"].all())
        keys = ["weekday"] if date_only else ["weekday", "hour"]
        cells = group.groupby(keys).agg(
            n_posts=("weekday", "size"), mean_interactions=("interactions", "mean")
        )
        grid = (
            pd.Index(range(7), name="weekday")
            if date_only
            else pd.MultiIndex.from_product([range(7), range(24)], names=keys)
        )
        cells = cells.reindex(grid).reset_index()
        cells["n_posts"] = cells["n_posts"].fillna(0)
        if date_only:
            cells["hour"] = pd.NA
        frames.append(cells.assign(agency_id=agency, platform=platform))
    out = pd.concat(frames, ignore_index=True)
    return conform(out, TIMING_TABLE)[list(TIMING_TABLE)]


def reach_rates(posts: pd.DataFrame) -> pd.DataFrame:
    """Engagement rate by reach and by views, per agency and platform.

    Two ways of averaging are given for each denominator. The **primary** one is the ratio of
    sums, ``sum(interactions) / sum(reach) x 100``: the reach-weighted mean of the posts'
    rates, which a post seen by few accounts cannot inflate (2 interactions on a reach of 3
    is 67 %). The mean of the per-post rates (``..._mean``), what several dashboards show,
    weights every post equally and is given for comparison with them.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (uses ``agency_id``, ``platform``, ``likes``, ``comments``, ``shares``,
        ``reach``, ``views``). ``reach`` is the accounts reached (Meta ``Reach``, TikTok
        ``Reach``); ``views`` are views or impressions (X impressions, Instagram ``Views``).

    Returns
    -------
    pandas.DataFrame
        Tidy table like :func:`analysis.stats.engagement.engagement_metrics`, one row per
        (agency, platform, metric), sorted by agency, platform and :data:`REACH_METRICS`
        order (:data:`RATES_TABLE`):

        agency_id, platform : string
        metric : string
            ``engagement_rate_reach`` (primary), ``engagement_rate_reach_mean``,
            ``engagement_rate_views`` (primary), ``engagement_rate_views_mean``.
        value : Float64
            In % (``numerator / denominator x 100``); NA when no post has the denominator.
        numerator : Float64
            Sum of interactions (ratio of sums) or sum of the per-post rates in % (mean).
        denominator : Float64
            Sum of reach or views (ratio of sums) or the number of posts (mean).
        n_posts : Int64
            Posts with the three counts known and a reach (views) > 0.
        definition : string
            The formula in words.

    Raises
    ------
    InputError
        For a missing column (named) or an empty table.
    """
    _check_posts(posts, ["agency_id", "platform", *_COUNTS, "reach", "views"])
    work = posts[_KEYS].astype("string").assign(interactions=_interactions(posts))
    rows = []
    for keys, group in work.groupby(_KEYS, sort=True):
        for base, noun in (("reach", "reach"), ("views", "views (impressions on X)")):
            denominators = posts.loc[group.index, base].astype("Float64")
            usable = (group["interactions"].notna() & (denominators > 0)).fillna(False)
            interactions = group.loc[usable, "interactions"].astype("float64")
            amounts = denominators[usable].astype("float64")
            n = int(usable.sum())
            none = float("nan")
            pooled = (float(interactions.sum()), float(amounts.sum())) if n else (none, none)
            per_post = float((interactions / amounts * 100).sum()) if n else none
            rows += [
                _rate_row(
                    keys,
                    f"engagement_rate_{base}",
                    pooled[0],
                    pooled[1],
                    100.0,
                    n,
                    f"(likes + comments + shares) summed / {noun} summed x 100, over posts "
                    f"with the three counts and {base} > 0 (primary)",
                ),
                _rate_row(
                    keys,
                    f"engagement_rate_{base}_mean",
                    per_post,
                    float(n) if n else none,
                    1.0,
                    n,
                    f"mean over posts of (likes + comments + shares) / {noun} x 100, posts "
                    f"with the three counts and {base} > 0",
                ),
            ]
    return conform(pd.DataFrame(rows), RATES_TABLE)[list(RATES_TABLE)]


def cross_platform(
    posts: pd.DataFrame,
    timezone: str,
    window_hours: float = 24,
    *,
    threshold: float = 0.5,
    start=None,
    end=None,
) -> pd.DataFrame:
    """Presence on each platform and consistency of topics across platforms, per agency.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts table (uses ``agency_id``, ``platform``, ``published_at``, ``text``).
    timezone : str
        IANA zone whose calendar gives the weeks (Monday to Sunday) and the period's ends.
    window_hours : float
        Two posts can share a topic when they are at most this many hours apart.
    threshold : float
        Least token Jaccard similarity of two posts on one topic (see the module docstring).
    start, end : date-like, optional
        First and last local day of the study period (posts outside it are left out).
        Default: the first and the last post's local day in the whole table, so every agency
        is measured over the same weeks.

    Returns
    -------
    pandas.DataFrame
        Tidy table (:data:`RATES_TABLE`), sorted by agency, platform (``all`` first) and
        :data:`CROSS_PLATFORM_METRICS` order:

        agency_id : string
        platform : string
            A platform, or ``all`` for the agency's accounts together.
        metric : string
            ``platforms_active`` (``all`` only): platforms with at least one post in the
            period. ``weeks_active_share``: % of the period's weeks with at least one post
            (on the platform, or on any platform for ``all``), the regularity of posting.
            ``cross_posted_share``: % of posts (with at least :data:`MIN_TOKENS` content
            words and hashtags) whose topic is posted on another of the agency's platforms
            within ``window_hours``; NA for an agency active on one platform.
        value : Float64
            The count (``platforms_active``) or ``numerator / denominator x 100``.
        numerator : Float64
            Platforms, active weeks, or matched posts.
        denominator : Float64
            NA (``platforms_active``), weeks in the period, or posts with enough tokens.
        n_posts : Int64
            Posts in the period (``platforms_active``, ``weeks_active_share``) or posts
            with enough tokens (``cross_posted_share``).
        definition : string

    Raises
    ------
    InputError
        For a missing column (named), an empty table, naive ``published_at`` times, a
        non-positive window or a threshold outside (0, 1], or a period without posts.
    """
    _check_posts(posts, ["agency_id", "platform", "published_at", "text"])
    if not window_hours > 0:
        raise InputError(f"window_hours must be > 0 (found {window_hours!r})")
    if not 0 < threshold <= 1:
        raise InputError(f"threshold must be in (0, 1] (found {threshold!r})")
    local = _local_times(posts, timezone).dt.tz_localize(None)
    first = pd.Timestamp(start) if start is not None else local.min().normalize()
    last = pd.Timestamp(end) if end is not None else local.max().normalize()
    inside = (local >= first) & (local < last + pd.Timedelta(days=1))
    if not inside.any():
        raise InputError(f"no post falls between {first.date()} and {last.date()}")
    weeks = pd.period_range(first.to_period("W"), last.to_period("W"), freq="W")
    work = posts.loc[inside, _KEYS].astype("string")
    work["week"] = local[inside].dt.to_period("W")
    epoch = pd.Timestamp(0, tz="UTC")
    work["time"] = (posts.loc[inside, "published_at"] - epoch).dt.total_seconds()
    work["tokens"] = [_topic_tokens(text) for text in posts.loc[inside, "text"]]
    rows = []
    for agency, group in work.groupby("agency_id", sort=True):
        matched = _matched_posts(group, window_hours, threshold)
        single = group["platform"].nunique() < 2
        platforms = sorted(group["platform"].unique())
        rows.append(
            _rate_row(
                (agency, ALL_PLATFORMS),
                "platforms_active",
                float(len(platforms)),
                float("nan"),
                None,
                len(group),
                "platforms with at least one post in the period",
            )
        )
        for platform in [ALL_PLATFORMS, *platforms]:
            part = group if platform == ALL_PLATFORMS else group[group["platform"] == platform]
            where = "any platform" if platform == ALL_PLATFORMS else "the platform"
            rows.append(
                _rate_row(
                    (agency, platform),
                    "weeks_active_share",
                    float(part["week"].nunique()),
                    float(len(weeks)),
                    100.0,
                    len(part),
                    f"weeks (Monday-Sunday, local) with >= 1 post on {where} / weeks in the "
                    "period x 100",
                )
            )
            judged = matched.loc[part.index].dropna()
            rows.append(
                _rate_row(
                    (agency, platform),
                    "cross_posted_share",
                    float("nan") if single else float(judged.sum()),
                    float(len(judged)),
                    100.0,
                    len(judged),
                    f"posts whose topic (token Jaccard >= {threshold:g}) is posted on another "
                    f"platform within {window_hours:g} h / posts with >= {MIN_TOKENS} content "
                    "words and hashtags x 100; NA with one platform",
                )
            )
    out = pd.DataFrame(rows)
    return conform(out, RATES_TABLE)[list(RATES_TABLE)]


def _check_posts(posts: pd.DataFrame, columns: Iterable[str]) -> None:
    """InputError naming the first missing column, or for an empty or naive-time table."""
    if not isinstance(posts, pd.DataFrame):
        raise InputError(f"posts must be a pandas DataFrame, not {type(posts).__name__}")
    for column in columns:
        if column not in posts.columns:
            hint = did_you_mean(column, posts.columns)
            raise InputError("the posts table lacks a required column", column=column, hint=hint)
    if posts.empty:
        raise InputError("the posts table has no rows: there is nothing to measure")
    if "published_at" in columns:
        times = posts["published_at"]
        if not isinstance(times.dtype, pd.DatetimeTZDtype):
            raise InputError(
                f"expected time-zone aware times (UTC, as the readers give), found {times.dtype}",
                column="published_at",
            )
        if times.isna().any():
            raise InputError("a post has no publish time", column="published_at")


def _local_times(posts: pd.DataFrame, timezone: str) -> pd.Series:
    return posts["published_at"].dt.tz_convert(timezone)


def _interactions(posts: pd.DataFrame) -> pd.Series:
    """likes + comments + shares per post; NA when any of the three is NA."""
    return (
        posts["likes"].astype("Float64")
        + posts["comments"].astype("Float64")
        + posts["shares"].astype("Float64")
    )


def _rate_row(keys, metric, numerator, denominator, scale, n_posts, definition) -> dict:
    """One row of :data:`RATES_TABLE`; ``scale`` None keeps the numerator as the value."""
    if scale is None:
        value = numerator
    elif denominator > 0 and not np.isnan(numerator):  # NaN > 0 is False
        value = numerator / denominator * scale
    else:
        value = float("nan")
    return {
        "agency_id": keys[0],
        "platform": keys[1],
        "metric": metric,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "n_posts": n_posts,
        "definition": definition,
    }


def _topic_tokens(text: object) -> frozenset[str]:
    """Content words (no stopwords, no numbers) and hashtags of a post, lower-cased."""
    stop = stopwords(("id", "en"))
    parts = tokenize(text)
    words = {w for w in parts.words if w not in stop and not w.isdigit()}
    return frozenset(words | set(parts.hashtags))


def _matched_posts(group: pd.DataFrame, window_hours: float, threshold: float) -> pd.Series:
    """Per post: True when a post on another platform within the window shares its topic.

    NA for a post with fewer than :data:`MIN_TOKENS` tokens (not judged).
    """
    ordered = group.sort_values("time", kind="stable")
    times = ordered["time"].to_numpy()
    platforms = ordered["platform"].to_numpy()
    tokens = ordered["tokens"].tolist()
    judged = np.array([len(t) >= MIN_TOKENS for t in tokens])
    matched = np.zeros(len(ordered), dtype=bool)
    window = window_hours * 3600.0
    ends = np.searchsorted(times, times + window, side="right")
    for i in np.flatnonzero(judged):
        for j in range(i + 1, ends[i]):
            if not judged[j] or platforms[j] == platforms[i]:
                continue
            overlap = len(tokens[i] & tokens[j])
            if overlap and overlap / len(tokens[i] | tokens[j]) >= threshold:
                matched[i] = matched[j] = True
    result = pd.Series(matched, index=ordered.index, dtype="boolean")
    result[~judged] = pd.NA
    return result.reindex(group.index)

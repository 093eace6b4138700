"""The report's analyses: the study config applied to :mod:`analysis.stats`.

Each function takes the study and one agency's tables and returns the tidy table a report
section shows and records, with ``attrs["keys"]`` (the columns that identify a row) and
``attrs["estimate"]`` (its main value) for :class:`~analysis.reporting.results.ResultLog`.
Statistics are computed in :mod:`analysis.stats` only; this module chooses which columns and
options the study asks for (significance level, survey weights); hypotheses are in
:mod:`analysis.reporting.hypotheses`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import content, stats
from analysis.config import Study

#: Fewest items for omega (a one-factor model of two items is not identified).
OMEGA_MIN_ITEMS = 3


def tidy(table: pd.DataFrame, keys: tuple[str, ...], estimate: str) -> pd.DataFrame:
    """``table`` with its record keys and estimate column declared in ``attrs``."""
    table.attrs.update(keys=keys, estimate=estimate)
    return table


def descriptives(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Construct score descriptives (weighted when the survey has weights).

    Returns
    -------
    pandas.DataFrame
        ``construct`` then the columns of :func:`analysis.stats.describe` (``variable``
        dropped): ``n, mean, sd, se, median, min, max, ci_low, ci_high, weighted``; the
        interval is at ``1 - alpha`` of the study.
    """
    table = stats.describe(
        scores,
        [c.id for c in study.constructs],
        weights=study.weight_column,
        ci=1 - study.study.alpha,
    )
    table = table.rename(columns={"variable": "construct"})
    return tidy(table, ("construct",), "mean")


def reliability(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Cronbach's alpha of every construct (items already reverse-keyed in ``responses``).

    Returns
    -------
    pandas.DataFrame
        One row per construct: ``construct``, ``k``, ``n``, ``alpha``, ``ci_low``, ``ci_high``
        (Feldt, ``1 - alpha`` of the study), ``std_alpha``, ``omega`` (McDonald's omega total
        from a one-factor ML model, as JASP; NaN below :data:`OMEGA_MIN_ITEMS` items; its
        bootstrap interval is in the measurement notebook), ``min_item_total_r`` (smallest
        corrected item-total r), ``reliable`` (alpha > 0.60, Ghozali 2011).
    """
    rows = []
    for construct in study.constructs:
        items = [i.id for i in construct.items]
        row = {"construct": construct.id, "k": len(items)}
        if len(items) < 2:
            rows.append(row | {"n": int(responses[items].notna().all(axis=1).sum())})
            continue
        alpha = stats.cronbach_alpha(responses, items, ci=1 - study.study.alpha).iloc[0]
        per_item = stats.item_analysis(responses, items, alpha_level=study.study.alpha)
        omega = (
            stats.omega(responses, items, n_boot=0).iloc[0]["omega_total"]
            if len(items) >= OMEGA_MIN_ITEMS
            else np.nan
        )
        rows.append(
            row
            | {
                "n": int(alpha["n"]),
                "alpha": alpha["alpha"],
                "ci_low": alpha["ci_low"],
                "ci_high": alpha["ci_high"],
                "std_alpha": alpha["std_alpha"],
                "omega": omega,
                "min_item_total_r": per_item["item_total_r"].min(),
                "reliable": bool(alpha["alpha"] > 0.60),
            }
        )
    columns = ["construct", "k", "n", "alpha", "ci_low", "ci_high", "std_alpha", "omega"]
    table = pd.DataFrame(rows, columns=[*columns, "min_item_total_r", "reliable"])
    return tidy(table, ("construct",), "alpha")


def item_analysis(responses: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Per-item validity and reliability of every construct with two or more items.

    Returns
    -------
    pandas.DataFrame
        ``construct`` then the columns of :func:`analysis.stats.item_analysis` (``item, n,
        mean, sd, item_total_r, alpha_if_deleted, r_table, valid``), r-table at the study's
        alpha.
    """
    frames = [
        stats.item_analysis(
            responses, [i.id for i in c.items], alpha_level=study.study.alpha
        ).assign(construct=c.id)
        for c in study.constructs
        if len(c.items) > 1
    ]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if not table.empty:
        table = table[["construct", *stats.reliability.ITEM_COLUMNS]]
    return tidy(table, ("construct", "item"), "item_total_r")


def platform_summary(posts: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Posts per platform with local first and last dates and median counts.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`analysis.stats.platform_summary`, dates in the study's zone.
    """
    table = stats.platform_summary(posts, study.study.timezone)
    return tidy(table, ("platform",), "n_posts")


def engagement(posts: pd.DataFrame, study: Study, agency_id: str) -> pd.DataFrame:
    """Bonsón et al. metrics of one agency per platform.

    The follower count is the export's own (mean ``followers_at_post``); the agency's
    configured count is used for a platform whose export has none. Weeks are counted in the
    study's time zone.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`analysis.stats.engagement_metrics`.
    """
    followers = study.agency(agency_id).followers
    table = stats.engagement_metrics(posts, followers, study.study.timezone)
    return tidy(table, ("platform", "metric"), "value")


#: Responsiveness metrics a report shows (all are recorded).
REPLY_METRICS = (
    "citizen_comments",
    "questions_or_complaints",
    "answered_share",
    "median_hours_to_reply",
    "reply_0_2h",
    "reply_2_8h",
    "reply_8_24h",
    "reply_over_24h",
    "unanswered",
)


def responsiveness(comments: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Whether the agency answers citizens' questions and complaints, per platform.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`analysis.stats.responsiveness` for :data:`REPLY_METRICS`:
        ``platform``, ``metric``, ``value``, ``numerator``, ``denominator``, ``ci_low``,
        ``ci_high`` (Wilson, at the study's level, for the answered share), ``definition``.
    """
    if comments.empty:
        return tidy(
            pd.DataFrame(columns=["platform", "metric", "value"]), ("platform", "metric"), "value"
        )
    table = stats.responsiveness(comments, timezone=study.study.timezone, ci=1 - study.study.alpha)
    table = table[table["metric"].isin(REPLY_METRICS)].drop(columns=["agency_id", "period"])
    return tidy(table.reset_index(drop=True), ("platform", "metric"), "value")


def content_categories(posts: pd.DataFrame, study: Study, lang: str) -> pd.DataFrame:
    """What the agency posts about: posts per codebook category (auto-coded), per platform.

    The study's ``codebook`` is used, or the default codebook for government accounts
    (``analysis/content/default_codebook.yml``). Posts are coded by keywords and patterns
    (Sastrawi stems for Bahasa Indonesia), a post may fall in several categories.

    Returns
    -------
    pandas.DataFrame
        One row per platform and category: ``platform``, ``category``, ``label`` (in
        ``lang``), ``n`` (posts coded with it), ``share`` (of the platform's posts).
    """
    columns = ["platform", "category", "label", "n", "share"]
    if posts.empty:
        return tidy(pd.DataFrame(columns=columns), ("platform", "category"), "n")
    codebook = study.codebook or content.load_codebook()
    frames = []
    for platform, mine in posts.groupby("platform", sort=True):
        coded = content.code_texts(mine["text"].fillna(""), codebook, lang=study.study.language)
        counts = content.category_counts(coded, codebook, lang)
        frames.append(counts.assign(platform=platform))
    table = pd.concat(frames, ignore_index=True)[columns]
    return tidy(table, ("platform", "category"), "n")


def hashtags(posts: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """The agency's most used hashtags over all platforms.

    Returns
    -------
    pandas.DataFrame
        ``term`` (the hashtag), ``count``, ``documents`` (posts using it), ``share`` (of all
        hashtag uses), the ``top`` most used.
    """
    if posts.empty:
        return tidy(pd.DataFrame(columns=["term", "count"]), ("term",), "count")
    table = content.hashtag_counts(posts["text"].fillna(""), top=top)
    return tidy(table, ("term",), "count")

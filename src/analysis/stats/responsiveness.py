"""Responsiveness of agency accounts: do they answer citizens' questions and complaints, how fast.

:func:`responsiveness` measures the "responsive" principle of PermenPAN-RB 83/2012 (answer input
quickly and appropriately) from comment threads (:data:`analysis.io.comments.COMMENTS`), per
agency and platform (and, on request, per local calendar period).

Definitions (stated here because they decide the numbers)
    * **Citizen comment**: a comment or reply not written by the agency (``is_agency`` false).
    * **Question or complaint**: a citizen comment flagged ``is_question`` or ``is_complaint``
      (by default the flags in the table, set by the readers' keyword rule
      :func:`analysis.io.comments.flag_requests` and open to correction by coders; with
      ``question_patterns`` the texts are flagged again by that rule with those patterns).
    * **Thread**: a comment on the post and every reply below it; a reply whose parent is not
      in the table starts a thread at that parent. Facebook, Instagram and YouTube show
      replies in one level under the comment on the post, so this is the thread a reader sees.
    * **Official reply**: a comment by the agency in the same thread written after the
      citizen's comment, or a direct reply to it (whatever its time stamp says: exports round
      times to the minute). The **time to first reply** is the time to the earliest such
      comment, in hours (0 when a direct reply carries an earlier time stamp). An agency
      comment elsewhere on the post (a new comment, not in the thread) is not a reply.
    * **Buckets** of the time to first reply: 0-2 h (up to and including 2 h), 2-8 h, 8-24 h,
      > 24 h; the unanswered are a fifth group, so the five shares add up to 100 %.
    * **Confidence intervals** of shares are Wilson score intervals (Wilson 1927; Newcombe
      1998 recommends them over the Wald interval for small counts), computed by
      :func:`statsmodels.stats.proportion.proportion_confint`.

Threads and first replies are computed here because no statistics library models comment
threads; the intervals come from statsmodels.

A reply is counted however late it came; a question asked just before the data were collected
may still be answered afterwards, so the last days of a period understate the reply rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.errors import InputError
from analysis.io.comments import COMMENTS, flag_requests
from analysis.tables import check_table, conform, empty_table

#: Output order of the metrics.
METRICS = (
    "citizen_comments",
    "agency_comments",
    "questions",
    "complaints",
    "questions_or_complaints",
    "answered_share",
    "median_hours_to_reply",
    "reply_0_2h",
    "reply_2_8h",
    "reply_8_24h",
    "reply_over_24h",
    "unanswered",
)
#: Column contract of :func:`responsiveness`.
RESPONSIVENESS_TABLE = {
    "agency_id": "string",
    "platform": "string",
    "period": "string",
    "metric": "string",
    "value": "Float64",
    "numerator": "Float64",
    "denominator": "Float64",
    "ci_low": "Float64",
    "ci_high": "Float64",
    "definition": "string",
}
#: Upper ends (hours, inclusive) and metric names of the reply-time buckets.
BUCKETS = ((2.0, "reply_0_2h"), (8.0, "reply_2_8h"), (24.0, "reply_8_24h"))
OVER = "reply_over_24h"

_KEYS = ["agency_id", "platform", "period"]
_THREAD = ["agency_id", "platform", "post_id", "thread_id"]
_REQUESTS = "citizen questions or complaints"


def responsiveness(
    comments: pd.DataFrame,
    *,
    timezone: str = "Asia/Jakarta",
    question_patterns: Mapping[str, Sequence[str]] | None = None,
    period: str | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Reply rate and time to first official reply per agency and platform.

    Parameters
    ----------
    comments : pandas.DataFrame
        Comments table (:data:`analysis.io.comments.COMMENTS`).
    timezone : str
        IANA zone whose calendar counts the periods (a question at 23:30 WIB on 31 May is a
        May question).
    question_patterns : mapping, optional
        ``{"question": [...], "complaint": [...]}`` regular expressions; when given, the texts
        are flagged again with :func:`analysis.io.comments.flag_requests` (a kind left out
        keeps its default patterns) instead of using the table's flags.
    period : str, optional
        A pandas period alias (``"M"``, ``"Q"``, ``"Y"``): citizen comments are grouped by the
        local period in which they were written. Default: one period, ``"all"``.
    ci : float
        Confidence level of the Wilson intervals.

    Returns
    -------
    pandas.DataFrame
        Tidy table, one row per (agency, platform, period, metric) for every agency and
        platform with at least one comment, sorted by agency, platform, period and
        :data:`METRICS` order, with columns:

        agency_id, platform : string
        period : string
            ``"all"``, or the local period (``"2026-05"`` for ``period="M"``).
        metric : string
            ``citizen_comments``, ``agency_comments`` (counts); ``questions``, ``complaints``,
            ``questions_or_complaints`` (counts of citizen comments; a comment may be both);
            ``answered_share`` (%); ``median_hours_to_reply``; ``reply_0_2h``,
            ``reply_2_8h``, ``reply_8_24h``, ``reply_over_24h``, ``unanswered`` (% of
            questions or complaints).
        value : Float64
            The count; ``numerator / denominator x 100`` for shares (NA when there is no
            question or complaint); the median in hours (NA when none was answered).
        numerator : Float64
            The count (counts and shares); NA for the median.
        denominator : Float64
            Citizen comments (questions, complaints, questions_or_complaints), questions or
            complaints (shares), questions or complaints answered (median); NA for the two
            comment counts.
        ci_low, ci_high : Float64
            Wilson interval of shares at level ``ci``, in %; NA for counts and the median.
        definition : string
            The formula in words.

    Raises
    ------
    InputError
        When ``comments`` does not have the comments columns and dtypes, repeats a comment
        id within a post, its replies form a cycle, or a pattern is invalid.
    """
    check_table(comments, COMMENTS, "comments")
    if comments.empty:
        return empty_table(RESPONSIVENESS_TABLE)
    work = comments.reset_index(drop=True)
    work["thread_id"] = thread_roots(work)
    if question_patterns is not None:
        question, complaint = flag_requests(work["text"], question_patterns)
        work["is_question"] = question & ~work["is_agency"]
        work["is_complaint"] = complaint & ~work["is_agency"]
    work["period"] = _periods(work["created_at"], timezone, period)
    work["request"] = (work["is_question"] | work["is_complaint"]) & ~work["is_agency"]
    work["hours"] = first_reply_hours(work)
    groups = _group_counts(work)
    frames = [
        _count_rows(groups),
        _share_rows(groups, "answered_share", "answered", "answered by an official reply", ci),
        _median_rows(work, groups),
        *[_share_rows(groups, name, name, what, ci) for name, what in _bucket_labels()],
        _share_rows(groups, "unanswered", "unanswered", "without an official reply", ci),
    ]
    out = pd.concat(frames).reset_index()
    out["order"] = out["metric"].map({name: i for i, name in enumerate(METRICS)})
    out = out.sort_values([*_KEYS, "order"], kind="stable").drop(columns="order")
    return conform(out.reset_index(drop=True), RESPONSIVENESS_TABLE)[list(RESPONSIVENESS_TABLE)]


def thread_roots(comments: pd.DataFrame) -> pd.Series:
    """The id of the comment each thread starts from (see the module docstring).

    Parent links are followed within (agency, platform, post) up to a comment without a
    parent, or to a parent that is not in the table (whose id is then the thread's id).

    Returns
    -------
    pandas.Series
        ``string``, the thread id of each comment (its own id for a comment on the post).

    Raises
    ------
    InputError
        When a comment id repeats within a post, or parent links form a cycle.
    """
    post = comments["agency_id"] + "\x1f" + comments["platform"] + "\x1f" + comments["post_id"]
    own = pd.Index(post + "\x1f" + comments["comment_id"])
    repeated = own.duplicated()
    if repeated.any():
        first = int(np.flatnonzero(repeated)[0])
        raise InputError(
            f'comment id "{comments["comment_id"].iloc[first]}" appears twice under post '
            f'"{comments["post_id"].iloc[first]}"',
            column="comment_id",
            hint="comment ids must be unique within a post; read files with read_comments",
        )
    parent = (post + "\x1f" + comments["parent_id"]).to_numpy(dtype=object, na_value=None)
    parent_id = comments["parent_id"].to_numpy(dtype=object, na_value=None)
    on_post = pd.isna(parent)
    root = np.where(on_post, own.to_numpy(dtype=object), parent)
    root_id = np.where(on_post, comments["comment_id"].to_numpy(dtype=object), parent_id)
    for _ in range(len(comments) + 1):
        position = own.get_indexer(root)
        above = position >= 0
        above[above] = pd.notna(parent[position[above]])
        if not above.any():
            return pd.Series(root_id, index=comments.index, dtype="string")
        root[above] = parent[position[above]]
        root_id[above] = parent_id[position[above]]
    first = int(np.flatnonzero(above)[0])
    raise InputError(
        f'the replies above comment "{comments["comment_id"].iloc[first]}" form a cycle: '
        "following parent_id never reaches a comment on the post",
        column="parent_id",
    )


def first_reply_hours(comments: pd.DataFrame) -> pd.Series:
    """Hours from each citizen comment to the first official reply in its thread.

    ``comments`` needs the comments columns plus ``thread_id`` (:func:`thread_roots`).

    Returns
    -------
    pandas.Series
        ``Float64`` on the index of ``comments``: hours (>= 0) for answered citizen comments,
        NA for unanswered ones and for the agency's own comments.
    """
    citizens = comments.loc[~comments["is_agency"], [*_THREAD, "comment_id", "created_at"]]
    agency = comments.loc[comments["is_agency"], [*_THREAD, "parent_id", "created_at"]]
    pairs = citizens.rename_axis("row").reset_index()
    pairs = pairs.merge(agency, on=_THREAD, suffixes=("", "_reply"))
    later = pairs["created_at_reply"] > pairs["created_at"]
    direct = (pairs["parent_id"] == pairs["comment_id"]).fillna(False)
    pairs = pairs[later | direct]
    delay = (pairs["created_at_reply"] - pairs["created_at"]).dt.total_seconds() / 3600.0
    first = delay.clip(lower=0.0).groupby(pairs["row"]).min()
    return pd.Series(first, index=comments.index, dtype="Float64")


def _periods(created_at: pd.Series, timezone: str, period: str | None) -> pd.Series:
    """The local calendar period of each comment, or ``"all"``."""
    if period is None:
        return pd.Series("all", index=created_at.index, dtype="string")
    local = created_at.dt.tz_convert(timezone).dt.tz_localize(None)
    try:
        return local.dt.to_period(period).astype("string")
    except ValueError as error:
        raise InputError(
            f'"{period}" is not a calendar period ({error})',
            column="period",
            hint='e.g. "M" (months), "Q" (quarters), "Y" (years)',
        ) from None


def _bucket_labels() -> list[tuple[str, str]]:
    """Metric name and wording of each reply-time bucket, in order."""
    labels, low = [], 0.0
    for high, name in BUCKETS:
        after = f"more than {low:g} h and " if low else ""
        labels.append((name, f"whose first official reply came after {after}at most {high:g} h"))
        low = high
    return [*labels, (OVER, f"whose first official reply came after more than {low:g} h")]


def _group_counts(work: pd.DataFrame) -> pd.DataFrame:
    """Per (agency, platform, period): comment counts, requests, answered, bucket counts."""
    citizen = ~work["is_agency"]
    request = work["request"]
    hours = work["hours"].where(request)
    counts = pd.DataFrame(
        {
            "citizen_comments": citizen,
            "agency_comments": work["is_agency"],
            "questions": work["is_question"] & citizen,
            "complaints": work["is_complaint"] & citizen,
            "questions_or_complaints": request,
            "answered": hours.notna(),
            "unanswered": request & hours.isna(),
        }
    ).astype("int64")
    low = 0.0
    for high, name in BUCKETS:
        counts[name] = hours.le(high) & (hours.gt(low) if low else True)
        low = high
    counts[OVER] = hours.gt(low)
    counts = counts.fillna(False).astype("int64")
    keys = work[_KEYS].astype("string")
    return counts.groupby([keys[k] for k in _KEYS], sort=True, dropna=False).sum()


def _rows(groups: pd.DataFrame, metric: str, value, numerator, denominator, definition: str):
    """One metric's rows, indexed by (agency, platform, period)."""
    return pd.DataFrame(
        {
            "metric": metric,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "ci_low": pd.NA,
            "ci_high": pd.NA,
            "definition": definition,
        },
        index=groups.index,
    )


def _count_rows(groups: pd.DataFrame) -> pd.DataFrame:
    """The five counts; the three kinds of citizen comment out of all citizen comments."""
    citizens = groups["citizen_comments"]
    frames = [
        _rows(
            groups,
            "citizen_comments",
            citizens,
            citizens,
            pd.NA,
            "comments and replies not written by the agency",
        ),
        _rows(
            groups,
            "agency_comments",
            groups["agency_comments"],
            groups["agency_comments"],
            pd.NA,
            "comments and replies written by the agency",
        ),
    ]
    for name, what in (
        ("questions", "citizen comments flagged as a question"),
        ("complaints", "citizen comments flagged as a complaint or request"),
        ("questions_or_complaints", "citizen comments flagged as either"),
    ):
        frames.append(
            _rows(
                groups,
                name,
                groups[name],
                groups[name],
                citizens,
                f"{what} (of citizen comments, the denominator)",
            )
        )
    return pd.concat(frames)


def _share_rows(
    groups: pd.DataFrame, metric: str, column: str, what: str, ci: float
) -> pd.DataFrame:
    """A share of the questions or complaints, in %, with its Wilson interval."""
    count = groups[column].to_numpy(dtype=float)
    total = groups["questions_or_complaints"].to_numpy(dtype=float)
    known = total > 0
    low, high = np.full(len(total), np.nan), np.full(len(total), np.nan)
    if known.any():
        low[known], high[known] = proportion_confint(
            count[known], total[known], alpha=1 - ci, method="wilson"
        )
    rows = _rows(
        groups,
        metric,
        np.where(known, 100.0 * count / np.where(known, total, 1.0), np.nan),
        count,
        total,
        f"{_REQUESTS} {what} / {_REQUESTS} x 100; Wilson {ci:.0%} interval",
    )
    rows["ci_low"], rows["ci_high"] = 100.0 * low, 100.0 * high
    return rows.astype({"value": "Float64", "ci_low": "Float64", "ci_high": "Float64"})


def _median_rows(work: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Median hours to the first official reply, over the answered questions or complaints."""
    answered = work[work["request"] & work["hours"].notna()]
    keys = answered[_KEYS].astype("string")
    median = answered["hours"].astype("float64").groupby([keys[k] for k in _KEYS]).median()
    return _rows(
        groups,
        "median_hours_to_reply",
        median.reindex(groups.index),
        pd.NA,
        groups["answered"],
        f"median hours from a question or complaint to the first official reply in its "
        f"thread, over the answered (the denominator); {_REQUESTS} only",
    )

"""Canonical tables: the column contracts every module reads and writes.

Each contract lists the columns a table must have and their pandas dtypes. Readers produce these
tables; analyses consume them; :func:`check_table` enforces the contract at each boundary.

responses
    One row per analysed respondent. ``respondent_id`` (string, keyed pseudonym), ``agency_id``
    (string), ``source_file`` (string), ``source_row`` (Int64, spreadsheet row in the raw file),
    ``submitted_at`` (datetime64[ns, UTC]), ``duration_seconds`` (Float64), ``weight`` (Float64,
    1.0 when the study has no weights), then one Float64 column per item id (numeric answer after
    scale coding and reverse keying; NA when missing), then any demographic columns the config
    keeps (``age`` ..., strings or numbers).
exclusions
    The exclusion ledger: one row per raw row that is not analysed. ``source_file``,
    ``source_row``, ``agency_id`` (may be NA when the agency itself is unknown), ``reason``
    (a reason code such as ``duplicate``, ``speeder``), ``detail`` (human-readable), ``action``
    (``exclude``).
flags
    Screening flags that did not exclude: same columns as exclusions with ``action == "flag"``.
scores
    One row per respondent: ``respondent_id``, ``agency_id``, ``weight``, then one Float64
    column per construct id (mean of answered items, NA when fewer than the construct's
    minimum were answered).
posts
    One row per post: ``agency_id``, ``platform`` (instagram, facebook, youtube, x, tiktok),
    ``post_id`` (string), ``published_at`` (datetime64[ns, UTC]), ``post_type`` (string),
    ``text`` (string), ``likes``, ``comments``, ``shares``, ``views``, ``reach`` (Int64; NA when
    the platform does not report it), ``followers_at_post`` (Float64), ``source_file``,
    ``source_row``.
comments
    One row per comment or reply on an agency's post (:mod:`analysis.io.comments`):
    ``agency_id``, ``platform``, ``post_id``, ``comment_id``, ``parent_id`` (string),
    ``author_key`` (keyed pseudonym of the author; empty without a key), ``is_agency``
    (boolean: written by the agency's own account), ``created_at`` (UTC), ``text`` (names,
    handles and identifiers of citizens redacted), ``likes`` (Int64), ``is_question``,
    ``is_complaint`` (boolean), ``source_file``, ``source_row``.
agency_metrics
    Agency-level metrics of every agency, computed once when the study is cleaned so that a
    report can rank its agency among the others
    (:func:`analysis.reporting.scorecard.agency_metrics`). One row per agency, platform and
    metric: ``agency_id`` (string), ``platform`` (string: a platform for the Bonsón metrics of
    :func:`analysis.stats.engagement_metrics`, ``all`` for the agency's accounts together),
    ``metric`` (string: ``P1`` ... ``E``, ``posts_per_week``, ``interaction_rate`` per
    platform; for ``all``: ``answered_share``, ``median_hours_to_reply``, ``reply_0_2h``
    (responsiveness over all platforms), ``platforms_active``, ``weeks_active_share``,
    ``cross_posted_share`` (cross-platform activity), ``engagement_index`` (mean E over the
    platforms with one) and ``posts_per_week`` (summed over platforms)), ``value`` (Float64,
    6 decimals; NA when the metric cannot be computed, e.g. a reply time without an answered
    question), ``followers`` (Float64: the platform's follower count the Bonsón indices
    divide by; for ``all`` the sum over the agency's platforms, NA when a platform's count is
    unknown), ``source`` (string: the :mod:`analysis.stats` function the value comes from,
    ``engagement_metrics``, ``responsiveness`` or ``cross_platform``).
"""

from __future__ import annotations

import pandas as pd

from analysis.errors import InputError

RESPONSES_FIXED = {
    "respondent_id": "string",
    "agency_id": "string",
    "source_file": "string",
    "source_row": "Int64",
    "submitted_at": "datetime64[ns, UTC]",
    "duration_seconds": "Float64",
    "weight": "Float64",
}

LEDGER = {
    "source_file": "string",
    "source_row": "Int64",
    "agency_id": "string",
    "reason": "string",
    "detail": "string",
    "action": "string",
}

POSTS = {
    "agency_id": "string",
    "platform": "string",
    "post_id": "string",
    "published_at": "datetime64[ns, UTC]",
    "post_type": "string",
    "text": "string",
    "likes": "Int64",
    "comments": "Int64",
    "shares": "Int64",
    "views": "Int64",
    "reach": "Int64",
    "followers_at_post": "Float64",
    "source_file": "string",
    "source_row": "Int64",
}

COMMENTS = {
    "agency_id": "string",
    "platform": "string",
    "post_id": "string",
    "comment_id": "string",
    "parent_id": "string",
    "author_key": "string",
    "is_agency": "boolean",
    "created_at": "datetime64[ns, UTC]",
    "text": "string",
    "likes": "Int64",
    "is_question": "boolean",
    "is_complaint": "boolean",
    "source_file": "string",
    "source_row": "Int64",
}

AGENCY_METRICS = {
    "agency_id": "string",
    "platform": "string",
    "metric": "string",
    "value": "Float64",
    "followers": "Float64",
    "source": "string",
}

PLATFORMS = ("instagram", "facebook", "youtube", "x", "tiktok")


def empty_table(contract: dict[str, str]) -> pd.DataFrame:
    """Return an empty DataFrame with the contract's columns and dtypes."""
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in contract.items()})


def conform(frame: pd.DataFrame, contract: dict[str, str]) -> pd.DataFrame:
    """Cast the contract's columns to their dtypes and put them first (extra columns are kept)."""
    out = frame.copy()
    for name, dtype in contract.items():
        if name not in out.columns:
            out[name] = pd.Series(pd.NA, index=out.index, dtype=dtype)
        else:
            out[name] = out[name].astype(dtype)
    rest = [c for c in out.columns if c not in contract]
    return out[list(contract) + rest]


def check_table(frame: pd.DataFrame, contract: dict[str, str], name: str) -> None:
    """Raise :class:`InputError` when ``frame`` misses a contract column or has the wrong dtype."""
    for column, dtype in contract.items():
        if column not in frame.columns:
            raise InputError(f"table {name} lacks required column", column=column)
        if str(frame[column].dtype) != dtype:
            raise InputError(
                f"table {name} has dtype {frame[column].dtype}, expected {dtype}", column=column
            )

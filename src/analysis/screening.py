"""Screening rules: which raw rows are excluded (or flagged), each with a reason code.

Rules run in a fixed order and a row gets the first reason that applies, so the sample flow
reads like a CONSORT diagram: received -> not consented -> unknown agency -> duplicate ->
speeder -> failed attention check -> straight-lining -> careless (Mahalanobis) -> too many
missing -> analysed. Each rule's action is ``exclude``, ``flag`` (kept, listed in ``flags``) or
``off``. Careless-responding indices come from the ``insufficient-effort`` package (``ier``).
"""

from __future__ import annotations

from dataclasses import dataclass

import ier
import numpy as np
import pandas as pd
from scipy import stats

from analysis.config import Screening
from analysis.scales import normalize_label

REASONS = (
    "consent",
    "unknown_agency",
    "duplicate",
    "speeder",
    "attention_check",
    "straightlining",
    "careless",
    "too_many_missing",
)


@dataclass
class ScreeningInput:
    """What the rules look at, all indexed by spreadsheet row.

    Attributes
    ----------
    raw : DataFrame
        Raw answers as exported (strings), for consent and attention checks.
    items : DataFrame
        Coded item answers *before* reverse keying (longstring looks at what was ticked).
    agency_id : Series
        Agency per row (NA when unknown).
    email : Series or None
        Collected email, for duplicate detection.
    duration : Series or None
        Completion time in seconds.
    submitted_at : Series
        Submission time; the earliest of duplicates is kept.
    keys : DataFrame
        Columns that together define "identical answers" (items and demographics).
    """

    raw: pd.DataFrame
    items: pd.DataFrame
    agency_id: pd.Series
    email: pd.Series | None
    duration: pd.Series | None
    submitted_at: pd.Series
    keys: pd.DataFrame


def screen(data: ScreeningInput, rules: Screening) -> pd.DataFrame:
    """Apply every rule and return one row per raw row that a rule hit.

    Returns
    -------
    pandas.DataFrame
        Index = spreadsheet row; columns ``reason`` (first rule that hit, a code from
        :data:`REASONS`), ``detail`` (human-readable evidence) and ``action`` (``exclude`` or
        ``flag``). Rows no rule hit are absent. A flagged row whose later rule excludes it is
        reported once, with the excluding reason.
    """
    hits = []
    excluded = pd.Series(False, index=data.items.index)
    for reason, (mask, detail, action) in _rule_results(data, rules, excluded):
        if action == "off":
            continue
        new = mask & ~excluded
        hits.append(pd.DataFrame({"reason": reason, "detail": detail[new], "action": action}))
        if action == "exclude":
            excluded |= new
    table = pd.concat(hits) if hits else pd.DataFrame(columns=["reason", "detail", "action"])
    table = table[~(table.index.isin(excluded[excluded].index) & (table["action"] == "flag"))]
    return table.sort_index(kind="stable")


def _rule_results(data: ScreeningInput, rules: Screening, excluded: pd.Series):
    index = data.items.index
    if rules.consent is not None:
        answer = data.raw[rules.consent.column].fillna("")
        accepted = {normalize_label(a) for a in rules.consent.accept}
        mask = ~answer.map(normalize_label).isin(accepted)
        yield "consent", (mask, 'answered "' + answer + '"', rules.consent.action)
    unknown = data.agency_id.isna()
    yield "unknown_agency", (unknown, pd.Series("agency not in the study", index=index), "exclude")
    yield "duplicate", (*duplicates(data, rules.duplicates.keys, excluded), rules.duplicates.action)
    yield "speeder", (*speeders(data.duration, rules.speeders), rules.speeders.action)
    for check in rules.attention_checks:
        answer = data.raw[check.column].fillna("")
        mask = answer.map(normalize_label) != normalize_label(check.expected)
        detail = f'"{check.column[:40]}": answered "' + answer + f'", expected "{check.expected}"'
        yield "attention_check", (mask, detail, check.action)
    yield (
        "straightlining",
        (*straightlining(data.items, rules.straightlining), rules.straightlining.action),
    )
    yield (
        "careless",
        (*mahalanobis(data.items, rules.careless.mahalanobis_p), rules.careless.action),
    )
    share = data.items.isna().mean(axis=1)
    mask = share > rules.missing.max_missing_fraction
    detail = (share * 100).round(0).astype(int).astype(str) + "% of items unanswered"
    yield "too_many_missing", (mask, detail, rules.missing.action)


def duplicates(data: ScreeningInput, keys: list[str], excluded: pd.Series):
    """Later submissions that repeat an earlier one's email, response id or answers.

    Returns
    -------
    tuple of (Series of bool, Series of str)
        The mask of repeats (the earliest submission is kept) and which row each repeats.
    """
    order = data.submitted_at.sort_values(kind="stable").index
    eligible = order[~excluded[order].to_numpy()]
    mask = pd.Series(False, index=data.items.index)
    detail = pd.Series("", index=data.items.index, dtype="string")
    candidates = []
    if "email" in keys and data.email is not None:
        email = data.email.fillna("").str.strip().str.casefold()
        candidates.append(("same email as row", email.where(email != "")))
    if "answers" in keys:
        answered = data.items.notna().any(axis=1)
        signature = pd.util.hash_pandas_object(data.keys, index=False)
        candidates.append(("same answers as row", signature.where(answered)))
    for label, key in candidates:
        key = key[eligible].dropna()
        first_row = pd.Series(key.index, index=key.index).groupby(key.to_numpy()).transform("first")
        repeat = first_row != key.index
        new = repeat & ~mask[key.index]
        mask[key.index[new]] = True
        detail[key.index[new]] = label + " " + first_row[new].astype(str)
    return mask, detail


def speeders(duration: pd.Series | None, rule) -> tuple[pd.Series, pd.Series]:
    """Rows completed faster than ``min_seconds`` or than a fraction of the median time."""
    if duration is None:
        empty = pd.Series(dtype=bool)
        return empty, pd.Series(dtype="string")
    limits = []
    if rule.min_seconds is not None:
        limits.append(rule.min_seconds)
    if rule.min_fraction_of_median is not None:
        limits.append(rule.min_fraction_of_median * float(duration.median()))
    limit = max(limits) if limits else 0.0
    mask = (duration < limit).fillna(False).astype(bool)
    detail = (
        "completed in "
        + duration.round(0).astype("Int64").astype(str)
        + f" s (minimum {limit:.0f} s)"
    )
    return mask, detail


def straightlining(items: pd.DataFrame, rule) -> tuple[pd.Series, pd.Series]:
    """Rows whose longest run of identical answers covers the given share of their answers.

    Uses ``ier.longstring_scores`` on the answers as ticked (before reverse keying).
    """
    answered = items.notna().sum(axis=1)
    run = pd.Series(
        ier.longstring_scores(items.to_numpy(dtype=float, na_value=np.nan)), index=items.index
    )
    mask = (answered >= rule.min_items) & (run >= rule.max_longstring_fraction * answered)
    detail = (
        "same answer on "
        + run.astype(int).astype(str)
        + " of "
        + answered.astype(str)
        + " items in a row"
    )
    return mask, detail


def mahalanobis(items: pd.DataFrame, p_threshold: float) -> tuple[pd.Series, pd.Series]:
    """Multivariate outliers: Mahalanobis D^2 with chi-square p below ``p_threshold``.

    Uses ``ier.mahad`` on complete cases; rows with a missing item are not tested.
    """
    complete = items.dropna()
    mask = pd.Series(False, index=items.index)
    detail = pd.Series("", index=items.index, dtype="string")
    if len(complete) <= items.shape[1] + 1:
        return mask, detail
    distance = ier.mahad(complete.to_numpy(dtype=float))  # D, not D^2
    d2 = pd.Series(distance**2, index=complete.index)
    p = pd.Series(stats.chi2.sf(d2, df=items.shape[1]), index=complete.index)
    mask[complete.index] = (p < p_threshold).to_numpy()
    detail[complete.index] = (
        "Mahalanobis D2 = " + d2.round(1).astype(str) + ", p = " + p.map("{:.2g}".format)
    )
    return mask, detail

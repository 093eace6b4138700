"""A scorecard of the PermenPAN-RB 83/2012 principles from engagement, responsiveness and activity.

Regulation 83/2012 of the Minister for Administrative and Bureaucratic Reform (Pedoman
Pemanfaatan Media Sosial Instansi Pemerintah) asks government social media to be *credible*
(kredibel: accurate, balanced information), to show *integrity* (integritas: honest, ethical
conduct), to be *reliable* (handal: competent, dependable), *responsive* (responsif: answer
input quickly and appropriately), *integrated* (terintegrasi: aligned with the agency's other
online and offline channels) and *representative* (keterwakilan: messages speak for the
institution, not for individuals).

:func:`scorecard` turns agency-level metrics into a 0-100 score per principle. ``mapping``
says which metrics stand for which principle, in which direction and with which weight, and
is meant to be edited in the study config and printed in the report. :data:`DEFAULT_MAPPING`
operationalises three principles from the metrics this package computes:

``responsive``
    ``answered_share`` (higher) and ``median_hours_to_reply`` (lower), from
    :func:`analysis.stats.responsiveness.responsiveness`: the regulation's "quickly and
    appropriately", as far as counting replies can tell.
``integrated``
    ``cross_posted_share`` and ``platforms_active`` (higher), from
    :func:`analysis.stats.activity.cross_platform`: the same topic carried on the agency's
    platforms, and the platforms it keeps.
``reliable``
    ``weeks_active_share`` (higher), from :func:`~analysis.stats.activity.cross_platform`:
    a dependable account posts week after week. This is a proxy; the regulation's competence
    is not visible in counts.

:data:`NOT_OPERATIONALISED` says why credible, integrity and representative are not scored
from engagement data alone and what a study would add to score them (content coding or an
audit); a study that has such a metric adds it to the mapping under that principle. Popularity
(Bonsón P/C/V/E, reach rates) belongs to none of the six principles, so the default mapping
leaves it out.

Scoring
    Each metric is scored 0-100 across the agencies that have it: by **percentile rank**,
    ``(rank - 1) / (n - 1) x 100`` with average ranks for ties (the share of the *other*
    agencies this one does better than, a tie counting half; the best gets 100, the worst 0;
    NA when only one agency has the metric), reversed for ``direction: lower``; or, for a
    metric given in ``reference``, **against fixed thresholds**, linear between the value that
    scores 0 and the value that scores 100 and clipped to 0-100 (e.g. Meta's "very
    responsive" badge asks for a 90 % reply rate). A principle's score is the weighted mean of
    its metrics' scores, the weights renormalised over the metrics the agency has. Percentile
    ranks compare the agencies in the study with one another: they say who does better, not
    whether anyone does well; use ``reference`` for that.

Per-follower indices favour small accounts
    Bonsón's P3, C3 and V3 (and E) divide by followers: a fixed number of interactions is a
    larger share of a small audience, and interactions grow less than in proportion to
    followers, so small accounts score higher per 1,000 followers. Before agencies are
    compared (or scored) on such an index, report :func:`size_bias`, the Spearman correlation
    of each metric with the follower count across agencies; a clearly negative one says the
    index ranks agencies largely by (small) size.

The ranks and the weighting are written here because they are a few lines on pandas ranks;
the correlation comes from :func:`scipy.stats.spearmanr`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as distributions

from analysis.errors import ConfigError, InputError, did_you_mean
from analysis.tables import conform

PRINCIPLES = ("credible", "integrity", "reliable", "responsive", "integrated", "representative")
DIRECTIONS = ("higher", "lower")

#: Principle -> the metrics that stand for it (see the module docstring).
DEFAULT_MAPPING: dict[str, list[dict]] = {
    "responsive": [
        {"metric": "answered_share", "direction": "higher", "weight": 1.0},
        {"metric": "median_hours_to_reply", "direction": "lower", "weight": 1.0},
    ],
    "integrated": [
        {"metric": "cross_posted_share", "direction": "higher", "weight": 1.0},
        {"metric": "platforms_active", "direction": "higher", "weight": 1.0},
    ],
    "reliable": [
        {"metric": "weeks_active_share", "direction": "higher", "weight": 1.0},
    ],
}
#: Principles the default mapping leaves out, and why.
NOT_OPERATIONALISED = {
    "credible": (
        "accurate and balanced information is a property of the content, not of counts; it "
        "needs a coded sample of posts checked for accuracy and balance"
    ),
    "integrity": (
        "honest, ethical conduct is not visible in engagement counts; posts about the "
        "integrity-zone programme (the codebook's integrity category) show the topic, not "
        "the conduct, and would need an audit or coding of conduct"
    ),
    "representative": (
        "whether messages speak for the institution rather than for individuals needs content "
        "coding (e.g. the share of posts on institutional programmes and services versus "
        "personal or leader-centred posts)"
    ),
}

#: Column contract of :func:`scorecard`.
SCORECARD_TABLE = {
    "agency_id": "string",
    "principle": "string",
    "score": "Float64",
    "n_metrics": "Int64",
    "metrics_used": "string",
}
#: Column contract of :func:`metric_scores`.
METRIC_SCORES_TABLE = {
    "agency_id": "string",
    "principle": "string",
    "metric": "string",
    "value": "Float64",
    "direction": "string",
    "weight": "Float64",
    "score": "Float64",
    "method": "string",
}
#: Column contract of :func:`size_bias`.
SIZE_BIAS_TABLE = {
    "metric": "string",
    "n_agencies": "Int64",
    "rho": "Float64",
    "p_value": "Float64",
    "favours": "string",
}


def scorecard(
    metrics: pd.DataFrame,
    mapping: Mapping[str, Sequence[Mapping]] | None = None,
    *,
    reference: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """Score each agency 0-100 on each principle of the mapping.

    Parameters
    ----------
    metrics : pandas.DataFrame
        Long table with columns ``agency_id``, ``metric``, ``value``: one row per agency and
        metric, combining the agency-level rows of the engagement, responsiveness and activity
        tables (e.g. their ``platform == "all"`` rows). Other columns are ignored; metrics not
        in the mapping are ignored.
    mapping : mapping, optional
        Principle -> list of ``{"metric": str, "direction": "higher" | "lower", "weight":
        float > 0 (default 1)}``. Default :data:`DEFAULT_MAPPING`.
    reference : mapping, optional
        Metric -> ``(value scoring 0, value scoring 100)``; those metrics are scored against
        the thresholds instead of by percentile rank. For ``direction: lower`` the value
        scoring 0 is the larger one.

    Returns
    -------
    pandas.DataFrame
        One row per agency and principle (agencies sorted, principles in mapping order), with
        columns (:data:`SCORECARD_TABLE`):

        agency_id : string
        principle : string
        score : Float64
            Weighted mean of the metric scores, 0-100; NA when the agency has none of the
            principle's metrics (or only percentile ranks among a single agency).
        n_metrics : Int64
            Metrics the score rests on.
        metrics_used : string
            Their names, comma-separated, in mapping order.

    Raises
    ------
    InputError
        For a missing column (named), an empty table, a value that is not a number, or an
        agency with two rows for one mapped metric; :class:`~analysis.errors.ConfigError` for
        a malformed mapping or reference. A mapped metric absent from the table is a warning
        naming the metrics the table has.

    Notes
    -----
    Per-1,000-follower indices (Bonsón P3, C3, V3 and E) favour small accounts: a fixed
    number of interactions is a larger share of a small audience. Before such an index is
    added to a mapping (or agencies are compared on it), report :func:`size_bias`.
    """
    scored = metric_scores(metrics, mapping, reference=reference)
    rules = _check_mapping(DEFAULT_MAPPING if mapping is None else mapping)
    agencies = sorted(metrics["agency_id"].astype("string").dropna().unique())
    rows = []
    for agency in agencies:
        mine = scored[(scored["agency_id"] == agency) & scored["score"].notna()]
        for principle in rules:
            used = mine[mine["principle"] == principle]
            weights = used["weight"].astype("float64")
            score = (
                float((used["score"].astype("float64") * weights).sum() / weights.sum())
                if len(used)
                else float("nan")
            )
            rows.append(
                {
                    "agency_id": agency,
                    "principle": principle,
                    "score": score,
                    "n_metrics": len(used),
                    "metrics_used": ", ".join(used["metric"]),
                }
            )
    return conform(pd.DataFrame(rows, columns=list(SCORECARD_TABLE)), SCORECARD_TABLE)


def metric_scores(
    metrics: pd.DataFrame,
    mapping: Mapping[str, Sequence[Mapping]] | None = None,
    *,
    reference: Mapping[str, Sequence[float]] | None = None,
) -> pd.DataFrame:
    """The 0-100 score of each mapped metric of each agency (the rows behind :func:`scorecard`).

    Parameters
    ----------
    metrics, mapping, reference
        As for :func:`scorecard`.

    Returns
    -------
    pandas.DataFrame
        One row per agency, principle and mapped metric the agency has a value for, with
        columns (:data:`METRIC_SCORES_TABLE`):

        agency_id, principle, metric : string
        value : Float64
            The metric's value.
        direction : string
            ``higher`` or ``lower`` (is better).
        weight : Float64
        score : Float64
            0-100 (see the module docstring); NA for a percentile rank among one agency.
        method : string
            ``percentile_rank`` or ``reference``.
    """
    rules = _check_mapping(DEFAULT_MAPPING if mapping is None else mapping)
    thresholds = _check_reference(reference or {}, rules)
    table = _check_metrics(metrics, rules)
    rows = []
    for principle, entries in rules.items():
        for entry in entries:
            name, direction = entry["metric"], entry["direction"]
            values = table[table["metric"] == name].set_index("agency_id")["value"].dropna()
            if name in thresholds:
                scores, method = _threshold_scores(values, *thresholds[name]), "reference"
            else:
                scores, method = _percentile_ranks(values, direction), "percentile_rank"
            rows += [
                {
                    "agency_id": agency,
                    "principle": principle,
                    "metric": name,
                    "value": values[agency],
                    "direction": direction,
                    "weight": entry["weight"],
                    "score": scores[agency],
                    "method": method,
                }
                for agency in values.index
            ]
    out = pd.DataFrame(rows, columns=list(METRIC_SCORES_TABLE))
    out = out.sort_values(["agency_id"], kind="stable").reset_index(drop=True)
    return conform(out, METRIC_SCORES_TABLE)


def size_bias(metrics: pd.DataFrame, followers, *, alpha: float = 0.05) -> pd.DataFrame:
    """Spearman correlation of each metric with the follower count across agencies.

    Say it before comparing agencies on a per-follower index: a significantly negative rho
    means the index favours small accounts (see the module docstring).

    Parameters
    ----------
    metrics : pandas.DataFrame
        Long table ``agency_id``, ``metric``, ``value`` (one row per agency and metric).
    followers : mapping or pandas.Series or pandas.DataFrame
        Follower count per agency: ``{agency_id: count}``, a Series indexed by agency, or a
        DataFrame with columns ``agency_id`` and ``followers``.
    alpha : float
        Significance level of the ``favours`` verdict.

    Returns
    -------
    pandas.DataFrame
        One row per metric (sorted), with columns (:data:`SIZE_BIAS_TABLE`):

        metric : string
        n_agencies : Int64
            Agencies with both the metric and a follower count.
        rho : Float64
            Spearman's rank correlation (:func:`scipy.stats.spearmanr`); NA below 3
            agencies or when either does not vary.
        p_value : Float64
            Two-sided, from scipy (t approximation).
        favours : string
            ``small accounts`` (rho < 0 and p < alpha), ``large accounts`` (rho > 0 and
            p < alpha), or ``no evidence``.
    """
    table = _check_metrics(metrics, None)
    sizes = _followers_series(followers)
    rows = []
    for name, group in table.groupby("metric", sort=True):
        paired = group.set_index("agency_id")["value"].to_frame("value")
        paired["followers"] = sizes.reindex(paired.index)
        paired = paired.dropna().astype("float64")
        rho = p_value = float("nan")
        if len(paired) >= 3 and paired["value"].nunique() > 1 and paired["followers"].nunique() > 1:
            result = distributions.spearmanr(paired["value"], paired["followers"])
            rho, p_value = float(result.statistic), float(result.pvalue)
        favours = "no evidence"
        if p_value < alpha:
            favours = "small accounts" if rho < 0 else "large accounts"
        rows.append(
            {
                "metric": name,
                "n_agencies": len(paired),
                "rho": rho,
                "p_value": p_value,
                "favours": favours,
            }
        )
    return conform(pd.DataFrame(rows, columns=list(SIZE_BIAS_TABLE)), SIZE_BIAS_TABLE)


def _check_mapping(mapping: Mapping[str, Sequence[Mapping]]) -> dict[str, list[dict]]:
    """The mapping with defaults filled in, or ConfigError naming the entry at fault."""
    if not isinstance(mapping, Mapping) or not mapping:
        raise ConfigError("the scorecard mapping must map principles to lists of metrics")
    rules: dict[str, list[dict]] = {}
    for principle, entries in mapping.items():
        where = f"scorecard.{principle}"
        if isinstance(entries, str | Mapping) or not isinstance(entries, Sequence) or not entries:
            raise ConfigError(
                "expected a list of {metric, direction, weight} entries", column=where
            )
        rules[str(principle)] = []
        for i, entry in enumerate(entries):
            key = f"{where}[{i}]"
            if not isinstance(entry, Mapping) or not isinstance(entry.get("metric"), str):
                raise ConfigError("each entry needs a metric name", column=key)
            unknown = set(entry) - {"metric", "direction", "weight"}
            if unknown:
                raise ConfigError(
                    f"unknown keys {sorted(unknown)}; use metric, direction, weight", column=key
                )
            direction = entry.get("direction", "higher")
            if direction not in DIRECTIONS:
                raise ConfigError(
                    f'direction must be "higher" or "lower" (found {direction!r})',
                    column=f"{key}.direction",
                )
            weight = entry.get("weight", 1.0)
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise ConfigError(
                    f"weight must be a number > 0 (found {weight!r})", column=f"{key}.weight"
                )
            rules[str(principle)].append(
                {"metric": entry["metric"], "direction": direction, "weight": float(weight)}
            )
    return rules


def _check_reference(
    reference: Mapping[str, Sequence[float]], rules: dict[str, list[dict]]
) -> dict[str, tuple[float, float]]:
    """Thresholds per metric, consistent with the mapping's direction, or ConfigError."""
    directions = {e["metric"]: e["direction"] for entries in rules.values() for e in entries}
    thresholds = {}
    for metric, ends in reference.items():
        where = f"reference.{metric}"
        if metric not in directions:
            raise ConfigError("the metric is not in the scorecard mapping", column=where)
        try:
            zero, hundred = (float(v) for v in ends)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                "expected [value scoring 0, value scoring 100]", column=where
            ) from error
        if zero == hundred or (zero < hundred) != (directions[metric] == "higher"):
            raise ConfigError(
                f"[{zero:g}, {hundred:g}] does not fit direction {directions[metric]!r}: the "
                "value scoring 100 must be the better one",
                column=where,
            )
        thresholds[metric] = (zero, hundred)
    return thresholds


def _check_metrics(metrics: pd.DataFrame, rules: dict[str, list[dict]] | None) -> pd.DataFrame:
    """agency_id, metric, value as strings and floats; one row per agency and mapped metric."""
    if not isinstance(metrics, pd.DataFrame):
        raise InputError(f"metrics must be a pandas DataFrame, not {type(metrics).__name__}")
    for column in ("agency_id", "metric", "value"):
        if column not in metrics.columns:
            hint = did_you_mean(column, metrics.columns)
            raise InputError("the metrics table lacks a required column", column=column, hint=hint)
    if metrics.empty:
        raise InputError("the metrics table has no rows: there is nothing to score")
    value = metrics["value"]
    if not pd.api.types.is_numeric_dtype(value) or pd.api.types.is_bool_dtype(value):
        raise InputError(f"expected numbers, found {value.dtype}", column="value")
    table = pd.DataFrame(
        {
            "agency_id": metrics["agency_id"].astype("string"),
            "metric": metrics["metric"].astype("string"),
            "value": value.astype("float64"),
        }
    )
    if rules is not None:
        mapped = [e["metric"] for entries in rules.values() for e in entries]
        present = set(table["metric"].dropna())
        absent = [m for m in dict.fromkeys(mapped) if m not in present]
        if absent:
            warnings.warn(
                f"scorecard: {', '.join(map(repr, absent))} not in the metrics table (which "
                f"has {', '.join(sorted(present)[:12])}); their principles are scored without "
                "them",
                UserWarning,
                stacklevel=3,
            )
        table = table[table["metric"].isin(mapped)]
    repeated = table.duplicated(["agency_id", "metric"], keep=False)
    if repeated.any():
        first = table[repeated].iloc[0]
        raise InputError(
            f"agency {first['agency_id']!r} has {int(repeated.sum())} rows for metric "
            f"{first['metric']!r}; give one row per agency and metric (e.g. keep the "
            "platform == 'all' rows, or compute the metric over all platforms)",
            column="metric",
        )
    return table


def _percentile_ranks(values: pd.Series, direction: str) -> pd.Series:
    """(rank - 1) / (n - 1) x 100 with average ranks; reversed for ``lower``; NA for n = 1."""
    if len(values) < 2:
        return pd.Series(np.nan, index=values.index)
    ranks = values.rank(method="average", ascending=direction == "higher")
    return (ranks - 1) / (len(values) - 1) * 100


def _threshold_scores(values: pd.Series, zero: float, hundred: float) -> pd.Series:
    """Linear between the value scoring 0 and the value scoring 100, clipped to 0-100."""
    return ((values - zero) / (hundred - zero) * 100).clip(0, 100)


def _followers_series(followers) -> pd.Series:
    """Follower counts indexed by agency id (string), as floats."""
    if isinstance(followers, pd.DataFrame):
        for column in ("agency_id", "followers"):
            if column not in followers.columns:
                raise InputError("the followers table lacks a required column", column=column)
        sizes = followers.set_index(followers["agency_id"].astype("string"))["followers"]
    elif isinstance(followers, pd.Series):
        sizes = followers.copy()
        sizes.index = sizes.index.astype("string")
    elif isinstance(followers, Mapping):
        sizes = pd.Series(dict(followers))
        sizes.index = sizes.index.astype("string")
    else:
        raise InputError(
            "followers must be a mapping agency_id -> count, a Series or a DataFrame with "
            f"agency_id and followers, not {type(followers).__name__}"
        )
    if sizes.empty:
        raise InputError("no follower counts were given")
    numbers = pd.to_numeric(sizes, errors="coerce")
    if numbers.notna().sum() < len(sizes.dropna()):
        raise InputError("follower counts must be numbers", column="followers")
    return numbers.astype("float64")

"""The report's analyses: the study config applied to :mod:`analysis.stats`.

Each function takes the study and one agency's tables and returns the tidy table a report
section shows and records, with ``attrs["keys"]`` (the columns that identify a row) and
``attrs["estimate"]`` (its main value) for :class:`~analysis.reporting.results.ResultLog`.
Statistics are computed in :mod:`analysis.stats` only; this module chooses which columns and
options the study asks for (significance level, survey weights, hypotheses).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from analysis import stats
from analysis.config import Hypothesis, Study

#: Columns of :func:`hypotheses` verdict rows, in order.
VERDICT_COLUMNS = (
    "hypothesis",
    "term",
    "outcome",
    "estimate",
    "std_estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "statistic_name",
    "df_num",
    "df",
    "p_value",
    "p_adjusted",
    "effect_size",
    "effect_size_name",
    "r2",
    "adj_r2",
    "n",
    "expected",
    "decision",
    "label",
)
#: Fewest residual degrees of freedom a model needs to give a verdict.
MIN_RESIDUAL_DF = 10


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
        (Feldt, ``1 - alpha`` of the study), ``std_alpha``, ``min_item_total_r`` (smallest
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
        rows.append(
            row
            | {
                "n": int(alpha["n"]),
                "alpha": alpha["alpha"],
                "ci_low": alpha["ci_low"],
                "ci_high": alpha["ci_high"],
                "std_alpha": alpha["std_alpha"],
                "min_item_total_r": per_item["item_total_r"].min(),
                "reliable": bool(alpha["alpha"] > 0.60),
            }
        )
    columns = ["construct", "k", "n", "alpha", "ci_low", "ci_high", "std_alpha"]
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


def hypotheses(scores: pd.DataFrame, study: Study) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test every confirmatory hypothesis of the study.

    Each hypothesis is one regression (:func:`analysis.stats.regression`, HC3 standard errors,
    WLS when the survey has weights) and one verdict: the test of its focal predictor(s), a t
    test for one coefficient, else the joint Wald F test (a category with several levels, or
    several focal predictors). It is ``supported`` when the two-sided p is below the study's
    alpha and every focal coefficient has the expected sign (no sign check for
    ``two_sided``). ``p_adjusted`` is Holm's adjustment across the study's hypotheses, shown
    beside the verdict, which rests on the unadjusted p as pre-registered.

    Returns
    -------
    verdicts : pandas.DataFrame
        One row per hypothesis with :data:`VERDICT_COLUMNS`: ``term`` (the focal variables,
        joined by ``+``), ``estimate``, ``std_estimate``, ``se``, ``ci_low``, ``ci_high``
        (NaN for an F test), ``statistic`` (t or F, named in ``statistic_name``), ``df_num``
        (1 for t), ``df``, ``p_value``, ``p_adjusted``, ``effect_size`` (Cohen's f2 of the
        focal terms), ``effect_size_name``, ``r2``, ``adj_r2``, ``n``, ``expected``,
        ``decision`` (``supported`` / ``not_supported`` / ``not_tested``), ``label`` (why a
        hypothesis was not tested: see :func:`untestable`; None otherwise). A hypothesis that
        cannot be tested has NaN statistics and no model rows.
    terms : pandas.DataFrame
        Every coefficient of every model: ``hypothesis`` then the columns of
        :meth:`analysis.stats.RegressionResult.tidy`.
    """
    verdicts, terms = [], []
    for hypothesis in study.hypotheses:
        reason = untestable(scores, hypothesis)
        if reason:
            verdicts.append(_not_tested(scores, hypothesis, reason))
            continue
        result = stats.regression(
            scores,
            hypothesis.outcome,
            hypothesis.predictors,
            covariates=hypothesis.controls,
            robust="HC3",
            weights=study.weight_column,
            alpha=study.study.alpha,
        )
        coefficients = result.tidy()
        terms.append(coefficients.assign(hypothesis=hypothesis.id))
        verdicts.append(_verdict(hypothesis, result, coefficients, study.study.alpha))
    verdict_table = pd.DataFrame(verdicts, columns=list(VERDICT_COLUMNS))
    tested = verdict_table["p_value"].notna()
    if tested.any():
        adjusted = multipletests(verdict_table.loc[tested, "p_value"], method="holm")[1]
        verdict_table.loc[tested, "p_adjusted"] = adjusted
    term_table = (
        pd.concat(terms, ignore_index=True)
        if terms
        else pd.DataFrame(columns=["hypothesis", *stats.linear_models.TIDY_COLUMNS])
    )
    term_table = term_table[["hypothesis", *stats.linear_models.TIDY_COLUMNS]]
    return (
        tidy(verdict_table, ("hypothesis",), "estimate"),
        tidy(term_table, ("hypothesis", "term"), "estimate"),
    )


def untestable(scores: pd.DataFrame, hypothesis: Hypothesis) -> str | None:
    """Why a hypothesis' model cannot give a verdict on ``scores``, or None when it can.

    Returns
    -------
    str or None
        ``single_level`` when a category has one level in the complete rows,
        ``too_few_rows`` when fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom
        would remain.
    """
    variables = [*hypothesis.predictors, *hypothesis.controls]
    frame = scores[[hypothesis.outcome, *variables]].dropna()
    coefficients = 1
    for variable in variables:
        values = frame[variable]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            coefficients += 1
        elif values.nunique() < 2:
            return "single_level"
        else:
            coefficients += values.nunique() - 1
    return "too_few_rows" if len(frame) - coefficients < MIN_RESIDUAL_DF else None


def _not_tested(scores: pd.DataFrame, hypothesis: Hypothesis, reason: str) -> dict:
    used = [hypothesis.outcome, *hypothesis.predictors, *hypothesis.controls]
    return dict.fromkeys(VERDICT_COLUMNS, np.nan) | {
        "hypothesis": hypothesis.id,
        "term": "+".join(hypothesis.predictors),
        "outcome": hypothesis.outcome,
        "statistic_name": None,
        "effect_size_name": None,
        "n": int(len(scores[used].dropna())),
        "expected": hypothesis.expected,
        "decision": "not_tested",
        "label": reason,
    }


def _verdict(
    hypothesis: Hypothesis, result: stats.RegressionResult, terms: pd.DataFrame, alpha: float
) -> dict:
    focal = terms[terms["focal"]]
    test = result.focal_test()
    summary = result.model_summary().iloc[0]
    signs = {"positive": focal["estimate"] > 0, "negative": focal["estimate"] < 0}
    sign_ok = bool(signs[hypothesis.expected].all()) if hypothesis.expected in signs else True
    one = focal.iloc[0] if len(focal) == 1 else None
    row = {
        "hypothesis": hypothesis.id,
        "term": "+".join(hypothesis.predictors),
        "outcome": hypothesis.outcome,
        "estimate": one["estimate"] if one is not None else np.nan,
        "std_estimate": one["std_estimate"] if one is not None else np.nan,
        "se": one["se"] if one is not None else np.nan,
        "ci_low": one["ci_low"] if one is not None else np.nan,
        "ci_high": one["ci_high"] if one is not None else np.nan,
        "statistic": one["statistic"] if one is not None else test["statistic"],
        "statistic_name": "t" if one is not None else "F",
        "df_num": test["df_num"],
        "df": test["df"],
        "p_value": test["p_value"],
        "p_adjusted": np.nan,
        "effect_size": test["effect_size"],
        "effect_size_name": "f2",
        "r2": summary["r2"],
        "adj_r2": summary["adj_r2"],
        "n": int(summary["n"]),
        "expected": hypothesis.expected,
    }
    row["decision"] = "supported" if test["p_value"] < alpha and sign_ok else "not_supported"
    row["label"] = None
    return row


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

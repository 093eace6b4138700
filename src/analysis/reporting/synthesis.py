"""The study-level synthesis: each hypothesis across agencies, and agencies compared.

The per-agency reports record their verdicts in ``results.json``; this module reads those
records (so the study report shows the same numbers the agency reports show) and adds what only
the whole study can give:

- a random-effects meta-analysis of each hypothesis' estimate across agencies (REML and
  DerSimonian-Laird, tau², I², prediction interval: :func:`analysis.stats.meta_analysis`) and
  its p values adjusted across agencies (Holm and Benjamini-Hochberg);
- a pooled model on all respondents with agency as a random intercept (mixed model) and, as a
  check, as fixed effects;
- one row per agency (n, the main outcome's mean with CI, engagement index, reply rate, verdicts)
  and the agency-level triangulation: engagement and responsiveness correlated with the
  outcome's mean across agencies. That correlation is between agencies, not people: it says
  nothing about whether the citizens who see more engagement trust more (the ecological
  fallacy, Robinson 1950), and its n is the number of agencies.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import stats
from analysis.config import Study
from analysis.reporting.sections import tidy
from analysis.stats.activity import ALL_PLATFORMS

#: Columns of :func:`agency_estimates`.
ESTIMATE_COLUMNS = (
    "hypothesis",
    "agency",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm_agencies",
    "p_fdr_agencies",
    "n",
    "decision",
)
#: Families whose verdict estimate can be pooled (one coefficient on an additive scale).
POOLABLE = (
    "ols",
    "logit",
    "mixed",
    "correlation",
    "mediation",
    "moderation",
    "sem",
    "count",
    "its",
)
#: Meta-analysis methods the study report shows.
META_METHODS = ("REML", "DL")


def read_agency_results(reports_dir: Path, agencies: list[str]) -> pd.DataFrame:
    """Every agency's ``results.json`` records in one table (agencies without one are absent)."""
    frames = []
    for agency in agencies:
        path = Path(reports_dir) / agency / "results.json"
        if path.is_file():
            frames.append(pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def agency_estimates(results: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Each agency's verdict estimate per hypothesis, with p adjusted across agencies.

    Returns
    -------
    pandas.DataFrame
        :data:`ESTIMATE_COLUMNS`: one row per hypothesis and agency with a recorded verdict;
        ``p_holm_agencies`` and ``p_fdr_agencies`` adjust each hypothesis' p values across
        the agencies that tested it (Holm; Benjamini-Hochberg).
    """
    if results.empty:
        return pd.DataFrame(columns=list(ESTIMATE_COLUMNS))
    main = results[(results["analysis"] == "hypothesis") & (results["measure"] == "estimate")]
    table = main[
        ["hypothesis", "agency", "estimate", "se", "ci_low", "ci_high", "p_value", "n", "decision"]
    ].copy()
    for column in ("estimate", "se", "ci_low", "ci_high", "p_value", "n"):
        table[column] = pd.to_numeric(table[column], errors="coerce")
    table["p_holm_agencies"] = np.nan
    table["p_fdr_agencies"] = np.nan
    for _, rows in table.groupby("hypothesis"):
        tested = rows.index[rows["p_value"].notna()]
        if len(tested):
            p = table.loc[tested, "p_value"].to_numpy()
            table.loc[tested, "p_holm_agencies"] = stats.adjust_pvalues(p, method="holm")
            table.loc[tested, "p_fdr_agencies"] = stats.adjust_pvalues(p, method="fdr_bh")
    order = {h.id: i for i, h in enumerate(study.hypotheses)}
    table = table.assign(_order=table["hypothesis"].map(order))
    table = table.sort_values(["_order", "agency"]).reset_index(drop=True)
    table = table[list(ESTIMATE_COLUMNS)]
    return tidy(table, ("hypothesis", "agency"), "estimate")


def pooled_estimates(estimates: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Random-effects meta-analysis of each poolable hypothesis across agencies.

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis and method (REML, DL): ``hypothesis``, ``method`` then the
        columns of :attr:`analysis.stats.MetaAnalysis.pooled` (``k, estimate, se, ci_low,
        ci_high, z, p_value, tau2, tau, i2, h2, q, q_df, q_p, pi_low, pi_high``). Hypotheses
        with fewer than two agencies with an estimate and SE are left out.
    """
    level = 1 - study.study.alpha
    rows = []
    for hypothesis in study.hypotheses:
        if hypothesis.family not in POOLABLE:
            continue
        one = estimates[(estimates["hypothesis"] == hypothesis.id)].dropna(
            subset=["estimate", "se"]
        )
        one = one[one["se"] > 0]
        if len(one) < 2:
            continue
        for method in META_METHODS:
            result = stats.meta_analysis(
                one["estimate"].to_numpy(float),
                one["se"].to_numpy(float),
                method=method,
                labels=one["agency"].tolist(),
                ci=level,
            )
            rows.append(
                result.pooled.drop(columns="method").assign(hypothesis=hypothesis.id, method=method)
            )
    if not rows:
        return tidy(
            pd.DataFrame(columns=["hypothesis", "method"]), ("hypothesis", "method"), "estimate"
        )
    table = pd.concat(rows, ignore_index=True)
    columns = [
        "hypothesis",
        "method",
        *[c for c in table.columns if c not in ("hypothesis", "method")],
    ]
    return tidy(table[columns], ("hypothesis", "method"), "estimate")


def pooled_models(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Each OLS hypothesis on all respondents, agency as random intercept and as fixed effect.

    Returns
    -------
    pandas.DataFrame
        Two rows per OLS hypothesis: ``hypothesis``, ``model`` (``random_intercept``: a mixed
        model, REML, z test; ``fixed_effects``: OLS with agency dummies and cluster-robust SEs
        by agency), ``term``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``statistic``,
        ``p_value``, ``n``, ``groups`` (agencies).
    """
    rows = []
    alpha = study.study.alpha
    for hypothesis in [h for h in study.hypotheses if h.family == "ols"]:
        used = [hypothesis.outcome, *hypothesis.predictors, *hypothesis.controls, "agency_id"]
        frame = scores[used].dropna()
        if frame["agency_id"].nunique() < 2 or len(hypothesis.predictors) != 1:
            continue
        x = hypothesis.predictors[0]
        fits = {
            "random_intercept": stats.regression(
                frame,
                hypothesis.outcome,
                hypothesis.predictors,
                covariates=hypothesis.controls,
                family="mixed",
                robust=None,
                cluster="agency_id",
                alpha=alpha,
            ),
            "fixed_effects": stats.regression(
                frame,
                hypothesis.outcome,
                hypothesis.predictors,
                covariates=[*hypothesis.controls, "agency_id"],
                robust="cluster",
                cluster="agency_id",
                alpha=alpha,
            ),
        }
        for model, result in fits.items():
            term = result.tidy().set_index("term").loc[x]
            rows.append(
                {
                    "hypothesis": hypothesis.id,
                    "model": model,
                    "term": x,
                    "estimate": term["estimate"],
                    "se": term["se"],
                    "ci_low": term["ci_low"],
                    "ci_high": term["ci_high"],
                    "statistic": term["statistic"],
                    "p_value": term["p_value"],
                    "n": len(frame),
                    "groups": int(frame["agency_id"].nunique()),
                }
            )
    columns = [
        "hypothesis",
        "model",
        "term",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "n",
        "groups",
    ]
    return tidy(pd.DataFrame(rows, columns=columns), ("hypothesis", "model"), "estimate")


def main_outcome(study: Study) -> str | None:
    """The construct most hypotheses explain (the study's main outcome, e.g. trust)."""
    outcomes = [
        h.outcome for h in study.hypotheses if h.outcome in {c.id for c in study.constructs}
    ]
    if not outcomes:
        return study.constructs[-1].id if study.constructs else None
    return pd.Series(outcomes).value_counts().index[0]


def agency_table(
    scores: pd.DataFrame,
    metrics: pd.DataFrame,
    estimates: pd.DataFrame,
    study: Study,
) -> pd.DataFrame:
    """One row per agency: sample size, the main outcome, engagement, replies and verdicts.

    Parameters
    ----------
    scores : pandas.DataFrame
        Every respondent's construct scores, with ``agency_id``.
    metrics : pandas.DataFrame
        The study's agency metric table, computed once when the study is cleaned
        (:func:`analysis.reporting.scorecard.read_agency_metrics`).
    estimates : pandas.DataFrame
        :func:`agency_estimates`.
    study : Study

    Returns
    -------
    pandas.DataFrame
        ``agency``, ``n`` (analysed respondents), ``outcome_mean``, ``ci_low``, ``ci_high``
        (the main outcome's mean and t interval; see :func:`main_outcome`),
        ``engagement_index`` (Bonsón E averaged over the agency's platforms with an E),
        ``reply_rate`` (% of citizens' questions and complaints answered by the agency, all
        platforms), ``supported`` (hypotheses supported / tested, e.g. ``3/5``).
    """
    outcome = main_outcome(study)
    level = 1 - study.study.alpha
    names = ("engagement_index", "answered_share")
    overall = agency_level(metrics, names, [a.id for a in study.agencies])
    rows = []
    for agency in study.agencies:
        mine = scores[scores["agency_id"] == agency.id]
        row = {"agency": agency.id, "n": len(mine)}
        if outcome and mine[outcome].notna().sum() > 1:
            described = stats.describe(mine, [outcome], ci=level).iloc[0]
            row |= {k: described[k] for k in ("mean", "ci_low", "ci_high")}
        row["engagement_index"] = overall.at[agency.id, "engagement_index"]
        row["reply_rate"] = overall.at[agency.id, "answered_share"]
        decided = estimates[(estimates["agency"] == agency.id)]
        tested = decided[decided["decision"].isin(["supported", "not_supported"])]
        row["supported"] = f"{(tested['decision'] == 'supported').sum()}/{len(tested)}"
        rows.append(row)
    table = pd.DataFrame(rows).rename(columns={"mean": "outcome_mean"})
    columns = [
        "agency",
        "n",
        "outcome_mean",
        "ci_low",
        "ci_high",
        "engagement_index",
        "reply_rate",
        "supported",
    ]
    return tidy(table.reindex(columns=columns), ("agency",), "outcome_mean")


def agency_variables(scores: pd.DataFrame, metrics: pd.DataFrame, study: Study) -> pd.DataFrame:
    """One row per agency with the variables ``level: agency`` hypotheses may name.

    Parameters
    ----------
    scores : pandas.DataFrame
        Every respondent's construct scores, with ``agency_id``.
    metrics : pandas.DataFrame
        The study's agency metric table (:func:`analysis.reporting.scorecard.agency_metrics`,
        read with :func:`~analysis.reporting.scorecard.read_agency_metrics`).
    study : Study

    Returns
    -------
    pandas.DataFrame
        ``agency``, the mean of every construct over the agency's respondents (column = the
        construct id), ``engagement_index`` (Bonsón E averaged over the agency's platforms),
        ``posts_per_week`` (summed over platforms), ``reply_rate`` (% of citizens' questions and
        complaints answered, all platforms) and ``median_hours_to_reply`` (the median over the
        answered ones, all platforms); NaN where the agency has no posts or no comments.
    """
    ids = [a.id for a in study.agencies]
    constructs = scores[[c.id for c in study.constructs]].astype("float64")
    means = constructs.groupby(scores["agency_id"].to_numpy()).mean().reindex(ids)
    names = ("engagement_index", "posts_per_week", "answered_share", "median_hours_to_reply")
    overall = agency_level(metrics, names, ids).rename(columns={"answered_share": "reply_rate"})
    table = means.join(overall).rename_axis("agency").reset_index()
    return table.astype({column: "float64" for column in table.columns[1:]})


def agency_level(
    metrics: pd.DataFrame, names: tuple[str, ...], agencies: list[str]
) -> pd.DataFrame:
    """The agency-level values (platform ``all``) of the metrics ``names`` of ``agencies``.

    Returns
    -------
    pandas.DataFrame
        Indexed by agency id in the order of ``agencies``, one float column per name (NaN
        where an agency has no value, e.g. no posts or no comments).
    """
    overall = metrics[(metrics["platform"] == ALL_PLATFORMS) & metrics["metric"].isin(names)]
    wide = overall.pivot(index="agency_id", columns="metric", values="value")
    return wide.reindex(index=agencies, columns=list(names)).astype("float64")


def agency_hypotheses(variables: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The ``level: agency`` hypotheses: correlations across agencies (n = agencies).

    A directional hypothesis is supported when the two-sided test is significant at the
    study's alpha and r has the expected sign. With few agencies the test has little power
    (the report shows n), and the correlation is ecological: it describes agencies, not their
    citizens.

    Returns
    -------
    pandas.DataFrame
        One row per agency-level hypothesis: ``hypothesis``, ``x``, ``y``, ``n`` (agencies with
        both values), ``r``, ``ci_low``, ``ci_high``, ``p_value``, ``method``, ``expected``,
        ``decision`` (``supported``, ``not_supported``, or ``not_tested`` with fewer than four
        agencies).
    """
    rows = []
    for hypothesis in [h for h in study.hypotheses if h.level == "agency"]:
        x, y = hypothesis.predictors[0], hypothesis.outcome
        method = hypothesis.method or "spearman"
        row = {
            "hypothesis": hypothesis.id,
            "x": x,
            "y": y,
            "method": method,
            "expected": hypothesis.expected,
        }
        usable = variables[[x, y]].dropna() if {x, y} <= set(variables) else pd.DataFrame()
        if len(usable) < 4:
            rows.append(row | {"n": len(usable), "decision": "not_tested"})
            continue
        result = stats.correlations(
            variables, [x, y], method=method, ci=1 - study.study.alpha
        ).iloc[0]
        sign = {"positive": 1, "negative": -1}.get(hypothesis.expected)
        supported = result["p_value"] < study.study.alpha and (
            sign is None or sign * result["r"] > 0
        )
        rows.append(
            row
            | {k: result[k] for k in ("n", "r", "ci_low", "ci_high", "p_value")}
            | {"decision": "supported" if supported else "not_supported"}
        )
    columns = [
        "hypothesis",
        "x",
        "y",
        "n",
        "r",
        "ci_low",
        "ci_high",
        "p_value",
        "method",
        "expected",
        "decision",
    ]
    return tidy(pd.DataFrame(rows, columns=columns), ("hypothesis",), "r")


def triangulation(agencies: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Agency-level correlations of engagement and replies with the main outcome's mean.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`analysis.stats.correlations` (Spearman, robust to a few large
        accounts) for ``engagement_index`` and ``reply_rate`` against ``outcome_mean``
        across agencies: ``x, y, n`` (agencies), ``r, ci_low, ci_high, statistic, df,
        p_value, p_adjusted, method``. Empty with fewer than four agencies.
    """
    usable = [c for c in ("engagement_index", "reply_rate") if agencies[c].notna().sum() >= 4]
    if not usable or agencies["outcome_mean"].notna().sum() < 4:
        return tidy(pd.DataFrame(columns=["x", "y", "n", "r"]), ("x", "y"), "r")
    rows = [
        stats.correlations(
            agencies, [column, "outcome_mean"], method="spearman", ci=1 - study.study.alpha
        )
        for column in usable
    ]
    return tidy(pd.concat(rows, ignore_index=True), ("x", "y"), "r")

"""Confirmatory hypotheses: each family of the config applied to :mod:`analysis.stats`.

One verdict per hypothesis, whatever its family, in :data:`VERDICT_COLUMNS`, plus the model rows
behind it in the standard tidy columns. The statistics come from :mod:`analysis.stats`; this
module only chooses the options the study asks for and turns a test into a decision:

- regressions (``ols``, ``logit``, ``ordinal``, ``mixed``) and ``moderation``: the focal
  coefficient's t (or z) test, or the joint Wald F test for several focal terms;
- ``correlation``: the r and its test; ``group_comparison``: the omnibus test (Welch t, ANOVA,
  Kruskal-Wallis or chi-square); ``sem``: the z test of the ``outcome ~ predictor`` path;
- ``mediation``: the bootstrap confidence interval of the indirect effect (it has no p value, so
  it is left out of the p-value adjustment).

A directional hypothesis (``expected: positive`` or ``negative``) is supported when the
two-sided test is significant at the study's alpha **and** the estimate has the expected sign
(so the one-sided error rate is alpha / 2: conservative, and the same rule SPSS users apply by
reading the sign of a two-sided test). ``p_adjusted`` is Holm's and ``p_fdr`` the
Benjamini-Hochberg adjustment across the confirmatory hypotheses that have a p value; the
verdict rests on the unadjusted p, as pre-registered. Hypotheses that deviate from the
pre-registration lock are exploratory: they get a verdict but no adjusted p.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis import content, stats
from analysis.config import Hypothesis, Study
from analysis.reporting.sections import tidy

#: Columns of the verdict table, in order.
VERDICT_COLUMNS = (
    "hypothesis",
    "family",
    "test",
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
    "p_fdr",
    "effect_size",
    "effect_size_name",
    "r2",
    "adj_r2",
    "n",
    "expected",
    "confirmatory",
    "decision",
    "label",
)
#: Columns of the model rows behind the verdicts.
TERM_COLUMNS = (
    "hypothesis",
    "term",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "statistic",
    "df",
    "p_value",
    "std_estimate",
)
#: Fewest residual degrees of freedom a model needs to give a verdict.
MIN_RESIDUAL_DF = 10
#: Bootstrap resamples of an indirect effect in a report.
MEDIATION_RESAMPLES = 5000


def run_hypotheses(
    scores: pd.DataFrame,
    study: Study,
    responses: pd.DataFrame | None = None,
    confirmatory: dict[str, bool] | None = None,
    posts: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Test every respondent-level hypothesis of the study on one agency's data.

    Parameters
    ----------
    scores
        Construct scores and demographics, one row per respondent.
    study
        The study config.
    responses
        Item answers (needed by ``sem`` hypotheses, whose models name items).
    confirmatory
        Hypothesis id -> whether it matches the pre-registration lock (default: all True).
    posts
        The agency's posts (``level: post`` hypotheses: count models and interrupted time
        series; see :func:`post_frame`).

    Returns
    -------
    verdicts : pandas.DataFrame
        One row per hypothesis with :data:`VERDICT_COLUMNS`: ``family`` and ``test`` (e.g.
        ``ols``/``t``, ``group_comparison``/``welch``), ``term`` (focal variables joined by
        ``+``; ``indirect`` for mediation, ``x:w`` for moderation), the focal ``estimate``
        with ``std_estimate``, ``se`` and interval (``ci_low``, ``ci_high``; NaN for an
        omnibus F, chi-square or H test), ``statistic`` named in ``statistic_name`` (``t``,
        ``z``, ``F``, ``chi2``, ``H``, ``r``), ``df_num``, ``df``, ``p_value``,
        ``p_adjusted`` (Holm), ``p_fdr`` (Benjamini-Hochberg), ``effect_size`` named in
        ``effect_size_name`` (``f2``, ``d``, ``partial_eta2``, ``epsilon2``, ``cramers_v``,
        ``r``, ``odds_ratio``, ``std_indirect``, ``std_all``), ``r2``, ``adj_r2``, ``n``,
        ``expected``, ``confirmatory``, ``decision`` (``supported`` / ``not_supported`` /
        ``not_tested``) and ``label`` (why it was not tested: ``single_level``,
        ``too_few_rows``, ``agency_level``, ``no_posts``, ``model_failed``).
    terms : pandas.DataFrame
        The model rows behind every verdict, :data:`TERM_COLUMNS`.
    """
    confirmatory = confirmatory or {}
    verdicts, terms = [], []
    posts_frame = None
    for hypothesis in study.hypotheses:
        if hypothesis.level == "post":
            if posts is None or posts.empty:
                verdicts.append(_not_tested(scores, hypothesis, "no_posts"))
                continue
            if posts_frame is None:
                posts_frame = post_frame(posts, study)
        reason = _untestable(scores, hypothesis)
        if reason:
            verdicts.append(_not_tested(scores, hypothesis, reason))
            continue
        test = FAMILY_TESTS.get(hypothesis.family, _regression)
        try:
            if hypothesis.level == "post":
                verdict, rows = POST_TESTS[hypothesis.family](hypothesis, posts_frame, study)
            else:
                verdict, rows = test(hypothesis, scores, responses, study)
        except (ValueError, np.linalg.LinAlgError):
            # a model that cannot be fitted on this agency's data gives no verdict
            verdicts.append(_not_tested(scores, hypothesis, "model_failed"))
            continue
        verdict |= {
            "hypothesis": hypothesis.id,
            "family": hypothesis.family,
            "outcome": hypothesis.outcome,
            "expected": hypothesis.expected,
        }
        verdict["decision"] = _decision(verdict, hypothesis, study.study.alpha)
        verdicts.append(verdict)
        terms.append(rows.assign(hypothesis=hypothesis.id))
    table = pd.DataFrame(verdicts, columns=list(VERDICT_COLUMNS))
    table["confirmatory"] = [confirmatory.get(h, True) for h in table["hypothesis"]]
    _adjust(table)
    term_table = pd.concat(terms, ignore_index=True) if terms else pd.DataFrame()
    term_table = term_table.reindex(columns=list(TERM_COLUMNS))
    return (
        tidy(table, ("hypothesis",), "estimate"),
        tidy(term_table, ("hypothesis", "term"), "estimate"),
    )


def _decision(verdict: dict, hypothesis: Hypothesis, alpha: float) -> str:
    """``supported`` when the test is significant and every focal estimate has the expected sign.

    ``verdict["_focal_estimates"]`` (removed here) holds the focal coefficients of a joint F
    test, whose verdict row has no single estimate.
    """
    estimates = verdict.pop("_focal_estimates", [verdict.get("estimate")])
    sign = {"positive": 1, "negative": -1}.get(hypothesis.expected)
    sign_ok = sign is None or all(e == e and sign * e > 0 for e in estimates)
    if hypothesis.family == "mediation":
        excludes_zero = verdict["ci_low"] > 0 or verdict["ci_high"] < 0
        return "supported" if excludes_zero and sign_ok else "not_supported"
    return "supported" if verdict["p_value"] < alpha and sign_ok else "not_supported"


def _adjust(table: pd.DataFrame) -> None:
    """Holm and BH adjusted p across confirmatory hypotheses with a p value (in place)."""
    family = table["p_value"].notna() & table["confirmatory"].astype(bool)
    if family.any():
        p = table.loc[family, "p_value"].astype(float)
        table.loc[family, "p_adjusted"] = stats.adjust_pvalues(p.to_numpy(), method="holm")
        table.loc[family, "p_fdr"] = stats.adjust_pvalues(p.to_numpy(), method="fdr_bh")


def _untestable(scores: pd.DataFrame, hypothesis: Hypothesis) -> str | None:
    """Why a hypothesis cannot give a verdict on ``scores``, or None when it can.

    ``agency_level`` hypotheses are tested across agencies in the study report;
    ``single_level`` when a category has one level in the complete rows; ``too_few_rows``
    when fewer than :data:`MIN_RESIDUAL_DF` residual degrees of freedom would remain.
    """
    if hypothesis.level == "agency":
        return "agency_level"
    if hypothesis.family == "sem" or hypothesis.level == "post":
        return None
    variables = [v for v in hypothesis.variables() if v != hypothesis.outcome]
    frame = scores[[hypothesis.outcome, *variables]].dropna()
    coefficients = 1 + (hypothesis.family == "moderation")
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
    respondent = hypothesis.level == "respondent"
    used = [v for v in hypothesis.variables() if v in scores] if respondent else []
    return dict.fromkeys(VERDICT_COLUMNS, np.nan) | {
        "hypothesis": hypothesis.id,
        "family": hypothesis.family,
        "test": None,
        "term": "+".join(hypothesis.predictors),
        "outcome": hypothesis.outcome,
        "statistic_name": None,
        "effect_size_name": None,
        # respondents with the hypothesis' variables; none for a post or agency hypothesis
        "n": int(len(scores[used].dropna())) if respondent else np.nan,
        "expected": hypothesis.expected,
        "decision": "not_tested",
        "label": reason,
    }


def _blank(**values) -> dict:
    """A verdict dict with every statistic column NaN, then ``values``."""
    return dict.fromkeys(VERDICT_COLUMNS, np.nan) | {"label": None} | values


def _coefficient_verdict(row, statistic_name: str, **values) -> dict:
    """A verdict dict from one coefficient row of a tidy table (estimate, SE, CI and test)."""
    return (
        _blank(
            test=statistic_name,
            estimate=row["estimate"],
            se=row["se"],
            ci_low=row["ci_low"],
            ci_high=row["ci_high"],
            statistic=row["statistic"],
            statistic_name=statistic_name,
            df_num=1,
            df=row.get("df", np.nan),
            p_value=row["p_value"],
        )
        | values
    )


def _regression(hypothesis: Hypothesis, scores, responses, study: Study):
    robust = None if hypothesis.robust == "none" else hypothesis.robust
    if hypothesis.family in ("ordinal", "mixed"):
        robust = None
    result = stats.regression(
        scores,
        hypothesis.outcome,
        hypothesis.predictors,
        covariates=hypothesis.controls,
        family=hypothesis.family,
        robust=robust,
        cluster=hypothesis.cluster,
        weights=study.weight_column if hypothesis.family == "ols" else None,
        alpha=study.study.alpha,
    )
    coefficients = result.tidy()
    focal = coefficients[coefficients["focal"]]
    summary = result.model_summary().iloc[0]
    statistic = "t" if hypothesis.family == "ols" else "z"
    verdict = _blank(
        test=statistic,
        term="+".join(hypothesis.predictors),
        n=int(summary["n"]),
        r2=summary.get("r2", np.nan),
        adj_r2=summary.get("adj_r2", np.nan),
    )
    if len(focal) == 1:
        one = focal.iloc[0]
        verdict |= {
            "estimate": one["estimate"],
            "std_estimate": one.get("std_estimate", np.nan),
            "se": one["se"],
            "ci_low": one["ci_low"],
            "ci_high": one["ci_high"],
            "statistic": one["statistic"],
            "statistic_name": statistic,
            "df_num": 1,
            "df": one["df"],
            "p_value": one["p_value"],
        }
    else:
        test = result.focal_test()
        verdict |= {
            "_focal_estimates": focal["estimate"].tolist(),
            "test": test["statistic_name"],
            "statistic": test["statistic"],
            "statistic_name": test["statistic_name"],
            "df_num": test["df_num"],
            # a chi-square test's degrees of freedom are its number of terms
            "df": test["df"] if test["statistic_name"] == "F" else test["df_num"],
            "p_value": test["p_value"],
        }
    if hypothesis.family == "ols":
        verdict |= {"effect_size": result.focal_test()["effect_size"], "effect_size_name": "f2"}
    elif hypothesis.family == "logit" and len(focal) == 1:
        verdict |= {
            "effect_size": float(np.exp(focal.iloc[0]["estimate"])),
            "effect_size_name": "odds_ratio",
        }
    return verdict, coefficients


def _group_comparison(hypothesis: Hypothesis, scores, responses, study: Study):
    result = stats.compare_groups(
        scores,
        hypothesis.outcome,
        hypothesis.predictors[0],
        method=hypothesis.method or "auto",
        alpha=study.study.alpha,
        ci=1 - study.study.alpha,
    )
    test = result.test.iloc[0]
    name = {"welch": "t", "anova": "F", "kruskal": "H", "chi2": "chi2"}[test["method"]]
    two_df = name == "F"
    verdict = _blank(
        test=test["method"],
        term=hypothesis.predictors[0],
        statistic=test["statistic"],
        statistic_name=name,
        df_num=test["df"] if two_df else 1,
        df=test["df2"] if two_df else test["df"],
        p_value=test["p_value"],
        effect_size=test["effect_size"],
        effect_size_name=test["effect_size_name"],
        n=int(test["n"]),
    )
    rows = result.posthoc if result.posthoc is not None else pd.DataFrame()
    if not rows.empty:
        rows = rows.assign(term=rows["group_a"].astype(str) + " – " + rows["group_b"].astype(str))
    return verdict, rows


def _correlation(hypothesis: Hypothesis, scores, responses, study: Study):
    x, y = hypothesis.predictors[0], hypothesis.outcome
    table = stats.correlations(
        scores, [x, y], method=hypothesis.method or "pearson", ci=1 - study.study.alpha
    )
    row = table.iloc[0]
    verdict = _blank(
        test=row["method"],
        term=x,
        estimate=row["r"],
        ci_low=row["ci_low"],
        ci_high=row["ci_high"],
        statistic=row["r"],
        statistic_name="r",
        df=row["df"],
        p_value=row["p_value"],
        effect_size=row["r"],
        effect_size_name="r",
        n=int(row["n"]),
    )
    rows = pd.DataFrame(
        [
            {
                "term": f"{x}:{y}",
                "estimate": row["r"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "statistic": row["statistic"],
                "df": row["df"],
                "p_value": row["p_value"],
            }
        ]
    )
    return verdict, rows


def _mediation(hypothesis: Hypothesis, scores, responses, study: Study):
    table = stats.mediation(
        scores,
        hypothesis.predictors[0],
        hypothesis.mediators if len(hypothesis.mediators) > 1 else hypothesis.mediators[0],
        hypothesis.outcome,
        covariates=hypothesis.controls,
        n_boot=MEDIATION_RESAMPLES,
        seed=study.study.seed,
        level=1 - study.study.alpha,
    )
    indirect = table[table["term"] == "indirect"].iloc[0]
    standardized = table[table["term"] == "indirect_std"]
    verdict = _blank(
        test="bootstrap",
        term="indirect",
        estimate=indirect["estimate"],
        se=indirect["se"],
        ci_low=indirect["ci_low"],
        ci_high=indirect["ci_high"],
        n=int(indirect["n"]),
    )
    if not standardized.empty:
        verdict |= {
            "effect_size": standardized.iloc[0]["estimate"],
            "effect_size_name": "std_indirect",
        }
    return verdict, table


def _moderation(hypothesis: Hypothesis, scores, responses, study: Study):
    result = stats.moderation(
        scores,
        hypothesis.predictors[0],
        hypothesis.moderator,
        hypothesis.outcome,
        covariates=hypothesis.controls,
        level=1 - study.study.alpha,
        robust=None if hypothesis.robust == "none" else hypothesis.robust,
    )
    coefficients = result.tidy()
    interaction = f"{hypothesis.predictors[0]}:{hypothesis.moderator}"
    one = coefficients[coefficients["term"] == interaction].iloc[0]
    change = result.r2_change.iloc[0] if hasattr(result, "r2_change") else {}
    verdict = _coefficient_verdict(
        one, "t", term=interaction, n=int(len(scores[hypothesis.variables()].dropna()))
    )
    if "r2_change" in change:
        verdict |= {"effect_size": change["r2_change"], "effect_size_name": "r2_change"}
    slopes = result.simple_slopes.assign(term=lambda s: "slope@" + s["label"].astype(str))
    return verdict, pd.concat([coefficients, slopes], ignore_index=True)


def _sem(hypothesis: Hypothesis, scores, responses, study: Study):
    items = [i.id for _, i in study.items() if responses is not None and i.id in responses]
    data = scores.join(responses[items]) if items else scores
    result = stats.sem(data, hypothesis.model)
    estimates = result.estimates
    path = estimates[
        (estimates["op"] == "~")
        & (estimates["lhs"] == hypothesis.outcome)
        & (estimates["rhs"] == hypothesis.predictors[0])
    ].iloc[0]
    fit = result.fit.iloc[0]
    verdict = _blank(
        test="z",
        term=f"{hypothesis.outcome} ~ {hypothesis.predictors[0]}",
        estimate=path["estimate"],
        std_estimate=path["std_all"],
        se=path["se"],
        ci_low=path["estimate"] - _z(study) * path["se"],
        ci_high=path["estimate"] + _z(study) * path["se"],
        statistic=path["z"],
        statistic_name="z",
        p_value=path["p_value"],
        effect_size=path["std_all"],
        effect_size_name="std_all",
        n=int(fit["n"]),
    )
    rows = estimates.assign(
        term=estimates["lhs"] + " " + estimates["op"] + " " + estimates["rhs"],
        ci_low=estimates["estimate"] - _z(study) * estimates["se"],
        ci_high=estimates["estimate"] + _z(study) * estimates["se"],
        statistic=estimates["z"],
        std_estimate=estimates["std_all"],
    )
    return verdict, rows


def _z(study: Study) -> float:
    return float(norm.ppf(1 - study.study.alpha / 2))


FAMILY_TESTS = {
    "group_comparison": _group_comparison,
    "correlation": _correlation,
    "mediation": _mediation,
    "moderation": _moderation,
    "sem": _sem,
}


#: Assumption checks shown in the report (all are in ``results.json`` via the notebook).
SHOWN_CHECKS = (
    "normality_lilliefors",
    "normality_ks_uncorrected",
    "heteroskedasticity_breusch_pagan",
    "heteroskedasticity_glejser",
    "multicollinearity_vif_max",
    "autocorrelation_durbin_watson",
    "influence_cooks_max",
)
#: Columns of :func:`assumptions`.
ASSUMPTION_COLUMNS = (
    "hypothesis",
    "check",
    "term",
    "statistic",
    "df",
    "p_value",
    "threshold",
    "passed",
    "action",
)


def assumptions(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Classical assumption checks ("uji asumsi klasik") of each OLS hypothesis' model.

    The checks run on the unweighted OLS fit of the hypothesis' model
    (:func:`analysis.stats.assumption_checks`); ``action`` says what the analysis does about a
    failed check: HC3 standard errors (robust to heteroskedasticity and, in large samples, to
    non-normal residuals) are already used by default; the order of survey rows has no meaning,
    so a Durbin-Watson result is reported but not acted on; influential cases are kept and
    named.

    Returns
    -------
    pandas.DataFrame
        :data:`ASSUMPTION_COLUMNS`: ``hypothesis``, ``check`` (see :data:`SHOWN_CHECKS`),
        ``term`` (the predictor of a VIF row, the row number of the most influential case),
        ``statistic``, ``df``, ``p_value``, ``threshold``, ``passed`` and ``action`` (a key:
        ``none``, ``robust_se_used``, ``large_sample``, ``bootstrap_advised``,
        ``row_order_arbitrary``, ``interpret_with_care``, ``cases_kept``).
    """
    frames = []
    for hypothesis in study.hypotheses:
        if hypothesis.family != "ols" or _untestable(scores, hypothesis):
            continue
        result = stats.regression(
            scores,
            hypothesis.outcome,
            hypothesis.predictors,
            covariates=hypothesis.controls,
            robust=None,
            alpha=study.study.alpha,
        )
        checks = stats.assumption_checks(result, alpha=study.study.alpha)
        checks = checks[checks["check"].isin(SHOWN_CHECKS) & ~_per_term_glejser(checks)]
        robust = hypothesis.robust != "none"
        n = int(result.model_summary().iloc[0]["n"])
        checks = checks.assign(
            hypothesis=hypothesis.id,
            passed=checks["passed"].astype(bool),
            action=[
                _action(check, passed, robust, n)
                for check, passed in zip(checks["check"], checks["passed"], strict=True)
            ],
            term=checks["term"].astype("string"),
        )
        frames.append(checks)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    table = table.reindex(columns=list(ASSUMPTION_COLUMNS))
    return tidy(table, ("hypothesis", "check"), "statistic")


#: Sample size above which the t tests rest on the central limit theorem (a common rule).
LARGE_SAMPLE = 30


def _per_term_glejser(checks: pd.DataFrame) -> pd.Series:
    return (checks["check"] == "heteroskedasticity_glejser") & checks["term"].notna()


def _action(check: str, passed: bool, robust: bool, n: int) -> str:
    if passed:
        return "none"
    if check.startswith("heteroskedasticity"):
        return "robust_se_used" if robust else "interpret_with_care"
    if check.startswith("normality"):
        return "large_sample" if n >= LARGE_SAMPLE else "bootstrap_advised"
    if check.startswith("autocorrelation"):
        return "row_order_arbitrary"
    if check.startswith("influence"):
        return "cases_kept"
    return "interpret_with_care"


#: Columns of :func:`sensitivity`.
SENSITIVITY_COLUMNS = ("hypothesis", "n", "power", "min_effect", "effect_size", "effect_name")


def sensitivity(verdicts: pd.DataFrame, study: Study, power: float = 0.80) -> pd.DataFrame:
    """The smallest effect each tested hypothesis could detect with ``power`` at its n.

    Regressions and moderation: Cohen's f² of one tested coefficient given the model's
    predictors; correlations: r; two-group comparisons: d (n split evenly). Mediation, SEM and
    omnibus tests of several terms have no closed-form sensitivity here and are left out.

    Returns
    -------
    pandas.DataFrame
        :data:`SENSITIVITY_COLUMNS`: ``hypothesis``, ``n``, ``power``, ``min_effect`` (at the
        study's alpha, two-sided), ``effect_size`` (the observed one, same metric) and
        ``effect_name`` (``f2``, ``r`` or ``d``).
    """
    declared = {h.id: h for h in study.hypotheses}
    rows = []
    for row in verdicts.itertuples():
        hypothesis = declared[row.hypothesis]
        kind = _sensitivity_kind(hypothesis, row)
        if kind is None or row.decision == "not_tested":
            continue
        predictors = len(hypothesis.predictors) + len(hypothesis.controls)
        predictors += hypothesis.family == "moderation" and 2
        minimum = stats.sensitivity(
            int(row.n), max(predictors, 1), test=kind, alpha=study.study.alpha, power=power
        ).iloc[0]["min_effect"]
        rows.append((row.hypothesis, int(row.n), power, minimum, row.effect_size, kind))
    table = pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    return tidy(table, ("hypothesis",), "min_effect")


def _sensitivity_kind(hypothesis: Hypothesis, row) -> str | None:
    if hypothesis.family == "ols" and row.statistic_name == "t":
        return "f2"
    if hypothesis.family == "moderation":
        return None  # its effect size is the R² change, not an f² of one term
    if hypothesis.family == "correlation":
        return "r"
    if hypothesis.family == "group_comparison" and row.test == "welch":
        return "d"
    return None


def detail(
    scores: pd.DataFrame,
    study: Study,
    hypothesis_id: str,
    responses: pd.DataFrame | None = None,
):
    """The full statistics result behind one hypothesis, for exploring it in a notebook.

    Returns
    -------
    object
        What :mod:`analysis.stats` returns for the family, fitted with the report's options:
        a :class:`~analysis.stats.RegressionResult` (regressions; also ``.fit`` for
        statsmodels' own diagnostics), :class:`~analysis.stats.GroupComparison`,
        the :func:`~analysis.stats.correlations` table, the :func:`~analysis.stats.mediation`
        table, a :class:`~analysis.stats.ModerationResult` (simple slopes, Johnson-Neyman)
        or a :class:`~analysis.stats.SEMResult`.
    """
    hypothesis = next((h for h in study.hypotheses if h.id == hypothesis_id), None)
    if hypothesis is None:
        known = ", ".join(h.id for h in study.hypotheses)
        raise ValueError(f"no hypothesis {hypothesis_id!r} in the study; known: {known}")
    alpha = study.study.alpha
    robust = None if hypothesis.robust == "none" else hypothesis.robust
    x = hypothesis.predictors[0]
    if hypothesis.family == "group_comparison":
        return stats.compare_groups(
            scores, hypothesis.outcome, x, method=hypothesis.method or "auto", ci=1 - alpha
        )
    if hypothesis.family == "correlation":
        return stats.correlations(
            scores, [x, hypothesis.outcome], method=hypothesis.method or "pearson", ci=1 - alpha
        )
    if hypothesis.family == "mediation":
        return _mediation(hypothesis, scores, responses, study)[1]
    if hypothesis.family == "moderation":
        return stats.moderation(
            scores,
            x,
            hypothesis.moderator,
            hypothesis.outcome,
            covariates=hypothesis.controls,
            level=1 - alpha,
            robust=robust,
        )
    if hypothesis.family == "sem":
        items = [i.id for _, i in study.items() if responses is not None and i.id in responses]
        return stats.sem(scores.join(responses[items]) if items else scores, hypothesis.model)
    return stats.regression(
        scores,
        hypothesis.outcome,
        hypothesis.predictors,
        covariates=hypothesis.controls,
        family=hypothesis.family,
        robust=robust if hypothesis.family in ("ols", "logit") else None,
        cluster=hypothesis.cluster,
        weights=study.weight_column if hypothesis.family == "ols" else None,
        alpha=alpha,
    )


def post_frame(posts: pd.DataFrame, study: Study) -> pd.DataFrame:
    """One row per post with the variables post-level hypotheses may name.

    Returns
    -------
    pandas.DataFrame
        ``published_at`` (UTC), ``platform``, ``post_type``, ``likes``, ``comments``,
        ``shares``, ``views`` (float, NaN when unknown), ``interactions`` (likes + comments +
        shares), ``followers_at_post`` (the exposure of count models; the agency's configured
        count where the export has none), ``hour`` (local), ``weekend`` (1 on Saturday and
        Sunday, local), and one 0/1 column per codebook category (auto-coded text).
    """
    frame = posts[["agency_id", "published_at", "platform", "post_type"]].copy()
    for column in ("likes", "comments", "shares", "views"):
        frame[column] = posts[column].astype("Float64").astype(float)
    frame["interactions"] = frame[["likes", "comments", "shares"]].sum(axis=1, min_count=3)
    configured = posts["agency_id"].map(lambda a: np.nan).astype(float)
    for agency in study.agencies:
        mine = (posts["agency_id"] == agency.id).to_numpy()
        configured[mine] = posts.loc[mine, "platform"].map(agency.followers).astype(float)
    frame["followers_at_post"] = posts["followers_at_post"].astype("Float64").astype(float)
    frame["followers_at_post"] = frame["followers_at_post"].fillna(configured)
    local = frame["published_at"].dt.tz_convert(study.study.timezone)
    frame["hour"] = local.dt.hour.astype(float)
    frame["weekend"] = (local.dt.weekday >= 5).astype(float)
    if not frame.empty:
        codebook = study.codebook or content.load_codebook()
        coded = content.code_texts(posts["text"].fillna(""), codebook, lang=study.study.language)
        for category in codebook.ids:
            frame[category] = coded[category].to_numpy(dtype=float)
    return frame


def _count(hypothesis: Hypothesis, frame: pd.DataFrame, study: Study):
    exposure = "followers_at_post" if frame["followers_at_post"].notna().all() else None
    result = stats.count_model(
        frame,
        hypothesis.outcome,
        hypothesis.predictors,
        covariates=hypothesis.controls,
        exposure=exposure,
        robust="HC1",
        alpha=study.study.alpha,
    )
    coefficients = result.tidy()
    focal = coefficients[coefficients["focal"]]
    n = int(result.model_summary().iloc[0]["n"])
    verdict = _blank(test="z", term="+".join(hypothesis.predictors), n=n)
    if len(focal) == 1:
        one = focal.iloc[0]
        verdict = _coefficient_verdict(
            one,
            "z",
            term=verdict["term"],
            n=n,
            df=np.nan,
            effect_size=one["irr"],
            effect_size_name="irr",
        )
    else:
        test = result.focal_test()
        verdict |= {
            "_focal_estimates": focal["estimate"].tolist(),
            "test": "chi2",
            "statistic": test["statistic"],
            "statistic_name": "chi2",
            "df_num": test["df_num"],
            "df": test["df_num"],
            "p_value": test["p_value"],
        }
    return verdict, coefficients


def _its(hypothesis: Hypothesis, frame: pd.DataFrame, study: Study):
    result = stats.interrupted_time_series(
        frame,
        "published_at",
        None if hypothesis.outcome == "posts" else hypothesis.outcome,
        pd.Timestamp(hypothesis.intervention),
        freq="W",
        timezone=study.study.timezone,
        alpha=study.study.alpha,
    )
    coefficients = result.tidy()
    term = f"{hypothesis.its_effect}_change"
    one = coefficients.set_index("term").loc[term]
    n_periods = int(result.model_summary().iloc[0]["n_periods"])
    verdict = _coefficient_verdict(one, "t", term=term, n=n_periods)
    return verdict, coefficients


POST_TESTS = {"count": _count, "its": _its}


#: Columns of :func:`model_fit`.
MODEL_FIT_COLUMNS = ("hypothesis", "n", "r2", "adj_r2", "statistic", "df_num", "df", "p_value")


GROUP_COLUMNS = ("hypothesis", "group", "n", "mean", "sd", "median")


def group_descriptives(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The groups of each group-comparison hypothesis with a numeric outcome: each group's n
    and the outcome's mean, SD and median (:func:`analysis.stats.describe` per group).

    A breakdown of respondents by a category: the table declares its group counts
    (``attrs["group_count"] = "n"``, one breakdown per hypothesis), so the report masks groups
    smaller than its k (:mod:`analysis.reporting.small_cells`).

    Returns
    -------
    pandas.DataFrame
        :data:`GROUP_COLUMNS`: ``hypothesis``, ``group`` (the category), ``n`` (respondents
        with both the category and the outcome), ``mean``, ``sd`` and ``median`` of the
        outcome. Empty (with the columns) when no hypothesis compares groups on a numeric
        outcome present in ``scores``.
    """
    rows = []
    for hypothesis in study.hypotheses:
        group, outcome = hypothesis.predictors[0], hypothesis.outcome
        if hypothesis.family != "group_comparison" or not {group, outcome} <= set(scores):
            continue
        if not pd.api.types.is_numeric_dtype(scores[outcome]):
            continue
        complete = scores[[group, outcome]].dropna()
        for level, members in complete.groupby(group, sort=True, observed=True):
            described = stats.describe(members, [outcome]).iloc[0]
            rows.append(
                {"hypothesis": hypothesis.id, "group": level}
                | {column: described[column] for column in GROUP_COLUMNS[2:]}
            )
    table = pd.DataFrame(rows, columns=list(GROUP_COLUMNS))
    table["group"] = table["group"].astype("string")
    table = tidy(table, ("hypothesis", "group"), "mean")
    table.attrs.update(group_count="n", breakdown=("hypothesis",))
    return table


def model_fit(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The overall F test and R² of each OLS hypothesis' model ("uji F" and "koefisien
    determinasi" of the SPSS thesis workflow; the "uji t" are the model's coefficient rows).

    The F test is the classical one of all predictors together (as SPSS's ANOVA table prints
    it); the hypothesis' own verdict uses the robust test of its focal predictor.

    Returns
    -------
    pandas.DataFrame
        :data:`MODEL_FIT_COLUMNS`: ``hypothesis``, ``n``, ``r2``, ``adj_r2``, ``statistic``
        (F), ``df_num``, ``df``, ``p_value``.
    """
    rows = []
    for hypothesis in study.hypotheses:
        if hypothesis.family != "ols" or _untestable(scores, hypothesis):
            continue
        result = stats.regression(
            scores,
            hypothesis.outcome,
            hypothesis.predictors,
            covariates=hypothesis.controls,
            robust=None,
            weights=study.weight_column,
            alpha=study.study.alpha,
        )
        summary = result.model_summary().iloc[0]
        rows.append({"hypothesis": hypothesis.id} | {c: summary[c] for c in MODEL_FIT_COLUMNS[1:]})
    table = pd.DataFrame(rows, columns=list(MODEL_FIT_COLUMNS))
    return tidy(table, ("hypothesis",), "r2")

"""Confirmatory hypothesis tests from the study config (OLS with robust standard errors).

Each hypothesis names an outcome, predictors and controls among construct scores and
demographics. The model is fitted by statsmodels OLS with HC3 heteroskedasticity-consistent
standard errors (Long & Ervin 2000) and t-based tests and intervals, which is what an SPSS user
gets from the PROCESS macro's HC3 option and what reviewers now ask for instead of classical
standard errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analysis.config import Hypothesis, Study


def fit_hypothesis(scores: pd.DataFrame, hypothesis: Hypothesis, study: Study) -> pd.DataFrame:
    """Fit one hypothesis' model and return a tidy table of its terms.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`analysis.measurement.score_constructs` (one agency or the study).
    hypothesis : Hypothesis
        From the config.
    study : Study
        For ``alpha`` and category handling.

    Returns
    -------
    pandas.DataFrame
        One row per model term (intercept excluded): ``hypothesis``, ``term``, ``focal``
        (True for the hypothesis' predictors), ``estimate`` (unstandardized slope),
        ``std_estimate`` (slope with outcome and predictor standardized), ``se`` (HC3),
        ``ci_low``, ``ci_high`` (1 - alpha, HC3), ``statistic`` (t), ``df`` (residual df),
        ``p_value`` (two-sided), ``effect_size`` (Cohen's f2 of the term: R2 change when it
        is dropped, over 1 - R2), ``effect_size_name`` (``"f2"``), ``n``, ``r2``, ``adj_r2``,
        ``expected``, ``decision`` (``supported`` when p < alpha and the sign matches the
        expected direction, for focal terms; NA for controls).

    References
    ----------
    Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent standard errors in
    the linear regression model. The American Statistician, 54(3), 217-224.
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).
    """
    variables = [hypothesis.outcome, *hypothesis.predictors, *hypothesis.controls]
    data = scores[variables].dropna().copy()
    numeric = [v for v in variables if pd.api.types.is_numeric_dtype(data[v])]
    data[numeric] = data[numeric].astype(float)
    terms = [_term(v, data) for v in hypothesis.predictors + hypothesis.controls]
    formula = f"Q('{hypothesis.outcome}') ~ " + " + ".join(terms)
    fit = smf.ols(formula, data=data).fit(cov_type="HC3", use_t=True)
    ci = fit.conf_int(alpha=study.study.alpha)
    rows = []
    for name, term in zip(hypothesis.predictors + hypothesis.controls, terms, strict=True):
        for coef in [c for c in fit.params.index if c.startswith(term)]:
            rows.append(_row(fit, ci, coef, name, hypothesis, data, study.study.alpha))
    return pd.DataFrame(rows)


def fit_all(scores: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Fit every hypothesis of the study; the rows of :func:`fit_hypothesis`, stacked."""
    return pd.concat(
        [fit_hypothesis(scores, h, study) for h in study.hypotheses], ignore_index=True
    )


def _term(variable: str, data: pd.DataFrame) -> str:
    if pd.api.types.is_numeric_dtype(data[variable]):
        return f"Q('{variable}')"
    return f"C(Q('{variable}'))"


def _row(
    fit, ci, coef: str, name: str, hypothesis: Hypothesis, data: pd.DataFrame, alpha: float
) -> dict:
    focal = name in hypothesis.predictors
    estimate = float(fit.params[coef])
    p_value = float(fit.pvalues[coef])
    sign_ok = {"positive": estimate > 0, "negative": estimate < 0}.get(hypothesis.expected, True)
    std = (
        estimate * data[name].std() / data[hypothesis.outcome].std()
        if pd.api.types.is_numeric_dtype(data[name])
        else np.nan
    )
    return {
        "hypothesis": hypothesis.id,
        "term": name if coef.startswith("Q(") else coef,
        "focal": focal,
        "estimate": estimate,
        "std_estimate": std,
        "se": float(fit.bse[coef]),
        "ci_low": float(ci.loc[coef, 0]),
        "ci_high": float(ci.loc[coef, 1]),
        "statistic": float(fit.tvalues[coef]),
        "df": float(fit.df_resid),
        "p_value": p_value,
        "effect_size": _f2(fit, coef),
        "effect_size_name": "f2",
        "n": int(fit.nobs),
        "r2": float(fit.rsquared),
        "adj_r2": float(fit.rsquared_adj),
        "expected": hypothesis.expected,
        "decision": (
            ("supported" if p_value < alpha and sign_ok else "not_supported") if focal else None
        ),
    }


def _f2(fit, coef: str) -> float:
    """Cohen's f2 of one coefficient: (R2_full - R2_without) / (1 - R2_full)."""
    exog = pd.DataFrame(fit.model.exog, columns=fit.model.exog_names).drop(columns=coef)
    reduced = np.linalg.lstsq(exog.to_numpy(), fit.model.endog, rcond=None)[0]
    resid = fit.model.endog - exog.to_numpy() @ reduced
    centered = fit.model.endog - fit.model.endog.mean()
    r2_reduced = 1 - (resid @ resid) / (centered @ centered)
    return float((fit.rsquared - r2_reduced) / (1 - fit.rsquared))

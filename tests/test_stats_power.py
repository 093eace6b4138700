"""Sensitivity power against G*Power's manual, R (power.t.test, pwr, pwrss), the noncentral F
by hand and seeded simulations at the returned smallest effect."""

import numpy as np
import pytest
from scipy import stats as st

from analysis.stats.power import SENSITIVITY_COLUMNS, sensitivity


def test_f2_matches_the_gpower_manual_example():
    # G*Power manual, F test (multiple regression, global): f2 = 0.1111, alpha .05,
    # 5 predictors, N = 110 -> power 0.7518 (lambda = f2 * N = 12.2210)
    table = sensitivity(110, 5, n_tested=5, power=0.7518)
    assert list(table.columns) == list(SENSITIVITY_COLUMNS)
    assert table.iloc[0]["min_effect"] == pytest.approx(0.1111, abs=2e-4)
    assert table.iloc[0]["effect_name"] == "f2"


def test_f2_matches_pwrss():
    # R pwrss::power.f.regression(r.squared = 0.15, k.total = 3, power = 0.80):
    # n = 66, power 0.801253619 at f2 = 0.15 / 0.85
    row = sensitivity(66, 3, n_tested=3, power=0.801253619).iloc[0]
    assert row["min_effect"] == pytest.approx(0.15 / 0.85, abs=1e-6)


def test_one_coefficient_reaches_the_power_by_the_noncentral_f():
    row = sensitivity(80, 4, n_tested=1, alpha=0.05, power=0.80).iloc[0]
    # G*Power's R2-increase test: F(1, 80 - 4 - 1) with noncentrality f2 * N
    critical = st.f.ppf(0.95, 1, 75)
    assert st.ncf.sf(critical, 1, 75, row["min_effect"] * 80) == pytest.approx(0.80, abs=1e-6)


def test_d_matches_r_power_t_test():
    # R: power.t.test(n = 20, delta = 1): power = 0.8689528 (n per group)
    row = sensitivity(40, 1, test="d", power=0.8689528).iloc[0]
    assert row["min_effect"] == pytest.approx(1.0, abs=1e-5) and row["effect_name"] == "d"


def test_r_matches_pwr_r_test():
    # pingouin.power_corr(n=20, power=0.80) = 0.5822, its port of pwr::pwr.r.test
    row = sensitivity(20, 1, test="r").iloc[0]
    assert row["min_effect"] == pytest.approx(0.5822, abs=5e-5)


def _share_significant(p_values: np.ndarray) -> float:
    return float(np.mean(p_values < 0.05))


def test_data_at_the_smallest_f2_are_significant_80_percent_of_the_time():
    n, predictors, draws = 60, 3, 4000
    f2 = sensitivity(n, predictors).iloc[0]["min_effect"]
    rng = np.random.default_rng(20)
    # a fixed design (G*Power's fixed model): the tested column is orthogonal to the others
    # with sum of squares n, so slope^2 * n / error variance = f2 * N is the noncentrality
    others = np.column_stack([np.ones(n), rng.normal(size=(n, predictors - 1))])
    tested = rng.normal(size=n)
    tested -= others @ np.linalg.lstsq(others, tested, rcond=None)[0]
    tested *= np.sqrt(n / np.sum(tested**2))
    design = np.column_stack([others[:, :1], tested, others[:, 1:]])
    y = np.sqrt(f2) * tested + 0.5 * design[:, 2] + rng.normal(size=(draws, n))
    inverse = np.linalg.inv(design.T @ design)
    beta = y @ design @ inverse
    residuals = y - beta @ design.T
    s2 = (residuals**2).sum(axis=1) / (n - predictors - 1)
    t = beta[:, 1] / np.sqrt(s2 * inverse[1, 1])
    share = _share_significant(2 * st.t.sf(np.abs(t), n - predictors - 1))
    assert share == pytest.approx(0.80, abs=0.02)  # binomial SE about 0.006


def test_data_at_the_smallest_d_and_r_are_significant_80_percent_of_the_time():
    rng = np.random.default_rng(21)
    d = sensitivity(50, 1, test="d").iloc[0]["min_effect"]
    groups = rng.normal(size=(2000, 2, 25))
    groups[:, 1] += d
    t_test = st.ttest_ind(groups[:, 1], groups[:, 0], axis=1)
    assert _share_significant(t_test.pvalue) == pytest.approx(0.80, abs=0.03)
    r = sensitivity(50, 1, test="r").iloc[0]["min_effect"]
    x = rng.normal(size=(2000, 50))
    y = r * x + np.sqrt(1 - r**2) * rng.normal(size=(2000, 50))
    centred_x, centred_y = x - x.mean(1, keepdims=True), y - y.mean(1, keepdims=True)
    sample_r = (centred_x * centred_y).sum(1) / np.sqrt(
        (centred_x**2).sum(1) * (centred_y**2).sum(1)
    )
    t = sample_r * np.sqrt(48 / (1 - sample_r**2))
    assert _share_significant(2 * st.t.sf(np.abs(t), 48)) == pytest.approx(0.80, abs=0.03)


def test_bad_arguments_are_clear():
    with pytest.raises(ValueError, match="unknown test"):
        sensitivity(100, 2, test="chi2")
    with pytest.raises(ValueError, match="power must be between 0 and 1"):
        sensitivity(100, 2, power=80)
    with pytest.raises(ValueError, match="no residual df"):
        sensitivity(4, 3)
    with pytest.raises(ValueError, match="n_tested"):
        sensitivity(100, 2, n_tested=3)
    with pytest.raises(ValueError, match="too small"):
        sensitivity(3, 1, test="d")

"""Simulation: on data generated with known effects, estimates recover the truth and 95%
intervals cover it about 95% of the time (seeded, bounded in time).

With R = 400 draws the binomial SD of a coverage rate of .95 is .011, so a correct method lands
in [.93, .97] with probability about .93; the tests accept [.92, .98] (about 3 SD from .95 on
the low side is .917), which a method with the wrong SE (e.g. classical SEs under strong
heteroskedasticity, coverage near .87 here) fails.
"""

import numpy as np
import pandas as pd
import pytest

from analysis import stats

DRAWS = 400
LOW, HIGH = 0.92, 0.98


def _heteroskedastic(rng, n=150):
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    # the error SD grows with |x|: classical SEs understate the slope's SE, HC3 does not
    y = 1.0 + 0.5 * x - 0.3 * z + rng.normal(size=n) * (0.3 + np.abs(x))
    return pd.DataFrame({"y": y, "x": x, "z": z})


def _coverage(generate, fit, truth, seed):
    rng = np.random.default_rng(seed)
    hits, estimates = 0, []
    for _ in range(DRAWS):
        low, high, estimate = fit(generate(rng))
        hits += low <= truth <= high
        estimates.append(estimate)
    return hits / DRAWS, float(np.mean(estimates))


def test_ols_hc3_intervals_cover_the_true_slope_under_heteroskedasticity():
    def fit(frame):
        row = stats.regression(frame, "y", "x", ["z"], robust="HC3").tidy().set_index("term")
        return row.loc["x", "ci_low"], row.loc["x", "ci_high"], row.loc["x", "estimate"]

    # ground truth: the generating slope 0.5
    coverage, mean = _coverage(_heteroskedastic, fit, 0.5, seed=1)
    assert LOW <= coverage <= HIGH
    assert mean == pytest.approx(0.5, abs=0.02)


def test_classical_intervals_undercover_there_so_the_check_has_power():
    def fit(frame):
        row = stats.regression(frame, "y", "x", ["z"], robust=None).tidy().set_index("term")
        return row.loc["x", "ci_low"], row.loc["x", "ci_high"], row.loc["x", "estimate"]

    coverage, _ = _coverage(_heteroskedastic, fit, 0.5, seed=1)
    assert coverage < LOW


def test_logit_intervals_cover_the_true_log_odds_ratio():
    def generate(rng, n=300):
        x = rng.normal(size=n)
        p = 1 / (1 + np.exp(-(-0.4 + 0.8 * x)))
        return pd.DataFrame({"y": (rng.random(n) < p).astype(int), "x": x})

    def fit(frame):
        row = stats.regression(frame, "y", "x", family="logit", robust=None).tidy()
        row = row.set_index("term").loc["x"]
        return row["ci_low"], row["ci_high"], row["estimate"]

    # ground truth: the generating log odds ratio 0.8
    coverage, mean = _coverage(generate, fit, 0.8, seed=2)
    assert LOW <= coverage <= HIGH
    assert mean == pytest.approx(0.8, abs=0.04)  # ML is biased away from 0 in small samples


def test_pearson_intervals_cover_the_true_correlation():
    rho = 0.4

    def generate(rng, n=80):
        x, e = rng.normal(size=(2, n))
        return pd.DataFrame({"x": x, "y": rho * x + np.sqrt(1 - rho**2) * e})

    def fit(frame):
        row = stats.correlations(frame, ["x", "y"]).iloc[0]
        return row["ci_low"], row["ci_high"], row["r"]

    # ground truth: the population correlation 0.4 of the bivariate normal
    coverage, mean = _coverage(generate, fit, rho, seed=3)
    assert LOW <= coverage <= HIGH
    assert mean == pytest.approx(rho, abs=0.02)


def test_welch_intervals_cover_the_true_mean_difference():
    def generate(rng):
        a = rng.normal(0.0, 1.0, 40)
        b = rng.normal(0.5, 2.0, 70)  # unequal variances and sizes: Welch's case
        return pd.DataFrame({"y": np.r_[a, b], "g": ["a"] * 40 + ["b"] * 70})

    def fit(frame):
        pair = stats.compare_groups(frame, "y", "g", method="welch").posthoc.iloc[0]
        return pair["ci_low"], pair["ci_high"], pair["estimate"]

    # ground truth: mean(a) - mean(b) = -0.5
    coverage, mean = _coverage(generate, fit, -0.5, seed=4)
    assert LOW <= coverage <= HIGH
    assert mean == pytest.approx(-0.5, abs=0.05)

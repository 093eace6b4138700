"""The study synthesis: agencies' recorded verdicts pooled by meta-analysis, agencies compared."""

import numpy as np
import pandas as pd
import pytest

from analysis import stats
from analysis.cleaning.scoring import score_constructs
from analysis.config import paths
from analysis.io import store
from analysis.reporting import hypotheses, model_figures, scorecard, synthesis
from analysis.reporting.results import ResultLog


@pytest.fixture(scope="module")
def study_data(demo_study, tmp_path_factory):
    """Each demo agency's verdicts recorded as the report notebook records them."""
    reports = tmp_path_factory.mktemp("reports")
    data_dir = paths.processed_dir(demo_study)
    responses = store.read_partition(data_dir, "responses")
    scores = score_constructs(responses, demo_study)
    for agency in demo_study.agencies:
        mine = scores["agency_id"] == agency.id
        verdicts, _ = hypotheses.run_hypotheses(
            scores[mine], demo_study, responses[mine.to_numpy()]
        )
        log = ResultLog(agency=agency.id)
        log.record("hypothesis", verdicts)
        log.write(reports / agency.id / "results.json")
    return {
        "reports": reports,
        "scores": scores,
        "posts": store.read_partition(data_dir, "posts"),
        "comments": store.read_partition(data_dir, "comments"),
        "metrics": scorecard.read_agency_metrics(demo_study),
    }


def test_estimates_are_the_recorded_ones_with_p_adjusted_across_agencies(demo_study, study_data):
    results = synthesis.read_agency_results(
        study_data["reports"], [a.id for a in demo_study.agencies]
    )
    estimates = synthesis.agency_estimates(results, demo_study)
    h1 = estimates[estimates["hypothesis"] == "H1"]
    assert len(h1) == len(demo_study.agencies)
    # Holm across the 10 agencies: never below the unadjusted p, smallest p times 10 (capped)
    assert (h1["p_holm_agencies"] >= h1["p_value"]).all()
    assert h1["p_holm_agencies"].min() == pytest.approx(min(1, 10 * h1["p_value"].min()))


def test_pooled_estimate_is_metafor_rma_on_the_agencies(demo_study, study_data):
    results = synthesis.read_agency_results(
        study_data["reports"], [a.id for a in demo_study.agencies]
    )
    estimates = synthesis.agency_estimates(results, demo_study)
    pooled = synthesis.pooled_estimates(estimates, demo_study)
    assert set(pooled["method"]) == {"REML", "DL"}
    # the group comparison has no single estimate, so it is not pooled
    assert "H6" not in set(pooled["hypothesis"])
    h1 = estimates[estimates["hypothesis"] == "H1"]
    reml = pooled[(pooled["hypothesis"] == "H1") & (pooled["method"] == "REML")].iloc[0]
    # second route: stats.meta_analysis (tested against metafor) on the same ten rows
    direct = stats.meta_analysis(h1["estimate"], h1["se"], method="REML").pooled.iloc[0]
    assert reml["estimate"] == pytest.approx(direct["estimate"])
    assert reml["pi_low"] <= reml["ci_low"] <= reml["estimate"] <= reml["ci_high"]
    # demo truth: latent slope 0.3 of trust on smu in every agency, so the pooled H1
    # estimate of the observed-score slope is positive and its interval excludes 0
    assert reml["ci_low"] > 0
    figures = model_figures.forest_plots(estimates, pooled, demo_study, "en")
    assert list(figures) == list(dict.fromkeys(pooled["hypothesis"]))
    assert all(len(figure.axes) == 1 for figure in figures.values())


def test_pooled_models_agree_with_the_per_agency_picture(demo_study, study_data):
    table = synthesis.pooled_models(study_data["scores"], demo_study)
    h1 = table[table["hypothesis"] == "H1"].set_index("model")
    assert set(h1.index) == {"random_intercept", "fixed_effects"}
    assert (h1["groups"] == len(demo_study.agencies)).all()
    # random intercept and fixed effects estimate the same within-agency slope here (the
    # generator centres each agency's predictors): within two SEs of each other
    difference = abs(h1.loc["random_intercept", "estimate"] - h1.loc["fixed_effects", "estimate"])
    assert difference < 2 * h1["se"].max()


def test_agency_table_and_triangulation(demo_study, study_data):
    results = synthesis.read_agency_results(
        study_data["reports"], [a.id for a in demo_study.agencies]
    )
    estimates = synthesis.agency_estimates(results, demo_study)
    table = synthesis.agency_table(
        study_data["scores"], study_data["metrics"], estimates, demo_study
    )
    assert len(table) == len(demo_study.agencies)
    assert synthesis.main_outcome(demo_study) == "trust"
    # the trust mean is stats.describe's of the agency's respondents
    first = table.iloc[0]
    mine = study_data["scores"][study_data["scores"]["agency_id"] == first["agency"]]
    assert first["outcome_mean"] == pytest.approx(mine["trust"].mean())
    # demo comment threads: planted reply rates between 0 and 100 %
    assert table["reply_rate"].between(0, 100).all()
    assert table["supported"].str.fullmatch(r"\d+/\d+").all()
    correlations = synthesis.triangulation(table, demo_study)
    assert set(correlations["n"]) == {len(demo_study.agencies)}
    assert np.isfinite(correlations["r"]).all()
    assert isinstance(correlations, pd.DataFrame)


def test_agency_level_hypotheses_correlate_agency_means(demo_study, study_data):
    variables = synthesis.agency_variables(study_data["scores"], study_data["metrics"], demo_study)
    assert len(variables) == len(demo_study.agencies)
    # the agency mean of trust is the plain mean of its respondents' scores
    first = variables.iloc[0]
    mine = study_data["scores"][study_data["scores"]["agency_id"] == first["agency"]]
    assert first["trust"] == pytest.approx(mine["trust"].astype(float).mean())
    table = synthesis.agency_hypotheses(variables, demo_study)
    declared = [h.id for h in demo_study.hypotheses if h.level == "agency"]
    assert table["hypothesis"].tolist() == declared
    row = table.iloc[0]
    # second route: stats.correlations (tested against R cor.test) on the same ten agencies
    direct = stats.correlations(variables, ["reply_rate", "trust"], method="spearman").iloc[0]
    assert row["r"] == pytest.approx(direct["r"]) and row["n"] == len(demo_study.agencies)
    assert row["decision"] in {"supported", "not_supported"}


def test_agency_engagement_and_replies_are_the_agency_reports_statistics(demo_study, study_data):
    """The study report reads them from the metric table made at clean time; recompute each
    agency's from its own posts and comments, as its agency report does."""
    variables = synthesis.agency_variables(study_data["scores"], study_data["metrics"], demo_study)
    zone = demo_study.study.timezone
    for agency in demo_study.agencies:
        row = variables.set_index("agency").loc[agency.id]
        posts = study_data["posts"][study_data["posts"]["agency_id"] == agency.id]
        comments = study_data["comments"][study_data["comments"]["agency_id"] == agency.id]
        # second route: stats.engagement_metrics per platform, E averaged, posts/week summed
        metrics = stats.engagement_metrics(posts, agency.followers, zone)
        e = metrics.loc[metrics["metric"] == "E", "value"].astype(float).mean()
        per_week = metrics.loc[metrics["metric"] == "posts_per_week", "value"].astype(float)
        assert row["engagement_index"] == pytest.approx(e, abs=1e-6)
        assert row["posts_per_week"] == pytest.approx(per_week.sum(), abs=1e-6)
        # second route: stats.responsiveness per platform, answered questions over asked ones
        replies = stats.responsiveness(comments, timezone=zone)
        answered = replies[replies["metric"] == "answered_share"]
        share = 100 * answered["numerator"].sum() / answered["denominator"].sum()
        assert row["reply_rate"] == pytest.approx(share, abs=1e-6)


@pytest.mark.parametrize(("agencies", "figures"), [(12, 1), (100, 1), (150, 2), (250, 3)])
def test_each_forest_plot_fits_one_a4_page_at_any_number_of_agencies(demo_study, agencies, figures):
    rng = np.random.default_rng(agencies)
    estimates = pd.DataFrame(
        {
            "hypothesis": "H1",
            "agency": [f"agency-{k:03d}" for k in range(agencies)],
            "estimate": rng.normal(0.3, 0.1, agencies),
        }
    )
    estimates = estimates.assign(
        ci_low=estimates["estimate"] - 0.2, ci_high=estimates["estimate"] + 0.2
    )
    summary = {"estimate": 0.3, "ci_low": 0.25, "ci_high": 0.35, "pi_low": 0.1, "pi_high": 0.5}
    pooled = pd.DataFrame(
        [{"hypothesis": "H1", "method": "REML", "tau2": 0.01, "i2": 20.0, **summary}]
    )
    drawn = model_figures.forest_plots(estimates, pooled, demo_study, "en")
    assert len(drawn) == figures
    shown = []
    for figure in drawn.values():
        width, height = figure.get_size_inches()
        # the A4 text width (180 mm) and no taller than a page holds under its caption
        assert width <= 180 / 25.4 and height <= model_figures.FOREST_MAX_HEIGHT
        labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
        assert labels[-1] == "Pooled"  # every part carries the pooled estimate
        shown += labels[:-1]
        fonts = {label.get_fontsize() for label in figure.axes[0].get_yticklabels()}
        assert min(fonts) >= model_figures.FOREST_MIN_FONT
    assert shown == estimates["agency"].tolist()  # every agency once, in order

"""PermenPAN-RB 83/2012 scorecard: ranks against scipy, thresholds and weights by hand, the
small-account bias of per-follower indices against pingouin and generated agencies, and the
worked example of docs/examples/engagement.md."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats as distributions

from analysis.errors import ConfigError, InputError
from analysis.stats.activity import CROSS_PLATFORM_METRICS
from analysis.stats.engagement import engagement_metrics
from analysis.stats.responsiveness import METRICS as RESPONSIVENESS_METRICS
from analysis.stats.scorecard import (
    DEFAULT_MAPPING,
    METRIC_SCORES_TABLE,
    NOT_OPERATIONALISED,
    PRINCIPLES,
    SCORECARD_TABLE,
    metric_scores,
    scorecard,
    size_bias,
)
from analysis.tables import POSTS, conform

from .conftest import PROJECT


def long_table(values: dict[str, dict[str, float]]) -> pd.DataFrame:
    """{metric: {agency: value}} as the long agency_id, metric, value table."""
    return pd.DataFrame(
        [
            {"agency_id": agency, "metric": metric, "value": value}
            for metric, by_agency in values.items()
            for agency, value in by_agency.items()
        ]
    )


@pytest.fixture
def metrics() -> pd.DataFrame:
    return long_table(
        {
            "answered_share": {"a": 90.0, "b": 50.0, "c": 70.0, "d": 70.0, "e": 10.0},
            "median_hours_to_reply": {"a": 1.0, "b": 30.0, "c": 5.0, "d": 2.0},
            "cross_posted_share": {"a": 40.0, "b": 0.0, "c": 20.0, "d": 60.0, "e": 10.0},
            "platforms_active": {"a": 3, "b": 1, "c": 2, "d": 3, "e": 2},
            "weeks_active_share": {"a": 100.0, "b": 25.0, "c": 75.0, "d": 90.0, "e": 50.0},
        }
    )


def test_percentile_ranks_match_scipy(metrics):
    scores = metric_scores(metrics)
    answered = scores[scores["metric"] == "answered_share"].set_index("agency_id")["score"]
    values = metrics[metrics["metric"] == "answered_share"]["value"].to_numpy()
    n = len(values)
    for agency, value in zip("abcde", values, strict=True):
        # scipy.stats.percentileofscore(kind="mean") counts this agency as half below itself;
        # among the other n - 1 agencies that is (n x pct / 100 - 1/2) / (n - 1)
        pct = distributions.percentileofscore(values, value, kind="mean")
        assert answered[agency] == pytest.approx((n * pct / 100 - 0.5) / (n - 1) * 100)
    # best 100, worst 0, the tie c = d shares the mean of ranks 3 and 4
    assert answered.to_dict() == pytest.approx(
        {"a": 100.0, "b": 25.0, "c": 62.5, "d": 62.5, "e": 0.0}
    )
    hours = scores[scores["metric"] == "median_hours_to_reply"].set_index("agency_id")["score"]
    # lower is better: 1 h best; e has no replies timed and is left out of the ranking
    assert hours.to_dict() == pytest.approx({"a": 100.0, "d": 200 / 3, "c": 100 / 3, "b": 0.0})
    assert list(scores.columns) == list(METRIC_SCORES_TABLE)


def test_principle_scores_are_weighted_means_of_the_available_metrics(metrics):
    table = scorecard(metrics)
    assert list(table.columns) == list(SCORECARD_TABLE)
    assert dict(table.dtypes.astype(str)) == SCORECARD_TABLE
    rows = table.set_index(["agency_id", "principle"])
    # a: 100 on both responsive metrics; e: answered 0, no reply time -> 0 on one metric
    assert rows.loc[("a", "responsive"), "score"] == 100
    assert rows.loc[("e", "responsive"), "score"] == 0
    assert rows.loc[("e", "responsive"), "n_metrics"] == 1
    assert rows.loc[("e", "responsive"), "metrics_used"] == "answered_share"
    # c integrated: cross_posted 50 (rank 3 of 5), platforms 25 (ties b-e at 2: mean rank 2.5)
    assert rows.loc[("c", "integrated"), "score"] == pytest.approx((50 + 37.5) / 2)
    weighted = {
        "responsive": [{"metric": "answered_share", "direction": "higher", "weight": 3}]
        + [{"metric": "median_hours_to_reply", "direction": "lower", "weight": 1}]
    }
    c = scorecard(metrics, weighted).set_index("agency_id").loc["c", "score"]
    assert c == pytest.approx((3 * 62.5 + 1 * 100 / 3) / 4)
    assert table["principle"].unique().tolist() == list(DEFAULT_MAPPING)


def test_reference_thresholds_score_against_fixed_values(metrics):
    # Meta's "very responsive" badge: 90 % replied; 24 h scores 0 and 15 min scores 100
    reference = {"answered_share": (0, 90), "median_hours_to_reply": (24, 0.25)}
    scores = metric_scores(metrics, reference=reference)
    answered = scores[scores["metric"] == "answered_share"].set_index("agency_id")
    assert answered["score"].to_dict() == pytest.approx(
        {"a": 100.0, "b": 500 / 9, "c": 700 / 9, "d": 700 / 9, "e": 100 / 9}
    )
    hours = scores[scores["metric"] == "median_hours_to_reply"].set_index("agency_id")["score"]
    assert hours["b"] == 0  # 30 h, clipped
    assert hours["c"] == pytest.approx((24 - 5) / (24 - 0.25) * 100)
    assert set(answered["method"]) == {"reference"}
    with pytest.raises(ConfigError, match="does not fit direction") as error:
        metric_scores(metrics, reference={"median_hours_to_reply": (0, 24)})
    assert error.value.column == "reference.median_hours_to_reply"
    with pytest.raises(ConfigError, match="not in the scorecard mapping"):
        metric_scores(metrics, reference={"E": (0, 10)})


def test_one_agency_has_no_percentile_rank_but_a_reference_score():
    single = long_table({"answered_share": {"a": 80.0}})
    with pytest.warns(UserWarning, match="not in the metrics table"):
        table = scorecard(single).set_index("principle")
    assert table.loc["responsive", "score"] is pd.NA
    with pytest.warns(UserWarning):
        scored = scorecard(single, reference={"answered_share": (0, 100)})
    assert scored.set_index("principle").loc["responsive", "score"] == 80


def test_default_mapping_uses_metrics_the_package_computes():
    computed = set(RESPONSIVENESS_METRICS) | set(CROSS_PLATFORM_METRICS)
    used = {e["metric"] for entries in DEFAULT_MAPPING.values() for e in entries}
    assert used <= computed
    assert set(DEFAULT_MAPPING) | set(NOT_OPERATIONALISED) == set(PRINCIPLES)
    assert not set(DEFAULT_MAPPING) & set(NOT_OPERATIONALISED)


def test_size_bias_matches_pingouin_spearman():
    rng = np.random.default_rng(8)
    agencies = [f"dinas-{i}" for i in range(15)]
    followers = dict(zip(agencies, rng.lognormal(9, 1, 15), strict=True))
    values = {a: 1000 / followers[a] ** 0.4 * rng.lognormal(0, 0.3) for a in agencies}
    table = size_bias(long_table({"P3": values}), followers).iloc[0]
    x = pd.Series(values)
    # second implementation: pingouin.corr(method="spearman")
    reference = pg.corr(x, pd.Series(followers)[x.index], method="spearman")
    assert table["rho"] == pytest.approx(reference["r"].iloc[0], rel=1e-12)
    assert table["p_value"] == pytest.approx(reference["p_val"].iloc[0], rel=1e-9)
    assert table["n_agencies"] == 15 and table["favours"] == "small accounts"


def test_per_follower_index_favours_small_accounts_on_generated_posts():
    # 12 agencies; interactions grow with the square root of followers, as they tend to
    rng = np.random.default_rng(3)
    rows, followers = [], {}
    for i in range(12):
        agency, fans = f"dinas-{i:02d}", float(rng.choice([800, 3000, 12000, 50000, 200000]))
        followers[agency] = fans
        for post in range(30):
            likes = rng.poisson(np.sqrt(fans))
            rows.append(
                {
                    "agency_id": agency,
                    "platform": "instagram",
                    "post_id": f"{agency}-{post}",
                    "published_at": pd.Timestamp("2026-05-01", tz="UTC") + pd.Timedelta(days=post),
                    "likes": likes,
                    "comments": rng.poisson(np.sqrt(fans) / 10),
                    "shares": rng.poisson(np.sqrt(fans) / 20),
                    "followers_at_post": fans,
                }
            )
    posts = conform(pd.DataFrame(rows), POSTS)
    indices = engagement_metrics(posts)
    table = size_bias(indices[indices["metric"].isin(["P2", "P3", "E"])], followers)
    table = table.set_index("metric")
    assert table.loc["P3", "favours"] == "small accounts" and table.loc["P3", "rho"] < -0.8
    assert table.loc["E", "favours"] == "small accounts"
    # the raw average is not divided by followers and favours large accounts
    assert table.loc["P2", "favours"] == "large accounts"


def test_bad_metrics_and_mappings_are_named(metrics):
    with pytest.raises(InputError) as error:
        scorecard(metrics.rename(columns={"value": "nilai"}))
    assert error.value.column == "value"
    with pytest.raises(InputError, match="no rows"):
        scorecard(metrics.iloc[:0])
    with pytest.raises(InputError, match="expected numbers"):
        scorecard(metrics.assign(value="tinggi"))
    per_platform = pd.concat([metrics.assign(platform="x"), metrics.assign(platform="facebook")])
    with pytest.raises(InputError, match="one row per agency and metric"):
        scorecard(per_platform)
    bad = {"responsive": [{"metric": "answered_share", "direction": "up"}]}
    with pytest.raises(ConfigError) as error:
        scorecard(metrics, bad)
    assert error.value.column == "scorecard.responsive[0].direction"
    with pytest.raises(ConfigError, match="weight must be a number > 0"):
        scorecard(metrics, {"responsive": [{"metric": "answered_share", "weight": 0}]})
    with pytest.raises(ConfigError, match="expected a list"):
        scorecard(metrics, {"responsive": "answered_share"})
    with pytest.raises(ConfigError, match="unknown keys"):
        scorecard(metrics, {"responsive": [{"metric": "answered_share", "weigth": 2}]})
    with pytest.warns(UserWarning, match="'answerd_share'"):
        scorecard(metrics, {"responsive": [{"metric": "answerd_share"}]})
    with pytest.raises(InputError, match="followers"):
        size_bias(metrics, [1, 2, 3])


def test_worked_example_runs_and_gives_the_documented_numbers():
    text = (PROJECT / "docs" / "examples" / "engagement.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "docs/examples/engagement.md", "exec"), namespace)
    nb = namespace["nb"].tidy().set_index("term")
    # R: glm.nb(Days ~ Eth + Sex + Age + Lrn, data = quine): EthN -0.56937 (SE 0.15333)
    assert nb.loc["Eth[N]", "estimate"] == pytest.approx(-0.56937, abs=1e-5)
    # the example fits the published series with errors="ols", so its numbers are R's
    # lm(outcome ~ month + post + monthpost): post 9.6876 + monthpost 1.7832
    assert namespace["its"].errors == "ols"
    its = namespace["its"].tidy().set_index("term")
    assert its.loc["level_change", "estimate"] == pytest.approx(9.6876 + 1.7832, abs=1e-4)
    assert namespace["weekly"].errors == "ar1"  # the agency's series: the default AR(1) errors
    card = namespace["card"]
    assert set(card["principle"]) == set(DEFAULT_MAPPING)
    assert card["score"].notna().any()

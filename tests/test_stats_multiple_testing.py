"""p-value adjustment against the textbook formulas (computed by hand) and statsmodels."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from analysis.errors import InputError
from analysis.stats.multiple_testing import adjust_pvalues

# m = 5, unsorted; sorted: 0.001 (2nd), 0.012 (5th), 0.03 (3rd), 0.04 (1st), 0.2 (4th)
P = [0.04, 0.001, 0.03, 0.2, 0.012]
# By hand, as R p.adjust: Holm = running max of (m - i + 1) p_(i): .005 .048 .09 .08->.09 .2
HOLM = [0.09, 0.005, 0.09, 0.2, 0.048]
# BH = running min from the top of m p_(i) / i: .005 .03 .05 .05 .2
BH = [0.05, 0.005, 0.05, 0.2, 0.03]
# Bonferroni = min(1, m p)
BONFERRONI = [0.2, 0.005, 0.15, 1.0, 0.06]


@pytest.mark.parametrize(
    "method, expected", [("holm", HOLM), ("fdr_bh", BH), ("bonferroni", BONFERRONI)]
)
def test_adjustment_matches_the_textbook_formulas_and_statsmodels(method, expected):
    adjusted = adjust_pvalues(P, method)
    # hand-computed values above (R: p.adjust(p, method = "holm" / "BH" / "bonferroni"))
    assert adjusted == pytest.approx(expected)
    # second implementation: statsmodels multipletests
    assert adjusted == pytest.approx(list(multipletests(P, method=method)[1]))


@pytest.mark.parametrize("seed", range(20))
def test_holm_matches_statsmodels_on_random_families_with_ties(seed):
    rng = np.random.default_rng(seed)
    family = rng.choice([0.001, 0.01, 0.02, 0.04, 0.3, 1.0], size=7)
    family = np.where(rng.random(7) < 0.5, rng.random(7), family)
    # second implementation: statsmodels multipletests(method="holm")
    assert adjust_pvalues(family, "holm") == pytest.approx(multipletests(family, method="holm")[1])


def test_missing_p_values_stay_in_place_and_are_not_counted():
    adjusted = adjust_pvalues([0.04, np.nan, 0.001, 0.03, None, 0.2, 0.012], "holm")
    # R p.adjust: NA stays NA and n = number of non-missing p-values (5 here, as above)
    assert adjusted[:1] + adjusted[2:4] + adjusted[5:] == pytest.approx(HOLM)
    assert np.isnan(adjusted[1]) and np.isnan(adjusted[4])


def test_the_result_has_the_type_and_shape_of_the_input():
    series = pd.Series(P, index=list("abcde"), name="p")
    adjusted = adjust_pvalues(series, "fdr_bh")
    assert isinstance(adjusted, pd.Series) and adjusted.name == "p"
    assert adjusted.index.tolist() == list("abcde")
    assert adjusted.tolist() == pytest.approx(BH)

    matrix = adjust_pvalues(np.array(P[:4]).reshape(2, 2), "bonferroni")
    assert isinstance(matrix, np.ndarray) and matrix.shape == (2, 2)
    assert matrix.ravel() == pytest.approx([0.16, 0.004, 0.12, 0.8])

    as_tuple = adjust_pvalues(tuple(P), "holm")
    assert isinstance(as_tuple, tuple) and list(as_tuple) == pytest.approx(HOLM)
    assert adjust_pvalues(0.03) == pytest.approx(0.03)


def test_all_missing_gives_all_missing():
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()


def test_bad_input_gets_a_clear_error():
    with pytest.raises(InputError, match="between 0 and 1; got 1.2"):
        adjust_pvalues([0.01, 1.2])
    with pytest.raises(InputError, match="must be numbers"):
        adjust_pvalues([0.01, "low"])
    with pytest.raises(ValueError, match="unknown p-value adjustment 'BH'"):
        adjust_pvalues(P, "BH")

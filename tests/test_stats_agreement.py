"""Agreement against SAS PROC FREQ, R irr::kappa2, scikit-learn and Krippendorff (2011)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from analysis.errors import InputError
from analysis.stats.agreement import KAPPA_COLUMNS, cohen_kappa, krippendorff_alpha

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: 4 observers
# (rows) x 12 units (columns), missing values as NaN.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]
# The krippendorff package's documented example: 3 coders x 15 units
PACKAGE_EXAMPLE = [
    [nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
    [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
    [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4],
]
# R irr's anxiety data (20 subjects x 3 raters), as typed in statsmodels' inter-rater tests
ANXIETY = np.array(
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3]
    + [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
    + [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]
).reshape(3, 20)


def _codes_from_table(table):
    """Two raters' codes from a square table of counts (rows: rater 1, columns: rater 2)."""
    first, second = [], []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [i] * count
            second += [j] * count
    return first, second


def test_kappa_and_standard_errors_match_sas_proc_freq():
    first, second = _codes_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    row = cohen_kappa(first, second).iloc[0]
    # SAS PROC FREQ / AGREE on this table (as printed in statsmodels' test_inter_rater.py):
    # Kappa 0.4842, ASE 0.1380, 95% CL 0.2137 0.7547; ASE under H0 0.1484, Z 3.2626,
    # two-sided Pr > |Z| 0.0011
    assert [row["kappa"], row["se"], row["ci_low"], row["ci_high"]] == pytest.approx(
        [0.4842, 0.1380, 0.2137, 0.7547], abs=5e-5
    )
    assert row["z"] == pytest.approx(3.2626, abs=5e-5)
    assert row["p_value"] == pytest.approx(0.0011, abs=5e-5)
    assert row["n"] == 19 and row["agreement"] == pytest.approx(13 / 19)
    assert list(cohen_kappa(first, second).columns) == list(KAPPA_COLUMNS)


def test_linear_weighted_kappa_matches_sas_proc_freq():
    first, second = _codes_from_table([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    row = cohen_kappa(first, second, weights="linear").iloc[0]
    # SAS weighted kappa (Cicchetti-Allison = linear weights): 0.4701, ASE 0.1457,
    # 95% CL 0.1845 0.7558; ASE under H0 0.1426, Z 3.2971, two-sided p 0.0010
    assert [row["kappa"], row["se"], row["ci_low"], row["ci_high"]] == pytest.approx(
        [0.4701, 0.1457, 0.1845, 0.7558], abs=5e-5
    )
    assert row["z"] == pytest.approx(3.2971, abs=5e-5)
    assert row["p_value"] == pytest.approx(0.0010, abs=5e-5)
    assert row["weights"] == "linear"


@pytest.mark.parametrize(
    "weights, kappa, z, p",
    [
        # R: irr::kappa2(anxiety[, 2:3]): Kappa = -0.006289308, z = -0.0604067, p = 0.9518317
        (None, -0.006289308, -0.0604067, 0.9518317),
        # R: irr::kappa2(anxiety[, 2:3], "equal"): 0.1459075, z = 1.282472, p = 0.1996772
        ("linear", 0.1459075, 1.282472, 0.1996772),
        # R: irr::kappa2(anxiety[, 2:3], "squared"): 0.2520325, z = 1.437451, p = 0.1505898
        ("quadratic", 0.2520325, 1.437451, 0.1505898),
    ],
)
def test_kappa_and_z_match_r_irr_on_anxiety(weights, kappa, z, p):
    row = cohen_kappa(ANXIETY[1], ANXIETY[2], weights=weights).iloc[0]
    assert row["kappa"] == pytest.approx(kappa, abs=5e-7)
    assert row["z"] == pytest.approx(z, abs=5e-6)
    assert row["p_value"] == pytest.approx(p, abs=5e-7)


@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
def test_kappa_matches_scikit_learn(weights):
    rng = np.random.default_rng(11)
    first = rng.integers(1, 6, size=80)
    second = np.clip(first + rng.integers(-1, 2, size=80), 1, 5)
    # second implementation: sklearn.metrics.cohen_kappa_score
    expected = cohen_kappa_score(first, second, weights=weights)
    assert cohen_kappa(first, second, weights=weights).iloc[0]["kappa"] == pytest.approx(expected)


def test_units_missing_a_code_are_left_out():
    first = pd.Series([1, 2, 3, None, 2, 1, 3])
    second = [1, 2, 2, 3, nan, 1, 3]
    row = cohen_kappa(first, second).iloc[0]
    assert row["n"] == 5
    # the kappa of the five complete pairs (scikit-learn)
    assert row["kappa"] == pytest.approx(cohen_kappa_score([1, 2, 3, 1, 3], [1, 2, 2, 1, 3]))


def test_weighted_kappa_follows_the_order_of_an_ordered_categorical():
    levels = ["low", "mid", "high"]
    first = pd.Categorical(["low", "mid", "high", "mid", "low", "high"], levels, ordered=True)
    second = pd.Categorical(["low", "high", "high", "mid", "mid", "high"], levels, ordered=True)
    ranks = {"low": 0, "mid": 1, "high": 2}
    as_numbers = cohen_kappa(
        [ranks[c] for c in first], [ranks[c] for c in second], weights="linear"
    ).iloc[0]
    as_labels = cohen_kappa(pd.Series(first), pd.Series(second), weights="linear").iloc[0]
    assert as_labels["kappa"] == pytest.approx(as_numbers["kappa"])


def test_one_code_only_gives_nan_kappa():
    row = cohen_kappa(["yes"] * 4, ["yes"] * 4).iloc[0]
    assert np.isnan(row["kappa"]) and row["agreement"] == 1 and row["n"] == 4


def test_kappa_bad_input_gets_a_clear_error():
    with pytest.raises(InputError, match="coded 3 and 2 units"):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(InputError, match="needs ordered codes"):
        cohen_kappa(["a", "b", "c"], ["a", "c", "c"], weights="linear")
    with pytest.raises(InputError, match="no unit has codes from both raters"):
        cohen_kappa([1, nan], [nan, 2])
    with pytest.raises(ValueError, match="unknown kappa weights 'equal'"):
        cohen_kappa([1, 2], [1, 2], weights="equal")


@pytest.mark.parametrize(
    "level, published",
    # Krippendorff (2011): nominal .743, ordinal .815, interval .849, ratio .797
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_matches_krippendorff_2011(level, published):
    row = krippendorff_alpha(KRIPPENDORFF_2011, level=level).iloc[0]
    assert row["alpha"] == pytest.approx(published, abs=5e-4)
    # Krippendorff (2011): unit 12 has one value; n.. = 40 pairable values in 11 units
    assert (row["n_units"], row["n_coders"], row["n_pairable"]) == (11, 4, 40)
    assert row["level"] == level


def test_alpha_matches_the_krippendorff_package_example_and_takes_a_dataframe():
    frame = pd.DataFrame(PACKAGE_EXAMPLE, index=["A", "B", "C"])
    # krippendorff.alpha docstring: nominal 0.691358, interval 0.810845
    assert krippendorff_alpha(frame).iloc[0]["alpha"] == pytest.approx(0.691358, abs=5e-7)
    interval = krippendorff_alpha(frame, level="interval").iloc[0]["alpha"]
    assert interval == pytest.approx(0.810845, abs=5e-7)


def test_nominal_alpha_takes_string_codes():
    letters = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}
    coded = [[letters.get(v) for v in row] for row in KRIPPENDORFF_2011]
    # relabelling nominal codes does not change alpha (Krippendorff 2011: .743)
    assert krippendorff_alpha(coded).iloc[0]["alpha"] == pytest.approx(0.743, abs=5e-4)


def test_alpha_is_nan_when_every_code_is_the_same():
    row = krippendorff_alpha([[1, 1, nan], [1, 1, 1]]).iloc[0]
    assert np.isnan(row["alpha"]) and row["n_units"] == 2


def test_alpha_bad_input_gets_a_clear_error():
    with pytest.raises(InputError, match='ordinal alpha needs numeric codes; found "low"'):
        krippendorff_alpha([["low", "high"], ["low", "low"]], level="ordinal")
    with pytest.raises(InputError, match="at least two coders"):
        krippendorff_alpha([[1, 2, 3]])
    with pytest.raises(InputError, match="no unit was coded by two or more coders"):
        krippendorff_alpha([[1, nan], [nan, 2]])
    with pytest.raises(ValueError, match="unknown level of measurement 'metric'"):
        krippendorff_alpha(KRIPPENDORFF_2011, level="metric")

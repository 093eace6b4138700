"""AVE, CR, Fornell-Larcker and HTMT against lavaan's published loadings and a direct HTMT."""

import math
import re

import numpy as np
import pandas as pd
import pytest
from semopy.examples import holzinger39, political_democracy

from analysis.errors import InputError
from analysis.stats.validity import CONSTRUCT_COLUMNS, TIDY_COLUMNS, validity

from .conftest import PROJECT

HS_CONSTRUCTS = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
DEMOCRACY_CONSTRUCTS = {
    "industrialization 1960": ["x1", "x2", "x3"],
    "democracy 1960": ["y1", "y2", "y3", "y4"],
    "democracy 1965": ["y5", "y6", "y7", "y8"],
}
# lavaan tutorial (cfa.html), summary(fit, standardized = TRUE), Std.all of the loadings
HS_STD_ALL = {
    "visual": [0.772, 0.424, 0.581],
    "textual": [0.852, 0.855, 0.838],
    "speed": [0.570, 0.723, 0.665],
}
# lavaan inspect(cfa(m0_model), "standardized") printed in github.com/jeromyanglim/
# lavaan-examples, ex2-paper/ex2-paper.md: loadings and factor correlations
DEMOCRACY_STD_ALL = {
    "industrialization 1960": [0.920, 0.973, 0.872],
    "democracy 1960": [0.845, 0.760, 0.705, 0.860],
    "democracy 1965": [0.803, 0.783, 0.819, 0.847],
}
DEMOCRACY_CORRELATIONS = {
    ("industrialization 1960", "democracy 1960"): 0.448,
    ("industrialization 1960", "democracy 1965"): 0.555,
    ("democracy 1960", "democracy 1965"): 0.978,
}
# AVE and CR from loadings printed with three decimals: rounding moves them by < 1e-3
ROUNDED = 1e-3


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return holzinger39.get_data()


@pytest.fixture(scope="module")
def hs_validity(hs):
    return validity(hs, HS_CONSTRUCTS)


@pytest.fixture(scope="module")
def democracy_validity():
    return validity(political_democracy.get_data(), DEMOCRACY_CONSTRUCTS)


def _ave(loadings):
    return float(np.mean(np.square(loadings)))


def _cr(loadings):
    # Fornell & Larcker (1981): (sum l)^2 / ((sum l)^2 + sum(1 - l^2))
    squared_sum = sum(loadings) ** 2
    return squared_sum / (squared_sum + sum(1 - l**2 for l in loadings))  # noqa: E741


def test_ave_and_cr_match_lavaan_standardized_loadings(hs_validity):
    table = hs_validity.constructs.set_index("construct")
    assert list(hs_validity.constructs.columns) == list(CONSTRUCT_COLUMNS)
    for construct, loadings in HS_STD_ALL.items():
        # e.g. AVE visual = mean(.772^2, .424^2, .581^2) from lavaan's published std.all
        assert table.loc[construct, "ave"] == pytest.approx(_ave(loadings), abs=ROUNDED)
        assert table.loc[construct, "sqrt_ave"] == pytest.approx(
            math.sqrt(table.loc[construct, "ave"])
        )
        assert table.loc[construct, "composite_reliability"] == pytest.approx(
            _cr(loadings), abs=ROUNDED
        )
        assert table.loc[construct, "k"] == 3 and table.loc[construct, "n"] == 301


def test_fornell_larcker_matches_lavaan_factor_correlations(hs_validity):
    table = hs_validity.fornell_larcker
    assert list(table.index) == list(table.columns) == list(HS_CONSTRUCTS)
    # lavaan tutorial: covariances 0.408, 0.262, 0.173 and factor variances 0.809 (visual),
    # 0.979 (textual), 0.384 (speed); a correlation is cov / sqrt(var * var)
    variance = {"visual": 0.809, "textual": 0.979, "speed": 0.384}
    covariance = {("visual", "textual"): 0.408, ("visual", "speed"): 0.262,
                  ("textual", "speed"): 0.173}  # fmt: skip
    for (a, b), value in covariance.items():
        expected = value / math.sqrt(variance[a] * variance[b])
        assert table.loc[a, b] == pytest.approx(expected, abs=2e-3)
        assert table.loc[b, a] == table.loc[a, b]
    for construct in HS_CONSTRUCTS:
        assert table.loc[construct, construct] == pytest.approx(
            math.sqrt(_ave(HS_STD_ALL[construct])), abs=ROUNDED
        )


def test_political_democracy_validity_matches_published_standardized_solution(
    democracy_validity,
):
    table = democracy_validity.constructs.set_index("construct")
    for construct, loadings in DEMOCRACY_STD_ALL.items():
        assert table.loc[construct, "ave"] == pytest.approx(_ave(loadings), abs=ROUNDED)
        assert table.loc[construct, "composite_reliability"] == pytest.approx(
            _cr(loadings), abs=ROUNDED
        )
    for (a, b), value in DEMOCRACY_CORRELATIONS.items():
        assert democracy_validity.fornell_larcker.loc[a, b] == pytest.approx(value, abs=5e-4)
    # max shared variance: the largest squared factor correlation (.978^2 for both democracy
    # factors, .555^2 for industrialization); above AVE it fails the Fornell-Larcker criterion
    assert table.loc["democracy 1960", "max_shared_variance"] == pytest.approx(0.978**2, abs=1e-3)
    assert table.loc["industrialization 1960", "max_shared_variance"] == pytest.approx(
        0.555**2, abs=1e-3
    )
    assert table.loc["democracy 1960", "max_shared_variance"] > table.loc["democracy 1960", "ave"]


def _htmt_by_hand(data, items_a, items_b):
    """Henseler, Ringle & Sarstedt (2015), eq. 6, with explicit loops over item pairs."""
    r = np.corrcoef(data[items_a + items_b].to_numpy(), rowvar=False)
    ka, kb = len(items_a), len(items_b)
    hetero = np.mean([r[i, ka + j] for i in range(ka) for j in range(kb)])
    mono_a = np.mean([r[i, j] for i in range(ka) for j in range(i + 1, ka)])
    mono_b = np.mean([r[ka + i, ka + j] for i in range(kb) for j in range(i + 1, kb)])
    return hetero / math.sqrt(mono_a * mono_b)


def test_htmt_matches_a_direct_implementation_of_henseler(hs, hs_validity):
    table = hs_validity.htmt
    for a in HS_CONSTRUCTS:
        for b in HS_CONSTRUCTS:
            expected = 1.0 if a == b else _htmt_by_hand(hs, HS_CONSTRUCTS[a], HS_CONSTRUCTS[b])
            assert table.loc[a, b] == pytest.approx(expected, rel=1e-12)


def test_reverse_keyed_item_is_mirrored_before_everything(hs, hs_validity):
    flipped = hs.assign(x5=10 - hs["x5"])
    # mirroring x5 back restores the original data up to a constant: nothing may change
    again = validity(flipped, HS_CONSTRUCTS, reverse=["x5"])
    pd.testing.assert_frame_equal(again.constructs, hs_validity.constructs, atol=1e-6)
    pd.testing.assert_frame_equal(again.htmt, hs_validity.htmt, atol=1e-10)
    # without it the reversed item drags composite reliability of textual down
    unmirrored = validity(flipped, HS_CONSTRUCTS)
    table = unmirrored.constructs.set_index("construct")
    assert table.loc["textual", "composite_reliability"] < 0.5
    # and HTMT is undefined: textual's mean within-construct correlation is negative
    assert np.isnan(unmirrored.htmt.loc["visual", "textual"])


def test_tidy_lists_every_value_once(hs_validity):
    tidy = hs_validity.tidy()
    assert list(tidy.columns) == list(TIDY_COLUMNS)
    # 4 measures per construct, a latent correlation and an HTMT per pair
    assert len(tidy) == 3 * 4 + 3 * 2
    row = tidy[(tidy.construct == "visual") & (tidy.measure == "ave")].iloc[0]
    assert row["value"] == hs_validity.constructs.set_index("construct").loc["visual", "ave"]
    pair = tidy[(tidy.construct == "visual") & (tidy.other == "speed")]
    assert dict(zip(pair.measure, pair.value, strict=True)) == {
        "latent_correlation": hs_validity.fornell_larcker.loc["visual", "speed"],
        "htmt": hs_validity.htmt.loc["visual", "speed"],
    }


def test_measurement_model_fit_is_kept(hs_validity):
    # the joint CFA of the three constructs is the lavaan tutorial model: chi2 85.306 on 24 df
    assert hs_validity.measurement.fit.iloc[0]["chi2"] == pytest.approx(85.306, abs=5e-4)


def test_single_construct_has_no_shared_variance(hs):
    result = validity(hs, {"textual": ["x4", "x5", "x6"]})
    row = result.constructs.iloc[0]
    assert math.isnan(row["max_shared_variance"])
    assert result.htmt.loc["textual", "textual"] == 1.0


@pytest.mark.parametrize(
    "constructs, message",
    [
        ({"visual": ["x1", "x2", "x33"]}, 'item "x33" of construct "visual" is not a column'),
        ({"a": ["x1", "x2"], "b": ["x2", "x3"]}, 'item "x2" is in both "a" and "b"'),
        ({"a": ["x1"], "b": ["x2", "x3"]}, 'construct "a" has 1 item(s)'),
        ({"a": ["x1", "x2"]}, "at least 3 when it is the only construct"),
        ({}, "at least one construct"),
    ],
)
def test_bad_constructs_say_what_is_wrong(hs, constructs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        validity(hs, constructs)


def test_unknown_item_suggests_the_closest_column(hs):
    with pytest.raises(InputError) as error:
        validity(hs, {"visual": ["x1", "x2", "x33"]})
    assert error.value.column == "x33"
    assert error.value.hint == 'did you mean "x3"?'


def test_worked_example_runs_and_matches_lavaan():
    text = (PROJECT / "docs" / "examples" / "sem.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    namespace: dict = {}
    exec(compile(blocks[0], "docs/examples/sem.md", "exec"), namespace)
    # lavaan tutorial: the Holzinger-Swineford CFA has chi2 85.306 on 24 df; the
    # PoliticalDemocracy SEM 38.125 on 35 df
    assert namespace["fit"].iloc[0]["chi2"] == pytest.approx(85.306, abs=5e-4)
    assert namespace["democracy"].fit.iloc[0]["chi2"] == pytest.approx(38.125, abs=5e-4)
    visual = namespace["checks"].constructs.set_index("construct").loc["visual", "ave"]
    assert visual == pytest.approx(_ave(HS_STD_ALL["visual"]), abs=ROUNDED)

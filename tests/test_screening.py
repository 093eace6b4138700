"""Screening rules on small hand-made data, checked against hand counts and numpy."""

import numpy as np
import pandas as pd
from scipy import stats

from analysis.cleaning.screening import ScreeningInput, mahalanobis, screen, straightlining
from analysis.config import Screening


def _input(items, raw=None, email=None, duration=None, submitted=None):
    index = items.index
    return ScreeningInput(
        raw=raw if raw is not None else pd.DataFrame(index=index),
        items=items,
        agency_id=pd.Series("a", index=index, dtype="string"),
        email=email,
        duration=duration,
        submitted_at=submitted
        if submitted is not None
        else pd.Series(
            pd.date_range("2026-09-01", periods=len(index), freq="h", tz="UTC"), index=index
        ),
        keys=items,
    )


def _items(rows):
    return pd.DataFrame(
        rows, index=range(2, 2 + len(rows)), columns=[f"q{i}" for i in range(len(rows[0]))]
    ).astype(float)


def test_straightlining_uses_the_longest_run_of_identical_answers():
    items = _items([[3] * 8, [1, 2, 3, 4, 5, 4, 3, 2], [4, 4, 4, 4, 4, 4, 4, 5]])
    rule = Screening().straightlining
    mask, detail = straightlining(items, rule)
    assert mask.tolist() == [True, False, False]
    assert detail[2] == "same answer on 8 of 8 items in a row"


def test_duplicates_keep_the_earliest_submission():
    items = _items([[1, 2, 3], [3, 2, 1], [1, 2, 3], [5, 5, 4]])
    email = pd.Series(["a@x.id", "b@x.id", "c@x.id", "B@x.id"], index=items.index)
    rules = Screening.model_validate(
        {"straightlining": {"action": "off"}, "careless": {"action": "off"}}
    )
    hits = screen(_input(items, email=email), rules)
    assert hits.loc[4, "detail"] == "same answers as row 2"
    assert hits.loc[5, "detail"] == "same email as row 3"
    assert set(hits.index) == {4, 5} and set(hits["reason"]) == {"duplicate"}


def test_speeders_against_the_larger_of_both_limits():
    items = _items([[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 1]])
    duration = pd.Series([40.0, 100.0, 400.0, 500.0], index=items.index)
    rules = Screening.model_validate(
        {
            "speeders": {"min_seconds": 60, "min_fraction_of_median": 0.5},
            "straightlining": {"action": "off"},
        }
    )
    hits = screen(_input(items, duration=duration), rules)
    # median 250 s -> limit max(60, 125) = 125 s: rows 2 (40 s) and 3 (100 s) are speeders
    assert hits.index.tolist() == [2, 3]
    assert hits.loc[2, "detail"] == "completed in 40 s (minimum 125 s)"


def test_first_rule_wins_and_flags_do_not_exclude():
    items = _items([[3] * 8, [1, 2, 3, 4, 5, 4, 3, 2], [np.nan] * 7 + [1]])
    rules = Screening.model_validate({"straightlining": {"action": "flag"}})
    hits = screen(_input(items), rules)
    assert hits.loc[2, "action"] == "flag" and hits.loc[2, "reason"] == "straightlining"
    assert hits.loc[4, "reason"] == "too_many_missing" and hits.loc[4, "action"] == "exclude"


def test_mahalanobis_d2_equals_numpy_and_flags_the_contradicting_row():
    rng = np.random.default_rng(7)
    base = rng.normal(size=(300, 1))
    values = np.clip(np.round(3 + base + rng.normal(scale=0.4, size=(300, 4))), 1, 5)
    values[0] = [1, 5, 1, 5]  # contradicts the strong positive item correlation
    items = pd.DataFrame(values, index=range(2, 302))
    mask, detail = mahalanobis(items, 0.001)
    centred = values - values.mean(axis=0)
    d2 = np.einsum("ij,jk,ik->i", centred, np.linalg.inv(np.cov(values.T)), centred)
    assert detail[2] == f"Mahalanobis D2 = {round(d2[0], 1)}, p = " + detail[2].split("p = ")[1]
    assert mask[2] and mask.sum() < 10


def test_mahalanobis_uses_complete_cases_and_leaves_incomplete_rows_untested():
    rng = np.random.default_rng(11)
    values = np.clip(np.round(3 + rng.normal(size=(400, 1)) + rng.normal(0, 0.4, (400, 5))), 1, 5)
    values[0] = [1, 5, 1, 5, 1]  # an outlier among the complete rows
    values[1] = [1, 5, 1, 5, np.nan]  # the same pattern with an item missing: not tested
    values[rng.random(values.shape) < 0.03] = np.nan
    values[0] = [1, 5, 1, 5, 1]
    items = pd.DataFrame(values, index=range(2, 402)).astype("Float64")
    mask, detail = mahalanobis(items, 0.001)
    # Reference: numpy on the complete cases alone (mean and covariance of those rows).
    complete = ~np.isnan(values).any(axis=1)
    kept = values[complete]
    centred = kept - kept.mean(axis=0)
    d2 = np.einsum("ij,jk,ik->i", centred, np.linalg.inv(np.cov(kept.T)), centred)
    assert detail[2] == f"Mahalanobis D2 = {round(d2[0], 1)}, p = " + detail[2].split("p = ")[1]
    assert mask[2] and not mask[3] and not mask[~complete].any()


def test_identical_constant_answers_are_straight_lining_not_duplicates():
    # rows 2-4: the same constant vector (straight-liners); rows 5 and 6: a varied vector twice
    varied = [1, 2, 3, 4, 5, 4, 3, 2]
    items = _items([[3] * 8, [3] * 8, [3] * 8, varied, varied])
    hits = screen(_input(items), Screening.model_validate({"careless": {"action": "off"}}))
    assert hits["reason"].to_dict() == {
        2: "straightlining",
        3: "straightlining",
        4: "straightlining",
        6: "duplicate",
    }
    assert hits.loc[6, "detail"] == "same answers as row 5"


def test_an_email_or_response_id_repeat_is_a_duplicate_whatever_the_answers():
    items = _items([[3] * 8, [3] * 8, [1, 2, 3, 4, 5, 4, 3, 2], [2, 2, 3, 4, 5, 4, 3, 1]])
    data = _input(
        items, email=pd.Series(["a@x.id", "A@x.id ", "b@x.id", "c@x.id"], index=items.index)
    )
    data.response_id = pd.Series(["R_1", "R_2", "R_3", "R_3"], index=items.index)
    rules = Screening.model_validate(
        {"duplicates": {"keys": ["email", "response_id"]}, "careless": {"action": "off"}}
    )
    hits = screen(data, rules)
    assert hits["reason"].to_dict() == {2: "straightlining", 3: "duplicate", 5: "duplicate"}
    assert hits.loc[3, "detail"] == "same email as row 2"
    assert hits.loc[5, "detail"] == "same response id as row 4"


def test_min_seconds_alone_uses_no_median_limit():
    items = _items([[1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 1]])
    duration = pd.Series([70.0, 100.0, 400.0, 500.0], index=items.index)
    rules = Screening.model_validate(
        {"speeders": {"min_seconds": 60}, "straightlining": {"action": "off"}}
    )
    # median 250 s; 0.3 x median = 75 s would catch row 2, but only the 60 s limit is set
    assert screen(_input(items, duration=duration), rules).empty


def test_mahalanobis_tests_only_rows_no_earlier_rule_excluded():
    rng = np.random.default_rng(3)
    values = np.clip(np.round(3 + rng.normal(size=(200, 1)) + rng.normal(0, 0.4, (200, 4))), 1, 5)
    values[0] = [1, 5, 1, 5]
    items = pd.DataFrame(values, index=range(2, 202))
    excluded = pd.Series(False, index=items.index)
    excluded.iloc[:50] = True  # rows 2-51 were excluded before: untested, and not in the norm
    mask, _ = mahalanobis(items, 0.001, excluded=excluded)
    assert not mask.iloc[:50].any()
    kept = values[50:]
    centred = kept - kept.mean(axis=0)
    # numpy reference on the rows still in play only
    d2 = np.einsum("ij,jk,ik->i", centred, np.linalg.inv(np.cov(kept.T)), centred)
    p = stats.chi2.sf(d2, df=4)
    assert mask.iloc[50:].to_numpy().tolist() == (p < 0.001).tolist()

"""The results contract and report display: generic, idempotent, every shown number recorded."""

import mistune
import numpy as np
import pandas as pd
import pytest

from analysis.config import Hypothesis, Localized, load_study
from analysis.reporting.display import display_table, plain, term_label
from analysis.reporting.hypotheses import run_hypotheses
from analysis.reporting.i18n import ci_level, number, p_value, significance
from analysis.reporting.results import ResultLog

from .conftest import DEMO_CONFIG


def test_any_tidy_table_is_recorded_with_every_value_and_recording_twice_changes_nothing():
    table = pd.DataFrame(
        {"construct": ["a", "b"], "n": [10, 12], "mean": [3.1, 2.9], "sd": [0.5, 0.7]}
    )
    table.attrs.update(keys=("construct",), estimate="mean")
    log = ResultLog(agency="x")
    log.record("descriptives", table)
    log.record("descriptives", table)
    frame = log.to_frame()
    assert len(frame) == 4  # per row: the main record (mean, with n) and one for sd
    main = frame[frame["measure"] == "mean"].set_index("term")
    assert main.loc["a", "estimate"] == 3.1 and main.loc["a", "n"] == 10
    assert frame[frame["measure"] == "sd"].set_index("term").loc["b", "estimate"] == 0.7


def test_empty_key_values_do_not_enter_the_term():
    # the index page finds the analysed count under the term "analysed"
    flow = pd.DataFrame(
        {"step": ["received", "excluded", "analysed"], "reason": ["", "speeder", ""]}
    )
    flow = flow.assign(n=[10, 2, 8])
    flow.attrs.update(keys=("step", "reason"), estimate="n")
    log = ResultLog(agency="x")
    log.record("sample_flow", flow)
    assert log.to_frame()["term"].tolist() == ["received", "excluded:speeder", "analysed"]


def test_numbers_never_show_a_negative_zero_and_p_keeps_its_side_of_alpha():
    assert number(-0.001, "id") == "0,00" and number(-0.001, "en") == "0.00"
    assert number(-0.01, "en") == "-0.01"
    # 0.0496 rounds to .050 at three decimals, which would read as "not below .05"
    assert p_value(0.0496, "en", alpha=0.05) == "=\u00a0.0496"
    assert p_value(0.0504, "en", alpha=0.05) == "=\u00a0.0504"
    assert p_value(0.0230, "en", alpha=0.05) == "=\u00a0.023"
    assert significance(0.005, "id") == "0,005" and ci_level(0.10, "en") == "90"
    assert ci_level(0.005, "id") == "99,5"


def test_headers_follow_alpha_and_category_terms_are_readable():
    table = pd.DataFrame(
        {
            "construct": ["trust"],
            "n": [20],
            "mean": [3.0],
            "sd": [1.0],
            "median": [3.0],
            "min": [1.0],
            "max": [5.0],
            "ci_low": [2.6],
            "ci_high": [3.4],
        }
    )
    shown = display_table("descriptives", table, "en", {"trust": "Trust"}, alpha=0.10)
    assert "90% CI" in shown.columns and not any("95" in c for c in shown.columns)
    assert term_label("gender[2]", {"gender": "Gender"}) == "Gender: 2"
    assert term_label("smu+resp", {"smu": "Use", "resp": "Resp"}) == "Use+Resp"


def test_config_text_is_plain_in_markdown():
    text = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> **bold** $x$"
    # mistune renders the report's Markdown in nbconvert
    html = mistune.html(plain(text))
    assert "<a " not in html and "<img" not in html and "<strong>" not in html


def _hypothesis(outcome, predictors, controls=(), expected="two_sided", id_="H1"):
    return Hypothesis(
        id=id_,
        statement=Localized(id="x", en="x"),
        outcome=outcome,
        predictors=list(predictors),
        controls=list(controls),
        expected=expected,
    )


@pytest.fixture()
def scores():
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame(
        {
            "smu": rng.normal(3, 1, n),
            "resp": rng.normal(3, 1, n),
            "gender": rng.choice(["f", "m", "x"], n),
        }
    )
    frame["trust"] = 1 + 0.5 * frame["smu"] + 0.3 * frame["resp"] + rng.normal(0, 1, n)
    frame["pu"] = 3 + rng.normal(0, 1, n)
    return frame


def test_one_verdict_per_hypothesis_whatever_its_predictors(scores):
    study = load_study(DEMO_CONFIG)
    study.hypotheses = [
        _hypothesis("trust", ["smu"], expected="negative", id_="H1"),
        _hypothesis("trust", ["smu", "resp"], expected="positive", id_="H2"),
        _hypothesis("trust", ["gender"], id_="H3"),
        _hypothesis("trust", ["pu"], id_="H4"),
    ]
    verdicts, terms = run_hypotheses(scores, study)
    verdicts = verdicts.set_index("hypothesis")
    assert len(verdicts) == 4
    # significant but of the wrong sign
    assert verdicts.loc["H1", "p_value"] < 0.001 and verdicts.loc["H1", "decision"] == (
        "not_supported"
    )
    # two focal predictors: one joint F test on 2 df
    assert verdicts.loc["H2", "statistic_name"] == "F" and verdicts.loc["H2", "df_num"] == 2
    assert verdicts.loc["H2", "decision"] == "supported"
    # a category with three levels: one omnibus test, no per-dummy verdicts
    assert verdicts.loc["H3", "df_num"] == 2 and np.isnan(verdicts.loc["H3", "estimate"])
    # Holm: the smallest p times 4, and never below the unadjusted p
    assert (verdicts["p_adjusted"] >= verdicts["p_value"]).all()
    assert verdicts["p_adjusted"].min() == pytest.approx(min(1, verdicts["p_value"].min() * 4))
    assert set(terms["hypothesis"]) == {"H1", "H2", "H3", "H4"}
    assert "gender[m]" in terms["term"].tolist()


def test_a_study_without_hypotheses_gives_empty_tables(scores):
    study = load_study(DEMO_CONFIG)
    study.hypotheses = []
    verdicts, terms = run_hypotheses(scores, study)
    assert verdicts.empty and terms.empty


def test_holm_adjustment_matches_the_step_down_by_hand(scores):
    study = load_study(DEMO_CONFIG)
    study.hypotheses = [
        _hypothesis("trust", ["smu"], id_="H1"),
        _hypothesis("trust", ["resp"], id_="H2"),
        _hypothesis("trust", ["pu"], id_="H3"),
    ]
    verdicts, _ = run_hypotheses(scores, study)
    p = verdicts["p_value"].to_numpy()
    # Holm (1979): sort p ascending, multiply the i-th smallest by (m - i + 1), keep the running
    # maximum, cap at 1
    order = np.argsort(p)
    stepped = np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p))))
    expected = np.empty_like(p)
    expected[order] = np.minimum(stepped, 1)
    assert verdicts["p_adjusted"].to_numpy() == pytest.approx(expected)


def test_a_hypothesis_that_cannot_be_fitted_is_not_tested_and_the_rest_are(scores):
    study = load_study(DEMO_CONFIG)
    study.hypotheses = [
        _hypothesis("trust", ["smu"], id_="H1"),
        _hypothesis("trust", ["resp"], ["gender"], id_="H2"),
    ]
    one_gender = scores.assign(gender="f")
    verdicts, terms = run_hypotheses(one_gender, study)
    verdicts = verdicts.set_index("hypothesis")
    assert verdicts.loc["H2", "decision"] == "not_tested"
    assert verdicts.loc["H2", "label"] == "single_level" and verdicts.loc["H2", "n"] == 300
    assert verdicts.loc["H1", "decision"] == "supported"
    # Holm over the tested hypotheses only: one test, nothing to adjust
    assert verdicts.loc["H1", "p_adjusted"] == pytest.approx(verdicts.loc["H1", "p_value"])
    assert set(terms["hypothesis"]) == {"H1"}
    few, _ = run_hypotheses(scores.head(12), study)
    # 12 rows - 2 coefficients = 10 residual df is enough for H1; H2 has 4 coefficients
    few = few.set_index("hypothesis")
    assert few.loc["H1", "decision"] != "not_tested" and few.loc["H2", "label"] == "too_few_rows"
    shown = display_table("hypothesis", verdicts.reset_index(), "en", {}, alpha=0.05)
    assert shown.loc[1, "Decision"] == "Not tested" and shown.loc[1, "Test"] == "–"


def test_report_sentences_say_why_a_hypothesis_was_not_tested(scores, tmp_path):
    from analysis.reporting.context import ReportContext

    study = load_study(DEMO_CONFIG)
    study.hypotheses = [
        _hypothesis("trust", ["smu"], id_="H1"),
        _hypothesis("trust", ["resp"], ["gender"], id_="H2"),
    ]
    verdicts, _ = run_hypotheses(scores.assign(gender="f"), study)
    empty = pd.DataFrame()
    report = ReportContext(
        study, study.agencies[0].id, "id", *[empty] * 6, output_dir=tmp_path, log=ResultLog("x")
    )
    text = report.narrate(verdicts).data
    assert "H1 didukung" in text
    assert "H2 tidak diuji: sebuah variabel kategori hanya punya satu kategori" in text

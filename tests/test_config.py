"""Study config validation: the demo is valid, mistakes give errors naming the key path."""

import pytest
import yaml

from analysis.config import load_study
from analysis.errors import ConfigError

from .conftest import DEMO_CONFIG


def test_demo_config_is_valid():
    study = load_study(DEMO_CONFIG)
    assert study.study.synthetic
    assert 8 <= len(study.agencies) <= 12
    assert study.resolve("data/raw").parent == DEMO_CONFIG.parents[1] / "data"


def _broken(tmp_path, change) -> str:
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "study.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_study(path)
    return str(caught.value)


def test_unknown_key_is_an_error_with_its_path(tmp_path):
    message = _broken(tmp_path, lambda d: d["constructs"][1]["items"][0].update(reverse_keyed=True))
    assert "study.yml" in message and "constructs[1].items[0].reverse_keyed" in message


def test_unknown_scale_lists_the_known_ones(tmp_path):
    message = _broken(tmp_path, lambda d: d["constructs"][0].update(scale="agree9"))
    assert "unknown scale 'agree9'" in message and "agree5_id" in message


def test_hypothesis_must_use_known_variables(tmp_path):
    message = _broken(tmp_path, lambda d: d["hypotheses"][0].update(outcome="trsut"))
    assert "H1" in message and "'trsut'" in message


def test_agency_source_needs_exactly_one_agency_rule(tmp_path):
    message = _broken(tmp_path, lambda d: d["survey"][0].update(agency="diskominfo-sukamaju"))
    assert "survey[0]" in message and "exactly one of agency_column" in message


def test_duplicate_item_ids_are_rejected(tmp_path):
    message = _broken(tmp_path, lambda d: d["constructs"][1]["items"][0].update(id="smu1"))
    assert "items: id 'smu1' is used twice" in message


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("study:\n  id: x\n  title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.yml, row \d+: not valid YAML"):
        load_study(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_study(tmp_path / "nope.yml")


PAYLOAD = "trust') + I(__import__('os').system('id > f')) + Q('trust"


@pytest.mark.parametrize(
    "where, change",
    [
        ("constructs[0].id", lambda d: d["constructs"][0].update(id=PAYLOAD)),
        ("constructs[0].items[0].id", lambda d: d["constructs"][0]["items"][0].update(id=PAYLOAD)),
        ("demographics[0].id", lambda d: d["demographics"][0].update(id=PAYLOAD)),
        ("multi_select[0].id", lambda d: d["multi_select"][0].update(id=PAYLOAD)),
        ("hypotheses[0].id", lambda d: d["hypotheses"][0].update(id=PAYLOAD)),
    ],
)
def test_ids_with_code_in_them_are_refused(tmp_path, where, change):
    # issue 8, finding 1: this construct id used to pass validate and run a shell command
    message = _broken(tmp_path, change)
    assert where in message and "is not allowed" in message
    assert not (tmp_path / "f").exists()


def test_a_category_cannot_be_an_outcome_or_have_a_direction(tmp_path):
    message = _broken(tmp_path, lambda d: d["hypotheses"][0].update(outcome="gender"))
    assert "H1" in message and "outcome 'gender' is a category" in message
    message = _broken(
        tmp_path,
        lambda d: d["hypotheses"][0].update(predictors=["gender"], expected="positive"),
    )
    assert "has no meaning for the category 'gender'" in message and "two_sided" in message

"""Safety of config loading: YAML alias bombs, oversized files, engagement path templates."""

import time

import pytest
import yaml

from analysis.config import load_study
from analysis.config.load import MAX_CONFIG_BYTES
from analysis.errors import ConfigError

from .conftest import DEMO_CONFIG


def _alias_bomb(levels: int = 9) -> str:
    """A few hundred bytes of YAML that expand to 9**levels strings."""
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines)


def test_alias_bomb_in_missing_codes_is_refused_quickly(tmp_path):
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    bomb = "\n".join("  " + line for line in _alias_bomb().splitlines())
    path = tmp_path / "study.yml"
    path.write_text(f"{text}\nbombs:\n{bomb}\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="expands to more than 100,000 values"):
        load_study(path)
    assert time.perf_counter() - started < 2


def test_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "study.yml"
    path.write_text("loop: &loop [*loop]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="YAML aliases"):
        load_study(path)


def test_ordinary_anchors_and_aliases_still_work(tmp_path):
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    path = tmp_path / "study.yml"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    # reuse the study's title through an anchor: a legitimate use of YAML aliases
    text = text.replace("study:\n", "study: &info\n", 1) + "\n"
    path.write_text(text, encoding="utf-8")
    assert load_study(path).study.id == data["study"]["id"]


def test_oversized_config_is_refused_before_parsing(tmp_path):
    path = tmp_path / "study.yml"
    path.write_bytes(DEMO_CONFIG.read_bytes() + b"#" * MAX_CONFIG_BYTES)
    with pytest.raises(ConfigError, match="may be at most 1,000,000 bytes"):
        load_study(path)


@pytest.mark.parametrize(
    "template", ["data/{x}/posts.csv", "data/{agency.__class__}/posts.csv", "data/{agency}}.csv"]
)
def test_engagement_path_allows_only_the_agency_token(tmp_path, template):
    data = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    data["engagement"][1]["path"] = template
    path = tmp_path / "study.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_study(path)
    message = str(caught.value)
    assert "engagement[1].path" in message and "{agency}" in message

"""The codebook: strict YAML, bilingual labels, keywords as data, RE2 patterns checked on load."""

import copy
import time
from pathlib import Path

import pytest
import yaml

from analysis.content import code_texts, load_codebook
from analysis.content.codebook import DEFAULT_CODEBOOK, MAX_PATTERN_LENGTH, Codebook
from analysis.errors import ConfigError

MINIMAL = {
    "categories": [
        {
            "id": "integrity",
            "label": {"id": "Integritas", "en": "Integrity"},
            "keywords": {"id": ["zona integritas", "pungli"], "en": ["brib*"]},
            "patterns": [r"\bzi[\s-]*wbk\b"],
        }
    ]
}


def _with(**changes) -> dict:
    data = copy.deepcopy(MINIMAL)
    data["categories"][0].update(changes)
    return data


def test_default_codebook_has_the_government_categories():
    codebook = load_codebook()
    assert codebook.ids == [
        "service_info",
        "announcement_event",
        "campaign",
        "integrity",
        "complaint_response",
        "achievement_award",
        "culture_tourism",
    ]
    assert codebook.labels("id")["integrity"] == "Integritas dan antikorupsi"
    assert codebook.labels("en")["campaign"] == "Public campaigns"
    integrity = codebook.categories[3]
    assert {"WBK", "WBBM", "gratifikasi", "pungli", "zona integritas"} <= set(integrity.keywords.id)


def test_a_mapping_and_a_file_load_alike(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    assert load_codebook(path) == load_codebook(MINIMAL) == Codebook.model_validate(MINIMAL)


BAD_CODEBOOKS = [
    (_with(keyword=["x"]), ['categories[0].keyword: unknown key (did you mean "keywords"?)']),
    (_with(label={"id": "I", "en": "I", "jv": "x"}), ["categories[0].label.jv: unknown key"]),
    (_with(id="Integrity"), ["category id 'Integrity' is not allowed", "e.g. service_info"]),
    (_with(id="a__b"), ["category id 'a__b' is not allowed"]),
    ({"categories": MINIMAL["categories"] * 2}, ["category id 'integrity' is used twice"]),
    ({"categories": []}, ["categories: List should have at least 1 item"]),
    (_with(keywords={}, patterns=[]), ["category 'integrity' has no keywords and no patterns"]),
    (_with(keywords={"id": ["(a+)+"]}), ["keyword '(a+)+'", "put anything else in patterns"]),
    (_with(keywords={"id": ["=kata*"]}), ["not both"]),
    (_with(keywords={"id": ["satu dua tiga empat lima enam"]}), ["more than 5 words"]),
    # RE2 refuses what needs backtracking (Arrow's message names the construct)
    (_with(patterns=[r"(a)\1"]), ["not a valid RE2 regular expression", "invalid escape"]),
    (_with(patterns=[r"(?<=zona )integritas"]), ["not a valid RE2", "look-arounds"]),
    (_with(patterns=["[unclosed"]), ["missing ]"]),
    (_with(patterns=["a*"]), ["pattern 'a*' matches an empty text, so it would code every"]),
    (_with(patterns=["x" * (MAX_PATTERN_LENGTH + 1)]), [f"at most {MAX_PATTERN_LENGTH}"]),
]


@pytest.mark.parametrize("data, says", BAD_CODEBOOKS)
def test_bad_codebooks_are_refused_with_the_key_path(data, says):
    with pytest.raises(ConfigError) as caught:
        load_codebook(data)
    for part in says:
        assert part in str(caught.value)


def test_errors_in_a_file_name_the_file(tmp_path):
    path = tmp_path / "my_codebook.yml"
    path.write_text("categories:\n  - id: x\n    label: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"my_codebook.yml, row \d+: codebook is not valid YAML"):
        load_codebook(path)
    with pytest.raises(ConfigError, match="codebook file not found"):
        load_codebook(tmp_path / "missing.yml")
    path.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a mapping with a categories list"):
        load_codebook(path)


def test_an_re2_pattern_that_would_backtrack_in_python_runs_in_linear_time():
    # (a+)+$ takes exponential time in a backtracking engine on "aaa...ab"; RE2 has none
    codebook = load_codebook(_with(patterns=[r"(a+)+$"]))
    crafted = "a" * 50_000 + "b"
    start = time.perf_counter()
    coded = code_texts([crafted, "aaaa"], codebook)
    assert time.perf_counter() - start < 2.0
    assert coded["integrity"].tolist() == [0, 1]


def test_texts_are_never_compiled_as_patterns():
    # regex syntax in public texts is plain text: it neither errors nor matches anything
    texts = ["(a+)+$", "[unclosed", r"(?<=x)\1", "zona integritas (a|b)*"]
    coded = code_texts(texts, load_codebook(MINIMAL))
    assert coded["integrity"].tolist() == [0, 0, 0, 1]


def test_keywords_with_regex_characters_cannot_be_written():
    # a keyword is data: only letters, digits, inner hyphens and apostrophes are allowed
    with pytest.raises(ConfigError, match=r"'\.\*' is not a keyword word"):
        load_codebook(_with(keywords={"en": [".*"]}))


def test_the_default_file_is_valid_yaml_of_the_documented_shape():
    from importlib.resources import files

    raw = yaml.safe_load(files("analysis.content").joinpath(DEFAULT_CODEBOOK).read_text("utf-8"))
    assert set(raw) == {"categories"}
    assert all({"id", "label", "keywords"} <= set(c) for c in raw["categories"])


def test_docs_example_loads_and_codes_as_documented():
    docs = Path(__file__).resolve().parents[1] / "docs" / "codebook.md"
    block = docs.read_text(encoding="utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    codebook = load_codebook(yaml.safe_load(block)["codebook"])
    coded = code_texts(
        [
            "Sosialisasi pencegahan pungutan liar bagi aparatur desa",
            "Pengumuman seleksi CPNS",
            "Rumah sakit umum daerah",
            "Menuju ZI - WBK",
        ],
        codebook,
    )
    assert coded["integrity"].tolist() == [1, 0, 0, 1]
    assert coded["announcement_event"].tolist() == [0, 1, 0, 0]
    assert coded.loc[3, "integrity__terms"] == "WBK; zi - wbk"  # keyword as written, match

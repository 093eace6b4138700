"""Inputs are known by their path, not their name (issue 9, defect 8).

Two agencies' exports are both named ``facebook.csv``, in their own folders. Every record that
names or hashes an input keeps them apart: the raw-data digest of the provenance table, the
``posts`` table and its exclusion ledger (``source_file``), and the input hashes in
``clean.json``. References: ``hashlib.sha256`` of each file's bytes.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analysis.config import load_study, paths
from analysis.io import store
from analysis.pipeline.engagement import read_all_engagement
from analysis.reporting.provenance import provenance_table, raw_data_digest

from .conftest import write_study_config

FIXTURE = Path(__file__).parent / "fixtures" / "platforms" / "meta_facebook.csv"
AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau"]
SOURCE = {"platform": "facebook", "format": "meta_facebook", "path": "ekspor/{agency}/facebook.csv"}


@pytest.fixture()
def study_root(tmp_path) -> Path:
    """A study of two agencies whose Facebook exports are both ``facebook.csv``; the second
    agency's export differs from the first in one count (Reactions 1,234 -> 1,235)."""
    config = write_study_config(tmp_path, AGENCIES, engagement=[SOURCE])
    survey = load_study(config).resolve(load_study(config).survey[0].path)
    survey.parent.mkdir(parents=True)
    survey.write_text("Timestamp\n", encoding="utf-8")  # the digest reads bytes only
    first, second = (tmp_path / "ekspor" / agency / "facebook.csv" for agency in AGENCIES)
    for path in (first, second):
        path.parent.mkdir(parents=True)
    shutil.copy(FIXTURE, first)
    second.write_bytes(FIXTURE.read_bytes().replace(b'"1,234"', b'"1,235"', 1))
    return tmp_path


def _study(root: Path):
    return load_study(root / "config" / "demo.yml")


def _export(root: Path, agency: str) -> Path:
    return root / "ekspor" / agency / "facebook.csv"


def test_the_digest_changes_when_only_the_second_same_named_export_changes(study_root):
    before = raw_data_digest(_study(study_root))
    second = _export(study_root, AGENCIES[1])
    second.write_bytes(second.read_bytes().replace(b'"1,235"', b'"1,236"', 1))
    assert raw_data_digest(_study(study_root)) != before


def test_the_digest_changes_when_same_named_exports_swap_folders(study_root):
    before = raw_data_digest(_study(study_root))
    first, second = (_export(study_root, agency) for agency in AGENCIES)
    data = first.read_bytes()
    first.write_bytes(second.read_bytes())
    second.write_bytes(data)
    # the same two files under the same name: only their folders tell them apart
    assert raw_data_digest(_study(study_root)) != before


def test_posts_and_their_ledger_name_the_folder(study_root):
    engagement = read_all_engagement(_study(study_root))
    posts, ledger = engagement.posts, engagement.ledger
    assert engagement.failed == {}
    files = posts.groupby("agency_id")["source_file"].unique().to_dict()
    assert {agency: list(names) for agency, names in files.items()} == {
        agency: [f"ekspor/{agency}/facebook.csv"] for agency in AGENCIES
    }
    # reference: the second export's first post has Reactions 1,235 (the first's 1,234)
    first_posts = posts[posts["post_id"] == "987654321098765"].set_index("agency_id")["likes"]
    assert first_posts.to_dict() == {AGENCIES[0]: 1234, AGENCIES[1]: 1235}
    assert ledger.empty


def test_the_provenance_table_names_the_config_by_its_path(study_root):
    table = provenance_table(_study(study_root), {}, "en")
    values = dict(zip(*(table[c] for c in table.columns), strict=True))
    assert "config/demo.yml" in values.values()


def test_clean_json_hashes_every_same_named_export_under_its_path(demo_project):
    # the demo study's exports are <agency>/facebook_posts.csv for ten agencies
    study = load_study(demo_project / "config" / "demo.yml")
    inputs = store.read_summary(paths.processed_dir(study))["inputs"]
    exports = sorted(f.path for f in study.engagement_files() if f.source.platform == "facebook")
    assert len(exports) == len(study.agencies) == 10
    for path in exports:
        # reference: hashlib over the file's bytes, keyed by the path relative to the root
        assert inputs[study.relative(path)] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len({inputs[study.relative(path)] for path in exports}) == 10


def test_two_same_named_survey_files_keep_their_own_rows(tmp_path, demo_project):
    from analysis.cleaning.survey import clean_survey

    demo = load_study(demo_project / "config" / "demo.yml")
    source = demo.survey[0].model_dump()
    waves = []
    for wave in ("gelombang-1", "gelombang-2"):
        target = tmp_path / "survei" / wave / "kuesioner.csv"
        target.parent.mkdir(parents=True)
        shutil.copy(demo.resolve(source["path"]), target)
        waves.append(source | {"path": f"survei/{wave}/kuesioner.csv"})
    cleaned = clean_survey(load_study(write_study_config(tmp_path, survey=waves)))
    responses = cleaned.responses
    assert set(responses["source_file"]) == {w["path"] for w in waves}
    # the same row of the two files is two respondents: ids derived from the file's path
    assert responses["respondent_id"].is_unique

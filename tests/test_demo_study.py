"""The demo study end to end through cleaning: injected mess recovered, known effects recovered,
nothing lost, nothing leaked, raw files untouched."""

import hashlib
import json

import pandas as pd
import pytest

from analysis import stats
from analysis.cleaning import accounting
from analysis.cleaning.privacy import scan_text
from analysis.cleaning.scoring import score_constructs
from analysis.config import load_study
from analysis.config.paths import processed_dir
from analysis.demo.generator import MANIFEST, generate_demo, verify_manifest
from analysis.io import store as processed

from .conftest import write_study_config

REASON_OF_MESS = {
    "duplicate": "duplicate",
    "speeder": "speeder",
    "attention_check": "attention_check",
    "straightlining": "straightlining",
    "missing": "too_many_missing",
}


@pytest.fixture(scope="module")
def manifest(demo_study):
    raw_dir = demo_study.resolve(demo_study.survey[0].path).parents[1]
    return json.loads((raw_dir / MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tables(demo_study):
    out = processed_dir(demo_study)
    return {
        "received": processed.read_flat(out, "received"),
        "exclusions": processed.read_flat(out, "exclusions"),
        "responses": processed.read_partition(out, "responses"),
    }


def test_generator_is_deterministic(tmp_path, manifest):
    study = load_study(write_study_config(tmp_path))
    again = json.loads(generate_demo(study).read_text(encoding="utf-8"))
    assert again["files"] == manifest["files"]
    assert verify_manifest(tmp_path / "data" / "raw" / "demo" / MANIFEST)


def test_every_injected_problem_is_excluded_for_its_reason(manifest, tables):
    counts = tables["exclusions"].groupby(["agency_id", "reason"]).size()
    for agency, injected in manifest["mess"].items():
        for mess, reason in REASON_OF_MESS.items():
            # the generator wrote down how many of each kind it injected per agency
            assert counts.get((agency, reason), 0) == injected[mess], (agency, reason)
    refused = tables["exclusions"]["reason"].eq("consent").sum()
    assert refused == sum(m["consent"] for m in manifest["mess"].values())


@pytest.mark.parametrize("agency", [None, "galeri-seni-nusantara", "samsat-lembah-hijau"])
def test_sample_flow_adds_up(tables, agency):
    flow = accounting.sample_flow(
        tables["received"], tables["exclusions"], tables["responses"], agency
    )
    received = flow.loc[flow["step"] == "received", "n"].item()
    excluded = flow.loc[flow["step"] == "excluded", "n"].sum()
    assert received - excluded == flow.loc[flow["step"] == "analysed", "n"].item()


def test_every_raw_row_is_analysed_or_in_the_ledger(demo_study, tables):
    raw = pd.read_csv(demo_study.resolve(demo_study.survey[0].path), dtype=str)
    rows = set(range(2, len(raw) + 2))
    analysed = set(tables["responses"]["source_row"])
    excluded = set(tables["exclusions"]["source_row"])
    assert analysed.isdisjoint(excluded)
    assert analysed | excluded == rows


def test_raw_files_are_read_only_and_unchanged(demo_study, manifest):
    raw_dir = demo_study.resolve(demo_study.survey[0].path).parents[1]
    for name, digest in manifest["files"].items():
        path = raw_dir / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        assert not path.stat().st_mode & 0o222


def test_no_identifier_reaches_processed_data(demo_study):
    raw = pd.read_csv(
        demo_study.resolve(demo_study.survey[0].path), dtype=str, keep_default_na=False
    )
    seeded = set(raw["Alamat email"]) | set(raw["Nomor HP/WhatsApp"]) | set(raw["Nama lengkap"])
    for path in processed_dir(demo_study).rglob("*.parquet"):
        text = pd.read_parquet(path).to_csv(index=False)
        assert not scan_text(text), path
        assert not any(value in text for value in seeded if len(value) > 6), path


def test_known_effects_are_recovered_within_their_confidence_intervals(
    demo_study, tables, manifest
):
    scores = score_constructs(tables["responses"], demo_study)
    covered, total = 0, 0
    for agency in demo_study.agencies:
        agency_scores = scores[scores["agency_id"] == agency.id]
        for hypothesis in [h for h in demo_study.hypotheses if h.family == "ols"]:
            result = stats.regression(
                agency_scores, hypothesis.outcome, hypothesis.predictors, hypothesis.controls
            )
            row = result.tidy().set_index("term").loc[hypothesis.predictors[0]]
            truth = manifest["estimands"][agency.id][hypothesis.id]
            covered += row["ci_low"] <= truth <= row["ci_high"]
            total += 1
    # 95% intervals: with 30 intervals, at least 26 should cover (P(X <= 25) < 2 % for Bin(30, .95))
    assert covered >= 26, f"{covered} of {total} intervals cover the true slope"


def test_known_indirect_effects_are_recovered_within_their_bootstrap_intervals(
    demo_study, tables, manifest
):
    scores = score_constructs(tables["responses"], demo_study)
    mediations = [h for h in demo_study.hypotheses if h.family == "mediation"]
    covered, total = 0, 0
    for agency in demo_study.agencies:
        agency_scores = scores[scores["agency_id"] == agency.id]
        for hypothesis in mediations:
            table = stats.mediation(
                agency_scores,
                hypothesis.predictors[0],
                hypothesis.mediators[0],
                hypothesis.outcome,
                covariates=hypothesis.controls,
                n_boot=1000,
            ).set_index("term")
            # ground truth: a * b of the observed scores in 200,000 clean draws of the same model
            truth = manifest["estimands"][agency.id][hypothesis.id]
            covered += table.loc["indirect", "ci_low"] <= truth <= table.loc["indirect", "ci_high"]
            total += 1
    # 95% intervals, 10 agencies: at least 8 should cover (P(X <= 7) < 1.2 % for Bin(10, .95))
    assert total == 10 and covered >= 8, f"{covered} of {total} intervals cover a * b"


def test_every_export_row_is_a_post_or_in_the_post_ledger(demo_study):
    out = processed_dir(demo_study)
    posts = processed.read_partition(out, "posts")
    skipped = processed.read_flat(out, "post_exclusions")
    for file in demo_study.engagement_files():
        path, agency_id = file.path, file.agency_id
        rows = len(pd.read_csv(path, dtype=str, encoding="utf-8-sig"))
        name = demo_study.relative(path)  # source_file keeps the folder of each agency's file
        kept = ((posts["agency_id"] == agency_id) & (posts["source_file"] == name)).sum()
        dropped = ((skipped["agency_id"] == agency_id) & (skipped["source_file"] == name)).sum()
        assert kept + dropped == rows, path
    assert set(skipped["reason"]) <= {"total_row", "duplicate_post"}

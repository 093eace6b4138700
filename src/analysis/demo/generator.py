"""Make the demo study's raw data: ``python -m analysis demo`` calls :func:`generate_demo`.

Deterministic for a given study seed: the same config gives byte-identical files. Besides the
raw files it writes ``MANIFEST.json`` with the SHA-256 of each file, the injected mess per agency
and reason, and the known true effects (latent slopes and the observed-score estimands each
hypothesis targets), so tests can check that cleaning and analysis recover them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import Study
from analysis.demo.comment_generator import REPLY_PROFILES, comment_threads, write_comment_csv
from analysis.demo.engagement_generator import PLATFORM_SPEC, agency_posts
from analysis.demo.platform_writers import write_export
from analysis.demo.survey_export import respondent_frame, write_survey_csv
from analysis.demo.survey_generator import (
    LATENT_EFFECTS,
    agency_profiles,
    agency_rows,
    population_estimands,
)

MANIFEST = "MANIFEST.json"


def generate_demo(study: Study, force: bool = False) -> Path:
    """Write the demo raw data where the study config expects it, unless already there.

    Parameters
    ----------
    study : Study
        The demo study config (``config/demo.yml``); its survey source path and engagement
        paths say where files go.
    force : bool
        Re-create files even when the manifest says they exist and are unchanged.

    Returns
    -------
    Path
        The manifest file.
    """
    raw_dir = study.resolve(study.survey[0].path).parents[1]
    manifest_path = raw_dir / MANIFEST
    expected = [f.path for f in study.engagement_files()] + [
        study.resolve(s.comments.path.replace("{agency}", a.id))
        for s in study.engagement
        if s.comments
        for a in study.agencies
    ]
    complete = all(path.is_file() for path in expected)
    if manifest_path.exists() and not force and complete and verify_manifest(manifest_path):
        return manifest_path
    _make_writable(manifest_path)
    rng = np.random.default_rng(study.study.seed)
    profiles = agency_profiles(study, rng)
    rows = pd.concat(
        [agency_rows(study, a, profiles.loc[a], rng) for a in profiles.index], ignore_index=True
    )
    files = [
        write_survey_csv(respondent_frame(study, rows, rng), study.resolve(study.survey[0].path))
    ]
    # comment threads draw from their own stream, so the posts stay as they were without them
    comment_rng = np.random.default_rng([study.study.seed, 1])
    for agency in study.agencies:
        for source in study.engagement:
            posts = agency_posts(study, agency.id, source.platform, rng)
            path = study.resolve(source.path.format(agency=agency.id))
            path.parent.mkdir(parents=True, exist_ok=True)
            files.append(write_export(posts, path, PLATFORM_SPEC[source.platform][4]))
            if source.comments:
                threads = comment_threads(posts, [agency], comment_rng)
                target = study.resolve(source.comments.path.format(agency=agency.id))
                files.append(write_comment_csv(threads, target, timezone=study.study.timezone))
    manifest = {
        "generator": "analysis.demo.generator",
        "seed": study.study.seed,
        "files": {str(f.relative_to(raw_dir)): _sha256(f) for f in files},
        "mess": rows[rows["mess"] != ""]
        .groupby(["agency_id", "mess"])
        .size()
        .unstack(fill_value=0)
        .to_dict(orient="index"),
        "respondents": rows.groupby("agency_id").size().to_dict(),
        "latent_effects": LATENT_EFFECTS,
        "estimands": {a: population_estimands(study, profiles.loc[a]) for a in profiles.index},
        "reply_profiles": {a: dataclasses.asdict(p) for a, p in REPLY_PROFILES.items()},
    }
    manifest_path.write_text(json.dumps(manifest, indent=2, default=int), encoding="utf-8")
    for path in files:
        path.chmod(0o444)
    return manifest_path


def _make_writable(manifest_path: Path) -> None:
    """Let a new run replace the files an earlier run wrote read-only."""
    if not manifest_path.exists():
        return
    for name in json.loads(manifest_path.read_text(encoding="utf-8"))["files"]:
        path = manifest_path.parent / name
        if path.is_file():
            path.chmod(0o644)


def verify_manifest(manifest_path: Path) -> bool:
    """True when every file the manifest lists exists with its recorded SHA-256."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    root = manifest_path.parent
    return all(
        (root / name).is_file() and _sha256(root / name) == digest
        for name, digest in manifest["files"].items()
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

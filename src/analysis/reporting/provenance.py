"""Provenance: what a reader needs to reproduce a report (hashes, versions, commit, seed).

Files are named by their path relative to the study root (:meth:`Study.relative`), never by
their name alone: per-agency exports are usually named alike (``{agency}/facebook.csv``).
"""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from analysis.config import Study
from analysis.reporting.i18n import t

PACKAGES = (
    "analysis",
    "pandas",
    "numpy",
    "statsmodels",
    "pingouin",
    "seaborn",
    "papermill",
    "nbconvert",
    "insufficient-effort",
)


def raw_data_digest(study: Study) -> str:
    """SHA-256 over the paths (relative to the study root) and bytes of every raw input file."""
    digest = hashlib.sha256()
    for path in sorted(study.raw_files()):
        digest.update(study.relative(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def git_commit(folder: Path) -> str:
    """The git commit of ``folder`` (with ``+dirty`` if changed), or ``unknown``."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty.strip() else "")


def package_versions() -> str:
    """``name version`` of the packages the numbers depend on, comma-separated."""
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def provenance_table(study: Study, parameters: dict, lang: str) -> pd.DataFrame:
    """Two-column table (label, value) of everything needed to reproduce a report."""
    rows = [
        ("config", study.relative(study.config_path)),
        ("config_sha256", study.config_hash()),
        ("data_sha256", raw_data_digest(study)),
        ("git_commit", git_commit(study.base_dir)),
        ("seed", str(study.study.seed)),
        ("generated_at", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
        ("versions", package_versions()),
        ("parameters", ", ".join(f"{k}={v}" for k, v in parameters.items())),
    ]
    return pd.DataFrame(
        {
            t(lang, "provenance.parameter"): [t(lang, f"provenance.{k}") for k, _ in rows],
            t(lang, "provenance.value"): [v for _, v in rows],
        }
    )

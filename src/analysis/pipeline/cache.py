"""Skipping unchanged reports: a key over everything a report depends on, and its stamp.

A report folder holds the key of the inputs it was made from in :data:`STAMP`. The stamp is
written only for a complete report (HTML and PDF), so a report whose PDF failed is made again
on the next run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.config import Study, paths
from analysis.io import store as processed

STAMP = ".inputs.sha256"


def input_key(study: Study, agency: str, lang: str, data_dir: Path) -> str:
    """Hash of everything a report depends on: notebook, config, the agency's data, code.

    The agency's processed files enter through their manifest hashes (the manifest is checked
    by every reader), so a partition of another agency changing does not change this key.
    """
    digest = hashlib.sha256(f"{agency}|{lang}".encode())
    manifest = processed.read_manifest(data_dir)
    for relative in sorted(manifest):
        own = any(relative.startswith(f"{t}/agency_id={agency}/") for t in processed.PARTITIONED)
        if own or "/" not in relative:
            digest.update(f"{relative}={manifest[relative]['sha256']}".encode())
    files = [paths.notebook(paths.REPORT_NOTEBOOK), study.config_path]
    files += sorted(paths.PACKAGE_DIR.rglob("*.py")) + sorted(paths.PACKAGE_DIR.rglob("*.yml"))
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_current(folder: Path, key: str) -> bool:
    """Whether ``folder`` holds a complete report made from inputs with this key."""
    stamp = folder / STAMP
    return (
        not folder.is_symlink()
        and not stamp.is_symlink()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8") == key
        and (folder / "report.html").is_file()
    )

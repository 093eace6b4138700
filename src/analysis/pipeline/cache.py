"""Skipping work whose inputs did not change: keys over everything it depends on, and stamps.

A report folder holds the key of the inputs it was made from in :data:`STAMP`. The stamp is
written only for a complete report (HTML and PDF), so a report whose PDF failed is made again
on the next run. A processed folder cleaned by a batch holds the key of the raw inputs it was
cleaned from in :data:`CLEAN_STAMP`, so a batch whose raw files, config and code did not change
does not clean them again; any other cleaning replaces the folder, and its stamp with it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.cleaning.privacy import load_key
from analysis.config import Study, paths
from analysis.io import store as processed

STAMP = ".inputs.sha256"
CLEAN_STAMP = ".clean-inputs.sha256"


def code_key() -> str:
    """Hash of the code a report is made with: the report notebook and every package file.

    Every file of the package counts (modules, locale texts, nbconvert templates, styles), not
    only the ``.py`` files; compiled ``__pycache__`` files do not.
    """
    notebook = paths.notebook(paths.REPORT_NOTEBOOK)
    files = [(notebook.name, notebook)] + sorted(
        (path.relative_to(paths.PACKAGE_DIR).as_posix(), path)
        for path in paths.PACKAGE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    digest = hashlib.sha256()
    for name, path in files:
        digest.update(f"\0{name}\0".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_key(study: Study, agency: str, lang: str, data_dir: Path, code: str | None = None) -> str:
    """Hash of everything a report depends on: notebook, config, the agency's data, code.

    The agency's processed files enter through their manifest hashes (the manifest is checked
    by every reader), so a partition of another agency changing does not change this key.
    ``code`` is :func:`code_key`, computed here when not given.
    """
    digest = hashlib.sha256(f"{agency}|{lang}".encode())
    manifest = processed.read_manifest(data_dir)
    for relative in sorted(manifest):
        own = any(relative.startswith(f"{t}/agency_id={agency}/") for t in processed.PARTITIONED)
        if own or "/" not in relative:
            digest.update(f"{relative}={manifest[relative]['sha256']}".encode())
    digest.update(study.config_path.read_bytes())
    digest.update((code or code_key()).encode())
    return digest.hexdigest()


def is_current(folder: Path, key: str) -> bool:
    """Whether ``folder`` holds a complete report made from inputs with this key."""
    return _stamped(folder, STAMP, key) and (folder / "report.html").is_file()


def clean_key(study: Study) -> str:
    """Hash of everything cleaning depends on: config, raw files, pseudonym key, code.

    Raw files are every survey file, engagement export and comment export the config names
    (a missing one counts as missing); the pseudonym key enters through a hash of it.
    """
    digest = hashlib.sha256(study.config_path.read_bytes())
    for path in sorted(set(_raw_inputs(study))):
        digest.update(f"\0{study.relative(path)}\0".encode())
        digest.update(path.read_bytes() if path.is_file() else b"(missing)")
    key = load_key(study.privacy.key_env)
    digest.update(hashlib.sha256(b"pseudonym-key\0" + (key or b"")).digest())
    digest.update(code_key().encode())
    return digest.hexdigest()


def is_clean_current(data_dir: Path, key: str) -> bool:
    """Whether ``data_dir`` holds processed data cleaned from inputs with this key."""
    return _stamped(data_dir, CLEAN_STAMP, key) and (data_dir / processed.MANIFEST).is_file()


def _raw_inputs(study: Study) -> list[Path]:
    """Every raw file cleaning reads: surveys, engagement exports, comment exports."""
    surveys = [study.resolve(source.path) for source in study.survey]
    exports = [export.path for export in study.engagement_files()]
    comments = [
        study.resolve(source.comments.path.replace("{agency}", agency.id))
        for source in study.engagement
        if source.comments
        for agency in study.agencies
    ]
    return surveys + exports + comments


def _stamped(folder: Path, name: str, key: str) -> bool:
    """Whether ``folder/name`` is a regular file (no link) in a real folder holding ``key``."""
    stamp = folder / name
    return (
        not folder.is_symlink()
        and not stamp.is_symlink()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8") == key
    )

"""Safe output folders: write only where the project wrote before, never through a link.

Every output folder the pipeline creates (the processed data of a study, the reports folder of
a study) holds a marker file, :data:`MARKER`. The pipeline writes into a folder only when it is
new, empty, or marked with the same kind; it refuses any other folder, so a mistyped
``--processed-dir`` cannot wipe a folder of someone's documents.

Outputs are built in a fresh staging folder beside their final place and renamed into place
(:func:`replace_folder`), single files are written to a temporary sibling and ``os.replace``-d
(:func:`write_text`). A rename replaces a symbolic link itself, so nothing is ever written
through a link planted in an output folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

from analysis.config import Study, paths
from analysis.errors import InputError

MARKER = ".analysis-output.json"
STAGING = ".staging-"
RETIRED = ".retired-"


def processed_folder(study: Study, override: str | Path | None) -> Path:
    """The study's processed folder, after checking it may be written (see :func:`checked`)."""
    return checked(paths.processed_dir(study, override), study, "processed", override)


def reports_folder(study: Study, override: str | Path | None) -> Path:
    """The study's reports folder, after checking it may be written (see :func:`checked`)."""
    return checked(paths.reports_dir(study, override), study, "reports", override)


def checked(folder: Path, study: Study, kind: str, override: str | Path | None) -> Path:
    """``folder`` if the pipeline may write there; InputError naming the reason otherwise.

    A folder from the config (no ``override``) must lie inside the project folder of the config
    file (the folder holding ``config/``), so a ``root:`` in a config cannot send outputs
    elsewhere. The folder must not be a symbolic link, and it must be new, empty or marked by
    the pipeline as a ``kind`` folder of ``study``.
    """
    folder = Path(os.path.abspath(folder))
    if override is None:
        project = study.config_path.resolve().parent.parent
        if not folder.is_relative_to(project):
            raise InputError(
                f"the config's root ({study.root}) puts the {kind} folder at {folder}, outside "
                f"the project folder {project}",
                path=study.config_path,
                hint=f"set root to a folder inside the project, or name the folder with "
                f"--{kind.replace('reports', 'output')}-dir",
            )
    if folder.is_symlink():
        raise InputError(
            f"the {kind} folder {folder} is a symbolic link; outputs are never written through "
            "links",
            hint="name the real folder instead",
        )
    if folder.is_dir() and any(folder.iterdir()) and read_marker(folder) != marker(study, kind):
        raise InputError(
            f"the {kind} folder {folder} holds files this tool did not write (no {MARKER} for "
            f"study {study.study.id!r}); it only writes into folders it created",
            hint="name a new or empty folder, or move those files away",
        )
    if folder.exists() and not folder.is_dir():
        raise InputError(f"the {kind} folder {folder} is a file, not a folder")
    return folder


def marker(study: Study, kind: str) -> dict:
    """What the marker file of a ``kind`` folder of ``study`` holds."""
    return {"tool": "analysis", "kind": kind, "study": study.study.id}


def read_marker(folder: Path) -> dict | None:
    """The marker of ``folder``, or None when it has none (or an unreadable one)."""
    path = folder / MARKER
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def claim(folder: Path, study: Study, kind: str) -> Path:
    """Create a :func:`checked` folder if needed and mark it; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    if read_marker(folder) is None:
        write_text(folder / MARKER, json.dumps(marker(study, kind)))
    return folder


def staging_folder(target: Path) -> Path:
    """A new, empty folder beside ``target`` to build its next version in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return _new_folder(target.parent / f".{target.name}{STAGING}")


def _new_folder(prefix: Path) -> Path:
    """A folder ``<prefix><random>`` that did not exist (permissions from the umask)."""
    folder = prefix.with_name(f"{prefix.name}{secrets.token_hex(6)}")
    folder.mkdir()
    return folder


def replace_folder(staging: Path, target: Path) -> Path:
    """Move ``staging`` to ``target``, retiring what was there (a link is moved, not followed).

    Between the two renames ``target`` is briefly missing; it never holds a mix of two runs.
    """
    retired = None
    if target.is_symlink() or target.exists():
        retired = _new_folder(target.parent / f".{target.name}{RETIRED}")
        os.replace(target, retired / target.name)
    os.replace(staging, target)
    if retired is not None:
        remove(retired)
    return target


def remove_leftovers(parent: Path, name: str) -> None:
    """Remove staging and retired folders of ``parent/name`` left by an interrupted run."""
    if not parent.is_dir():
        return
    prefixes = (f".{name}{STAGING}", f".{name}{RETIRED}")
    for leftover in parent.iterdir():
        if leftover.name.startswith(prefixes):
            remove(leftover)


def remove(path: Path) -> None:
    """Delete a file, a link (not what it points to) or a folder tree."""
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary sibling of ``path`` and rename it into place.

    Readers see the old file or the new one, never half of one; a link at ``path`` is replaced
    by the file, never written through.
    """
    temporary = temporary_sibling(path)
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def temporary_sibling(path: Path) -> Path:
    """A new empty file beside ``path`` (a hidden name), to write and then ``os.replace``.

    Created exclusively (never an existing file or link), with permissions from the umask. It
    keeps ``path``'s suffix (``.index.1f2e3d4c5b6a.html``): papermill and the browser go by it.
    """
    temporary = path.with_name(f".{path.stem}.{secrets.token_hex(6)}{path.suffix}")
    temporary.open("x").close()
    return temporary

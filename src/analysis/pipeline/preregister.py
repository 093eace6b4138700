"""The pre-registration lock: the hypotheses' canonical hash and time, recorded before cleaning.

``python -m analysis preregister --config X`` writes ``<config stem>.prereg.json`` next to the
config: the time (UTC), the study id, one SHA-256 per hypothesis of its canonical form (the
validated hypothesis as sorted JSON, so YAML layout, comments and key order do not matter, while
any change of variables, family, direction, method or wording does) and whether processed data
already existed (a lock made after cleaning is recorded as such, not refused). It refuses to
overwrite an existing lock unless asked to (``--force``), which keeps the first lock honest; the
file is small text meant to be committed with the study, and ``--git-tag`` also tags the commit.

Every report compares the config with the lock (:func:`compare_with_lock`): a hypothesis whose
hash matches is confirmatory; a changed or added one is exploratory, and a locked one missing
from the config is listed as a deviation.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analysis.config import Study
from analysis.errors import InputError

#: Version of the lock file layout.
LOCK_VERSION = 1
#: Columns of :func:`compare_with_lock`.
STATUS_COLUMNS = ("hypothesis", "status", "confirmatory", "locked_hash", "current_hash")


def canonical_hypothesis(hypothesis) -> str:
    """The hypothesis as canonical JSON (sorted keys, no whitespace, defaults included)."""
    return json.dumps(
        hypothesis.model_dump(mode="json"),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def hypothesis_hash(hypothesis) -> str:
    """SHA-256 of :func:`canonical_hypothesis`."""
    return hashlib.sha256(canonical_hypothesis(hypothesis).encode("utf-8")).hexdigest()


def lock_path(study: Study) -> Path:
    """Where the study's lock lives: ``<config folder>/<config stem>.prereg.json``."""
    config = Path(study.config_path)
    return config.with_name(f"{config.stem}.prereg.json")


@dataclass(frozen=True)
class Lock:
    """A written lock: where it is and what it holds."""

    path: Path
    content: dict


def preregister(
    study: Study,
    processed_dir: Path | None = None,
    *,
    force: bool = False,
    git_tag: bool = False,
    now: datetime | None = None,
) -> Lock:
    """Write the pre-registration lock of ``study``'s hypotheses.

    Parameters
    ----------
    study
        The loaded study.
    processed_dir
        The study's processed data folder; when it already holds data the lock records
        ``after_cleaning: true``.
    force
        Replace an existing lock (the old one's time and hash are kept under ``replaces``).
    git_tag
        Also create the git tag ``prereg-<study>-<YYYYMMDDTHHMMSSZ>`` on the current commit of
        the config's repository.
    now
        The lock time (tests); default: the current UTC time.

    Raises
    ------
    InputError
        When the study has no hypotheses, when a lock exists and ``force`` is false, or when
        the git tag cannot be made.
    """
    if not study.hypotheses:
        raise InputError(
            "the study declares no hypotheses; nothing to pre-register",
            path=study.config_path,
        )
    path = lock_path(study)
    previous = read_lock(study)
    if previous is not None and not force:
        raise InputError(
            f"a pre-registration lock already exists (made {previous['locked_at']}); a new "
            "lock would hide the first one. Use --force to replace it on purpose (the old "
            "lock is kept in the new file under 'replaces')",
            path=path,
        )
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    content = {
        "version": LOCK_VERSION,
        "study": study.study.id,
        "locked_at": stamp.isoformat().replace("+00:00", "Z"),
        "after_cleaning": bool(processed_dir and any(Path(processed_dir).glob("*.parquet"))),
        "hypotheses": {h.id: hypothesis_hash(h) for h in study.hypotheses},
        "canonical": {h.id: json.loads(canonical_hypothesis(h)) for h in study.hypotheses},
    }
    if previous is not None:
        content["replaces"] = {
            "locked_at": previous["locked_at"],
            "hypotheses": previous["hypotheses"],
        }
    path.write_text(
        json.dumps(content, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8"
    )
    if git_tag:
        _tag(path, f"prereg-{study.study.id}-{stamp.strftime('%Y%m%dT%H%M%SZ')}")
    return Lock(path=path, content=content)


def read_lock(study: Study) -> dict | None:
    """The study's lock as a dict, or None when there is none.

    Raises
    ------
    InputError
        When the file exists but is not a lock this version can read.
    """
    path = lock_path(study)
    if not path.exists():
        return None
    try:
        content = json.loads(path.read_text("utf-8"))
        hashes = content["hypotheses"]
        content["locked_at"]
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"not a readable pre-registration lock ({error}); expected the JSON that "
            "`python -m analysis preregister` writes",
            path=path,
        ) from None
    if not isinstance(hashes, dict):
        raise InputError("'hypotheses' must map hypothesis ids to hashes", path=path)
    return content


def compare_with_lock(study: Study) -> pd.DataFrame:
    """Each hypothesis of the config (and of the lock) with its pre-registration status.

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis id in the config, then per id only in the lock:
        ``hypothesis``; ``status``: ``locked`` (hash matches), ``changed`` (differs from the
        lock), ``added`` (not in the lock), ``removed`` (in the lock, not in the config) or
        ``no_lock`` (the study has no lock); ``confirmatory`` (True only for ``locked``, and
        for every hypothesis when there is no lock: the config itself is then the only
        pre-registration, which the report says); ``locked_hash``; ``current_hash``.
    """
    lock = read_lock(study)
    rows = []
    for hypothesis in study.hypotheses:
        current = hypothesis_hash(hypothesis)
        if lock is None:
            rows.append((hypothesis.id, "no_lock", True, None, current))
            continue
        locked = lock["hypotheses"].get(hypothesis.id)
        status = "added" if locked is None else ("locked" if locked == current else "changed")
        rows.append((hypothesis.id, status, status == "locked", locked, current))
    if lock is not None:
        present = {h.id for h in study.hypotheses}
        for hypothesis_id, locked in lock["hypotheses"].items():
            if hypothesis_id not in present:
                rows.append((hypothesis_id, "removed", False, locked, None))
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def _tag(path: Path, name: str) -> None:
    done = subprocess.run(
        ["git", "tag", name], cwd=path.parent, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise InputError(
            f"the lock was written, but the git tag {name!r} could not be made: "
            f"{done.stderr.strip() or done.stdout.strip()}",
            path=path,
        )

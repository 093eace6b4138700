"""The pre-registration lock: the hypotheses' canonical hash and time, recorded before cleaning.

``python -m analysis preregister --config X`` writes ``<config stem>.prereg.json`` next to the
config: the time (UTC), the study id, one SHA-256 per hypothesis of its canonical form (the
validated hypothesis as sorted JSON, so YAML layout, comments and key order do not matter, while
any change of variables, family, direction, method or wording does) and whether processed data
already existed (a lock made after cleaning is recorded as such, not refused). It refuses to
overwrite an existing lock unless asked to (``--force``), which keeps the first lock honest; the
file is small text meant to be committed with the study, and ``--git-tag`` also tags the commit.

Every report compares the config with the lock (:func:`analysis.config.prereg.compare_with_lock`):
a hypothesis whose hash matches is confirmatory; a changed or added one is exploratory, and a
locked one missing from the config is listed as a deviation.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analysis.config import Study
from analysis.config.prereg import canonical_hypothesis, hypothesis_hash, lock_path, read_lock
from analysis.errors import InputError

#: Version of the lock file layout.
LOCK_VERSION = 1


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

"""The pre-registration lock of a study's hypotheses: canonical hashes, reading, comparing.

``python -m analysis preregister`` (:mod:`analysis.pipeline.preregister`) writes
``<config stem>.prereg.json`` next to the config; every report compares the config with it
here. A hypothesis' canonical form is the validated hypothesis as sorted JSON, so YAML layout,
comments and key order do not matter, while any change of variables, family, direction, method
or wording does. A hypothesis whose hash matches the lock is confirmatory; a changed or added
one is exploratory, and a locked one missing from the config is listed as a deviation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from analysis.config.models import Study
from analysis.errors import InputError

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

"""One run per study at a time: ``clean``, ``report`` and ``batch`` hold a lock on the study.

The lock is a :mod:`filelock` lock file in a private folder of the user's temporary directory,
named after the study root and id, so runs of one study exclude each other whichever output
folders they name. The operating system releases it when the process ends, even when killed.
A second run does not wait: it stops at once and says which run holds the lock since when.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from analysis.config import Study
from analysis.errors import InputError


def lock_path(study: Study) -> Path:
    """The lock file of a study (same root and id: same lock)."""
    folder = Path(tempfile.gettempdir()) / f"analysis-locks-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise InputError(f"{folder} is not a private folder of this user; remove it")
    key = hashlib.sha256(str(study.base_dir).encode()).hexdigest()[:16]
    return folder / f"{study.study.id}-{key}.lock"


@contextmanager
def study_lock(study: Study) -> Iterator[Path]:
    """Hold the study's lock for the duration of the ``with`` block.

    Raises
    ------
    InputError
        When another run of the study holds the lock.
    """
    path = lock_path(study)
    owner = path.with_suffix(".json")
    lock = FileLock(path, blocking=False)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            f"another run of study {study.study.id!r} holds the lock{_holder(owner)}",
            hint="wait for it to finish; the lock is released when that run ends",
        ) from None
    try:
        owner.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                    "command": " ".join(sys.argv),
                }
            ),
            encoding="utf-8",
        )
        yield path
    finally:
        owner.unlink(missing_ok=True)
        lock.release()


def _holder(owner: Path) -> str:
    """`` since <time> (pid <pid> on <host>: <command>)``, or ``""`` when unknown."""
    try:
        info = json.loads(owner.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return (
        f" since {info.get('since')} (pid {info.get('pid')} on {info.get('host')}: "
        f"{info.get('command')})"
    )

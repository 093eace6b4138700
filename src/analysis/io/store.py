"""Processed data on disk: Parquet, partitioned by agency, written once per cleaning run.

Layout under ``data/processed/<study>/``::

    responses/agency_id=<id>/part-0.parquet   analysed respondents
    posts/agency_id=<id>/part-0.parquet       engagement posts
    exclusions.parquet, flags.parquet          the survey ledger
    post_exclusions.parquet                    export rows that are not posts (totals, repeats)
    received.parquet, dropped_columns.parquet  accounting and privacy records
    agency_metrics.parquet                     every agency's metrics (reports rank theirs)
    clean.json                                 input hashes, notes, agencies that failed
    manifest.json                              rows, bytes and SHA-256 of every file above

A report reads only its agency's partition, so its cost does not grow with the study; what
it needs of the other agencies (their metrics, to rank its own) is the small flat
``agency_metrics`` table, computed once per cleaning run.

:func:`write_processed` fills a new folder and writes ``manifest.json`` last; the pipeline then
renames that folder into place (:mod:`analysis.pipeline.clean`). Every reader checks the files it
reads against the manifest, so an incomplete folder, a partition from another run or a file
changed by hand is an error, never silently read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from analysis import tables
from analysis.errors import InputError

PARTITIONED = ("responses", "posts", "comments")
FLAT = ("exclusions", "flags", "received", "dropped_columns", "post_exclusions", "agency_metrics")
MANIFEST = "manifest.json"
RERUN = "run `python -m analysis clean` again"


def write_processed(out_dir: Path, frames: dict[str, pd.DataFrame], summary: dict) -> Path:
    """Write the processed tables, ``clean.json`` and, last, ``manifest.json`` into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        A new folder (the caller renames it into place once this returns).
    frames : dict
        Table name -> DataFrame, for the names in ``PARTITIONED`` and ``FLAT``.
    summary : dict
        JSON-serialisable record of the run (input hashes, notes).

    Returns
    -------
    Path
        ``out_dir``.
    """
    rows = {}
    for name in PARTITIONED:
        for agency_id, part in frames[name].groupby("agency_id", sort=True):
            relative = f"{name}/agency_id={agency_id}/part-0.parquet"
            (out_dir / relative).parent.mkdir(parents=True)
            part.drop(columns="agency_id").to_parquet(out_dir / relative, index=False)
            rows[relative] = len(part)
    for name in FLAT:
        frames[name].to_parquet(out_dir / f"{name}.parquet", index=False)
        rows[f"{name}.parquet"] = len(frames[name])
    clean = json.dumps(summary, indent=2, default=str)
    (out_dir / "clean.json").write_text(clean, encoding="utf-8")
    files = {
        relative: {"rows": count, **_fingerprint(out_dir / relative)}
        for relative, count in sorted(rows.items())
    }
    files["clean.json"] = {"rows": None, **_fingerprint(out_dir / "clean.json")}
    (out_dir / MANIFEST).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
    return out_dir


def read_manifest(out_dir: Path) -> dict:
    """The manifest of a processed folder: relative path -> ``rows``, ``bytes``, ``sha256``.

    Raises
    ------
    InputError
        When the folder was never cleaned, or holds tables without a manifest (a cleaning run
        that was interrupted, or files copied by hand).
    """
    path = out_dir / MANIFEST
    if not path.is_file():
        if not out_dir.is_dir() or not any(out_dir.iterdir()):
            raise InputError(
                "no processed data here; run `python -m analysis clean` first", path=out_dir
            )
        raise InputError(
            f"processed data in {out_dir} has no {MANIFEST}, so it may be incomplete; {RERUN}"
        )
    return json.loads(path.read_text(encoding="utf-8"))["files"]


def read_checked(out_dir: Path, relative: str, manifest: dict | None = None) -> Path:
    """The path of ``relative`` once its size and SHA-256 match the manifest.

    Raises
    ------
    InputError
        Naming the file, when it is missing, not in the manifest or changed since cleaning.
    """
    files = read_manifest(out_dir) if manifest is None else manifest
    path = out_dir / relative
    expected = files.get(relative)
    problem = (
        "is not listed in the manifest"
        if expected is None
        else "is missing"
        if not path.is_file()
        else "differs from the manifest (changed, or left by another cleaning run)"
        if _fingerprint(path) != {k: expected[k] for k in ("bytes", "sha256")}
        else None
    )
    if problem:
        raise InputError(f"processed file {relative} in {out_dir} {problem}; {RERUN}")
    return path


def read_partition(out_dir: Path, name: str, agency_id: str | None = None) -> pd.DataFrame:
    """Read a partitioned table, for one agency or all, after checking it against the manifest.

    Returns
    -------
    pandas.DataFrame
        With ``agency_id`` restored as a string column; the contract dtypes of
        :mod:`analysis.tables` for ``responses``, ``posts`` and ``comments``.

    Raises
    ------
    InputError
        When a partition is missing, changed, or not from the cleaning run of the manifest.
    """
    manifest = read_manifest(out_dir)
    # one agency's read lists only its own folder, so its cost does not grow with the study
    folder = f"{name}/agency_id={agency_id}/" if agency_id is not None else f"{name}/"
    listed = sorted(k for k in manifest if k.startswith(folder))
    pattern = f"{folder}*" if agency_id is not None else f"{name}/*/*"
    on_disk = sorted(p.relative_to(out_dir).as_posix() for p in out_dir.glob(pattern))
    for relative in sorted(set(listed) ^ set(on_disk)):
        read_checked(out_dir, relative, manifest)  # raises: missing, or not in the manifest
    if agency_id is not None:
        relative = f"{name}/agency_id={agency_id}/part-0.parquet"
        if relative in manifest:
            frame = pd.read_parquet(read_checked(out_dir, relative, manifest))
        else:
            others = [k for k in manifest if k.startswith(f"{name}/")]
            frame = _empty_like(out_dir, sorted(others))
        frame.insert(0, "agency_id", agency_id)
    elif listed:
        for relative in listed:
            read_checked(out_dir, relative, manifest)
        frame = ds.dataset(out_dir / name, format="parquet", partitioning="hive").to_table()
        frame = frame.to_pandas()
        frame["agency_id"] = frame["agency_id"].astype(str)
    else:
        frame = pd.DataFrame({"agency_id": pd.Series(dtype="string")})
    contract = {"responses": tables.RESPONSES_FIXED, "comments": tables.COMMENTS}.get(
        name, tables.POSTS
    )
    return tables.conform(frame, contract)


def read_flat(out_dir: Path, name: str) -> pd.DataFrame:
    """Read a flat table (``exclusions``, ``flags``, ``received``, ``dropped_columns``,
    ``post_exclusions``, ``agency_metrics``) after checking it against the manifest."""
    return pd.read_parquet(read_checked(out_dir, f"{name}.parquet"))


def read_summary(out_dir: Path) -> dict:
    """The ``clean.json`` record of the last cleaning run (checked against the manifest)."""
    return json.loads(read_checked(out_dir, "clean.json").read_text(encoding="utf-8"))


def _empty_like(out_dir: Path, listed: list[str]) -> pd.DataFrame:
    """No rows, with the columns of the table's first partition (if any)."""
    return pd.read_parquet(out_dir / listed[0]).iloc[0:0] if listed else pd.DataFrame()


def _fingerprint(path: Path) -> dict:
    """``bytes`` and ``sha256`` of a file."""
    data = path.read_bytes()
    return {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

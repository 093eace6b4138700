"""Processed data on disk: Parquet, partitioned by agency, written once per cleaning run.

Layout under ``data/processed/<study>/``::

    responses/agency_id=<id>/part-0.parquet   analysed respondents
    posts/agency_id=<id>/part-0.parquet       engagement posts
    exclusions.parquet, flags.parquet          the survey ledger
    post_exclusions.parquet                    export rows that are not posts (totals, repeats)
    received.parquet, dropped_columns.parquet  accounting and privacy records
    clean.json                                 input hashes, notes, counts

A report reads only its agency's partition, so its cost does not grow with the study.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from analysis import tables
from analysis.errors import InputError

PARTITIONED = ("responses", "posts")
FLAT = ("exclusions", "flags", "received", "dropped_columns", "post_exclusions")


def write_processed(out_dir: Path, frames: dict[str, pd.DataFrame], summary: dict) -> Path:
    """Write the processed tables and ``clean.json`` (replacing a previous run's files).

    Parameters
    ----------
    out_dir : Path
        ``data/processed/<study>``.
    frames : dict
        Table name -> DataFrame, for the names in ``PARTITIONED`` and ``FLAT``.
    summary : dict
        JSON-serialisable record of the run (input hashes, notes).

    Returns
    -------
    Path
        ``out_dir``.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in PARTITIONED:
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        frame = frames[name]
        for agency_id, part in frame.groupby("agency_id", sort=True):
            folder = target / f"agency_id={agency_id}"
            folder.mkdir(parents=True)
            part.drop(columns="agency_id").to_parquet(folder / "part-0.parquet", index=False)
    for name in FLAT:
        frames[name].to_parquet(out_dir / f"{name}.parquet", index=False)
    (out_dir / "clean.json").write_text(
        json.dumps(summary, indent=2, default=str), encoding="utf-8"
    )
    return out_dir


def read_partition(out_dir: Path, name: str, agency_id: str | None = None) -> pd.DataFrame:
    """Read a partitioned table, for one agency or all.

    Returns
    -------
    pandas.DataFrame
        With ``agency_id`` restored as a string column; the contract dtypes of
        :mod:`analysis.tables` for ``responses`` and ``posts``.
    """
    folder = out_dir / name
    if not folder.exists():
        raise InputError(
            "no processed data here; run `python -m analysis clean` first", path=folder
        )
    if agency_id is not None:
        part = folder / f"agency_id={agency_id}" / "part-0.parquet"
        frame = pd.read_parquet(part) if part.exists() else _empty_like(folder)
        frame.insert(0, "agency_id", agency_id)
    else:
        frame = ds.dataset(folder, format="parquet", partitioning="hive").to_table().to_pandas()
        frame["agency_id"] = frame["agency_id"].astype(str)
    contract = tables.RESPONSES_FIXED if name == "responses" else tables.POSTS
    return tables.conform(frame, contract)


def read_flat(out_dir: Path, name: str) -> pd.DataFrame:
    """Read a flat table (``exclusions``, ``flags``, ``received``, ``dropped_columns``,
    ``post_exclusions``)."""
    path = out_dir / f"{name}.parquet"
    if not path.exists():
        raise InputError("no processed data here; run `python -m analysis clean` first", path=path)
    return pd.read_parquet(path)


def read_summary(out_dir: Path) -> dict:
    """The ``clean.json`` record of the last cleaning run."""
    return json.loads((out_dir / "clean.json").read_text(encoding="utf-8"))


def _empty_like(folder: Path) -> pd.DataFrame:
    any_part = next(folder.glob("*/part-0.parquet"), None)
    return pd.read_parquet(any_part).iloc[0:0] if any_part else pd.DataFrame()

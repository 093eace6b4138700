"""Cleaning a study: raw survey and engagement exports -> the processed Parquet store.

Beside the cleaned tables, every agency's metrics (``agency_metrics``, for the scorecard) are
computed here once from its posts and comments, so that an agency report can rank its agency
among the others while reading only its own partition. The engagement exports are read agency
by agency (:mod:`analysis.pipeline.engagement`), in parallel when a batch lends its workers.

The new processed folder is built beside the old one and renamed into place only when it is
complete, so an interrupted run leaves the previous, consistent folder (and a staging folder
that the next run removes). An engagement export that cannot be read fails its agency only:
the agency is listed in ``clean.json`` under ``failed_agencies`` with the error, and the other
agencies are cleaned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from analysis.cleaning.survey import check_analysed, clean_survey
from analysis.config import Study, load_study, paths
from analysis.io import store as processed
from analysis.pipeline import folders
from analysis.pipeline.engagement import Helpers, read_all_engagement
from analysis.pipeline.locking import study_lock


def clean_study(study: Study, processed_dir: str | Path | None = None) -> Path:
    """Clean the survey and read engagement exports; write processed tables.

    Holds the study's lock (:func:`analysis.pipeline.locking.study_lock`) while it runs.

    Parameters
    ----------
    study : Study
    processed_dir : path, optional
        Override of the study's processed folder; it must be new, empty, or a processed folder
        of this study.

    Returns
    -------
    Path
        The processed folder of the study.

    Raises
    ------
    InputError
        For a survey problem (also when no survey row is left to analyse), a folder that may
        not be written, or another run holding the lock. Engagement problems do not raise:
        see ``failed_agencies`` in ``clean.json``; agencies without an analysed respondent
        are listed in its ``warnings``.
    """
    with study_lock(study):
        return clean_locked(study, processed_dir)


def clean_locked(
    study: Study, processed_dir: str | Path | None = None, helpers: Helpers | None = None
) -> Path:
    """:func:`clean_study` for a caller that already holds the study's lock.

    ``helpers`` lends processes that read agencies' engagement exports beside this one
    (:func:`analysis.pipeline.engagement.read_all_engagement`); the result is the same.
    """
    target = folders.processed_folder(study, processed_dir)
    folders.remove_leftovers(target.parent, target.name)
    cleaned = clean_survey(study)
    check_analysed(study, cleaned)
    engagement = read_all_engagement(study, helpers)
    summary = {
        "config_sha256": study.config_hash(),
        "inputs": {
            study.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in study.raw_files()
        },
        "notes": cleaned.notes,
        "warnings": cleaned.warnings,
        "multi_select_columns": cleaned.multi_select_columns,
        "failed_agencies": engagement.failed,
        "comment_notes": engagement.notes,
    }
    frames = {
        "responses": cleaned.responses,
        "posts": engagement.posts,
        "comments": engagement.comments,
        "post_exclusions": engagement.ledger,
        "exclusions": cleaned.exclusions,
        "flags": cleaned.flags,
        "received": cleaned.received,
        "dropped_columns": cleaned.dropped_columns,
        "agency_metrics": engagement.metrics,
    }
    staging = folders.staging_folder(target)
    try:
        folders.claim(staging, study, "processed")
        processed.write_processed(staging, frames, summary)
        return folders.replace_folder(staging, target)
    finally:
        folders.remove(staging)  # gone already when renamed into place


def prepare_raw(study: Study) -> Path | None:
    """Make the demo study's raw data when the study is synthetic (a no-op for real studies).

    Returns
    -------
    Path or None
        The demo manifest, or None for a study whose raw files the researcher provides.
    """
    if not study.study.synthetic:
        return None
    from analysis.demo.generator import generate_demo

    return generate_demo(study)


def ensure_processed(config: str | Path | Study, processed_dir: str | Path | None = None) -> Path:
    """The study's processed folder, cleaned first if it never was.

    A notebook opened on a fresh clone calls this, so it runs top to bottom with its defaults:
    the demo study's raw data is generated (:func:`prepare_raw`), then cleaned.
    """
    study = config if isinstance(config, Study) else load_study(config)
    data_dir = paths.processed_dir(study, processed_dir or None)
    if not (data_dir / "clean.json").exists():
        prepare_raw(study)
        clean_study(study, processed_dir or None)
    return data_dir

"""Cleaning a study: raw survey and engagement exports -> the processed Parquet store.

Beside the cleaned tables, every agency's metrics (``agency_metrics``, for the scorecard) are
computed here once from all agencies' posts and comments, so that an agency report can rank its
agency among the others while reading only its own partition.

The new processed folder is built beside the old one and renamed into place only when it is
complete, so an interrupted run leaves the previous, consistent folder (and a staging folder
that the next run removes). An engagement export that cannot be read fails its agency only:
the agency is listed in ``clean.json`` under ``failed_agencies`` with the error, and the other
agencies are cleaned.
"""

from __future__ import annotations

import dataclasses
import hashlib
import traceback
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.cleaning.privacy import load_key
from analysis.cleaning.survey import check_analysed, clean_survey
from analysis.config import Study, load_study, paths
from analysis.errors import InputError
from analysis.io import store as processed
from analysis.io.comments import read_comments
from analysis.io.posts.platforms import read_posts
from analysis.pipeline import folders
from analysis.pipeline.locking import study_lock
from analysis.reporting.scorecard import agency_metrics


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


def clean_locked(study: Study, processed_dir: str | Path | None = None) -> Path:
    """:func:`clean_study` for a caller that already holds the study's lock."""
    target = folders.processed_folder(study, processed_dir)
    folders.remove_leftovers(target.parent, target.name)
    cleaned = clean_survey(study)
    check_analysed(study, cleaned)
    posts, skipped, failed = read_engagement(study)
    comments, comment_notes = read_comment_threads(study, failed)
    summary = {
        "config_sha256": study.config_hash(),
        "inputs": {
            study.relative(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in study.raw_files()
        },
        "notes": cleaned.notes,
        "warnings": cleaned.warnings,
        "multi_select_columns": cleaned.multi_select_columns,
        "failed_agencies": failed,
        "comment_notes": comment_notes,
    }
    frames = {
        "responses": cleaned.responses,
        "posts": posts,
        "comments": comments,
        "post_exclusions": skipped,
        "exclusions": cleaned.exclusions,
        "flags": cleaned.flags,
        "received": cleaned.received,
        "dropped_columns": cleaned.dropped_columns,
        "agency_metrics": agency_metrics(posts, comments, study),
    }
    staging = folders.staging_folder(target)
    try:
        folders.claim(staging, study, "processed")
        processed.write_processed(staging, frames, summary)
        return folders.replace_folder(staging, target)
    finally:
        folders.remove(staging)  # gone already when renamed into place


def read_engagement(study: Study) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Read every agency's platform exports; a file that cannot be read fails its agency.

    Returns
    -------
    tuple
        The ``posts`` table (contract :data:`analysis.tables.POSTS`, ``source_file`` relative
        to the study root); the ledger of export rows that are not posts (contract
        :data:`analysis.tables.LEDGER`: ``total_row`` for summary rows such as YouTube's
        "Total", ``duplicate_post`` for a repeated post id); and agency id -> error message
        for the agencies whose exports could not be read (their posts are left out).
    """
    posts, skipped, failed = [], [], {}
    for source, agency_id, path in study.engagement_files():
        if agency_id in failed or not path.exists():
            continue
        relative = study.relative(path)
        try:
            frame = read_posts(
                path,
                platform=source.platform,
                agency_id=agency_id,
                fmt=source.format,
                timezone=study.study.timezone,
                followers=study.agency(agency_id).followers.get(source.platform),
            )
        except Exception as error:  # one agency's bad export fails that agency only
            failed[agency_id] = str(_located(error, relative))
            continue
        posts.append((agency_id, frame.assign(source_file=relative)))
        skipped += [
            {
                "source_file": relative,
                "source_row": row,
                "agency_id": agency_id,
                "reason": reason.replace(" ", "_").replace("post_id", "post"),
                "detail": f"{source.platform} export: {reason}",
                "action": "exclude",
            }
            for row, reason in frame.attrs.get("skipped_rows", [])
        ]
    posts = [frame for agency_id, frame in posts if agency_id not in failed]
    skipped = [s for s in skipped if s["agency_id"] not in failed]
    all_posts = (
        tables.conform(pd.concat(posts, ignore_index=True), tables.POSTS)
        if posts
        else tables.empty_table(tables.POSTS)
    )
    ledger = (
        tables.conform(pd.DataFrame(skipped), tables.LEDGER)
        if skipped
        else tables.empty_table(tables.LEDGER)
    )
    return all_posts, ledger, failed


def read_comment_threads(study: Study, failed: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Read every agency's comment exports (sources with ``comments:``); fail agencies as posts.

    Citizens' names, handles and account ids are pseudonymized with the study's key (or left
    out without one) and redacted from comment texts; the agency's own replies are recognised
    by its name and its configured ``handles`` on the platform.

    Parameters
    ----------
    study : Study
    failed : dict
        Agency id -> error of agencies already failed; extended in place by a comment file
        that cannot be read (its agency's posts and comments are then left out).

    Returns
    -------
    tuple
        The ``comments`` table (contract :data:`analysis.tables.COMMENTS`, ``source_file``
        relative to the study root) and the readers' notes (one string per note, prefixed by
        its file).
    """
    key = load_key(study.privacy.key_env)
    frames, notes = [], []
    for source in [s for s in study.engagement if s.comments]:
        for agency in study.agencies:
            path = study.resolve(source.comments.path.replace("{agency}", agency.id))
            if agency.id in failed or not path.exists():
                continue
            relative = study.relative(path)
            try:
                frame = read_comments(
                    path,
                    platform=source.platform,
                    agency_id=agency.id,
                    fmt=source.comments.format,
                    timezone=study.study.timezone,
                    agency_handles=[agency.name, *agency.handles.get(source.platform, [])],
                    salt=key,
                )
            except Exception as error:  # one agency's bad export fails that agency only
                failed[agency.id] = str(_located(error, relative))
                continue
            frames.append(frame.assign(source_file=relative))
            notes += [f"{relative}: {note}" for note in frame.attrs.get("notes", [])]
    frames = [f for f in frames if f["agency_id"].iloc[:1].isin(list(failed)).sum() == 0]
    table = (
        tables.conform(pd.concat(frames, ignore_index=True), tables.COMMENTS)
        if frames
        else tables.empty_table(tables.COMMENTS)
    )
    return table, notes


def _located(error: Exception, relative: str) -> InputError:
    """The error as an InputError that names its file by ``relative``."""
    if isinstance(error, InputError):
        return dataclasses.replace(error, path=relative)
    return InputError("".join(traceback.format_exception_only(error)).strip(), path=relative)


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

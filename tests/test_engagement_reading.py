"""Reading engagement exports agency by agency, here and on helper processes."""

from __future__ import annotations

import shutil
import threading
from concurrent.futures import Future, ProcessPoolExecutor

import pandas as pd
import pytest

from analysis.config import load_study
from analysis.io.posts.platforms import read_posts
from analysis.pipeline.engagement import Engagement, read_all_engagement


@pytest.fixture(scope="module")
def read_here(demo_study) -> Engagement:
    return read_all_engagement(demo_study)


def _assert_same(found: Engagement, expected: Engagement) -> None:
    for table in ("posts", "ledger", "comments", "metrics"):
        pd.testing.assert_frame_equal(getattr(found, table), getattr(expected, table))
    assert found.notes == expected.notes
    assert found.failed == expected.failed


def test_posts_come_in_the_study_order_of_sources_then_agencies(demo_study, read_here):
    # reference: each export read on its own with the post reader, in engagement_files order
    expected = pd.concat(
        [
            read_posts(
                f.path,
                platform=f.source.platform,
                agency_id=f.agency_id,
                fmt=f.source.format,
                timezone=demo_study.study.timezone,
                followers=demo_study.agency(f.agency_id).followers.get(f.source.platform),
            )[["agency_id", "platform", "post_id"]]
            for f in demo_study.engagement_files()
            if f.path.exists()
        ],
        ignore_index=True,
    )
    assert len(demo_study.engagement) > 1 and len(demo_study.agencies) > 1
    found = read_here.posts[["agency_id", "platform", "post_id"]].astype(expected.dtypes)
    pd.testing.assert_frame_equal(found, expected, check_dtype=False)
    assert read_here.failed == {}
    assert set(read_here.comments["agency_id"]) == {a.id for a in demo_study.agencies}


def test_helper_processes_give_the_same_tables_row_for_row(demo_study, read_here):
    lent = []
    with ProcessPoolExecutor(2) as pool:

        def submit(function, study, agency):
            lent.append(agency)
            return pool.submit(function, study, agency)

        found = read_all_engagement(demo_study, lambda: (submit, 2))
    assert lent  # the helpers read some agencies (the rest were read here)
    _assert_same(found, read_here)


def test_an_agency_a_helper_could_not_return_is_read_here(demo_study, read_here):
    def submit(function, study, agency):
        future = Future()
        future.set_exception(RuntimeError("the worker died"))
        return future

    found = read_all_engagement(demo_study, lambda: (submit, 2))
    _assert_same(found, read_here)


def test_helpers_still_starting_are_not_waited_for(demo_study, read_here):
    ready = threading.Event()

    def helpers():
        ready.wait(timeout=120)
        return None

    found = read_all_engagement(demo_study, helpers)
    # had the reading waited for the helpers, the event would have been set by the timeout
    assert not ready.is_set()
    ready.set()
    _assert_same(found, read_here)


def test_an_unreadable_export_fails_its_agency_whoever_reads_it(tmp_path, demo_project):
    project = tmp_path / "project"
    shutil.copytree(demo_project, project)
    study = load_study(project / "config" / "demo.yml")
    broken = study.engagement_files()[1]
    broken.path.chmod(0o644)
    broken.path.write_bytes(b"\x00\x01 not an export\n")
    here = read_all_engagement(study)
    with ProcessPoolExecutor(1) as pool:
        lent = read_all_engagement(study, lambda: (pool.submit, 1))
    for found in (here, lent):
        assert list(found.failed) == [broken.agency_id]
        assert found.failed[broken.agency_id].startswith(study.relative(broken.path))
        assert broken.agency_id not in set(found.posts["agency_id"])
        assert broken.agency_id not in set(found.comments["agency_id"])
        assert found.posts["agency_id"].nunique() == len(study.agencies) - 1
    _assert_same(lent, here)


def test_a_key_that_cannot_be_read_is_not_blamed_on_an_export(demo_study, monkeypatch):
    from analysis.pipeline import engagement

    def unreadable(env_var):
        raise PermissionError("pseudonym.key: permission denied")

    monkeypatch.setattr(engagement, "load_key", unreadable)
    # the old placement failed every agency with the error, named after its last post export
    with pytest.raises(PermissionError, match="pseudonym.key"):
        read_all_engagement(demo_study)

"""Fault injection on a real loopback Dask cluster: a worker killed every time it renders one
agency fails that agency only; a worker killed once is recovered; the index, ``batch.json``
and the exit status say so."""

import hashlib
import json

import dask
import pytest

from analysis.cli import main
from analysis.config import load_study
from analysis.demo.generator import generate_demo

from .conftest import write_study_config

ALWAYS_KILLED, ONCE_KILLED = "diskominfo-sukamaju", "samsat-lembah-hijau"
pytestmark = pytest.mark.slow

# Preloaded by every worker: rendering ALWAYS_KILLED SIGKILLs the worker process every time,
# rendering ONCE_KILLED does so the first time only (a file marks that it happened).
KILLER = """
import os, signal
from pathlib import Path
import analysis.pipeline.report as report

render = report.render_report

def render_report(config, agency, *args, **kwargs):
    once = Path({marker!r})
    if agency == {always!r} or (agency == {once!r} and not once.exists()):
        once.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return render(config, agency, *args, **kwargs)

def dask_setup(worker):
    report.render_report = render_report
"""


def _digests(study):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in study.raw_files()}


def test_killed_worker_fails_its_agency_and_the_batch_still_finishes(tmp_path, capsys):
    config = write_study_config(tmp_path, [ALWAYS_KILLED, ONCE_KILLED])
    study = load_study(config)
    generate_demo(study)
    raw = _digests(study)
    killer = KILLER.format(
        marker=str(tmp_path / "killed-once"), always=ALWAYS_KILLED, once=ONCE_KILLED
    )
    with dask.config.set(
        {"distributed.worker.preload": [killer], "distributed.scheduler.allowed-failures": 2}
    ):
        status = main(["batch", "--config", str(config), "--workers", "2", "--lang", "en"])
    assert status == 1
    root = tmp_path / "reports" / "demo"
    summary = {s["agency"]: s for s in json.loads((root / "batch.json").read_text("utf-8"))}
    assert summary[ALWAYS_KILLED]["status"] == "failed", summary
    assert "KilledWorker" in summary[ALWAYS_KILLED]["error"]
    # "skipped" when its finished report was made again after a worker died holding the result
    assert summary[ONCE_KILLED]["status"] in ("ok", "skipped"), summary[ONCE_KILLED]["error"]
    assert (root / ONCE_KILLED / "report.pdf").is_file()
    index = (root / "index.html").read_text(encoding="utf-8")
    assert f"{ONCE_KILLED}/report.html" in index and f"{ALWAYS_KILLED}/report.html" not in index
    assert "Traceback" not in capsys.readouterr().err
    assert _digests(study) == raw  # raw files are never modified

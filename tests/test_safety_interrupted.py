"""A cleaning run killed (SIGKILL) while it writes leaves the previous processed data intact and
readable, and the next run is correct."""

import os
import signal
import subprocess
import sys

import pytest

from analysis.cli import main
from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.errors import InputError
from analysis.io import store
from analysis.pipeline import clean_study

from .conftest import write_study_config

AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau"]
pytestmark = pytest.mark.slow

# `python -m analysis clean`, killed by SIGKILL right after it wrote its third Parquet file
KILLED_CLEAN = """
import os, runpy, signal, sys
import pandas as pd

write = pd.DataFrame.to_parquet
written = []

def to_parquet(frame, path, *args, **kwargs):
    write(frame, path, *args, **kwargs)
    written.append(path)
    if len(written) == 3:
        os.kill(os.getpid(), signal.SIGKILL)

pd.DataFrame.to_parquet = to_parquet
sys.argv = ["analysis", "clean", "--config", sys.argv[1]]
runpy.run_module("analysis", run_name="__main__")
"""


def test_killed_clean_leaves_the_previous_data_and_the_next_run_is_correct(tmp_path):
    config = write_study_config(tmp_path, AGENCIES)
    study = load_study(config)
    generate_demo(study)
    out = clean_study(study)
    before = {a: store.read_partition(out, "posts", a) for a in AGENCIES}
    # the raw export changes, then the run that would write it is killed mid-write
    export = tmp_path / "data/raw/demo/engagement" / AGENCIES[1] / "youtube_table_data.csv"
    export.unlink()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_CLEAN, str(config)], capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    leftovers = [p for p in out.parent.iterdir() if p.name.startswith(".demo.staging-")]
    assert len(leftovers) == 1 and (leftovers[0] / "responses").is_dir()
    # readers see the previous, complete run: no mix of the two
    for agency in AGENCIES:
        assert store.read_partition(out, "posts", agency).equals(before[agency])
    # the next clean removes the leftover and writes the new data
    assert main(["clean", "--config", str(config)]) == 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".demo.")]
    after = store.read_partition(out, "posts", AGENCIES[1])
    assert set(after["platform"]) == set(before[AGENCIES[1]]["platform"]) - {"youtube"}
    assert store.read_partition(out, "posts", AGENCIES[0]).equals(before[AGENCIES[0]])


def test_clean_killed_before_any_complete_run_leaves_nothing_to_read(tmp_path):
    config = write_study_config(tmp_path, AGENCIES)
    generate_demo(load_study(config))
    killed = subprocess.run([sys.executable, "-c", KILLED_CLEAN, str(config)], capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    out = tmp_path / "data" / "processed" / "demo"
    assert not out.exists()
    with pytest.raises(InputError, match="run `python -m analysis clean` first"):
        store.read_partition(out, "posts", AGENCIES[0])
    assert main(["clean", "--config", str(config)]) == 0
    assert len(store.read_partition(out, "posts", AGENCIES[0])) > 0
    assert sorted(os.listdir(out.parent)) == ["demo"]

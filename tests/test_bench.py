"""The cleaning benchmark runs end to end at a small size (its figures are not checked here:
machines are shared and noisy, so speed is measured by ``make bench``, not by tests)."""

import json
import math
import subprocess
import sys

from .conftest import PROJECT


def test_bench_clean_runs_and_accounts_for_every_row(tmp_path):
    out = tmp_path / "bench_clean.json"
    command = [sys.executable, "bench/bench_clean.py", "--rows", "3000", "--repeat", "1"]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=PROJECT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["figures"]) == {"clean_vs_read_csv", "peak_memory_vs_frame"}
    assert all(math.isfinite(v) and v > 0 for v in report["figures"].values())
    assert {"reader_vs_read_csv", "careless_indices_vs_read_csv"} <= set(report["parts"])
    setup = report["setup"]
    assert setup["analysed"] + setup["excluded"] == 3000  # every generated row is accounted for
    assert "clean_vs_read_csv:" in done.stdout


def test_bench_hypotheses_runs_every_family_at_a_small_size(tmp_path):
    out = tmp_path / "bench_hypotheses.json"
    command = [sys.executable, "bench/bench_hypotheses.py", "--agencies", "2", "--n", "120"]
    done = subprocess.run(
        [*command, "--out", str(out)], cwd=PROJECT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert all(math.isfinite(v) and v > 0 for v in report["figures"].values())
    # one timing per declared family of the demo study
    assert {"ols_seconds", "mediation_seconds", "sem_seconds"} <= set(report["parts"])

"""The bootstrap benchmark runs end to end at a small size (its speed figure is not checked
here: machines are shared and noisy, so speed is measured by ``make bench``, not by tests)."""

import json
import math
import subprocess
import sys

import pytest

from .conftest import PROJECT


def test_bench_bootstrap_runs_and_compares_both_intervals(tmp_path):
    out = tmp_path / "bench_bootstrap.json"
    command = [sys.executable, "bench/bench_bootstrap.py", "--rows", "200", "--boot", "200"]
    command += ["--repeat", "1", "--mc-seeds", "3", "--out", str(out)]
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["figures"]) == {"bootstrap_speedup_vs_pingouin"}
    assert all(math.isfinite(v) and v > 0 for v in report["figures"].values())
    ci = report["ci"]
    # the same a x b from both implementations (pingouin is the second implementation)
    assert ci["estimate_ours"] == pytest.approx(ci["estimate_pingouin"], rel=1e-10)
    for bounds in (ci["pingouin_bc"], ci["ours_bc"], ci["ours_bca"]):
        assert bounds[0] < ci["estimate_ours"] < bounds[1]
    assert isinstance(ci["agree_within_monte_carlo_error"], bool)
    assert "bootstrap_speedup_vs_pingouin:" in done.stdout and "pingouin_bc=" in done.stdout

"""The batch benchmark runs end to end at a small size: its five batch runs, the killed worker
failing only its agency and the corrupt export only its agency (its speed figures are not
checked here: machines are shared and noisy, so speed is measured by ``make bench``)."""

import json
import math
import subprocess
import sys

import pytest

from .conftest import PROJECT

pytestmark = pytest.mark.slow


def test_bench_batch_runs_and_only_the_damaged_agencies_fail(tmp_path):
    out = tmp_path / "bench_batch.json"
    command = [sys.executable, "bench/bench_batch.py", "--agencies", "3", "--subset", "3"]
    done = subprocess.run(
        [*command, "--kill-after", "1", "--out", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    figures = report["figures"]
    assert set(figures) == {
        "speedup_2_vs_1_workers",
        "overhead_vs_kernel_time",
        "noop_rerun_fraction",
    }
    assert all(math.isfinite(v) and v > 0 for v in figures.values())
    assert figures["noop_rerun_fraction"] < 1  # nothing is rendered again
    setup = report["setup"]
    # two workers make the reports within the batch's time: it can only add to their time
    assert setup["overhead_vs_report_time"] >= 1
    assert 0 < setup["kernel_throughput_2_vs_1"] < 3  # 2 x (1-worker kernel sum / 2-worker sum)
    # the kernels of the full runs were seen (their imports alone take over a CPU second);
    # a no-op run starts none
    kernel_cpu = setup["kernel_cpu_seconds"]
    assert kernel_cpu["full"] > 1 and kernel_cpu["full_1_worker"] > 1 and kernel_cpu["killed"] > 1
    assert kernel_cpu["noop"] == 0
    assert setup["kernel_cpu_2_vs_1"] > 0
    assert setup["run_exit_status"] == {
        "full": 0,
        "noop": 0,
        "full_1_worker": 0,
        "killed": 1,
        "corrupt": 1,
    }
    assert setup["summaries"]["noop"].startswith("Batch: 3 skipped")
    for run in ("full", "full_1_worker"):
        cut = setup["phases"][run]
        # the phases are the run, cut where its first report began and its last was printed
        assert list(cut) == ["before_reports", "reports", "after_reports"]
        seconds = sum(phase["seconds"] for phase in cut.values())
        assert seconds == pytest.approx(setup["run_seconds"][run], abs=0.3)
        assert all(phase["seconds"] > 0 for phase in cut.values())
        assert all(0 < phase["cores_busy"] <= setup["cpus"] for phase in cut.values())
    best = setup["bounds"]
    # the reports phase packed onto every core can only be shorter than it was (the phases
    # add up to the run within 0.3 s): the bounds are at least as good as the figures
    assert best["full_seconds"] <= setup["run_seconds"]["full"] + 0.3
    assert best["speedup_2_vs_1_workers"] >= figures["speedup_2_vs_1_workers"] * 0.97
    assert best["overhead_vs_kernel_time"] <= figures["overhead_vs_kernel_time"] * 1.03
    assert best["overhead_vs_kernel_time_of_the_reports_alone"] > 0
    assert best["overhead_vs_kernel_time_of_the_reports_alone"] < best["overhead_vs_kernel_time"]
    killed, corrupt = report["checks"]["killed"], report["checks"]["corrupt"]
    assert killed["ok"], killed
    assert len(killed["failed"]) == 1 and "KilledWorker" in killed["errors"][0]
    assert killed["processes_left"] == []  # its kernel and browser went with it
    assert corrupt["ok"], corrupt
    assert corrupt["failed"] == ["instansi-002"] and "instagram_posts.csv" in corrupt["errors"][0]
    assert corrupt["statuses"] == {"failed": 1, "ok": 2}
    assert "speedup_2_vs_1_workers:" in done.stdout

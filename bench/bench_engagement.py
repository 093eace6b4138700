"""Benchmark: engagement metrics over 10,000,000 posts of 500 agencies in partitioned Parquet.

Figures (written to reports/bench/bench_engagement.json):
- ``per_agency_time_500_vs_50``: mean time of one agency's run in a store of 500 agencies
  divided by the same in a store of 50 agencies with the same posts per agency, in the same run
  (goal <= 1.2: a report's cost should not grow with the study). An agency's run reads only its
  partition with :func:`analysis.io.store.read_partition` and computes
  :func:`analysis.stats.engagement.engagement_metrics` and ``platform_summary`` on it.
- ``study_metrics_seconds``: wall time of ``engagement_metrics`` on every post of the large store
  (read beforehand with ``read_partition``; the read is timed apart in ``parts``), and
  ``study_posts_per_second``, the posts divided by that time.
- ``study_peak_memory_mb``: peak resident memory added by reading every post and computing the
  study's metrics (VmHWM minus the resident memory before).

The posts are drawn by :func:`analysis.demo.bulk_posts.bulk_posts` (seeded; each agency from its
own stream) and written by the store's own :func:`analysis.io.store.write_processed`, so both
stores have the layout of a cleaning run (``posts/agency_id=<id>/part-0.parquet`` and a
manifest). The 50 agencies of the small store are the first 50 of the large one, with the same
rows, so the timed agencies (``--sample`` of them, drawn with a fixed seed) read identical
partitions in both stores and only the store's size differs.

The measurements run in a fresh process (which alone imports :mod:`analysis.stats`, hence the
imports inside the functions), so that the memory of drawing the posts is not in their peak:
first the per-agency runs, then the study. The machines are shared and noisy, so each sampled
agency is run ``--repeat`` times in each store, interleaved (small, large, large, small, ...),
and its time is the fastest, as ``timeit`` advises; the figure compares the means of those over
the sample, and the study time is the fastest of ``--repeat``. Every repetition is saved.
``setup`` gives the peak resident memory of drawing and writing the posts
(``generate_write_peak_mb``) and of the process after the per-agency runs
(``per_agency_peak_mb``). ``accounting`` shows that every generated post was read back once:
posts per agency in the study read, distinct post ids, and posts counted by the metrics.

Comments are not generated: the store has no comments table yet (``PARTITIONED`` holds
``responses`` and ``posts``), so there is no project layout of comments to measure.

Usage: ``python bench/bench_engagement.py [--agencies N] [--posts-per-agency P] [--repeat R]
[--small-agencies S] [--sample K] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

from analysis.demo.bulk_posts import bulk_posts
from analysis.io.store import read_partition, write_processed
from analysis.tables import AGENCY_METRICS, COMMENTS, LEDGER, RESPONSES_FIXED, empty_table

ROOT = Path(__file__).resolve().parents[1]
TIMEZONE = "Asia/Jakarta"
SEED = 20261201


def agency_ids(count: int) -> list[str]:
    """``instansi-0000``, ``instansi-0001``, ...: the agencies of a store of ``count``."""
    return [f"instansi-{k:04d}" for k in range(count)]


def write_store(folder: Path, posts: pd.DataFrame) -> Path:
    """Write ``posts`` as a cleaning run does (other tables empty); return the folder."""
    frames = {
        "responses": empty_table(RESPONSES_FIXED),
        "posts": posts,
        "comments": empty_table(COMMENTS),
        "agency_metrics": empty_table(AGENCY_METRICS),
        **{
            name: empty_table(LEDGER)
            for name in ("exclusions", "flags", "received", "dropped_columns", "post_exclusions")
        },
    }
    return write_processed(folder, frames, {"generator": "analysis.demo.bulk_posts"})


def run_agency(store: Path, agency_id: str) -> tuple[float, float, int]:
    """One agency's run; return the seconds to read, the seconds to compute and the rows read."""
    from analysis.stats.engagement import engagement_metrics, platform_summary

    started = time.perf_counter()
    posts = read_partition(store, "posts", agency_id)
    read = time.perf_counter() - started
    engagement_metrics(posts, timezone=TIMEZONE)
    platform_summary(posts, timezone=TIMEZONE)
    return read, time.perf_counter() - started - read, len(posts)


def _resident_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _measure(stores: dict[str, str], sample: list[str], repeat: int, queue) -> None:
    """Time the sampled agencies in both stores, then the whole study; put what was measured."""
    paths = {size: Path(path) for size, path in stores.items()}
    measured = _time_agencies(paths, sample, repeat)
    measured["per_agency_peak_mb"] = _resident_kib("VmHWM:") / 1024
    measured |= _time_study(paths["large"], repeat)
    queue.put(measured)


def _time_agencies(paths: dict[str, Path], sample: list[str], repeat: int) -> dict:
    """Each sampled agency ``repeat`` times in each store, interleaved: (read, compute) seconds
    per run and the rows each agency read."""
    for path in paths.values():  # warm up imports, caches and the files' pages
        run_agency(path, sample[0])
    runs = {size: {agency: [] for agency in sample} for size in paths}
    rows = {size: {} for size in paths}
    for turn in range(repeat):
        for position, agency in enumerate(sample):
            for size in sorted(paths, reverse=bool((turn + position) % 2)):
                read, compute, count = run_agency(paths[size], agency)
                runs[size][agency].append((read, compute))
                rows[size][agency] = count
    return {"runs": runs, "rows": rows}


def _time_study(store: Path, repeat: int) -> dict:
    """Read every post, time ``engagement_metrics`` on all of them ``repeat`` times; the peak
    memory this adds, and the accounting of the rows read."""
    from analysis.stats.engagement import engagement_metrics

    before = _resident_kib("VmRSS:")
    started = time.perf_counter()
    posts = read_partition(store, "posts")
    read_seconds = time.perf_counter() - started
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        metrics = engagement_metrics(posts, timezone=TIMEZONE)
        seconds.append(time.perf_counter() - started)
    counted = metrics[metrics["metric"] == "posts_per_week"].groupby("agency_id")["n_posts"].sum()
    return {
        "read_seconds": read_seconds,
        "metrics_seconds": seconds,
        "peak_added_mb": (_resident_kib("VmHWM:") - before) / 1024,
        "frame_mb": posts.memory_usage(deep=True).sum() / 1e6,
        "rows_read_by_agency": posts.groupby("agency_id").size().astype(int).to_dict(),
        "distinct_post_ids": int(posts["post_id"].nunique()),
        "posts_in_metrics_by_agency": counted.astype(int).to_dict(),
    }


def _in_fresh_process(target, *args) -> dict:
    """Run ``target(*args, queue)`` in a new Python process; return what it put."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    measured = queue.get()
    child.join()
    return measured


def _mean_fastest(runs: dict[str, list], part: slice = slice(None)) -> float:
    """Mean over agencies of the fastest repetition (read + compute, or the parts in ``part``)."""
    return float(np.mean([min(sum(run[part]) for run in times) for times in runs.values()]))


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print and save its figures (``argv``: the command-line arguments)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--small-agencies", type=int, default=50)
    parser.add_argument("--posts-per-agency", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "reports" / "bench" / "bench_engagement.json"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sample <= args.small_agencies < args.agencies:
        parser.error("need 1 <= --sample <= --small-agencies < --agencies")
    agencies = agency_ids(args.agencies)
    rng = np.random.default_rng(SEED)
    sample = sorted(map(str, rng.choice(agencies[: args.small_agencies], args.sample, False)))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        posts = bulk_posts(agencies, args.posts_per_agency, seed=SEED)
        generate_seconds = time.perf_counter() - started
        small_rows = args.small_agencies * args.posts_per_agency
        stores, write_seconds = {}, {}
        for size, rows in (("small", small_rows), ("large", len(posts))):
            started = time.perf_counter()
            stores[size] = write_store(Path(tmp) / f"store_{size}", posts.iloc[:rows])
            write_seconds[size] = time.perf_counter() - started
        generated = len(posts)
        del posts
        write_peak_mb = _resident_kib("VmHWM:") / 1024
        store_mb = {size: round(_folder_mb(path), 1) for size, path in stores.items()}
        paths = {size: str(path) for size, path in stores.items()}
        study = _in_fresh_process(_measure, paths, sample, args.repeat)
    runs = study["runs"]
    small, large = _mean_fastest(runs["small"]), _mean_fastest(runs["large"])
    study_seconds = min(study["metrics_seconds"])
    figures = {
        "per_agency_time_500_vs_50": round(large / small, 3),
        "study_metrics_seconds": round(study_seconds, 2),
        "study_posts_per_second": round(generated / study_seconds),
        "study_peak_memory_mb": round(study["peak_added_mb"], 1),
    }
    parts = {  # seconds: the fastest repetition, mean over the sampled agencies
        f"{what}_seconds_{size}": round(_mean_fastest(runs[size], part), 4)
        for size in ("small", "large")
        for what, part in (("per_agency", slice(None)), ("read", slice(0, 1)))
    }
    parts["study_read_seconds"] = round(study["read_seconds"], 2)
    accounting = {
        "rows_generated": generated,
        "rows_read": sum(study["rows_read_by_agency"].values()),
        "distinct_post_ids": study["distinct_post_ids"],
        "rows_read_by_agency": study["rows_read_by_agency"],
        "posts_in_metrics_by_agency": study["posts_in_metrics_by_agency"],
        "sample_rows_read": study["rows"],
    }
    setup = {
        "agencies": args.agencies,
        "small_agencies": args.small_agencies,
        "posts_per_agency": args.posts_per_agency,
        "sample": sample,
        "repeat": args.repeat,
        "generate_seconds": round(generate_seconds, 1),
        "write_seconds": {k: round(v, 1) for k, v in write_seconds.items()},
        "store_mb": store_mb,
        "generate_write_peak_mb": round(write_peak_mb, 1),
        "study_frame_mb": round(study["frame_mb"], 1),
        "study_metrics_seconds_all": [round(s, 2) for s in study["metrics_seconds"]],
        "per_agency_peak_mb": round(study["per_agency_peak_mb"], 1),
        "per_agency_runs": runs,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "cpus": multiprocessing.cpu_count(),
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"figures": figures, "parts": parts, "accounting": accounting, "setup": setup}
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name, value in figures.items():
        print(f"{name}: {value}")
    print("parts: " + ", ".join(f"{k}={v}" for k, v in parts.items()))
    brief = {k: v for k, v in setup.items() if k not in ("per_agency_runs", "sample")}
    print("setup: " + ", ".join(f"{k}={v}" for k, v in brief.items()))
    return figures


if __name__ == "__main__":
    main()

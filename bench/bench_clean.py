"""Benchmark: clean 1,000,000 Google Forms responses x 40 items.

Figures (written to reports/bench/bench_clean.json):
- ``clean_vs_read_csv``: wall time of ``analysis.cleaning.clean_survey`` on the file divided by
  the wall time of a plain ``pandas.read_csv`` of the same file, in the same run (goal <= 3).
- ``peak_memory_vs_frame``: peak resident memory added while cleaning (VmHWM minus the resident
  memory before) divided by the in-memory size of the cleaned ``responses`` frame (goal <= 3).

The data are generated here (seeded): a timestamp, an email, the agency question, 40 items on
the Indonesian 5-point agreement scale, and a completion time. Cleaning runs in a fresh process
so that its peak memory is its own, and so does each ``read_csv``, so both start alike. The
machines are shared and noisy, so both are repeated (``--repeat``, interleaved: read, clean,
read, clean, ...) and the time figure uses the fastest of each, as ``timeit`` advises; the peak
memory is the largest seen. Every repetition (wall and CPU seconds) is saved with the figures.

``parts`` puts the figure in context, in the same unit (the fastest ``read_csv``): the format
reader alone (``reader_vs_read_csv``), ``ier``'s longstring and Mahalanobis on the coded
1M x 40 matrix (``careless_indices_vs_read_csv``) and ``read_csv`` held to one thread
(``one_thread_vs_read_csv``; pandas >= 3.1 parses large files on every core by default).

Usage: ``python bench/bench_clean.py [--rows N] [--items K] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
LABELS = np.array(["Sangat Tidak Setuju", "Tidak Setuju", "Netral", "Setuju", "Sangat Setuju", ""])
AGENCIES = [f"instansi-{k:02d}" for k in range(10)]


def write_data(folder: Path, rows: int, items: int, seed: int = 1) -> Path:
    """Write the survey CSV and a study config for it; return the config path."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-09-01T00:00:00")
    stamps = pd.Series(start + rng.integers(0, 60 * 86400, rows).astype("timedelta64[s]"))
    frame = pd.DataFrame(
        {
            "Stempel waktu": stamps.dt.strftime("%d/%m/%Y %H:%M:%S"),
            "Alamat email": [f"r{k}@contoh.id" for k in range(rows)],
            "Instansi": np.array(AGENCIES)[rng.integers(0, len(AGENCIES), rows)],
        }
    )
    latent = rng.normal(size=(rows, 1))
    codes = np.clip(np.round(3 + latent + rng.normal(scale=0.8, size=(rows, items))), 1, 5)
    codes[rng.random((rows, items)) < 0.01] = 6  # 1 % skipped answers
    for k in range(items):
        frame[f"Pernyataan {k + 1}"] = LABELS[codes[:, k].astype(int) - 1]
    frame["Durasi (detik)"] = rng.integers(30, 900, rows).astype(str)
    frame.to_csv(folder / "survey.csv", index=False)
    constructs = [
        {
            "id": f"c{c}",
            "label": {"id": f"c{c}", "en": f"c{c}"},
            "scale": "agree5_id",
            "items": [
                {"id": f"q{k + 1}", "column": f"Pernyataan {k + 1}"}
                for k in range(c * 5, min(items, c * 5 + 5))
            ],
        }
        for c in range(-(-items // 5))
    ]
    config = {
        "study": {"id": "bench", "title": {"id": "bench", "en": "bench"}},
        "root": ".",
        "agencies": [{"id": a, "name": a} for a in AGENCIES],
        "survey": [
            {
                "path": "survey.csv",
                "format": "google_forms",
                "agency_column": "Instansi",
                "duration_column": "Durasi (detik)",
                "date_order": "dmy",
            }
        ],
        "constructs": constructs,
    }
    path = folder / "bench.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _resident_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    return 0


def _measure_in_child(task: str, config: str, queue) -> None:
    """Run ``task`` ("read_csv" or "clean") on the study of ``config``; put what it measured.

    ``seconds`` is wall time, ``cpu_seconds`` user + system time of the process (all threads).
    """
    from analysis.cleaning.survey import clean_survey
    from analysis.config import load_study

    study = load_study(config)
    before = _resident_kib("VmRSS:")
    cpu = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    started = time.perf_counter()
    if task == "read_csv":
        pd.read_csv(study.resolve(study.survey[0].path))
        measured = {}
    else:
        cleaned = clean_survey(study)
        measured = {
            "frame_bytes": int(cleaned.responses.memory_usage(deep=True).sum()),
            "analysed": len(cleaned.responses),
            "excluded": len(cleaned.exclusions),
        }
    measured["seconds"] = time.perf_counter() - started
    measured["cpu_seconds"] = sum(resource.getrusage(resource.RUSAGE_SELF)[:2]) - cpu
    measured["peak_added_bytes"] = (_resident_kib("VmHWM:") - before) * 1024
    measured["parts"] = _time_parts(task, study, None if task == "read_csv" else cleaned)
    queue.put(measured)


def _time_parts(task: str, study, cleaned) -> dict:
    """Seconds of the parts that set the floor of the figures (timed after the figures).

    For ``read_csv``: the same read on one thread (``mode.max_threads``, pandas >= 3.1). For
    ``clean``: reading the export alone (format reader, no coding), and the two careless-
    responding indices from ``ier`` (longstring, Mahalanobis) on the coded item matrix.
    """
    import ier

    from analysis.cleaning.survey import read_source

    parts = {}
    if task == "read_csv":
        try:
            one_thread = pd.option_context("mode.max_threads", 1)
        except pd.errors.OptionError:  # pandas < 3.1 reads on one thread anyway
            return parts
        with one_thread:
            started = time.perf_counter()
            pd.read_csv(study.resolve(study.survey[0].path))
            parts["one_thread"] = time.perf_counter() - started
        return parts
    started = time.perf_counter()
    read_source(study, study.survey[0])
    parts["reader"] = time.perf_counter() - started
    items = [item.id for construct in study.constructs for item in construct.items]
    matrix = cleaned.responses[items].to_numpy(dtype=float, na_value=np.nan)
    started = time.perf_counter()
    ier.longstring_scores(matrix)
    ier.mahad(matrix, na_rm=True)
    parts["careless_indices"] = time.perf_counter() - started
    return parts


def _in_fresh_process(task: str, config: Path) -> dict:
    """Run :func:`_measure_in_child` in a new Python process; return what it measured."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_measure_in_child, args=(task, str(config), queue))
    child.start()
    measured = queue.get()
    child.join()
    return measured


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print and save its figures (``argv``: the command-line arguments)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "bench" / "bench_clean.json")
    args = parser.parse_args(argv)
    reads, cleans = [], []
    with tempfile.TemporaryDirectory() as tmp:
        config = write_data(Path(tmp), args.rows, args.items)
        for _ in range(args.repeat):
            reads.append(_in_fresh_process("read_csv", config))
            cleans.append(_in_fresh_process("clean", config))
        size = (Path(tmp) / "survey.csv").stat().st_size
    clean = min(cleans, key=lambda run: run["seconds"])
    read_seconds = min(run["seconds"] for run in reads)
    peak = max(run["peak_added_bytes"] for run in cleans)
    figures = {
        "clean_vs_read_csv": round(clean["seconds"] / read_seconds, 2),
        "peak_memory_vs_frame": round(peak / clean["frame_bytes"], 2),
    }
    parts = {  # context for the figures, each the fastest run over the fastest read_csv
        f"{name}_vs_read_csv": round(min(run["parts"][name] for run in runs) / read_seconds, 2)
        for runs, names in ((cleans, ("reader", "careless_indices")), (reads, ("one_thread",)))
        for name in names
        if all(name in run["parts"] for run in runs)
    }
    setup = {
        "rows": args.rows,
        "items": args.items,
        "file_mb": round(size / 1e6, 1),
        "repeat": args.repeat,
        "read_csv_seconds": [round(run["seconds"], 2) for run in reads],
        "clean_seconds": [round(run["seconds"], 2) for run in cleans],
        "read_csv_cpu_seconds": [round(run["cpu_seconds"], 2) for run in reads],
        "clean_cpu_seconds": [round(run["cpu_seconds"], 2) for run in cleans],
        "frame_mb": round(clean["frame_bytes"] / 1e6, 1),
        "peak_added_mb": [round(run["peak_added_bytes"] / 1e6, 1) for run in cleans],
        "analysed": clean["analysed"],
        "excluded": clean["excluded"],
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "cpus": multiprocessing.cpu_count(),
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"figures": figures, "parts": parts, "setup": setup}
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name, value in figures.items():
        print(f"{name}: {value}")
    print("parts: " + ", ".join(f"{k}={v}" for k, v in parts.items()))
    print("setup: " + ", ".join(f"{k}={v}" for k, v in setup.items()))
    return figures


if __name__ == "__main__":
    main()

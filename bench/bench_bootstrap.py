"""Benchmark: bootstrap of a simple mediation, n = 1,000, 5,000 resamples.

Figures (written to reports/bench/bench_bootstrap.json):
- ``bootstrap_speedup_vs_pingouin``: wall time of ``pingouin.mediation_analysis(...,
  n_boot=5000)`` divided by that of ``analysis.stats.mediation.mediation(..., n_boot=5000)``
  (default BCa interval, jackknife included) on the same data, in the same run (goal >= 10).

Both are repeated (``--repeat``, interleaved: pingouin, ours, pingouin, ...) and the figure uses
the fastest of each, as ``timeit`` advises on shared, noisy machines; every repetition is saved.

The two answers are compared too (``ci``): the point estimates must agree to 1e-10, and the
intervals within Monte Carlo error. pingouin reports a bias-corrected ("bc") interval, so ours
is computed with ``ci="bc"`` for the comparison (the BCa interval is printed beside it); the
Monte Carlo SD of each bound is that of ours over ``--mc-seeds`` seeds, and the bounds agree
when they differ by less than 4 x sqrt(2) of it (the difference of two independent bootstraps
has sqrt(2) times the SD of one).

The data are generated here (seeded): x standard normal, m = 0.4 x + e, y = 0.2 x + 0.3 m + e.

Usage: ``python bench/bench_bootstrap.py [--rows N] [--boot B] [--repeat R] [--mc-seeds S]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pingouin as pg

from analysis.stats.mediation import mediation

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261123


def make_data(rows: int, seed: int = 1) -> pd.DataFrame:
    """x -> m -> y with a = 0.4, b = 0.3, c' = 0.2 and standard normal errors."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    m = 0.4 * x + rng.normal(size=rows)
    y = 0.2 * x + 0.3 * m + rng.normal(size=rows)
    return pd.DataFrame({"x": x, "m": m, "y": y})


def _timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def _rounded(value):
    """Floats (alone or in a list) to 6 significant digits for printing; the JSON keeps all."""
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return float(f"{value:.6g}") if isinstance(value, float) else value


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print and save its figures (``argv``: the command-line arguments)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000)
    parser.add_argument("--boot", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mc-seeds", type=int, default=20)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "reports" / "bench" / "bench_bootstrap.json"
    )
    args = parser.parse_args(argv)
    frame = make_data(args.rows)
    mediation(frame, "x", "m", "y", n_boot=100)  # warm up imports and caches

    def run_pingouin():
        return pg.mediation_analysis(frame, x="x", m="m", y="y", n_boot=args.boot, seed=SEED)

    def run_ours():
        return mediation(frame, "x", "m", "y", n_boot=args.boot, seed=SEED)

    pingouin_runs, our_runs = [], []
    for _ in range(args.repeat):
        seconds, theirs = _timed(run_pingouin)
        pingouin_runs.append(seconds)
        seconds, ours_bca = _timed(run_ours)
        our_runs.append(seconds)
    figures = {"bootstrap_speedup_vs_pingouin": round(min(pingouin_runs) / min(our_runs), 1)}

    their_row = theirs.set_index("path").loc["Indirect"]
    bc_runs = [
        mediation(frame, "x", "m", "y", n_boot=args.boot, ci="bc", seed=SEED + k)
        .set_index("term")
        .loc["indirect"]
        for k in range(args.mc_seeds)
    ]
    ours_bc = bc_runs[0]
    mc_sd = {
        key: float(np.std([run[key] for run in bc_runs], ddof=1)) for key in ("ci_low", "ci_high")
    }
    ours_bca_row = ours_bca.set_index("term").loc["indirect"]
    ci = {
        "estimate_pingouin": float(their_row["coef"]),
        "estimate_ours": float(ours_bc["estimate"]),
        "estimate_difference": float(abs(their_row["coef"] - ours_bc["estimate"])),
        "pingouin_bc": [float(their_row["CI2.5"]), float(their_row["CI97.5"])],
        "ours_bc": [float(ours_bc["ci_low"]), float(ours_bc["ci_high"])],
        "ours_bca": [float(ours_bca_row["ci_low"]), float(ours_bca_row["ci_high"])],
        "monte_carlo_sd": [mc_sd["ci_low"], mc_sd["ci_high"]],
    }
    margin = 4 * np.sqrt(2) * np.array(ci["monte_carlo_sd"])
    ci["agree_within_monte_carlo_error"] = bool(
        ci["estimate_difference"] < 1e-10
        and (np.abs(np.subtract(ci["ours_bc"], ci["pingouin_bc"])) <= margin).all()
    )
    setup = {
        "rows": args.rows,
        "boot": args.boot,
        "repeat": args.repeat,
        "pingouin_seconds": [round(s, 3) for s in pingouin_runs],
        "ours_seconds": [round(s, 3) for s in our_runs],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pingouin": pg.__version__,
        "cpus": multiprocessing.cpu_count(),
    }
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"figures": figures, "ci": ci, "setup": setup}
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name, value in figures.items():
        print(f"{name}: {value}")
    print("ci: " + ", ".join(f"{k}={_rounded(v)}" for k, v in ci.items()))
    print("setup: " + ", ".join(f"{k}={v}" for k, v in setup.items()))
    return figures


if __name__ == "__main__":
    main()

"""Benchmark: every confirmatory hypothesis of the demo study, for 100 agencies.

Times :func:`analysis.reporting.hypotheses.run_hypotheses` (all seven demo hypotheses: three OLS
regressions with HC3, a mediation with 5,000 BCa bootstrap resamples, a moderation with
Johnson-Neyman, a Welch comparison and a SEM path) on 100 generated agencies of ``--n``
respondents each, drawn from the demo study's own data-generating model
(:mod:`analysis.demo.survey_generator`, seeded). No goal is set; the figures say what a batch
of 100 agency reports spends on its statistics.

Figures (``reports/bench/bench_hypotheses.json``): ``hypotheses_seconds_per_agency`` (mean wall
time per agency), ``hypotheses_seconds_100_agencies`` (total) and, in ``parts``, the mean
seconds per hypothesis family.

Usage: ``python bench/bench_hypotheses.py [--agencies K] [--n N] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.config import load_study, paths
from analysis.demo.survey_generator import agency_profiles, simulate_latent
from analysis.reporting import hypotheses

ROOT = Path(__file__).resolve().parents[1]


def agency_scores(study, profile: pd.Series, n: int, rng: np.random.Generator) -> tuple:
    """Scores and item answers of one generated agency (latent scores plus item noise)."""
    latent = simulate_latent(profile, n, rng)
    scores = latent.assign(gender=rng.choice(["Perempuan", "Laki-laki"], n))
    items = {}
    for construct in study.constructs:
        for item in construct.items:
            value = latent[construct.id] + rng.normal(0, 0.7, n)
            items[item.id] = np.clip(np.round(3 + value), 1, 5)
    return scores, pd.DataFrame(items)


def main(argv: list[str] | None = None) -> dict:
    """Run the benchmark, print and save its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agencies", type=int, default=100)
    parser.add_argument("--n", type=int, default=250, help="respondents per agency")
    default_out = ROOT / "reports" / "bench" / "bench_hypotheses.json"
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args(argv)
    study = load_study(paths.demo_config())
    rng = np.random.default_rng(study.study.seed)
    profiles = agency_profiles(study, rng)
    per_agency, per_family = [], {}
    for k in range(args.agencies):
        profile = profiles.iloc[k % len(profiles)]
        scores, responses = agency_scores(study, profile, args.n, rng)
        started = time.perf_counter()
        verdicts, _ = hypotheses.run_hypotheses(scores, study, responses)
        per_agency.append(time.perf_counter() - started)
        respondent = verdicts["hypothesis"].isin(
            [h.id for h in study.hypotheses if h.level == "respondent"]
        )
        assert (verdicts.loc[respondent, "decision"] != "not_tested").all(), verdicts
        for hypothesis in [h for h in study.hypotheses if h.level == "respondent"]:
            one = study.model_copy(update={"hypotheses": [hypothesis]})
            started = time.perf_counter()
            hypotheses.run_hypotheses(scores, one, responses)
            per_family.setdefault(hypothesis.family, []).append(time.perf_counter() - started)
    figures = {
        "hypotheses_seconds_per_agency": round(float(np.mean(per_agency)), 3),
        "hypotheses_seconds_100_agencies": round(
            float(np.sum(per_agency)) * 100 / args.agencies, 1
        ),
    }
    parts = {f"{family}_seconds": round(float(np.mean(t)), 3) for family, t in per_family.items()}
    setup = {
        "agencies": args.agencies,
        "respondents_per_agency": args.n,
        "hypotheses": len(study.hypotheses),
        "python": platform.python_version(),
        "pandas": pd.__version__,
    }
    report = {"figures": figures, "parts": parts, "setup": setup}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for name, value in figures.items():
        print(f"{name}: {value}")
    print("parts: " + ", ".join(f"{k}={v}" for k, v in parts.items()))
    return report


if __name__ == "__main__":
    main()

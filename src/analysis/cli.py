"""Command line: ``python -m analysis <command>``; the Makefile and notebooks call the same code.

Errors in input data or config print one clear message (file, row, column, what was expected)
and exit with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter

from analysis.config import load_study, paths
from analysis.errors import InputError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, config_required: bool = True):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--config",
            required=config_required,
            default=None,
            help="study config (YAML); default: the bundled demo study",
        )
        return sub

    sub = command(
        "validate",
        "check a study config against its raw files: columns, answer labels, agencies, "
        "export formats",
    )
    sub.add_argument(
        "--rows",
        type=int,
        default=200,
        help="data rows of each survey file whose answers are checked (default: 200)",
    )
    sub = command(
        "preregister",
        "lock the study's hypotheses (hash and time in <config>.prereg.json) before cleaning",
    )
    sub.add_argument("--force", action="store_true", help="replace an existing lock on purpose")
    sub.add_argument("--git-tag", action="store_true", help="also tag the current git commit")
    sub = command("clean", "clean raw survey and engagement data into data/processed/")
    sub.add_argument("--processed-dir", help="where processed data goes (default: study's)")
    sub = command("report", "render one agency's report (HTML, PDF, results.json)")
    sub.add_argument("--agency", required=True, help="agency id in the study config")
    _report_options(sub)
    sub = command(
        "batch", "clean, render every agency's report, then the study report (index.html, .pdf)"
    )
    _report_options(sub)
    sub.add_argument(
        "--scheduler", help="address of an existing Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    sub.add_argument("--workers", type=int, help="local Dask workers (default: CPU cores)")
    sub.add_argument(
        "--agencies",
        help="comma-separated agency ids to render (default: every agency); the index still "
        "lists every agency",
    )
    sub.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar on stderr even when it is not a terminal",
    )
    sub.add_argument(
        "--no-worker-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="fail the agencies not yet rendered when the cluster has had no worker for this "
        "long (default: 600; 0 waits for ever)",
    )
    sub = command("demo", "make the demo study's data, then run batch on it", config_required=False)
    _report_options(sub)
    return parser


def _report_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--lang", choices=["id", "en"], default=None, help="report language (default: the study's)"
    )
    sub.add_argument("--output-dir", help="where reports go (default: reports/<study>)")
    sub.add_argument("--processed-dir", help="processed data folder (default: study's)")
    sub.add_argument(
        "--force",
        action="store_true",
        help="render (and, for a batch, clean) again even when the inputs did not change",
    )


def _seconds(text: str) -> float:
    """A number of seconds, 0 or more (an argparse type)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds, 0 or more; got {text!r}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.config = args.config or str(paths.demo_config())
        return COMMANDS[args.command](args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _validate(args) -> int:
    from analysis.pipeline.validate import validate_study

    report = validate_study(load_study(args.config), args.rows)
    print("\n".join(report.lines()))
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 0 if report.ok else 1


def _clean(args) -> int:
    from analysis.io.store import read_summary
    from analysis.pipeline import clean_study

    study = load_study(args.config)
    out = clean_study(study, args.processed_dir)
    print(f"processed data written to {out}")
    summary = read_summary(out)
    for warning in summary.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    failed = summary["failed_agencies"]
    for agency, error in failed.items():
        print(f"  {agency}: failed, its engagement data is left out: {error}", file=sys.stderr)
    return 1 if failed else 0


def _preregister(args) -> int:
    from analysis.config import paths
    from analysis.pipeline.preregister import preregister

    study = load_study(args.config)
    data_dir = paths.processed_dir(study)
    lock = preregister(study, data_dir, force=args.force, git_tag=args.git_tag)
    print(f"{len(lock.content['hypotheses'])} hypotheses locked at {lock.content['locked_at']}")
    print(f"lock: {lock.path} (commit it with the config)")
    if lock.content["after_cleaning"]:
        print("note: the survey data were already cleaned; the lock records that", file=sys.stderr)
    return 0


def _report(args) -> int:
    from analysis.pipeline import run_report

    study = load_study(args.config)
    study.agency(args.agency)
    outcome = run_report(
        args.config,
        args.agency,
        args.lang or study.study.language,
        args.output_dir,
        args.processed_dir,
        force=args.force,
    )
    print(f"{outcome.agency}: {outcome.status} -> {outcome.folder}")
    if outcome.error:
        print(f"  {outcome.error}", file=sys.stderr)
    return 1 if outcome.status == "failed" else 0


def _batch(args) -> int:
    from analysis.pipeline import run_batch
    from analysis.pipeline.batch import NO_WORKER_SECONDS, select_agencies

    study = load_study(args.config)
    chosen = getattr(args, "agencies", None)
    no_worker = getattr(args, "no_worker_timeout", None)  # not an option of demo
    selected = select_agencies(study, None if chosen is None else chosen.split(","))
    started = time.perf_counter()
    made = []
    with progress_bar(len(selected), getattr(args, "progress", False)) as bar:
        outcomes = run_batch(
            args.config,
            args.lang or study.study.language,
            args.output_dir,
            args.processed_dir,
            getattr(args, "scheduler", None),
            getattr(args, "workers", None),
            force=args.force,
            agencies=selected,
            progress=lambda outcome: bar.update(1),
            study_report=made.append,
            no_worker_seconds=NO_WORKER_SECONDS if no_worker is None else no_worker,
        )
    seconds = time.perf_counter() - started
    for outcome in outcomes:
        print(
            f"  {outcome.agency:<28} {outcome.status}"
            + (f"  ({outcome.error})" if outcome.error else "")
        )
    index = paths.reports_dir(study, args.output_dir) / "index.html"
    print(f"\nReports: {index.parent}\nStudy report (index): {index}  {made[0].status}")
    if made[0].error:
        print(f"  {made[0].error}", file=sys.stderr)
    print(batch_summary(outcomes, seconds))
    failed = made[0].status == "failed" or any(o.status == "failed" for o in outcomes)
    return 1 if failed else 0


def batch_summary(outcomes: list, seconds: float) -> str:
    """One line: agencies per status, wall time, and the slowest agency rendered.

    Example: ``Batch: 98 ok, 2 failed in 612.4 s; slowest: instansi-042 (14.2 s)``.
    """
    counts = Counter(outcome.status for outcome in outcomes)
    line = f"Batch: {', '.join(f'{n} {status}' for status, n in counts.items())} in {seconds:.1f} s"
    timed = [outcome for outcome in outcomes if outcome.seconds is not None]
    if timed:
        slowest = max(timed, key=lambda outcome: outcome.seconds)
        line += f"; slowest: {slowest.agency} ({slowest.seconds:.1f} s)"
    return line


def progress_bar(total: int, forced: bool):
    """A tqdm bar on stderr, shown when stderr is a terminal or ``forced``, silent otherwise."""
    from tqdm import tqdm

    shown = forced or sys.stderr.isatty()
    return tqdm(total=total, unit="agency", file=sys.stderr, disable=not shown, desc="reports")


def _demo(args) -> int:
    from analysis.demo.generator import generate_demo

    manifest = generate_demo(load_study(args.config))
    print(f"demo raw data ready: {manifest.parent} (manifest {manifest.name})")
    return _batch(args)


COMMANDS = {
    "validate": _validate,
    "preregister": _preregister,
    "clean": _clean,
    "report": _report,
    "batch": _batch,
    "demo": _demo,
}

"""The command line: help, clear errors without tracebacks, validate."""

import subprocess
import sys

import pytest

from analysis.cli import main

from .conftest import DEMO_CONFIG, PROJECT


def test_help_lists_every_command():
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, cwd=PROJECT
    )
    assert result.returncode == 0
    for command in ("validate", "clean", "report", "batch", "demo"):
        assert command in result.stdout


def test_bad_config_gives_one_clear_line_and_status_2(tmp_path, capsys):
    bad = tmp_path / "study.yml"
    bad.write_text(
        DEMO_CONFIG.read_text(encoding="utf-8").replace("scale: agree5_id", "scale: agree9", 1),
        encoding="utf-8",
    )
    assert main(["validate", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: study.yml: invalid config") and "Traceback" not in err


def test_validate_reports_missing_raw_files(tmp_path, capsys):
    from .conftest import write_study_config

    config = write_study_config(tmp_path)
    assert main(["validate", "--config", str(config)]) == 1
    assert "missing survey file" in capsys.readouterr().err


def test_unknown_agency_is_a_clear_error(demo_project, capsys):
    config = demo_project / "config" / "demo.yml"
    assert main(["report", "--config", str(config), "--agency", "tidak-ada"]) == 2
    assert "no agency 'tidak-ada'" in capsys.readouterr().err


def test_batch_names_an_unknown_agency_before_doing_anything(tmp_path, capsys):
    from .conftest import write_study_config

    config = write_study_config(tmp_path, ["samsat-lembah-hijau"])
    status = main(["batch", "--config", str(config), "--agencies", "samsat-lembah-hijau,tidak-ada"])
    assert status == 2
    err = capsys.readouterr().err
    assert "no agency 'tidak-ada'" in err and "Traceback" not in err
    assert not (tmp_path / "data" / "processed").exists()  # nothing was cleaned


def test_batch_exits_1_and_sums_up_when_an_agency_failed(tmp_path, monkeypatch, capsys):
    from analysis.pipeline.report import ReportOutcome
    from analysis.pipeline.study_report import StudyReportOutcome

    from .conftest import write_study_config

    config = write_study_config(tmp_path, ["samsat-lembah-hijau", "diskominfo-sukamaju"])
    seen = {}

    def run_batch(*args, agencies, progress, study_report, **kwargs):
        seen["agencies"] = agencies
        done = [
            ReportOutcome("samsat-lembah-hijau", "ok", None, "x", 12.5),
            ReportOutcome("diskominfo-sukamaju", "failed", "ValueError: bad", "y", 3.0),
        ]
        for outcome in done:
            progress(outcome)
        study_report(StudyReportOutcome("skipped", None))
        return done

    monkeypatch.setattr("analysis.pipeline.run_batch", run_batch)
    assert main(["batch", "--config", str(config), "--agencies", "samsat-lembah-hijau"]) == 1
    out, err = capsys.readouterr()
    assert seen["agencies"] == ["samsat-lembah-hijau"]
    assert "Batch: 1 ok, 1 failed in " in out
    assert out.rstrip().endswith("slowest: samsat-lembah-hijau (12.5 s)")
    assert err == ""  # no progress bar: stderr is not a terminal and --progress was not given
    assert "index.html  skipped" in out


def test_batch_exits_1_when_the_study_report_failed(tmp_path, monkeypatch, capsys):
    from analysis.pipeline.report import ReportOutcome
    from analysis.pipeline.study_report import StudyReportOutcome

    from .conftest import write_study_config

    config = write_study_config(tmp_path, ["samsat-lembah-hijau"])

    def run_batch(*args, progress, study_report, **kwargs):
        study_report(StudyReportOutcome("failed", "KeyError: 'trust'", 4.0))
        return [ReportOutcome("samsat-lembah-hijau", "ok", None, "x", 12.5)]

    monkeypatch.setattr("analysis.pipeline.run_batch", run_batch)
    assert main(["batch", "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert "index.html  failed" in out and "KeyError: 'trust'" in err


def test_batch_summary_counts_each_status_and_leaves_out_unrendered_agencies():
    from analysis.cli import batch_summary
    from analysis.pipeline.report import ReportOutcome

    outcomes = [
        ReportOutcome("a", "skipped", None, "a"),
        ReportOutcome("b", "ok", None, "b", 4.0),
        ReportOutcome("c", "ok", None, "c", 9.31),
        ReportOutcome("d", "failed", "KilledWorker: ...", "d"),
    ]
    line = batch_summary(outcomes, 61.04)
    assert line == "Batch: 1 skipped, 2 ok, 1 failed in 61.0 s; slowest: c (9.3 s)"
    assert batch_summary(outcomes[:1], 0.1) == "Batch: 1 skipped in 0.1 s"


def test_the_progress_bar_shows_only_on_a_terminal_or_when_asked(capsys):
    from analysis.cli import progress_bar

    with progress_bar(2, forced=False) as bar:
        bar.update(2)
    assert capsys.readouterr().err == ""
    with progress_bar(2, forced=True) as bar:
        bar.update(2)
    assert "2/2" in capsys.readouterr().err


def test_batch_passes_the_no_worker_timeout_and_rejects_a_negative_one(
    tmp_path, monkeypatch, capsys
):
    from analysis.pipeline.batch import NO_WORKER_SECONDS
    from analysis.pipeline.report import ReportOutcome
    from analysis.pipeline.study_report import StudyReportOutcome

    from .conftest import write_study_config

    config = write_study_config(tmp_path, ["samsat-lembah-hijau"])
    seen = []

    def run_batch(*args, study_report, no_worker_seconds, **kwargs):
        seen.append(no_worker_seconds)
        study_report(StudyReportOutcome("ok", None))
        return [ReportOutcome("samsat-lembah-hijau", "ok", None, "x", 1.0)]

    monkeypatch.setattr("analysis.pipeline.run_batch", run_batch)
    assert main(["batch", "--config", str(config)]) == 0
    assert main(["batch", "--config", str(config), "--no-worker-timeout", "0"]) == 0
    assert main(["batch", "--config", str(config), "--no-worker-timeout", "90.5"]) == 0
    assert seen == [NO_WORKER_SECONDS, 0.0, 90.5]
    help_text = subprocess.run(
        [sys.executable, "-m", "analysis", "batch", "--help"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    ).stdout
    assert f"(default: {NO_WORKER_SECONDS:g};" in " ".join(help_text.split())
    for bad in ("-1", "soon", "nan", "inf"):
        with pytest.raises(SystemExit) as exited:
            main(["batch", "--config", str(config), "--no-worker-timeout", bad])
        assert exited.value.code == 2
        assert "expected a number of seconds, 0 or more" in capsys.readouterr().err

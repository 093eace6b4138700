"""The command line: help, clear errors without tracebacks, validate."""

import subprocess
import sys

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

"""Safety of outputs: only folders the tool created, no writing through links, a manifest
checked by every reader, one bad engagement file failing its agency only, one run per study,
no kernel files left behind, and a report whose PDF failed is made again."""

import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml

from analysis.cli import main
from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.errors import ConfigError, InputError
from analysis.io import store
from analysis.pipeline import clean_study, folders, run_report, write_index
from analysis.pipeline import execute as execute_module
from analysis.pipeline import report as report_module
from analysis.pipeline.cache import STAMP
from analysis.pipeline.locking import study_lock
from analysis.pipeline.report import render_report
from analysis.reporting.export import PdfPrintError

from .conftest import write_study_config

AGENCIES = ["diskominfo-sukamaju", "samsat-lembah-hijau"]
BAD, GOOD = AGENCIES


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    """A two-agency demo study, generated and cleaned once for this module."""
    folder = tmp_path_factory.mktemp("safety")
    study = load_study(write_study_config(folder, AGENCIES))
    generate_demo(study)
    clean_study(study)
    return folder


@pytest.fixture()
def project(tmp_path, cleaned):
    target = tmp_path / "project"
    shutil.copytree(cleaned, target, symlinks=True)
    return target


def _config(project) -> str:
    return str(project / "config" / "demo.yml")


def _processed(project):
    return project / "data" / "processed" / "demo"


def _break_instagram_export(project, agency=BAD):
    export = project / "data" / "raw" / "demo" / "engagement" / agency / "instagram_posts.csv"
    export.write_text("Nama,Angka\nx,1\n", encoding="utf-8")


def _listing(folder):
    return sorted(
        (p.relative_to(folder).as_posix(), p.read_bytes() if p.is_file() else None)
        for p in folder.rglob("*")
    )


# Finding 3: outputs only into folders the tool created


def test_clean_refuses_a_processed_dir_it_did_not_create(project, tmp_path, capsys):
    thesis = tmp_path / "thesis"
    (thesis / "posts").mkdir(parents=True)
    (thesis / "posts" / "thesis.docx").write_bytes(b"PK\x03\x04 chapter 1")
    before = _listing(thesis)
    assert main(["clean", "--config", _config(project), "--processed-dir", str(thesis)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert _listing(thesis) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".thesis")]


def test_clean_takes_a_new_or_empty_folder_and_then_reuses_it(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["clean", "--config", _config(project), "--processed-dir", str(empty)]) == 0
    assert folders.read_marker(empty)["kind"] == "processed"
    assert main(["clean", "--config", _config(project), "--processed-dir", str(empty)]) == 0


def test_report_refuses_an_output_dir_it_did_not_create(project, tmp_path, capsys):
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "notes.txt").write_text("keep me", encoding="utf-8")
    argv = ["report", "--config", _config(project), "--agency", GOOD, "--output-dir"]
    assert main([*argv, str(documents)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert [p.name for p in documents.iterdir()] == ["notes.txt"]


def test_reports_folder_of_another_kind_is_refused(project):
    study = load_study(_config(project))
    with pytest.raises(InputError, match="did not write"):
        folders.reports_folder(study, _processed(project))


def test_config_root_cannot_send_outputs_outside_the_project(project, tmp_path, capsys):
    config = project / "config" / "demo.yml"
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["root"] = str(tmp_path / "elsewhere")
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["clean", "--config", str(config)]) == 2
    assert "outside the project folder" in capsys.readouterr().err
    assert not (tmp_path / "elsewhere").exists()


def test_unknown_agency_is_refused_before_anything_is_written(project, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ConfigError, match="no agency 'tidak-ada'"):
        run_report(_config(project), "tidak-ada", output_dir=out)
    assert not out.exists()


# Finding 4: an interrupted or mixed processed folder is refused by every reader


def test_missing_partition_is_refused(project):
    out = _processed(project)
    (out / "posts" / f"agency_id={GOOD}" / "part-0.parquet").unlink()
    with pytest.raises(InputError, match=f"posts/agency_id={GOOD}/part-0.parquet .* is missing"):
        store.read_partition(out, "posts", GOOD)
    with pytest.raises(InputError, match="is missing"):
        store.read_partition(out, "posts")


def test_partition_from_another_run_is_refused(project):
    out = _processed(project)
    stray = out / "posts" / "agency_id=dinas-lain"
    stray.mkdir()
    shutil.copy(out / "posts" / f"agency_id={GOOD}" / "part-0.parquet", stray)
    with pytest.raises(InputError, match="not listed in the manifest"):
        store.read_partition(out, "posts")


def test_changed_file_is_refused(project):
    out = _processed(project)
    with (out / "flags.parquet").open("ab") as stream:
        stream.write(b"\0")
    with pytest.raises(InputError, match="differs from the manifest"):
        store.read_flat(out, "flags")


def test_tables_without_a_manifest_are_refused(project):
    out = _processed(project)
    (out / store.MANIFEST).unlink()
    with pytest.raises(InputError, match="may be incomplete"):
        store.read_partition(out, "posts", GOOD)


def test_failed_report_replaces_the_previous_one_and_is_not_linked(project):
    study = load_study(_config(project))
    _break_instagram_export(project)
    clean_study(study)
    root = folders.claim(project / "reports" / "demo", study, "reports")
    (root / BAD).mkdir()
    for name in ("report.html", "report.pdf", "results.json"):
        (root / BAD / name).write_text("[]", encoding="utf-8")
    outcome = render_report(_config(project), BAD)
    assert outcome.status == "failed"
    assert not (root / BAD / "report.html").exists() and not (root / BAD / "report.pdf").exists()
    write_index(study, [outcome], "id")
    entry = json.loads((root / "batch.json").read_text(encoding="utf-8"))[0]
    assert entry["status"] == "failed"
    assert f"{BAD}/report.html" not in (root / "index.html").read_text(encoding="utf-8")


# Finding 6: one bad engagement file fails its agency only, named by its relative path


def test_bad_engagement_file_fails_only_its_agency(project, capsys):
    _break_instagram_export(project)
    assert main(["clean", "--config", _config(project)]) == 1
    relative = f"data/raw/demo/engagement/{BAD}/instagram_posts.csv"
    assert relative in capsys.readouterr().err
    out = _processed(project)
    assert list(store.read_summary(out)["failed_agencies"]) == [BAD]
    assert relative in store.read_summary(out)["failed_agencies"][BAD]
    assert store.read_partition(out, "posts", BAD).empty
    good = store.read_partition(out, "posts", GOOD)
    assert len(good) > 0
    assert set(good["source_file"]) >= {f"data/raw/demo/engagement/{GOOD}/instagram_posts.csv"}
    outcome = render_report(_config(project), BAD)
    assert outcome.status == "failed" and relative in outcome.error


def test_same_file_names_of_different_agencies_stay_apart(project):
    out = _processed(project)
    posts = store.read_partition(out, "posts")
    instagram = {f for f in posts["source_file"] if f.endswith("instagram_posts.csv")}
    assert instagram == {f"data/raw/demo/engagement/{a}/instagram_posts.csv" for a in AGENCIES}
    inputs = store.read_summary(out)["inputs"]
    assert sum(name.endswith("instagram_posts.csv") for name in inputs) == 2


# Finding 8: never write through a link


def test_planted_links_are_replaced_never_written_through(project, tmp_path):
    study = load_study(_config(project))
    _break_instagram_export(project, BAD)
    _break_instagram_export(project, GOOD)
    clean_study(study)
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("bashrc", "index", "batch"):
        (outside / name).write_text("keep", encoding="utf-8")
    root = folders.claim(project / "reports" / "demo", study, "reports")
    (root / BAD).mkdir()
    (root / BAD / "report.html").symlink_to(outside / "bashrc")
    (root / BAD / STAMP).symlink_to(outside / "bashrc")
    (root / GOOD).symlink_to(outside, target_is_directory=True)
    (root / "index.html").symlink_to(outside / "index")
    (root / "batch.json").symlink_to(outside / "batch")
    outcomes = [render_report(_config(project), agency) for agency in AGENCIES]
    write_index(study, outcomes, "id")
    assert {p.read_text(encoding="utf-8") for p in outside.iterdir()} == {"keep"}
    assert sorted(p.name for p in outside.iterdir()) == ["bashrc", "batch", "index"]
    for path in (root / BAD, root / GOOD, root / "index.html", root / "batch.json"):
        assert not path.is_symlink() and path.exists()


def test_reports_folder_that_is_a_planted_link_is_refused(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "reports").mkdir()
    (project / "reports" / "demo").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        run_report(_config(project), GOOD)
    assert not list(outside.iterdir())


# Finding 9: one run per study


def test_second_run_of_a_study_is_refused_while_the_first_holds_the_lock(project, capsys):
    study = load_study(_config(project))
    manifest = (_processed(project) / store.MANIFEST).read_bytes()
    with study_lock(study):
        assert main(["clean", "--config", _config(project)]) == 2
    err = capsys.readouterr().err
    assert "another run of study 'demo' holds the lock since" in err
    assert f"pid {os.getpid()}" in err
    assert (_processed(project) / store.MANIFEST).read_bytes() == manifest


# Finding 10: a failed PDF is tried again; kernels leave no files behind


def _fake_execute(study, agency, lang, folder, data_dir):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Laporan")])
    nbformat.write(notebook, folder / "report.ipynb")
    return folder / "report.ipynb"


def test_report_whose_pdf_failed_is_made_again(project, monkeypatch):
    monkeypatch.setattr(report_module, "execute_report", _fake_execute)

    def broken_printer(html, pdf):
        raise PdfPrintError("Chromium crashed")

    def printer(html, pdf):
        pdf.write_bytes(b"%PDF-1.4")

    monkeypatch.setattr(report_module, "html_to_pdf", broken_printer)
    assert render_report(_config(project), GOOD).status == "no_pdf"
    assert render_report(_config(project), GOOD).status == "no_pdf"  # tried again, not skipped
    monkeypatch.setattr(report_module, "html_to_pdf", printer)
    assert render_report(_config(project), GOOD).status == "ok"
    assert render_report(_config(project), GOOD).status == "skipped"


def test_kernel_files_are_removed_even_when_execution_fails(project, tmp_path, monkeypatch):
    monkeypatch.setattr(execute_module.tempfile, "tempdir", str(tmp_path))
    made = []

    def dies(*args, kernel_manager_class, **kwargs):
        made.append(kernel_manager_class(kernel_name="python3"))
        raise RuntimeError("kernel died")

    monkeypatch.setattr(execute_module.pm, "execute_notebook", dies)
    study = load_study(_config(project))
    with pytest.raises(RuntimeError):
        execute_module.execute_report(study, GOOD, "id", tmp_path, _processed(project))
    kernel_folder = os.path.dirname(made[0].connection_file)
    assert os.path.basename(kernel_folder).startswith(execute_module.KERNEL_PREFIX)
    assert not list(tmp_path.glob(f"{execute_module.KERNEL_PREFIX}*"))


def test_stale_kernel_folders_of_dead_processes_are_removed(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    for name, pid in (("dead", finished.pid), ("alive", os.getpid())):
        folder = tmp_path / f"{execute_module.KERNEL_PREFIX}{name}"
        folder.mkdir()
        (folder / execute_module.OWNER_FILE).write_text(str(pid), encoding="utf-8")
        (folder / "kernel-1").write_text("", encoding="utf-8")
    (tmp_path / f"{execute_module.KERNEL_PREFIX}unowned").mkdir()
    removed = execute_module.remove_stale_kernel_folders(tmp_path)
    assert [p.name for p in removed] == [f"{execute_module.KERNEL_PREFIX}dead"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"{execute_module.KERNEL_PREFIX}alive",
        f"{execute_module.KERNEL_PREFIX}unowned",
    ]

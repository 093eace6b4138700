"""YouTube Studio's ZIP download, and files that are not post tables (issue 9, defect 6).

The ZIP fixture is written by ``tests/fixtures/platforms/make_youtube_zip.py``: its
``Table data.csv`` is ``youtube_table_data.csv`` byte for byte, so the CSV reader is the reference
for what the ZIP must give. Every platform reader refuses, naming the file and what it expected,
a file without the format's ID or time columns and a file without posts.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io.posts.platforms import FORMATS, read_posts

from .fixtures.platforms.make_youtube_zip import ZIP_NAME, studio_members, write_zip

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
STUDIO_ZIP = FIXTURES / ZIP_NAME
# fixture CSV -> (format, platform), one per format
FIXTURE_FORMATS = {
    "meta_instagram.csv": ("meta_instagram", "instagram"),
    "meta_facebook.csv": ("meta_facebook", "facebook"),
    "youtube_table_data.csv": ("youtube_studio", "youtube"),
    "x_classic.csv": ("x_classic", "x"),
    "x_new.csv": ("x_new", "x"),
    "tiktok_studio.csv": ("tiktok_studio", "tiktok"),
    "crowdtangle.csv": ("crowdtangle", "facebook"),
}


def youtube(path: Path, fmt: str = "youtube_studio") -> pd.DataFrame:
    return read_posts(path, platform="youtube", agency_id="dinas-x", fmt=fmt, followers=3200)


def studio_zip(folder: Path, **changes: bytes | None) -> Path:
    """The Studio ZIP with members replaced (bytes) or left out (None)."""
    members = studio_members() | changes
    kept = {name: data for name, data in members.items() if data is not None}
    return write_zip(folder / "youtube.zip", kept)


def member(name: str, folder: Path) -> Path:
    """One member of the Studio ZIP, extracted as a CSV file of its own."""
    target = folder / name
    target.write_bytes(studio_members()[name])
    return target


def test_the_fixture_script_writes_the_committed_zip(tmp_path):
    written = write_zip(tmp_path / ZIP_NAME, studio_members())
    assert written.read_bytes() == STUDIO_ZIP.read_bytes()
    with zipfile.ZipFile(STUDIO_ZIP) as archive:
        assert archive.namelist() == ["Table data.csv", "Chart data.csv", "Totals.csv"]


@pytest.mark.parametrize("fmt", ["youtube_studio", "auto"])
def test_the_zip_reads_as_its_table_data_csv(fmt):
    from_zip = youtube(STUDIO_ZIP, fmt)
    # reference: the same Table data.csv read as a CSV (it is the member byte for byte)
    from_csv = youtube(FIXTURES / "youtube_table_data.csv")
    pd.testing.assert_frame_equal(
        from_zip.drop(columns="source_file"), from_csv.drop(columns="source_file")
    )
    assert from_zip["post_id"].tolist() == ["dQw4w9WgXcQ", "-AbCdEfGh12"]
    assert from_zip["views"].tolist() == [1850, 250]
    assert from_zip.attrs["member"] == "Table data.csv"
    assert from_zip.attrs["skipped_rows"] == [(2, "total row")]
    assert from_csv.attrs["member"] is None


def test_a_member_in_a_folder_is_found_and_its_name_never_used_on_disk(tmp_path):
    table = studio_members()["Table data.csv"]
    path = write_zip(tmp_path / "youtube.zip", {"../../ekspor/Table data.csv": table})
    posts = youtube(path)
    assert len(posts) == 2 and posts.attrs["member"] == "../../ekspor/Table data.csv"
    assert not (tmp_path.parent / "ekspor").exists()


def test_an_error_inside_the_member_names_zip_member_row_and_column(tmp_path):
    table = studio_members()["Table data.csv"].replace(b'"1,850"', b"banyak")
    path = studio_zip(tmp_path, **{"Table data.csv": table})
    with pytest.raises(InputError) as info:
        youtube(path)
    message = str(info.value)
    for text in ('youtube.zip, row 3, column "Views"', 'in "Table data.csv"', '"banyak"'):
        assert text in message, message


@pytest.mark.parametrize("fmt", ["youtube_studio", "auto"])
def test_chart_data_csv_is_refused_as_a_per_day_table(tmp_path, fmt):
    # Chart data.csv has every header the post table's fingerprint needs (Content, Video title,
    # Video publish time), one row per day and video: read as posts it gave 2 "posts" holding
    # the first day's views (0 and 18) and 58 rows skipped as duplicates
    path = member("Chart data.csv", tmp_path)
    with pytest.raises(InputError) as info:
        youtube(path, fmt)
    message = str(info.value)
    assert message.startswith('Chart data.csv, row 1, column "Date": is YouTube Studio')
    assert "not a youtube_studio post table (one row per post)" in message
    assert "give Table data.csv, or the ZIP it came in" in message


def test_totals_csv_is_refused(tmp_path):
    path = member("Totals.csv", tmp_path)
    with pytest.raises(InputError, match="one row per day"):
        youtube(path)
    with pytest.raises(InputError, match="matches no known post export format"):
        youtube(path, "auto")


def test_a_zip_without_table_data_names_what_it_holds_and_what_was_expected(tmp_path):
    path = studio_zip(tmp_path, **{"Table data.csv": None})
    with pytest.raises(InputError) as info:
        youtube(path)
    assert str(info.value).startswith(
        "youtube.zip: is a ZIP archive holding Chart data.csv, Totals.csv; expected "
        "Table data.csv of a youtube_studio download"
    )


def test_a_zip_for_a_format_that_is_never_zipped(tmp_path):
    path = studio_zip(tmp_path)
    with pytest.raises(InputError, match="expected a CSV file, not a ZIP archive"):
        read_posts(path, platform="instagram", agency_id="a", fmt="meta_instagram")


def test_a_workbook_is_named_as_such(tmp_path):
    path = write_zip(tmp_path / "posts.xlsx", {"[Content_Types].xml": b"<Types/>"})
    with pytest.raises(InputError, match="is an Excel workbook; post exports are read as"):
        youtube(path)


def test_a_broken_zip_is_a_clear_error(tmp_path):
    path = tmp_path / "youtube.zip"
    path.write_bytes(STUDIO_ZIP.read_bytes()[:200])
    with pytest.raises(InputError, match="starts like a ZIP archive but cannot be opened"):
        youtube(path)


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_every_reader_refuses_a_file_without_id_or_time_columns(name, tmp_path):
    fmt, platform = FIXTURE_FORMATS[name]
    path = tmp_path / "export.csv"
    path.write_text("Stempel waktu,Nama instansi,Jumlah\n2026-09-01,Dinas X,3\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_posts(path, platform=platform, agency_id="a", fmt=fmt)
    message = str(info.value)
    assert message.startswith("export.csv, row 1, column ") and f"not a {fmt} post table" in message
    # both required groups are named: the ID (or permalink) and the publish time
    spec = FORMATS[fmt]
    for group in spec.required:
        assert spec.columns[group[0]][0] in message, message
    assert "found: Stempel waktu, Nama instansi, Jumlah" in message


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_every_reader_refuses_a_file_without_posts(name, tmp_path):
    fmt, platform = FIXTURE_FORMATS[name]
    lines = (FIXTURES / name).read_bytes().decode("utf-8-sig").splitlines()
    keep = 2 if fmt == "youtube_studio" else 1  # YouTube's Total row comes right after the header
    path = tmp_path / name
    path.write_text("\n".join(lines[:keep]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_posts(path, platform=platform, agency_id="a", fmt=fmt)
    total = " and a total row" if keep == 2 else ""
    assert str(info.value).startswith(
        f"{name}: holds no posts (only its header row{total}); expected one row per post"
    )

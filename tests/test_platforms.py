"""Tests for analysis.io.posts.platforms (readers) and analysis.demo.platform_writers (writers)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.demo.platform_writers import WRITABLE, write_export
from analysis.errors import InputError
from analysis.io.posts.platforms import FORMATS, detect_format, read_posts
from analysis.tables import POSTS, conform

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
NA = pd.NA
UTC = "UTC"

# fixture file -> (format, platform)
FIXTURE_FORMATS = {
    "meta_instagram.csv": ("meta_instagram", "instagram"),
    "meta_facebook.csv": ("meta_facebook", "facebook"),
    "youtube_table_data.csv": ("youtube_studio", "youtube"),
    "x_classic.csv": ("x_classic", "x"),
    "x_new.csv": ("x_new", "x"),
    "tiktok_studio.csv": ("tiktok_studio", "tiktok"),
    "crowdtangle.csv": ("crowdtangle", "facebook"),
}


def read(name: str, **kwargs) -> pd.DataFrame:
    fmt, platform = FIXTURE_FORMATS[name]
    options = {"platform": platform, "agency_id": "dukcapil-tirtamaya", "fmt": fmt} | kwargs
    return read_posts(FIXTURES / name, **options)


def column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist()


def stamps(*values: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(v, tz=UTC) for v in values]


def copy_fixture(name: str, folder: Path, edit=None) -> Path:
    text = (FIXTURES / name).read_bytes().decode("utf-8-sig")
    target = folder / name
    target.write_text(edit(text) if edit else text, encoding="utf-8")
    return target


# --- format detection -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_auto_detects_every_fixture(name):
    fmt, platform = FIXTURE_FORMATS[name]
    posts = read_posts(FIXTURES / name, platform=platform, agency_id="a")
    assert posts.attrs["format"] == fmt
    assert list(posts.columns) == list(POSTS)
    assert {c: str(t) for c, t in posts.dtypes.items()} == POSTS


def test_detection_ignores_case_whitespace_and_bom():
    headers = ["\ufeffPOST  ID", " account username ", "Publish Time", "Likes"]
    assert detect_format(headers) == "meta_instagram"


def test_localized_portuguese_instagram_headers_are_day_first(tmp_path):
    path = tmp_path / "ig_pt.csv"
    path.write_text(
        "Identificação da publicação,Nome de usuário da conta,Descrição,Horário de publicação,"
        "Tipo de publicação,Visualizações,Alcance,Curtidas,Compartilhamentos,Comentários\n"
        "1799,dukcapil,Olá,03/10/2026 08:31,IG reel,1.234,900,61,8,5\n",
        encoding="utf-8",
    )
    posts = read_posts(path, platform="instagram", agency_id="a")
    assert posts.attrs["format"] == "meta_instagram"
    # day-first: 3 October 08:31 WIB = 01:31 UTC; "1.234" = 1234 (thousands dot)
    assert column(posts, "published_at") == stamps("2026-10-03 01:31")
    assert column(posts, "views") == [1234]
    assert column(posts, "likes") == [61]


# --- golden tests: every value below was checked by hand against the fixture file -------------


def test_meta_instagram_golden():
    posts = read("meta_instagram.csv", followers=18400)
    assert posts.attrs["encoding"] == "utf-8-sig"  # BOM
    assert column(posts, "post_id") == [
        "17990112233445566",
        "17990112233445577",
        "17990112233445588",
    ]
    # Publish time is naive Jakarta time (UTC+7): 10/03 08:31 -> 01:31 UTC, 10/15 19:05 ->
    # 12:05 UTC, 09/30 23:59 -> 16:59 UTC (same day)
    assert column(posts, "published_at") == stamps(
        "2026-10-03 01:31", "2026-10-15 12:05", "2026-09-30 16:59"
    )
    assert column(posts, "post_type") == ["IG reel", "IG carousel", "IG image"]
    caption = 'Jadwal layanan:\nSenin–Jumat 08.00–15.00\n"Gratis", tanpa calo'
    assert column(posts, "text")[1] == caption  # CRLF inside the quoted caption became \n
    assert column(posts, "views") == [12400, 3050, NA]  # "12,400" quoted; N/A
    assert column(posts, "reach") == [9100, 2800, 1234]  # "1,234"
    assert column(posts, "likes") == [610, 120, 0]
    assert column(posts, "comments") == [57, 9, 0]
    assert column(posts, "shares") == [88, 4, NA]
    assert column(posts, "followers_at_post") == [18400.0] * 3
    # the caption spans three physical lines but is one spreadsheet row (3)
    assert column(posts, "source_row") == [2, 3, 4]
    assert column(posts, "source_file") == ["meta_instagram.csv"] * 3
    assert posts.attrs["skipped_rows"] == []


def test_meta_facebook_golden():
    posts = read("meta_facebook.csv")
    assert column(posts, "post_id") == ["987654321098765", "987654321098766", "987654321098767"]
    # Title first, Description when Title is empty
    assert column(posts, "text") == [
        "Jam layanan Sabtu diperpanjang sampai pukul 14.00",
        "Tautan: cara mengurus akta kelahiran, daring",
        "Video: antrean online",
    ]
    # 09/27 15:00 WIB -> 08:00 UTC; 09/28 08:05 -> 01:05; 10/01 07:30 -> 00:30
    assert column(posts, "published_at") == stamps(
        "2026-09-27 08:00", "2026-09-28 01:05", "2026-10-01 00:30"
    )
    assert column(posts, "likes") == [1234, 45, 80]  # Reactions, not the R+C+S total
    assert column(posts, "comments") == [136, 8, 10]
    assert column(posts, "shares") == [50, 4, 5]
    assert column(posts, "views") == [18400, NA, 2100]
    assert column(posts, "reach") == [12050, 3400, 1800]
    assert column(posts, "post_type") == ["Photos", "Links", "Videos"]
    assert posts["followers_at_post"].isna().all()  # no follower column, none given


def test_youtube_golden_drops_total_row():
    posts = read("youtube_table_data.csv", followers=3200)
    assert posts.attrs["skipped_rows"] == [(2, "total row")]
    assert column(posts, "source_row") == [3, 4]
    assert column(posts, "post_id") == ["dQw4w9WgXcQ", "-AbCdEfGh12"]  # leading space trimmed
    # date-only values are local midnight in Jakarta: Sep 20 00:00 WIB = Sep 19 17:00 UTC
    assert column(posts, "published_at") == stamps("2026-09-19 17:00", "2026-08-31 17:00")
    assert column(posts, "views") == [1850, 250]
    assert column(posts, "likes") == [80, 15]
    assert column(posts, "comments") == [12, 2]
    assert column(posts, "shares") == [NA, NA]  # no Shares column in this export
    assert column(posts, "reach") == [NA, NA]
    assert column(posts, "post_type") == ["Video", "Video"]
    assert column(posts, "text")[0] == "Cara daftar antrean online, mudah!"


def test_x_classic_golden_recovers_excel_mangled_id():
    posts = read("x_classic.csv")
    # "1.23457E+18" in Tweet id; the permalink still holds the real ID
    assert column(posts, "post_id") == ["1234567890123456789", "1769000000000000001"]
    assert column(posts, "published_at") == stamps("2024-03-15 18:42", "2024-03-16 02:05:09")
    assert column(posts, "likes") == [25, 9]
    assert column(posts, "comments") == [3, 1]  # replies
    assert column(posts, "shares") == [7, 2]  # retweets
    assert column(posts, "views") == [1234, 980]  # impressions, "1,234"
    assert column(posts, "post_type") == [NA, NA]


def test_x_new_golden():
    posts = read("x_new.csv")
    assert column(posts, "post_id") == ["1798765432109876543", "1799000000000000002"]
    # "Fri, Jun 5, 2026" is date-only: local midnight WIB = Jun 4 17:00 UTC
    assert column(posts, "published_at") == stamps("2026-06-04 17:00", "2026-06-12 17:00")
    assert column(posts, "likes") == [40, 7]
    assert column(posts, "comments") == [6, 1]  # Replies
    assert column(posts, "shares") == [9, 2]  # Reposts, not the Shares column (1, 0)
    assert column(posts, "views") == [1234, 512]
    assert column(posts, "text") == [
        "Cek status pengajuan KIA di laman resmi",
        'Libur layanan "cuti bersama"',
    ]


def test_tiktok_golden():
    posts = read("tiktok_studio.csv")
    assert column(posts, "post_id") == ["7400000000000000001", "7400000000000000002"]
    # 2026-08-02 19:05:00 WIB -> 12:05 UTC
    assert column(posts, "published_at") == stamps("2026-08-02 12:05", "2026-08-16 08:00")
    assert column(posts, "likes") == [1200, 310]  # "1.2K"
    assert column(posts, "views") == [18400, 4120]
    assert column(posts, "shares") == [12, 3]
    assert column(posts, "comments") == [45, 8]


def test_crowdtangle_golden():
    posts = read("crowdtangle.csv", followers=99.0)
    assert column(posts, "post_id") == ["4123456789012345", "4123456789099999"]
    # "2021-07-06 16:45:20 EDT" (UTC-4) -> 20:45:20 UTC
    assert column(posts, "published_at") == stamps("2021-07-06 20:45:20", "2021-07-07 12:00:00")
    # likes = all reactions: 1500+100+20+5+2+1+24 = 1652; 40+3+0+1+0+0+1 = 45
    assert column(posts, "likes") == [1652, 45]
    assert column(posts, "comments") == [120, 10]
    assert column(posts, "shares") == [200, 5]
    assert column(posts, "views") == [0, 1500]  # Post Views
    # the export's Followers at Posting wins over the argument
    assert column(posts, "followers_at_post") == [25100.0, 25150.0]
    assert column(posts, "text") == ["Vaksinasi & pelayanan, hari ini", "Video: cara membuat KIA"]
    assert column(posts, "post_type") == ["Photo", "Native Video"]


def test_tiktok_slash_dates_and_duplicates(tmp_path):
    path = tmp_path / "tt.csv"
    path.write_text(
        "Video title,Video link,Post time,Total likes,Total comments,Total shares,Total views\n"
        "a,https://www.tiktok.com/@x/video/1,08/16/2026 15:00,1,0,0,10\n"
        "b,https://www.tiktok.com/@x/video/1,08/16/2026 15:00,1,0,0,10\n",
        encoding="utf-8",
    )
    posts = read_posts(path, platform="tiktok", agency_id="a")
    assert column(posts, "published_at") == stamps("2026-08-16 08:00")
    assert posts.attrs["skipped_rows"] == [(3, "duplicate post id")]


# --- bad inputs: every error names file, row and column ---------------------------------------


def assert_names(error: InputError, path: Path, row: int, column_name: str) -> None:
    assert (Path(error.path).name, error.row, error.column) == (path.name, row, column_name)
    assert f'{path.name}, row {row}, column "{column_name}"' in str(error)


def test_unparseable_count(tmp_path):
    path = copy_fixture(
        "meta_instagram.csv",
        tmp_path,
        lambda t: t.replace(
            "IG carousel,,Lifetime,3050,2800,120", "IG carousel,,Lifetime,3050,2800,banyak"
        ),
    )
    with pytest.raises(InputError) as info:
        read_posts(path, platform="instagram", agency_id="a")
    assert_names(info.value, path, 3, "Likes")
    assert '"banyak"' in str(info.value)


def test_unparseable_date(tmp_path):
    path = copy_fixture(
        "meta_facebook.csv", tmp_path, lambda t: t.replace("09/28/2026 08:05", "kemarin sore")
    )
    with pytest.raises(InputError) as info:
        read_posts(path, platform="facebook", agency_id="a")
    assert_names(info.value, path, 3, "Publish time")
    assert "kemarin sore" in str(info.value)


def test_unknown_crowdtangle_zone_is_an_error(tmp_path):
    path = copy_fixture(
        "crowdtangle.csv", tmp_path, lambda t: t.replace("08:00:00 EDT", "08:00:00 XYZ")
    )
    with pytest.raises(InputError) as info:
        read_posts(path, platform="facebook", agency_id="a")
    assert_names(info.value, path, 3, "Post Created")


def test_unknown_format_lists_formats_tried(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_text("Timestamp,Nama,Umur\n2026/09/27 3:00:00 PM GMT+7,Ani,30\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_posts(path, platform="instagram", agency_id="a")
    assert_names(info.value, path, 1, "Timestamp")
    for name in FORMATS:
        assert name in str(info.value)


def test_unknown_format_name(tmp_path):
    with pytest.raises(InputError, match="unknown export format") as info:
        read_posts(FIXTURES / "x_new.csv", platform="x", agency_id="a", fmt="x_2030")
    assert info.value.column == "format"
    assert Path(info.value.path).name == "x_new.csv"


def test_missing_post_id_column(tmp_path):
    def drop_first_column(text: str) -> str:
        lines = text.split("\r\n")
        return "\r\n".join(line.split(",", 1)[1] if line else line for line in lines)

    path = copy_fixture("meta_facebook.csv", tmp_path, drop_first_column)
    with pytest.raises(InputError, match="needs the Post ID column") as info:
        read_posts(path, platform="facebook", agency_id="a", fmt="meta_facebook")
    assert_names(info.value, path, 1, "Post ID")


def test_mangled_id_without_permalink(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "Tweet id,Tweet text,time,likes\n1.23457E+18,halo,2024-03-15 18:42 +0000,1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="mangled by Excel") as info:
        read_posts(path, platform="x", agency_id="a", fmt="x_classic")
    assert_names(info.value, path, 2, "Tweet id")


def test_empty_post_id(tmp_path):
    path = copy_fixture(
        "meta_instagram.csv", tmp_path, lambda t: t.replace("17990112233445588,", ",", 1)
    )
    with pytest.raises(InputError, match="has no post ID") as info:
        read_posts(path, platform="instagram", agency_id="a")
    assert_names(info.value, path, 4, "Post ID")


def test_platform_must_match_format():
    with pytest.raises(InputError, match="cannot hold platform"):
        read_posts(FIXTURES / "meta_instagram.csv", platform="facebook", agency_id="a")


# --- writers -----------------------------------------------------------------------------------


def demo_posts(platform: str, n: int = 3) -> pd.DataFrame:
    posts = pd.DataFrame(
        {
            "agency_id": "dukcapil-tirtamaya",
            "platform": platform,
            "post_id": [str(7400000000000000001 + i) for i in range(n)],
            "published_at": pd.date_range("2026-05-01 01:31", periods=n, freq="37h", tz=UTC),
            "post_type": "IG reel",
            "text": ["Jadwal layanan:\nSenin, 08.00", 'Kata "resmi" & <b>', "x"][:n],
            "likes": [12400, 0, 3][:n],
            "comments": [57, 0, 1][:n],
            "shares": [88, 1, 0][:n],
            "views": [1_200_000, 350, 1200][:n],
            "reach": [9100, 200, 1][:n],
            "followers_at_post": 1000.0,
        }
    )
    return conform(posts, POSTS)


def test_meta_writer_quirks(tmp_path):
    path = write_export(demo_posts("instagram"), tmp_path / "ig.csv", "meta_instagram")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfPost ID,Account ID,Account username,")
    assert b"\r\n" in raw
    assert b'"1,200,000"' in raw  # quoted thousands separators on Views
    assert b"05/01/2026 08:31" in raw  # Jakarta local time, MM/DD/YYYY HH:MM
    assert b",Lifetime," in raw


def test_youtube_writer_total_row(tmp_path):
    path = write_export(demo_posts("youtube"), tmp_path / "Table data.csv", "youtube_studio")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Content,Video title,Video publish time,Duration,Views")
    assert lines[1].startswith('Total,,,,"1,201,550",')  # 1,200,000 + 350 + 1,200
    assert '"May 1, 2026"' in lines[2]


def test_tiktok_writer_abbreviates_only_exact_values(tmp_path):
    path = write_export(demo_posts("tiktok"), tmp_path / "tt.csv", "tiktok_studio")
    text = path.read_text(encoding="utf-8")
    assert ",12.4K," in text and ",1.2M" in text and ",1.2K" in text


def test_writer_rejects_unknown_format(tmp_path):
    with pytest.raises(InputError, match="no writer"):
        write_export(demo_posts("x"), tmp_path / "x.csv", "x_classic")


FORMAT_PLATFORM = {
    "meta_instagram": "instagram",
    "meta_facebook": "facebook",
    "youtube_studio": "youtube",
    "x_new": "x",
    "tiktok_studio": "tiktok",
}
TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ éüñ0129,;.\"'<>&#@\n\t-–—") + ["🙂"]), max_size=40
)
COUNT = st.one_of(st.none(), st.integers(min_value=0, max_value=5_000_000))


@st.composite
def canonical_posts(draw, fmt: str) -> pd.DataFrame:
    n = draw(st.integers(min_value=1, max_value=6))
    if fmt == "youtube_studio":
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
        ident = st.text(alphabet=alphabet, min_size=11, max_size=11)
    else:
        ident = st.integers(min_value=10**15, max_value=10**19).map(str)
    minutes = st.integers(min_value=0, max_value=6 * 365 * 24 * 60)
    frame = pd.DataFrame(
        {
            "agency_id": "dinas-uji",
            "platform": FORMAT_PLATFORM[fmt],
            "post_id": draw(st.lists(ident, min_size=n, max_size=n, unique=True)),
            "published_at": pd.Timestamp("2021-01-01", tz=UTC)
            + pd.to_timedelta(draw(st.lists(minutes, min_size=n, max_size=n)), unit="min"),
            "post_type": draw(
                st.lists(
                    st.sampled_from(["IG image", "IG reel", "Photos", "Links"]),
                    min_size=n,
                    max_size=n,
                )
            ),
            "text": draw(st.lists(TEXT, min_size=n, max_size=n)),
            **{
                c: pd.array(draw(st.lists(COUNT, min_size=n, max_size=n)), dtype="Int64")
                for c in ("likes", "comments", "shares", "views", "reach")
            },
            "followers_at_post": 500.0,
        }
    )
    return conform(frame, POSTS)


def expected_after_round_trip(posts: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """What the reader must give back: the format's own columns, NA where it has none."""
    want = posts.copy()
    text = want["text"]
    if fmt == "youtube_studio":
        text = text.str.replace("\n", " ")  # video titles are one line
    text = text.str.strip()
    want["text"] = text.where(text != "")
    if fmt in ("youtube_studio", "x_new"):  # date-only exports: local midnight
        local = want["published_at"].dt.tz_convert("Asia/Jakarta").dt.normalize()
        want["published_at"] = local.dt.tz_convert(UTC)
    if fmt not in ("meta_instagram", "meta_facebook"):
        want["reach"] = pd.array([NA] * len(want), dtype="Int64")
        want["post_type"] = "Video" if fmt != "x_new" else NA
    return conform(want.assign(source_file="posts.csv"), POSTS)


@pytest.mark.parametrize("fmt", WRITABLE)
def test_writer_reader_round_trip(fmt):
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(canonical_posts(fmt))
    def round_trip(posts):
        with tempfile.TemporaryDirectory() as folder:
            path = write_export(posts, Path(folder) / "posts.csv", fmt)
            back = read_posts(
                path, platform=FORMAT_PLATFORM[fmt], agency_id="dinas-uji", followers=500.0
            )
        assert back.attrs["format"] == fmt  # the written file is recognised by fingerprint
        want = expected_after_round_trip(posts, fmt)
        header_rows = 2 if fmt == "youtube_studio" else 1  # Total row under the header
        want["source_row"] = pd.array(
            range(header_rows + 1, header_rows + 1 + len(want)), dtype="Int64"
        )
        pd.testing.assert_frame_equal(back, want)

    round_trip()

"""Tests for analysis.io.comments (readers) and analysis.demo.comment_generator (writer).

Every expected value in the golden tests was counted by hand from the fixture file; the comment
above each assertion says how.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.cleaning.privacy import scan_text
from analysis.demo.comment_generator import (
    GENERIC_COLUMNS,
    TEXTS,
    comment_threads,
    write_comment_csv,
)
from analysis.errors import InputError
from analysis.io.comments import (
    COMMENTS,
    FORMATS,
    REQUEST_PATTERNS,
    detect_comment_format,
    flag_requests,
    read_comments,
)

from .conftest import PROJECT

FIXTURES = Path(__file__).parent / "fixtures" / "comments"
BAD = FIXTURES / "bad"
NA = pd.NA
AGENCY = "dukcapil-tirtamaya"
PAGE_NAME = "Dinas Kependudukan dan Pencatatan Sipil Kota Tirtamaya"

# fixture -> (format, platform, agency handles)
FIXTURE_FORMATS = {
    "generic_comments.csv": ("generic", "instagram", ()),
    "meta_facebook_scraper.csv": ("meta_comments", "facebook", (PAGE_NAME,)),
    "meta_instagram_graph.csv": ("meta_comments", "instagram", ("@dukcapil.tirtamaya",)),
    "youtube_comments.csv": ("youtube_comments", "youtube", ()),
    "x_replies_twarc.csv": ("x_replies", "x", ("DukcapilTirtamaya",)),
}
# every citizen name, handle and account id written in the fixtures
CITIZENS = {
    "generic_comments.csv": [
        "Rina Kartika", "budi.santoso88", "Sari Wulandari", "Ahmad Fauzi", "Dewi Lestari",
    ],
    "meta_facebook_scraper.csv": [
        "Yusuf Hidayat", "Maya Anggraini", "Hendra Gunawan",
    ],
    "meta_instagram_graph.csv": ["rina.kartika", "ahmad_fz", "sari.wulan"],
    "youtube_comments.csv": [
        "@ahmadfauzi", "UCa1b2c3d4e5f6g7h8i9j0kA", "@lestari.dewi", "UCz9y8x7w6v5u4t3s2r1q0pA",
        "@hendra_g", "UCq1w2e3r4t5y6u7i8o9p0aA",
    ],
    "x_replies_twarc.csv": [
        "warga_pml", "Siti Rahma", "1600000000000000002", "rizky_a", "Rizky Aditya",
        "1700000000000000003", "nurul.h", "Nurul Huda", "1800000000000000004",
    ],
}  # fmt: skip


def read(name: str, **kwargs) -> pd.DataFrame:
    fmt, platform, handles = FIXTURE_FORMATS[name]
    options = {"platform": platform, "agency_id": AGENCY, "fmt": fmt, "agency_handles": handles}
    return read_comments(FIXTURES / name, **options | kwargs)


def column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].tolist()


def stamps(*values: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(v, tz="UTC") for v in values]


def copy_fixture(name: str, folder: Path, edit) -> Path:
    text = (FIXTURES / name).read_bytes().decode("utf-8-sig")
    target = folder / name
    target.write_text(edit(text), encoding="utf-8")
    return target


# --- format detection and the contract --------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_auto_detects_every_fixture_and_keeps_the_contract(name):
    fmt, platform, handles = FIXTURE_FORMATS[name]
    comments = read_comments(
        FIXTURES / name, platform=platform, agency_id=AGENCY, agency_handles=handles
    )
    assert comments.attrs["format"] == fmt
    assert list(comments.columns) == list(COMMENTS)
    assert {c: str(t) for c, t in comments.dtypes.items()} == COMMENTS


def test_detection_ignores_case_spacing_and_bom():
    assert detect_comment_format(["\ufeffPOST_ID", " Comment_ID ", "Created_At"]) == "generic"
    assert detect_comment_format(["id", "VideoId", "publishedAt"]) == "youtube_comments"


def test_every_format_is_documented():
    docs = (PROJECT / "docs" / "comments.md").read_text(encoding="utf-8")
    for name, spec in FORMATS.items():
        assert f"`{name}`" in docs
        for role in ("comment_id", "post_id", "created_at"):
            assert f"`{spec.columns[role][0]}`" in docs, (name, role)


# --- golden tests ---------------------------------------------------------------------------


def test_generic_golden():
    comments = read("generic_comments.csv")
    assert comments.attrs["encoding"] == "utf-8"
    # 8 data rows, c1..c8, spreadsheet rows 2..9
    assert column(comments, "comment_id") == [f"c{k}" for k in range(1, 9)]
    assert column(comments, "source_row") == list(range(2, 10))
    # c2, c3 reply to c1; c7 to c6; c8 to c9, which is not in the file
    assert column(comments, "parent_id") == [NA, "c1", "c1", NA, NA, NA, "c6", "c9"]
    # is_agency cells: 0, 1, 0, (empty), no, 0, ya, 0
    assert column(comments, "is_agency") == [False, True, False, False, False, False, True, False]
    # day-first local times in WIB (UTC+7): 03/10 08:15 -> 01:15 UTC, 04/10 07:05 -> 04/10
    # 00:05 UTC, 17/10 08:00 -> 17/10 01:00 UTC
    assert column(comments, "created_at") == stamps(
        "2026-10-03 01:15",
        "2026-10-03 02:45",
        "2026-10-03 03:02",
        "2026-10-03 14:30",
        "2026-10-04 00:05",
        "2026-10-15 12:00",
        "2026-10-17 01:00",
        "2026-10-16 05:00",
    )
    # likes 12, 3, 0, (empty), "1,204", 2, 1, 0
    assert column(comments, "likes") == [12, 3, 0, NA, 1204, 2, 1, 0]
    # c1 asks "kapan ...?", c6 "How ...?"; c4 "belum jadi, tolong dicek"
    assert column(comments, "is_question") == [True, False, False, False, False, True, False, False]
    assert column(comments, "is_complaint") == [False, False, False, True] + [False] * 4
    # the citizen's name in the agency's reply and the phone number in c4 are redacted
    assert column(comments, "text")[1] == "Halo Kak [anon], jadwalnya Senin–Kamis 08.00–14.00 WIB."
    assert column(comments, "text")[3].endswith("WA saya [phone]")
    assert column(comments, "text")[6] == "[anon] silakan ajukan lewat aplikasi, terima kasih."
    assert comments.attrs["notes"] == [
        "1 replies answer a comment that is not in the file; each starts its own thread"
    ]
    assert column(comments, "author_key") == [NA] * 8  # no salt


def test_meta_facebook_scraper_golden():
    comments = read("meta_facebook_scraper.csv")
    assert comments.attrs["encoding"] == "utf-8-sig"  # BOM
    # row 6 repeats the comment of row 2
    assert comments.attrs["skipped_rows"] == [(6, "duplicate comment id")]
    assert column(comments, "source_row") == [2, 3, 4, 5]
    # the caption of row 4 spans two physical lines (CRLF inside quotes) but is one row
    assert (
        column(comments, "text")[2]
        == "Antrean online-nya error terus dari pagi\nsudah dicoba berkali-kali"
    )
    # status_id is kept whole ({page id}_{post id})
    assert set(column(comments, "post_id")) == {"104857600123456_1058012345678901"}
    assert column(comments, "parent_id") == [NA, "1058012345678901_2233445566", NA, NA]
    # comment_published is naive WIB: 2026-09-05 10:12 -> 03:12 UTC ...
    assert column(comments, "created_at") == stamps(
        "2026-09-05 03:12", "2026-09-05 06:40", "2026-09-06 00:55", "2026-09-06 13:03"
    )
    # the page's reply is the agency's, matched by page name
    assert column(comments, "is_agency") == [False, True, False, False]
    assert column(comments, "likes") == [4, 2, 15, 7]  # num_reactions
    # "Mohon info, apakah ...?": question and request; "error terus": complaint
    assert column(comments, "is_question") == [True, False, False, False]
    assert column(comments, "is_complaint") == [True, False, True, False]
    assert column(comments, "text")[1] == "Ada Kak [anon], mulai pukul 08.00 di kantor kelurahan."


def test_meta_instagram_graph_golden():
    comments = read("meta_instagram_graph.csv")
    # media_id is the post; timestamps carry +0000 and stay as they are
    assert column(comments, "post_id") == ["17990112233445566"] * 3 + ["17990112233445577"]
    assert column(comments, "created_at") == stamps(
        "2026-10-03 01:40:12", "2026-10-03 04:05:40", "2026-10-03 06:22", "2026-10-15 13:10"
    )
    # agency handle given as "@dukcapil.tirtamaya", written without @ in the file
    assert column(comments, "is_agency") == [False, True, False, False]
    assert column(comments, "likes") == [5, 1, 9, 0]
    assert column(comments, "text")[1].startswith("[anon] Halo Kak!")
    assert column(comments, "is_question") == [True, False, False, False]
    assert column(comments, "is_complaint") == [False, False, True, False]


def test_youtube_golden():
    comments = read("youtube_comments.csv")
    # the owner's reply: authorChannelId == channelId, no handle needed
    assert column(comments, "is_agency") == [False, True, False, False]
    assert column(comments, "post_id") == ["dQw4w9WgXcQ"] * 3 + ["kL3mN4oP5qR"]
    assert column(comments, "parent_id") == [NA, "UgzQ1aB2cD3eF4gH5iJ4AaABAg", NA, NA]
    # publishedAt in UTC (Z)
    assert column(comments, "created_at") == stamps(
        "2026-09-20 03:15", "2026-09-20 09:45", "2026-09-21 14:00", "2026-10-02 01:30"
    )
    # rows 4 and 5 have no textOriginal: textDisplay without tags, <br> as a line break,
    # &amp; as &
    assert column(comments, "text")[2] == "Videonya jelas & membantu\nterima kasih"
    assert column(comments, "text")[1] == (
        "Halo [anon], cetak di kertas HVS A4 80 gram & simpan file PDF-nya."
    )
    assert column(comments, "likes") == [3, 5, 12, 0]
    assert column(comments, "is_question") == [True, False, False, False]
    assert column(comments, "is_complaint") == [False, False, False, True]


def test_x_twarc_golden():
    comments = read("x_replies_twarc.csv")
    # row 2 is the post (id == conversation_id), row 7 a quote without replied_to
    assert comments.attrs["skipped_rows"] == [(2, "the post itself"), (7, "not a reply")]
    assert column(comments, "source_row") == [3, 4, 5, 6]
    assert set(column(comments, "post_id")) == {"1841234567890123456"}
    # rows 3 and 5 reply to the post: comments on it; row 4 answers row 3, row 6 row 5
    assert column(comments, "parent_id") == [
        NA,
        "1841234567890200001",
        NA,
        "1841234567890200003",
    ]
    assert column(comments, "is_agency") == [False, True, False, False]
    # like counts 2, 1, "1,032", 0
    assert column(comments, "likes") == [2, 1, 1032, 0]
    # twarc's escaped \n becomes a line break; the citizen's handle is redacted
    assert column(comments, "text")[1] == (
        "[anon] Halo! Karangsari dijadwalkan Kamis 08.00–12.00.\nInfo lengkap ada di tautan bio."
    )
    assert column(comments, "text")[3] == "[anon] sama min saya juga"
    assert column(comments, "created_at") == stamps(
        "2026-10-01 03:12", "2026-10-01 05:30", "2026-10-01 04:00", "2026-10-01 04:20"
    )


def test_indonesian_generic_headers_and_thousands_dot(tmp_path):
    path = tmp_path / "komentar.csv"
    path.write_text(
        "id_postingan;id_komentar;id_induk;penulis;oleh_instansi;waktu;teks;suka\n"
        "p1;k1;;Rina Kartika;tidak;2026-05-31 23:30;Kapan buka?;1.204\n"
        "p1;k2;k1;Dinas X;ya;2026-06-01 08:00:00 WIB;Besok pagi, Kak.;2\n",
        encoding="utf-8",
    )
    comments = read_comments(path, platform="facebook", agency_id="a")
    assert comments.attrs["format"] == "generic"
    # "1.204" in an Indonesian file is 1204 (thousands dot); 23:30 WIB = 16:30 UTC
    assert column(comments, "likes") == [1204, 2]
    assert column(comments, "created_at") == stamps("2026-05-31 16:30", "2026-06-01 01:00")
    assert column(comments, "is_agency") == [False, True]


def test_header_only_file_gives_an_empty_table(tmp_path):
    path = tmp_path / "empty_thread.csv"
    path.write_text(",".join(GENERIC_COLUMNS) + "\n", encoding="utf-8")
    comments = read_comments(path, platform="instagram", agency_id="a")
    assert comments.empty and list(comments.columns) == list(COMMENTS)


# --- the agency's comments --------------------------------------------------------------------


def test_handles_mark_the_agency_in_a_generic_file_too(tmp_path):
    path = copy_fixture("generic_comments.csv", tmp_path, lambda t: t.replace(",ya,", ",0,"))
    comments = read_comments(
        path, platform="instagram", agency_id="a", agency_handles=["dukcapil tirtamaya"]
    )
    # c2 and c7 are by "Dukcapil Tirtamaya"; the flag of c7 was removed
    assert column(comments, "is_agency") == [False, True, False, False, False, False, True, False]


def test_a_file_that_cannot_tell_the_agency_is_refused():
    with pytest.raises(InputError) as error:
        read_comments(FIXTURES / "x_replies_twarc.csv", platform="x", agency_id="a")
    message = str(error.value)
    assert "x_replies_twarc.csv" in message and 'column "author.username"' in message
    assert "does not say which comments are the agency's" in message
    assert "agency_handles" in message


def test_handles_that_match_nothing_are_noted():
    comments = read("meta_instagram_graph.csv", agency_handles=["kominfo.pemalang"])
    assert not comments["is_agency"].any()
    assert comments.attrs["notes"] == [
        "no comment was written by the agency's accounts (kominfo.pemalang)"
    ]


# --- privacy ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FIXTURE_FORMATS))
def test_no_citizen_name_handle_or_id_survives(name):
    comments = read(name, salt="study-salt")
    cells = comments.select_dtypes(include="string").stack().dropna().str.casefold().tolist()
    for citizen in CITIZENS[name]:
        # every citizen identity written in the fixture is searched for in every text cell
        assert not any(citizen.casefold().lstrip("@") in cell for cell in cells), citizen
    assert not any(scan_text(cell) for cell in cells)


def test_pseudonyms_are_keyed_and_stable_within_a_file():
    keys = column(read("generic_comments.csv", salt="study-salt"), "author_key")
    other = column(read("generic_comments.csv", salt="another-salt"), "author_key")
    # Rina Kartika wrote c1 and c3; Dukcapil Tirtamaya c2 and c7; the others one each
    assert keys[0] == keys[2] and keys[1] == keys[6]
    assert len(set(keys)) == 6
    assert all(re.fullmatch(r"[0-9a-f]{16}", k) for k in keys)
    assert not set(keys) & set(other)


def test_youtube_pseudonym_rests_on_the_channel_id(tmp_path):
    # the same channel under a new display name is the same person
    path = copy_fixture("youtube_comments.csv", tmp_path, lambda t: t.replace("@hendra_g", "@hg"))
    before = column(read("youtube_comments.csv", salt="s"), "author_key")
    after = column(read_comments(path, platform="youtube", agency_id="a", salt="s"), "author_key")
    assert before == after


# --- the question and complaint rule -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, question, complaint",
    [
        ("Min, kapan buka?", True, False),
        ("gmn caranya daftar", True, False),
        ("Websitenya gak bisa dibuka dari pagi", False, True),
        ("Mau lapor, ada pungli di loket", False, True),
        ("Mohon info syaratnya apa saja", True, True),
        ("Terima kasih, sangat membantu", False, False),
        ("Laporan kegiatan yang bagus", False, True),  # "lapor\w*": a known false positive
    ],
)
def test_keyword_rule_on_examples(text, question, complaint):
    is_question, is_complaint = flag_requests(pd.Series([text], dtype="string"))
    assert (bool(is_question.iloc[0]), bool(is_complaint.iloc[0])) == (question, complaint)


def test_patterns_can_be_replaced_per_kind():
    texts = pd.Series(["Mohon dibantu", "Kapan buka?", None], dtype="string")
    question, complaint = flag_requests(texts, {"complaint": [r"\bdibantu\b"]})
    assert question.tolist() == [False, True, False]  # default question patterns kept
    assert complaint.tolist() == [True, False, False]
    with pytest.raises(InputError, match="expected question or complaint"):
        flag_requests(texts, {"praise": ["bagus"]})
    with pytest.raises(InputError, match="question pattern is not a valid regular expression"):
        flag_requests(texts, {"question": ["(kapan"]})


def test_generator_texts_are_flagged_as_planted():
    for kind, templates in TEXTS.items():
        texts = pd.Series(
            [t.format(service="x", doc="izin", doc_en="permit", phone="0812-1111-2222", who="A")
             for t in templates],
            dtype="string",
        )  # fmt: skip
        question, complaint = flag_requests(texts)
        assert question.tolist() == [kind == "question"] * len(templates), kind
        if kind != "agency_reply":
            assert complaint.tolist() == [kind == "complaint"] * len(templates), kind


# --- bad inputs --------------------------------------------------------------------------------

BAD_CASES = [
    # (file, reader options, substrings the message must hold)
    ("missing_created_at.csv", {}, ["missing_created_at.csv", "row 1",
                                    "matches no known comment export format",
                                    "tried generic (lacks created_at)"]),
    ("missing_created_at.csv", {"fmt": "generic"}, ["row 1", 'column "created_at"',
                                                    "a generic file needs the created_at column",
                                                    "accepted headers: created_at, created at"]),
    ("bad_date.csv", {}, ["bad_date.csv", "row 3", 'column "created_at"',
                          '"32/10/2026 09:45" is not a date and time this reader knows']),
    ("bad_likes.csv", {}, ["bad_likes.csv", "row 3", 'column "likes"', '"banyak" is not a count',
                           "expected a whole number"]),
    ("empty.csv", {}, ["empty.csv", "the file is empty"]),
    ("posts_export.csv", {}, ["posts_export.csv", "row 1",
                              "matches no known comment export format",
                              "generic (lacks comment_id, created_at)",
                              "docs/comments.md"]),
    ("bad_flag.csv", {}, ["bad_flag.csv", "row 3", 'column "is_agency"',
                          '"mungkin" is not a yes/no value', "ya or tidak"]),
    ("missing_comment_id.csv", {}, ["missing_comment_id.csv", "row 3", 'column "comment_id"',
                                    "is not a comment ID: the row has none"]),
    ("missing_time_value.csv", {}, ["missing_time_value.csv", "row 3", 'column "created_at"',
                                    "the comment has none"]),
    ("bad_date.csv", {"fmt": "youtube_comments", "platform": "youtube"},
     ["bad_date.csv", "a youtube_comments file needs the id column"]),
    ("bad_date.csv", {"fmt": "x_replies"}, ['a x_replies file cannot hold platform "instagram"',
                                           "expected x"]),
    ("bad_date.csv", {"fmt": "tiktok"}, ['unknown comment format "tiktok"',
                                        "known: auto, generic"]),
    ("bad_date.csv", {"timezone": "WIB"}, ['"WIB" is not an IANA time zone', "Asia/Jakarta"]),
]  # fmt: skip


@pytest.mark.parametrize("name, options, says", BAD_CASES, ids=lambda v: str(v)[:40])
def test_bad_file_gives_a_clear_error(name, options, says):
    with pytest.raises(InputError) as error:
        read_comments(BAD / name, **{"platform": "instagram", "agency_id": "a"} | options)
    for text in says:
        assert text in str(error.value)


def test_a_ragged_row_is_named(tmp_path):
    path = copy_fixture(
        "generic_comments.csv", tmp_path, lambda t: t.replace("Terima kasih infonya,0", "a,b,c,d")
    )
    with pytest.raises(
        InputError, match=r"generic_comments.csv, row 4: has 10 fields but the header has 8"
    ):
        read_comments(path, platform="instagram", agency_id="a")


# --- the documented example and the generator ---------------------------------------------------


def test_docs_example_reads_as_documented(tmp_path):
    text = (PROJECT / "docs" / "comments.md").read_text(encoding="utf-8")
    example = re.search(r"```csv\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "instagram_comments.csv"
    path.write_text(example, encoding="utf-8")
    comments = read_comments(path, platform="instagram", agency_id="dukcapil-tirtamaya")
    # the example: a question answered by the agency after 1 h 30 min, a thank-you, praise
    assert column(comments, "is_agency") == [False, True, False, False]
    assert column(comments, "is_question") == [True, False, False, False]
    assert (comments["created_at"].iloc[1] - comments["created_at"].iloc[0]) == pd.Timedelta(
        minutes=90
    )
    assert column(comments, "text")[1] == "Halo Kak [anon], mulai 10 Oktober pukul 08.00 WIB."


def generator_posts() -> pd.DataFrame:
    """Five posts of two demo agencies (one with an unknown comment count)."""
    return pd.DataFrame(
        {
            "agency_id": ["dukcapil-tirtamaya"] * 3 + ["rsud-wanasari"] * 2,
            "platform": ["instagram", "instagram", "facebook", "facebook", "youtube"],
            "post_id": ["101", "102", "201", "301", "abcdefghijk"],
            "published_at": pd.to_datetime(["2026-05-01 01:00"] * 5, utc=True),
            "comments": pd.array([40, 25, 30, 20, pd.NA], dtype="Int64"),
        }
    )


@pytest.fixture(scope="module")
def threads():
    return comment_threads(generator_posts(), ["dukcapil-tirtamaya", "rsud-wanasari"], seed=11)


def test_generator_is_deterministic_and_shaped_like_the_contract(threads):
    again = comment_threads(generator_posts(), ["dukcapil-tirtamaya", "rsud-wanasari"], seed=11)
    pd.testing.assert_frame_equal(threads, again)
    citizens = threads[threads["kind"].isin(["question", "complaint", "other"])]
    # one citizen comment per counted comment: 40 + 25 + 30 + 20 (+ none for NA)
    assert citizens.groupby("post_id").size().to_dict() == {
        "101": 40,
        "102": 25,
        "201": 30,
        "301": 20,
    }
    replies = threads[threads["parent_id"].notna()]
    roots = threads.set_index("comment_id")
    # every reply hangs under a citizen's comment on the same post, written before it
    assert (roots.loc[replies["parent_id"], "post_id"].to_numpy() == replies["post_id"]).all()
    assert (roots.loc[replies["parent_id"], "created_at"].to_numpy() < replies["created_at"]).all()


def test_generator_files_read_back_without_a_citizen_identity(threads, tmp_path):
    for (agency, platform), rows in threads.groupby(["agency_id", "platform"]):
        path = write_comment_csv(rows, tmp_path / agency / f"{platform}_comments.csv")
        comments = read_comments(path, platform=platform, agency_id=agency, salt="s")
        # the reader recovers the planted kinds, authorship and times exactly
        assert column(comments, "is_agency") == rows["is_agency"].tolist()
        assert column(comments, "is_question") == (rows["kind"] == "question").tolist()
        assert column(comments, "is_complaint") == (rows["kind"] == "complaint").tolist()
        assert column(comments, "created_at") == rows["created_at"].tolist()
        cells = " ".join(comments.select_dtypes(include="string").stack().dropna()).casefold()
        for author in rows.loc[~rows["is_agency"], "author"].unique():
            assert author.casefold() not in cells, author
        assert scan_text(cells) == []
    # the generator did write phone numbers and addressed citizens by name
    assert threads["text"].str.contains(r"08\d\d-\d{4}-\d{4}").any()
    assert threads["text"].str.contains("@").any()


def test_request_patterns_are_documented():
    docs = (PROJECT / "docs" / "comments.md").read_text(encoding="utf-8")
    for kind in REQUEST_PATTERNS:
        assert f"`{kind}`" in docs
    assert np.isin(["mohon", "tolong", "kapan", "gimana"], re.findall(r"\w+", docs)).all()

"""Auto-coding against 30 agency posts coded by hand, and its accuracy against scikit-learn."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

from analysis.content import code_texts, coding_accuracy, load_codebook
from analysis.content.coding import MICRO

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "agency_posts.csv"


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    """30 posts of three agencies; ``human_codes`` says what each post is about, by hand."""
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False).set_index("unit_id")


@pytest.fixture(scope="module")
def human(posts, codebook) -> pd.DataFrame:
    codes = posts["human_codes"].str.split(";")
    return pd.DataFrame({c: codes.map(lambda found, c=c: int(c in found)) for c in codebook.ids})


@pytest.fixture(scope="module")
def auto(posts, codebook) -> pd.DataFrame:
    return code_texts(posts["text"], codebook)


# Counted by hand, post by post (the post numbers in brackets):
# service_info  FP 4: "Pelayanan" in a name or an office [p02 p06 p07], "Services"/"Register"
#               in a webinar invitation [p11]; TP 7, FN 0.
# announcement  FN 3: an exhibition opening [p05], a competition [p20], a published report
#               [p29]; TP 6, FP 0.
# campaign      FP 3: "Yuk" in tourism posts [p10 p28], "protokol kesehatan" at a museum [p19];
#               FN 1: "Bijak bermedia sosial" [p25]; TP 4.
# integrity     TP 7, FP 0, FN 0.
# complaint     FP 2: "Report bribery" [p12], "Laporan Kinerja" (performance report) [p29]; TP 3.
# achievement   FP 1: "winners" of a competition the agency held [p20]; TP 3.
# culture       FP 2: the agency's own name, Galeri Nasional / National Gallery [p04 p27]; TP 6.
# Pooled: TP 36, FP 12, FN 4 -> precision 36/48 = 0.75, recall 36/40 = 0.90.
EXPECTED = {
    "service_info": (7, 4, 0),
    "announcement_event": (6, 0, 3),
    "campaign": (4, 3, 1),
    "integrity": (7, 0, 0),
    "complaint_response": (3, 2, 0),
    "achievement_award": (3, 1, 0),
    "culture_tourism": (6, 2, 0),
}


def test_auto_codes_against_hand_codes_per_category(auto, human, codebook):
    table = coding_accuracy(auto, human, codebook.ids).set_index("category")
    for category, (tp, fp, fn) in EXPECTED.items():
        assert tuple(table.loc[category, ["tp", "fp", "fn"]]) == (tp, fp, fn), category
        assert table.loc[category, "tn"] == 30 - tp - fp - fn
    pooled = table.loc[MICRO]
    assert (pooled["tp"], pooled["fp"], pooled["fn"]) == (36, 12, 4)
    assert pooled["precision"] == pytest.approx(0.75)
    assert pooled["recall"] == pytest.approx(0.90)


def test_accuracy_matches_scikit_learn(auto, human, codebook):
    ours = coding_accuracy(auto, human, codebook.ids).set_index("category")
    # sklearn.metrics.precision_recall_fscore_support on the multilabel indicator matrices
    p, r, f, _ = precision_recall_fscore_support(
        human[codebook.ids].to_numpy(), auto[codebook.ids].to_numpy(), zero_division=np.nan
    )
    np.testing.assert_allclose(ours.loc[codebook.ids, "precision"], p, rtol=1e-12)
    np.testing.assert_allclose(ours.loc[codebook.ids, "recall"], r, rtol=1e-12)
    np.testing.assert_allclose(ours.loc[codebook.ids, "f1"], f, rtol=1e-12)
    micro = precision_recall_fscore_support(
        human[codebook.ids].to_numpy(), auto[codebook.ids].to_numpy(), average="micro"
    )
    np.testing.assert_allclose(ours.loc[MICRO, ["precision", "recall", "f1"]], micro[:3])


def test_matched_terms_say_why(auto):
    # p04: keywords as written in the codebook, then the pattern match as found in the text
    assert auto.loc["p04", "integrity__terms"] == (
        "zona integritas; integritas; korupsi; WBK; gratifikasi; ziwbk"
    )
    # p01: "Pelayanan" matches the keyword "layanan" by its stem, "e-KTP" as a word
    assert auto.loc["p01", "service_info__terms"] == "layanan; e-KTP; syarat; gratis; tanpa biaya"
    # p07: the SP4N-LAPOR and lapor.go.id patterns
    assert auto.loc["p07", "complaint_response__terms"].endswith("sp4n-lapor; lapor.go.id")
    assert auto.loc["p15"].filter(like="__terms").eq("").all()


def test_output_shape(auto, posts, codebook):
    assert auto.index.equals(posts.index)
    assert list(auto.columns) == codebook.ids + [c + "__terms" for c in codebook.ids]
    assert all(auto[c].dtype == "int8" for c in codebook.ids)
    assert all(auto[c + "__terms"].dtype == "string" for c in codebook.ids)


@pytest.fixture(scope="module")
def rules():
    return load_codebook(
        {
            "categories": [
                {
                    "id": "announce",
                    "label": {"id": "Pengumuman", "en": "Announcement"},
                    "keywords": {"id": ["=pengumuman"], "en": ["announce*"]},
                },
                {
                    "id": "service",
                    "label": {"id": "Layanan", "en": "Service"},
                    "keywords": {"id": ["pelayanan", "jam operasional"], "en": ["opening hours"]},
                },
                {
                    "id": "integrity",
                    "label": {"id": "Integritas", "en": "Integrity"},
                    "keywords": {"id": ["zona integritas", "antikorupsi*"]},
                },
            ]
        }
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pengumuman hasil seleksi", {"announce"}),
        ("Rumah sakit umum daerah", set()),  # "umum" is the stem of pengumuman: =word stays exact
        ("We are pleased to announce", {"announce"}),
        ("Announcements for today", {"announce"}),
        ("Kami melayani dengan sepenuh hati", {"service"}),  # melayani -> layan = pelayanan
        ("Jam operasional kantor", {"service"}),
        ("Operasional jam kantor", set()),  # a phrase matches in its order only
        ("Our opening hours", {"service"}),
        ("Opening new hours", set()),
        ("Menuju #ZonaIntegritas", {"integrity"}),  # hashtag = keyword without spaces
        ("#AntiKorupsi2024 di kantor", {"integrity"}),  # prefix keyword, hashtag prefix
        ("#Pelayanan prima", {"service"}),  # hashtag by its stem
        ("zona bebas, integritas tinggi", set()),
    ],
)
def test_keyword_rules(rules, text, expected):
    coded = code_texts([text], rules).iloc[0]
    assert {c for c in rules.ids if coded[c]} == expected


def test_english_mode_does_not_stem(rules):
    coded = code_texts(["Kami melayani warga", "pelayanan"], rules, lang="en")
    assert coded["service"].tolist() == [0, 1]


def test_missing_texts_and_list_input(rules):
    coded = code_texts(["Pengumuman", None, float("nan")], rules)
    assert coded.index.tolist() == [0, 1, 2]
    assert coded["announce"].tolist() == [1, 0, 0]
    with pytest.raises(TypeError, match="not a single str"):
        code_texts("Pengumuman", rules)
    with pytest.raises(ValueError, match="unknown language 'jv'"):
        code_texts(["x"], rules, lang="jv")


def test_markup_passes_through_as_text(rules):
    hostile = '<script>alert("Pengumuman")</script><img src=x onerror=alert(1)> javascript:void(0)'
    coded = code_texts(pd.Series([hostile], index=["c1"]), rules)
    assert coded.loc["c1", "announce"] == 1
    assert coded.loc["c1", "announce__terms"] == "=pengumuman"


def test_accuracy_needs_aligned_codes():
    a = pd.DataFrame({"x": [1, 0]})
    with pytest.raises(ValueError, match="same index"):
        coding_accuracy(a, a.set_axis([5, 6]), ["x"])
    with pytest.raises(ValueError, match="truth codes lack the category column 'y'"):
        coding_accuracy(a.assign(y=1), a, ["y"])

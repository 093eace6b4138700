"""Word, n-gram, hashtag, mention and category counts against scikit-learn and hand counts."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from analysis.content import code_texts, load_codebook
from analysis.content.frequencies import (
    COOCCURRENCE_COLUMNS,
    COUNT_COLUMNS,
    category_cooccurrence,
    category_counts,
    hashtag_counts,
    mention_counts,
    term_frequencies,
)
from analysis.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "agency_posts.csv"
ENGLISH = [
    "The National Gallery opens a new exhibition of modern paintings",
    "Visit the exhibition and see modern paintings by young artists",
    "Report illegal levies to the complaint service of the gallery",
    "The complaint service answers every report within two days",
]


@pytest.fixture(scope="module")
def posts() -> pd.DataFrame:
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_terms_match_scikit_learn_count_vectorizer(n):
    # CountVectorizer removes the same stop words, then forms n-grams within each text
    vectorizer = CountVectorizer(
        ngram_range=(n, n), stop_words=sorted(ENGLISH_STOP_WORDS | {"rt", "amp"})
    )
    matrix = vectorizer.fit_transform(ENGLISH)
    expected = pd.DataFrame(
        {
            "term": vectorizer.get_feature_names_out(),
            "count": np.asarray(matrix.sum(axis=0)).ravel(),
            "documents": np.asarray((matrix > 0).sum(axis=0)).ravel(),
        }
    ).sort_values(["count", "term"], ascending=[False, True], ignore_index=True)
    ours = term_frequencies(ENGLISH, n=n, lang="en")
    assert ours["term"].tolist() == expected["term"].tolist()
    assert ours["count"].tolist() == expected["count"].tolist()
    assert ours["documents"].tolist() == expected["documents"].tolist()
    assert ours["share"].sum() == pytest.approx(1.0)


def test_indonesian_words_counted_by_hand():
    texts = [
        "Pelayanan KTP di kantor kecamatan",
        "Kami melayani pembuatan KTP dan KK",
        "Layanan KTP tutup hari Minggu",
    ]
    # by hand, stopwords (di, kami, dan, hari) removed: ktp 3 times in 3 texts
    words = term_frequencies(texts).set_index("term")
    assert words.loc["ktp", ["count", "documents"]].tolist() == [3, 3]
    assert words.loc["pelayanan", "count"] == 1
    assert "di" not in words.index and "kami" not in words.index
    # stemmed: pelayanan, melayani and layanan are one stem "layan" (3 times)
    stems = term_frequencies(texts, stem=True).set_index("term")
    assert stems.loc["layan", "count"] == 3
    assert list(stems.columns) == list(COUNT_COLUMNS[1:])
    # by hand: 12 content words in 3 texts give 3 + 3 + 3 bigrams, each once, "hari" left out
    bigrams = term_frequencies(texts, n=2)
    assert sorted(bigrams["term"]) == [
        "kantor kecamatan",
        "ktp kantor",
        "ktp kk",
        "ktp tutup",
        "layanan ktp",
        "melayani pembuatan",
        "pelayanan ktp",
        "pembuatan ktp",
        "tutup minggu",
    ]
    assert bigrams["share"].tolist() == pytest.approx([1 / 9] * 9)
    assert term_frequencies(texts, n=2, top=2)["term"].tolist() == [
        "kantor kecamatan",
        "ktp kantor",
    ]


def test_hashtags_of_the_fixture_counted_by_hand(posts):
    # by hand: 14 hashtags in 11 posts; #WisataPemalang in p10 and p28, every other once
    tags = hashtag_counts(posts["text"])
    assert tags["count"].sum() == 14
    assert len(tags) == 13
    assert tags.iloc[0].tolist()[:3] == ["#wisatapemalang", 2, 2]
    assert set(tags["term"]) >= {"#ziwbk", "#wbk", "#hutri76", "#cekfakta", "#literasidigital"}


def test_mentions_of_the_fixture_counted_by_hand(posts):
    # by hand: @KominfoPemalang in p02 and p08, @KemenPANRB in p06 and p27 (both agencies)
    mentions = mention_counts(posts["text"], agency_handles=["@KominfoPemalang", "kemenpanrb"])
    assert mentions[["term", "count", "documents"]].values.tolist() == [
        ["@kemenpanrb", 2, 2],
        ["@kominfopemalang", 2, 2],
    ]


def test_mentions_of_citizens_are_pseudonymized():
    texts = ["Terima kasih @budi_santoso", "@Budi_Santoso @KominfoPemalang"]
    with pytest.raises(InputError, match="1 mentioned account"):
        mention_counts(texts, agency_handles=["KominfoPemalang"])
    counted = mention_counts(texts, agency_handles=["KominfoPemalang"], salt="study-key")
    assert "budi" not in " ".join(counted["term"]).casefold()
    citizen = counted[counted["term"].str.startswith("user-")]
    assert citizen["count"].tolist() == [2]  # the same handle, any case, is one pseudonym
    counted = mention_counts(texts, agency_handles=["KominfoPemalang"], pseudonymize=lambda h: "X")
    assert set(counted["term"]) == {"user-X", "@kominfopemalang"}


def test_category_counts_and_cooccurrence_by_hand():
    coded = pd.DataFrame(
        {
            "a": [1, 1, 0, 1, 0],
            "b": [1, 0, 0, 1, 1],
            "c": [0, 0, 0, 0, 0],
        }
    )
    table = category_cooccurrence(coded, ["a", "b", "c"])
    assert list(table.columns) == list(COOCCURRENCE_COLUMNS)
    matrix = table.pivot(index="category_a", columns="category_b", values="n")
    # by hand: a in 3 texts, b in 3, both in rows 0 and 3
    assert matrix.loc["a", "a"] == 3 and matrix.loc["b", "b"] == 3
    assert matrix.loc["a", "b"] == matrix.loc["b", "a"] == 2
    np.testing.assert_array_equal(matrix.to_numpy(), coded.to_numpy().T @ coded.to_numpy())
    pair = table.set_index(["category_a", "category_b"]).loc[("a", "b")]
    assert pair["share_of_a"] == pytest.approx(2 / 3)
    assert pair["jaccard"] == pytest.approx(2 / 4)
    empty = table.set_index(["category_a", "category_b"]).loc[("c", "c")]
    assert np.isnan(empty["share_of_a"]) and np.isnan(empty["jaccard"])


def test_category_counts_on_the_fixture(posts):
    codebook = load_codebook()
    coded = code_texts(posts["text"], codebook)
    counts = category_counts(coded, codebook, lang="en").set_index("category")
    # auto-coded posts per category (test_content_coding: TP + FP)
    assert counts["n"].to_dict() == {
        "service_info": 11,
        "announcement_event": 6,
        "campaign": 7,
        "integrity": 7,
        "complaint_response": 5,
        "achievement_award": 4,
        "culture_tourism": 8,
    }
    assert counts.loc["integrity", "label"] == "Integrity and anti-corruption"
    assert counts.loc["integrity", "share"] == pytest.approx(7 / 30)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be 1, 2 or 3"):
        term_frequencies(["x"], n=4)
    with pytest.raises(ValueError, match=r"lack the category columns \['z'\]"):
        category_cooccurrence(pd.DataFrame({"a": [1]}), ["a", "z"])
    with pytest.raises(ValueError, match="must hold 0 or 1"):
        category_cooccurrence(pd.DataFrame({"a": [1, None]}), ["a"])


def test_markup_is_counted_as_plain_words():
    words = term_frequencies(["<script>alert(1)</script> onerror= javascript:"], lang="en")
    assert words["term"].tolist() == ["script", "alert", "javascript", "onerror"]

"""Tokens, Sastrawi stems and stopwords against the packages' own documented examples."""

import time

import pytest
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from analysis.content import text
from analysis.content.text import content_words, stem_word, stopwords, tokenize


# PySastrawi README (github.com/har07/PySastrawi): "Perekonomian Indonesia sedang dalam
# pertumbuhan yang membanggakan" -> "ekonomi indonesia sedang dalam tumbuh yang bangga" and
# "Mereka meniru-nirukannya" -> "mereka tiru"; word by word through our cache.
@pytest.mark.parametrize(
    "sentence, stems",
    [
        (
            "Perekonomian Indonesia sedang dalam pertumbuhan yang membanggakan",
            "ekonomi indonesia sedang dalam tumbuh yang bangga",
        ),
        ("Mereka meniru-nirukannya", "mereka tiru"),
    ],
)
def test_readme_sentences_stem_as_documented(sentence, stems):
    assert " ".join(text.stem_words(tokenize(sentence).words)) == stems


# PySastrawi tests/FunctionalTests/Stemmer/stemmer_test.py (pairs that also hold with the
# full dictionary): pembangunan -> bangun (prefix + suffix), perumahan -> rumah (rule 21b),
# mempengaruhi -> pengaruh (modified rule 12), memberdayakan -> daya (recursive prefixes),
# buku-buku -> buku (plural), mencintai -> cinta. Domain words checked against what Sastrawi
# 1.2.1 returns: pelayanan/melayani -> layan, mengumumkan/pengumuman -> umum (which is why the
# default codebook writes =pengumuman), penghargaan -> harga, kebudayaan -> budaya.
@pytest.mark.parametrize(
    "word, stem",
    [
        ("pembangunan", "bangun"),
        ("perumahan", "rumah"),
        ("mempengaruhi", "pengaruh"),
        ("memberdayakan", "daya"),
        ("buku-buku", "buku"),
        ("mencintai", "cinta"),
        ("pelayanan", "layan"),
        ("melayani", "layan"),
        ("mengumumkan", "umum"),
        ("pengumuman", "umum"),
        ("penghargaan", "harga"),
        ("kebudayaan", "budaya"),
        ("sosialisasi", "sosialisasi"),
    ],
)
def test_sastrawi_stems(word, stem):
    assert stem_word(word) == stem


def test_words_sastrawi_would_mangle_are_left_as_they_are():
    # Sastrawi's normalizer drops characters outside [a-z0-9 -]: "let's" would become "let s"
    assert stem_word("let's") == "let's"
    assert stem_word("café") == "café"


def test_each_distinct_word_is_stemmed_once():
    stem_word.cache_clear()
    words = ["pelayanan"] * 50 + ["kebudayaan"] * 50
    text.stem_words(words)
    info = stem_word.cache_info()
    assert (info.misses, info.hits) == (2, 98)


def test_tokens_keep_hashtags_mentions_urls_apart():
    tokens = tokenize(
        "Info #PelayananPrima dari @KominfoPemalang: https://pemalangkab.go.id/ppid. "
        "Email humas@kominfo.go.id, C# bukan tagar, www.galnas.id/pameran)"
    )
    assert tokens.words == ("info", "dari", "email", "c", "bukan", "tagar")
    assert tokens.hashtags == ("pelayananprima",)
    assert tokens.mentions == ("kominfopemalang",)
    assert tokens.urls == ("https://pemalangkab.go.id/ppid", "www.galnas.id/pameran")


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_text_has_no_tokens(missing):
    assert tokenize(missing) == tokenize("")


def test_stopword_sources():
    # scikit-learn's ENGLISH_STOP_WORDS holds 318 words; Sastrawi's list 809 (PySastrawi 1.2.1)
    assert len(ENGLISH_STOP_WORDS) == 318
    assert len(StopWordRemoverFactory().get_stop_words()) == 809
    indonesian = stopwords("id")
    assert {"yang", "dan", "di", "yg", "utk", "rt"} <= indonesian
    assert "the" not in indonesian
    assert set(ENGLISH_STOP_WORDS) <= stopwords("en")
    assert stopwords(("id", "en")) == indonesian | stopwords("en")
    with pytest.raises(ValueError, match="'id' .* or 'en'"):
        stopwords("jv")


def test_content_words_drop_stopwords_and_numbers_then_stem():
    sentence = "Pelayanan yg cepat dan ramah untuk 1000 warga di 2024"
    assert content_words(sentence) == ["pelayanan", "cepat", "ramah", "warga"]
    assert content_words(sentence, stem=True) == ["layan", "cepat", "ramah", "warga"]


def test_markup_in_texts_is_plain_words_not_escaped_or_run():
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1) &amp;"
    tokens = tokenize(hostile)
    assert tokens.words == (
        "script",
        "alert",
        "1",
        "script",
        "img",
        "src",
        "x",
        "onerror",
        "alert",
        "1",
        "javascript",
        "alert",
        "1",
        "amp",
    )
    assert not any("&lt;" in w or "&" in w for w in tokens.words)


@pytest.mark.parametrize(
    "crafted",
    ["a." * 100_000, "a" * 200_000, "a@" * 100_000, "#a" * 100_000, "http://" + "." * 100_000],
)
def test_tokenizing_crafted_long_texts_takes_linear_time(crafted):
    start = time.perf_counter()
    tokenize(crafted)
    assert time.perf_counter() - start < 2.0


def test_abbreviations_with_dots_stay_one_word():
    # "U.S." would otherwise count as the bigram "u s"; a.n. (atas nama), s.d. (sampai dengan)
    assert tokenize("The U.S. and a.n. Kepala Dinas, Jl. Merdeka s.d. Senin").words == (
        "the",
        "u.s.",
        "and",
        "a.n.",
        "kepala",
        "dinas",
        "jl",
        "merdeka",
        "s.d.",
        "senin",
    )

"""Tokens, stems and stopwords of Indonesian and English social media texts.

:func:`tokenize` splits a text into words, hashtags, mentions, URLs and email addresses, so a
hashtag or handle is never counted as a word and a URL never breaks into words. Indonesian
words are stemmed with PySastrawi (the Nazief-Adriani confix-stripping stemmer with its
Kateglo root-word dictionary); the stemmer is built once per process and each distinct word
is stemmed once (:func:`stem_word` is cached), because Sastrawi is slow per call.

Stopwords
    Indonesian: Sastrawi's list (``StopWordRemoverFactory().get_stop_words()``, 809 words)
    plus :data:`INFORMAL_STOPWORDS`, the chat spellings of words on that list (``yg`` for
    ``yang``), which Sastrawi does not hold. English: scikit-learn's ``ENGLISH_STOP_WORDS``
    (318 words, the Glasgow Information Retrieval Group list). Both languages:
    :data:`PLATFORM_STOPWORDS` (``rt``, and ``amp`` from the ``&amp;`` that X exports carry).

Texts are data: nothing here escapes, unescapes or evaluates them. ``<script>`` in a comment
yields the words ``script`` and nothing else happens to it; the reports escape what they show.
The one regular expression applied to texts is :data:`TOKEN`, fixed in this module: no
alternative holds a nested quantifier, and the email one, which is tried at every word
character, is bounded in length, so a crafted text of any length is split in linear time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

LANGS = ("id", "en")
#: Chat spellings of Indonesian stopwords (Sastrawi lists the full forms only).
INFORMAL_STOPWORDS = frozenset(
    {"yg", "dgn", "dg", "utk", "tdk", "gak", "ga", "gk", "nggak", "ngga", "aja", "sdh", "udh"}
    | {"udah", "dr", "krn", "kpd", "pd", "jg", "tsb", "dll", "dsb", "sy", "sm", "bgt", "kak"}
    | {"min"}
)
#: Platform artefacts: ``rt`` marks a retweet, ``amp`` is left by X's ``&amp;``.
PLATFORM_STOPWORDS = frozenset({"rt", "amp"})
#: Words, hashtags, mentions, URLs and emails; a hashtag or mention must not follow a word
#: character (so ``C#`` and ``humas@kominfo.go.id`` are not one).
TOKEN = re.compile(
    r"(?P<url>(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]])"
    r"|(?P<email>[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8})"
    r"|(?<![\w@#])#(?P<hashtag>[^\W_][\w]*)"
    r"|(?<![\w@#])@(?P<mention>\w{1,50})"
    r"|(?P<word>(?:[^\W\d_]\.){2,}|[^\W_]+(?:[-'\u2019][^\W_]+)*)"
)
#: Words Sastrawi can stem: its text normalizer keeps only these characters.
_STEMMABLE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Tokens:
    """The parts of one text, in order of appearance, lower-cased.

    Attributes
    ----------
    words : tuple of str
        Words (letters and digits, inner hyphens and apostrophes kept: ``buku-buku``,
        ``let's``), and abbreviations of single letters with dots (``u.s.``, ``a.n.``).
    hashtags : tuple of str
        Hashtag bodies without ``#`` (``#ZonaIntegritas`` -> ``zonaintegritas``).
    mentions : tuple of str
        Handles without ``@``.
    urls : tuple of str
        Links as written (case kept).
    """

    words: tuple[str, ...]
    hashtags: tuple[str, ...]
    mentions: tuple[str, ...]
    urls: tuple[str, ...]


def tokenize(text: object) -> Tokens:
    """Split one text into words, hashtags, mentions and URLs (emails are left out).

    Parameters
    ----------
    text : str or missing
        A post or comment; None, NaN or ``pd.NA`` is an empty text.

    Returns
    -------
    Tokens

    Examples
    --------
    >>> t = tokenize("Layanan KTP buka! #PelayananPrima @KominfoPemalang https://x.id/a.")
    >>> t.words, t.hashtags, t.mentions, t.urls
    (('layanan', 'ktp', 'buka'), ('pelayananprima',), ('kominfopemalang',), ('https://x.id/a',))
    """
    parts: dict[str, list[str]] = {"word": [], "hashtag": [], "mention": [], "url": []}
    if not _is_missing(text):
        for match in TOKEN.finditer(str(text)):
            kind = match.lastgroup
            if kind == "email":
                continue
            value = match.group(kind)
            parts[kind].append(value if kind == "url" else value.casefold())
    return Tokens(
        tuple(parts["word"]), tuple(parts["hashtag"]), tuple(parts["mention"]), tuple(parts["url"])
    )


@functools.cache
def _stemmer():
    """Sastrawi's default stemmer (full root-word dictionary), built once per process."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@functools.lru_cache(maxsize=500_000)
def stem_word(word: str) -> str:
    """The Sastrawi stem of one lower-case Indonesian word (cached per distinct word).

    Words with characters other than ASCII letters, digits and inner hyphens are returned
    unchanged: Sastrawi's normalizer would split or drop them.

    Examples
    --------
    >>> stem_word("pelayanan"), stem_word("mengumumkan"), stem_word("buku-buku")
    ('layan', 'umum', 'buku')
    """
    if not _STEMMABLE.match(word):
        return word
    return _stemmer().stem(word)


def stem_words(words: Iterable[str]) -> list[str]:
    """:func:`stem_word` of each word, in order."""
    return [stem_word(word) for word in words]


@functools.cache
def stopwords(lang: str | tuple[str, ...] = "id") -> frozenset[str]:
    """Stopwords of one language (``"id"``, ``"en"``) or of several (a tuple).

    Returns
    -------
    frozenset of str
        Lower-case words; see the module docstring for the sources.
    """
    langs = (lang,) if isinstance(lang, str) else tuple(lang)
    words = set(PLATFORM_STOPWORDS)
    for one in langs:
        check_lang(one)
        if one == "id":
            from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

            words |= set(StopWordRemoverFactory().get_stop_words()) | INFORMAL_STOPWORDS
        else:
            words |= set(ENGLISH_STOP_WORDS)
    return frozenset(words)


def content_words(
    text: object, lang: str | tuple[str, ...] = "id", *, stem: bool = False
) -> list[str]:
    """The words of a text without stopwords and numbers, optionally stemmed.

    Parameters
    ----------
    text : str or missing
    lang : str or tuple of str
        Stopword languages (``"id"``, ``"en"`` or ``("id", "en")``).
    stem : bool
        Replace each word by its Sastrawi stem (after the stopwords are removed).

    Returns
    -------
    list of str
    """
    stop = stopwords(lang)
    words = [w for w in tokenize(text).words if w not in stop and not w.isdigit()]
    return stem_words(words) if stem else words


def check_lang(lang: str) -> str:
    """``lang`` when it is ``"id"`` or ``"en"``, else ValueError naming both."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'id' (Indonesian) or 'en' (English)")
    return lang


def as_text_series(texts) -> pd.Series:
    """``texts`` (a Series, list or other iterable of str) as a Series keeping its index."""
    if isinstance(texts, pd.Series):
        return texts
    if isinstance(texts, str):
        raise TypeError("texts must be a list or Series of texts, not a single str")
    return pd.Series(list(texts), dtype="object")


def _is_missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))

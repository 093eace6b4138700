"""Counts of a corpus: words and n-grams, hashtags, mentions, categories and their co-occurrence.

The counting is what NVivo's Word Frequency query and code co-occurrence matrix report, on
tidy tables. Words are those of :func:`analysis.content.text.content_words` (stopwords and
numbers removed; hashtags, mentions, URLs and emails are not words); n-grams are formed from
them after the stopwords are removed, as scikit-learn's ``CountVectorizer`` forms them, within
one text. Ties are ordered by the term, so tables are reproducible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from analysis.content.codebook import Codebook
from analysis.content.network import resolve_handles
from analysis.content.text import as_text_series, content_words, tokenize

#: Columns of :func:`term_frequencies`, :func:`hashtag_counts` and :func:`mention_counts`.
COUNT_COLUMNS = ("term", "count", "documents", "share")
#: Columns of :func:`category_counts`.
CATEGORY_COLUMNS = ("category", "label", "n", "share")
#: Columns of :func:`category_cooccurrence`.
COOCCURRENCE_COLUMNS = ("category_a", "category_b", "n", "share_of_a", "jaccard")


def term_frequencies(
    texts,
    n: int = 1,
    lang: str | tuple[str, ...] = "id",
    *,
    stem: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """Most frequent words (n = 1), bigrams (2) or trigrams (3) of a corpus.

    Parameters
    ----------
    texts : Series or list of str
    n : int
        Words per term, 1 to 3.
    lang : str or tuple of str
        Stopword languages: ``"id"``, ``"en"`` or ``("id", "en")`` for mixed corpora.
    stem : bool
        Count Sastrawi stems (``layanan``, ``pelayanan`` and ``melayani`` as ``layan``), as
        NVivo's "with stemmed words" grouping does.
    top : int, optional
        Keep the ``top`` most frequent terms.

    Returns
    -------
    pandas.DataFrame
        One row per term, most frequent first (ties by term):

        term : str
            The word, or the n words joined by one space.
        count : int
            Occurrences in the corpus.
        documents : int
            Texts in which the term occurs.
        share : float
            ``count`` over all n-gram occurrences of the corpus.
    """
    if n not in (1, 2, 3):
        raise ValueError(f"n must be 1, 2 or 3 (words per term); got {n!r}")
    counts: Counter = Counter()
    documents: Counter = Counter()
    for text in as_text_series(texts):
        words = content_words(text, lang, stem=stem)
        grams = [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
        counts.update(grams)
        documents.update(set(grams))
    return _count_table(counts, documents, top)


def hashtag_counts(texts, *, top: int | None = None) -> pd.DataFrame:
    """Hashtags of a corpus, case folded (``#ZonaIntegritas`` = ``#zonaintegritas``).

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`; ``term`` is the hashtag with its ``#``, ``share`` its part of
        all hashtag occurrences.
    """
    counts: Counter = Counter()
    documents: Counter = Counter()
    for text in as_text_series(texts):
        tags = ["#" + tag for tag in tokenize(text).hashtags]
        counts.update(tags)
        documents.update(set(tags))
    return _count_table(counts, documents, top)


def mention_counts(
    texts,
    *,
    agency_handles: Iterable[str] = (),
    pseudonymize: Callable[[str], str] | None = None,
    salt: str | bytes | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Accounts mentioned in a corpus; handles of other accounts than agencies pseudonymized.

    Parameters
    ----------
    texts : Series or list of str
    agency_handles : iterable of str
        Handles of agencies (with or without ``@``, any case): they are shown as written
        lower-case; every other handle becomes a pseudonym.
    pseudonymize, salt
        How other handles become pseudonyms (see
        :func:`analysis.content.network.resolve_handles`); one is needed when a text
        mentions an account that is not an agency's.
    top : int, optional

    Returns
    -------
    pandas.DataFrame
        :data:`COUNT_COLUMNS`; ``term`` is ``@handle`` for an agency, ``user-<pseudonym>``
        otherwise.

    Raises
    ------
    InputError
        When other accounts are mentioned and neither ``pseudonymize`` nor ``salt`` is given.
    """
    per_text = [tokenize(text).mentions for text in as_text_series(texts)]
    names = resolve_handles(
        {h for handles in per_text for h in handles},
        agency_handles=agency_handles,
        pseudonymize=pseudonymize,
        salt=salt,
    )
    counts: Counter = Counter()
    documents: Counter = Counter()
    for handles in per_text:
        keys = [names[h] for h in handles]
        counts.update(keys)
        documents.update(set(keys))
    return _count_table(counts, documents, top)


def category_counts(coded: pd.DataFrame, codebook: Codebook, lang: str = "id") -> pd.DataFrame:
    """Texts coded with each category.

    Parameters
    ----------
    coded : DataFrame
        0/1 category columns, e.g. :func:`analysis.content.coding.code_texts` output.
    codebook : Codebook
    lang : {"id", "en"}
        Language of the labels.

    Returns
    -------
    pandas.DataFrame
        One row per category, in codebook order:

        category : str
        label : str
        n : int
            Texts coded with the category.
        share : float
            ``n`` over all texts (a text may count in several categories); NaN for no texts.
    """
    matrix = _code_matrix(coded, codebook.ids)
    total = matrix.shape[0]
    labels = codebook.labels(lang)
    rows = [
        {
            "category": category,
            "label": labels[category],
            "n": int(matrix[:, j].sum()),
            "share": matrix[:, j].sum() / total if total else float("nan"),
        }
        for j, category in enumerate(codebook.ids)
    ]
    return pd.DataFrame(rows, columns=list(CATEGORY_COLUMNS))


def category_cooccurrence(coded: pd.DataFrame, categories: Sequence[str]) -> pd.DataFrame:
    """How often two categories code the same text (the code co-occurrence matrix, tidy).

    Parameters
    ----------
    coded : DataFrame
        0/1 category columns.
    categories : sequence of str
        The category columns, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        One row per ordered pair of categories (k x k rows, the diagonal included);
        ``.pivot(index="category_a", columns="category_b", values="n")`` gives the matrix:

        category_a, category_b : str
        n : int
            Texts coded with both (on the diagonal: texts coded with the category).
        share_of_a : float
            ``n`` over the texts coded with ``category_a`` (the share of a's texts that are
            also b's); NaN when a codes no text.
        jaccard : float
            ``n / (n_a + n_b - n)``, symmetric; NaN when neither codes a text.
    """
    matrix = _code_matrix(coded, categories).astype(np.int64)
    both = matrix.T @ matrix
    totals = np.diag(both)
    rows = []
    for i, a in enumerate(categories):
        for j, b in enumerate(categories):
            union = totals[i] + totals[j] - both[i, j]
            rows.append(
                {
                    "category_a": a,
                    "category_b": b,
                    "n": int(both[i, j]),
                    "share_of_a": both[i, j] / totals[i] if totals[i] else float("nan"),
                    "jaccard": both[i, j] / union if union else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=list(COOCCURRENCE_COLUMNS))


def _code_matrix(coded: pd.DataFrame, categories: Sequence[str]) -> np.ndarray:
    """The 0/1 category columns as an integer matrix, with a clear error for bad columns."""
    missing = [c for c in categories if c not in coded.columns]
    if missing:
        raise ValueError(f"coded texts lack the category columns {missing}")
    values = coded[list(categories)].to_numpy(dtype="float64", na_value=np.nan)
    if not np.isin(values, (0, 1)).all():
        raise ValueError("category columns must hold 0 or 1 in every row (no missing codes)")
    return values.astype(np.int64)


def _count_table(counts: Counter, documents: Counter, top: int | None) -> pd.DataFrame:
    total = sum(counts.values())
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if top is not None:
        rows = rows[:top]
    return pd.DataFrame(
        {
            "term": pd.array([term for term, _ in rows], dtype="string"),
            "count": np.array([count for _, count in rows], dtype=np.int64),
            "documents": np.array([documents[term] for term, _ in rows], dtype=np.int64),
            "share": np.array([count / total for _, count in rows], dtype="float64"),
        },
        columns=list(COUNT_COLUMNS),
    )

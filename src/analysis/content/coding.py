"""Auto-coding of posts and comments with a codebook, and its agreement with human codes.

:func:`code_texts` gives every text a 0/1 per category (a text may get several, or none) and
the terms that matched, so a coder can see why. The rule is a transparent first pass in the
manner of NVivo's text-search auto-coding: a keyword or pattern of the category occurs in the
text. It is written here because no maintained Python package codes Indonesian text with a
user's keyword codebook; the stemming and stopwords come from PySastrawi and scikit-learn
(:mod:`analysis.content.text`).

How keywords match (see also :mod:`analysis.content.codebook`)
    The text is tokenized (:func:`analysis.content.text.tokenize`); with ``lang="id"`` each
    distinct word is stemmed once with Sastrawi. An Indonesian keyword matches when its stems
    occur as consecutive stems of the text; an English keyword when its words occur as
    consecutive words (case aside). ``word*`` matches any word starting with ``word`` and
    ``=word`` the word itself. A hashtag matches a keyword written without its spaces and
    hyphens (``#ZonaIntegritas`` matches ``zona integritas``; ``#AntiKorupsi2024`` matches
    ``antikorupsi*`` but not ``antikorupsi``), and a one-word Indonesian keyword also matches
    a hashtag with its stem (``#Pelayanan`` matches ``layanan``). With ``lang="en"`` nothing
    is stemmed and Indonesian keywords match as written too. Stopwords are not removed before
    coding, so a keyword may contain them.
How patterns match
    Each pattern runs case-insensitively on the whole text through RE2 (``pyarrow.compute``),
    in time linear in the text. The matched text, lower-cased, is reported as the term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.content.codebook import Codebook
from analysis.content.text import as_text_series, check_lang, stem_word, tokenize

#: Suffix of the column that lists a category's matched terms.
TERMS_SUFFIX = "__terms"
#: Separator of the terms in a ``<id>__terms`` cell.
TERMS_SEPARATOR = "; "
#: Columns of :func:`coding_accuracy`, in order.
ACCURACY_COLUMNS = ("category", "n", "tp", "fp", "fn", "tn", "precision", "recall", "f1")
#: The ``category`` of the pooled row of :func:`coding_accuracy`.
MICRO = "(micro average)"


@dataclass(frozen=True)
class _Rule:
    """One keyword, compiled: per word a (kind, value) with kind stem, word or prefix."""

    category: str
    keyword: str
    words: tuple[tuple[str, str], ...]
    hashtag: str
    hashtag_prefix: bool


def code_texts(texts, codebook: Codebook, lang: str = "id") -> pd.DataFrame:
    """Code each text with every category of the codebook (multi-label, 0/1).

    Parameters
    ----------
    texts : Series or list of str
        Posts or comments; missing texts get 0 everywhere. A Series keeps its index.
    codebook : Codebook
        From :func:`analysis.content.codebook.load_codebook`.
    lang : {"id", "en"}
        ``"id"``: Indonesian keywords match by Sastrawi stem (for Indonesian or mixed
        corpora). ``"en"``: no stemming (for English corpora).

    Returns
    -------
    pandas.DataFrame
        One row per text, on the index of ``texts``; first one column per category, then one
        terms column per category:

        <category id> : int8
            1 when a keyword or pattern of the category occurs in the text, else 0.
        <category id>__terms : string
            The keywords (as written in the codebook) and pattern matches (as found in the
            text, lower-cased) that occur, in order of first occurrence, joined by ``"; "``;
            empty when the category was not coded.

    Examples
    --------
    >>> from analysis.content.codebook import load_codebook
    >>> coded = code_texts(["Tolak gratifikasi! #ZonaIntegritas"], load_codebook())
    >>> coded.loc[0, "integrity"], coded.loc[0, "integrity__terms"]
    (np.int8(1), 'gratifikasi; zona integritas')
    """
    check_lang(lang)
    series = as_text_series(texts)
    rules = _compile_rules(codebook, lang)
    by_first = _index_rules(rules)
    found: dict[str, list[list[str]]] = {c: [[] for _ in range(len(series))] for c in codebook.ids}
    for row, text in enumerate(series):
        tokens = tokenize(text)
        stem = stem_word if lang == "id" else str
        stems = [stem(w) for w in tokens.words]
        tags = [(tag, stem(tag)) for tag in tokens.hashtags]
        for rule in _matching_rules(tokens.words, stems, tags, rules, by_first):
            found[rule.category][row].append(rule.keyword)
    for category in codebook.categories:
        for pattern in category.patterns:
            for row, term in _pattern_matches(series, pattern):
                found[category.id][row].append(term)
    codes = {c: np.array([bool(t) for t in found[c]], dtype="int8") for c in codebook.ids}
    terms = {
        c + TERMS_SUFFIX: pd.array(
            [TERMS_SEPARATOR.join(dict.fromkeys(t)) for t in found[c]], dtype="string"
        )
        for c in codebook.ids
    }
    return pd.DataFrame(codes | terms, index=series.index)


def coding_accuracy(predicted: pd.DataFrame, truth: pd.DataFrame, categories) -> pd.DataFrame:
    """Precision, recall and F1 of 0/1 codes (e.g. auto-codes) against reference codes.

    Parameters
    ----------
    predicted, truth : DataFrame
        0/1 columns named by the categories, on the same index (e.g. :func:`code_texts` output
        and a human coder's codes).
    categories : sequence of str
        Category columns to compare.

    Returns
    -------
    pandas.DataFrame
        One row per category, then a pooled row with category ``"(micro average)"`` (the
        counts summed over categories):

        category : str
        n : int
            Texts compared.
        tp, fp, fn, tn : int
            Coded by both; by ``predicted`` only; by ``truth`` only; by neither.
        precision : float
            ``tp / (tp + fp)``; NaN when ``predicted`` never codes the category.
        recall : float
            ``tp / (tp + fn)``; NaN when ``truth`` never codes it.
        f1 : float
            Harmonic mean of precision and recall; NaN when either is NaN or both are 0.

    Raises
    ------
    ValueError
        When the indexes differ or a category column is missing.
    """
    if not predicted.index.equals(truth.index):
        raise ValueError("predicted and truth codes must be on the same index (the same texts)")
    rows = []
    for category in categories:
        for frame, name in ((predicted, "predicted"), (truth, "truth")):
            if category not in frame.columns:
                raise ValueError(f"{name} codes lack the category column {category!r}")
        rows.append(_confusion(category, predicted[category], truth[category]))
    pooled = {k: sum(r[k] for r in rows) for k in ("n", "tp", "fp", "fn", "tn")}
    rows.append(_scores({"category": MICRO, **pooled}))
    return pd.DataFrame(rows, columns=list(ACCURACY_COLUMNS))


def _confusion(category: str, predicted: pd.Series, truth: pd.Series) -> dict:
    p = predicted.astype(bool).to_numpy()
    t = truth.astype(bool).to_numpy()
    counts = {
        "category": category,
        "n": len(p),
        "tp": int((p & t).sum()),
        "fp": int((p & ~t).sum()),
        "fn": int((~p & t).sum()),
        "tn": int((~p & ~t).sum()),
    }
    return _scores(counts)


def _scores(counts: dict) -> dict:
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision + recall > 0  # NaN > 0 is False
        else float("nan")
    )
    return counts | {"precision": precision, "recall": recall, "f1": f1}


def _compile_rules(codebook: Codebook, lang: str) -> list[_Rule]:
    """Every keyword of the codebook as a :class:`_Rule`."""
    rules = []
    for category in codebook.categories:
        for keyword_lang, keywords in (("id", category.keywords.id), ("en", category.keywords.en)):
            stemmed = keyword_lang == "id" and lang == "id"
            for keyword in keywords:
                rules.append(_compile_keyword(category.id, keyword, stemmed))
    return rules


def _compile_keyword(category: str, keyword: str, stemmed: bool) -> _Rule:
    words = []
    for raw in keyword.casefold().split():
        if raw.startswith("="):
            words.append(("word", raw[1:]))
        elif raw.endswith("*"):
            words.append(("prefix", raw[:-1]))
        else:
            words.append(("stem", stem_word(raw)) if stemmed else ("word", raw))
    bare = "".join(ch for ch in keyword.casefold() if ch.isalnum())
    return _Rule(category, keyword, tuple(words), bare, keyword.endswith("*"))


def _index_rules(rules: list[_Rule]) -> dict[str, dict[str, list[_Rule]]]:
    """Rules by the kind and value of their first word (prefix rules stay in a list)."""
    index: dict[str, dict] = {"stem": {}, "word": {}, "prefix": {}}
    for rule in rules:
        kind, value = rule.words[0]
        index[kind].setdefault(value, []).append(rule)
    return index


def _matching_rules(words, stems, hashtags, rules, by_first):
    """The rules that match the text, each once, in order of first occurrence.

    ``hashtags`` holds (hashtag, its stem) pairs.
    """
    matched: dict[int, _Rule] = {}
    for position, (word, stem) in enumerate(zip(words, stems, strict=True)):
        candidates = by_first["stem"].get(stem, []) + by_first["word"].get(word, [])
        candidates += [
            rule
            for prefix, group in by_first["prefix"].items()
            if word.startswith(prefix)
            for rule in group
        ]
        for rule in candidates:
            if id(rule) not in matched and _matches_at(rule, words, stems, position):
                matched[id(rule)] = rule
    for tag, tag_stem in hashtags:
        for rule in rules:
            hit = tag.startswith(rule.hashtag) if rule.hashtag_prefix else tag == rule.hashtag
            hit = hit or rule.words == (("stem", tag_stem),)
            if hit and id(rule) not in matched:
                matched[id(rule)] = rule
    return matched.values()


def _matches_at(rule: _Rule, words, stems, start: int) -> bool:
    if start + len(rule.words) > len(words):
        return False
    for offset, (kind, value) in enumerate(rule.words):
        word, stem = words[start + offset], stems[start + offset]
        if kind == "stem" and stem != value:
            return False
        if kind == "word" and word != value:
            return False
        if kind == "prefix" and not word.startswith(value):
            return False
    return True


def _pattern_matches(series: pd.Series, pattern: str):
    """(row position, matched text) of the leftmost match of ``pattern`` in each text (RE2).

    Arrow's ``extract_regex`` needs every group named, so the matched text is cut out by a
    replacement instead: the text becomes its first match (group 1 of the wrapper).
    """
    array = pa.array(series.astype("string").fillna("").tolist(), pa.string())
    hit = pc.match_substring_regex(array, pattern, ignore_case=True)
    rows = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
    if not len(rows):
        return []
    wrapped = f"(?i)^(?s:.*?)({pattern})(?s:.*)$"
    found = pc.replace_substring_regex(array.take(rows), wrapped, r"\1", max_replacements=1)
    return [(int(row), term.casefold()) for row, term in zip(rows, found.to_pylist(), strict=True)]

"""Content analysis of posts and comments: codebook, auto-coding, frequencies, networks.

The NVivo workflow of the seed studies (capture, coding, word frequency, sociogram) from
exports, in Python: a bilingual codebook (:mod:`~analysis.content.codebook`), Indonesian and
English tokens, stems and stopwords (:mod:`~analysis.content.text`), auto-coding
(:mod:`~analysis.content.coding`), word, n-gram, hashtag, mention and category co-occurrence
counts (:mod:`~analysis.content.frequencies`) and the mention/reply network with centralities
(:mod:`~analysis.content.network`). ``docs/codebook.md`` documents the codebook.
"""

from analysis.content.codebook import Category, Codebook, Keywords, load_codebook
from analysis.content.coding import code_texts, coding_accuracy
from analysis.content.frequencies import (
    category_cooccurrence,
    category_counts,
    hashtag_counts,
    mention_counts,
    term_frequencies,
)
from analysis.content.network import MentionNetwork, centrality_table, mention_network
from analysis.content.text import content_words, stem_word, stopwords, tokenize

__all__ = [
    "Category",
    "Codebook",
    "Keywords",
    "MentionNetwork",
    "category_cooccurrence",
    "category_counts",
    "centrality_table",
    "code_texts",
    "coding_accuracy",
    "content_words",
    "hashtag_counts",
    "load_codebook",
    "mention_counts",
    "mention_network",
    "stem_word",
    "stopwords",
    "term_frequencies",
    "tokenize",
]

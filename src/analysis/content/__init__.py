"""Content analysis of posts and comments: codebook, auto-coding, frequencies, networks.

The NVivo workflow of the seed studies (capture, coding, word frequency, sociogram) from
exports, in Python: a bilingual codebook (:mod:`~analysis.content.codebook`), Indonesian and
English tokens, stems and stopwords (:mod:`~analysis.content.text`), auto-coding
(:mod:`~analysis.content.coding`), word, n-gram, hashtag, mention and category co-occurrence
counts (:mod:`~analysis.content.frequencies`), the mention/reply network with centralities
(:mod:`~analysis.content.network`) and the coding sheets of human coders
(:mod:`~analysis.content.human_coding`). ``docs/codebook.md`` documents the codebook.
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
from analysis.content.human_coding import (
    CoderPair,
    coder_pairs,
    export_coding_sample,
    import_codes,
    reliability_data,
)
from analysis.content.network import MentionNetwork, centrality_table, mention_network
from analysis.content.text import content_words, stem_word, stopwords, tokenize

__all__ = [
    "Category",
    "Codebook",
    "CoderPair",
    "Keywords",
    "MentionNetwork",
    "category_cooccurrence",
    "category_counts",
    "centrality_table",
    "code_texts",
    "coder_pairs",
    "coding_accuracy",
    "content_words",
    "export_coding_sample",
    "hashtag_counts",
    "import_codes",
    "load_codebook",
    "mention_counts",
    "mention_network",
    "reliability_data",
    "stem_word",
    "stopwords",
    "term_frequencies",
    "tokenize",
]

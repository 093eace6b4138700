"""Report texts in Bahasa Indonesia (``id``) and English (``en``), and number formatting.

Texts live in ``analysis/reporting/locales/<lang>.yml``; keys are dotted paths
(``sections.sample``).
Indonesian numbers use a decimal comma and a thousands point (``1.234,56``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import pandas as pd
import yaml

LANGUAGES = ("id", "en")


@cache
def texts(lang: str) -> dict:
    """All texts of one language."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; use one of {', '.join(LANGUAGES)}")
    source = files("analysis.reporting").joinpath(f"locales/{lang}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(source)


def t(lang: str, key: str, **values) -> str:
    """The text at dotted ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    node = texts(lang)
    for part in key.split("."):
        node = node[part]
    return str(node).format(**values) if values else str(node)


def number(value, lang: str, digits: int = 2) -> str:
    """Format a number for ``lang``: ``1.234,56`` (id) or ``1,234.56`` (en); NA -> ``–``.

    A value that rounds to zero is shown without a minus sign (``0,00``, never ``-0,00``).
    """
    if value is None or value is pd.NA or value != value:
        return "–"
    text = f"{value:,.{digits}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def p_value(value: float, lang: str, alpha: float | None = None) -> str:
    """A p-value with its relation sign: ``< 0,001`` / ``= 0,023`` (id), ``< .001`` (en, APA).

    Three decimals, or four when three would hide which side of ``alpha`` the value is on
    (p = 0.0496 at alpha 0.05 shows as ``= .0496``, not ``= .050``).
    """
    relation, shown = ("<", 0.001) if value < 0.001 else ("=", value)
    digits = 3
    rounded = round(value, 3)
    if (
        alpha is not None
        and relation == "="
        and (rounded == alpha or (rounded < alpha) != (value < alpha))
    ):
        digits = 4
    text = number(shown, lang, digits)
    if lang == "en":
        text = text.replace("0.", ".", 1)
    return f"{relation}\u00a0{text}"  # no-break space: "<" and the number stay together


def ci_level(alpha: float, lang: str) -> str:
    """The confidence level that goes with ``alpha``, as a percentage: ``95``, ``90``, ``99,5``."""
    return significance(100 * (1 - alpha), lang)


def significance(value: float, lang: str) -> str:
    """A level such as alpha with as many decimals as it has (0.005 stays ``0,005``)."""
    text = f"{round(value, 10):g}"
    return text.replace(".", ",") if lang == "id" else text

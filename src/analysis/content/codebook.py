"""The content codebook: categories with bilingual labels, keywords and RE2 patterns.

A codebook is a YAML mapping (a study config's ``codebook:`` key, or a file of its own) read
into strict models: a key that is not known is an error, so a typo never silently drops a
category. ``docs/codebook.md`` describes the format with an example;
``default_codebook.yml`` beside this module is a codebook for government social media.

Keywords
    Words or phrases (at most :data:`MAX_KEYWORD_WORDS` words) of letters, digits, hyphens and
    apostrophes. Indonesian keywords (``keywords.id``) match by their Sastrawi stem, so
    ``pelayanan`` also finds ``layanan`` and ``melayani``; English keywords (``keywords.en``)
    match the word as written, case aside. A word ending in ``*`` matches any word that starts
    with it (``complain*``: complaint, complaints, complained); a word starting with ``=``
    matches only itself, never stemmed (``=umum``). A keyword is plain data, never a pattern.
Patterns
    Regular expressions for what keywords cannot say (``\\bzi[\\s-]*wbk\\b`` for ZI-WBK, ZI WBK
    and ZIWBK). They run on the RE2 engine of Apache Arrow (``pyarrow.compute``), whose time is
    linear in the text: RE2 has no backtracking, so a pattern such as ``(a+)+$`` cannot hang on
    a crafted comment, and it refuses backreferences and look-arounds, which need backtracking.
    Each pattern is compiled when the codebook is loaded, may be at most
    :data:`MAX_PATTERN_LENGTH` characters and must not match an empty text (a pattern that
    does, such as ``a*``, would code every text). Only codebook patterns are ever compiled:
    texts from the public are data, never patterns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pydantic import AfterValidator, Field, ValidationError, field_validator, model_validator

from analysis.config.base import Localized, Strict
from analysis.errors import ConfigError, did_you_mean

#: Category ids become column names: lower-case words joined by single underscores.
CATEGORY_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_CATEGORY_ID_LENGTH = 32
#: Longest pattern accepted, in characters.
MAX_PATTERN_LENGTH = 200
#: Most words in one keyword.
MAX_KEYWORD_WORDS = 5
#: One keyword word: letters and digits, inner hyphens or apostrophes, an optional leading
#: ``=`` (exact) or trailing ``*`` (prefix).
KEYWORD_WORD = re.compile(r"^=?[^\W_]+(?:[-'\u2019][^\W_]+)*\*?$")
#: Largest codebook file read, in bytes.
MAX_CODEBOOK_BYTES = 1_000_000
DEFAULT_CODEBOOK = "default_codebook.yml"


def _category_id(value: str) -> str:
    if len(value) > MAX_CATEGORY_ID_LENGTH or not CATEGORY_ID.match(value):
        raise ValueError(
            f"category id {value!r} is not allowed: use lower-case letters and digits in words "
            f"joined by single underscores, starting with a letter (at most "
            f"{MAX_CATEGORY_ID_LENGTH}), e.g. service_info"
        )
    return value


def _keyword(value: str) -> str:
    words = value.split()
    if not words:
        raise ValueError("a keyword is empty")
    if len(words) > MAX_KEYWORD_WORDS:
        raise ValueError(f"keyword {value!r} has more than {MAX_KEYWORD_WORDS} words")
    for word in words:
        if not KEYWORD_WORD.match(word) or (word.startswith("=") and word.endswith("*")):
            raise ValueError(
                f"keyword {value!r}: {word!r} is not a keyword word; use letters, digits, "
                "inner hyphens or apostrophes, with an optional leading = (exact word) or "
                "trailing * (any ending), not both; put anything else in patterns"
            )
    return " ".join(words)


def _pattern(value: str) -> str:
    if len(value) > MAX_PATTERN_LENGTH:
        raise ValueError(
            f"pattern {value[:40]!r}... is {len(value)} characters long; at most "
            f"{MAX_PATTERN_LENGTH} are allowed"
        )
    try:
        empty_matches = pc.match_substring_regex(pa.array([""], pa.string()), value)[0].as_py()
    except pa.ArrowInvalid as error:
        reason = str(error).removeprefix("Invalid regular expression: ")
        raise ValueError(
            f"pattern {value!r} is not a valid RE2 regular expression ({reason}); "
            "backreferences and look-arounds are not supported"
        ) from None
    if empty_matches:
        raise ValueError(f"pattern {value!r} matches an empty text, so it would code every text")
    return value


CategoryId = Annotated[str, AfterValidator(_category_id)]
Keyword = Annotated[str, AfterValidator(_keyword)]
Pattern = Annotated[str, AfterValidator(_pattern)]


class Keywords(Strict):
    """Keywords of one category: Indonesian (matched by stem) and English (matched as written)."""

    id: list[Keyword] = Field(default_factory=list)
    en: list[Keyword] = Field(default_factory=list)


class Category(Strict):
    """One code of the codebook.

    Attributes
    ----------
    id : str
        Column name of the category (``service_info``).
    label : Localized
        ``{id: ..., en: ...}``: what reports and coders see.
    description : Localized, optional
        What the category covers, for human coders (written into the coding sheet).
    keywords : Keywords
    patterns : list of str
        RE2 regular expressions, matched case-insensitively.
    """

    id: CategoryId
    label: Localized
    description: Localized | None = None
    keywords: Keywords = Field(default_factory=Keywords)
    patterns: list[Pattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_a_rule(self) -> Category:
        if not (self.keywords.id or self.keywords.en or self.patterns):
            raise ValueError(f"category {self.id!r} has no keywords and no patterns")
        return self


class Codebook(Strict):
    """Categories for auto-coding and human coding; see the module docstring for the rules."""

    categories: list[Category] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _unique_ids(cls, categories: list[Category]) -> list[Category]:
        seen: set[str] = set()
        for category in categories:
            if category.id in seen:
                raise ValueError(f"category id {category.id!r} is used twice")
            seen.add(category.id)
        return categories

    @property
    def ids(self) -> list[str]:
        """Category ids in codebook order."""
        return [category.id for category in self.categories]

    def labels(self, lang: str) -> dict[str, str]:
        """Category id -> label in ``lang`` (``id`` or ``en``)."""
        return {category.id: category.label.get(lang) for category in self.categories}


def load_codebook(source: Mapping | str | Path | None = None) -> Codebook:
    """Read and validate a codebook.

    Parameters
    ----------
    source : mapping, str or Path, optional
        The parsed YAML mapping (e.g. a study config's ``codebook:`` value), or the path of a
        YAML file holding it; None loads the default codebook for government social media.

    Returns
    -------
    Codebook

    Raises
    ------
    ConfigError
        Naming the file (when read from one) and the key path of every problem, e.g.
        ``codebook.categories[2].patterns[0]: pattern '(a)\\1' is not a valid RE2 ...``.
    """
    path = None
    if source is None:
        text = files("analysis.content").joinpath(DEFAULT_CODEBOOK).read_text(encoding="utf-8")
        source = yaml.safe_load(text)
    elif isinstance(source, str | Path):
        path = Path(source)
        source = _read_yaml(path)
    if not isinstance(source, Mapping):
        raise ConfigError(
            f"codebook must be a mapping with a categories list; got {type(source).__name__}",
            path=path,
        )
    try:
        return Codebook.model_validate(dict(source))
    except ValidationError as error:
        raise ConfigError(_validation_message(error), path=path) from None


def _read_yaml(path: Path):
    """The parsed YAML file at ``path`` (safe loader), with clear errors for unreadable files."""
    if not path.is_file():
        raise ConfigError("codebook file not found", path=path)
    if path.stat().st_size > MAX_CODEBOOK_BYTES:
        raise ConfigError(f"codebook is larger than {MAX_CODEBOOK_BYTES:,} bytes", path=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("codebook is not UTF-8 text", path=path) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ConfigError(f"codebook is not valid YAML ({error})", path=path, row=row) from None


def _validation_message(error: ValidationError) -> str:
    """One line per problem: the key path under ``codebook`` and what is wrong."""
    lines = []
    for problem in error.errors():
        location = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            known = list(_MODEL_AT[tuple(p for p in problem["loc"][:-1] if isinstance(p, str))])
            hint = did_you_mean(problem["loc"][-1], known)
            message = f"unknown key{f' ({hint})' if hint else ''}; keys allowed here: "
            message += ", ".join(known)
        lines.append(f"codebook{location}: {message}")
    return "invalid codebook:\n  " + "\n  ".join(lines)


#: The keys a codebook mapping may hold at each key path (list positions left out).
_MODEL_AT = {
    (): Codebook.model_fields,
    ("categories",): Category.model_fields,
    ("categories", "keywords"): Keywords.model_fields,
    ("categories", "label"): Localized.model_fields,
    ("categories", "description"): Localized.model_fields,
}

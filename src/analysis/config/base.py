"""Building blocks shared by the config models: strict models, bilingual text, id rules."""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from analysis.errors import did_you_mean

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
#: Ids of variables (construct, item, demographic and multi-select ids) become column names.
VARIABLE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
#: Hypothesis ids such as H1, H2a, H3.1.
HYPOTHESIS_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,31}$")


def _variable_id(value: str) -> str:
    """Check a variable id: a letter, then letters, digits or ``_`` (at most 64)."""
    if not VARIABLE_ID.match(value):
        raise ValueError(
            f"id {value!r} is not allowed: use a letter followed by letters, digits or _ "
            "(at most 64), e.g. trust, smu1 or A1"
        )
    return value


def _hypothesis_id(value: str) -> str:
    """Check a hypothesis id: a letter, then letters, digits, ``_`` or ``.`` (<= 32)."""
    if not HYPOTHESIS_ID.match(value):
        raise ValueError(
            f"id {value!r} is not allowed: use a letter followed by letters, digits, _ or . "
            "(at most 32), e.g. H1 or H2a"
        )
    return value


VariableId = Annotated[str, AfterValidator(_variable_id)]
HypothesisId = Annotated[str, AfterValidator(_hypothesis_id)]
Action = Literal["exclude", "flag", "off"]


def _iana_zone(value: str | None) -> str | None:
    """Check that ``value`` is an IANA time zone name (None passes)."""
    if value is None:
        return value
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(
            f"{value!r} is not an IANA time zone name; use e.g. Asia/Jakarta (WIB), "
            "Asia/Makassar (WITA), Asia/Jayapura (WIT) or UTC"
        ) from None
    return value


def _closest(value: str, known) -> str:
    """:func:`analysis.errors.did_you_mean` as a message suffix `` (did you mean "x"?)``."""
    hint = did_you_mean(value, known)
    return f" ({hint})" if hint else ""


class Strict(BaseModel):
    """Base model: unknown keys are errors (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Localized(Strict):
    """A text in Bahasa Indonesia and English."""

    id: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``id`` or ``en``)."""
        return self.en if lang == "en" else self.id

"""Direct identifiers: find them by column name and by content, drop or pseudonymize them.

Names, emails, phone numbers (Indonesian ``+62``/``62``/``08`` forms), 16-digit NIK and IP
addresses never reach processed data or reports. Pseudonyms are keyed HMAC-SHA256 digests; the
key comes from an environment variable or a file outside the repository, never from the config
or any output.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

import pandas as pd

PATTERNS = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    "phone": r"(?<![\w+])(?:\+62|62|0)[\s-]?8\d{1,3}(?:[\s-]?\d{2,4}){2,3}(?![\w])",
    "nik": r"(?<![\w])\d{16}(?![\w])",
    "ipv4": r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.])",
    "ipv6": r"(?<![:\w])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![:\w])",
}
NAME_HINTS = {
    "name": r"\b(nama|name|full name|nama lengkap|first name|last name)\b",
    "email": r"\b(e-?mail|surel|alamat email)\b",
    "phone": r"\b(hp|telepon|telp|phone|whatsapp|wa|no\.? ?hp|nomor hp|ponsel)\b",
    "nik": r"\b(nik|ktp|nomor induk kependudukan)\b",
    "ip": r"\b(ip ?address|ipaddress|alamat ip)\b",
    "address": r"\b(alamat rumah|alamat lengkap|home address|street)\b",
}
KEY_FILE = Path.home() / ".config" / "analysis" / "pseudonym.key"


def find_identifier_columns(
    frame: pd.DataFrame, configured: list[str] = (), skip_content: set[str] = frozenset()
) -> dict[str, str]:
    """Columns that hold direct identifiers, with the reason each was found.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw answers (strings).
    configured : list of str
        Columns the study config declares as identifiers.
    skip_content : set of str
        Columns whose content need not be scanned (answers coded through a scale, timestamps),
        still checked by name.

    Returns
    -------
    dict
        Column -> reason (``configured``, ``name looks like <kind>``, ``content has <kind>``).
    """
    found = {c: "configured" for c in configured if c in frame.columns}
    for column in frame.columns:
        if column in found or str(column).startswith("_"):
            continue
        header = str(column).casefold()
        for kind, pattern in NAME_HINTS.items():
            if re.search(pattern, header):
                found[column] = f"name looks like {kind}"
                break
        else:
            kinds = [] if column in skip_content else identifier_kinds(frame[column])
            if kinds:
                found[column] = "content has " + ", ".join(kinds)
    return found


def identifier_kinds(values: pd.Series) -> list[str]:
    """Which identifier patterns occur anywhere in ``values`` (vectorised over unique values)."""
    text = pd.Series(values.dropna().astype("string").unique())
    if text.empty:
        return []
    return [
        kind for kind, pattern in PATTERNS.items() if text.str.contains(pattern, regex=True).any()
    ]


def scan_text(text: str) -> list[str]:
    """Identifier kinds found in a text (used to scan every output file in tests)."""
    return [kind for kind, pattern in PATTERNS.items() if re.search(pattern, text)]


def load_key(env_var: str) -> bytes | None:
    """The pseudonym key from ``$env_var``, else ``~/.config/analysis/pseudonym.key``, else None."""
    value = os.environ.get(env_var)
    if value:
        return value.encode("utf-8")
    if KEY_FILE.is_file():
        return KEY_FILE.read_bytes().strip()
    return None


def pseudonymize(values: pd.Series, key: bytes, length: int = 16) -> pd.Series:
    """Keyed pseudonyms: HMAC-SHA256 of each normalized value, hex, ``length`` characters.

    Equal inputs (after case-folding and trimming) give equal pseudonyms, so the same person
    can be linked across files of one study without their identity being stored.
    """
    text = values.astype("string").fillna("").str.strip().str.casefold()
    codes, uniques = pd.factorize(text)
    digests = [
        hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for u in uniques
    ]
    return pd.Series([digests[c] for c in codes], index=values.index, dtype="string")


def row_ids(study_id: str, source_name: str, rows: pd.Index) -> pd.Series:
    """Non-identifying respondent ids derived only from study, file name and row number."""
    return pd.Series(
        [hashlib.sha256(f"{study_id}|{source_name}|{r}".encode()).hexdigest()[:12] for r in rows],
        index=rows,
        dtype="string",
    )

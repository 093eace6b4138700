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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

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
#: What every match of a :data:`PATTERNS` entry contains (RE2 syntax, ``\\p{Nd}`` for
#: Python's Unicode ``\\d``): values without it need no exact scan.
PREFILTER = "|".join(
    (
        PATTERNS["email"],
        r"(?:62|0)[\s\S]?8\p{Nd}",
        r"\p{Nd}{16}",
        r"\p{Nd}\.\p{Nd}{1,3}\.\p{Nd}{1,3}\.\p{Nd}",
        r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]",
    )
)
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
    """Which identifier patterns occur anywhere in ``values``.

    Distinct values are scanned (for a string column, all values: finding the distinct ones
    would cost more than the scan); only those containing :data:`PREFILTER` are checked
    against each pattern.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        text = pd.Series(values.cat.categories[values.cat.categories.notna()], dtype="string")
    elif isinstance(values.dtype, pd.StringDtype):
        text = values.dropna().astype("string")
    else:
        text = pd.Series(values.dropna().astype("string").unique())
    if text.empty:
        return []
    arrow = pa.array(text.array, type=pa.large_string())
    candidates = text[pc.match_substring_regex(arrow, PREFILTER).to_numpy(zero_copy_only=False)]
    return [
        kind
        for kind, pattern in PATTERNS.items()
        if candidates.str.contains(pattern, regex=True).any()
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
    digests = np.array(
        [hmac.new(key, u.encode("utf-8"), hashlib.sha256).hexdigest()[:length] for u in uniques],
        dtype=object,
    )
    return pd.Series(digests[codes], index=values.index, dtype="string")


#: Row numbers are mixed within 48 bits, the 12 hexadecimal digits of a respondent id.
ID_BITS = 48
#: The two hexadecimal digits of each byte value.
HEX_PAIRS = np.frombuffer(b"".join(b"%02x" % b for b in range(256)), dtype=np.uint8)


def row_ids(study_id: str, source_name: str, rows: pd.Index) -> pd.Series:
    """Non-identifying respondent ids derived only from study, file name and row number.

    Each id is 12 hexadecimal digits: the row number put through a bijective mix of 48-bit
    integers keyed by the SHA-256 digest of study and file name. Ids are therefore stable,
    distinct for the rows of one file and unrelated to anything a respondent entered.
    """
    digest = hashlib.sha256(f"{study_id}|{source_name}".encode()).digest()
    mask = np.uint64((1 << ID_BITS) - 1)
    add, xor = (np.uint64(int.from_bytes(digest[k : k + 6], "big")) for k in (0, 6))
    mixed = (np.asarray(rows, dtype=np.uint64) + add) & mask
    for shift, factor in ((24, 0x9E3779B97F4B), (21, 0xC2B2AE3D27D5), (24, 0x165667B19E37)):
        mixed ^= mixed >> np.uint64(shift)
        mixed = (mixed * np.uint64(factor | 1)) & mask
    return pd.Series(_hex(mixed ^ xor, ID_BITS // 8), index=rows)


def _hex(numbers: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray:
    """The last ``width`` bytes of each unsigned 64-bit number in lower-case hexadecimal, as
    a ``string`` array (built from the digits' bytes, without Python strings)."""
    last = numbers.astype(">u8").view(np.uint8).reshape(-1, 8)[:, 8 - width :]
    digits = HEX_PAIRS.view(np.uint16)[last.astype(np.intp)].view(np.uint8).reshape(-1)
    offsets = np.arange(0, 2 * width * len(numbers) + 1, 2 * width, dtype=np.int64)
    strings = pa.LargeStringArray.from_buffers(
        len(numbers), pa.py_buffer(offsets), pa.py_buffer(digits)
    )
    return pd.array(strings, dtype="string")

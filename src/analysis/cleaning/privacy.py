"""Direct identifiers: find them by column name and by content, drop or pseudonymize them.

Names, emails, phone numbers (Indonesian ``+62``/``62``/``08`` forms), 16-digit NIK and IP
addresses never reach processed data or reports. Columns the study does not keep are dropped
when their name, content or the config says they hold identifiers; columns it keeps (answers it
analyses) are checked cell by cell, and a cell holding an identifier is suppressed (see
:func:`suppress_identifiers`). Pseudonyms are keyed HMAC-SHA256 digests; the key comes from an
environment variable or a file outside the repository, never from the config or any output.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputError
from analysis.io.labels import factorize_text

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
#: One word of a personal name: a capital letter and lower-case letters, or an initial
#: (``Budi``, ``I``, ``M.``, ``Nur'aini``); a hyphenated word is one word (``Laki-laki``).
NAME_WORD = r"[A-Z](?:[a-z]+(?:['-][A-Za-z][a-z]*)*|\.)?"
#: An answer shaped like a full personal name: two to four such words.
NAME_SHAPE = rf"{NAME_WORD}(?: +{NAME_WORD}){{1,3}}"
#: Words that mark an answer as a place, an institution or a stock answer rather than a name
#: (``Kota Bandung``, ``Tidak Menjawab``).
NOT_NAME_WORDS = (
    r"(?i)\b(?:kota|kabupaten|kab|kecamatan|kec|kelurahan|kel|desa|provinsi|jalan|jl|dinas|"
    r"badan|kantor|sekolah|universitas|institut|lainnya|tidak|belum|sudah|sangat|lebih|kurang|"
    r"bukan)\b"
)
#: A whole answer that is an Indonesian mobile number whose leading 0 a spreadsheet dropped
#: (``81234567890``, ``6281234567890``): 10 to 12 digits from the 8, so an amount such as
#: 850000000 is not taken for one. Checked on whole answers only, never inside a text.
LOST_ZERO_PHONE = r"(?:62)?8\d{9,11}"
#: A category column with more distinct answers than this, most of them given once, is free text.
FREE_TEXT_MIN_DISTINCT = 20
#: How each identifier kind is named in messages.
KIND_NAMES = {
    "email": "email address",
    "phone": "phone number",
    "nik": "NIK",
    "ipv4": "IP address",
    "ipv6": "IP address",
    "name": "personal name",
}
KEY_FILE = Path.home() / ".config" / "analysis" / "pseudonym.key"


def find_identifier_columns(
    frame: pd.DataFrame,
    configured: list[str] = (),
    skip_content: set[str] = frozenset(),
    kept: set[str] = frozenset(),
) -> dict[str, str]:
    """Columns that hold direct identifiers, with the reason each was found.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw answers (strings).
    configured : list of str
        Columns the study config declares as identifiers.
    skip_content : set of str
        Columns whose content need not be scanned (e.g. tool metadata), still checked by name.
    kept : set of str
        Columns whose answers are kept (checked cell by cell with :func:`suppress_identifiers`
        instead): neither checked nor returned.

    Returns
    -------
    dict
        Column -> reason (``configured``, ``name looks like <kind>``, ``content has <kind>``).
    """
    found = {c: "configured" for c in configured if c in frame.columns and c not in kept}
    for column in frame.columns:
        if column in found or column in kept or str(column).startswith("_"):
            continue
        kind = header_kind(column)
        if kind is not None:
            found[column] = f"name looks like {kind}"
            continue
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


@dataclass(frozen=True)
class IdentifierCells:
    """The cells of one column that hold an identifier (see :func:`identifier_cells`).

    Attributes
    ----------
    mask : numpy.ndarray
        True for each cell that holds an identifier.
    kinds : dict
        Kind (a key of :data:`PATTERNS`, or ``name``) -> number of cells, for kinds found.
    answered : int
        Non-empty cells.
    distinct : int
        Distinct non-empty answers.
    unique : int
        Cells whose answer no other cell has.
    """

    mask: np.ndarray
    kinds: dict[str, int]
    answered: int
    distinct: int
    unique: int

    @property
    def free_text(self) -> bool:
        """Whether the answers are free text: more than :data:`FREE_TEXT_MIN_DISTINCT`
        distinct answers, and most cells hold an answer no other cell has."""
        return self.distinct > FREE_TEXT_MIN_DISTINCT and 2 * self.unique > self.answered


def identifier_cells(values: pd.Series) -> IdentifierCells:
    """Which cells of ``values`` hold an identifier, judged once per distinct (trimmed) answer.

    A cell holds an identifier when its answer contains a match of :data:`PATTERNS` (email,
    phone, NIK, IP address), or when it is shaped like a personal name: two to four capitalised
    words (:data:`NAME_SHAPE`, e.g. ``Budi Santoso``, ``I Gede Made Putra``), none of them one
    of :data:`NOT_NAME_WORDS`, and no other cell holds the same answer. Single-word names and
    names written in lower case are not recognised.

    Returns
    -------
    IdentifierCells
    """
    codes, texts = factorize_text(_as_text(values))
    texts = texts.str.strip()
    counts = np.bincount(codes[codes >= 0], minlength=len(texts))
    kinds = _pattern_kinds(texts)
    lost_zero = texts.str.fullmatch(LOST_ZERO_PHONE).to_numpy(dtype=bool, na_value=False)
    kinds[lost_zero & (kinds == "")] = "phone"
    shaped = texts.str.fullmatch(NAME_SHAPE) & ~texts.str.contains(NOT_NAME_WORDS)
    kinds[shaped.to_numpy(dtype=bool, na_value=False) & (kinds == "") & (counts == 1)] = "name"
    answered = (texts != "").to_numpy(dtype=bool, na_value=False)
    return IdentifierCells(
        mask=np.append(kinds != "", False)[codes],
        kinds={k: int(counts[kinds == k].sum()) for k in [*PATTERNS, "name"] if (kinds == k).any()},
        answered=int(counts[answered].sum()),
        distinct=int(answered.sum()),
        unique=int(counts[answered & (counts == 1)].sum()),
    )


def _as_text(values: pd.Series) -> pd.Series:
    """``values`` as text; whole numbers without ``.0`` (an SPSS or Stata phone number or NIK
    stored as a number reads as its digits), each distinct number formatted once."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    codes, numbers = pd.factorize(values.astype("Float64"))
    texts = [f"{n:.0f}" if float(n).is_integer() else f"{n}" for n in numbers.tolist()]
    return pd.Series(
        pd.array(np.array([*texts, None], dtype=object)[codes], dtype="string"),
        index=values.index,
    )


def header_kind(column: str) -> str | None:
    """The identifier kind a header names (``Nama``: name, ``No. HP``: phone), or None."""
    header = str(column).casefold()
    return next((k for k, pattern in NAME_HINTS.items() if re.search(pattern, header)), None)


def check_declared_header(values: pd.Series, *, path, column: str, declared_as: str) -> None:
    """Refuse a kept column whose header names an identifier and whose answers identify.

    A column headed like an identifier (``Nama``, ``No. HP``, ``NIK``: :data:`NAME_HINTS`)
    whose non-empty answers are mostly given by one respondent only is taken for that
    identifier, whatever its content looks like (``budi``, ``Dewi`` or a number without its
    leading 0 pass every content test). A question such as "Punya WhatsApp?" with repeated
    answers is kept.

    Raises
    ------
    InputError
        Naming the column, what the config declares it as and what its header says.
    """
    kind = header_kind(column)
    if kind is None:
        return
    cells = identifier_cells(values)
    if cells.answered == 0 or 2 * cells.unique <= cells.answered:
        return
    raise InputError(
        f"the config declares this column as {declared_as}, but its header names a {kind} "
        f"and {cells.unique} of its {cells.answered} answers are given by one respondent only",
        path=path,
        column=column,
        hint="list it under privacy.identifier_columns (it is then dropped), or remove it "
        "from the config",
    )


def _pattern_kinds(texts: pd.Series) -> np.ndarray:
    """The first kind of :data:`PATTERNS` found in each text (``""`` for none), as an object
    array; only texts containing :data:`PREFILTER` are scanned."""
    kinds = np.full(len(texts), "", dtype=object)
    if texts.empty:
        return kinds
    arrow = pa.array(texts.array, type=pa.large_string())
    candidates = pc.match_substring_regex(arrow, PREFILTER).fill_null(False)
    for position in np.flatnonzero(candidates.to_numpy(zero_copy_only=False)):
        found = scan_text(texts.iloc[position])
        kinds[position] = found[0] if found else ""
    return kinds


def suppress_identifiers(
    values: pd.Series, *, path, column: str, declared_as: str, category: bool
) -> tuple[pd.Series, str | None]:
    """Keep an answer column the study analyses free of identifiers, by content.

    A few identifier cells (see :func:`identifier_cells`), e.g. a phone number typed into the
    gender answer, are set to missing. A column that holds identifiers rather than answers is
    an error, since keeping it would publish them and dropping it would silently lose a
    variable the config asks for.

    Parameters
    ----------
    values : pandas.Series
        The column's raw answers.
    path : str or Path
        The survey file, for the error message.
    column : str
        The column header.
    declared_as : str
        What the config declares the column as, e.g. ``demographic "gender"``.
    category : bool
        Whether the answers are categories (the free-text rule applies).

    Returns
    -------
    values : pandas.Series
        ``values`` with every identifier cell set to missing.
    note : str or None
        How many cells of which kinds were set to missing (never the values), or None.

    Raises
    ------
    InputError
        When more than half of the non-empty cells hold identifiers, or when a ``category``
        column is free text (:attr:`IdentifierCells.free_text`) holding any identifier.
    """
    cells = identifier_cells(values)
    found = int(cells.mask.sum())
    if not found:
        return values, None
    what = _count_kinds(cells.kinds)
    if 2 * found > cells.answered or (category and cells.free_text):
        problem = (
            f"{found} of its {cells.answered} answers are identifiers ({what})"
            if 2 * found > cells.answered
            else f"it is free text ({cells.distinct} different answers) holding {what}"
        )
        raise InputError(
            f"the config declares this column as {declared_as}, but {problem}",
            path=path,
            column=column,
            hint="list it under privacy.identifier_columns, or remove it from the config",
        )
    cell_s, were = ("cell", "was") if found == 1 else ("cells", "were")
    note = f'{found} {cell_s} of column "{column}" held {what} and {were} set to missing'
    return values.mask(cells.mask), note + " (the values are not kept)"


def _count_kinds(kinds: dict[str, int]) -> str:
    """E.g. ``2 phone numbers, 1 personal name`` (IPv4 and IPv6 counted together)."""
    named: dict[str, int] = {}
    for kind, n in kinds.items():
        named[KIND_NAMES[kind]] = named.get(KIND_NAMES[kind], 0) + n
    plural = {name: name + ("es" if name.endswith("s") else "s") for name in named}
    return ", ".join(f"{n} {name if n == 1 else plural[name]}" for name, n in named.items())


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

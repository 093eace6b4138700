"""Coding sheets for human coders: export a sample, import the codes back, shape them for agreement.

Sheet layout (one choice for every codebook)
    One row per unit (post or comment) and one column per category, in which the coder writes
    1 (the unit belongs to the category) or 0 (it does not), leaving a cell empty only for a
    unit they could not code. Categories are multi-label, as the auto-coding is, so each
    category is its own binary variable and agreement is computed per category, as NVivo's
    coding comparison query reports kappa per node. A single code column would force one
    category per unit. The columns are ``coder_id`` (the coder's initials, on every row),
    ``unit_id``, ``platform`` (when the items have one), ``text``, the category ids in codebook
    order, and ``notes`` (free text, not read back).

Files
    ``.xlsx``: sheet ``coding`` (a 0/1 drop-down in each category cell, header frozen) and
    sheet ``instructions`` (the rules in Indonesian and English, and every category's labels,
    description and keywords). ``.csv`` (UTF-8 with BOM, so Excel shows Indonesian text
    correctly): the coding sheet, with the instructions in ``<name>.instructions.txt`` beside
    it. Texts are written as they are, never escaped; a workbook holds them as text cells (a
    text starting with ``=`` is not a formula), and in a CSV a text starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a leading ``'`` so that a spreadsheet does not
    run it as a formula (OWASP's advice against CSV injection). Characters that a workbook
    cannot hold (control characters other than tab and line breaks) become U+FFFD, and a text
    longer than :data:`MAX_CELL_TEXT` characters is cut there and marked ``[...]``.

Sampling
    Stratified by platform or by auto-coded category (the first category of the codebook that
    coded the unit, or ``uncoded``): each stratum gets its share of ``n`` by the largest
    remainder, and at least one unit when ``n`` allows. Units are shown in random order and
    without their auto-codes, so coders code blind. The same ``seed`` gives the same sample.

Import
    :func:`import_codes` reads every coder's file back, checks it against the exported sample
    and the codebook (unknown unit ids, codes other than 0/1, a unit coded twice by one coder,
    missing or unknown columns each give an error naming the file, row and column) and
    returns one tidy row per coder, unit and category. :func:`reliability_data` gives the
    coders x units table of one category for ``stats.krippendorff_alpha(data,
    level="nominal")``; :func:`coder_pairs` the aligned codes of every two coders for
    ``stats.cohen_kappa(rater1, rater2)``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import NamedTuple

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from analysis.content.codebook import Codebook
from analysis.content.coding import code_texts
from analysis.errors import InputError, did_you_mean
from analysis.io.labels import fold_header
from analysis.io.tabular import is_workbook, read_table

#: Sheet of a workbook that holds the codes.
CODING_SHEET = "coding"
INSTRUCTIONS_SHEET = "instructions"
#: Columns of the coding sheet before and after the category columns.
LEADING_COLUMNS = ("coder_id", "unit_id", "platform", "text")
TRAILING_COLUMNS = ("notes",)
#: Columns of :func:`import_codes`, in order.
CODES_COLUMNS = ("coder_id", "unit_id", "category", "code", "source_file", "source_row")
#: Stratum of a unit no category coded.
UNCODED = "uncoded"
#: First characters that make a spreadsheet read a CSV cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Longest text written into a cell (Excel holds at most 32,767 characters per cell).
MAX_CELL_TEXT = 32_000
TRUNCATED = " [...]"
INSTRUCTIONS = (
    "Isi coder_id di setiap baris dengan inisial Anda. / Write your initials in coder_id on "
    "every row.",
    "Untuk setiap kategori tulis 1 bila unit termasuk kategori itu, 0 bila tidak. Satu unit "
    "boleh masuk beberapa kategori. / For each category write 1 if the unit belongs to it, 0 "
    "if not. A unit may belong to several categories.",
    "Kosongkan sel hanya bila unit tidak dapat dikode. / Leave a cell empty only if you "
    "cannot code the unit.",
    "Jangan mengubah unit_id, menambah baris, atau mengganti judul kolom. / Do not change "
    "unit_id, add rows or rename columns.",
    "Kode tiap unit tanpa melihat kode coder lain. / Code each unit without seeing another "
    "coder's codes.",
)


class CoderPair(NamedTuple):
    """Two coders' codes of the units both coded, aligned by unit id."""

    coder_a: str
    coder_b: str
    rater1: pd.Series
    rater2: pd.Series


def export_coding_sample(
    items: pd.DataFrame,
    n: int,
    seed: int,
    path: str | Path,
    *,
    codebook: Codebook,
    by: str | None = "platform",
    lang: str = "id",
    overwrite: bool = False,
) -> pd.DataFrame:
    """Draw a stratified sample of units and write the coding sheet for human coders.

    Parameters
    ----------
    items : DataFrame
        One row per unit: ``unit_id`` (unique, e.g. ``<platform>:<post_id>``), ``text``,
        ``platform`` (needed for ``by="platform"``), and for ``by="category"`` the 0/1
        category columns of :func:`analysis.content.coding.code_texts` (computed here when
        absent).
    n : int
        Units in the sample (1 to the number of items).
    seed : int
        Seed of the sampling and of the order of the rows.
    path : str or Path
        ``.xlsx`` or ``.csv`` file to write (see the module docstring).
    codebook : Codebook
    by : {"platform", "category", None}
        Strata; None draws a simple random sample.
    lang : {"id", "en"}
        Language of the auto-coding used for ``by="category"``.
    overwrite : bool
        Replace an existing file (by default refused, so a filled sheet is never lost).

    Returns
    -------
    pandas.DataFrame
        The sheet as written: ``coder_id`` (empty), ``unit_id``, ``platform`` (when the items
        have one), ``text``, one empty column per category, ``notes``; plus ``stratum``, which
        is not written.

    Raises
    ------
    InputError
        For missing or duplicate unit ids, a unit id starting with a formula character, an
        ``n`` out of range, an unknown ``by``, a path that is neither ``.xlsx`` nor ``.csv``,
        or an existing file.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".csv"):
        raise InputError("a coding sheet must be an .xlsx or .csv file", path=path)
    if path.exists() and not overwrite:
        raise InputError(
            "exists already; a coding sheet is never overwritten",
            path=path,
            hint="choose a new file name, or pass overwrite=True",
        )
    _check_items(items, n)
    strata = _strata(items, by, codebook, lang)
    rng = np.random.default_rng(seed)
    chosen = _stratified_positions(strata, n, rng)
    sample = items.iloc[chosen]
    sheet = pd.DataFrame({"coder_id": ""}, index=range(len(sample)))
    sheet["unit_id"] = sample["unit_id"].astype(str).to_numpy()
    if "platform" in items.columns:
        sheet["platform"] = sample["platform"].astype("string").fillna("").to_numpy()
    sheet["text"] = sample["text"].astype("string").fillna("").to_numpy()
    for category in codebook.ids:
        sheet[category] = ""
    sheet["notes"] = ""
    written = sheet.columns.tolist()
    sheet["stratum"] = strata.iloc[chosen].to_numpy()
    if path.suffix.lower() == ".xlsx":
        _write_workbook(sheet[written], codebook, path)
    else:
        _write_csv(sheet[written], codebook, path)
    return sheet


def import_codes(paths, *, codebook: Codebook, sample) -> pd.DataFrame:
    """Read coders' filled sheets back, validated against the sample and the codebook.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Filled coding sheets (``.xlsx`` with a ``coding`` sheet, or ``.csv``); a file may hold
        one coder or several (by ``coder_id``).
    codebook : Codebook
        The codebook the sheets were exported with.
    sample : str, Path, DataFrame or iterable of str
        The exported sheet (its path or the DataFrame :func:`export_coding_sample` returned),
        or the unit ids of the sample.

    Returns
    -------
    pandas.DataFrame
        One row per coder, unit and category (the codes of one category of one unit by one
        coder), ordered by coder, unit and codebook order:

        coder_id : string
        unit_id : string
        category : string
        code : Int8
            1, 0, or NA for an empty cell (not coded).
        source_file : string
            File name.
        source_row : Int64
            Row of the file as a spreadsheet shows it (header = row 1).

    Raises
    ------
    InputError
        Naming the file, row and column: a missing or unknown column (with the closest
        category id), an empty ``coder_id``, a unit id not in the sample, a code other than
        0/1, a unit coded twice by one coder (both places named), or a file without rows.
    """
    units = _sample_units(sample)
    parts = []
    seen: dict[tuple[str, str], str] = {}
    for path in [paths] if isinstance(paths, str | Path) else list(paths):
        parts.append(_read_sheet(Path(path), codebook, units, seen))
    if not parts:
        raise InputError("no coding sheets given; pass the paths of the filled sheets")
    codes = pd.concat(parts, ignore_index=True)
    order = {category: i for i, category in enumerate(codebook.ids)}
    codes = codes.sort_values(
        ["coder_id", "unit_id", "category"],
        key=lambda s: s.map(order) if s.name == "category" else s,
        ignore_index=True,
    )
    return codes[list(CODES_COLUMNS)]


def reliability_data(codes: pd.DataFrame, category: str) -> pd.DataFrame:
    """The coders x units table of one category, for Krippendorff's alpha.

    Parameters
    ----------
    codes : DataFrame
        :func:`import_codes` output.
    category : str

    Returns
    -------
    pandas.DataFrame
        One row per coder (index ``coder_id``), one column per unit coded by anyone (sorted
        unit ids), float 1.0 / 0.0, NaN where the coder left the unit uncoded or did not have
        it: the ``data`` of ``stats.krippendorff_alpha(data, level="nominal")``.
    """
    subset = _category_codes(codes, category)
    table = subset.pivot(index="coder_id", columns="unit_id", values="code")
    table = table.astype("Float64").astype("float64")
    table.columns.name = "unit_id"
    return table.sort_index().sort_index(axis=1)


def coder_pairs(codes: pd.DataFrame, category: str) -> list[CoderPair]:
    """Every two coders' codes of one category on the units both coded.

    Returns
    -------
    list of CoderPair
        ``(coder_a, coder_b, rater1, rater2)`` for each pair of coders in sorted order;
        ``rater1`` and ``rater2`` are int64 Series of 0/1 indexed by the unit ids both coded
        (sorted), ready for ``stats.cohen_kappa(rater1, rater2)``.
    """
    table = reliability_data(codes, category)
    pairs = []
    for a, b in itertools.combinations(table.index, 2):
        both = table.loc[[a, b]].dropna(axis=1)
        pairs.append(
            CoderPair(
                str(a),
                str(b),
                both.loc[a].astype("int64").rename(str(a)),
                both.loc[b].astype("int64").rename(str(b)),
            )
        )
    return pairs


def _category_codes(codes: pd.DataFrame, category: str) -> pd.DataFrame:
    missing = [c for c in ("coder_id", "unit_id", "category", "code") if c not in codes.columns]
    if missing:
        raise ValueError(f"codes lack the columns {missing}; pass import_codes output")
    subset = codes[codes["category"] == category]
    if subset.empty:
        known = sorted(codes["category"].unique())
        raise ValueError(f"no codes of category {category!r}; the codes hold {known}")
    return subset


def _check_items(items: pd.DataFrame, n: int) -> None:
    for column in ("unit_id", "text"):
        if column not in items.columns:
            raise InputError("the items to sample lack a column", column=column)
    ids = items["unit_id"].astype("string")
    if ids.isna().any() or (ids.str.strip() == "").any():
        raise InputError("every item needs a unit id; some are empty", column="unit_id")
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise InputError(f'unit id "{repeated.iloc[0]}" is used twice', column="unit_id")
    risky = ids[ids.str.startswith(FORMULA_TRIGGERS)]
    if len(risky):
        raise InputError(
            f'unit id "{risky.iloc[0]}" starts with a character a spreadsheet reads as a formula',
            column="unit_id",
            hint="prefix the ids, e.g. with the platform: instagram:<post id>",
        )
    if not isinstance(n, int | np.integer) or not 1 <= n <= len(items):
        raise InputError(f"the sample size n must be between 1 and {len(items)}; got {n!r}")


def _strata(items: pd.DataFrame, by: str | None, codebook: Codebook, lang: str) -> pd.Series:
    """The stratum of each item (by platform, by first auto-coded category, or one stratum)."""
    if by is None:
        return pd.Series("all", index=items.index)
    if by == "platform":
        if "platform" not in items.columns:
            raise InputError("stratifying by platform needs a platform column", column="platform")
        return items["platform"].astype("string").fillna("(none)")
    if by == "category":
        if all(c in items.columns for c in codebook.ids):
            coded = items[codebook.ids]
        else:
            coded = code_texts(items["text"], codebook, lang=lang)[codebook.ids]
        matrix = coded.to_numpy(dtype="int64")
        first = np.where(matrix.any(axis=1), matrix.argmax(axis=1), -1)
        names = np.array([*codebook.ids, UNCODED], dtype=object)
        return pd.Series(names[first], index=items.index)
    raise InputError(f"unknown stratification {by!r}; use 'platform', 'category' or None")


def _stratified_positions(strata: pd.Series, n: int, rng: np.random.Generator) -> np.ndarray:
    """Positions of the sampled items, in random order (largest-remainder allocation)."""
    groups = {name: np.flatnonzero((strata == name).to_numpy()) for name in sorted(strata.unique())}
    names = list(groups)
    sizes = np.array([len(groups[name]) for name in names])
    quota = n * sizes / sizes.sum()
    take = np.floor(quota).astype(int)
    order = sorted(range(len(names)), key=lambda i: (-(quota[i] - take[i]), names[i]))
    for i in order[: n - take.sum()]:
        take[i] += 1
    if n >= len(names):
        for i in np.flatnonzero(take == 0):
            take[int(np.argmax(take))] -= 1
            take[i] = 1
    chosen = np.concatenate(
        [rng.choice(groups[name], size=take[i], replace=False) for i, name in enumerate(names)]
    )
    return rng.permutation(chosen)


def _cell_text(text: str) -> str:
    """A text as a workbook cell can hold it (see the module docstring)."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT] + TRUNCATED
    return text


def _instruction_rows(codebook: Codebook) -> list[list[str]]:
    rows = [[line] for line in INSTRUCTIONS]
    rows.append([])
    rows.append(["category", "label_id", "label_en", "description_id", "description_en"])
    rows[-1] += ["keywords_id", "keywords_en"]
    for c in codebook.categories:
        description = c.description
        rows.append(
            [
                c.id,
                c.label.id,
                c.label.en,
                description.id if description else "",
                description.en if description else "",
                ", ".join(c.keywords.id),
                ", ".join(c.keywords.en),
            ]
        )
    return rows


def _write_workbook(sheet: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    book = openpyxl.Workbook()
    coding = book.active
    coding.title = CODING_SHEET
    coding.append(list(sheet.columns))
    for cell in coding[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(sheet.itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            if value != "":
                coding.cell(r, c, _cell_text(str(value))).data_type = "s"
    text_column = sheet.columns.get_loc("text") + 1
    letter = openpyxl.utils.get_column_letter(text_column)
    coding.column_dimensions[letter].width = 80
    for r in range(2, len(sheet) + 2):
        coding.cell(r, text_column).alignment = Alignment(wrap_text=True, vertical="top")
    first = sheet.columns.get_loc(codebook.ids[0]) + 1
    last = sheet.columns.get_loc(codebook.ids[-1]) + 1
    if len(sheet):
        choice = DataValidation(type="list", formula1='"0,1"', allow_blank=True)
        choice.error = "1 / 0"
        choice.add(
            f"{openpyxl.utils.get_column_letter(first)}2:"
            f"{openpyxl.utils.get_column_letter(last)}{len(sheet) + 1}"
        )
        coding.add_data_validation(choice)
    coding.freeze_panes = "A2"
    instructions = book.create_sheet(INSTRUCTIONS_SHEET)
    for row in _instruction_rows(codebook):
        instructions.append(row)
    book.save(path)


def _write_csv(sheet: pd.DataFrame, codebook: Codebook, path: Path) -> None:
    guarded = sheet.copy()
    guarded["text"] = [
        "'" + text if text.startswith(FORMULA_TRIGGERS) else text for text in guarded["text"]
    ]
    guarded.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    lines = ["\t".join(row) for row in _instruction_rows(codebook)]
    path.with_suffix(".instructions.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _sample_units(sample) -> set[str]:
    """The unit ids of the exported sample."""
    if isinstance(sample, str | Path):
        path = Path(sample)
        frame = read_table(path, CODING_SHEET if is_workbook(path) else None).frame
        if "unit_id" not in frame.columns:
            raise InputError("the exported sample lacks the unit_id column", path=path)
        return set(frame["unit_id"].astype(str).str.strip())
    if isinstance(sample, pd.DataFrame):
        return set(sample["unit_id"].astype(str).str.strip())
    return {str(unit).strip() for unit in sample}


def _read_sheet(path: Path, codebook: Codebook, units: set[str], seen: dict) -> pd.DataFrame:
    """The long codes of one filled sheet (see :func:`import_codes`)."""
    frame = read_table(path, CODING_SHEET if is_workbook(path) else None).frame
    columns = _resolve_columns(list(frame.columns), codebook, path)
    if frame.empty:
        raise InputError("holds no coded rows; expected one row per unit", path=path)
    coder = frame[columns["coder_id"]].fillna("").str.strip()
    unit = frame[columns["unit_id"]].fillna("").str.strip()
    for row in frame.index:
        if not coder[row]:
            raise InputError(
                "coder_id is empty; write the coder's initials on every row",
                path=path,
                row=int(row),
                column=columns["coder_id"],
            )
        if unit[row] not in units:
            hint = did_you_mean(unit[row], units)
            raise InputError(
                f'unit id "{unit[row]}" is not in the exported sample',
                path=path,
                row=int(row),
                column=columns["unit_id"],
                hint=hint or "unit ids must not be changed or added",
            )
        key = (coder[row], unit[row])
        where = f"{path.name} row {int(row)}"
        if key in seen:
            raise InputError(
                f'coder "{key[0]}" codes unit "{key[1]}" twice (also in {seen[key]})',
                path=path,
                row=int(row),
                column=columns["unit_id"],
                hint="keep one row per coder and unit",
            )
        seen[key] = where
    parts = []
    for category in codebook.ids:
        header = columns[category]
        cells = frame[header].fillna("").str.strip()
        bad = ~cells.isin(["", "0", "1"])
        if bad.any():
            row = int(bad[bad].index[0])
            raise InputError(
                f'"{cells[row]}" is not a code of category "{category}"',
                path=path,
                row=row,
                column=header,
                hint="write 1 (belongs), 0 (does not belong) or leave the cell empty",
            )
        parts.append(
            pd.DataFrame(
                {
                    "coder_id": coder.to_numpy(),
                    "unit_id": unit.to_numpy(),
                    "category": category,
                    "code": pd.array(cells.replace("", None).to_numpy(), dtype="Int8"),
                    "source_file": path.name,
                    "source_row": frame.index.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True).astype(
        {
            "coder_id": "string",
            "unit_id": "string",
            "category": "string",
            "source_file": "string",
            "source_row": "Int64",
        }
    )


def _resolve_columns(headers: list[str], codebook: Codebook, path: Path) -> dict[str, str]:
    """Expected column -> header in the file (compared folded); errors for missing/unknown."""
    by_fold = {fold_header(h): h for h in headers}
    expected = ["coder_id", "unit_id", *codebook.ids]
    allowed = {*expected, *LEADING_COLUMNS, *TRAILING_COLUMNS}
    for header in headers:
        if fold_header(header) not in allowed:
            hint = did_you_mean(header, codebook.ids) or did_you_mean(header, allowed)
            raise InputError(
                "unknown column; a coding sheet holds coder_id, unit_id, platform, text, the "
                "codebook's category ids and notes",
                path=path,
                column=header,
                hint=hint,
            )
    missing = [name for name in expected if name not in by_fold]
    if missing:
        raise InputError(
            f"lacks the column {missing[0]!r}; expected coder_id, unit_id and one column per "
            f"category ({', '.join(codebook.ids)})",
            path=path,
            column=missing[0],
        )
    return {name: by_fold[name] for name in expected}

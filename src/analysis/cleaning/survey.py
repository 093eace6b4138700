"""Codebook cleaning: raw survey exports -> ``responses`` and the exclusion ledger.

For each survey source: read it (any supported format), assign each row to an agency, code the
answers through the construct's answer scale, screen (consent, duplicates, speeders, attention,
straight-lining, careless, missing), drop direct identifiers, reverse-key items and keep the
columns the analyses need. Identifiers never reach what is kept: identifier columns are dropped,
identifier cells of kept answer columns are set to missing, and ledger details describe answers
without copying them. Every raw row ends either in ``responses`` or in ``exclusions``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import FloatingArray

from analysis import tables
from analysis.cleaning import privacy
from analysis.cleaning.screening import ScreeningInput, screen
from analysis.config import Study, SurveySource
from analysis.errors import InputError, raise_first_bad
from analysis.io.labels import factorize_text, fold_label
from analysis.io.numbers import parse_decimal
from analysis.io.raw import RawSurvey
from analysis.io.survey.detect import read_survey, require_column
from analysis.io.survey.google_forms import split_options


@dataclass
class CleanedSurvey:
    """The result of cleaning every survey source of a study.

    Attributes
    ----------
    responses : DataFrame
        Analysed respondents (contract :data:`analysis.tables.RESPONSES_FIXED` + items +
        demographics).
    exclusions : DataFrame
        Exclusion ledger (contract :data:`analysis.tables.LEDGER`, ``action == "exclude"``).
    flags : DataFrame
        Rows kept but flagged by a rule whose action is ``flag`` (same contract).
    received : DataFrame
        ``source_file``, ``agency_id``, ``n``: raw data rows per file and agency.
    dropped_columns : DataFrame
        ``source_file``, ``column``, ``reason``: columns dropped because they hold identifiers
        (see :func:`dropped_identifiers`); a column kept in any form is never listed.
    notes : list of str
        Repairs and decisions worth reporting (e.g. a rule that could not run, or how many
        identifier cells of a kept column were set to missing).
    """

    responses: pd.DataFrame
    exclusions: pd.DataFrame
    flags: pd.DataFrame
    received: pd.DataFrame
    dropped_columns: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def clean_survey(study: Study) -> CleanedSurvey:
    """Clean all survey sources of ``study`` (see module docstring).

    Returns
    -------
    CleanedSurvey
    """
    parts = [clean_source(study, source) for source in study.survey]
    return CleanedSurvey(
        responses=pd.concat([p.responses for p in parts], ignore_index=True),
        exclusions=pd.concat([p.exclusions for p in parts], ignore_index=True),
        flags=pd.concat([p.flags for p in parts], ignore_index=True),
        received=pd.concat([p.received for p in parts], ignore_index=True),
        dropped_columns=pd.concat([p.dropped_columns for p in parts], ignore_index=True),
        notes=[note for p in parts for note in p.notes],
    )


def clean_source(study: Study, source: SurveySource) -> CleanedSurvey:
    """Clean one survey file."""
    raw = read_source(study, source)
    name = raw.path.name
    agency = assign_agency(study, source, raw)
    blank_missing_codes(raw, source.missing_codes)
    suppressed = suppress_kept_identifiers(study, raw)
    ticked, values = code_items(study, raw)
    demographics = code_demographics(study, raw)
    duration = _role_numbers(raw, "duration_seconds")
    weight = survey_weights(raw, source.weight_column)
    data = ScreeningInput(
        raw=raw.frame,
        items=ticked,
        agency_id=agency,
        email=raw.frame[raw.roles["email"]] if "email" in raw.roles else None,
        duration=duration,
        submitted_at=_submitted(raw),
        keys=pd.concat([ticked, demographics, agency.rename("_agency")], axis=1),
        item_values=values,
    )
    hits = screen(data, study.screening)
    del data, ticked  # their answers are moved in place into the responses below
    ledger = _ledger(hits, agency, name)
    analysed = raw.frame.index[~raw.frame.index.isin(hits.index[hits["action"] == "exclude"])]
    items = analysed_items(study, values, raw.frame.index.get_indexer(analysed))
    responses = build_responses(study, raw, analysed, agency, items, demographics, duration, weight)
    notes = [f"{name}: {note}" for note in [*raw.notes, *suppressed]]
    if duration is None and study.screening.speeders.action != "off":
        notes.append(f"{name}: no completion-time column, so the speeder rule was not applied")
    return CleanedSurvey(
        responses=responses,
        exclusions=ledger[ledger["action"] == "exclude"].reset_index(drop=True),
        flags=ledger[ledger["action"] == "flag"].reset_index(drop=True),
        received=agency.fillna("(unknown)")
        .value_counts()
        .rename_axis("agency_id")
        .reset_index(name="n")
        .assign(source_file=name)[["source_file", "agency_id", "n"]],
        dropped_columns=dropped_identifiers(study, source, raw),
        notes=notes,
    )


def declared_columns(study: Study) -> dict[str, str]:
    """Answer columns the study keeps in ``responses`` (in some form) -> what they are
    declared as, e.g. ``demographic "gender"``."""
    declared = {i.column: f'item "{i.id}"' for c in study.constructs for i in c.items}
    declared.update({m.column: f'multi-select question "{m.id}"' for m in study.multi_select})
    declared.update({d.column: f'demographic "{d.id}"' for d in study.demographics})
    return declared


def suppress_kept_identifiers(study: Study, raw: RawSurvey) -> list[str]:
    """Set identifier cells of the demographic columns to missing, in place.

    Items become numbers of their scale (any other text is an error) and multi-select questions
    0/1 columns, so only demographic answers are kept as written; each is checked by content
    with :func:`analysis.cleaning.privacy.suppress_identifiers`, which raises InputError for a
    column that holds identifiers rather than answers. A column both listed under
    ``privacy.identifier_columns`` and declared as an answer is an InputError too.

    Returns
    -------
    list of str
        One note per column with suppressed cells: how many, of which kinds (never the values).
    """
    configured = set(study.privacy.identifier_columns)
    for column, declared_as in declared_columns(study).items():
        if column in configured:
            raise InputError(
                f"the config lists this column under privacy.identifier_columns and declares "
                f"it as {declared_as}; an identifier is never kept",
                path=raw.path,
                column=column,
                hint="remove it from one of the two",
            )
    notes = []
    for demo in study.demographics:
        values, note = privacy.suppress_identifiers(
            raw.frame[demo.column],
            path=raw.path,
            column=demo.column,
            declared_as=f'demographic "{demo.id}"',
            category=demo.type == "category",
        )
        if note is not None:
            raw.frame[demo.column] = values
            notes.append(note)
    return notes


def dropped_identifiers(study: Study, source: SurveySource, raw: RawSurvey) -> pd.DataFrame:
    """The columns dropped because they hold identifiers, and why.

    Columns the study keeps (answer columns, the agency column and the submission time,
    duration and weight) are never listed: their content is checked cell by cell instead
    (:func:`suppress_kept_identifiers`). Every other column is listed when the config names it
    under ``privacy.identifier_columns``, its header looks like an identifier, its content
    holds one (tool metadata columns are checked by header only) or the reader found it to
    be the export's email or IP-address column.

    Returns
    -------
    pandas.DataFrame
        ``source_file``, ``column``, ``reason`` (``configured``, ``name looks like <kind>``,
        ``content has <kinds>`` or ``the export's <role> column``).
    """
    kept = {*declared_columns(study), source.agency_column, source.weight_column}
    kept.update(raw.roles[r] for r in ("submitted_at", "duration_seconds") if r in raw.roles)
    found = privacy.find_identifier_columns(
        raw.frame,
        study.privacy.identifier_columns,
        skip_content=set(raw.roles.values()),
        kept=kept,
    )
    for role in ("email", "ip_address"):
        if role in raw.roles and raw.roles[role] not in kept:
            found.setdefault(raw.roles[role], f"the export's {role.replace('_', ' ')} column")
    return pd.DataFrame(
        {"source_file": raw.path.name, "column": list(found), "reason": list(found.values())},
        dtype="string",
    )


def read_source(study: Study, source: SurveySource) -> RawSurvey:
    """Read one survey file with its configured options and check the configured columns."""
    options = {"timezone": source.timezone or study.study.timezone, "date_order": source.date_order}
    if source.duration_column:
        options["duration_column"] = source.duration_column
    raw = read_survey(study.resolve(source.path), source.format, **options)
    require_columns(study, source, raw)
    return raw


def require_columns(study: Study, source: SurveySource, raw: RawSurvey) -> None:
    """Raise InputError for the first configured column missing from the file."""
    needed = [i.column for c in study.constructs for i in c.items]
    needed += [d.column for d in study.demographics] + [m.column for m in study.multi_select]
    needed += [source.agency_column] if source.agency_column else []
    if study.screening.consent:
        needed.append(study.screening.consent.column)
    needed += [a.column for a in study.screening.attention_checks]
    for column in needed:
        require_column(raw, column, "column")


def assign_agency(study: Study, source: SurveySource, raw: RawSurvey) -> pd.Series:
    """Agency id per row (NA when the answer names no agency of the study)."""
    index = raw.frame.index
    if source.agency:
        return pd.Series(study.agency(source.agency).id, index=index, dtype="string")
    lookup = {fold_label(a.survey_value or a.name): a.id for a in study.agencies}
    lookup.update({fold_label(a.id): a.id for a in study.agencies})
    codes, texts = factorize_text(raw.frame[source.agency_column])
    ids = pa.array([lookup.get(fold_label(t)) for t in [*texts.tolist(), ""]], pa.string())
    rows = codes.astype(np.int64) % len(ids)  # NA (-1) takes the last id
    return pd.Series(pd.array(ids.take(rows), dtype="string"), index=index)


def blank_missing_codes(raw: RawSurvey, codes: list[str]) -> None:
    """Replace special missing codes (config ``missing_codes`` and the file's own user-missing
    values, e.g. SPSS) by NA, in place, so they are never read as answers.

    Text cells match a code after trimming spaces (checked once per category in categorical
    columns). Columns with no code to look for, and parsed timestamps, are left as they are.
    """
    for column in raw.frame.columns:
        missing = [*codes, *(str(c) for c in raw.missing_codes.get(column, []))]
        values = raw.frame[column]
        if not missing or pd.api.types.is_datetime64_any_dtype(values):
            continue
        if pd.api.types.is_numeric_dtype(values):
            blank = values.isin([float(c) for c in missing if _is_number(c)]).to_numpy()
        else:
            blank = _trimmed_in(values, missing)
        if blank.any():
            raw.frame[column] = values.mask(blank)


def _trimmed_in(values: pd.Series, texts: list[str]) -> np.ndarray:
    """Whether each cell, trimmed, is one of ``texts`` (checked per category for categories)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        trimmed = values.astype("string").str.strip()
        return trimmed.isin(texts).to_numpy(dtype=bool, na_value=False)
    categories = pd.Series(values.cat.categories).astype("string").str.strip()
    found = categories.isin(texts).to_numpy(dtype=bool, na_value=False)
    if not found.any():
        return np.zeros(len(values), dtype=bool)
    return np.append(found, False)[values.cat.codes.to_numpy()]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def code_items(study: Study, raw: RawSurvey) -> tuple[pd.DataFrame, np.ndarray]:
    """Numeric answers per item id as ticked (before reverse keying), indexed by row.

    Text answers go through the construct's answer scale; numeric answers (SPSS, Stata) must
    be values of the scale, otherwise the first out-of-range value (first item in config
    order) is an error. Items are coded on two threads.

    Returns
    -------
    items : pandas.DataFrame
        One Float64 column per item id, in config order.
    values : numpy.ndarray
        The same answers as one column-major float matrix (NaN for NA), which the columns
        of ``items`` hold (see :class:`analysis.screening.ScreeningInput` and
        :func:`analysed_items`).
    """
    items = [(item, study.scale(c.scale)) for c in study.constructs for item in c.items]
    values = np.empty((len(items), len(raw.frame))).T

    def code(k: int) -> FloatingArray:
        item, scale = items[k]
        answers = raw.frame[item.column]
        if pd.api.types.is_numeric_dtype(answers):
            numbers = check_range(answers, scale, raw.path, item.column)
            values[:, k] = numbers.to_numpy(dtype=float, na_value=np.nan)
        else:
            scale.code(answers, path=raw.path, column=item.column, out=values[:, k])
        return FloatingArray(values[:, k], np.isnan(values[:, k]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        coded = dict(zip([i.id for i, _ in items], pool.map(code, range(len(items))), strict=True))
    return pd.DataFrame(coded, index=raw.frame.index, copy=False), values


def check_range(values: pd.Series, scale, path, column: str) -> pd.Series:
    """Numeric answers as Float64, raising InputError for the first value not on the scale."""
    numbers = values.astype("Float64")
    bad = numbers.notna() & ~numbers.isin(list(scale.values))
    raise_first_bad(
        bad,
        numbers[bad].map("{:g}".format),  # formats the few bad values only
        path=path,
        column=column,
        what=f"is not a value of scale {scale.name} ({scale.minimum:g} to {scale.maximum:g})",
        hint="declare it in missing_codes if it means no answer",
    )
    return numbers


def analysed_items(study: Study, values: np.ndarray, positions: np.ndarray) -> pd.DataFrame:
    """Item answers of the rows at ``positions`` (ascending) after reverse keying.

    Works in place on ``values``, the matrix from :func:`code_items`: the rows are moved up
    and reverse-keyed items mirrored on their scale (value -> min + max - value), so the
    items frame :func:`code_items` returned must not be used afterwards. Items are handled on
    two threads.

    Returns
    -------
    pandas.DataFrame
        One Float64 column per item id, holding the first ``len(positions)`` rows of
        ``values``; index 0 to ``len(positions) - 1``.
    """
    items = [(item, study.scale(c.scale)) for c in study.constructs for item in c.items]

    def keep(k: int) -> FloatingArray:
        item, scale = items[k]
        kept = values[: len(positions), k]
        kept[:] = values[positions, k]
        if item.reverse:
            np.subtract(scale.minimum + scale.maximum, kept, out=kept)
        return FloatingArray(kept, np.isnan(kept))

    with ThreadPoolExecutor(max_workers=2) as pool:
        ids = [item.id for item, _ in items]
        columns = dict(zip(ids, pool.map(keep, range(len(items))), strict=True))
    return pd.DataFrame(columns, copy=False)


def code_demographics(study: Study, raw: RawSurvey) -> pd.DataFrame:
    """Demographic and multi-select columns under their ids.

    Numbers are parsed, categories kept as strings, and each multi-select question becomes
    ``<id>__<option number>`` 0/1 columns plus ``<id>__other`` (see
    :func:`analysis.io.google_forms.split_options`).
    """
    out = {}
    for question in study.multi_select:
        split = split_options(raw.frame[question.column], question.options)
        split.columns = [f"{question.id}__{k}" for k in range(1, len(question.options) + 1)] + [
            f"{question.id}__other"
        ]
        out.update(split.to_dict(orient="series"))
    for demo in study.demographics:
        values = raw.frame[demo.column]
        if demo.type == "number":
            out[demo.id] = parse_decimal(values, path=raw.path, column=demo.column)
        else:
            out[demo.id] = values.astype("string").str.strip().replace("", pd.NA)
    return pd.DataFrame(out, index=raw.frame.index)


def build_responses(
    study, raw, analysed, agency, items, demographics, duration, weight
) -> pd.DataFrame:
    """Assemble the ``responses`` table for the analysed rows.

    ``items`` holds the item answers of the analysed rows only (see :func:`analysed_items`);
    the other arguments have one value per raw row.
    """
    rows = pd.Index(analysed)
    positions = raw.frame.index.get_indexer(rows)
    if study.privacy.action == "pseudonymize" and (key := privacy.load_key(study.privacy.key_env)):
        basis = (
            raw.frame[raw.roles["email"]].iloc[positions]
            if "email" in raw.roles
            else pd.Series(raw.path.name + ":" + rows.astype(str), index=rows)
        )
        ids = privacy.pseudonymize(basis, key)
    else:
        ids = privacy.row_ids(study.study.id, raw.path.name, rows)
    fixed = pd.DataFrame(
        {
            "respondent_id": ids.array,
            "agency_id": agency.iloc[positions].array,
            "source_file": raw.path.name,
            "source_row": rows.to_numpy(),
            "submitted_at": _submitted(raw).iloc[positions].array,
            "duration_seconds": duration.iloc[positions].array if duration is not None else pd.NA,
            "weight": weight.iloc[positions].array,
        }
    )
    fixed = tables.conform(fixed, tables.RESPONSES_FIXED)  # items and demographics are typed
    return pd.concat([fixed, items, demographics.iloc[positions].reset_index(drop=True)], axis=1)


def survey_weights(raw: RawSurvey, column: str | None) -> pd.Series:
    """Survey weight per row (1.0 without a weight column); a non-positive weight is an error."""
    if column is None:
        return pd.Series(1.0, index=raw.frame.index, dtype="Float64")
    if column not in raw.frame.columns:
        raise InputError(
            "the configured weight column is not in the file", path=raw.path, row=1, column=column
        )
    weights = parse_decimal(raw.frame[column], path=raw.path, column=column)
    raise_first_bad(
        weights.isna() | (weights <= 0),
        raw.frame[column],
        path=raw.path,
        column=column,
        what="is not a weight: weights must be positive numbers",
    )
    return weights


def _ledger(hits: pd.DataFrame, agency: pd.Series, name: str) -> pd.DataFrame:
    ledger = pd.DataFrame(
        {
            "source_file": name,
            "source_row": hits.index.to_numpy(),
            "agency_id": agency[hits.index].to_numpy(),
            "reason": hits["reason"].to_numpy(),
            "detail": hits["detail"].to_numpy(),
            "action": hits["action"].to_numpy(),
        }
    )
    return tables.conform(ledger, tables.LEDGER)


def _submitted(raw: RawSurvey) -> pd.Series:
    column = raw.roles.get("submitted_at")
    if column is None:
        return pd.Series(pd.NaT, index=raw.frame.index, dtype="datetime64[ns, UTC]")
    return raw.frame[column]


def _role_numbers(raw: RawSurvey, role: str) -> pd.Series | None:
    column = raw.roles.get(role)
    if column is None:
        return None
    values = raw.frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype("Float64")
    return parse_decimal(values, path=raw.path, column=column)

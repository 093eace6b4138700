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
from pandas.arrays import FloatingArray

from analysis import tables
from analysis.cleaning import privacy
from analysis.cleaning.agencies import answer_key, assign_agency
from analysis.cleaning.number_answers import read_number_answers
from analysis.cleaning.screening import (
    REASONS,
    ScreeningInput,
    finished_flags,
    screen,
    status_codes,
)
from analysis.config import Study, SurveySource
from analysis.errors import InputError, raise_first_bad
from analysis.io.labels import factorize_text, fold_header
from analysis.io.numbers import parse_decimal
from analysis.io.raw import RawSurvey
from analysis.io.survey.detect import read_survey, require_column, use_duration_column
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
        Repairs and decisions worth reporting (e.g. a rule that could not run, how many
        identifier cells of a kept column were set to missing, answers such as ``45 tahun``
        read as numbers).
    warnings : list of str
        What the researcher must look at before reporting: one per agency of the study with
        no analysed respondent, saying how many rows named it and why they were excluded.
    multi_select_columns : dict
        Multi-select question id -> {column in ``responses``: the option it stands for, or
        ``"(other)"`` for the flag of text outside the options}.
    """

    responses: pd.DataFrame
    exclusions: pd.DataFrame
    flags: pd.DataFrame
    received: pd.DataFrame
    dropped_columns: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    multi_select_columns: dict[str, dict[str, str]] = field(default_factory=dict)


def clean_survey(study: Study) -> CleanedSurvey:
    """Clean all survey sources of ``study`` (see module docstring).

    Returns
    -------
    CleanedSurvey
        Also when no row is left to analyse (see :func:`check_analysed`, which the pipeline
        calls before writing processed data).

    Raises
    ------
    InputError
        For a problem in a survey file.
    """
    parts = [clean_source(study, source) for source in study.survey]
    cleaned = CleanedSurvey(
        responses=pd.concat([p.responses for p in parts], ignore_index=True),
        exclusions=pd.concat([p.exclusions for p in parts], ignore_index=True),
        flags=pd.concat([p.flags for p in parts], ignore_index=True),
        received=pd.concat([p.received for p in parts], ignore_index=True),
        dropped_columns=pd.concat([p.dropped_columns for p in parts], ignore_index=True),
        notes=[note for p in parts for note in p.notes],
        multi_select_columns={
            m.id: {**{c: o for o, c in m.option_columns().items()}, m.other_column: "(other)"}
            for m in study.multi_select
        },
    )
    cleaned.warnings = agencies_without_responses(study, cleaned)
    return cleaned


def check_analysed(study: Study, cleaned: CleanedSurvey) -> None:
    """Raise InputError when no survey row is left to analyse, saying where the rows went
    (received, excluded by reason) and, when agencies did not match, how they match."""
    if len(cleaned.responses):
        return
    received = int(cleaned.received["n"].sum())
    raise InputError(
        f"no response is left to analyse: {received} rows received, "
        + _excluded_by_reason(cleaned.exclusions),
        path=", ".join(source.path for source in study.survey),
        hint=_agency_hint(cleaned.exclusions),
    )


def agencies_without_responses(study: Study, cleaned: CleanedSurvey) -> list[str]:
    """One warning per agency of the study without an analysed respondent (see
    :attr:`CleanedSurvey.warnings`)."""
    analysed = set(cleaned.responses["agency_id"].dropna())
    warnings = []
    for agency in study.agencies:
        if agency.id in analysed:
            continue
        received = int(cleaned.received.loc[cleaned.received["agency_id"] == agency.id, "n"].sum())
        excluded = cleaned.exclusions[cleaned.exclusions["agency_id"] == agency.id]
        why = f": {_excluded_by_reason(excluded)}" if received else ""
        warnings.append(
            f'agency "{agency.id}" has no analysed respondent ({received} rows named it{why}); '
            "its report cannot be made"
        )
    unknown = int((cleaned.exclusions["reason"] == "unknown_agency").sum())
    if warnings and unknown:
        rows = "1 row" if unknown == 1 else f"{unknown} rows"
        warnings.append(f"{rows} named no agency of the study: {_agency_hint(None)}")
    return warnings


def _excluded_by_reason(exclusions: pd.DataFrame) -> str:
    """E.g. ``excluded: unknown_agency 120, duplicate 3`` (in screening order)."""
    counts = exclusions["reason"].value_counts()
    listed = ", ".join(f"{r} {int(counts[r])}" for r in REASONS if counts.get(r, 0))
    return f"excluded: {listed}" if listed else "none excluded"


def _agency_hint(exclusions: pd.DataFrame | None) -> str | None:
    """How to make agency answers match, when rows were excluded as ``unknown_agency``."""
    if exclusions is not None and not (exclusions["reason"] == "unknown_agency").any():
        return None
    return (
        "agency answers match an agency's name, id or survey_value (a code such as 1 matches "
        "1, 1.0 and a value label); check the agencies in the config against the answers"
    )


def clean_source(study: Study, source: SurveySource) -> CleanedSurvey:
    """Clean one survey file."""
    raw = read_source(study, source)
    name = study.relative(raw.path)
    agency = assign_agency(study, source, raw)
    blank_missing_codes(raw, source.missing_codes)
    suppressed = check_kept_identifiers(study, raw)
    ticked, values = code_items(study, raw)
    demographics, repairs = code_demographics(study, raw)
    duration = _role_numbers(raw, "duration_seconds")
    weight = survey_weights(raw, source.weight_column)
    data = ScreeningInput(
        raw=screened_answers(study, raw),
        items=ticked,
        agency_id=agency,
        email=_role(raw, "email"),
        duration=duration,
        submitted_at=_submitted(raw),
        keys=pd.concat([ticked, demographics, agency.rename("_agency")], axis=1),
        item_values=values,
        response_id=_role(raw, "response_id"),
        **completion(raw),
    )
    hits = screen(data, study.screening)
    del data, ticked  # their answers are moved in place into the responses below
    ledger = _ledger(hits, agency, name)
    analysed = raw.frame.index[~raw.frame.index.isin(hits.index[hits["action"] == "exclude"])]
    items = analysed_items(study, values, raw.frame.index.get_indexer(analysed))
    responses = build_responses(study, raw, analysed, agency, items, demographics, duration, weight)
    notes = [f"{name}: {note}" for note in [*raw.notes, *suppressed, *repairs]]
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


def screened_answers(study: Study, raw: RawSurvey) -> pd.DataFrame:
    """The consent and attention-check answers as the rules compare them: a coded answer
    with a value label (SPSS, Stata) as its label, so ``expected: Setuju`` matches code 4."""
    rules = study.screening
    columns = [a.column for a in rules.attention_checks]
    columns += [rules.consent.column] if rules.consent else []
    return pd.DataFrame(
        {column: labelled_answers(raw, column) for column in dict.fromkeys(columns)},
        index=raw.frame.index,
    )


def labelled_answers(raw: RawSurvey, column: str) -> pd.Series:
    """A column's answers with each code that has a value label replaced by its label and
    other codes written as numbers are (``1``, not ``1.0``); as exported without labels."""
    values = raw.frame[column]
    labels = {answer_key(code): label for code, label in raw.value_labels.get(column, {}).items()}
    if not labels:
        return values
    codes, texts = factorize_text(values)
    named = [labels.get(answer_key(text), answer_key(text)) for text in texts.tolist()]
    found = np.array([*named, None], dtype=object)[codes]
    return pd.Series(pd.array(found, dtype="string"), index=values.index, name=column)


def completion(raw: RawSurvey) -> dict[str, pd.Series | None]:
    """Qualtrics' ``status`` codes, ``progress`` and ``finished`` for the screening rules.

    The status is Qualtrics' (``Status``) only: Kobo's ``_validation_status`` and ODK's
    ``ReviewState`` are review marks, not response types, and are not screened.
    """
    status = raw.roles.get("status")
    qualtrics = status is not None and fold_header(status) == "status"
    progress = _role_numbers(raw, "progress")
    finished = raw.roles.get("finished")
    return {
        "status": status_codes(raw.frame[status], path=raw.path) if qualtrics else None,
        "progress": progress,
        "finished": finished_flags(raw.frame[finished], path=raw.path) if finished else None,
    }


def declared_columns(study: Study) -> dict[str, str]:
    """Answer columns the study keeps in ``responses`` (in some form) -> what they are
    declared as, e.g. ``demographic "gender"``."""
    declared = {i.column: f'item "{i.id}"' for c in study.constructs for i in c.items}
    declared.update({m.column: f'multi-select question "{m.id}"' for m in study.multi_select})
    declared.update({d.column: f'demographic "{d.id}"' for d in study.demographics})
    return declared


def check_kept_identifiers(study: Study, raw: RawSurvey) -> list[str]:
    """Keep identifiers out of every answer column the study keeps, in place.

    Items become numbers of their scale (any other text is an error), so the columns kept
    from what respondents wrote are the demographics and the multi-select questions (whose
    text decides the 0/1 columns). Each is checked, whatever its declared role: a column
    headed like an identifier whose answers are mostly unique
    (:func:`analysis.cleaning.privacy.check_declared_header`), or holding identifiers rather
    than answers (:func:`analysis.cleaning.privacy.suppress_identifiers`), is an InputError
    naming it; a few identifier cells are set to missing. A column both listed under
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
    kept = [(d.column, f'demographic "{d.id}"', d.type == "category") for d in study.demographics]
    kept += [(m.column, f'multi-select question "{m.id}"', True) for m in study.multi_select]
    notes = []
    for column, declared_as, category in kept:
        where = {"path": raw.path, "column": column, "declared_as": declared_as}
        values, note = privacy.suppress_identifiers(raw.frame[column], **where, category=category)
        privacy.check_declared_header(raw.frame[column], **where)
        if note is not None:
            raw.frame[column] = values
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
        {
            "source_file": study.relative(raw.path),
            "column": list(found),
            "reason": list(found.values()),
        },
        dtype="string",
    )


def read_source(study: Study, source: SurveySource) -> RawSurvey:
    """Read one survey file with its configured options and find the configured columns.

    A configured column may be named by its header or, where the export keeps question
    texts apart from the headers (Qualtrics' second header row, SPSS/Stata variable labels),
    by its question text (see :func:`name_columns_by_text`).
    """
    options = {
        "timezone": source.timezone or study.study.timezone,
        "date_order": source.date_order,
        "timestamp_column": source.timestamp_column,
        "id_column": source.id_column,
    }
    raw = read_survey(study.resolve(source.path), source.format, **options)
    name_columns_by_text(raw, configured_columns(study, source))
    if source.duration_column:
        use_duration_column(raw, source.duration_column)
    require_columns(study, source, raw)
    return raw


def configured_columns(study: Study, source: SurveySource) -> list[str]:
    """Every column of ``source`` the config names (answers, agency, screening, roles)."""
    columns = [i.column for c in study.constructs for i in c.items]
    columns += [d.column for d in study.demographics] + [m.column for m in study.multi_select]
    columns += [a.column for a in study.screening.attention_checks]
    columns += [study.screening.consent.column] if study.screening.consent else []
    optional = (source.agency_column, source.duration_column, source.weight_column)
    return columns + [c for c in optional if c]


def name_columns_by_text(raw: RawSurvey, columns: list[str]) -> None:
    """Rename the columns the config names by their question text to that text, in place.

    A configured name that is not a header is looked up among ``raw.question_text``
    (compared as folded headers: case and spacing do not count); the one column with that
    text is renamed, with its roles, labels and missing codes. Names that are headers, or
    that no question text has, are left for :func:`require_columns`.

    Raises
    ------
    InputError
        When several columns have the text (the config must name one by its header), or
        when the config names one column both by its header and by its text.
    """
    texts: dict[str, list[str]] = {}
    for column, text in raw.question_text.items():
        texts.setdefault(fold_header(text), []).append(column)
    renamed = {}
    for name in dict.fromkeys(columns):
        found = [] if name in raw.frame.columns else texts.get(fold_header(name), [])
        if len(found) > 1:
            raise InputError(
                "is the question text of several columns (" + ", ".join(found) + ")",
                path=raw.path,
                column=name,
                hint="name the column by its header instead",
            )
        if found and found[0] in columns:
            raise InputError(
                f'the config names column "{found[0]}" both by its header and by this question '
                "text",
                path=raw.path,
                column=name,
                hint="use one of the two",
            )
        if found:
            renamed[found[0]] = name
    if not renamed:
        return
    raw.frame = raw.frame.rename(columns=renamed)
    raw.roles = {role: renamed.get(column, column) for role, column in raw.roles.items()}
    for table in (raw.question_text, raw.value_labels, raw.missing_codes):
        for old, new in renamed.items():
            if old in table:
                table[new] = table.pop(old)
    raw.notes.append(
        f"{len(renamed)} configured column(s) found by their question text, e.g. "
        f'"{next(iter(renamed))}"'
    )


def require_columns(study: Study, source: SurveySource, raw: RawSurvey) -> None:
    """Raise InputError for the first configured column missing from the file."""
    for column in configured_columns(study, source):
        require_column(raw, column, "column")


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


def code_demographics(study: Study, raw: RawSurvey) -> tuple[pd.DataFrame, list[str]]:
    """Demographic and multi-select columns under their ids, and the repairs made.

    Numbers are read with :func:`analysis.cleaning.number_answers.read_number_answers`
    (``45 tahun`` -> 45, ranges as the demographic's ``ranges`` says), categories kept as
    strings (a coded answer as its value label, see :func:`labelled_answers`), and each
    multi-select question becomes one 0/1 column per option, named by the option
    (``followed__instagram``, see :meth:`analysis.config.MultiSelect.option_columns`), plus
    ``<id>__other`` (see :func:`analysis.io.google_forms.split_options`).

    Returns
    -------
    demographics : pandas.DataFrame
        Indexed by spreadsheet row.
    repairs : list of str
        Notes on answers read as numbers after a repair (counts and rows, never values).
    """
    out, repairs = {}, []
    for question in study.multi_select:
        split = split_options(raw.frame[question.column], question.options)
        split.columns = [*question.option_columns().values(), question.other_column]
        out.update(split.to_dict(orient="series"))
    for demo in study.demographics:
        values = raw.frame[demo.column]
        if demo.type == "number" or demo.brackets:
            out[demo.id], notes = read_number_answers(
                values, path=raw.path, column=demo.column, ranges=demo.ranges, variable=demo.id
            )
            repairs += notes
        else:
            named = labelled_answers(raw, demo.column)
            out[demo.id] = named.astype("string").str.strip().replace("", pd.NA)
    return pd.DataFrame(out, index=raw.frame.index), repairs


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
            else pd.Series(study.relative(raw.path) + ":" + rows.astype(str), index=rows)
        )
        ids = privacy.pseudonymize(basis, key)
    else:
        ids = privacy.row_ids(study.study.id, study.relative(raw.path), rows)
    fixed = pd.DataFrame(
        {
            "respondent_id": ids.array,
            "agency_id": agency.iloc[positions].array,
            "source_file": study.relative(raw.path),
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


def _role(raw: RawSurvey, role: str) -> pd.Series | None:
    """The column playing ``role`` (see :data:`analysis.io.raw.ROLES`), or None."""
    return raw.frame[raw.roles[role]] if role in raw.roles else None


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

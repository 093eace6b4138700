"""Codebook cleaning: raw survey exports -> ``responses`` and the exclusion ledger.

For each survey source: read it (any supported format), assign each row to an agency, code the
answers through the construct's answer scale, screen (consent, duplicates, speeders, attention,
straight-lining, careless, missing), drop direct identifiers, reverse-key items and keep the
columns the analyses need. Every raw row ends either in ``responses`` or in ``exclusions``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd

from analysis import privacy, tables
from analysis.config import Study, SurveySource
from analysis.errors import InputError
from analysis.io.detect import read_survey
from analysis.io.google_forms import parse_numbers
from analysis.io.raw import RawSurvey
from analysis.scales import normalize_label
from analysis.screening import ScreeningInput, screen


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
        ``source_file``, ``column``, ``reason``: identifier columns removed.
    notes : list of str
        Repairs and decisions worth reporting (e.g. a rule that could not run).
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
    path = study.resolve(source.path)
    options = {"timezone": source.timezone or study.study.timezone, "date_order": source.date_order}
    if source.duration_column:
        options["duration_column"] = source.duration_column
    raw = read_survey(path, source.format, **options)
    require_columns(study, source, raw)
    name = path.name
    agency = assign_agency(study, source, raw)
    ticked = code_items(study, raw)
    demographics = code_demographics(study, raw)
    duration = _role_numbers(raw, "duration_seconds")
    hits = screen(
        ScreeningInput(
            raw=raw.frame,
            items=ticked,
            agency_id=agency,
            email=raw.frame[raw.roles["email"]] if "email" in raw.roles else None,
            duration=duration,
            submitted_at=_submitted(raw),
            keys=pd.concat([ticked, demographics, agency.rename("_agency")], axis=1),
        ),
        study.screening,
    )
    ledger = _ledger(hits, agency, name)
    analysed = raw.frame.index.difference(hits.index[hits["action"] == "exclude"])
    identifiers = privacy.find_identifier_columns(raw.frame, study.privacy.identifier_columns)
    responses = build_responses(
        study, raw, analysed, agency, reverse_key(study, ticked), demographics, duration
    )
    notes = [f"{name}: {note}" for note in raw.notes]
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
        dropped_columns=pd.DataFrame(
            {"source_file": name, "column": list(identifiers), "reason": list(identifiers.values())}
        ),
        notes=notes,
    )


def require_columns(study: Study, source: SurveySource, raw: RawSurvey) -> None:
    """Raise InputError for the first configured column missing from the file."""
    needed = [i.column for c in study.constructs for i in c.items]
    needed += [d.column for d in study.demographics]
    needed += [source.agency_column] if source.agency_column else []
    if study.screening.consent:
        needed.append(study.screening.consent.column)
    needed += [a.column for a in study.screening.attention_checks]
    headers = [str(c) for c in raw.frame.columns]
    for column in needed:
        if column not in raw.frame.columns:
            close = difflib.get_close_matches(column, headers, n=1, cutoff=0.6)
            raise InputError(
                "the config names this column but the file has no such header",
                path=raw.path,
                row=1,
                column=column,
                hint=f'closest header: "{close[0]}"' if close else None,
            )


def assign_agency(study: Study, source: SurveySource, raw: RawSurvey) -> pd.Series:
    """Agency id per row (NA when the answer names no agency of the study)."""
    index = raw.frame.index
    if source.agency:
        return pd.Series(study.agency(source.agency).id, index=index, dtype="string")
    lookup = {normalize_label(a.survey_value or a.name): a.id for a in study.agencies}
    lookup.update({normalize_label(a.id): a.id for a in study.agencies})
    answers = raw.frame[source.agency_column].fillna("")
    return answers.map(lambda text: lookup.get(normalize_label(text))).astype("string")


def code_items(study: Study, raw: RawSurvey) -> pd.DataFrame:
    """Numeric answers per item id as ticked (before reverse keying), indexed by row."""
    coded = {}
    for construct in study.constructs:
        scale = study.scale(construct.scale)
        for item in construct.items:
            coded[item.id] = scale.code(raw.frame[item.column], path=raw.path, column=item.column)
    return pd.DataFrame(coded, index=raw.frame.index)


def reverse_key(study: Study, ticked: pd.DataFrame) -> pd.DataFrame:
    """Mirror reverse-keyed items on their scale: value -> min + max - value."""
    keyed = ticked.copy()
    for construct in study.constructs:
        scale = study.scale(construct.scale)
        for item in construct.items:
            if item.reverse:
                keyed[item.id] = scale.minimum + scale.maximum - keyed[item.id]
    return keyed


def code_demographics(study: Study, raw: RawSurvey) -> pd.DataFrame:
    """Demographic columns under their ids: numbers parsed, categories as strings."""
    out = {}
    for demo in study.demographics:
        values = raw.frame[demo.column]
        if demo.type == "number":
            out[demo.id] = parse_numbers(values, path=raw.path, column=demo.column)
        else:
            out[demo.id] = values.astype("string").str.strip().replace("", pd.NA)
    return pd.DataFrame(out, index=raw.frame.index)


def build_responses(study, raw, analysed, agency, items, demographics, duration) -> pd.DataFrame:
    """Assemble the ``responses`` table for the analysed rows."""
    rows = pd.Index(analysed)
    if study.privacy.action == "pseudonymize" and (key := privacy.load_key(study.privacy.key_env)):
        basis = (
            raw.frame[raw.roles["email"]]
            if "email" in raw.roles
            else pd.Series([f"{raw.path.name}:{r}" for r in raw.frame.index], index=raw.frame.index)
        )
        ids = privacy.pseudonymize(basis[rows], key)
    else:
        ids = privacy.row_ids(study.study.id, raw.path.name, rows)
    fixed = pd.DataFrame(
        {
            "respondent_id": ids.to_numpy(),
            "agency_id": agency[rows].to_numpy(),
            "source_file": raw.path.name,
            "source_row": rows.to_numpy(),
            "submitted_at": _submitted(raw)[rows].to_numpy(),
            "duration_seconds": (duration[rows].to_numpy() if duration is not None else pd.NA),
            "weight": 1.0,
        }
    )
    body = pd.concat([items.loc[rows], demographics.loc[rows]], axis=1).reset_index(drop=True)
    return tables.conform(pd.concat([fixed, body], axis=1), tables.RESPONSES_FIXED)


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
    return parse_numbers(values, path=raw.path, column=column)

"""Checking a study's raw files against its config before cleaning (`python -m analysis validate`).

Every source is read with the reader cleaning uses, so a file that passes is one ``clean`` can
read. Each survey file is read whole by :func:`analysis.cleaning.survey.read_source`; then every
column the config names must be a header (or, where the export keeps them, a question text), and
the first :data:`SAMPLE_ROWS` data rows are checked: the agency answers must name agencies of the
study (:func:`analysis.cleaning.agencies.assign_agency`), and the answers of every item must be
labels or values of its scale (:class:`analysis.cleaning.scales.AnswerScale`), after the
source's missing codes are blanked as cleaning blanks them. Each agency's engagement export is
read as its declared format by :func:`analysis.io.posts.platforms.read_posts`; a missing export
is listed as missing (cleaning skips it), not a problem.

An agency answer that names no agency is a problem when it is a typo of an agency's name, id or
``survey_value`` (:data:`TYPO_SIMILARITY`), or when some agency of the study is named by no
checked row (the coding does not match the file: all of it, or that agency's); otherwise it
names an agency outside the study ("Lainnya", a fourth code) and is a note, because cleaning then
rightly excludes the row as ``unknown_agency``.

Every problem is collected, not only the first: one source's problems do not stop the checks of
the others, and each configured column, agency answer and unknown label is its own problem (at
most :data:`MAX_LISTED` labels per column). Problems are :class:`~analysis.errors.InputError`
naming the file by its path from the study root, the row and the column.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cleaning.agencies import assign_agency
from analysis.cleaning.survey import (
    blank_missing_codes,
    check_range,
    configured_columns,
    labelled_answers,
    name_columns_by_text,
    read_source,
)
from analysis.config import Study, SurveySource
from analysis.errors import InputError
from analysis.io.labels import factorize_text, fold_label
from analysis.io.posts.platforms import read_posts
from analysis.io.raw import RawSurvey
from analysis.io.survey.detect import require_column, use_duration_column

SAMPLE_ROWS = 200
"""Data rows of each survey file whose answers are checked."""
MAX_LISTED = 5
"""Unknown labels listed per item column (the rest are counted in one more problem)."""
TYPO_SIMILARITY = 0.8
"""Least similarity (difflib ratio of the folded texts) of an agency answer to an agency's name,
id or ``survey_value`` for the answer to count as a typo of it: one or two letters off in a
name (``Sukamju`` for ``Sukamaju``: 0.99), while an answer for another agency (``Dinas lain``
against ``dinkes-kab``: 0.6) is not."""


@dataclass
class SourceCheck:
    """What :func:`validate_study` found for one source file.

    Attributes
    ----------
    kind : str
        ``survey`` or ``engagement``.
    path : str
        The file, relative to the study root.
    missing : bool
        Whether the file does not exist (a problem for a survey file; cleaning skips a missing
        engagement export).
    read : bool
        Whether the file could be read at all.
    format : str or None
        The format it was read as (detected when the config says ``auto``).
    rows : int
        Data rows read: survey responses, or posts of an engagement export.
    checked : int
        Survey rows whose answers were checked (at most :data:`SAMPLE_ROWS`).
    agencies : tuple of str
        Agency ids named in the checked rows (survey), or the export's agency.
    items_found : int
        Item columns of the config found in a survey file.
    items : int
        Item columns the config names.
    problems : list of InputError
        Everything that would stop ``clean`` or that cleaning would get wrong.
    notes : list of str
        What is worth knowing but not wrong (agency answers that are blank or name an agency
        outside the study).
    """

    kind: str
    path: str
    missing: bool = False
    read: bool = False
    format: str | None = None
    rows: int = 0
    checked: int = 0
    agencies: tuple[str, ...] = ()
    items_found: int = 0
    items: int = 0
    problems: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self, agencies: int) -> str:
        """One line: what was read, out of ``agencies`` agencies in the study."""
        where = f"{self.kind} {self.path}"
        if self.missing:
            return f"{where}: missing" + ("; clean skips it" if self.kind == "engagement" else "")
        if not self.read:
            return f"{where}: not read"
        what = f"{where} ({self.format}): {self.rows:,} "
        if self.kind == "engagement":
            return what + f"post{'s' if self.rows != 1 else ''} of {', '.join(self.agencies)}"
        return what + (
            f"rows, first {self.checked:,} checked; agencies {len(self.agencies)} of {agencies} "
            f"matched; items {self.items_found} of {self.items} found"
        )


@dataclass
class ValidationReport:
    """Everything :func:`validate_study` found, source by source.

    Attributes
    ----------
    config : Path
        The study config.
    agencies, constructs, hypotheses : int
        How many the config declares.
    sources : list of SourceCheck
        Survey files in config order, then engagement exports by source and agency.
    """

    config: Path
    agencies: int
    constructs: int
    hypotheses: int
    sources: list[SourceCheck]

    @property
    def problems(self) -> list[InputError]:
        """Every problem of every source, in source order."""
        return [problem for source in self.sources for problem in source.problems]

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def lines(self) -> list[str]:
        """The printed report: the config, one summary line per source, notes, a verdict."""
        head = [
            f"{self.config}: {self.agencies} agencies, {self.constructs} constructs, "
            f"{self.hypotheses} hypotheses"
        ]
        found = [source.summary(self.agencies) for source in self.sources]
        notes = [f"note: {note}" for source in self.sources for note in source.notes]
        count = len(self.problems)
        verdict = "valid: no problems found" if self.ok else f"{count} problem(s) found"
        return head + found + notes + [verdict]


def validate_study(study: Study, sample_rows: int = SAMPLE_ROWS) -> ValidationReport:
    """Check every source of ``study`` (see the module docstring); nothing is written.

    Parameters
    ----------
    study : Study
    sample_rows : int
        Data rows of each survey file whose answers are checked.

    Returns
    -------
    ValidationReport
    """
    sources = [check_survey(study, source, sample_rows) for source in study.survey]
    sources += [
        check_export(study, source.platform, source.format, agency_id, path)
        for source, agency_id, path in study.engagement_files()
    ]
    return ValidationReport(
        config=study.config_path,
        agencies=len(study.agencies),
        constructs=len(study.constructs),
        hypotheses=len(study.hypotheses),
        sources=sources,
    )


def check_survey(study: Study, source: SurveySource, sample_rows: int = SAMPLE_ROWS) -> SourceCheck:
    """Read one survey file; check its configured columns, agency answers and item labels."""
    path = study.resolve(source.path)
    check = SourceCheck("survey", study.relative(path), missing=not path.exists())
    check.items = sum(len(c.items) for c in study.constructs)
    if check.missing:
        check.problems.append(
            InputError(f"missing survey file (looked for {path.absolute()})", path=check.path)
        )
        return check
    try:
        raw = read_unchecked(study, source)
        name_columns_by_text(raw, configured_columns(study, source))
    except InputError as error:
        check.problems.append(_at(error, check.path))
        return check
    check.read, check.format, check.rows = True, raw.format, len(raw.frame)
    check.problems += _missing_columns(study, source, raw, check.path)
    sample = dataclasses.replace(raw, frame=raw.frame.head(sample_rows).copy())
    check.checked = len(sample.frame)
    if source.agency or source.agency_column in raw.frame.columns:
        _check_agencies(study, source, sample, check)
    blank_missing_codes(sample, source.missing_codes)
    for construct in study.constructs:
        scale = study.scale(construct.scale)
        for item in construct.items:
            if item.column in raw.frame.columns:
                check.items_found += 1
                check.problems += _labels_off_scale(sample.frame[item.column], scale, check.path)
    return check


def read_unchecked(study: Study, source: SurveySource) -> RawSurvey:
    """The survey file read as :func:`~analysis.cleaning.survey.read_source` reads it, without
    its stop at the first configured column that is missing.

    ``read_source`` is given copies of the study and source that name no column, so the file
    is read with exactly the options cleaning uses; the columns are checked afterwards, all of
    them (:func:`_missing_columns`).
    """
    rules = study.screening.model_copy(update={"consent": None, "attention_checks": []})
    bare_study = study.model_copy(
        update={"constructs": [], "demographics": [], "multi_select": [], "screening": rules}
    )
    bare_source = source.model_copy(
        update={"agency_column": None, "duration_column": None, "weight_column": None}
    )
    return read_source(bare_study, bare_source)


def check_export(study: Study, platform: str, fmt: str, agency_id: str, path: Path) -> SourceCheck:
    """Read one agency's engagement export as its declared format, as cleaning does."""
    check = SourceCheck(
        "engagement", study.relative(path), missing=not path.exists(), agencies=(agency_id,)
    )
    if check.missing:
        return check
    try:
        posts = read_posts(
            path,
            platform=platform,
            agency_id=agency_id,
            fmt=fmt,
            timezone=study.study.timezone,
            followers=study.agency(agency_id).followers.get(platform),
        )
    except InputError as error:
        check.problems.append(_at(error, check.path))
        return check
    check.read, check.format, check.rows = True, posts.attrs["format"], len(posts)
    return check


def _missing_columns(
    study: Study, source: SurveySource, raw: RawSurvey, relative: str
) -> list[InputError]:
    """One problem per configured column that is not in the file (with a did-you-mean hint);
    the duration column's values are checked too, as cleaning checks them."""
    problems = []
    for column in dict.fromkeys(configured_columns(study, source)):
        try:
            if column == source.duration_column:
                use_duration_column(raw, column)
            else:
                require_column(raw, column, "column")
        except InputError as error:
            problems.append(_at(error, relative))
    return problems


def _check_agencies(study: Study, source: SurveySource, sample: RawSurvey, check: SourceCheck):
    """Record the agencies the sample names; a problem per answer that is a typo of an agency,
    or one when no row names an agency, and a note for the other answers (see the module
    docstring)."""
    try:
        agency = assign_agency(study, source, sample)
    except InputError as error:
        check.problems.append(_at(error, check.path))
        return
    check.agencies = tuple(sorted(agency.dropna().unique()))
    if source.agency:
        return
    column = source.agency_column
    answers = labelled_answers(sample, column).astype("string").str.strip().fillna("")
    unmatched = answers[agency.isna() & answers.ne("")]
    known = {
        fold_label(name): name
        for a in study.agencies
        for name in (a.survey_value, a.name, a.id)
        if name is not None
    }
    others = []
    for answer, rows in unmatched.groupby(unmatched, sort=False).groups.items():
        typo = difflib.get_close_matches(fold_label(answer), known, n=1, cutoff=TYPO_SIMILARITY)
        if not typo:
            others.append(f'"{answer}" ({len(rows)})')
            continue
        check.problems.append(
            InputError(
                f'"{answer}" names no agency of the study ({len(rows)} of {check.checked} '
                "checked rows)",
                path=check.path,
                row=int(rows[0]),
                column=column,
                hint=f'did you mean "{known[typo[0]]}"?',
            )
        )
    unnamed = [a.id for a in study.agencies if a.id not in check.agencies]
    listed = ", ".join(others[:MAX_LISTED]) or "none"
    hint = f"answers naming none: {listed}; give each agency the name or survey_value the file uses"
    if check.checked and not check.agencies:
        check.problems.append(
            InputError(
                "no checked row names an agency of the study",
                column=column,
                path=check.path,
                hint=hint,
            )
        )
    elif others and unnamed:
        check.problems.append(
            InputError(
                f"no checked row names agency {', '.join(unnamed)}, while {len(unmatched)} name "
                "no agency of the study",
                path=check.path,
                column=column,
                hint=hint + " (--rows checks more rows)",
            )
        )
    elif others:
        check.notes.append(
            f"{check.path}: {len(unmatched)} of {check.checked} checked rows name no agency of the "
            f'study in "{column}" ({", ".join(others[:MAX_LISTED])}); cleaning excludes them as '
            "unknown_agency"
        )
    blank = int(answers.eq("").sum())
    if blank:
        check.notes.append(
            f'{check.path}: {blank} of {check.checked} checked rows leave "{column}" empty; '
            "cleaning excludes them as unknown_agency"
        )


def _labels_off_scale(answers: pd.Series, scale, relative: str) -> list[InputError]:
    """One problem per distinct answer that is not on ``scale`` (at most :data:`MAX_LISTED`)."""
    if pd.api.types.is_numeric_dtype(answers):
        try:
            check_range(answers, scale, relative, str(answers.name))
        except InputError as error:
            return [error]
        return []
    codes, texts = factorize_text(answers)
    table = scale.lookup()
    used = np.unique(codes[codes >= 0])
    unknown = [k for k in used if fold_label(texts[k]) not in table and fold_label(texts[k])]
    problems = [
        scale.unknown_label_error(
            texts[k],
            path=relative,
            row=int(answers.index[np.flatnonzero(codes == k)[0]]),
            column=str(answers.name),
        )
        for k in unknown[:MAX_LISTED]
    ]
    if len(unknown) > MAX_LISTED:
        problems.append(
            InputError(
                f"{len(unknown) - MAX_LISTED} more answers are not labels of scale {scale.name}",
                path=relative,
                column=str(answers.name),
            )
        )
    return problems


def _at(error: InputError, relative: str) -> InputError:
    """``error`` naming its file by the path from the study root."""
    return dataclasses.replace(error, path=relative)

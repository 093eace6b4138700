"""Study config models: the YAML file that describes a study, validated with clear errors.

The config is the study's pre-registration: sources, answer scales, constructs and items,
screening rules, privacy rules, engagement sources and confirmatory hypotheses. Every key is
documented in ``docs/config.md``. Relative paths in the config are relative to ``root``, which is
itself relative to the config file (default ``..``: configs live in the project's ``config/``).
"""

from __future__ import annotations

import hashlib
import os
import re
import typing
from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from analysis.cleaning.agencies import agency_lookup
from analysis.cleaning.scales import AnswerScale, builtin_scales, scale_from_mapping
from analysis.config.base import (
    SLUG,
    Action,
    Localized,
    Strict,
    VariableId,
    _closest,
    _iana_zone,
)
from analysis.config.hypotheses import Hypothesis, check_hypotheses
from analysis.config.scorecard import Scorecard
from analysis.errors import ConfigError
from analysis.io.labels import fold_label
from analysis.io.registry import COMMENT_FORMATS, POST_FORMATS, SURVEY_FORMATS
from analysis.tables import PLATFORMS


class StudyInfo(Strict):
    id: str
    title: Localized
    language: Literal["id", "en"] = "id"
    alpha: float = Field(0.05, gt=0, lt=1)
    seed: int = 20261123
    timezone: str = "Asia/Jakarta"
    synthetic: bool = False

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("use lower-case letters, digits and hyphens, e.g. dinas-kominfo-2026")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _iana_zone(value)


class Agency(Strict):
    id: str
    name: str
    survey_value: str | None = None
    followers: dict[str, float] = Field(default_factory=dict)
    handles: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        return StudyInfo._slug(value)

    @field_validator("survey_value", mode="before")
    @classmethod
    def _code_as_text(cls, value: object) -> object:
        """A code written as a number (``survey_value: 1``) is kept as its text, ``"1"``."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{value:g}"
        return value

    @field_validator("followers", "handles")
    @classmethod
    def _platforms(cls, value: dict) -> dict:
        unknown = set(value) - set(PLATFORMS)
        if unknown:
            raise ValueError(f"unknown platform {sorted(unknown)}; known: {', '.join(PLATFORMS)}")
        return value


class SurveySource(Strict):
    path: str
    format: str = "auto"
    agency_column: str | None = None
    agency: str | None = None
    timezone: str | None = None
    date_order: Literal["auto", "dmy", "mdy", "ymd"] = "auto"
    duration_column: str | None = None
    weight_column: str | None = None
    timestamp_column: str | None = None
    id_column: str | None = None
    missing_codes: list[str] = Field(default_factory=lambda: ["-99", "-98", "-999", "999"])

    @field_validator("missing_codes", mode="before")
    @classmethod
    def _as_text(cls, value: list) -> list[str]:
        return [str(v) for v in value]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return _iana_zone(value)

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        known = ["auto", *SURVEY_FORMATS]
        if value not in known:
            raise ValueError(
                f"unknown survey format {value!r}{_closest(value, known)}; "
                f"known: {', '.join(known)}"
            )
        return value

    @model_validator(mode="after")
    def _one_agency_rule(self) -> SurveySource:
        if (self.agency_column is None) == (self.agency is None):
            raise ValueError(
                "give exactly one of agency_column (a question naming the agency) "
                "or agency (all rows belong to one agency id)"
            )
        return self


class Item(Strict):
    id: VariableId
    column: str
    reverse: bool = False


class Construct(Strict):
    id: VariableId
    label: Localized
    scale: str
    items: list[Item] = Field(min_length=1)
    min_items: int | None = None

    def required_items(self) -> int:
        """Answered items needed for a score (default: at least half, rounded up)."""
        return self.min_items or -(-len(self.items) // 2)


class Demographic(Strict):
    """An answer column kept in ``responses``.

    ``ranges`` says what a range answer (``17-25``, ``40an``) to a ``number`` question gives:
    ``error`` (cleaning stops and lists the rows), ``midpoint`` (the range's midpoint, counted in
    the notes) or ``category`` (the answers are brackets: the demographic becomes a category
    whose values are the ranges, numbers placed in the range that holds them; see
    :mod:`analysis.cleaning.number_answers`).
    """

    id: VariableId
    column: str
    type: Literal["number", "category"] = "category"
    ranges: Literal["error", "midpoint", "category"] = "error"
    label: Localized | None = None

    @model_validator(mode="before")
    @classmethod
    def _ranges_need_numbers(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("ranges", "error") != "error":
            if data.get("type", "category") != "number":
                raise ValueError("ranges applies to number demographics only (type: number)")
            if data["ranges"] == "category":
                data = {**data, "type": "category"}  # brackets are categories in hypotheses
        return data

    @property
    def brackets(self) -> bool:
        """Whether the answers are number brackets kept as categories (``ranges: category``)."""
        return self.ranges == "category"


#: Column suffix of a multi-select question's "other" flag (text outside the listed options).
OTHER_SUFFIX = "other"


def option_slug(option: str) -> str:
    """The column-name part of a multi-select option: ``"Situs web, portal"`` ->
    ``situs_web_portal`` (folded, non-letters become ``_``; ``option`` if nothing is left)."""
    folded = fold_label(option)
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_") or "option"


class MultiSelect(Strict):
    """A checkbox question, kept as one 0/1 column per option plus an "other" flag."""

    id: VariableId
    column: str
    options: list[str] = Field(min_length=1)
    label: Localized | None = None

    @model_validator(mode="after")
    def _distinct_columns(self) -> MultiSelect:
        seen: dict[str, str] = {}
        for option in self.options:
            slug = option_slug(option)
            if slug == OTHER_SUFFIX:
                raise ValueError(
                    f'option {option!r} would be named like the "other" flag '
                    f"({self.id}__{OTHER_SUFFIX}, set when an answer holds text outside the "
                    "options); leave it out of options"
                )
            if slug in seen:
                raise ValueError(
                    f"options {seen[slug]!r} and {option!r} give the same column "
                    f"{self.id}__{slug}; make them differ in letters or digits"
                )
            seen[slug] = option
        return self

    def option_columns(self) -> dict[str, str]:
        """Option -> its 0/1 column in ``responses``, e.g. ``"Instagram"`` ->
        ``followed__instagram``."""
        return {option: f"{self.id}__{option_slug(option)}" for option in self.options}

    @property
    def other_column(self) -> str:
        """The 0/1 column set when an answer holds text outside the options."""
        return f"{self.id}__{OTHER_SUFFIX}"


class AttentionCheck(Strict):
    column: str
    expected: str
    action: Action = "exclude"


class ScreeningRule(Strict):
    action: Action = "exclude"


class ConsentRule(ScreeningRule):
    column: str
    accept: list[str]


class DuplicateRule(ScreeningRule):
    keys: list[Literal["email", "answers", "response_id"]] = ["email", "answers"]


class SpeederRule(ScreeningRule):
    min_seconds: float | None = Field(None, ge=0)
    min_fraction_of_median: float | None = Field(None, gt=0, lt=1)

    @model_validator(mode="after")
    def _default_limit(self) -> SpeederRule:
        if self.min_seconds is None and self.min_fraction_of_median is None:
            self.min_fraction_of_median = 0.3
        return self


class StraightlineRule(ScreeningRule):
    max_longstring_fraction: float = Field(1.0, gt=0, le=1)
    min_items: int = 8


class QualtricsStatusRule(ScreeningRule):
    """Qualtrics' ``Status``: previews and tests (reason ``preview``) and spam (``spam``)."""


class UnfinishedRule(ScreeningRule):
    """Responses that did not reach ``min_progress`` percent (Qualtrics ``Progress``; without
    it, ``Finished`` false)."""

    min_progress: float = Field(100, ge=0, le=100)


class CarelessRule(ScreeningRule):
    action: Action = "flag"
    mahalanobis_p: float = Field(0.001, gt=0, lt=1)


class MissingRule(ScreeningRule):
    max_missing_fraction: float = Field(0.5, ge=0, le=1)


class Screening(Strict):
    qualtrics_status: QualtricsStatusRule = QualtricsStatusRule()
    consent: ConsentRule | None = None
    unfinished: UnfinishedRule = UnfinishedRule()
    duplicates: DuplicateRule = DuplicateRule()
    speeders: SpeederRule = SpeederRule()
    attention_checks: list[AttentionCheck] = Field(default_factory=list)
    straightlining: StraightlineRule = StraightlineRule()
    careless: CarelessRule = CarelessRule()
    missing: MissingRule = MissingRule()


class Privacy(Strict):
    identifier_columns: list[str] = Field(default_factory=list)
    action: Literal["drop", "pseudonymize"] = "drop"
    key_env: str = "ANALYSIS_PSEUDONYM_KEY"


class Reporting(Strict):
    """Options of the reports (``reporting:`` in the config).

    Attributes
    ----------
    min_cell : int
        Small-cell protection k: a breakdown shows no group of fewer respondents (1 shows
        every group); see :mod:`analysis.reporting.small_cells`.
    small_n : int
        Analysed respondents below which a report's limitations name the small sample.
    """

    min_cell: int = Field(5, ge=1)
    small_n: int = Field(100, ge=0)


class CommentSource(Strict):
    """Where an engagement source's comment threads are (``path`` contains ``{agency}``)."""

    path: str
    format: str = "auto"

    @field_validator("path")
    @classmethod
    def _per_agency(cls, value: str) -> str:
        if "{agency}" not in value:
            raise ValueError("the path must contain {agency}, replaced by each agency id")
        return value

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        known = ["auto", *COMMENT_FORMATS]
        if value not in known:
            raise ValueError(
                f"unknown comment format {value!r}{_closest(value, known)}; "
                f"known: {', '.join(known)}"
            )
        return value


class EngagementSource(Strict):
    platform: str
    format: str = "auto"
    path: str
    comments: CommentSource | None = None

    @field_validator("platform")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in PLATFORMS:
            raise ValueError(f"unknown platform; known: {', '.join(PLATFORMS)}")
        return value

    @field_validator("path")
    @classmethod
    def _per_agency(cls, value: str) -> str:
        if "{agency}" not in value:
            raise ValueError("the path must contain {agency}, replaced by each agency id")
        return value

    @model_validator(mode="after")
    def _known_format(self) -> EngagementSource:
        known = ["auto", *POST_FORMATS]
        if self.format not in known:
            raise ValueError(
                f"format: unknown export format {self.format!r}"
                f"{_closest(self.format, known)}; known: {', '.join(known)}"
            )
        if self.format != "auto" and self.platform not in POST_FORMATS[self.format]:
            raise ValueError(
                f"format: a {self.format} export cannot hold platform {self.platform!r}; "
                f"expected {' or '.join(POST_FORMATS[self.format])}"
            )
        comments = self.comments.format if self.comments else "auto"
        if comments != "auto" and self.platform not in COMMENT_FORMATS[comments]:
            raise ValueError(
                f"comments.format: a {comments} export cannot hold platform {self.platform!r}; "
                f"expected {' or '.join(COMMENT_FORMATS[comments])}"
            )
        return self


class EngagementFile(typing.NamedTuple):
    """One agency's export for one engagement source (see :meth:`Study.engagement_files`)."""

    source: EngagementSource
    agency_id: str
    path: Path


class Study(Strict):
    """A validated study config. Build it with :func:`load_study`."""

    study: StudyInfo
    root: str = ".."
    agencies: list[Agency] = Field(min_length=1)
    survey: list[SurveySource] = Field(min_length=1)
    scales: dict[str, dict] = Field(default_factory=dict)
    constructs: list[Construct] = Field(min_length=1)
    demographics: list[Demographic] = Field(default_factory=list)
    multi_select: list[MultiSelect] = Field(default_factory=list)
    screening: Screening = Screening()
    privacy: Privacy = Privacy()
    engagement: list[EngagementSource] = Field(default_factory=list)
    hypotheses: list[Hypothesis] = Field(default_factory=list)
    codebook: typing.Any = None
    scorecard: Scorecard = Scorecard()
    reporting: Reporting = Reporting()

    @field_validator("codebook", mode="before")
    @classmethod
    def _codebook(cls, value: object) -> object:
        """The content codebook (``docs/codebook.md``), validated by its own model.

        Imported here, not at the top: the content package builds on the config's base models.
        """
        if value is None:
            return None
        from analysis.content.codebook import Codebook, load_codebook

        return value if isinstance(value, Codebook) else load_codebook(value)

    config_path: Path | None = Field(None, exclude=True)

    @model_validator(mode="after")
    def _cross_references(self) -> Study:
        _check_unique("agencies", [a.id for a in self.agencies])
        agency_lookup(self.agencies)
        _check_unique("constructs", [c.id for c in self.constructs])
        _check_unique("items", [i.id for c in self.constructs for i in c.items])
        _check_unique("hypotheses", [h.id for h in self.hypotheses])
        _check_unique(
            "variables (constructs, items, demographics, multi_select)",
            [c.id for c in self.constructs]
            + [i.id for _, i in self.items()]
            + [d.id for d in self.demographics]
            + [m.id for m in self.multi_select]
            + [
                c for m in self.multi_select for c in [*m.option_columns().values(), m.other_column]
            ],
        )
        known_scales = set(builtin_scales()) | set(self.scales)
        for index, construct in enumerate(self.constructs):
            if construct.scale not in known_scales:
                raise ValueError(
                    f"constructs[{index}].scale: unknown scale {construct.scale!r}"
                    f"{_closest(construct.scale, sorted(known_scales))}; "
                    f"known: {', '.join(sorted(known_scales))}"
                )
        check_hypotheses(
            self.hypotheses,
            self.constructs,
            self.demographics,
            items=[i.id for _, i in self.items()],
            categories=self.codebook_ids(),
        )
        return self

    @property
    def base_dir(self) -> Path:
        """Folder that relative paths in the config are relative to."""
        folder = self.config_path.parent if self.config_path else Path.cwd()
        return (folder / self.root).resolve()

    def resolve(self, relative: str) -> Path:
        """An absolute path for a path written in the config."""
        path = Path(relative)
        return path if path.is_absolute() else self.base_dir / path

    def relative(self, path: Path) -> str:
        """``path`` relative to the study root, with ``/`` separators (``../`` when outside)."""
        return Path(os.path.relpath(path, self.base_dir)).as_posix()

    def raw_files(self) -> list[Path]:
        """Every raw file the config points at that exists (surveys, then engagement exports)."""
        surveys = [self.resolve(s.path) for s in self.survey]
        return surveys + [f.path for f in self.engagement_files() if f.path.exists()]

    def agency(self, agency_id: str) -> Agency:
        """The agency with this id; ConfigError listing the known ids otherwise."""
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        known = ", ".join(a.id for a in self.agencies)
        raise ConfigError(
            f"no agency {agency_id!r} in the study; known: {known}", path=self.config_path
        )

    def scale(self, name: str) -> AnswerScale:
        """The answer scale by name: the study's own first, then the built-in ones."""
        if name in self.scales:
            return scale_from_mapping(name, self.scales[name])
        return builtin_scales()[name]

    def construct(self, construct_id: str) -> Construct:
        """The construct with this id."""
        return next(c for c in self.constructs if c.id == construct_id)

    def items(self) -> list[tuple[Construct, Item]]:
        """Every item with its construct, in config order."""
        return [(construct, item) for construct in self.constructs for item in construct.items]

    def engagement_files(self, agency_id: str | None = None) -> list[EngagementFile]:
        """The engagement export expected for each source and agency (existing or not).

        Only the literal ``{agency}`` in a source's ``path`` is replaced by the agency id;
        nothing else in the path is interpreted.
        """
        agencies = [self.agency(agency_id)] if agency_id else self.agencies
        return [
            EngagementFile(
                source=source,
                agency_id=agency.id,
                path=self.resolve(source.path.replace("{agency}", agency.id)),
            )
            for source in self.engagement
            for agency in agencies
        ]

    @property
    def weight_column(self) -> str | None:
        """``"weight"`` when a survey source names a weight column, else None."""
        return "weight" if any(s.weight_column for s in self.survey) else None

    def labels(self, lang: str) -> dict[str, str]:
        """Variable id -> readable label in ``lang`` (constructs, demographics, multi-selects,
        and each multi-select option column as ``<question label>: <option>``)."""
        found = {c.id: c.label.get(lang) for c in self.constructs}
        for variable in [*self.demographics, *self.multi_select]:
            found[variable.id] = variable.label.get(lang) if variable.label else variable.id
        other = {"id": "lainnya", "en": "other"}.get(lang, "other")
        for question in self.multi_select:
            for option, column in question.option_columns().items():
                found[column] = f"{found[question.id]}: {option}"
            found[question.other_column] = f"{found[question.id]}: {other}"
        return found

    def score_range(self, construct_id: str) -> tuple[float, float]:
        """Smallest and largest possible score of a construct (its answer scale's end points)."""
        values = self.scale(self.construct(construct_id).scale).values
        return float(min(values)), float(max(values))

    def codebook_ids(self) -> list[str]:
        """Category ids of the study's content codebook (the default codebook without one)."""
        if self.codebook is not None:
            return list(self.codebook.ids)
        from analysis.content.codebook import load_codebook

        return list(load_codebook().ids)

    def config_hash(self) -> str:
        """SHA-256 of the config file's bytes."""
        return hashlib.sha256(Path(self.config_path).read_bytes()).hexdigest()


def _check_unique(what: str, ids: list[str]) -> None:
    seen = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{what}: id {value!r} is used twice")
        seen.add(value)

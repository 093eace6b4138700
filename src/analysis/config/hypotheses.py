"""Confirmatory hypotheses in the study config (the pre-registration) and their checks.

A hypothesis names its family (which test), its variables (construct scores, number or category
demographics) and the expected direction. The checks here are about the config alone: every
variable exists and has a type the family can use; whether the data allow a verdict is decided
when the report runs.
"""

from __future__ import annotations

import datetime
from typing import Literal

from pydantic import Field, model_validator

from analysis.config.base import HypothesisId, Localized, Strict, _closest

#: Regression families (:func:`analysis.stats.regression`).
REGRESSION_FAMILIES = ("ols", "logit", "ordinal", "mixed")
#: Every family a hypothesis may declare.
FAMILIES = (
    *REGRESSION_FAMILIES,
    "group_comparison",
    "correlation",
    "mediation",
    "moderation",
    "sem",
    "count",
    "its",
)
#: Post-level variables (``level: post``): outcomes, and predictors besides codebook categories.
POST_OUTCOMES = ("likes", "comments", "shares", "interactions", "views")
POST_PREDICTORS = ("platform", "post_type", "weekend", "hour")
#: Agency-level variables (``level: agency``) besides construct ids (their agency means).
AGENCY_VARIABLES = (
    "engagement_index",
    "reply_rate",
    "posts_per_week",
    "median_hours_to_reply",
)
#: Methods of the ``group_comparison`` and ``correlation`` families.
GROUP_METHODS = ("auto", "welch", "anova", "kruskal", "chi2")
CORRELATION_METHODS = ("pearson", "spearman")


class Hypothesis(Strict):
    """One confirmatory hypothesis (see ``docs/config.md``, section ``hypotheses``)."""

    id: HypothesisId
    statement: Localized
    family: Literal[
        "ols",
        "logit",
        "ordinal",
        "mixed",
        "group_comparison",
        "correlation",
        "mediation",
        "moderation",
        "sem",
        "count",
        "its",
    ] = "ols"
    outcome: str
    predictors: list[str] = Field(min_length=1)
    controls: list[str] = Field(default_factory=list)
    mediators: list[str] = Field(default_factory=list)
    moderator: str | None = None
    cluster: str | None = None
    method: Literal["auto", "welch", "anova", "kruskal", "chi2", "pearson", "spearman"] | None = (
        None
    )
    model: str | None = Field(None, max_length=4000)
    expected: Literal["positive", "negative", "two_sided"] = "two_sided"
    level: Literal["respondent", "post", "agency"] = "respondent"
    intervention: datetime.date | None = None
    its_effect: Literal["level", "slope"] = "level"
    design: Literal["observational", "experimental"] = "observational"
    robust: Literal["none", "HC0", "HC1", "HC2", "HC3"] = "HC3"

    @model_validator(mode="after")
    def _family_needs(self) -> Hypothesis:
        where = f"{self.id} (family {self.family})"
        if self.family == "mediation" and not self.mediators:
            raise ValueError(f"{where}: name the mediator(s) in `mediators`")
        if self.family != "mediation" and self.mediators:
            raise ValueError(f"{where}: `mediators` is only used by family mediation")
        if self.family == "moderation" and not self.moderator:
            raise ValueError(f"{where}: name the moderator in `moderator`")
        if self.family != "moderation" and self.moderator:
            raise ValueError(f"{where}: `moderator` is only used by family moderation")
        if self.family == "mixed" and not self.cluster:
            raise ValueError(
                f"{where}: a mixed model needs `cluster`, the category whose groups get a "
                "random intercept"
            )
        if self.family == "sem" and not self.model:
            raise ValueError(
                f"{where}: write the model in lavaan syntax in `model`; `outcome ~ predictor` "
                "names the path that gives the verdict"
            )
        if self.family != "sem" and self.model:
            raise ValueError(f"{where}: `model` is only used by family sem")
        if (self.family in ("count", "its")) != (self.level == "post"):
            raise ValueError(
                f"{where}: families count and its are about posts: use them with level: post "
                "(and level: post only with them)"
            )
        if (self.family == "its") != (self.intervention is not None):
            raise ValueError(
                f"{where}: family its needs `intervention` (the programme's start date, "
                "YYYY-MM-DD), and only it takes one"
            )
        if self.level == "agency" and self.family != "correlation":
            raise ValueError(
                f"{where}: a hypothesis about agencies (level: agency) is a correlation "
                "across agencies: use family correlation"
            )
        allowed = {
            "group_comparison": GROUP_METHODS,
            "correlation": CORRELATION_METHODS,
        }.get(self.family, ())
        if self.method is not None and self.method not in allowed:
            hint = f"use one of {', '.join(allowed)}" if allowed else "leave it out"
            raise ValueError(f"{where}: method {self.method!r} does not apply; {hint}")
        single = ("group_comparison", "correlation", "mediation", "moderation", "sem", "its")
        if self.family in single and len(self.predictors) != 1:
            raise ValueError(f"{where}: name exactly one predictor (x)")
        if self.family in ("group_comparison", "correlation") and self.controls:
            raise ValueError(f"{where}: controls are not used by this family; leave them out")
        return self

    def variables(self) -> list[str]:
        """Every variable id the hypothesis names (outcome first; no duplicates)."""
        names = [self.outcome, *self.predictors, *self.mediators, *self.controls]
        names += [v for v in (self.moderator, self.cluster) if v]
        return list(dict.fromkeys(names))


def check_hypotheses(hypotheses, constructs, demographics, items=(), categories=()) -> None:
    """Every variable a hypothesis names exists and has a type the family can use.

    Parameters
    ----------
    hypotheses, constructs, demographics
        The config's lists.
    items
        Item ids (a ``sem`` model may name items as indicators).
    categories
        Content codebook category ids (post-level predictors: 1 when a post is coded so).

    Raises
    ------
    ValueError
        Naming the hypothesis (by position and id) and the variable, with the known ids.
    """
    variables = {c.id for c in constructs} | {d.id for d in demographics}
    content_categories = set(categories)
    categories = {d.id for d in demographics if d.type == "category"}
    for index, hyp in enumerate(hypotheses):
        if hyp.level != "respondent":
            _check_unit_variables(index, hyp, {c.id for c in constructs}, content_categories)
            continue
        latent = _latent_variables(hyp.model) if hyp.family == "sem" else set()
        for name in hyp.variables():
            if name not in variables | latent:
                raise ValueError(
                    f"hypotheses[{index}] ({hyp.id}) uses {name!r}, which is "
                    f"not a construct or demographic id"
                    f"{_closest(name, sorted(variables))}; "
                    f"known: {', '.join(sorted(variables))}"
                )
        _check_hypothesis_types(index, hyp, categories)
        if hyp.family == "sem":
            _check_sem_model(index, hyp, variables | set(items))


def _check_unit_variables(
    index: int, hyp: Hypothesis, constructs: set[str], content_categories: set[str]
) -> None:
    """Post- and agency-level hypotheses name variables of their unit."""
    where = f"hypotheses[{index}] ({hyp.id})"
    if hyp.level == "post":
        outcomes, predictors = set(POST_OUTCOMES), set(POST_PREDICTORS) | content_categories
        unit = "posts"
    else:
        outcomes = predictors = set(AGENCY_VARIABLES) | constructs
        unit = "agencies (agency means of constructs, engagement and replies)"
    if hyp.family == "its":
        outcomes |= {"posts"}
    checks = [("outcome", [hyp.outcome], outcomes)]
    if hyp.family == "its":
        checks.append(("predictor", hyp.predictors, {"intervention"}))
    else:
        checks.append(("predictors", [*hyp.predictors, *hyp.controls], predictors))
    for role, names, known in checks:
        for name in names:
            if name not in known:
                raise ValueError(
                    f"{where} uses {name!r} as {role}, which is not a variable of {unit}"
                    f"{_closest(name, sorted(known))}; known: {', '.join(sorted(known))}"
                )


def _check_hypothesis_types(index: int, hyp: Hypothesis, categories: set[str]) -> None:
    """Each family gets the variable types it can test, and a direction only where it means one."""
    where = f"hypotheses[{index}] ({hyp.id})"
    categorical_outcome = hyp.family in ("logit", "ordinal", "group_comparison")
    if hyp.outcome in categories and not categorical_outcome:
        raise ValueError(
            f"{where}: outcome {hyp.outcome!r} is a category; family {hyp.family} needs a "
            "construct or a number demographic (use logit, ordinal or group_comparison for a "
            "category outcome)"
        )
    if hyp.family == "group_comparison":
        group = hyp.predictors[0]
        if group not in categories:
            raise ValueError(
                f"{where}: the predictor of a group comparison names the groups, so "
                f"{group!r} must be a category demographic"
            )
        if hyp.expected != "two_sided":
            raise ValueError(
                f"{where}: a group comparison is tested two-sided; use expected: two_sided "
                "and say the expected order in the statement"
            )
        return
    numeric_only = [hyp.cluster] if hyp.cluster else []
    if hyp.family in ("correlation", "mediation", "moderation", "sem"):
        numeric_only = [*hyp.predictors, *hyp.mediators]
        numeric_only += [hyp.moderator] if hyp.moderator else []
        wrong = [v for v in numeric_only if v in categories]
        if wrong:
            raise ValueError(
                f"{where}: {wrong[0]!r} is a category; family {hyp.family} needs numbers "
                "(construct scores or number demographics)"
            )
    if hyp.cluster and hyp.cluster not in categories:
        raise ValueError(f"{where}: cluster {hyp.cluster!r} must be a category demographic")
    directional = [p for p in hyp.predictors if p in categories]
    if hyp.expected != "two_sided" and directional:
        raise ValueError(
            f"{where}: expected {hyp.expected!r} has no meaning for the category "
            f"{directional[0]!r} (its levels are compared with an F test); use two_sided"
        )


def _check_sem_model(index: int, hyp: Hypothesis, known: set[str]) -> None:
    """The lavaan model names known variables and contains the verdict path."""
    where = f"hypotheses[{index}] ({hyp.id})"
    lines = _model_lines(hyp.model)
    latent = _latent_variables(hyp.model)
    path = f"{hyp.outcome} ~ {hyp.predictors[0]}"
    paths = set()
    for line in lines:
        for op in ("=~", "~~", "~"):
            if op in line:
                left, right = line.split(op, 1)
                names = [left.strip()] + [t.strip() for t in right.split("+")]
                for name in names:
                    term = name.split("*")[-1].strip()
                    if term and term not in known | latent and not _is_number(term):
                        raise ValueError(
                            f"{where}: the model names {term!r}, which is not an item, "
                            f"construct or demographic id{_closest(term, sorted(known))}"
                        )
                if op == "~":
                    paths |= {f"{left.strip()} ~ {n.split('*')[-1].strip()}" for n in names[1:]}
                break
    if path not in paths:
        raise ValueError(f"{where}: the model has no path {path!r} (outcome ~ predictor)")


def _model_lines(model: str | None) -> list[str]:
    """The model's statements, comments and blank lines removed."""
    lines = [line.split("#", 1)[0].strip() for line in (model or "").splitlines()]
    return [line for line in lines if line]


def _latent_variables(model: str | None) -> set[str]:
    """Names the model defines as latent variables (left of ``=~``)."""
    return {line.split("=~", 1)[0].strip() for line in _model_lines(model) if "=~" in line}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True

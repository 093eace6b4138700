"""Confirmatory hypotheses in the study config (the pre-registration) and their checks."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from analysis.config.base import HypothesisId, Localized, Strict, _closest


class Hypothesis(Strict):
    id: HypothesisId
    statement: Localized
    family: Literal["ols"] = "ols"
    outcome: str
    predictors: list[str] = Field(min_length=1)
    controls: list[str] = Field(default_factory=list)
    expected: Literal["positive", "negative", "two_sided"] = "two_sided"
    level: Literal["respondent"] = "respondent"


def check_hypotheses(hypotheses, constructs, demographics) -> None:
    """Every variable a hypothesis names exists and has a type the model can use.

    Raises
    ------
    ValueError
        Naming the hypothesis (by position and id) and the variable, with the known ids.
    """
    variables = {c.id for c in constructs} | {d.id for d in demographics}
    categories = {d.id for d in demographics if d.type == "category"}
    for index, hyp in enumerate(hypotheses):
        for name in [hyp.outcome, *hyp.predictors, *hyp.controls]:
            if name not in variables:
                raise ValueError(
                    f"hypotheses[{index}] ({hyp.id}) uses {name!r}, which is "
                    f"not a construct or demographic id"
                    f"{_closest(name, sorted(variables))}; "
                    f"known: {', '.join(sorted(variables))}"
                )
        _check_hypothesis_types(index, hyp, categories)


def _check_hypothesis_types(index: int, hyp: Hypothesis, categories: set[str]) -> None:
    """The outcome is a number; a direction is only expected of numeric predictors."""
    where = f"hypotheses[{index}] ({hyp.id})"
    if hyp.outcome in categories:
        raise ValueError(
            f"{where}: outcome {hyp.outcome!r} is a category; the outcome of a regression "
            "must be a construct or a number demographic"
        )
    directional = [p for p in hyp.predictors if p in categories]
    if hyp.expected != "two_sided" and directional:
        raise ValueError(
            f"{where}: expected {hyp.expected!r} has no meaning for the category "
            f"{directional[0]!r} (its levels are compared with an F test); use two_sided"
        )

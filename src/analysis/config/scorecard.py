"""The ``scorecard`` block of the study config: which metrics stand for which principle.

The PermenPAN-RB 83/2012 scorecard (:mod:`analysis.stats.scorecard`) scores every agency 0-100
on the regulation's principles from agency-level metrics. The block says, per principle, which
metrics stand for it, in which direction and with which weight, and optionally fixed
thresholds to score a metric against instead of ranking the agencies; without the block the
statistics module's ``DEFAULT_MAPPING`` is used. ``docs/config.md`` documents it.

The principles and the metrics a study can name are listed here, not imported from the
statistics package, so that loading a config stays as light as it is (a test checks that the
lists agree with :mod:`analysis.stats.scorecard` and with the metric table cleaning writes).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from analysis.config.base import Strict, _closest

#: The six principles of PermenPAN-RB 83/2012, as :data:`analysis.stats.scorecard.PRINCIPLES`.
PRINCIPLES = ("credible", "integrity", "reliable", "responsive", "integrated", "representative")
#: Agency-level metrics of the ``agency_metrics`` table (rows with ``platform == "all"``) that a
#: scorecard may name, with what each measures.
METRICS = {
    "answered_share": "% of citizens' questions and complaints the agency answered",
    "median_hours_to_reply": "median hours from a question or complaint to the first reply",
    "reply_0_2h": "% of questions and complaints answered within 2 hours",
    "platforms_active": "platforms with at least one post in the study period",
    "weeks_active_share": "% of the study period's weeks with at least one post",
    "cross_posted_share": "% of posts whose topic is also posted on another platform",
    "engagement_index": "Bonsón E (per 1,000 followers), mean over the agency's platforms",
    "posts_per_week": "posts per week, summed over the agency's platforms",
}
_ENTRY_KEYS = ("metric", "direction", "weight")


class ScorecardMetric(Strict):
    """One metric standing for a principle."""

    metric: str
    direction: Literal["higher", "lower"] = "higher"
    weight: float = Field(1.0, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: object) -> object:
        if isinstance(data, dict):
            for key in data:
                if key not in _ENTRY_KEYS:
                    raise ValueError(
                        f"unknown key {key!r}{_closest(str(key), _ENTRY_KEYS)}; keys allowed "
                        f"here: {', '.join(_ENTRY_KEYS)}"
                    )
        return data

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(
                f"unknown metric {value!r}{_closest(value, list(METRICS))}; metrics available: "
                f"{', '.join(METRICS)}"
            )
        return value


class Scorecard(Strict):
    """The scorecard block: ``principles`` (default: the statistics module's mapping) and
    ``reference`` thresholds."""

    principles: dict[str, list[ScorecardMetric]] | None = None
    reference: dict[str, tuple[float, float]] = Field(default_factory=dict)

    @field_validator("principles")
    @classmethod
    def _known_principles(cls, value: dict | None) -> dict | None:
        if value is None:
            return value
        if not value:
            raise ValueError("name at least one principle, or leave `principles` out")
        for principle, entries in value.items():
            if principle not in PRINCIPLES:
                raise ValueError(
                    f"unknown principle {principle!r}{_closest(principle, PRINCIPLES)}; the "
                    f"principles of PermenPAN-RB 83/2012 are {', '.join(PRINCIPLES)}"
                )
            if not entries:
                raise ValueError(f"{principle}: list at least one metric")
            metrics = [entry.metric for entry in entries]
            if len(set(metrics)) < len(metrics):
                raise ValueError(f"{principle}: a metric is listed twice")
        return value

    @field_validator("reference")
    @classmethod
    def _thresholds_fit(cls, value: dict, info: ValidationInfo) -> dict:
        if "principles" not in info.data:  # the principles are wrong: that error is reported
            return value
        directions = {
            entry.metric: entry.direction
            for entries in (info.data.get("principles") or _default_principles()).values()
            for entry in entries
        }
        for metric, (zero, hundred) in value.items():
            if metric not in directions:
                raise ValueError(
                    f"{metric}: not a metric of the scorecard's principles "
                    f"({', '.join(directions)}); thresholds apply to those only"
                )
            if zero == hundred or (zero < hundred) != (directions[metric] == "higher"):
                raise ValueError(
                    f"{metric}: [{zero:g}, {hundred:g}] does not fit direction "
                    f"{directions[metric]}: write [value scoring 0, value scoring 100], the "
                    "second the better one"
                )
        return value

    def mapping(self) -> dict[str, list[dict]] | None:
        """Principle -> ``[{metric, direction, weight}]`` as
        :func:`analysis.stats.scorecard.scorecard` takes it; None for its default mapping."""
        if self.principles is None:
            return None
        return {
            principle: [entry.model_dump() for entry in entries]
            for principle, entries in self.principles.items()
        }

    def thresholds(self) -> dict[str, tuple[float, float]]:
        """Metric -> (value scoring 0, value scoring 100), as the statistics module takes them."""
        return dict(self.reference)


def _default_principles() -> dict[str, list[ScorecardMetric]]:
    """The statistics module's default mapping as config entries (for checking thresholds).

    Imported here, not at the top: the statistics package is heavy and most configs do not
    need it to load.
    """
    from analysis.stats.scorecard import DEFAULT_MAPPING

    return {
        principle: [ScorecardMetric(**entry) for entry in entries]
        for principle, entries in DEFAULT_MAPPING.items()
    }

"""Answer scales: turn the labels respondents picked into numbers.

A scale is an ordered list of labels (low to high) with their values. Matching ignores case,
spacing, accents, hyphens and punctuation (:func:`analysis.io.labels.fold_label`), so
``Ragu-Ragu``, ``ragu ragu`` and ``RAGU-RAGU.`` are the same label. An unknown label is an
error naming the closest known one. Ready-made scales for Bahasa Indonesia and English ship in
``analysis/cleaning/scales.yml``; a study config can add its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import numpy as np
import pandas as pd
import yaml
from pandas.arrays import FloatingArray

from analysis.errors import InputError, did_you_mean
from analysis.io.labels import factorize_text, fold_label


@dataclass(frozen=True)
class AnswerScale:
    """An ordered answer scale.

    Attributes
    ----------
    name : str
        Scale id used in the config (e.g. ``agree5_id``).
    labels : tuple of str
        Labels from lowest to highest.
    values : tuple of float
        Numeric value of each label (default 1..k).
    aliases : dict
        Extra label -> value (variants such as ``Kadang`` for ``Kadang-kadang``).
    missing : tuple of str
        Labels that mean "no answer" (e.g. ``Tidak tahu``) and become NA.
    """

    name: str
    labels: tuple[str, ...]
    values: tuple[float, ...] = ()
    aliases: dict = field(default_factory=dict)
    missing: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.values:
            object.__setattr__(
                self, "values", tuple(float(v) for v in range(1, len(self.labels) + 1))
            )
        if len(self.values) != len(self.labels):
            raise InputError(
                f"scale {self.name} has {len(self.labels)} labels but {len(self.values)} values"
            )

    @property
    def minimum(self) -> float:
        """Lowest value of the scale."""
        return min(self.values)

    @property
    def maximum(self) -> float:
        """Highest value of the scale."""
        return max(self.values)

    def lookup(self) -> dict[str, float]:
        """Normalized label -> value (NaN for missing labels); numeric strings map to themselves."""
        table = {fold_label(lab): val for lab, val in zip(self.labels, self.values, strict=True)}
        table.update({fold_label(lab): float(val) for lab, val in self.aliases.items()})
        table.update({fold_label(lab): np.nan for lab in self.missing})
        table.update({fold_label(f"{val:g}"): val for val in self.values})
        return table

    def code(
        self,
        answers: pd.Series,
        *,
        path=None,
        column: str | None = None,
        out: np.ndarray | None = None,
    ) -> pd.Series:
        """Map answer labels to numbers, vectorised over unique labels.

        Parameters
        ----------
        answers : pandas.Series
            Labels as exported, indexed by spreadsheet row; ``""``/NA mean no answer.
        path, column
            Named in the error for an unknown label.
        out : numpy.ndarray, optional
            Float array of ``len(answers)`` to write the values into (NaN for NA); the
            returned Series then holds it.

        Returns
        -------
        pandas.Series
            Float64 values (NA for no answer or a missing label).

        Raises
        ------
        InputError
            For the first unknown label: its row, column, the label and the closest known label.
        """
        codes, texts = factorize_text(answers)
        table = self.lookup()
        keys = [fold_label(text) for text in texts.tolist()] + [""]  # last: NA
        known = np.array([k in table or k == "" for k in keys], dtype=bool)
        if not known.all() and not known[codes].all():
            first = int(np.flatnonzero(~known[codes])[0])
            raise self.unknown_label_error(
                texts[codes[first]], path=path, row=int(answers.index[first]), column=column
            )
        values = np.array([table.get(k, np.nan) for k in keys], dtype=float)
        coded = np.take(values, codes, out=out, mode="wrap")  # NA (-1) takes the last value
        return pd.Series(FloatingArray(coded, np.isnan(coded)), index=answers.index, copy=False)

    def unknown_label_error(self, label: str, *, path, row, column) -> InputError:
        """Build the error for an unknown label, suggesting the closest known label."""
        if re.fullmatch(r"\s*-?\d+(?:[.,]\d+)?\s*", label):
            return InputError(
                f'"{label.strip()}" is not a value of scale {self.name} '
                f"({self.minimum:g} to {self.maximum:g})",
                path=path,
                row=row,
                column=column,
                hint="declare it in the source's missing_codes if it means no answer",
            )
        known = list(self.labels) + list(self.aliases) + list(self.missing)
        return InputError(
            f'"{label}" is not a label of scale {self.name}',
            path=path,
            row=row,
            column=column,
            hint=did_you_mean(label, known),
        )


@cache
def builtin_scales() -> dict[str, AnswerScale]:
    """The ready-made scales shipped with the package, by name."""
    text = files("analysis.cleaning").joinpath("scales.yml").read_text(encoding="utf-8")
    return {name: scale_from_mapping(name, spec) for name, spec in yaml.safe_load(text).items()}


def scale_from_mapping(name: str, spec: dict) -> AnswerScale:
    """Build an :class:`AnswerScale` from its config mapping (labels, values, aliases, missing)."""
    return AnswerScale(
        name=name,
        labels=tuple(spec["labels"]),
        values=tuple(float(v) for v in spec.get("values", ())),
        aliases=dict(spec.get("aliases", {})),
        missing=tuple(spec.get("missing", ())),
    )

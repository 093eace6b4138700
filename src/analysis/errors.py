"""Errors a researcher can act on: every message names the file, row and column at fault.

All problems with input data or configuration raise :class:`InputError` (or a subclass), never a
bare ``KeyError``/``ValueError`` from pandas. The CLI prints ``str(error)`` without a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path

from analysis.io.labels import fold_label

#: Least similarity (difflib ratio of the folded texts, 0 to 1) of a "did you mean" suggestion.
#: At 0.5 a typo such as ``scael`` or ``Stuju banget`` finds ``scale`` or ``Setuju``, while a
#: value unlike every known one gets no suggestion rather than a random one.
SUGGESTION_CUTOFF = 0.5


@dataclass
class InputError(Exception):
    """A problem in an input file or config that the user must fix.

    Parameters
    ----------
    message : str
        What is wrong and what was expected, in plain words.
    path : str or Path, optional
        The file at fault.
    row : int, optional
        1-based row number as a spreadsheet shows it (the header is row 1 for a one-header CSV).
    column : str, optional
        The column header (or config key path) at fault.
    hint : str, optional
        What to do about it (e.g. the closest known label).
    """

    message: str
    path: str | Path | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.path is not None:
            where.append(Path(self.path).name if Path(self.path).is_absolute() else str(self.path))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f'column "{self.column}"')
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class ConfigError(InputError):
    """The study config is invalid; ``column`` holds the key path, e.g. ``constructs[2].items``."""


def raise_first_bad(bad, values, *, path, column: str | None, what: str, hint: str | None = None):
    """Raise :class:`InputError` for the first cell where ``bad`` is True, if any.

    The message reads ``"<value>" <what>``. ``bad`` (booleans) and ``values`` are pandas Series
    on the same index of spreadsheet rows; an index label that is not a row number (e.g. an
    SPSS variable name) is reported without a row.
    """
    if not bad.any():
        return
    label = bad[bad].index[0]
    row = int(label) if isinstance(label, Integral) else None
    raise InputError(f'"{values.loc[label]}" {what}', path=path, row=row, column=column, hint=hint)


def did_you_mean(value: object, known) -> str | None:
    """The hint ``did you mean "x"?`` for the known name closest to ``value``, or None.

    Names are compared folded (:func:`analysis.io.labels.fold_label`: case, accents, spacing and
    punctuation do not count) and the suggestion is spelled as in ``known``. Nothing is
    suggested below :data:`SUGGESTION_CUTOFF` similarity.

    Parameters
    ----------
    value : object
        What the user wrote (a label, header, config key or name).
    known : iterable
        The names it should have been one of.

    Returns
    -------
    str or None
        E.g. ``did you mean "Sangat Setuju"?``; pass it as the ``hint`` of an
        :class:`InputError`.

    Examples
    --------
    >>> did_you_mean("Sangat Setju", ["Setuju", "Sangat Setuju"])
    'did you mean "Sangat Setuju"?'
    >>> did_you_mean("xyz", ["Setuju"]) is None
    True
    """
    spelled = {}
    for name in map(str, known):
        spelled.setdefault(fold_label(name), name)
    close = difflib.get_close_matches(fold_label(value), spelled, n=1, cutoff=SUGGESTION_CUTOFF)
    return f'did you mean "{spelled[close[0]]}"?' if close else None

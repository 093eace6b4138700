"""The complete cases of a path model (mediation, moderation) and the errors about them.

A researcher can act on each message: a column that is not in the data (with the closest
name), a column given two roles, a role column that is not a number, a column that does not
vary, and fewer complete rows than the model needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from analysis.errors import did_you_mean


def path_model_frame(
    data: pd.DataFrame, roles: Mapping[str, Sequence[str]], covariates: Sequence[str]
) -> pd.DataFrame:
    """The rows with every used column present, role columns as floats.

    Parameters
    ----------
    data : DataFrame
        One row per unit.
    roles : mapping
        Role (``"x"``, ``"m"``, ``"w"``, ``"y"``) -> its column(s). Role columns must be
        numbers (booleans count as 0/1) and vary in the complete rows.
    covariates : sequence of str
        Control columns, kept as they are (categories are dummy-coded later by
        :func:`analysis.stats.linear_models.design_matrix`); they too must vary.

    Returns
    -------
    pandas.DataFrame
        The complete rows (listwise deletion) of the role columns (float64) and covariates.

    Raises
    ------
    ValueError
        Naming the column at fault and what was expected.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    named = [(role, column) for role, columns in roles.items() for column in columns]
    named += [("covariate", column) for column in covariates]
    seen: dict[str, str] = {}
    for role, column in named:
        if column not in data.columns:
            hint = did_you_mean(column, data.columns)
            raise ValueError(
                f"{role} column {column!r} is not in the data" + (f" ({hint})" if hint else "")
            )
        if column in seen:
            raise ValueError(f"column {column!r} is given two roles: {seen[column]} and {role}")
        seen[column] = role
    for role, column in named[: len(named) - len(covariates)]:
        values = data[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            raise ValueError(
                f"{role} column {column!r} must hold numbers (found {values.dtype}); "
                "code categories as 0/1 columns"
            )
    frame = data[list(seen)].dropna()
    if len(frame) < 2:
        raise ValueError(f"only {len(frame)} rows have every one of {list(seen)}")
    for role, column in named:
        if frame[column].nunique() < 2:
            raise ValueError(
                f"{role} column {column!r} does not vary in the {len(frame)} complete rows"
            )
    role_columns = [column for role, column in named if role != "covariate"]
    return frame.astype(dict.fromkeys(role_columns, "float64"))


def require_rows(n_rows: int, n_coefficients: int, model: str) -> None:
    """Refuse a model that would have no residual degrees of freedom.

    Raises
    ------
    ValueError
        When ``n_rows <= n_coefficients``, naming the model and the rows it needs.
    """
    if n_rows <= n_coefficients:
        raise ValueError(
            f"{model} has {n_coefficients} coefficients but only {n_rows} complete rows; "
            f"it needs at least {n_coefficients + 1}"
        )

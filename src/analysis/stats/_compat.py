"""Shims that keep third-party statistics packages working with the libraries installed here.

factor-analyzer 0.5.1 validates its input with ``sklearn.utils.check_array(X,
force_all_finite=...)``. scikit-learn 1.6 renamed that argument ``ensure_all_finite`` and 1.8
removed the old name, so with a current scikit-learn every ``FactorAnalyzer.fit`` stops with
``TypeError: check_array() got an unexpected keyword argument 'force_all_finite'``.
:func:`patch_factor_analyzer` gives factor-analyzer's modules a ``check_array`` that passes the
value on under the new name. :mod:`analysis.stats.factor` applies it once, on import.

semopy 2.3 calls ``logging.info`` on the root logger when it is imported without graphviz,
which makes the logging module install a handler on the root logger (``basicConfig``). From
then on every library logger that propagates to the root prints there: a batch, whose client
imports the statistics, printed Dask's INFO messages on stderr. :func:`import_semopy` imports
it with that call going nowhere.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable
from types import ModuleType

#: factor-analyzer's modules that imported ``check_array`` from scikit-learn.
FACTOR_ANALYZER_MODULES = (
    "factor_analyzer.factor_analyzer",
    "factor_analyzer.confirmatory_factor_analyzer",
)


def patch_factor_analyzer() -> None:
    """Let factor-analyzer call scikit-learn's ``check_array`` with ``force_all_finite``.

    Replaces ``check_array`` in each module of :data:`FACTOR_ANALYZER_MODULES` by
    :func:`translate_force_all_finite` of it. Does nothing when scikit-learn still accepts
    ``force_all_finite`` (before 1.8), and nothing the second time.
    """
    from sklearn.utils import check_array

    if "force_all_finite" in inspect.signature(check_array).parameters:
        return
    for name in FACTOR_ANALYZER_MODULES:
        module = importlib.import_module(name)
        if not getattr(module.check_array, "translates_force_all_finite", False):
            module.check_array = translate_force_all_finite(module.check_array)


def translate_force_all_finite(check_array: Callable) -> Callable:
    """``check_array`` that accepts the pre-1.6 keyword ``force_all_finite``.

    Parameters
    ----------
    check_array : callable
        scikit-learn's ``check_array`` (1.6 or later).

    Returns
    -------
    callable
        The same function, with ``force_all_finite=v`` passed on as ``ensure_all_finite=v``;
        every other argument is passed on unchanged.
    """

    @functools.wraps(check_array)
    def check_array_with_old_keyword(*args, **kwargs):
        if "force_all_finite" in kwargs:
            kwargs["ensure_all_finite"] = kwargs.pop("force_all_finite")
        return check_array(*args, **kwargs)

    check_array_with_old_keyword.translates_force_all_finite = True
    return check_array_with_old_keyword


def import_semopy() -> ModuleType:
    """``import semopy`` without its import-time root-logger call configuring logging.

    Returns
    -------
    module
        ``semopy``.
    """
    root = logging.getLogger()
    silent = logging.NullHandler()
    root.addHandler(silent)  # basicConfig does nothing when the root has a handler
    try:
        return importlib.import_module("semopy")
    finally:
        root.removeHandler(silent)

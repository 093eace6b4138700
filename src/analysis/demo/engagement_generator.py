"""Synthetic post-level engagement for the demo agencies on Instagram, Facebook and YouTube.

Posts are spread over 1 May - 31 October 2026. Counts follow negative binomial draws whose means
scale with the agency's follower count: likes = followers x rate(platform) x post-type lift,
comments ~ 5 % of likes, shares ~ 8 % (Facebook 15 %), views and reach where the platform reports
them. Captions are Indonesian public-service announcements; one per agency carries characters
that must be escaped in HTML (``<``, ``&``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import Study
from analysis.tables import POSTS, conform

PLATFORM_SPEC = {
    # platform: (posts range, like rate, share share, post types, export format)
    "instagram": ((60, 120), 0.020, 0.08, ["IG image", "IG carousel", "IG reel"], "meta_instagram"),
    "facebook": ((50, 100), 0.008, 0.15, ["Photos", "Links", "Videos", "Text"], "meta_facebook"),
    "youtube": ((8, 25), 0.030, 0.02, ["Video"], "youtube_studio"),
}
TOPICS = [
    "Jadwal layanan keliling pekan ini",
    "Cara mengurus dokumen secara daring",
    "Pengumuman libur pelayanan",
    "Sosialisasi Zona Integritas menuju WBK",
    "Tips menghindari calo dan pungutan liar",
    "Hasil survei kepuasan masyarakat",
    "Kegiatan pelayanan di kecamatan",
    "Informasi pengaduan melalui SP4N-LAPOR!",
]


def agency_posts(
    study: Study, agency_id: str, platform: str, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw one agency's posts on one platform.

    Returns
    -------
    pandas.DataFrame
        Conforming to :data:`analysis.tables.POSTS` (``source_file``/``source_row`` empty).
    """
    (low, high), rate, share_rate, types, _ = PLATFORM_SPEC[platform]
    followers = study.agency(agency_id).followers[platform]
    n = int(rng.integers(low, high + 1))
    start = pd.Timestamp("2026-05-01 08:00", tz="Asia/Jakarta")
    offsets = np.sort(rng.integers(0, 183 * 86400, n))
    post_type = rng.choice(types, n)
    lift = np.where(pd.Series(post_type).str.contains("reel|Video", case=False), 1.8, 1.0)
    likes = _negbin(rng, followers * rate * lift, 2.0)
    posts = pd.DataFrame(
        {
            "agency_id": agency_id,
            "platform": platform,
            "post_id": [_post_id(rng, platform) for _ in range(n)],
            "published_at": (start + pd.to_timedelta(offsets, unit="s"))
            .tz_convert("UTC")
            .floor("min"),
            "post_type": post_type,
            "text": [f"{rng.choice(TOPICS)} #{agency_id.split('-')[0]}" for _ in range(n)],
            "likes": likes,
            "comments": _negbin(rng, likes * 0.05 + 0.2, 1.5),
            "shares": _negbin(rng, likes * share_rate + 0.1, 1.5),
            "views": _negbin(rng, likes * 25.0, 3.0) if platform != "facebook" else pd.NA,
            "reach": _negbin(rng, followers * 0.3 * lift, 3.0) if platform != "youtube" else pd.NA,
            "followers_at_post": float(followers),
        }
    )
    posts.loc[0, "text"] = "Layanan <24 jam> & informasi: cek bio kami"
    return conform(posts, POSTS)


def _negbin(rng: np.random.Generator, mean, dispersion: float) -> np.ndarray:
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mean))


def _post_id(rng: np.random.Generator, platform: str) -> str:
    if platform == "youtube":
        alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
        return "".join(rng.choice(alphabet, 11))
    return str(int(rng.integers(10**16, 10**17))) + str(int(rng.integers(10, 99)))

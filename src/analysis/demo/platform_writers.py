"""Write canonical posts as realistic platform exports (the inverse of the post readers).

The demo generator draws posts in the canonical :data:`analysis.tables.POSTS` shape and writes
them the way the platforms deliver them, so the demo exercises the real readers: verbatim headers
(export-format reference sections 5-8), the platforms' date formats in local time, ``"12,400"``
quoted thousands separators on the large counts, ``N/A`` for Meta metrics that do not apply,
UTF-8 BOM + CRLF for Meta Business Suite, the ``Total`` row under the YouTube header, and
``1.2K`` abbreviations in TikTok wherever the abbreviation is exact (so nothing is lost).

Columns the canonical table does not hold are derived deterministically from it (account IDs
from the agency id; ``Saves``, ``Follows``, video ``Duration``, ``Watch time (hours)``,
``Bookmarks`` ... from the counts), so output bytes depend only on the posts.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import InputError

#: Formats :func:`write_export` can write.
WRITABLE = ("meta_instagram", "meta_facebook", "youtube_studio", "x_new", "tiktok_studio")


def write_export(
    posts: pd.DataFrame, path: Path, fmt: str, *, timezone: str = "Asia/Jakarta"
) -> Path:
    """Write posts as an export file of format ``fmt``.

    Parameters
    ----------
    posts : pandas.DataFrame
        Canonical posts (:data:`analysis.tables.POSTS`) of one agency on one platform.
    path : Path
        File to write (parent folders must exist).
    fmt : str
        One of :data:`WRITABLE`.
    timezone : str
        Zone the export shows local times in (the reader's ``timezone`` must match).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    InputError
        For a format without a writer, or X/TikTok post IDs that are not all digits (the
        readers take those IDs from the permalink).
    """
    builders = {
        "meta_instagram": _meta_instagram,
        "meta_facebook": _meta_facebook,
        "youtube_studio": _youtube_studio,
        "x_new": _x_new,
        "tiktok_studio": _tiktok_studio,
    }
    if fmt not in builders:
        raise InputError(
            f'no writer for export format "{fmt}"',
            path=path,
            column="format",
            hint="writable: " + ", ".join(WRITABLE),
        )
    posts = posts.reset_index(drop=True)
    if fmt in ("x_new", "tiktok_studio") and not posts["post_id"].str.fullmatch(r"\d+").all():
        raise InputError(f"{fmt} post IDs must be digits", path=path, column="post_id")
    frame = builders[fmt](posts, timezone)
    meta = fmt.startswith("meta_")
    frame.to_csv(
        path,
        index=False,
        encoding="utf-8-sig" if meta or fmt == "x_new" else "utf-8",
        lineterminator="\r\n" if meta else "\n",
    )
    return Path(path)


def _meta_instagram(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Meta Business Suite Instagram content export (section 5.2 header)."""
    agency = _agency(posts)
    reel = posts["post_type"].fillna("").str.contains("reel", case=False)
    code = _shortcode(posts["post_id"])
    return pd.DataFrame(
        {
            "Post ID": posts["post_id"],
            "Account ID": _account_id(agency, "1784140"),
            "Account username": agency.replace("-", "."),
            "Account name": _title(agency),
            "Description": _caption(posts),
            "Duration (sec)": _plain(_duration(posts).where(reel)),
            "Publish time": _local(posts, timezone, "%m/%d/%Y %H:%M"),
            "Permalink": "https://www.instagram.com/" + _choose(reel, "reel/", "p/") + code + "/",
            "Post type": posts["post_type"].fillna(""),
            "Data comment": "",
            "Date": "Lifetime",
            "Views": _grouped(posts["views"], "N/A"),
            "Reach": _plain(posts["reach"], "N/A"),
            "Likes": _plain(posts["likes"], "N/A"),
            "Shares": _plain(posts["shares"], "N/A"),
            "Follows": _plain(posts["reach"] // 400, "N/A"),
            "Comments": _plain(posts["comments"], "N/A"),
            "Saves": _plain(posts["likes"] // 9, "N/A"),
        }
    )


def _meta_facebook(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """Meta Business Suite Facebook post export (section 5.1 core columns)."""
    agency = _agency(posts)
    page_id = _account_id(agency, "10")
    video = posts["post_type"].fillna("").str.contains("video|reel", case=False)
    total = posts["likes"] + posts["comments"] + posts["shares"]
    return pd.DataFrame(
        {
            "Post ID": posts["post_id"],
            "Page ID": page_id,
            "Page name": _title(agency),
            "Title": _caption(posts),
            "Description": "",
            "Duration (sec)": _plain(_duration(posts).where(video)),
            "Publish time": _local(posts, timezone, "%m/%d/%Y %H:%M"),
            "Caption type": "",
            "Permalink": f"https://www.facebook.com/{page_id}/"
            + _choose(video, "videos/", "posts/")
            + posts["post_id"],
            "Is crosspost": "No",
            "Is share": "No",
            "Post type": posts["post_type"].fillna(""),
            "Languages": "",
            "Custom labels": "",
            "Funded content status": "",
            "Data comment": "",
            "Date": "Lifetime",
            "Views": _grouped(posts["views"], "N/A"),
            "Reach": _grouped(posts["reach"], "N/A"),
            "Reactions, Comments and Shares": _grouped(total, "N/A"),
            "Reactions": _plain(posts["likes"], "N/A"),
            "Comments": _plain(posts["comments"], "N/A"),
            "Shares": _plain(posts["shares"], "N/A"),
        }
    )


def _youtube_studio(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """YouTube Studio ``Table data.csv`` with its ``Total`` row first (section 6)."""
    duration = _duration(posts)
    views = posts["views"]
    hours = (views.astype("Float64") * duration * 0.35 / 3600).round(4)
    counts = pd.DataFrame(
        {
            "Views": views,
            "Subscribers": views // 150,
            "Likes": posts["likes"],
            "Comments added": posts["comments"],
            "Shares": posts["shares"],
        }
    )
    body = pd.DataFrame(
        {
            "Content": posts["post_id"],
            "Video title": _caption(posts).str.replace("\n", " "),
            "Video publish time": _local(posts, timezone, "%b ")
            + posts["published_at"].dt.tz_convert(timezone).dt.day.astype("string")
            + _local(posts, timezone, ", %Y"),
            "Duration": _plain(duration),
            "Views": _grouped(views),
            "Watch time (hours)": hours.astype("string").fillna(""),
            **{name: _plain(counts[name]) for name in counts.columns if name != "Views"},
        }
    )
    total = {
        "Content": "Total",
        "Views": _grouped(pd.Series([views.sum()], dtype="Int64"))[0],
        "Watch time (hours)": str(round(float(hours.sum()), 4)),
    }
    total |= {
        name: str(counts[name].sum()) if counts[name].notna().any() else ""
        for name in counts.columns
        if name != "Views"
    }
    total_row = pd.DataFrame([{name: total.get(name, "") for name in body.columns}])
    return pd.concat([total_row, body], ignore_index=True)


def _x_new(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """New X account-analytics post export (section 7.2); ``Reposts`` carry the shares."""
    local = posts["published_at"].dt.tz_convert(timezone)
    handle = _handle(posts)
    zero = pd.Series(0, index=posts.index, dtype="Int64")
    bookmarks, link_shares = posts["likes"] // 12, posts["likes"] // 40
    expands, profile = posts["views"] // 60, posts["views"] // 250
    engagements = (
        posts["likes"]
        + posts["comments"]
        + posts["shares"]
        + bookmarks
        + link_shares
        + expands
        + profile
    )
    return pd.DataFrame(
        {
            "Post id": posts["post_id"],
            "Date": local.dt.strftime("%a, %b ")
            + local.dt.day.astype("string")
            + local.dt.strftime(", %Y"),
            "Post text": _caption(posts),
            "Post Link": f"https://x.com/{handle}/status/" + posts["post_id"],
            "Impressions": _grouped(posts["views"]),
            "Likes": _plain(posts["likes"]),
            "Engagements": _plain(engagements),
            "Bookmarks": _plain(bookmarks),
            "Shares": _plain(link_shares),
            "New follows": _plain(zero),
            "Replies": _plain(posts["comments"]),
            "Reposts": _plain(posts["shares"]),
            "Profile visits": _plain(profile),
            "Detail Expands": _plain(expands),
            "URL Clicks": _plain(zero),
            "Hashtag Clicks": _plain(zero),
            "Permalink Clicks": _plain(zero),
        }
    )


def _tiktok_studio(posts: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """TikTok Studio per-video export (section 8), abbreviating counts where exact."""
    return pd.DataFrame(
        {
            "Video title": _caption(posts),
            "Video link": f"https://www.tiktok.com/@{_handle(posts)}/video/" + posts["post_id"],
            "Post time": _local(posts, timezone, "%Y-%m-%d %H:%M:%S"),
            "Total likes": _abbreviated(posts["likes"]),
            "Total comments": _plain(posts["comments"]),
            "Total shares": _plain(posts["shares"]),
            "Total views": _abbreviated(posts["views"]),
        }
    )


def _plain(values: pd.Series, missing: str = "") -> pd.Series:
    """Whole numbers as digits; NA as ``missing``."""
    return values.astype("Int64").astype("string").fillna(missing)


def _grouped(values: pd.Series, missing: str = "") -> pd.Series:
    """Whole numbers with ``,`` between thousands (``12,400``); NA as ``missing``."""
    digits = values.astype("Int64").astype("string")
    return digits.str.replace(r"\B(?=(\d{3})+(?!\d))", ",", regex=True).fillna(missing)


def _abbreviated(values: pd.Series) -> pd.Series:
    """``1.2K`` / ``3M`` where that is exact, else grouped digits (TikTok style)."""
    values = values.astype("Int64")
    out = _grouped(values)
    for unit, suffix in ((1_000_000, "M"), (1_000, "K")):
        exact = (values >= unit) & (values % (unit // 10) == 0) & (values < unit * 1000)
        exact = exact.fillna(False)
        tenths = (values % unit) // (unit // 10)
        decimal = ("." + tenths.astype("string")).where(tenths.gt(0).fillna(False), "")
        out = out.mask(exact, (values // unit).astype("string") + decimal + suffix)
    return out


def _choose(condition: pd.Series, yes: str, no: str) -> pd.Series:
    """``yes`` where ``condition`` holds, else ``no``, as a string Series."""
    return pd.Series(
        np.where(condition.to_numpy(bool), yes, no), index=condition.index, dtype="string"
    )


def _local(posts: pd.DataFrame, timezone: str, pattern: str) -> pd.Series:
    """Publish times formatted in the export's local time zone."""
    return posts["published_at"].dt.tz_convert(timezone).dt.strftime(pattern).astype("string")


def _caption(posts: pd.DataFrame) -> pd.Series:
    """Post text, empty where missing."""
    return posts["text"].astype("string").fillna("")


def _duration(posts: pd.DataFrame) -> pd.Series:
    """A deterministic video length in seconds (30-600), derived from the counts."""
    seed = posts["likes"].fillna(0) * 7 + posts["comments"].fillna(0) * 13
    return (seed % 571 + 30).astype("Int64")


def _agency(posts: pd.DataFrame) -> str:
    """The single agency id of ``posts`` (``agency`` when empty)."""
    ids = posts["agency_id"].dropna().unique()
    return str(ids[0]) if len(ids) else "agency"


def _handle(posts: pd.DataFrame) -> str:
    """An account handle derived from the agency id."""
    return _agency(posts).replace("-", "_")[:15]


def _title(agency: str) -> str:
    """A display name derived from the agency id."""
    return agency.replace("-", " ").title()


def _account_id(agency: str, prefix: str) -> str:
    """A stable numeric account ID derived from the agency id."""
    digest = int(hashlib.sha256(agency.encode("utf-8")).hexdigest(), 16)
    return prefix + str(digest % 10**10).zfill(10)


def _shortcode(post_ids: pd.Series) -> pd.Series:
    """An Instagram-like 11-character permalink code derived from each post ID."""
    digits = post_ids.astype("string").str.replace(r"\D", "", regex=True).str[-11:].str.zfill(11)
    letters = digits.str.translate(str.maketrans("0123456789", "CDFGHJKLMN"))
    return "D" + letters.str[1:]

"""Read social-media post exports (Meta, YouTube, X, TikTok, CrowdTangle) into the posts table.

:func:`read_posts` reads one export file of one agency on one platform and returns a table
conforming to :data:`analysis.tables.POSTS`. The format is given or fingerprinted from the header
row (:func:`detect_format`); headers are matched through :data:`FORMATS`, an alias table compared
through :func:`analysis.io.labels.fold_label` (case, accents, BOM and spacing do not count).

Formats and what becomes of their columns
    ``meta_instagram``
        Meta Business Suite Instagram content CSV. ``Likes``/``Comments``/``Shares`` are used as
        they are, ``Views`` (older files: ``Impressions``) and ``Reach``; ``Saves`` is not used.
    ``meta_facebook``
        Business Suite Facebook post CSV. ``Reactions`` (all reaction types) become ``likes``;
        the text is ``Title``, falling back to ``Description``. ``Date`` holds the reporting
        period (``Lifetime``) on every row and is ignored.
    ``youtube_studio``
        YouTube Studio ``Table data.csv``, or the ZIP that Studio downloads (its
        ``Table data.csv`` is read; :mod:`analysis.io.posts.archive`). ``Chart data.csv`` and
        ``Totals.csv`` of that ZIP (one row per day, with a ``Date`` column) are refused. The
        ``Total`` row is left out and reported in ``attrs["skipped_rows"]``. ``Comments added``
        are the comments; ``Shares`` only where the export has the column; ``reach`` is NA.
        ``Subscribers`` (gained per video) is not a follower count and is not used.
    ``x_classic`` / ``x_new``
        X "Tweet activity" export and the 2024- account-analytics post export. Retweets /
        ``Reposts`` become ``shares`` (the new export's ``Shares`` column counts link/DM shares
        and is not used); ``replies`` are the comments; ``impressions`` become ``views``. The post
        ID is taken from the permalink (``/status/<id>``) because Excel mangles ``Tweet id``.
    ``tiktok_studio``
        TikTok Studio per-video export; the ID comes from ``Video link`` (``/video/<id>``).
    ``crowdtangle``
        CrowdTangle historical CSV (Facebook or Instagram). ``likes`` is the sum of all reaction
        columns present (``Likes``, ``Love``, ``Wow``, ``Haha``, ``Sad``, ``Angry``, ``Care``) to
        match Business Suite's ``Reactions``; ``followers_at_post`` is ``Followers at Posting``
        (older files: ``Likes at Posting``); the ID is taken from ``URL``.

Every file must be a post table: one row per post, with the format's post ID (or permalink) and
publish time columns and at least one post; anything else (a per-day table, a file of another
export, a header without posts) is an :class:`~analysis.errors.InputError` that names the file
and what was expected, never an empty table.

Text is stripped and its line endings become ``\\n``; empty text is NA. Times are read by
:func:`analysis.io.timestamps.parse_timestamps` with the export's formats and converted to UTC:
an explicit offset or zone (``+0000``, ``EDT``, ``WIB``) is respected; naive times and
date-only values (YouTube, new X) are local times in ``timezone``, with the daylight-saving rule
documented there. Slash dates are month-first
unless a value shows otherwise or the time header is a day-first language's. Aliases other than
the English headers come from localized exports cited in the export-format reference; the
Indonesian Meta headers there are *likely forms* not yet seen in a real file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import InputError, raise_first_bad
from analysis.io.files import open_input
from analysis.io.labels import fold_header
from analysis.io.numbers import parse_counts
from analysis.io.posts import archive
from analysis.io.text import TextTable, read_text_table
from analysis.io.timestamps import parse_timestamps
from analysis.tables import PLATFORMS, POSTS, check_table, conform

COUNTS = ("likes", "comments", "shares", "views", "reach")
TOTAL_LABELS = frozenset({"total", "totals", "jumlah", "total keseluruhan", "合计", "总计"})
#: Localized time headers whose UI writes day-first slash dates.
DAY_FIRST_HEADERS = frozenset({"horario de publicacao", "waktu publikasi", "hora de publicacion"})

_META_TIMES = (
    "{dm} %H:%M",
    "{dm} %H:%M:%S",
    "{dm} %I:%M %p",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
)
_EXCEL_NUMBER = r"^\d(?:[.,]\d+)?[eE]\+\d+$"


@dataclass(frozen=True)
class ExportFormat:
    """How one export format maps onto the posts table.

    Attributes
    ----------
    name : str
        Format id used in study configs.
    platforms : tuple of str
        Platforms the format can hold.
    fingerprint : tuple of str
        Roles whose headers must all be present for ``fmt="auto"`` to pick this format.
    required : tuple of tuple of str
        Groups of roles; at least one role of each group must be present.
    columns : dict
        Role -> accepted headers, English verbatim header first.
    times : tuple of str
        ``strftime`` formats tried in order for the publish time (``{dm}`` = slash date).
    link_id : str or None
        Regex whose group 1 takes the post ID from the permalink (preferred over the ID column).
    post_type : str or None
        Constant post type when the export has no type column.
    summed : frozenset of str
        Roles whose matched columns are added up instead of taking the first.
    per_day : dict
        Header -> what a file with it is, for the export's tables of one row per day, which
        share the post table's other headers (YouTube's ``Chart data.csv``).
    archive_member : str or None
        The post table's file name inside the ZIP the platform downloads.
    """

    name: str
    platforms: tuple[str, ...]
    fingerprint: tuple[str, ...]
    required: tuple[tuple[str, ...], ...]
    columns: dict[str, tuple[str, ...]]
    times: tuple[str, ...]
    link_id: str | None = None
    post_type: str | None = None
    summed: frozenset[str] = field(default_factory=frozenset)
    per_day: dict[str, str] = field(default_factory=dict)
    archive_member: str | None = None


_META_COMMON = {
    "post_id": ("Post ID", "Identificação da publicação", "ID Postingan"),
    "published_at": ("Publish time", "Horário de publicação", "Waktu publikasi"),
    "post_type": ("Post type", "Tipo de publicação", "Jenis postingan"),
    "permalink": ("Permalink", "Link permanente"),
    "comments": ("Comments", "Comentários", "Komentar"),
    "shares": ("Shares", "Compartilhamentos", "Dibagikan"),
    "views": ("Views", "Visualizações", "Tayangan", "Impressions"),
    "reach": ("Reach", "Alcance", "Jangkauan"),
}

FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "meta_instagram",
            ("instagram",),
            ("post_id", "account", "published_at"),
            (("post_id",), ("published_at",)),
            {
                **_META_COMMON,
                "account": ("Account username", "Nome de usuário da conta"),
                "text": ("Description", "Descrição", "Deskripsi"),
                "likes": ("Likes", "Curtidas"),
            },
            _META_TIMES,
        ),
        ExportFormat(
            "meta_facebook",
            ("facebook",),
            ("post_id", "account", "published_at"),
            (("post_id",), ("published_at",)),
            {
                **_META_COMMON,
                "account": ("Page ID",),
                "text": ("Title", "Título", "Judul", "Description", "Descrição", "Deskripsi"),
                "likes": ("Reactions", "Reações", "Reaksi", "Likes"),
            },
            _META_TIMES,
        ),
        ExportFormat(
            "youtube_studio",
            ("youtube",),
            ("post_id", "text", "published_at"),
            (("post_id",), ("published_at",)),
            {
                "post_id": ("Content",),
                "text": ("Video title", "Título del vídeo"),
                "published_at": ("Video publish time",),
                "likes": ("Likes",),
                "comments": ("Comments added",),
                "shares": ("Shares",),
                "views": ("Views", "Visualizaciones", "观看次数"),
            },
            ("%b %d, %Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d %b %Y"),
            post_type="Video",
            per_day={"Date": "YouTube Studio's Chart data.csv or Totals.csv (one row per day)"},
            archive_member="Table data.csv",
        ),
        ExportFormat(
            "x_classic",
            ("x",),
            ("post_id", "permalink", "published_at"),
            (("post_id", "permalink"), ("published_at",)),
            {
                "post_id": ("Tweet id",),
                "permalink": ("Tweet permalink",),
                "text": ("Tweet text",),
                "published_at": ("time",),
                "likes": ("likes",),
                "comments": ("replies",),
                "shares": ("retweets",),
                "views": ("impressions",),
            },
            ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"),
            link_id=r"/status(?:es)?/(\d+)",
        ),
        ExportFormat(
            "x_new",
            ("x",),
            ("post_id", "permalink", "published_at"),
            (("post_id", "permalink"), ("published_at",)),
            {
                "post_id": ("Post id",),
                "permalink": ("Post Link",),
                "text": ("Post text",),
                "published_at": ("Date",),
                "likes": ("Likes",),
                "comments": ("Replies",),
                "shares": ("Reposts",),
                "views": ("Impressions",),
            },
            ("%a, %b %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"),
            link_id=r"/status(?:es)?/(\d+)",
        ),
        ExportFormat(
            "tiktok_studio",
            ("tiktok",),
            ("permalink", "published_at"),
            (("permalink",), ("published_at",)),
            {
                "permalink": ("Video link", "Enlace del video", "Liên kết video"),
                "text": ("Video title", "Título del video", "Tiêu đề"),
                "published_at": ("Post time", "Hora de publicación"),
                "likes": ("Total likes", "Me gusta totales", "Lượt thích"),
                "comments": ("Total comments", "Comentarios totales"),
                "shares": ("Total shares", "Veces compartido"),
                "views": ("Total views", "Visualizaciones totales", "Lượt xem"),
                "reach": ("Reach",),
            },
            ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "{dm} %H:%M", "{dm} %H:%M:%S", "{dm}"),
            link_id=r"/(?:video|photo)/(\d+)",
            post_type="Video",
        ),
        ExportFormat(
            "crowdtangle",
            ("facebook", "instagram"),
            ("account", "published_at", "total"),
            (("permalink",), ("published_at",)),
            {
                "account": ("User Name",),
                "published_at": ("Post Created", "Created"),
                "total": ("Total Interactions",),
                "permalink": ("URL",),
                "post_type": ("Type",),
                "text": ("Message", "Description"),
                "likes": ("Likes", "Love", "Wow", "Haha", "Sad", "Angry", "Care"),
                "comments": ("Comments",),
                "shares": ("Shares",),
                "views": ("Post Views", "Views"),
                "followers": ("Followers at Posting", "Likes at Posting"),
            },
            ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"),
            link_id=r"/(?:posts|videos|p|reel|tv|permalink)/([^/?#]+)",
            summed=frozenset({"likes"}),
        ),
    )
}


def read_posts(
    path: str | Path,
    *,
    platform: str,
    agency_id: str,
    fmt: str = "auto",
    timezone: str = "Asia/Jakarta",
    followers: float | None = None,
) -> pd.DataFrame:
    """Read one platform export of one agency into the posts table.

    Parameters
    ----------
    path : str or Path
        The export file (CSV in any common encoding/delimiter), or a ZIP the platform
        downloads (YouTube Studio), whose post table is read.
    platform : str
        One of :data:`analysis.tables.PLATFORMS`; must be a platform the format holds.
    agency_id : str
        Written to every row.
    fmt : str
        A key of :data:`FORMATS`, or ``"auto"`` to fingerprint the header row.
    timezone : str
        IANA zone of naive publish times (Meta ``Publish time``, TikTok, date-only values).
    followers : float, optional
        Follower count used for ``followers_at_post`` where the export has none.

    Returns
    -------
    pandas.DataFrame
        Exactly the :data:`analysis.tables.POSTS` columns: ``agency_id``, ``platform``,
        ``post_id``, ``published_at`` (UTC), ``post_type``, ``text``, ``likes``, ``comments``,
        ``shares``, ``views``, ``reach`` (Int64, NA where not exported), ``followers_at_post``,
        ``source_file`` (file name), ``source_row`` (spreadsheet row of the CSV, or of the
        ZIP's member). ``attrs`` holds ``format``, ``encoding``, ``member`` (the ZIP member
        read, None for a CSV) and ``skipped_rows``, a list of ``(source_row, reason)`` for rows
        left out (``total row``, ``duplicate post id``), and ``notes`` (e.g. that ``path`` is a
        symbolic link, and to what).

    Raises
    ------
    InputError
        Unknown or undetectable format, platform mismatch, a file that is not a post table
        (missing ID or time column, a per-day table, no posts; a ZIP without the post table),
        or a value that cannot be read (naming file, ZIP member, row and column).
    """
    path = Path(path)
    source = open_input(path)
    options = {"platform": platform, "agency_id": agency_id, "fmt": fmt, "timezone": timezone}
    if not source.zipped:
        out = _read_post_table(path, read_text_table(path), followers=followers, **options)
    else:
        member = archive.find_member(path, _zipped_exports(fmt))
        with archive.extracted(path, member) as copy:
            try:
                table = read_text_table(copy)
                out = _read_post_table(path, table, followers=followers, **options)
            except InputError as error:
                raise archive.in_member(error, path, member) from None
    out.attrs.update(member=member if source.zipped else None, notes=source.notes)
    return out


def _read_post_table(
    path: Path,
    table: TextTable,
    *,
    platform: str,
    agency_id: str,
    fmt: str,
    timezone: str,
    followers: float | None,
) -> pd.DataFrame:
    """:func:`read_posts` for a table read from ``path`` (``attrs`` without ``notes``)."""
    spec = _choose_format(table.frame.columns, fmt, platform, path)
    cols = _resolve_columns(spec, table.frame.columns)
    _check_post_table(spec, cols, table.frame.columns, path)
    frame, skipped = _drop_total_rows(table.frame, cols, spec)
    _check_has_posts(frame, skipped, path)
    posts = _extract(frame, spec, cols, path, timezone)
    posts, duplicates = _drop_duplicates(posts)
    if followers is not None:
        posts["followers_at_post"] = posts["followers_at_post"].fillna(float(followers))
    posts = posts.assign(
        agency_id=agency_id,
        platform=platform,
        source_file=path.name,
        source_row=posts.index.to_numpy(dtype="int64"),
    )
    out = conform(posts.reset_index(drop=True), POSTS)[list(POSTS)]
    check_table(out, POSTS, "posts")
    out.attrs.update(
        format=spec.name, encoding=table.encoding, skipped_rows=sorted(skipped + duplicates)
    )
    return out


def _zipped_exports(fmt: str) -> dict[str, str]:
    """Post-table member name -> export, for the formats ``fmt`` allows that come zipped."""
    return {
        spec.archive_member: f"a {spec.name} download"
        for spec in FORMATS.values()
        if spec.archive_member and fmt in ("auto", spec.name)
    }


def detect_format(headers, path: str | Path | None = None) -> str:
    """Return the format whose fingerprint headers all appear in ``headers``.

    Raises
    ------
    InputError
        When no format matches, listing each format tried and the headers it lacked.
    """
    headers = list(headers)
    tried = []
    for spec in FORMATS.values():
        cols = _resolve_columns(spec, headers)
        missing = [spec.columns[role][0] for role in spec.fingerprint if role not in cols]
        if not missing:
            return spec.name
        tried.append(f"{spec.name} (lacks {', '.join(missing)})")
    raise InputError(
        "the header row matches no known post export format; tried " + "; ".join(tried),
        path=path,
        row=1,
        column=headers[0] if headers else None,
        hint="pass the format explicitly or check that this is a post-level export",
    )


def _choose_format(headers, fmt: str, platform: str, path: Path) -> ExportFormat:
    """Resolve ``fmt`` (or detect it) and check that it can hold ``platform``."""
    if fmt == "auto":
        fmt = detect_format(headers, path)
    if fmt not in FORMATS:
        raise InputError(
            f'unknown export format "{fmt}"',
            path=path,
            column="format",
            hint="known: auto, " + ", ".join(FORMATS),
        )
    spec = FORMATS[fmt]
    if platform not in PLATFORMS or platform not in spec.platforms:
        raise InputError(
            f'a {fmt} export cannot hold platform "{platform}"',
            path=path,
            column="platform",
            hint="expected " + " or ".join(spec.platforms),
        )
    return spec


def _resolve_columns(spec: ExportFormat, headers) -> dict[str, list[str]]:
    """Map each role to the file's headers that match its aliases, in alias order."""
    lookup: dict[str, str] = {}
    for header in headers:
        lookup.setdefault(fold_header(header), header)
    found = {}
    for role, aliases in spec.columns.items():
        names = [lookup[key] for key in (fold_header(a) for a in aliases) if key in lookup]
        if names:
            found[role] = list(dict.fromkeys(names))
    return found


def _check_post_table(spec: ExportFormat, cols: dict, headers, path: Path) -> None:
    """Raise InputError unless the headers are those of a post table of ``spec``.

    A per-day table of the export (:attr:`ExportFormat.per_day`) is named as such; otherwise
    the message names every required column the file lacks, with the accepted headers.
    """
    found = {fold_header(header): header for header in headers}
    for header, what in spec.per_day.items():
        if fold_header(header) in found:
            raise InputError(
                f"is {what}, not a {spec.name} post table (one row per post)",
                path=path,
                row=1,
                column=found[fold_header(header)],
                hint=f"give {spec.archive_member or 'the post table'}, or the ZIP it came in",
            )
    missing = [group for group in spec.required if not any(role in cols for role in group)]
    if not missing:
        return
    names = [spec.columns[group[0]][0] for group in missing]
    wanted = [alias for group in missing for role in group for alias in spec.columns[role]]
    raise InputError(
        f"is not a {spec.name} post table: a {spec.name} export needs the "
        f"{' and '.join(names)} column{'s' if len(names) > 1 else ''}",
        path=path,
        row=1,
        column=names[0],
        hint=f"accepted headers: {', '.join(wanted)}; found: {', '.join(headers)}",
    )


def _check_has_posts(frame: pd.DataFrame, skipped: list, path: Path) -> None:
    """Raise InputError when no row of the table is a post."""
    if not frame.empty:
        return
    raise InputError(
        f"holds no posts (only its header row{' and a total row' if skipped else ''}); expected "
        "one row per post",
        path=path,
        hint="if the account published nothing in the period, leave the file out: a missing "
        "export is skipped, and `validate` lists it",
    )


def _drop_total_rows(frame: pd.DataFrame, cols: dict, spec: ExportFormat):
    """Remove summary rows (``Total``) and return them as ``(row, reason)`` pairs."""
    key = cols.get("post_id", cols.get("permalink", [frame.columns[0]]))[0]
    ident = frame[key].fillna("").str.strip().str.casefold()
    first = frame[frame.columns[0]].fillna("").str.strip().str.casefold()
    total = ident.isin(TOTAL_LABELS) | ((ident == "") & first.isin(TOTAL_LABELS))
    return frame[~total], [(int(row), "total row") for row in frame.index[total]]


def _drop_duplicates(posts: pd.DataFrame):
    """Keep the first row of each post ID; return the others as ``(row, reason)`` pairs."""
    repeated = posts["post_id"].duplicated(keep="first")
    return posts[~repeated], [(int(row), "duplicate post id") for row in posts.index[repeated]]


def _extract(
    frame: pd.DataFrame, spec: ExportFormat, cols: dict, path: Path, timezone: str
) -> pd.DataFrame:
    """Build the canonical post columns from the export's columns (index = source row)."""
    out = pd.DataFrame(index=frame.index)
    out["post_id"] = _post_ids(frame, spec, cols, path)
    time_col = cols["published_at"][0]
    order = "dmy" if fold_header(time_col) in DAY_FIRST_HEADERS else "mdy"
    raise_first_bad(
        frame[time_col].fillna("").str.strip() == "",
        frame[time_col],
        path=path,
        column=time_col,
        what="is not a publish time: the post has none",
        hint="re-export the file; every post has a publish time",
    )
    out["published_at"] = parse_timestamps(
        frame[time_col],
        timezone,
        path=path,
        column=time_col,
        formats=spec.times,
        default_order=order,
    )
    out["post_type"] = (
        _text(frame, cols, "post_type")
        if spec.post_type is None
        else pd.Series(spec.post_type, index=frame.index, dtype="string")
    )
    out["text"] = _text(frame, cols, "text").str.replace(r"\r\n?", "\n", regex=True)
    for role in COUNTS:
        out[role] = _count(frame, cols, role, role in spec.summed, path)
    out["followers_at_post"] = _count(frame, cols, "followers", False, path).astype("Float64")
    return out


def _text(frame: pd.DataFrame, cols: dict, role: str) -> pd.Series:
    """First non-empty stripped value across the role's columns (NA when none)."""
    out = pd.Series(pd.NA, index=frame.index, dtype="string")
    for name in cols.get(role, []):
        value = frame[name].fillna("").str.strip()
        out = out.fillna(value.where(value != ""))
    return out


def _count(frame: pd.DataFrame, cols: dict, role: str, summed: bool, path: Path) -> pd.Series:
    """Parse the role's count column (or the sum of its columns); NA when absent."""
    names = cols.get(role, [])[: None if summed else 1]
    if not names:
        return pd.Series(pd.NA, index=frame.index, dtype="Int64")
    parsed = [parse_counts(frame[name], path=path, column=name) for name in names]
    return pd.concat(parsed, axis=1).sum(axis=1, min_count=1).astype("Int64")


def _post_ids(frame: pd.DataFrame, spec: ExportFormat, cols: dict, path: Path) -> pd.Series:
    """Post IDs as strings: from the permalink where the format allows, else the ID column."""
    ident = _text(frame, cols, "post_id")
    column = cols.get("post_id", cols.get("permalink"))[0]
    if spec.link_id and "permalink" in cols:
        link = _text(frame, cols, "permalink")
        ident = link.str.extract(spec.link_id, expand=False).astype("string").fillna(ident)
        if "post_id" not in spec.columns:
            ident = ident.fillna(link)
    problems = {
        "has no post ID": ident.isna(),
        "holds a post ID mangled by Excel": ident.str.match(_EXCEL_NUMBER).fillna(False),
    }
    for message, bad in problems.items():
        raise_first_bad(
            bad,
            frame[column],
            path=path,
            column=column,
            what=message,
            hint="re-export the file and do not save it from Excel",
        )
    return ident

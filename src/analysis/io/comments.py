"""Read comment threads (generic CSV, Meta, YouTube, X) into the canonical comments table.

:func:`read_comments` reads one comment file of one agency on one platform and returns a table
conforming to :data:`COMMENTS`: one row per comment or reply, with the thread structure
(``parent_id``), whether the agency wrote it (``is_agency``), its time in UTC and its text, and
no name or handle of any citizen. The format is given or fingerprinted from the header row
(:func:`detect_comment_format`); headers are matched through :data:`FORMATS`, compared by
:func:`analysis.io.labels.fold_header` (case, BOM and spacing do not count). The platforms give
no comment download in their analytics exports, so the shapes read here are those of the
tools researchers use to collect comments; ``docs/comments.md`` lists each one's columns.

Formats
    ``generic``
        The documented comments CSV (``docs/comments.md``): ``post_id``, ``comment_id``,
        ``parent_id`` (empty for a comment on the post), ``author``, ``is_agency`` (1/0,
        true/false, yes/no, ya/tidak; empty = no), ``created_at``, ``text``, ``likes``; the
        Indonesian headers ``id_postingan``, ``id_komentar``, ``id_induk``, ``penulis``,
        ``oleh_instansi``, ``waktu``, ``teks``, ``suka`` are accepted too. Slash dates are
        day-first unless a value shows otherwise.
    ``meta_comments``
        Facebook and Instagram comments as Graph API collectors write them: the widely forked
        Facebook page scraper (``comment_id, status_id, parent_id, comment_message,
        comment_author, comment_published, num_reactions``; ``comment_published`` is a naive
        local time) and flattened Graph API fields (``id, message``/``text``, ``created_time``/
        ``timestamp`` with ``+0000``, ``from.name``/``username``, ``parent_id``, ``media_id``).
    ``youtube_comments``
        YouTube Data API v3 ``comments``/``commentThreads`` flattened (``id``, ``videoId``,
        ``parentId``, ``authorDisplayName``, ``authorChannelId``, ``channelId``,
        ``textOriginal`` or the HTML ``textDisplay``, ``likeCount``, ``publishedAt`` in UTC).
        A comment whose author channel is the video's channel is the agency's.
    ``x_replies``
        A conversation collected with twarc2 and converted by ``twarc2 csv`` (``id``,
        ``conversation_id``, ``referenced_tweets.replied_to.id``, ``author.username``,
        ``author.name``, ``author_id``, ``created_at``, ``text``,
        ``public_metrics.like_count``). The post is the conversation: its id becomes
        ``post_id``, the row of the post itself is left out, and a reply to the post is a
        comment on it (``parent_id`` empty). twarc's escaped line breaks (``\\n``) are restored.

Thread structure
    A ``parent_id`` equal to the post id (some collectors write it so) means a comment on the
    post. A reply whose parent is not in the file is kept; ``attrs["notes"]`` counts them.

The agency's own comments
    ``is_agency`` comes from the ``is_agency`` column where the file has one, and is also true
    for every comment whose author (name, handle or account id, compared folded and without a
    leading ``@``) is one of ``agency_handles``, and, on YouTube, whose author channel is the
    video's channel. A file with no way to tell is refused: pass the agency's handles.

Privacy
    No author name, handle or account id of a citizen is kept. ``author_key`` is a keyed
    pseudonym (:func:`analysis.cleaning.privacy.pseudonymize`, HMAC-SHA256 with ``salt``) of
    the author's account id, else name; without a ``salt`` it is empty. In the texts, every
    occurrence of a name or handle of a citizen who commented in the file (optionally after
    ``@``) becomes ``[anon]``, and emails, phone numbers, NIKs and IP addresses
    (:data:`analysis.cleaning.privacy.PATTERNS`) become ``[email]``, ``[phone]``, ``[nik]``,
    ``[ip]``. A citizen who is mentioned but did not comment keeps the mention.

Questions and complaints
    :func:`flag_requests` marks citizen comments by the keyword rule of
    :data:`REQUEST_PATTERNS` (Indonesian, including informal spellings, and English); the
    agency's comments are never flagged. The rule is a transparent first pass that coders can
    overrule by editing the two columns; it is written here rather than taken from a trained
    classifier because researchers must be able to read, cite and edit it.

Numbers (``likes``) are read by :func:`analysis.io.numbers.parse_counts`, times by
:func:`analysis.io.timestamps.parse_timestamps` (an explicit zone or offset is respected;
naive times are local times in ``timezone``), files by :func:`analysis.io.text.read_text_table`
(any common encoding, BOM, delimiter).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cleaning.privacy import PATTERNS, pseudonymize
from analysis.errors import InputError, raise_first_bad
from analysis.io.files import open_input
from analysis.io.labels import factorize_text, fold_header
from analysis.io.numbers import parse_counts
from analysis.io.text import read_text_table
from analysis.io.timestamps import check_timezone, parse_timestamps
from analysis.tables import COMMENTS, PLATFORMS, check_table, conform

#: The keyword rule of :func:`flag_requests`: regular expressions (case-insensitive) per kind.
#: ``\\b`` marks a word boundary; ``\\w*`` lets a stem take suffixes (``lapor``, ``laporan``).
REQUEST_PATTERNS: dict[str, tuple[str, ...]] = {
    "question": (
        r"\?",
        r"\b(?:bagaimana|gimana|gmn|bgmn|kapan|kpn|kenapa|knp|mengapa|apakah|berapa|brp)\b",
        r"\b(?:di ?mana|dmn|ke ?mana|siapa|bisakah|bolehkah|tanya|nanya|bertanya)\b",
        r"\b(?:syarat\w*|prosedur\w*|caranya|info dong|infonya dong)\b",
        r"\b(?:how|when|why|where|which|is there|can i|could you|any update)\b",
    ),
    "complaint": (
        r"\b(?:mohon|tolong|keluh\w*|komplain\w*|lapor\w*|aduan|pengaduan|kecewa\w*)\b",
        r"\b(?:lambat|lelet|lama banget|lama sekali|belum (?:jadi|selesai|keluar|ada|dibalas|"
        r"ditanggapi|diproses)|rusak|error|gagal|pungli|calo|parah)\b",
        r"\b(?:tidak|gak|ga|nggak|ngga|tdk|gk) (?:bisa|jalan|berfungsi|ada respon\w*|dilayani)\b",
        r"\b(?:complain\w*|disappoint\w*|not working|broken|still waiting|please help|help me)\b",
    ),
}

#: Text that replaces a citizen's name or handle in comment texts.
ANON = "[anon]"
#: Text that replaces each kind of identifier found in comment texts.
REDACTIONS = {
    "email": "[email]",
    "phone": "[phone]",
    "nik": "[nik]",
    "ipv4": "[ip]",
    "ipv6": "[ip]",
}
#: Cell values of an ``is_agency`` column, compared case-folded.
YES = frozenset({"1", "true", "yes", "y", "ya", "benar", "agency", "instansi"})
NO = frozenset({"", "0", "false", "no", "n", "tidak", "bukan", "f"})
#: Shortest author name that is searched for in texts (shorter ones would hit ordinary words).
MIN_NAME_LENGTH = 3


@dataclass(frozen=True)
class CommentFormat:
    """How one comment export maps onto the comments table.

    Attributes
    ----------
    name : str
        Format id used in study configs.
    platforms : tuple of str
        Platforms the format can hold.
    columns : dict
        Role -> accepted headers, the documented header first. Roles: ``comment_id``,
        ``post_id``, ``parent_id``, ``author`` (name or handle), ``author_name`` (a second
        name column), ``author_id`` (account id), ``channel`` (YouTube: the video's channel),
        ``is_agency``, ``created_at``, ``text``, ``text_html`` (YouTube ``textDisplay``),
        ``likes``.
    times : tuple of str
        ``strftime`` formats tried for ``created_at`` (``{dm}`` = slash date); values with an
        ISO zone or offset are read whatever these say.
    default_order : {"dmy", "mdy"}
        Slash-date order when no value shows one.
    """

    name: str
    platforms: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    times: tuple[str, ...]
    default_order: str = "dmy"


#: Roles every format needs; they also fingerprint the format for ``fmt="auto"``.
REQUIRED = ("comment_id", "post_id", "created_at")

_ISO_LOCAL = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")

FORMATS: dict[str, CommentFormat] = {
    f.name: f
    for f in (
        CommentFormat(
            "generic",
            PLATFORMS,
            {
                "post_id": ("post_id", "post id", "id_postingan", "id postingan"),
                "comment_id": ("comment_id", "comment id", "id_komentar", "id komentar"),
                "parent_id": ("parent_id", "parent id", "id_induk", "id induk"),
                "author": ("author", "penulis", "akun"),
                "is_agency": ("is_agency", "is agency", "oleh_instansi", "oleh instansi"),
                "created_at": ("created_at", "created at", "waktu"),
                "text": ("text", "teks", "komentar"),
                "likes": ("likes", "suka"),
            },
            (*_ISO_LOCAL, "{dm} %H:%M:%S", "{dm} %H:%M", "{dm} %H.%M.%S", "{dm} %H.%M"),
        ),
        CommentFormat(
            "meta_comments",
            ("facebook", "instagram"),
            {
                "comment_id": ("comment_id", "id"),
                "post_id": ("status_id", "post_id", "media_id", "media.id"),
                "parent_id": ("parent_id", "parent.id"),
                "author": ("comment_author", "from.name", "from_name", "username"),
                "author_name": ("from.username",),
                "author_id": ("comment_author_id", "from.id", "from_id"),
                "created_at": ("comment_published", "created_time", "timestamp"),
                "text": ("comment_message", "message", "text"),
                "likes": ("num_reactions", "comment_likes", "like_count"),
            },
            (*_ISO_LOCAL, "{dm} %H:%M:%S", "{dm} %H:%M"),
            default_order="mdy",
        ),
        CommentFormat(
            "youtube_comments",
            ("youtube",),
            {
                "comment_id": ("id", "commentId"),
                "post_id": ("videoId", "snippet.videoId"),
                "parent_id": ("parentId", "snippet.parentId"),
                "author": ("authorDisplayName", "snippet.authorDisplayName"),
                "author_id": (
                    "authorChannelId",
                    "authorChannelId.value",
                    "snippet.authorChannelId.value",
                ),
                "channel": ("channelId", "snippet.channelId"),
                "created_at": ("publishedAt", "snippet.publishedAt"),
                "text": ("textOriginal", "snippet.textOriginal"),
                "text_html": ("textDisplay", "snippet.textDisplay"),
                "likes": ("likeCount", "snippet.likeCount"),
            },
            _ISO_LOCAL,
        ),
        CommentFormat(
            "x_replies",
            ("x",),
            {
                "comment_id": ("id", "id_str"),
                "post_id": ("conversation_id", "conversation_id_str"),
                "parent_id": (
                    "referenced_tweets.replied_to.id",
                    "in_reply_to_status_id",
                    "in_reply_to_status_id_str",
                ),
                "author": ("author.username", "username", "user_screen_name"),
                "author_name": ("author.name", "user_name"),
                "author_id": ("author_id", "author.id", "user_id_str"),
                "created_at": ("created_at",),
                "text": ("text", "full_text"),
                "likes": ("public_metrics.like_count", "favorite_count", "like_count"),
            },
            _ISO_LOCAL,
        ),
    )
}


def read_comments(
    path: str | Path,
    *,
    platform: str,
    agency_id: str,
    fmt: str = "auto",
    timezone: str = "Asia/Jakarta",
    agency_handles: Iterable[str] = (),
    salt: str | bytes | None = None,
) -> pd.DataFrame:
    """Read one comment file of one agency on one platform into the comments table.

    Parameters
    ----------
    path : str or Path
        The comment file (CSV in any common encoding/delimiter).
    platform : str
        One of :data:`analysis.tables.PLATFORMS`; must be a platform the format holds.
    agency_id : str
        Written to every row.
    fmt : str
        A key of :data:`FORMATS`, or ``"auto"`` to fingerprint the header row.
    timezone : str
        IANA zone of naive times (the scraper's ``comment_published``, a generic CSV written
        in local time).
    agency_handles : iterable of str
        The agency's account names, handles or account ids on this platform; comments by them
        are the agency's (see the module docstring).
    salt : str or bytes, optional
        Key of the author pseudonyms (the study's pseudonym key); without it ``author_key``
        is empty.

    Returns
    -------
    pandas.DataFrame
        Exactly the :data:`COMMENTS` columns:

        agency_id, platform : string
        post_id : string
            The post the comment belongs to (as the post export writes it, to join on).
        comment_id : string
        parent_id : string
            The comment replied to; NA for a comment on the post itself.
        author_key : string
            Keyed pseudonym of the author; NA without ``salt`` or author.
        is_agency : boolean
            Written by the agency's own account.
        created_at : datetime64[ns, UTC]
        text : string
            Stripped, line breaks as ``\\n``, names and identifiers redacted; NA when empty.
        likes : Int64
            Likes or reactions of the comment; NA where the file has none.
        is_question, is_complaint : boolean
            By :func:`flag_requests`; False for the agency's comments.
        source_file : string
            File name.
        source_row : Int64
            Spreadsheet row (header = row 1).

        ``attrs`` holds ``format``, ``encoding``, ``skipped_rows`` (a list of
        ``(source_row, reason)`` for rows left out: ``duplicate comment id``, ``the post
        itself``, ``not a reply``) and ``notes`` (replies whose parent is not in the file,
        handles that matched nothing, a symbolic link).

    Raises
    ------
    InputError
        Unknown or undetectable format, platform mismatch, missing column, no way to tell the
        agency's comments, or a value that cannot be read (naming file, row and column).
    """
    path = Path(path)
    check_timezone(timezone, path=path)
    source = open_input(path)
    table = read_text_table(path)
    spec = _choose_format(table.frame.columns, fmt, platform, path)
    cols = _resolve_columns(spec, table.frame.columns)
    _check_columns(spec, cols, table.frame.columns, path)
    handles = _fold_handles(agency_handles)
    if not handles and "is_agency" not in cols and "channel" not in cols:
        raise InputError(
            f"a {spec.name} file does not say which comments are the agency's",
            path=path,
            column=spec.columns.get("author", spec.columns["comment_id"])[0],
            hint="pass the agency's handles or page name (agency_handles), or add an "
            "is_agency column (1 for the agency's own comments)",
        )
    frame, skipped = _drop_posts(table.frame, spec, cols)
    comments = _extract(frame, spec, cols, path, timezone, handles, salt)
    comments, duplicates = _drop_duplicates(comments)
    notes = [*source.notes, *_thread_notes(comments, handles, agency_handles)]
    comments = comments.assign(
        agency_id=agency_id,
        platform=platform,
        source_file=path.name,
        source_row=comments.index.to_numpy(dtype="int64"),
    )
    out = conform(comments.reset_index(drop=True), COMMENTS)[list(COMMENTS)]
    check_table(out, COMMENTS, "comments")
    out.attrs.update(
        format=spec.name,
        encoding=table.encoding,
        skipped_rows=sorted(skipped + duplicates),
        notes=notes,
    )
    return out


def detect_comment_format(headers, path: str | Path | None = None) -> str:
    """Return the first format of :data:`FORMATS` whose required columns all appear.

    Raises
    ------
    InputError
        When no format matches, listing each format tried and the headers it lacked.
    """
    headers = list(headers)
    tried = []
    for spec in FORMATS.values():
        cols = _resolve_columns(spec, headers)
        missing = [spec.columns[role][0] for role in REQUIRED if role not in cols]
        if not missing:
            return spec.name
        tried.append(f"{spec.name} (lacks {', '.join(missing)})")
    raise InputError(
        "the header row matches no known comment export format; tried " + "; ".join(tried),
        path=path,
        row=1,
        column=headers[0] if headers else None,
        hint="pass the format explicitly, or see docs/comments.md for the generic CSV",
    )


def flag_requests(
    text: pd.Series, patterns: Mapping[str, Sequence[str]] | None = None
) -> tuple[pd.Series, pd.Series]:
    """Mark texts that ask a question and texts that complain or request, by keyword rule.

    Parameters
    ----------
    text : pandas.Series
        Comment texts (NA is neither).
    patterns : mapping, optional
        ``{"question": [...], "complaint": [...]}``: regular expressions matched
        case-insensitively anywhere in the text; a kind left out keeps
        :data:`REQUEST_PATTERNS`. Default: :data:`REQUEST_PATTERNS`.

    Returns
    -------
    is_question, is_complaint : pandas.Series
        ``boolean``, same index; a text may be both.

    Raises
    ------
    InputError
        For an unknown kind or a pattern that is not a valid regular expression.
    """
    rules = dict(REQUEST_PATTERNS)
    for kind, kind_patterns in (patterns or {}).items():
        if kind not in REQUEST_PATTERNS:
            raise InputError(
                f'unknown kind of request pattern "{kind}"',
                column="question_patterns",
                hint="expected question or complaint",
            )
        rules[kind] = tuple(kind_patterns)
    codes, texts = factorize_text(text)
    flags = []
    for kind in ("question", "complaint"):
        try:
            rule = re.compile("|".join(f"(?:{p})" for p in rules[kind]) or r"(?!)", re.I)
        except re.error as error:
            raise InputError(
                f"a {kind} pattern is not a valid regular expression ({error})",
                column="question_patterns",
            ) from None
        found = texts.str.contains(rule, regex=True).fillna(False).to_numpy(dtype=bool)
        flags.append(pd.Series(np.append(found, False)[codes], index=text.index, dtype="boolean"))
    return flags[0], flags[1]


def redact_text(text: pd.Series, names: Iterable[str]) -> pd.Series:
    """Replace ``names`` (optionally after ``@``) and identifiers in texts (see the module
    docstring), once per distinct text.

    Names are matched whole (not inside a longer word), case-insensitively, longest first;
    names shorter than :data:`MIN_NAME_LENGTH` characters are left alone.
    """
    wanted = sorted({str(n).strip().lstrip("@") for n in names} - {""}, key=lambda n: (-len(n), n))
    wanted = [n for n in wanted if len(n) >= MIN_NAME_LENGTH]
    codes, out = factorize_text(text)
    if wanted:
        alternatives = "|".join(re.escape(n) for n in wanted)
        rule = re.compile(rf"(?<![\w.@])@?(?:{alternatives})(?![\w@]|\.\w)", re.I)
        out = out.str.replace(rule, ANON, regex=True)
    for kind, pattern in PATTERNS.items():
        out = out.str.replace(pattern, REDACTIONS[kind], regex=True)
    redacted = pd.concat([out, pd.Series([pd.NA], dtype="string")], ignore_index=True)
    return pd.Series(redacted.array.take(codes), index=text.index)


def _choose_format(headers, fmt: str, platform: str, path: Path) -> CommentFormat:
    """Resolve ``fmt`` (or detect it) and check that it can hold ``platform``."""
    if fmt == "auto":
        fmt = detect_comment_format(headers, path)
    if fmt not in FORMATS:
        raise InputError(
            f'unknown comment format "{fmt}"',
            path=path,
            column="format",
            hint="known: auto, " + ", ".join(FORMATS),
        )
    spec = FORMATS[fmt]
    if platform not in spec.platforms:
        raise InputError(
            f'a {fmt} file cannot hold platform "{platform}"',
            path=path,
            column="platform",
            hint="expected " + " or ".join(spec.platforms),
        )
    return spec


def _resolve_columns(spec: CommentFormat, headers) -> dict[str, str]:
    """Map each role to the first of its aliases that the file has."""
    lookup: dict[str, str] = {}
    for header in headers:
        lookup.setdefault(fold_header(header), header)
    found = {}
    for role, aliases in spec.columns.items():
        names = [lookup[key] for key in map(fold_header, aliases) if key in lookup]
        if names:
            found[role] = names[0]
    return found


def _check_columns(spec: CommentFormat, cols: dict, headers, path: Path) -> None:
    """Raise InputError naming the first required column the file lacks."""
    for role in REQUIRED:
        if role not in cols:
            raise InputError(
                f"a {spec.name} file needs the {spec.columns[role][0]} column",
                path=path,
                row=1,
                column=spec.columns[role][0],
                hint=f"accepted headers: {', '.join(spec.columns[role])}; "
                f"found: {', '.join(headers)}",
            )


def _stripped(frame: pd.DataFrame, cols: dict, role: str) -> pd.Series:
    """The role's column stripped, empty cells NA (all NA when the file lacks the role)."""
    if role not in cols:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    value = frame[cols[role]].astype("string").str.strip()
    return value.mask(value == "")


def _drop_posts(frame: pd.DataFrame, spec: CommentFormat, cols: dict):
    """For X conversations: leave out the post itself and rows that reply to nothing."""
    if spec.name != "x_replies":
        return frame, []
    ident = _stripped(frame, cols, "comment_id")
    post = _stripped(frame, cols, "post_id")
    parent = _stripped(frame, cols, "parent_id")
    is_post = (ident == post).fillna(False)
    no_reply = parent.isna() & ~is_post & ident.notna()
    skipped = [(int(r), "the post itself") for r in frame.index[is_post]]
    skipped += [(int(r), "not a reply") for r in frame.index[no_reply]]
    return frame[~(is_post | no_reply)], skipped


def _extract(
    frame: pd.DataFrame,
    spec: CommentFormat,
    cols: dict,
    path: Path,
    timezone: str,
    handles: set[str],
    salt: str | bytes | None,
) -> pd.DataFrame:
    """Build the comment columns from the file's columns (index = source row)."""
    out = pd.DataFrame(index=frame.index)
    for role, what in (("comment_id", "comment ID"), ("post_id", "post ID")):
        out[role] = _stripped(frame, cols, role)
        raise_first_bad(
            out[role].isna(),
            frame[cols[role]],
            path=path,
            column=cols[role],
            what=f"is not a {what}: the row has none",
            hint="every comment needs its own ID and the ID of its post",
        )
    parent = _stripped(frame, cols, "parent_id")
    out["parent_id"] = parent.mask((parent == out["post_id"]).fillna(False))
    out["created_at"] = _times(frame, spec, cols, path, timezone)
    authors = _authors(frame, cols)
    out["is_agency"] = _agency(frame, spec, cols, path, handles, authors)
    basis = _stripped(frame, cols, "author_id").fillna(_stripped(frame, cols, "author"))
    out["author_key"] = (
        pseudonymize(basis, salt.encode("utf-8") if isinstance(salt, str) else salt).mask(
            basis.isna()
        )
        if salt
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    citizens = authors[~out["is_agency"].to_numpy(dtype=bool)]
    text = redact_text(_text(frame, spec, cols), pd.unique(citizens.stack().dropna()))
    out["text"] = text
    out["likes"] = (
        parse_counts(frame[cols["likes"]], path=path, column=cols["likes"])
        if "likes" in cols
        else pd.Series(pd.NA, index=frame.index, dtype="Int64")
    )
    question, complaint = flag_requests(text)
    out["is_question"] = question & ~out["is_agency"]
    out["is_complaint"] = complaint & ~out["is_agency"]
    return out


def _times(
    frame: pd.DataFrame, spec: CommentFormat, cols: dict, path: Path, timezone: str
) -> pd.Series:
    """``created_at`` in UTC; a row without a time is an error."""
    column = cols["created_at"]
    raise_first_bad(
        _stripped(frame, cols, "created_at").isna(),
        frame[column],
        path=path,
        column=column,
        what="is not a comment time: the comment has none",
        hint="every comment needs the time it was written",
    )
    return parse_timestamps(
        frame[column],
        timezone,
        path=path,
        column=column,
        formats=spec.times,
        default_order=spec.default_order,
    )


def _authors(frame: pd.DataFrame, cols: dict) -> pd.DataFrame:
    """The author name, second name and account id columns (stripped, NA when absent)."""
    return pd.DataFrame(
        {role: _stripped(frame, cols, role) for role in ("author", "author_name", "author_id")},
        index=frame.index,
    )


def _agency(
    frame: pd.DataFrame,
    spec: CommentFormat,
    cols: dict,
    path: Path,
    handles: set[str],
    authors: pd.DataFrame,
) -> pd.Series:
    """Whether each comment is the agency's (flag column, handles, YouTube channel)."""
    agency = pd.Series(False, index=frame.index)
    if "is_agency" in cols:
        flag = frame[cols["is_agency"]].astype("string").str.strip().str.casefold()
        raise_first_bad(
            ~flag.isin(YES | NO),
            frame[cols["is_agency"]],
            path=path,
            column=cols["is_agency"],
            what="is not a yes/no value",
            hint="expected 1 or 0, true or false, yes or no, ya or tidak (empty = no)",
        )
        agency |= flag.isin(YES)
    if handles:
        for role in authors.columns:
            folded = authors[role].str.casefold().str.lstrip("@")
            agency |= folded.isin(handles).fillna(False).astype(bool)
    if "channel" in cols and "author_id" in cols:
        channel = _stripped(frame, cols, "channel")
        agency |= (authors["author_id"] == channel).fillna(False).astype(bool)
    return agency.astype("boolean")


def _text(frame: pd.DataFrame, spec: CommentFormat, cols: dict) -> pd.Series:
    """The comment text: plain text first, else YouTube's HTML text made plain."""
    text = _stripped(frame, cols, "text")
    if "text_html" in cols:
        shown = _stripped(frame, cols, "text_html")
        plain = shown.str.replace(r"<br\s*/?>", "\n", regex=True).str.replace(
            r"<[^>]+>", "", regex=True
        )
        text = text.fillna(plain.map(html.unescape, na_action="ignore").astype("string"))
    if spec.name == "x_replies":
        text = text.str.replace(r"\n", "\n", regex=False)
    text = text.str.replace(r"\r\n?", "\n", regex=True).str.strip()
    return text.mask(text == "")


def _fold_handles(handles: Iterable[str]) -> set[str]:
    """Handles compared as author cells are: stripped, case-folded, without a leading @."""
    return {str(h).strip().casefold().lstrip("@") for h in handles} - {""}


def _drop_duplicates(comments: pd.DataFrame):
    """Keep the first row of each comment ID; return the others as ``(row, reason)``."""
    repeated = comments["comment_id"].duplicated(keep="first")
    skipped = [(int(row), "duplicate comment id") for row in comments.index[repeated]]
    return comments[~repeated], skipped


def _thread_notes(comments: pd.DataFrame, handles: set[str], given: Iterable[str]) -> list[str]:
    """Notes on replies to comments not in the file and on handles that matched nothing."""
    notes = []
    orphans = comments["parent_id"].notna() & ~comments["parent_id"].isin(comments["comment_id"])
    if orphans.any():
        notes.append(
            f"{int(orphans.sum())} replies answer a comment that is not in the file; each "
            "starts its own thread"
        )
    if handles and not comments["is_agency"].any():
        notes.append(
            "no comment was written by the agency's accounts ("
            + ", ".join(sorted(str(h) for h in given))
            + ")"
        )
    return notes

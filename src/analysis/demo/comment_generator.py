"""Synthetic comment threads under the demo posts, with known reply rates and reply delays.

:func:`comment_threads` draws, for each post, as many citizen comments as the post's
``comments`` count, and the agency's replies to them; :func:`write_comment_csv` writes one
agency's threads on one platform as the generic comments CSV (``docs/comments.md``), which
:func:`analysis.io.comments.read_comments` reads back.

What is planted (so that :func:`analysis.stats.responsiveness.responsiveness` can be checked)
    * Each citizen comment on a post is a question with probability :data:`QUESTION_SHARE`, a
      complaint with probability :data:`COMPLAINT_SHARE`, else praise or thanks. The texts
      come from template lists whose kind the keyword rule of
      :func:`analysis.io.comments.flag_requests` recognises exactly.
    * The agency answers a question or complaint with probability ``reply_rate`` of its
      :class:`ReplyProfile`, after a delay drawn from a log-normal distribution with median
      ``median_hours`` and log-scale SD ``sigma``, as a reply in the comment's thread. It
      answers praise with probability :data:`OTHER_REPLY_RATE`, after a delay from the same
      distribution.
    * A citizen whose comment was answered thanks the agency in the thread with probability
      :data:`THANKS_SHARE`, :data:`THANKS_MEAN_HOURS` hours (exponential) after the reply.
      Questions and complaints are always comments on the post and each thread holds one, so
      the share answered and the delays are exactly the planted ones, up to sampling error.
    * Citizen comments come :data:`COMMENT_MEAN_HOURS` hours (exponential) after the post.

Planted profiles of the demo agencies (:data:`REPLY_PROFILES`; others get
:data:`DEFAULT_PROFILE`)

=========================  ==========  ============  =====
agency                     reply rate  median delay  sigma
=========================  ==========  ============  =====
diskominfo-sukamaju        0.85        1.5 h         1.0
galeri-seni-nusantara      0.60        6 h           1.0
dukcapil-tirtamaya         0.75        3 h           1.0
rsud-wanasari              0.50        10 h          1.0
samsat-lembah-hijau        0.40        20 h          1.0
dispar-pulau-karang        0.70        4 h           1.0
bpbd-gunung-arum           0.90        0.75 h        1.0
kpp-sindangreja            0.65        8 h           1.0
perpusda-sekarjaya         0.30        30 h          1.0
dishub-karangsari          0.20        48 h          1.0
=========================  ==========  ============  =====

With a log-normal delay the share answered within ``h`` hours of the answered is
``Phi((ln h - ln median_hours) / sigma)``, which gives the planted bucket shares.

Citizens are fictional: names and handles are made from lists of common Indonesian first and
family names, and some complaints carry a made-up phone number, so that tests can check that
none of them survives reading.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ReplyProfile:
    """How one agency answers citizens' questions and complaints.

    Attributes
    ----------
    reply_rate : float
        Probability that a question or complaint gets an official reply.
    median_hours : float
        Median delay of that reply, in hours.
    sigma : float
        Log-scale standard deviation of the (log-normal) delay.
    """

    reply_rate: float
    median_hours: float
    sigma: float = 1.0


#: Planted reply behaviour of the demo agencies (see the module docstring).
REPLY_PROFILES = {
    "diskominfo-sukamaju": ReplyProfile(0.85, 1.5),
    "galeri-seni-nusantara": ReplyProfile(0.60, 6.0),
    "dukcapil-tirtamaya": ReplyProfile(0.75, 3.0),
    "rsud-wanasari": ReplyProfile(0.50, 10.0),
    "samsat-lembah-hijau": ReplyProfile(0.40, 20.0),
    "dispar-pulau-karang": ReplyProfile(0.70, 4.0),
    "bpbd-gunung-arum": ReplyProfile(0.90, 0.75),
    "kpp-sindangreja": ReplyProfile(0.65, 8.0),
    "perpusda-sekarjaya": ReplyProfile(0.30, 30.0),
    "dishub-karangsari": ReplyProfile(0.20, 48.0),
}
#: Profile of an agency not in :data:`REPLY_PROFILES`.
DEFAULT_PROFILE = ReplyProfile(0.5, 6.0)
QUESTION_SHARE = 0.30
COMPLAINT_SHARE = 0.15
OTHER_REPLY_RATE = 0.10
THANKS_SHARE = 0.30
THANKS_MEAN_HOURS = 2.0
COMMENT_MEAN_HOURS = 10.0
#: Citizens per agency (each comment's author is drawn from them).
CITIZENS = 400

#: Generic comments CSV columns, in the order :func:`write_comment_csv` writes them.
GENERIC_COLUMNS = (
    "post_id",
    "comment_id",
    "parent_id",
    "author",
    "is_agency",
    "created_at",
    "text",
    "likes",
)

TEXTS = {
    "question": (
        "Min, kapan jadwal {service} berikutnya?",
        "Bagaimana cara mengurus {doc} secara online?",
        "Apakah hari Sabtu kantor tetap buka?",
        "Berapa hari proses {doc} sekarang?",
        "Syaratnya apa saja ya untuk {doc}?",
        "Gimana kalau {doc} saya hilang, min?",
        "Kalau mau tanya soal {doc}, ke nomor mana ya?",
        "Where can I get the form for the {doc_en}?",
    ),
    "complaint": (
        "Sudah dua minggu {doc} saya belum jadi, mohon ditindaklanjuti.",
        "Tolong websitenya diperbaiki, dari kemarin error terus.",
        "Pelayanan di loket lambat sekali, kecewa.",
        "Saya mau lapor ada calo di depan kantor.",
        "Antrean online gagal terus. Hubungi saya di {phone}.",
        "The online form is not working, please help.",
    ),
    "other": (
        "Terima kasih informasinya, sangat membantu 🙏",
        "Mantap, pelayanannya makin baik.",
        "Semangat terus untuk timnya!",
        "Informasi yang bermanfaat.",
        "Great information, thank you!",
        "Keren programnya 👍",
        "Sudah saya bagikan ke grup keluarga.",
    ),
    "follow_up": (
        "Terima kasih min 🙏",
        "Oke siap, terima kasih.",
        "Noted, thanks!",
        "Baik, saya coba dulu.",
    ),
    "agency_reply": (
        "Halo Kak {who}, terima kasih atas pertanyaannya. Informasi lengkap tersedia di "
        "tautan pada bio kami.",
        "Mohon maaf atas ketidaknyamanannya, Kak {who}. Silakan kirim detail melalui pesan "
        "langsung agar segera kami bantu.",
        "Terima kasih masukannya, Kak {who}. Akan kami sampaikan kepada unit terkait.",
    ),
}
FILLERS = {
    "service": ("pelayanan keliling", "layanan jemput bola", "konsultasi tatap muka"),
    "doc": ("surat keterangan", "berkas permohonan", "izin usaha", "kartu layanan"),
    "doc_en": ("certificate", "permit", "service card"),
}
FIRST_NAMES = (
    "Budi", "Siti", "Rina", "Agus", "Dewi", "Ahmad", "Sri", "Yusuf", "Maya", "Hendra",
    "Nurul", "Rizky", "Andi", "Putri", "Fajar", "Wulan", "Eko", "Ayu", "Dimas", "Intan",
)  # fmt: skip
FAMILY_NAMES = (
    "Santoso", "Rahma", "Kartika", "Hidayat", "Lestari", "Fauzi", "Wahyuni", "Pratama",
    "Anggraini", "Gunawan", "Saputra", "Handayani", "Nugroho", "Permata", "Setiawan",
)  # fmt: skip
#: Platforms whose comments show the author's handle rather than a display name.
HANDLE_PLATFORMS = frozenset({"instagram", "x", "tiktok"})


def comment_threads(
    posts: pd.DataFrame,
    agencies: Iterable,
    seed: int | np.random.Generator,
    *,
    profiles: dict[str, ReplyProfile] | None = None,
) -> pd.DataFrame:
    """Draw comment threads under ``posts`` with known reply behaviour per agency.

    Parameters
    ----------
    posts : pandas.DataFrame
        Posts (:data:`analysis.tables.POSTS`) as the demo makes them; each gets as many
        citizen comments as its ``comments`` count (NA = none).
    agencies : iterable
        The agencies whose posts get comments: config :class:`~analysis.config.models.Agency`
        objects (their ``name`` signs the agency's replies) or agency ids.
    seed : int or numpy.random.Generator
        Seed (or generator) of the draws; the same seed gives the same threads.
    profiles : dict, optional
        Agency id -> :class:`ReplyProfile`; default :data:`REPLY_PROFILES`, and
        :data:`DEFAULT_PROFILE` for an agency in neither.

    Returns
    -------
    pandas.DataFrame
        One row per comment, sorted by agency, platform, post and time, with columns
        ``agency_id``, ``platform``, ``post_id``, ``comment_id`` (``<post_id>_<n>``, n in
        time order), ``parent_id`` (the thread's first comment; NA for a comment on the
        post), ``author`` (a citizen's display name or handle, or the agency's name),
        ``is_agency`` (bool), ``created_at`` (UTC, whole seconds), ``text``, ``likes``
        (int) and ``kind`` (``question``, ``complaint``, ``other``, ``follow_up``,
        ``agency_reply``: what was planted).
    """
    rng = np.random.default_rng(seed)
    names = {getattr(a, "id", a): getattr(a, "name", getattr(a, "id", a)) for a in agencies}
    profiles = {**REPLY_PROFILES, **(profiles or {})}
    posts = posts[posts["agency_id"].isin(list(names))].reset_index(drop=True)
    counts = posts["comments"].fillna(0).astype("int64").to_numpy()
    top = posts.loc[posts.index.repeat(counts), ["agency_id", "platform", "post_id"]]
    top = top.astype(str).reset_index(drop=True)
    n = len(top)
    published = posts["published_at"].repeat(counts).reset_index(drop=True)
    kind = rng.choice(
        ["question", "complaint", "other"],
        n,
        p=[QUESTION_SHARE, COMPLAINT_SHARE, 1 - QUESTION_SHARE - COMPLAINT_SHARE],
    )
    profile = [profiles.get(a, DEFAULT_PROFILE) for a in top["agency_id"]]
    rate = np.array([p.reply_rate for p in profile])
    replied = rng.random(n) < np.where(kind == "other", OTHER_REPLY_RATE, rate)
    delay = np.exp(
        np.log([p.median_hours for p in profile]) + [p.sigma for p in profile] * rng.normal(size=n)
    )
    thanked = replied & (rng.random(n) < THANKS_SHARE)
    citizen = rng.integers(0, CITIZENS, n)
    asked = published + _hours(rng.exponential(COMMENT_MEAN_HOURS, n))
    answered = asked + _hours(delay)
    comments = top.assign(
        thread=np.arange(n),
        author=_citizen_names(citizen, top["platform"].to_numpy()),
        is_agency=False,
        created_at=asked,
        kind=kind,
    )
    replies = comments[replied].assign(
        author=top.loc[replied, "agency_id"].map(names).to_numpy(),
        is_agency=True,
        created_at=answered[replied],
        kind="agency_reply",
        who=comments.loc[replied, "author"].to_numpy(),
    )
    thanks = comments[thanked].assign(
        created_at=answered[thanked] + _hours(rng.exponential(THANKS_MEAN_HOURS, thanked.sum())),
        kind="follow_up",
    )
    threads = pd.concat([comments, replies, thanks], ignore_index=True)
    threads["text"] = _texts(threads, rng)
    threads["likes"] = rng.negative_binomial(
        1.0, 1.0 / (1.0 + np.where(threads["is_agency"], 1.0, 2.0))
    )
    return _number(threads)


def write_comment_csv(threads: pd.DataFrame, path: Path, *, timezone: str = "Asia/Jakarta") -> Path:
    """Write threads (of one agency on one platform) as the generic comments CSV.

    Times are written as local times in ``timezone`` (``2026-05-03 14:05:09``), ``is_agency``
    as 1/0, likes of 1,000 and more with a thousands comma (``"1,204"``), as a spreadsheet
    shows them. Parent folders are created.

    Parameters
    ----------
    threads : pandas.DataFrame
        Rows of :func:`comment_threads`.
    path : Path
        File to write.
    timezone : str
        Zone of the written times (the reader's ``timezone`` must match).

    Returns
    -------
    Path
        ``path``.
    """
    local = threads["created_at"].dt.tz_convert(timezone)
    frame = pd.DataFrame(
        {
            "post_id": threads["post_id"],
            "comment_id": threads["comment_id"],
            "parent_id": threads["parent_id"].fillna(""),
            "author": threads["author"],
            "is_agency": threads["is_agency"].astype(int),
            "created_at": local.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "text": threads["text"],
            "likes": [f"{int(v):,}" for v in threads["likes"]],
        }
    )[list(GENERIC_COLUMNS)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def _hours(values) -> pd.TimedeltaIndex:
    """Hours (floats) as timedeltas."""
    return pd.to_timedelta(np.asarray(values, dtype=float), unit="h")


def _citizen_names(citizen: np.ndarray, platforms: np.ndarray) -> np.ndarray:
    """A fictional citizen's display name, or handle on :data:`HANDLE_PLATFORMS`."""
    first = np.array(FIRST_NAMES)[citizen % len(FIRST_NAMES)]
    family = np.array(FAMILY_NAMES)[(citizen // len(FIRST_NAMES)) % len(FAMILY_NAMES)]
    display = np.char.add(np.char.add(first, " "), family)
    handle = np.char.add(
        np.char.add(np.char.add(np.char.lower(first), "."), np.char.lower(family)),
        (citizen % 90 + 10).astype(str),
    )
    return np.where(np.isin(platforms, list(HANDLE_PLATFORMS)), handle, display).astype(object)


def _texts(threads: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """A text from the kind's templates, with fillers, a phone number or the addressee."""
    draws = rng.random((len(threads), 1 + len(FILLERS)))
    digits = rng.integers(10**9, 10**10, len(threads))
    texts = []
    rows = zip(threads["kind"], threads["platform"], threads["who"], draws, digits, strict=True)
    for kind, platform, who, draw, number in rows:
        fill = {
            key: options[int(value * len(options))]
            for (key, options), value in zip(FILLERS.items(), draw[1:], strict=True)
        }
        phone = f"08{str(number)[:2]}-{str(number)[2:6]}-{str(number)[6:10]}"
        addressee = f"@{who}" if platform in HANDLE_PLATFORMS else who
        template = TEXTS[kind][int(draw[0] * len(TEXTS[kind]))]
        texts.append(template.format(**fill, phone=phone, who=addressee))
    return texts


def _number(threads: pd.DataFrame) -> pd.DataFrame:
    """Sort by post and time, give comment ids in time order and set each reply's parent."""
    threads = threads.sort_values(
        ["agency_id", "platform", "post_id", "created_at", "thread"], kind="stable"
    ).reset_index(drop=True)
    order = threads.groupby(["agency_id", "platform", "post_id"], sort=False).cumcount() + 1
    threads["comment_id"] = threads["post_id"] + "_" + order.astype(str)
    first = threads["kind"].isin(["question", "complaint", "other"])
    root = pd.Series(
        threads.loc[first, "comment_id"].to_numpy(), index=threads.loc[first, "thread"]
    )
    threads["parent_id"] = threads["thread"].map(root).where(~first).astype("string")
    threads["created_at"] = threads["created_at"].dt.floor("s")
    columns = ["agency_id", "platform", "post_id", "comment_id", "parent_id", "author",
               "is_agency", "created_at", "text", "likes", "kind"]  # fmt: skip
    return threads[columns]

"""Names of the supported input formats, without importing any reader.

The study config checks format names against these lists, so loading a config stays light;
each reader module registers its implementation under the same name (a test checks that the
names here and the readers' tables agree).
"""

from __future__ import annotations

#: Survey export formats (``survey[].format`` in a study config), besides ``auto``.
SURVEY_FORMATS: tuple[str, ...] = (
    "google_forms",
    "qualtrics",
    "kobo",
    "odk",
    "spss",
    "stata",
    "csv",
    "xlsx",
)

#: Post export formats (``engagement[].format``) and the platforms each can hold.
POST_FORMATS: dict[str, tuple[str, ...]] = {
    "meta_instagram": ("instagram",),
    "meta_facebook": ("facebook",),
    "youtube_studio": ("youtube",),
    "x_classic": ("x",),
    "x_new": ("x",),
    "tiktok_studio": ("tiktok",),
    "crowdtangle": ("facebook", "instagram"),
}

#: Comment export formats (``engagement[].comments.format``) and the platforms each can hold.
COMMENT_FORMATS: dict[str, tuple[str, ...]] = {
    "generic": ("instagram", "facebook", "youtube", "x", "tiktok"),
    "meta_comments": ("facebook", "instagram"),
    "youtube_comments": ("youtube",),
    "x_replies": ("x",),
}

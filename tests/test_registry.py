"""The format names the config accepts (io.registry) are exactly the formats readers implement."""

from analysis.io import comments
from analysis.io.posts import platforms
from analysis.io.registry import COMMENT_FORMATS, POST_FORMATS, SURVEY_FORMATS
from analysis.io.survey import detect


def test_survey_format_names_match_the_readers():
    assert set(SURVEY_FORMATS) == set(detect.READERS)


def test_post_format_names_and_platforms_match_the_readers():
    assert {name: tuple(f.platforms) for name, f in platforms.FORMATS.items()} == POST_FORMATS


def test_comment_format_names_and_platforms_match_the_readers():
    assert {name: tuple(f.platforms) for name, f in comments.FORMATS.items()} == COMMENT_FORMATS

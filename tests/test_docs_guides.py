"""The batch and report guides say only what exists.

Every option of a command written in docs/batch.md, docs/reports.md or the README is in that
command's ``--help`` (``python -m analysis <command>``, ``dask scheduler``, ``dask worker``,
``papermill``), every option named on its own is in the help of a command the guide uses, every
relative link reaches a file (and a heading, when it names one), the notebook parameter tables
are the notebooks' parameters with their defaults, and every locale key the report guide names
is in both locale files.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import papermill as pm
import pytest

from analysis.reporting.i18n import LANGUAGES, texts

from .conftest import PROJECT

GUIDES = (PROJECT / "docs" / "batch.md", PROJECT / "docs" / "reports.md")
DOCUMENTS = (*GUIDES, PROJECT / "README.md")
BIN = Path(sys.executable).parent
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE = re.compile(r"`([^`\n]+)`")
COMMANDS = re.compile(
    r"python -m analysis (?P<analysis>[a-z]\w*)"
    r"|\bdask (?P<dask>scheduler|worker)\b"
    r"|\b(?P<papermill>papermill)\b"
)
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)


def help_command(program: str, command: str) -> list[str]:
    """The command line that prints the help of ``program``'s ``command``."""
    if program == "analysis":
        return [sys.executable, "-m", "analysis", command, "--help"]
    if program == "dask":
        return [str(BIN / "dask"), command, "--help"]
    return [str(BIN / "papermill"), "--help"]


@cache
def help_text(program: str, command: str) -> str:
    """The ``--help`` output of a command; an assertion error when it has none."""
    result = subprocess.run(
        help_command(program, command), capture_output=True, text=True, cwd=PROJECT
    )
    assert result.returncode == 0, f"{program} {command}: no such command\n{result.stderr}"
    return result.stdout


def code_text(markdown: str) -> list[str]:
    """The code of a Markdown text: each fenced block (continued lines joined) and inline span."""
    blocks = [block.replace("\\\n", " ") for block in FENCE.findall(markdown)]
    return blocks + INLINE.findall(FENCE.sub("", markdown))


def commands(markdown: str) -> list[tuple[str, str, str]]:
    """Each command written in the code of ``markdown``: (program, command, rest of its line)."""
    found = []
    for code in code_text(markdown):
        for line in code.splitlines():
            line = re.split(r"\s#|&&|;", line)[0]
            for match in COMMANDS.finditer(line):
                program = next(name for name, value in match.groupdict().items() if value)
                found.append((program, match.group(program), line[match.end() :]))
    return found


def option_problems(markdown: str) -> list[str]:
    """Options written in ``markdown`` that the command they belong to does not have."""
    problems = []
    used = commands(markdown)
    for program, command, rest in used:
        shown = help_text(program, command)
        for option in OPTION.findall(rest):
            if not re.search(rf"(?<![\w-]){option}(?![\w-])", shown):
                problems.append(f"{program} {command} has no {option}")
    helps = "\n".join(help_text(program, command) for program, command, _ in used)
    for span in INLINE.findall(FENCE.sub("", markdown)):
        if span.startswith("--"):
            option = OPTION.match(span).group()
            if not re.search(rf"(?<![\w-]){option}(?![\w-])", helps):
                problems.append(f"no command of this text has {option}")
    return problems


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors of the headings of ``markdown`` (code blocks left out)."""
    return {slug(heading) for heading in HEADING.findall(FENCE.sub("", markdown))}


def link_problems(path: Path) -> list[str]:
    """Relative links of a Markdown file that reach no file, or no heading of the file."""
    markdown = path.read_text(encoding="utf-8")
    problems = []
    for target in LINK.findall(FENCE.sub("", INLINE.sub("", markdown))):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        linked = (path.parent / file).resolve() if file else path
        if not linked.exists():
            problems.append(f"{target}: no file {linked}")
        elif (
            anchor
            and linked.suffix == ".md"
            and anchor not in anchors(linked.read_text(encoding="utf-8"))
        ):
            problems.append(f"{target}: no heading with the anchor #{anchor}")
    return problems


def section(markdown: str, heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = markdown.index(heading + "\n") + len(heading)
    following = re.search(rf"^#{{1,{level}}} ", markdown[start:], re.MULTILINE)
    return markdown[start : start + following.start()] if following else markdown[start:]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in ``text``, as lists of cell texts."""
    rows = [line for line in text.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def has_key(lang: str, key: str) -> bool:
    """Whether the locale of ``lang`` has ``key`` (``family.*``: a family of keys)."""
    node = texts(lang)
    family = key.endswith(".*")
    for part in key.removesuffix(".*").split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict) if family else True


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_option_written_exists_in_the_help_of_its_command(document):
    markdown = document.read_text(encoding="utf-8")
    assert option_problems(markdown) == []


@pytest.mark.parametrize(
    ("guide", "shown"),
    [
        (GUIDES[0], {("analysis", "batch"), ("dask", "scheduler"), ("dask", "worker")}),
        (GUIDES[1], {("analysis", "batch"), ("analysis", "report"), ("papermill", "papermill")}),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_the_guides_show_the_commands_they_are_about(guide, shown):
    # the option checks above mean something only when the commands are found
    found = {(program, command) for program, command, _ in commands(guide.read_text())}
    assert shown <= found


def test_a_made_up_option_or_command_is_caught():
    text = (
        "```bash\n.venv/bin/python -m analysis batch --config c.yml \\\n  --no-such-option\n"
        ".venv/bin/dask worker tcp://h:8786 --nthreads 1 --threads-per-core 2\n```\n"
        "and on its own `--nonexistent`.\n"
    )
    assert option_problems(text) == [
        "analysis batch has no --no-such-option",
        "dask worker has no --threads-per-core",
        "no command of this text has --nonexistent",
    ]
    with pytest.raises(AssertionError, match="no such command"):
        option_problems("`python -m analysis publish --config c.yml`")


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves(document):
    assert link_problems(document) == []


def test_readme_links_both_guides():
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert "(docs/batch.md)" in readme and "(docs/reports.md)" in readme


def test_a_broken_link_or_anchor_is_caught(tmp_path):
    (tmp_path / "other.md").write_text("# Other\n\n## Results contract\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#results-contract) [file](missing.md) [anchor](other.md#no-such-part) "
        "[self](#nowhere) [web](https://example.org/x.md)\n\n```bash\n# not a heading\n```\n",
        encoding="utf-8",
    )
    problems = link_problems(page)
    assert [problem.split(":")[0] for problem in problems] == [
        "missing.md",
        "other.md#no-such-part",
        "#nowhere",
    ]


def test_slugs_follow_github():
    # GitHub's anchors of headings of docs/config.md and docs/stats.md, as the README links them
    heading = "`hypotheses` (list): the pre-registration"
    assert slug(heading) == "hypotheses-list-the-pre-registration"
    assert slug("Results contract") == "results-contract"
    assert slug("Notebook 90, the agency report") == "notebook-90-the-agency-report"


@pytest.mark.parametrize(
    ("heading", "notebook"),
    [
        ("### Notebook 90, the agency report", "90-agency-report.ipynb"),
        ("### Notebook 95, the study report", "95-study-report.ipynb"),
    ],
)
def test_parameter_tables_are_the_notebooks_parameters(heading, notebook):
    markdown = GUIDES[1].read_text(encoding="utf-8")
    documented = {
        row[0].strip("`"): row[1].strip("`") for row in table_rows(section(markdown, heading))
    }
    parameters = pm.inspect_notebook(str(PROJECT / "notebooks" / notebook))
    assert documented == {name: p["default"] for name, p in parameters.items()}


def test_locale_keys_named_in_the_report_guide_exist_in_both_languages():
    markdown = GUIDES[1].read_text(encoding="utf-8")
    keys = [
        key
        for row in table_rows(section(markdown, "## Changing the wording"))
        for key in INLINE.findall(row[0])
    ]
    assert {"sections.*", "tables.*", "table_notes.*", "figure_titles.*"} <= set(keys)
    missing = [(lang, key) for lang in LANGUAGES for key in keys if not has_key(lang, key)]
    assert missing == []
    assert not has_key("en", "no_such_family.*") and not has_key("en", "months.*")


def test_readme_comment_and_codebook_examples_are_read_as_written(tmp_path):
    import re

    import yaml

    from analysis.content import load_codebook
    from analysis.io.comments import read_comments

    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    comments_csv = re.search(r"```csv\n(post_id,.*?)```", readme, re.S).group(1)
    (tmp_path / "comments.csv").write_text(comments_csv, encoding="utf-8")
    comments = read_comments(
        tmp_path / "comments.csv", platform="instagram", agency_id="dukcapil", fmt="generic"
    )
    # the example: a citizen's question and the agency's reply to it
    assert list(comments["is_agency"]) == [False, True]
    assert comments["parent_id"].iloc[1] == "c1"
    assert not comments["text"].str.contains("Rina Kartika").any()  # the name is not kept
    block = re.search(r"```yaml\n(codebook:.*?)```", readme, re.S).group(1)
    (tmp_path / "codebook.yml").write_text(
        yaml.safe_dump(yaml.safe_load(block)["codebook"]), encoding="utf-8"
    )
    assert [c.id for c in load_codebook(tmp_path / "codebook.yml").categories] == ["integrity"]

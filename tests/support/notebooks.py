"""Notebooks as git stores them: the committed copy, what outputs it kept, its paired text file.

The stripping is the command the git filter runs (``tools/notebook-filter.sh``): ``python -m
nbstripout --keep-id``, so the tests see notebooks exactly as a commit would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
from jupytext.compare import NotebookDifference, compare_notebooks

#: What the git filter runs on every notebook that is added (see tools/notebook-filter.sh).
STRIP_COMMAND = (sys.executable, "-m", "nbstripout", "--keep-id")
#: Format of the text file paired with each notebook ([tool.jupytext] in pyproject.toml).
PAIRED_FORMAT = "py:percent"


def strip(text: str) -> str:
    """A notebook's JSON text as the git filter cleans it: no outputs, no execution counts."""
    return subprocess.run(
        STRIP_COMMAND, input=text, capture_output=True, text=True, check=True
    ).stdout


def stripped_copy(notebook: Path, folder: Path) -> Path:
    """A copy of ``notebook`` in ``folder`` without outputs, as papermill's input.

    A researcher may have saved the working copy with outputs; the tests run what a commit holds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / notebook.name
    target.write_text(strip(notebook.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def committed_text(notebook: Path) -> str:
    """The notebook's text as git will commit it: the staged copy (``git show :path``).

    Outside a git checkout (an unpacked sdist), or for a file git does not track, that is the
    file itself.
    """
    git = shutil.which("git")
    folder = notebook.parent
    if git is not None:
        tracked = subprocess.run(
            [git, "-C", folder, "ls-files", "--error-unmatch", notebook.name],
            capture_output=True,
        )
        if tracked.returncode == 0:
            return subprocess.run(
                [git, "-C", folder, "show", f":./{notebook.name}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
    return notebook.read_text(encoding="utf-8")


def kept_outputs(text: str) -> list[str]:
    """Code cells of a notebook's JSON text that carry outputs or an execution count."""
    cells = json.loads(text)["cells"]
    return [
        f"cell {number} ({cell.get('id', 'no id')}): {len(cell['outputs'])} outputs, "
        f"execution_count {cell['execution_count']}"
        for number, cell in enumerate(cells, start=1)
        if cell["cell_type"] == "code" and (cell["outputs"] or cell["execution_count"] is not None)
    ]


def paired_text_file(notebook: Path) -> Path:
    """The ``py:percent`` file beside a notebook (``10-clean-survey.py``)."""
    return notebook.with_suffix(".py")


def pair_difference(notebook: Path) -> str | None:
    """What differs between a notebook's cells and its paired text file's; None if nothing.

    Cell types, sources and cell metadata (e.g. the ``parameters`` tag) are compared, outputs
    are not.
    """
    paired = paired_text_file(notebook)
    if not paired.is_file():
        return f"{paired.name} is missing"
    try:
        compare_notebooks(jupytext.read(paired), jupytext.read(notebook), fmt=PAIRED_FORMAT)
    except NotebookDifference as difference:
        return str(difference)
    return None

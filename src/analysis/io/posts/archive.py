"""Post exports that arrive as a ZIP archive: YouTube Studio's download.

YouTube Studio (Analytics > Advanced mode > Export > CSV) downloads a ZIP holding
``Table data.csv`` (one row per video: the post table), ``Chart data.csv`` (one row per day, and
per video when the chart is split by video) and ``Totals.csv`` (one row per day). Given such a
ZIP, the post reader reads the member its format names with the same delimited-text reader as
the CSV itself (:mod:`analysis.io.text`). That reader works on a file (it memory-maps and splits
it), so the member is copied into a private temporary folder first, under a fixed name (the
member's own path never reaches the disk). The archive's sizes were checked before anything is
expanded (:func:`analysis.io.files.open_input`), so a zip bomb is refused, not extracted.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from analysis.errors import InputError
from analysis.io.labels import fold_header

#: Members that make a ZIP an Excel workbook rather than a zipped export.
WORKBOOK_MEMBERS = frozenset({"[Content_Types].xml", "xl/workbook.xml"})


def find_member(path: Path, wanted: dict[str, str]) -> str:
    """The member of the ZIP ``path`` to read as the post table.

    Parameters
    ----------
    path : Path
        A ZIP archive.
    wanted : dict
        Member file name (e.g. ``Table data.csv``) -> the export it belongs to, for the error
        message (e.g. ``a YouTube Studio download (youtube_studio)``). Names are compared
        without folders, case, accents or spacing (:func:`analysis.io.labels.fold_header`).

    Returns
    -------
    str
        The member's name inside the archive.

    Raises
    ------
    InputError
        When the archive cannot be opened, is an Excel workbook, or holds none of the wanted
        members (the message lists what it holds and what was expected).
    """
    names = member_names(path)
    if WORKBOOK_MEMBERS & set(names):
        raise InputError(
            "is an Excel workbook; post exports are read as the CSV files the platforms export",
            path=path,
            hint="download the CSV export, or save the sheet as CSV UTF-8",
        )
    by_file = {fold_header(PurePosixPath(name).name): name for name in names}
    for member in wanted:
        if fold_header(member) in by_file:
            return by_file[fold_header(member)]
    expected = "; ".join(f"{member} of {export}" for member, export in wanted.items())
    raise InputError(
        f"is a ZIP archive holding {', '.join(names) or 'nothing'}; expected "
        + (expected or "a CSV file, not a ZIP archive"),
        path=path,
        hint="give the post table itself (one row per post) or the platform's own download",
    )


def member_names(path: Path) -> list[str]:
    """Names of the files (not folders) in the ZIP ``path``, in archive order.

    Raises
    ------
    InputError
        When ``path`` starts like a ZIP archive but cannot be read as one.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return [info.filename for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(
            f"starts like a ZIP archive but cannot be opened as one ({error})",
            path=path,
            hint="download the export again",
        ) from None


@contextmanager
def extracted(path: Path, member: str) -> Iterator[Path]:
    """A temporary copy of ``member`` of the ZIP ``path``, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="analysis-zip-") as folder:
        copy = Path(folder) / "member.csv"
        with zipfile.ZipFile(path) as archive, archive.open(member) as data, copy.open("wb") as out:
            shutil.copyfileobj(data, out)
        yield copy


def in_member(error: InputError, path: Path, member: str) -> InputError:
    """``error``, found in ``member`` of the ZIP ``path``, as an error naming both."""
    return dataclasses.replace(error, path=path, message=f'in "{member}": {error.message}')

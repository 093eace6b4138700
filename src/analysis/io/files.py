"""Open input files safely: the one "file does not exist" error and the limits on what is read.

Every reader opens its input through :func:`open_input`, which refuses, with an
:class:`~analysis.errors.InputError` and before anything is read:

* a path that does not exist (the message names the path as given and the absolute path looked
  for);
* anything that is not a regular file: a directory, a device such as ``/dev/zero`` or
  ``/dev/urandom``, a named pipe (FIFO) or a socket, which would hang a reader or never end;
* a ZIP container (``.xlsx``) whose members declare more than :data:`MAX_UNZIPPED_BYTES` in all,
  or a member above :data:`RATIO_CHECKED_BYTES` that expands more than
  :data:`MAX_COMPRESSION_RATIO` times (a "zip bomb"): the declared sizes are checked before any
  member is decompressed, and Python's ``zipfile`` never expands a member beyond its declared
  size.

A symbolic link is followed, and the returned :class:`InputFile` says so in its ``notes`` (the
readers copy them into theirs), so a report shows which file was really read.
:func:`check_line_lengths` bounds delimited text: no line may be longer than
:data:`MAX_LINE_BYTES` (1 MiB), so a file of one endless line fails in a fraction of a second
instead of being parsed into memory.
"""

from __future__ import annotations

import mmap
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import InputError

#: Longest line of a delimited text file, in bytes (the header and every data line).
MAX_LINE_BYTES = 1 << 20
#: Most bytes all members of a ZIP container (``.xlsx``) may expand to.
MAX_UNZIPPED_BYTES = 512 << 20
#: Most a member larger than :data:`RATIO_CHECKED_BYTES` may expand, as a multiple of its
#: compressed size (worksheets compress 5 to 50 times; zip bombs a thousand times and more).
MAX_COMPRESSION_RATIO = 200
#: Members at most this large (uncompressed) are never refused for their compression ratio.
RATIO_CHECKED_BYTES = 16 << 20

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass
class InputFile:
    """A checked input file.

    Attributes
    ----------
    path : Path
        The path as given.
    size : int
        Its size in bytes.
    notes : list of str
        What a report should say about how it was opened (a symbolic link and its target).
    zipped : bool
        Whether it starts like a ZIP container (an ``.xlsx`` workbook, a zipped export).
    """

    path: Path
    size: int
    notes: list[str] = field(default_factory=list)
    zipped: bool = False


def open_input(path: str | Path) -> InputFile:
    """Check that ``path`` is a regular file that may be read (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The input file.

    Returns
    -------
    InputFile
        The path, its size, notes and whether it is a ZIP container.

    Raises
    ------
    InputError
        When the file does not exist, is not a regular file, or is a ZIP container that
        would expand beyond the limits.
    """
    path = Path(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise InputError(
            f"the file does not exist (looked for {path.absolute()})", path=path
        ) from None
    except OSError as error:
        raise InputError(f"cannot be opened ({error.strerror})", path=path) from None
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _KINDS if test(status.st_mode)), "not a file")
        raise InputError(
            f"is {kind}, not a regular file; expected an export file", path=path, hint=str(path)
        )
    notes = []
    if path.is_symlink():
        notes.append(f"{path} is a symbolic link: read {path.resolve()}")
    with path.open("rb") as stream:
        zipped = stream.read(4) == b"PK\x03\x04"
    if zipped:
        check_zip_sizes(path)
    return InputFile(path=path, size=status.st_size, notes=notes, zipped=zipped)


def check_zip_sizes(path: Path) -> None:
    """Refuse a ZIP container that would expand too much (see the module docstring).

    A file that is not a readable ZIP archive is left to the reader, which names what it
    expected.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    total = sum(member.file_size for member in members)
    if total > MAX_UNZIPPED_BYTES:
        raise InputError(
            f"expands to {total / 2**20:,.0f} MiB when unzipped, more than the "
            f"{MAX_UNZIPPED_BYTES >> 20} MiB this package reads",
            path=path,
            hint="split the workbook, or export the responses as CSV",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECKED_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise InputError(
                f'its part "{member.filename}" expands {ratio:,.0f} times when unzipped, '
                f"more than any workbook does ({MAX_COMPRESSION_RATIO} at most): it may be a "
                "zip bomb",
                path=path,
                hint="export the file again from the survey tool",
            )


def check_line_lengths(path: Path, size: int) -> None:
    """Raise InputError when a line of the text file ``path`` is longer than the limit.

    The file is scanned by windows of :data:`MAX_LINE_BYTES` through a memory map, each
    searched backwards for its last line break, so a file of short lines costs about one
    search per MiB.
    """
    if size <= MAX_LINE_BYTES:
        return
    with path.open("rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = 0
        while size - start > MAX_LINE_BYTES:
            newline = data.rfind(b"\n", start, start + MAX_LINE_BYTES + 1)
            if newline < 0:
                row = _count_lines(data, start) + 1
                raise InputError(
                    f"has a line longer than {MAX_LINE_BYTES >> 20} MiB (without a line "
                    "break); this is not a table of survey answers or posts",
                    path=path,
                    row=row,
                    hint="check that the file is the export, and that its line breaks survived",
                )
            start = newline + 1


def _count_lines(data: mmap.mmap, stop: int) -> int:
    """Line breaks in the first ``stop`` bytes of ``data`` (read in blocks, for errors only)."""
    block = 1 << 24
    return sum(data[k : min(k + block, stop)].count(b"\n") for k in range(0, stop, block))

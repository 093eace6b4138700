"""Executing the report notebook with papermill, in a kernel that leaves nothing behind.

Each run gets a private folder ``<tmp>/analysis-kernel-*`` for the kernel's IPC sockets and its
connection file, with the pid of the process that owns it. The folder is removed when the run
ends, however it ends; folders whose owner died without removing them (a killed worker) are
removed when the next run starts.

The kernel is shut down with a shutdown request only. jupyter_client 8 sends SIGINT before every
shutdown; papermill shuts the kernel down once the last cell has replied, and a kernel that is
still finishing that message turns the signal into ``KeyboardInterrupt caught in kernel`` on the
batch's error output (7 of 60 notebook runs on a busy machine). A kernel that is really busy
(a cell over :data:`CELL_TIMEOUT`) is ended by the SIGTERM and SIGKILL that follow the request.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import papermill as pm
from jupyter_client.manager import KernelManager

from analysis.config import Study, paths

KernelManager.shutdown_wait_time = 0.5  # avoids 3 s shutdown stalls (reference/pdf_pipeline.md)

KERNEL_PREFIX = "analysis-kernel-"
OWNER_FILE = "owner.pid"
CELL_TIMEOUT = 600
"""Seconds a notebook cell may run before the agency fails with a timeout."""


class LocalKernelManager(KernelManager):
    """A kernel that talks over IPC sockets in the private folder :attr:`socket_folder`.

    No TCP ports are opened (so no unencrypted-TCP warning), and kernels started at the same
    time by parallel workers never share socket files. Use :func:`kernel_manager_in`, which
    sets the folder.
    """

    socket_folder: str = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        kwargs.setdefault("ip", os.path.join(self.socket_folder, "kernel"))
        kwargs.setdefault("connection_file", os.path.join(self.socket_folder, "connection.json"))
        super().__init__(**kwargs)

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt the kernel, except while shutting it down (see the module docstring)."""
        if not self.shutting_down:
            await super()._async_interrupt_kernel()


def kernel_manager_in(folder: Path) -> type[LocalKernelManager]:
    """A :class:`LocalKernelManager` class whose kernels keep their files in ``folder``."""
    return type("FolderKernelManager", (LocalKernelManager,), {"socket_folder": str(folder)})


def execute_report(study: Study, agency: str, lang: str, folder: Path, data_dir: Path) -> Path:
    """Run the report notebook for one agency with papermill (kernel ``python3``).

    Writes ``report.ipynb`` (and, from the notebook, ``results.json``) into ``folder``; the
    executed notebook is written even when a cell fails.

    Returns
    -------
    Path
        The executed notebook.
    """
    remove_stale_kernel_folders()
    kernel_folder = Path(tempfile.mkdtemp(prefix=KERNEL_PREFIX))
    (kernel_folder / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    parameters = {
        "config": str(study.config_path),
        "agency": agency,
        "lang": lang,
        "processed_dir": str(data_dir),
        "output_dir": str(folder),
    }
    try:
        pm.execute_notebook(
            paths.notebook(paths.REPORT_NOTEBOOK),
            folder / "report.ipynb",
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(paths.notebooks_dir()),
            kernel_manager_class=kernel_manager_in(kernel_folder),
            execution_timeout=CELL_TIMEOUT,
        )
    finally:
        shutil.rmtree(kernel_folder, ignore_errors=True)
    return folder / "report.ipynb"


def remove_stale_kernel_folders(temp_dir: str | Path | None = None) -> list[Path]:
    """Remove this user's kernel folders whose owner process is gone; returns them."""
    removed = []
    for folder in Path(temp_dir or tempfile.gettempdir()).glob(f"{KERNEL_PREFIX}*"):
        owner = folder / OWNER_FILE
        try:
            if folder.is_symlink() or folder.lstat().st_uid != os.getuid():
                continue
            pid = int(owner.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours, or an older run without an owner file
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""Executing the report notebook with papermill, in a kernel that leaves nothing behind.

Every kernel gets a private folder ``<tmp>/analysis-kernel-*`` for its IPC sockets and its
connection file, with the pid of the process that owns it. The folder is removed when the
kernel is shut down, however that happens; folders whose owner died without removing them (a
killed worker) are removed when the next kernel starts. BLAS runs on one thread in every report
kernel, so that results do not depend on how many workers share the machine (a multi-threaded
reduction can round differently) and workers do not oversubscribe its cores.

:func:`execute_report` runs the notebook in a new kernel, shut down afterwards.
:func:`execute_report_warm` (what batch workers do) runs it in a warm kernel of the process
(:data:`KERNELS`): starting a kernel and importing the reporting stack (pandas, statsmodels,
semopy, seaborn, the whole ``analysis`` package) takes several seconds, as long as half a
report, so a worker keeps its kernel between reports. A warm kernel imports the package when it
starts and notes the state those imports leave (:func:`warm_up`); before each notebook that
state is restored, the namespace emptied and the execution count set back to 1
(:func:`reset_session`), so a report made in a reused kernel is the one a new kernel makes
(``tests/test_batch_scale.py`` compares them byte for byte). A warm kernel whose notebook
failed, or that died, or that was started from other code than what is now on disk
(:func:`analysis.pipeline.cache.code_key`), or that has grown past
:data:`KERNEL_MEMORY_LIMIT`, is shut down and replaced.

papermill runs the notebook through its engine registry: :class:`RunningKernelEngine`
(:data:`ENGINE`) is papermill's nbclient engine given the kernel that is already running;
papermill itself always starts a new kernel.

The kernel is shut down with a shutdown request only. jupyter_client 8 sends SIGINT before every
shutdown; papermill shuts the kernel down once the last cell has replied, and a kernel that is
still finishing that message turns the signal into ``KeyboardInterrupt caught in kernel`` on the
batch's error output (7 of 60 notebook runs on a busy machine). A kernel that is really busy
(a cell over :data:`CELL_TIMEOUT`) is ended by the SIGTERM and SIGKILL that follow the request.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import pkgutil
import queue
import shutil
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Generic, TypeVar

import papermill as pm
import psutil
from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as papermill_logger

from analysis.config import Study, paths
from analysis.pipeline.cache import code_key

KernelManager.shutdown_wait_time = 0.5  # avoids 3 s shutdown stalls (reference/pdf_pipeline.md)

KERNEL_PREFIX = "analysis-kernel-"
OWNER_FILE = "owner.pid"
CELL_TIMEOUT = 600
"""Seconds a notebook cell may run before the agency fails with a timeout."""
START_TIMEOUT = 120
"""Seconds a kernel may take to start and import the package."""
KERNEL_MEMORY_LIMIT = 1 << 30
"""Resident bytes above which a warm kernel is replaced before its next report (a kernel
grows by about 15 MiB a report, mostly caches; it starts at about 0.5 GiB)."""
ENGINE = "analysis-running-kernel"
"""Name of :class:`RunningKernelEngine` in papermill's engine registry."""
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Added to the environment of every report kernel (see the module docstring)."""

WARM_UP_NICENESS = 5
"""Nice value of the batch's worker threads and the kernels and browsers they start (see
:func:`lower_thread_priority`)."""

Helper = TypeVar("Helper")


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

    async def _async_pre_start_kernel(self, **kwargs):
        """Start the kernel with one BLAS thread (:data:`ONE_BLAS_THREAD`)."""
        kwargs["env"] = {**kwargs.get("env", os.environ), **ONE_BLAS_THREAD}
        return await super()._async_pre_start_kernel(**kwargs)

    async def _async_interrupt_kernel(self) -> None:
        """Interrupt the kernel, except while shutting it down (see the module docstring)."""
        if not self.shutting_down:
            await super()._async_interrupt_kernel()


def kernel_manager_in(folder: Path) -> type[LocalKernelManager]:
    """A :class:`LocalKernelManager` class whose kernels keep their files in ``folder``."""
    return type("FolderKernelManager", (LocalKernelManager,), {"socket_folder": str(folder)})


class KernelSetupError(RuntimeError):
    """A report kernel did not start, or failed to import the package or to reset itself."""


class ReportKernel:
    """A running ``python3`` kernel for report notebooks, warmed up (see the module docstring).

    Started in the notebooks folder; close it when done.

    Attributes
    ----------
    code : str
        :func:`analysis.pipeline.cache.code_key` when the kernel started.
    reports : int
        Notebooks executed in it.

    Raises
    ------
    KernelSetupError
        When the kernel does not start or cannot import the package.
    """

    def __init__(self):
        remove_stale_kernel_folders()
        self.folder = Path(tempfile.mkdtemp(prefix=KERNEL_PREFIX))
        (self.folder / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
        self.code = code_key()
        self.reports = 0
        self.manager = self.client = None
        try:
            self.manager = kernel_manager_in(self.folder)(kernel_name="python3")
            self.manager.start_kernel(cwd=str(paths.notebooks_dir()))
            self.client = self.manager.client()
            self.client.start_channels()
            self.client.wait_for_ready(timeout=START_TIMEOUT)
            self._run_quietly("import analysis.pipeline.execute as _e; _e.warm_up()")
        except BaseException as error:
            self.close()
            if isinstance(error, Exception) and not isinstance(error, KernelSetupError):
                raise KernelSetupError(f"the report kernel did not start: {error}") from error
            raise

    def usable(self) -> bool:
        """Whether the kernel is alive, was started from the code now on disk and holds no
        more than :data:`KERNEL_MEMORY_LIMIT`."""
        return (
            self.manager is not None
            and self.manager.is_alive()
            and self.code == code_key()
            and self.memory() <= KERNEL_MEMORY_LIMIT
        )

    def memory(self) -> int:
        """Resident memory of the kernel process, in bytes (0 when it is gone)."""
        try:
            return psutil.Process(self.manager.provisioner.pid).memory_info().rss
        except (AttributeError, psutil.Error):
            return 0

    def execute(self, notebook: Path, output: Path, parameters: dict) -> None:
        """Reset the kernel, then execute ``notebook`` with ``parameters`` into ``output``.

        ``output`` is written once, when the notebook has run or a cell has failed, not after
        every cell as papermill does by default (a report's notebook holds megabytes of
        figures, and writing it after each of its cells cost about a tenth of its time).

        Raises
        ------
        papermill.PapermillExecutionError
            When a cell fails (``output`` holds the executed notebook with the error).
        """
        self._run_quietly("import analysis.pipeline.execute as _e; _e.reset_session()")
        self.reports += 1
        pm.execute_notebook(
            notebook,
            output,
            parameters=parameters,
            engine_name=ENGINE,
            kernel=self,
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT,
            request_save_on_cell_execute=False,
        )

    def close(self) -> None:
        """Shut the kernel down and remove its folder."""
        try:
            if self.client is not None:
                self.client.stop_channels()
            if self.manager is not None and self.manager.has_kernel:
                self.manager.shutdown_kernel()
        finally:
            self.manager = self.client = None
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run_quietly(self, code: str) -> None:
        """Run ``code`` in the kernel without output or history; KernelSetupError if it fails."""
        message = self.client.execute(code, silent=True, store_history=False)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                reply = self.client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise KernelSetupError(
                    f"the report kernel did not answer within {START_TIMEOUT} s"
                ) from None
            if reply["parent_header"].get("msg_id") == message:
                break
        content = reply["content"]
        if content["status"] != "ok":
            raise KernelSetupError(
                f"the report kernel failed to run {code!r}: "
                f"{content.get('ename')}: {content.get('evalue')}"
            )


class RunningKernelEngine(NBClientEngine):
    """papermill's nbclient engine, executing in a running :class:`ReportKernel` (``kernel=``).

    nbclient leaves a kernel it did not start running, with its client connected.
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        kernel: ReportKernel | None = None,
        **kwargs,
    ):
        """Execute the notebook of ``nb_man`` in ``kernel``; other arguments as papermill's."""
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.manager,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=papermill_logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        client.kc = kernel.client
        return client.execute()


papermill_engines.register(ENGINE, RunningKernelEngine)


class WarmPool(Generic[Helper]):
    """Long-lived helpers of this process (report kernels, browsers), lent to one report at a
    time.

    A helper is started on first need; a process running several reports at once gets one
    helper per report. A helper that is no longer usable when taken, or that was lent to a
    caller that raised, is closed; the idle ones are closed when the process exits.

    Parameters
    ----------
    start : callable
        Makes a new helper.
    close : callable
        Closes a helper.
    usable : callable
        Whether an idle helper may be lent again.
    """

    def __init__(
        self,
        start: Callable[[], Helper],
        close: Callable[[Helper], None],
        usable: Callable[[Helper], bool],
    ):
        self._start, self._close, self._usable = start, close, usable
        self._idle: list[Helper] = []
        self._lock = threading.Lock()
        self._closes_at_exit = False

    @contextmanager
    def lend(self) -> Iterator[Helper]:
        """A usable helper for the ``with`` block; closed if the block raises, kept otherwise."""
        helper = self._take()
        try:
            yield helper
        except BaseException:
            with suppress(Exception):
                self._close(helper)
            raise
        with self._lock:
            self._idle.append(helper)

    @property
    def idle(self) -> list[Helper]:
        """The helpers waiting to be lent (a copy of the list)."""
        with self._lock:
            return list(self._idle)

    def close_all(self) -> None:
        """Close every idle helper."""
        with self._lock:
            idle, self._idle = self._idle, []
        for helper in idle:
            with suppress(Exception):
                self._close(helper)

    def _take(self) -> Helper:
        while True:
            with self._lock:
                if not self._closes_at_exit:
                    atexit.register(self.close_all)
                    self._closes_at_exit = True
                helper = self._idle.pop() if self._idle else None
            if helper is None:
                return self._start()
            if self._usable(helper):
                return helper
            with suppress(Exception):
                self._close(helper)


KERNELS: WarmPool[ReportKernel] = WarmPool(ReportKernel, ReportKernel.close, ReportKernel.usable)
"""The warm report kernels of this process."""


def lower_thread_priority(niceness: int = WARM_UP_NICENESS) -> None:
    """Give the calling thread, and the processes it starts from now on (kernels, browsers),
    the nice value ``niceness`` (if it is not already that low), on Linux only.

    A batch starts its workers' kernels and browsers, and its study report's kernel, while it
    cleans the study; the cleaning is what the first report waits for, so it goes first. On
    Linux the nice value belongs to a thread and a child process inherits its parent thread's
    (``man 2 setpriority``), so the rest of the process keeps its priority; on other systems
    it would lower the whole process, so nothing is done there.
    """
    if not sys.platform.startswith("linux"):
        return
    with suppress(OSError):
        current = os.getpriority(os.PRIO_PROCESS, 0)
        if current < niceness:
            os.nice(niceness - current)


def _start_kernel_at_low_priority() -> ReportKernel:
    lower_thread_priority()
    return ReportKernel()


class KernelStartedEarly:
    """One report kernel for a notebook this process will run later, started in a background
    thread as soon as :meth:`start` is called, so that its start-up and imports overlap other
    work (a batch starts its study report's kernel while the agency reports run), at a lower
    priority than that work (:func:`lower_thread_priority`).

    Use as a context manager: the kernel is shut down on exit, used or not.
    """

    def __init__(self):
        self._kernel: Future | None = None

    def __enter__(self) -> KernelStartedEarly:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> None:
        """Start the kernel in the background (once; later calls do nothing)."""
        if self._kernel is None:
            starter = ThreadPoolExecutor(1, thread_name_prefix="report-kernel")
            self._kernel = starter.submit(_start_kernel_at_low_priority)
            starter.shutdown(wait=False)

    def execute(self, notebook: Path, output: Path, parameters: dict) -> None:
        """:meth:`ReportKernel.execute` in the kernel started early; in a new kernel when it
        was not started, failed to start or is no longer usable.

        Raises
        ------
        papermill.PapermillExecutionError
            When a cell fails.
        """
        self.start()
        try:
            kernel = self._kernel.result()
        except KernelSetupError:
            kernel = None
        if kernel is None or not kernel.usable():
            self.close()
            execute_notebook(notebook, output, parameters)
            return
        kernel.execute(notebook, output, parameters)

    def close(self) -> None:
        """Shut the kernel down (waiting for it to finish starting)."""
        kernel, self._kernel = self._kernel, None
        if kernel is not None:
            with suppress(Exception):
                kernel.result().close()


def execute_report(study: Study, agency: str, lang: str, folder: Path, data_dir: Path) -> Path:
    """Run the report notebook for one agency with papermill, in a new kernel (``python3``).

    Writes ``report.ipynb`` (and, from the notebook, ``results.json``) into ``folder``; the
    executed notebook is written even when a cell fails. The kernel is shut down afterwards.

    Returns
    -------
    Path
        The executed notebook.
    """
    output = folder / "report.ipynb"
    parameters = report_parameters(study, agency, lang, folder, data_dir)
    execute_notebook(paths.notebook(paths.REPORT_NOTEBOOK), output, parameters)
    return output


def execute_report_warm(study: Study, agency: str, lang: str, folder: Path, data_dir: Path) -> Path:
    """:func:`execute_report` in one of this process's warm kernels (:data:`KERNELS`).

    The kernel stays running for the next report, unless this one raised (a failing cell, a
    dead kernel): it is then shut down, and the next report starts a new one.
    """
    output = folder / "report.ipynb"
    parameters = report_parameters(study, agency, lang, folder, data_dir)
    execute_notebook(paths.notebook(paths.REPORT_NOTEBOOK), output, parameters, warm=True)
    return output


def execute_notebook(notebook: Path, output: Path, parameters: dict, warm: bool = False) -> None:
    """Execute a shipped notebook with ``parameters`` into ``output``: in one of this process's
    warm kernels when ``warm``, else in a new kernel shut down afterwards.

    Raises
    ------
    papermill.PapermillExecutionError
        When a cell fails (``output`` holds the executed notebook with the error).
    """
    if warm:
        with KERNELS.lend() as kernel:
            kernel.execute(notebook, output, parameters)
        return
    remove_stale_kernel_folders()
    kernel_folder = Path(tempfile.mkdtemp(prefix=KERNEL_PREFIX))
    (kernel_folder / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    try:
        pm.execute_notebook(
            notebook,
            output,
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(paths.notebooks_dir()),
            kernel_manager_class=kernel_manager_in(kernel_folder),
            execution_timeout=CELL_TIMEOUT,
        )
    finally:
        shutil.rmtree(kernel_folder, ignore_errors=True)


def report_parameters(study: Study, agency: str, lang: str, folder: Path, data_dir: Path) -> dict:
    """The report notebook's parameters for one agency."""
    return {
        "config": str(study.config_path),
        "agency": agency,
        "lang": lang,
        "processed_dir": str(data_dir),
        "output_dir": str(folder),
    }


def warm_up() -> None:
    """In a report kernel: import the package and note the state its imports leave.

    Every module of ``analysis`` is imported (see :func:`_is_code_module`), with pyplot, whose
    inline backend sets matplotlib's rcParams; what is noted is restored by
    :func:`reset_session`. A module that cannot be imported is left out here: a notebook that
    imports it fails with its own error. What the imports made is then frozen out of garbage
    collection (:func:`gc.freeze`), so that later collections scan only what reports make (a
    full collection over the imported stack takes a quarter of a second).
    """
    import matplotlib
    import matplotlib.pyplot  # noqa: F401

    import analysis

    for module in pkgutil.walk_packages(analysis.__path__, "analysis.", onerror=lambda _: None):
        if _is_code_module(module.name):
            with suppress(Exception):
                importlib.import_module(module.name)
    _BASELINE.update(
        rc=dict(matplotlib.rcParams.copy()), filters=list(warnings.filters), cwd=os.getcwd()
    )
    gc.freeze()


def _is_code_module(name: str) -> bool:
    """Whether :func:`warm_up` imports the module ``name``: not ``__main__`` (the command
    line), nothing under ``analysis.notebooks`` (paired notebook scripts, which run when
    imported), no name that is not a Python identifier."""
    parts = name.split(".")
    return (
        all(part.isidentifier() for part in parts)
        and parts[-1] != "__main__"
        and not name.startswith("analysis.notebooks")
    )


def reset_session() -> None:
    """In a report kernel: back to the state :func:`warm_up` noted, as a new kernel has it.

    Empties the user namespace and IPython's history of outputs, sets the execution count to 1
    and collects garbage (IPython's ``reset``), closes every figure, and restores matplotlib's
    rcParams, the warning filters (forgetting which warnings were already shown) and the
    working folder.
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    plt.close("all")
    get_ipython().reset(new_session=True)
    dict.update(matplotlib.rcParams, _BASELINE["rc"])
    warnings.resetwarnings()
    warnings.filters[:] = _BASELINE["filters"]
    os.chdir(_BASELINE["cwd"])


_BASELINE: dict = {}
"""State noted by :func:`warm_up` in a report kernel."""


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

"""A successful batch is quiet on stderr (issue 9, defect 11).

Two sources of noise on successful runs, each with a test that fails without its fix:
jupyter_client interrupting (SIGINT) every kernel it shuts down, which a kernel still finishing
its last message logs as ``KeyboardInterrupt caught in kernel``; and Dask's nanny killing worker
processes that take more than 4 s to exit, which logs ``Worker process still alive after 4.0
seconds, killing`` and can cut connections (``CommClosedError ... Stream is closed``). A third:
semopy configuring the root logger on import, after which Dask's INFO messages reached stderr.
The last test runs the command line on a one-agency study and checks that stderr is empty.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from analysis.config import load_study
from analysis.demo.generator import generate_demo
from analysis.pipeline.batch import local_cluster
from analysis.pipeline.execute import kernel_manager_in

from .conftest import PROJECT, write_study_config

NOISE = ("KeyboardInterrupt", "CommClosedError", "Stream is closed", "still alive", "Traceback")


@pytest.fixture()
def signals_sent(monkeypatch) -> list[int]:
    """Every signal jupyter_client sends to a kernel process, in order."""
    sent: list[int] = []
    send = LocalProvisioner.send_signal

    async def recording(self, signum: int) -> None:
        sent.append(signum)
        await send(self, signum)

    monkeypatch.setattr(LocalProvisioner, "send_signal", recording)
    return sent


def test_the_kernel_is_interrupted_on_request_but_not_when_shut_down(tmp_path, signals_sent):
    manager = kernel_manager_in(tmp_path)(kernel_name="python3")
    manager.start_kernel()
    try:
        manager.interrupt_kernel()
    finally:
        manager.shutdown_kernel()
    # jupyter_client 8.10 sends SIGINT before the shutdown request too: two SIGINTs without the fix
    assert signals_sent.count(signal.SIGINT) == 1, signals_sent


def _exit_slowly() -> None:
    """Make this worker process take 6 s to exit (more than the nanny's default 4 s)."""
    import atexit
    import time

    atexit.register(time.sleep, 6)


def test_closing_the_cluster_lets_a_slow_worker_exit_on_its_own(capfd):
    from distributed import Client

    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            client.run(_exit_slowly)
    finally:
        cluster.close()
    # Dask's own nanny logs "Worker process still alive after 4.0 seconds, killing" here
    assert "still alive" not in capfd.readouterr().err


def test_a_successful_batch_prints_nothing_on_stderr(tmp_path):
    config = write_study_config(tmp_path, ["samsat-lembah-hijau"])
    generate_demo(load_study(config))
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "batch", "--config", str(config), "--workers", "1"],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "samsat-lembah-hijau" in result.stdout and "failed" not in result.stdout
    assert not [line for line in result.stderr.splitlines() if any(n in line for n in NOISE)]
    assert result.stderr == ""


def test_importing_the_statistics_leaves_logging_unconfigured():
    # semopy 2.3 calls logging.info() on import; without analysis.stats._compat.import_semopy
    # the root logger gets a stderr handler and every INFO message of Dask reaches it
    code = (
        "import logging, analysis.stats, analysis.pipeline.batch, analysis.reporting.study_context;"
        "print(len(logging.getLogger().handlers))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "0"

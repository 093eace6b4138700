"""Start JupyterLab on the project's notebooks; `make lab` runs this, and so does tests/test_lab.py.

JupyterLab listens on 127.0.0.1 only, with a fresh token. ``--allow-root`` is added only when
running as root (JupyterLab refuses to start as root without it), and ``--no-browser`` whenever
no browser can open here: as root, in a container, on CI, or on Linux without a display. Before
JupyterLab starts, the address to open (with its token) and the notebooks folder are printed.

Usage: ``python tools/lab.py [--port PORT] [--no-browser]``
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys
from collections.abc import Mapping
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
HOST = "127.0.0.1"
DEFAULT_PORT = 8888
#: Files whose presence means "inside a container" (Docker, Podman).
CONTAINER_MARKERS = ("/.dockerenv", "/run/.containerenv")


def free_port(start: int = DEFAULT_PORT, tries: int = 100) -> int:
    """The first port from ``start`` on that nothing listens on at :data:`HOST`.

    Parameters
    ----------
    start : int
        First port tried.
    tries : int
        How many consecutive ports are tried.

    Returns
    -------
    int
        A port that could be bound just now.

    Raises
    ------
    OSError
        When every port tried is taken.
    """
    for port in range(start, start + tries):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise OSError(f"ports {start}-{start + tries - 1} on {HOST} are all taken; pass --port")


def can_open_browser(
    uid: int, environ: Mapping[str, str], in_container: bool, platform: str = sys.platform
) -> bool:
    """Whether JupyterLab should try to open a web browser.

    Parameters
    ----------
    uid : int
        Effective user id (0 is root: no desktop session to open a browser in).
    environ : mapping
        Environment variables (``CI`` set means a CI runner; ``DISPLAY`` or ``WAYLAND_DISPLAY``
        means a Linux desktop).
    in_container : bool
        Whether this runs inside a container.
    platform : str
        ``sys.platform``; outside Linux a browser can always be opened.

    Returns
    -------
    bool
    """
    if uid == 0 or in_container or environ.get("CI"):
        return False
    if platform.startswith("linux"):
        return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return True


def lab_command(
    python: str, notebooks: Path, port: int, *, as_root: bool, open_browser: bool
) -> list[str]:
    """The JupyterLab command line.

    Parameters
    ----------
    python : str
        Interpreter of the environment JupyterLab is installed in.
    notebooks : Path
        Folder JupyterLab shows.
    port : int
        Port on :data:`HOST`; JupyterLab fails rather than moving to another one.
    as_root : bool
        Add ``--allow-root``.
    open_browser : bool
        Let JupyterLab open a browser (else ``--no-browser``).

    Returns
    -------
    list of str
    """
    command = [
        python,
        "-m",
        "jupyterlab",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={notebooks}",
    ]
    if as_root:
        command.append("--allow-root")
    if not open_browser:
        command.append("--no-browser")
    return command


def main(argv: list[str] | None = None) -> None:
    """Print where JupyterLab will be, then replace this process with JupyterLab.

    Parameters
    ----------
    argv : list of str, optional
        Command-line arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, help=f"port on {HOST} (default: {DEFAULT_PORT} or up)")
    parser.add_argument("--no-browser", action="store_true", help="never open a web browser")
    args = parser.parse_args(argv)
    port = args.port or free_port()
    uid = os.geteuid()
    in_container = any(os.path.exists(marker) for marker in CONTAINER_MARKERS)
    open_browser = not args.no_browser and can_open_browser(uid, os.environ, in_container)
    command = lab_command(
        sys.executable, NOTEBOOKS, port, as_root=uid == 0, open_browser=open_browser
    )
    token = secrets.token_hex(24)
    print(f"JupyterLab:  http://{HOST}:{port}/lab?token={token}", flush=True)
    print(f"Notebooks:   {NOTEBOOKS}", flush=True)
    print("Stop it with Ctrl-C.", flush=True)
    # The token goes through the environment, not the command line other users can see in ps.
    os.execve(sys.executable, command, {**os.environ, "JUPYTER_TOKEN": token})


if __name__ == "__main__":
    main()

"""A throwaway PostgreSQL cluster of our own, for fault injection (``bench/faulttest.py``).

The fault test restarts, stops and reconfigures its database on purpose. It must never do
that to the machine's shared PostgreSQL server, which other people's tests and CI use, so it
makes a cluster of its own: ``initdb`` into a temporary directory, a free port, listening on
127.0.0.1 only, its socket in that directory, and everything deleted at the end.

PostgreSQL refuses to run as root; as root, its programs run as the ``postgres`` user through
``runuser``.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "postgres"


def binaries() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them per version), or the
    directory ``HOMEPLAN_PG_BIN`` names."""
    named = os.environ.get("HOMEPLAN_PG_BIN")
    if named:
        return Path(named)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    if found:
        return Path(found[-1])
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise SystemExit("No PostgreSQL programs found: install postgresql or set HOMEPLAN_PG_BIN.")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    """One PostgreSQL cluster in a temporary directory; ``with PrivateCluster() as c:``."""

    def __init__(self, *, settings: dict[str, str] | None = None):
        self.bin = binaries()
        self.port = free_port()
        self.settings = settings or {}
        self.directory = Path(tempfile.mkdtemp(prefix="homeplan-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgresql.log"
        self.as_root = os.geteuid() == 0

    def url(self, database: str) -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(  # noqa: S603 - PostgreSQL's own programs, fixed arguments
            command, check=check, capture_output=True, text=True, timeout=120
        )

    def create(self) -> None:
        if self.as_root:
            shutil.chown(self.directory, user="postgres", group="postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        options = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "fsync": "off",
            "full_page_writes": "off",
            "logging_collector": "off",
            **self.settings,
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# Homeplan's throwaway cluster for the fault test\n")
            for name, value in options.items():
                conf.write(f"{name} = {value}\n")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "restart")

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = self._run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), check=False)
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise SystemExit(f"the private PostgreSQL did not start: see {self.log}")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> "PrivateCluster":
        try:
            self.create()
            self.start()
            self.wait_ready()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

"""Real app servers for deployment tests: collectstatic, gunicorn, and a plain HTTP client.

The servers run as production does (``DJANGO_DEBUG=0``, WhiteNoise with compressed, hashed
static files, gunicorn) against the test database, so whatever they write, the test reads.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# Throwaway, but one value for every server: sessions, CSRF tokens and signed message
# cookies made by one server must verify on the other.
SECRET_KEY = "deploy-test-only-" + "k" * 48
START_TIMEOUT = 60.0


def database_env() -> dict[str, str]:
    """The variables that point a subprocess at the test database this test is using."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = urllib.parse.quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + urllib.parse.quote(db["PASSWORD"], safe="")
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        return {"DATABASE_URL": f"postgres://{credentials}@{host}/{db['NAME']}"}
    # SQLite tests use a file (settings: DATABASES TEST NAME), which other processes can open.
    return {"DATABASE_URL": "", "DJANGO_SQLITE_PATH": str(db["NAME"])}


def production_env(*, static_root: Path, **extra: str) -> dict[str, str]:
    """A production environment (DEBUG off) for plain HTTP on 127.0.0.1."""
    env = {key: value for key, value in os.environ.items() if key != "GUNICORN_CMD_ARGS"}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        # No TLS between the test and the server; a real site redirects at its proxy.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(static_root),
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.update(database_env())
    env.update(extra)
    return env


def collect_static(base: Path) -> Path:
    """Run ``collectstatic`` as a deploy does (manifest + compression), once per test run.

    The result is kept under pytest's base temporary directory, so the page-weight test and
    the two-server test share one copy whichever runs first.
    """
    static_root = base / "deploy-staticfiles"
    if not (static_root / "staticfiles.json").exists():
        env = production_env(static_root=static_root)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
        )
    return static_root


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AppServer:
    """One gunicorn process serving the project on 127.0.0.1."""

    name: str
    port: int
    log: Path
    process: subprocess.Popen
    started_at: float
    ready_after: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self) -> None:
        deadline = self.started_at + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server {self.name} exited early:\n{self.log.read_text()}")
            try:
                status, _, _ = plain_request(self.url, "GET", "/healthz")
            except OSError:
                status = None
            if status == 200:
                self.ready_after = time.monotonic() - self.started_at
                return
            time.sleep(0.1)
        raise RuntimeError(
            f"server {self.name} not ready in {START_TIMEOUT}s:\n{self.log.read_text()}"
        )

    def stop(self) -> None:
        # gunicorn runs in its own process group: this ends the arbiter and its workers,
        # even a worker left behind by an arbiter that died.
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            self.process.wait(timeout=15)
            return
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def start_server(name: str, env: dict[str, str], log_dir: Path, *, workers: int = 1) -> AppServer:
    port = free_port()
    log = log_dir / f"gunicorn-{name}-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "clinic.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--access-logfile=-",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - gunicorn from our venv, fixed arguments
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return AppServer(name, port, log, process, started_at=time.monotonic())


@contextmanager
def app_servers(
    names: list[str], env: dict[str, str], log_dir: Path, *, workers: int = 1
) -> Iterator[list[AppServer]]:
    """Start one server per name (in parallel), wait for /healthz, always stop them."""
    servers = []
    try:
        servers = [start_server(name, env, log_dir, workers=workers) for name in names]
        for server in servers:
            server.wait_until_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def plain_request(
    base_url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    parsed = urllib.parse.urlsplit(base_url)
    connection_ = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    try:
        connection_.request(method, path, body=body, headers=headers or {})
        response = connection_.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection_.close()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def csrf_token(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        assert match, f"no CSRF token in the page (status {self.status})"
        return match.group(1)


@dataclass
class CookieClient:
    """A user agent with one cookie jar for every server, as a phone has for one site.

    Production cookies are ``Secure``; browsers would keep them off plain HTTP, so this
    client sends them itself (the servers behind a TLS proxy see the same).
    """

    cookies: dict[str, str] = field(default_factory=dict)

    def get(self, base_url: str, path: str) -> Response:
        return self._send(base_url, "GET", path)

    def post(self, base_url: str, path: str, data: dict) -> Response:
        return self._send(base_url, "POST", path, data)

    def _send(self, base_url: str, method: str, path: str, data: dict | None = None) -> Response:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, content = plain_request(base_url, method, path, body, headers)
        for header in response_headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        return Response(status, response_headers, content.decode("utf-8", "replace"))

    def log_in(self, base_url: str, username: str, password: str) -> Response:
        form = self.get(base_url, "/accounts/login/")
        assert form.status == 200, form.status
        return self.post(
            base_url,
            "/accounts/login/",
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": form.csrf_token(),
            },
        )

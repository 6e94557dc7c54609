"""Load test with nothing lost: simulated patients against gunicorn and PostgreSQL.

Run from the repository root with ``python -m bench.loadtest`` (or ``make loadtest``); see
bench/README.md. It seeds 50 scale patients in its own PostgreSQL database, starts gunicorn
(2 workers, DEBUG off, ``clinic/gunicorn.conf.py``) on a free port, logs the patients in and
for 60 seconds has each load Today, check exercises off (or skip or undo them) and mark the
session done. Every write the server acknowledged is kept in a ledger; afterwards the
database must hold exactly the ledger's last value for every key: nothing lost, nothing
duplicated, and no 5xx answer on the way. Then Today and a bare signed-in baseline view are
loaded in turn, for the ratio of their requests per second.

The client is the standard library's asyncio with plain HTTP/1.1, one connection per request
(gunicorn's sync workers close every connection after the response): no dependency to pin,
and the least CPU taken from the server that shares these cores.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("loadtest-results.json")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/homeplan_load"
# Static files, media and the server's log live outside the checkout: the load test must not
# write into the working tree's staticfiles/ or media/.
WORK_DIR = Path(tempfile.gettempdir()) / "homeplan-loadtest"
BASELINE_URL = "/bench/baseline/"
BARE_INSERT_URL = "/bench/insert/"
KINDS = ("today", "check", "session_done")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHECK_ACTION = re.compile(r'action="/plan/(\d{4}-\d{2}-\d{2})/check/"')
CARD = re.compile(
    r'<article class="exercise-card(?: (is-done|is-skipped))?" id="exercise-(\d+)-(\d+)"'
)
PAIN_CHECKED = re.compile(r'id="pain-(\d)-(\d+)" value="\d+" required checked')
NOTE = re.compile(r'id="note-(\d)"[^>]*>([^<]*)</textarea>')
CARD_CLASS = {"done": "is-done", "skipped": "is-skipped", None: None}


def bench_application():
    """Gunicorn app factory (``bench.loadtest:bench_application()``): the production WSGI app
    with bench/run.py's baseline view added at ``/bench/baseline/``. Only the load test's own
    server has that URL; the project's URL patterns (and the access matrix) never do."""
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings

    application = get_wsgi_application()
    from bench.run import BenchURLconf  # imports models, so only after Django's setup

    override_settings(ROOT_URLCONF=BenchURLconf).enable()
    return application


# --- The client -------------------------------------------------------------------------------


class NoAnswerError(Exception):
    """No HTTP answer at all (refused, reset, timed out)."""


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: str

    def header(self, name: str) -> str:
        return self.headers.get(name, [""])[0]


@dataclass
class Stats:
    """Latencies and status codes of one phase, per kind of request."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    network_errors: int = 0
    started: float = 0.0
    elapsed: float = 0.0

    def record(self, kind: str, status: int, ms: float) -> None:
        self.samples.setdefault(kind, []).append(ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def summary(self) -> dict:
        everything = [ms for samples in self.samples.values() for ms in samples]
        return {
            **latency(everything, self.elapsed),
            "by_kind": {kind: latency(ms, self.elapsed) for kind, ms in self.samples.items()},
            "statuses": {str(status): count for status, count in sorted(self.statuses.items())},
            "status_5xx": self.server_errors,
            "network_errors": self.network_errors,
            "elapsed_s": round(self.elapsed, 2),
        }


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank, as bench/run.py: a time that was actually measured."""
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def latency(samples_ms: list[float], elapsed: float) -> dict:
    ordered = sorted(samples_ms)
    if not ordered:
        return {"requests": 0, "rps": 0.0}
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
    }


class Browser:
    """One patient's phone: a cookie jar and HTTP/1.1 requests on a new connection each.

    Cookies are sent whatever their Secure flag, as a browser would over HTTPS: the server
    keeps its production cookie settings and the test still runs over plain HTTP locally.
    """

    def __init__(self, host: str, port: int, stats: Stats, timeout: float = 60):
        self.host, self.port, self.stats = host, port, stats
        self.timeout = timeout  # seconds to connect, and again to read the whole answer
        self.cookies: dict[str, str] = {}

    async def request(
        self, kind: str, method: str, path: str, form: dict | None = None, headers=None
    ) -> Response:
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "User-Agent: homeplan-loadtest",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded"]
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), timeout=self.timeout
            )
            try:
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                await writer.drain()
                raw = await asyncio.wait_for(reader.read(), timeout=self.timeout)
                if not raw:  # closed without a word: a worker killed mid-request
                    raise ConnectionResetError("the connection closed without an answer")
            finally:
                writer.close()
        except (OSError, TimeoutError) as exc:
            self.stats.network_errors += 1
            raise NoAnswerError(f"{method} {path}: {exc!r}") from exc
        ms = (time.perf_counter() - started) * 1000
        response = parse_response(raw)
        self.stats.record(kind, response.status, ms)
        for cookie in response.headers.get("set-cookie", []):
            name, _, rest = cookie.partition("=")
            value, _, attributes = rest.partition(";")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response


def parse_response(raw: bytes) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if headers.get("transfer-encoding", [""])[0].lower() == "chunked":
        body = dechunk(body)
    return Response(int(status_line.split()[1]), headers, body.decode("utf-8", "replace"))


def dechunk(data: bytes) -> bytes:
    out, position = [], 0
    while True:
        end = data.index(b"\r\n", position)
        size = int(data[position:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        position = end + 2 + size + 2


# --- The simulated patients and their ledger -------------------------------------------------


@dataclass
class Ledger:
    """The client's record of acknowledged writes: per key, the last value the server
    confirmed. Each patient sends one request at a time, so "last confirmed" is well defined
    and every later read of the same page must show it."""

    # (username, day, prescribed exercise pk, session) -> "done", "skipped" or None (undone)
    checks: dict[tuple[str, str, int, int], tuple[str | None, str]] = field(default_factory=dict)
    # (username, day, session) -> (pain, effort, note)
    sessions: dict[tuple[str, str, int], tuple[int, str, str]] = field(default_factory=dict)
    acknowledged: int = 0
    read_mismatches: int = 0
    unexpected: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, counter: str, message: str) -> None:
        setattr(self, counter, getattr(self, counter) + 1)
        if len(self.problems) < 20:
            self.problems.append(message)


@dataclass
class DayPage:
    token: str
    day: str
    cards: dict[tuple[int, int], str | None]
    pains: dict[int, int]
    notes: dict[int, str]


def parse_day_page(body: str) -> DayPage | None:
    token, action = CSRF.search(body), CHECK_ACTION.search(body)
    if token is None or action is None:
        return None
    return DayPage(
        token=token.group(1),
        day=action.group(1),
        cards={(int(pk), int(n)): css or None for css, pk, n in CARD.findall(body)},
        pains={int(n): int(value) for n, value in PAIN_CHECKED.findall(body)},
        notes={int(n): text for n, text in NOTE.findall(body)},
    )


class Patient:
    """One simulated patient: logs in, then loops over Today, check-offs and "session done"."""

    def __init__(self, username: str, password: str, browser: Browser, ledger: Ledger, seed: int):
        self.username, self.password = username, password
        self.browser, self.ledger = browser, ledger
        self.rng = random.Random(seed)  # noqa: S311 - load pattern, not secrets
        self.writes = 0

    async def login(self) -> None:
        page = await self.browser.request("login_page", "GET", "/accounts/login/")
        token = CSRF.search(page.body)
        if page.status != 200 or token is None:
            raise SystemExit(f"Login page answered {page.status} for {self.username}.")
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": self.username,
            "password": self.password,
            "next": "",
        }
        answer = await self.browser.request("login", "POST", "/accounts/login/", form)
        if answer.status != 302 or "sessionid" not in self.browser.cookies:
            raise SystemExit(f"Login as {self.username} failed: {answer.status}.")

    async def run(self, deadline: float, *, reads_only: str | None = None) -> None:
        """Until ``deadline``: one request at a time, never cut off mid-request, so every
        write is either acknowledged or known to have failed. ``reads_only`` names one kind
        of request to repeat instead of the mixed visit: a page ("today", "baseline") or a
        write ("check_only": one card checked off and undone in turn; "insert": the bare
        insert view)."""
        page = None
        while time.monotonic() < deadline:
            try:
                if reads_only in ("check_only", "insert"):
                    if page is None:
                        response = await self.browser.request("today", "GET", "/plan/")
                        page = parse_day_page(response.body)
                        if page is None or not page.cards:
                            raise NoAnswerError(f"{self.username}: no card to check off")
                    await self.write_only(reads_only, page)
                elif reads_only:
                    await self.browser.request(reads_only, "GET", reads_only_url(reads_only))
                else:
                    await self.visit(deadline)
            except NoAnswerError as exc:
                self.ledger.problem("unexpected", str(exc))

    async def write_only(self, kind: str, page: DayPage) -> None:
        if kind == "insert":
            form = {"csrfmiddlewaretoken": page.token}
            response = await self.browser.request("insert", "POST", BARE_INSERT_URL, form)
            if response.status != 200:
                self.ledger.problem("unexpected", f"bare insert answered {response.status}")
            return
        pk, number = min(page.cards)
        shown = self.ledger.checks.get((self.username, page.day, pk, number), (None, ""))[0]
        await self.check(page, pk, number, action="undo" if shown == "done" else "done")

    async def visit(self, deadline: float) -> None:
        response = await self.browser.request("today", "GET", "/plan/")
        page = parse_day_page(response.body) if response.status == 200 else None
        if page is None:
            self.ledger.problem("unexpected", f"{self.username}: Today answered {response.status}")
            return
        self.compare(page)
        for pk, number in self.rng.sample(sorted(page.cards), k=min(len(page.cards), 3)):
            if time.monotonic() >= deadline:
                return
            await self.check(page, pk, number)
        if self.rng.random() < 0.5 and time.monotonic() < deadline:
            await self.session_done(page, 1)

    def compare(self, page: DayPage) -> None:
        """Read your writes: every acknowledged write must show on the next Today."""
        for (pk, number), css in page.cards.items():
            expected = self.ledger.checks.get((self.username, page.day, pk, number))
            if expected is not None and CARD_CLASS[expected[0]] != css:
                self.ledger.problem(
                    "read_mismatches",
                    f"{self.username} {page.day} exercise {pk}: page {css}, ledger {expected}",
                )
        for number in {n for _, n in page.cards}:
            expected = self.ledger.sessions.get((self.username, page.day, number))
            shown = (page.pains.get(number), page.notes.get(number))
            if expected is not None and shown != (expected[0], expected[2]):
                self.ledger.problem(
                    "read_mismatches",
                    f"{self.username} {page.day} session {number}: page {shown}, ledger {expected}",
                )

    async def check(self, page: DayPage, pk: int, number: int, action: str = "") -> None:
        from patients.models import SkipReason

        action = action or self.rng.choices(["done", "skip", "undo"], weights=[6, 2, 2])[0]
        reason = self.rng.choice(SkipReason.values) if action == "skip" else ""
        status = {"done": "done", "skip": "skipped", "undo": None}[action]
        form = {
            "csrfmiddlewaretoken": page.token,
            "exercise": pk,
            "session": number,
            "action": action,
            "reason": reason,
        }
        # As htmx sends it from a phone with JavaScript: the answer is the updated card, and
        # a refused check-off is a 400, never a redirect that hides the error in a message.
        response = await self.browser.request(
            "check", "POST", f"/plan/{page.day}/check/", form, {"HX-Request": "true"}
        )
        card = CARD.search(response.body)
        if response.status != 200 or card is None or card.group(1) != CARD_CLASS[status]:
            self.ledger.problem(
                "unexpected", f"{self.username} check {pk} {action}: {response.status}"
            )
            return
        self.ledger.checks[(self.username, page.day, pk, number)] = (status, reason)
        self.ledger.acknowledged += 1

    async def session_done(self, page: DayPage, number: int) -> None:
        from patients.models import Effort

        self.writes += 1
        pain = self.rng.randint(0, 10)
        effort = self.rng.choice(["", *Effort.values])
        note = f"load test {self.username} write {self.writes}"
        form = {"csrfmiddlewaretoken": page.token, "pain": pain, "effort": effort, "note": note}
        url = f"/plan/{page.day}/sessions/{number}/done/"
        response = await self.browser.request("session_done", "POST", url, form)
        if response.status != 302 or response.header("location") != "/plan/":
            self.ledger.problem("unexpected", f"{self.username} session done: {response.status}")
            return
        self.ledger.sessions[(self.username, page.day, number)] = (pain, effort, note)
        self.ledger.acknowledged += 1


def reads_only_url(kind: str) -> str:
    return {"today": "/plan/", "baseline": BASELINE_URL}[kind]


async def phase(patients: list[Patient], seconds: float, stats: Stats, reads_only=None) -> None:
    for patient in patients:
        patient.browser.stats = stats
    stats.started = time.monotonic()
    deadline = stats.started + seconds
    await asyncio.gather(*(p.run(deadline, reads_only=reads_only) for p in patients))
    stats.elapsed = time.monotonic() - stats.started


async def in_turn(patients: list[Patient], kinds: list[str], seconds: float) -> dict:
    """Each kind of request alone (``Patient.run``'s ``reads_only``), in turn, twice, half of
    ``seconds`` each time; one Stats per kind."""
    compare = {kind: Stats() for kind in kinds}
    for kind in [*kinds, *kinds]:
        print(f"Only {kind.replace('_', ' ')} for {seconds / 2:.0f} s...")
        part, stats = Stats(), compare[kind]
        await phase(patients, seconds / 2, part, reads_only=kind)
        for name, samples in part.samples.items():
            stats.samples.setdefault(name, []).extend(samples)
        for status, count in part.statuses.items():
            stats.statuses[status] = stats.statuses.get(status, 0) + count
        stats.network_errors += part.network_errors
        stats.elapsed += part.elapsed
    return compare


async def drive(args, port: int, usernames: list[str], password: str, ledger: Ledger) -> dict:
    login_stats = Stats()
    patients = [
        Patient(name, password, Browser("127.0.0.1", port, login_stats), ledger, seed=n)
        for n, name in enumerate(usernames)
    ]
    login_stats.started = time.monotonic()
    await asyncio.gather(*(patient.login() for patient in patients))
    login_stats.elapsed = time.monotonic() - login_stats.started
    print(f"Logged in {len(patients)} patients in {login_stats.elapsed:.1f} s.")

    mixed = Stats()
    cpu = time.process_time()
    print(f"Mixed load for {args.seconds} s: Today, check-offs, session done...")
    await phase(patients, args.seconds, mixed)
    client_cpu = (time.process_time() - cpu) / mixed.elapsed

    # Baseline and Today in turn, twice, so drift in the machine's load (other processes on
    # these cores) falls on both alike; then the check-off against the least a write can
    # cost (bench/run.py's bare insert), the same way.
    compare = await in_turn(patients, ["baseline", "today"], args.compare_seconds)
    compare |= await in_turn(patients, ["check_only", "insert"], args.compare_seconds)
    return {
        "login": login_stats.summary(),
        "mixed": mixed.summary(),
        "client_cpu_share": round(client_cpu, 2),
        "compare": {kind: stats.summary() for kind, stats in compare.items()},
        "errors_5xx": login_stats.server_errors
        + mixed.server_errors
        + sum(s.server_errors for s in compare.values()),
    }


# --- Database, server and the final comparison -----------------------------------------------


def database_ensure(url: str) -> None:
    """Create the database named in ``url`` if it is missing (as ``createdb`` would)."""
    import psycopg
    from psycopg import sql

    name = urllib.parse.urlsplit(url).path.lstrip("/")
    maintenance = urllib.parse.urlsplit(url)._replace(path="/postgres").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def data_prepare(patients: int) -> list[str]:
    """Migrate and seed ``patients`` scale patients afresh (one every-day prescription of the
    demo's beginner template each, a month of history, safety advice acknowledged)."""
    from django.core.management import call_command

    from patients.management.commands.seed_scale import PATIENT_PREFIX
    from patients.models import Patient as PatientModel

    call_command("migrate", verbosity=0)
    existing = PatientModel.objects.filter(user__username__startswith=PATIENT_PREFIX).exists()
    call_command("seed_scale", patients=patients, months=1, reset=existing)
    return [f"{PATIENT_PREFIX}{n:05d}" for n in range(1, patients + 1)]


def database_verify(ledger: Ledger, usernames: list[str]) -> dict:
    """The database against the ledger: every acknowledged write there with its value (else
    lost), no key twice (duplicated), and each checked-off session's stored done share right.
    Only days the test wrote are compared: they had no seeded history."""
    from django.db.models import Count, F

    from patients.models import ExerciseCheck, PrescribedExercise, SessionLog

    mine = SessionLog.objects.filter(prescription__patient__user__username__in=usernames)
    days = {key[1] for key in ledger.checks} | {key[1] for key in ledger.sessions}
    logs = {
        (row["username"], row["date"].isoformat(), row["session_number"]): row
        for row in mine.filter(date__in=days).values(
            "pk",
            "prescription_id",
            "date",
            "session_number",
            "pain",
            "effort",
            "note",
            "completed_at",
            "done_share",
            username=F("prescription__patient__user__username"),
        )
    }
    checks = {
        (row["session_log_id"], row["prescribed_exercise_id"]): (row["status"], row["skip_reason"])
        for row in ExerciseCheck.objects.filter(
            session_log_id__in=[log["pk"] for log in logs.values()]
        ).values("session_log_id", "prescribed_exercise_id", "status", "skip_reason")
    }
    lost, details = 0, []
    for key, (pain, effort, note) in ledger.sessions.items():
        log = logs.get(key)
        stored = log and (log["pain"], log["effort"], log["note"], log["completed_at"] is not None)
        if stored != (pain, effort, note, True):
            lost += 1
            details.append(f"session {key}: database {stored}, ledger {pain, effort, note}")
    done: dict[tuple[str, str, int], int] = {}
    for (username, day, pk, number), (status, reason) in ledger.checks.items():
        log = logs.get((username, day, number))
        stored = checks.get((log["pk"], pk)) if log else None
        expected = (status, reason) if status else None
        if stored != expected:
            lost += 1
            details.append(f"check {username, day, pk}: database {stored}, ledger {expected}")
        done[(username, day, number)] = done.get((username, day, number), 0) + (status == "done")
    exercises = dict(
        PrescribedExercise.objects.filter(prescription__patient__user__username__in=usernames)
        .values_list("prescription_id")
        .annotate(n=Count("pk"))
    )
    share_mismatches = 0
    for key, done_count in done.items():
        log = logs.get(key)
        if log is None or not math.isclose(
            log["done_share"], done_count / exercises[log["prescription_id"]]
        ):
            share_mismatches += 1
            details.append(f"done share {key}: database {log and log['done_share']}")
    duplicated = sum(
        row["copies"] - 1
        for row in mine.values("prescription", "date", "session_number")
        .annotate(copies=Count("pk"))
        .filter(copies__gt=1)
    ) + sum(
        row["copies"] - 1
        for row in ExerciseCheck.objects.filter(session_log__in=mine)
        .values("session_log", "prescribed_exercise")
        .annotate(copies=Count("pk"))
        .filter(copies__gt=1)
    )
    return {
        "acknowledged_writes": ledger.acknowledged,
        "keys_checked": len(ledger.checks) + len(ledger.sessions),
        "lost": lost,
        "duplicated": duplicated,
        "done_share_mismatches": share_mismatches,
        "read_mismatches": ledger.read_mismatches,
        "unexpected_answers": ledger.unexpected,
        "details": (details + ledger.problems)[:20],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(args, port: int, pool: int) -> dict[str, str]:
    """Production settings (DEBUG off, WhiteNoise, secure cookies) on plain local HTTP."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "HOMEPLAN_")) and key != "DATABASE_URL"
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(WORK_DIR / "static"),
        "DJANGO_MEDIA_ROOT": str(WORK_DIR / "media"),
        "DATABASE_URL": args.database_url,
        "DJANGO_DB_POOL": str(pool),
        "GUNICORN_WORKERS": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


class Server:
    """gunicorn in its own process group, so that stopping it stops every worker."""

    def __init__(self, env: dict[str, str], app: str = "bench.loadtest:bench_application()"):
        self.env, self.app = env, app
        self.log_path = WORK_DIR / "gunicorn.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our venv's gunicorn and our app
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "clinic/gunicorn.conf.py",
                    self.app,
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log_path}\n{self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start in 60 s: see {self.log_path}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text().splitlines()[-20:])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL URL")
    parser.add_argument("--patients", type=int, default=50, help="simulated patients")
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed load")
    parser.add_argument(
        "--compare-seconds",
        type=float,
        default=20,
        help="seconds of Today only and of baseline only, each (two rounds of half)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--db-pool",
        type=int,
        default=None,
        help="0: persistent connections; N: psycopg pool of up to N per worker "
        "(default: DJANGO_DB_POOL, else production serving's default, 2)",
    )
    return parser.parse_args(argv)


def report(results: dict) -> None:
    mixed, writes, compare = results["mixed"], results["writes"], results["compare"]
    print(
        f"\n{results['server']['db_connections']}, {results['server']['workers']} workers, "
        f"{results['patients']} patients, {mixed['elapsed_s']} s"
    )
    print("| kind | requests | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|--:|--:|--:|--:|--:|")
    rows = [("all", mixed), *mixed["by_kind"].items()]
    rows += [(f"{kind} only", compare[kind]) for kind in compare]
    for name, row in rows:
        print(
            f"| {name} | {row['requests']} | {row['rps']} | {row['p50_ms']} "
            f"| {row['p95_ms']} | {row['p99_ms']} |"
        )
    print(f"\nToday / baseline requests/s: {results['today_vs_baseline_rps']:.0%} (target 50 %)")
    print(
        "Check-off / bare insert requests/s: "
        f"{results['check_off_vs_bare_insert_rps']:.0%} (the write path's whole cost)"
    )
    print(
        f"Acknowledged writes {writes['acknowledged_writes']} over {writes['keys_checked']} keys: "
        f"lost {writes['lost']}, duplicated {writes['duplicated']}, 5xx {results['errors_5xx']}, "
        f"read mismatches {writes['read_mismatches']}, unexpected answers "
        f"{writes['unexpected_answers']}, done-share mismatches {writes['done_share_mismatches']}"
    )
    for detail in writes["details"]:
        print("  " + detail)
    print(f"Client CPU: {results['client_cpu_share']:.0%} of one core. {RESULTS.name} written.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    WORK_DIR.mkdir(exist_ok=True)
    # The seeding runs here, with DEBUG on (seed_scale refuses otherwise); the server below
    # runs with DEBUG off. Both on the load test's own database.
    os.environ.update(
        DJANGO_SETTINGS_MODULE="clinic.settings",
        DATABASE_URL=args.database_url,
        DJANGO_DEBUG="1",
        DJANGO_MEDIA_ROOT=str(WORK_DIR / "media"),
    )
    database_ensure(args.database_url)
    import django

    django.setup()
    from django.db import connection

    from patients.demo import DEMO_PASSWORD

    # The server runs as production does: clinic/gunicorn.conf.py's pool unless told otherwise.
    pool = int(os.environ.get("DJANGO_DB_POOL", "2")) if args.db_pool is None else args.db_pool
    usernames = data_prepare(args.patients)
    load_before = os.getloadavg()
    port = free_port()
    server = Server(server_env(args, port, pool))
    # SIGTERM (a CI timeout, `kill`) unwinds like ctrl-C, through the `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ledger = Ledger()
    try:
        server.start()
        server.wait_ready(port)
        measured = asyncio.run(drive(args, port, usernames, DEMO_PASSWORD, ledger))
    finally:
        server.stop()
    connection.close()
    mode = f"pool (max {pool} per worker)" if pool else "persistent (CONN_MAX_AGE 600)"
    compare = measured["compare"]
    results = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "load_average_before": [round(value, 2) for value in load_before],
        "database": ".".join(map(str, connection.get_database_version())),
        "django": django.get_version(),
        "server": {"workers": args.workers, "worker_class": "sync", "db_connections": mode},
        "patients": args.patients,
        "seconds": args.seconds,
        **measured,
        "today_vs_baseline_rps": round(compare["today"]["rps"] / compare["baseline"]["rps"], 3),
        "check_off_vs_bare_insert_rps": round(
            # Per kind: the phase's first Today (for the form's token) is not a write.
            compare["check_only"]["by_kind"]["check"]["rps"]
            / compare["insert"]["by_kind"]["insert"]["rps"],
            3,
        ),
        "writes": database_verify(ledger, usernames),
    }
    writes = results["writes"]
    results["ok"] = not (
        writes["lost"]
        or writes["duplicated"]
        or writes["read_mismatches"]
        or writes["unexpected_answers"]
        or writes["done_share_mismatches"]
        or results["errors_5xx"]
    )
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous.setdefault("runs", {})["pool" if pool else "persistent"] = results
    RESULTS.write_text(json.dumps(previous, indent=2) + "\n")
    report(results)
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

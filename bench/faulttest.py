"""Fault test: patients writing through database and server faults, and nothing lost.

Run from the repository root with ``python -m bench.faulttest`` (or ``make faulttest``); see
bench/README.md. It makes a throwaway PostgreSQL cluster of its own (``bench/pgcluster.py``:
never the machine's shared server, which others use), seeds 20 scale patients in it and
serves the app as ``make serve-prod`` does: gunicorn with ``clinic/gunicorn.conf.py``, 2
workers, a psycopg pool of 2 per worker, DEBUG off. Then, one fault at a time, the 20
patients write for about a minute while the fault happens 15 seconds in:

- ``restart``: PostgreSQL restarts (``pg_ctl restart -m fast``);
- ``stop``: PostgreSQL stops for 20 seconds;
- ``read_only``: the database turns read-only for 10 seconds, its connections ended, as in
  a failover (``ALTER DATABASE ... SET default_transaction_read_only``);
- ``kill_worker``: a gunicorn worker is killed with SIGKILL;
- ``reload``: gunicorn reloads (``kill -HUP``, what ``systemctl reload`` sends).

Each patient behaves as the phone does (``static/sw.js``): every check-off and "session
done" carries its client UUID; one that gets a 5xx, or no answer within 15 seconds, waits in
the patient's queue and is sent again, in order, as JSON. After the minute, the queues are
emptied and the database is compared with the patients' records by client UUID: every
acknowledged write stored with its value (else lost), nothing stored twice (duplicated), and
no write the server stored while answering that it failed (applied but reported failed).
A monitor asks ``/healthz`` four times a second throughout.

Requests go to 127.0.0.1 only; the cluster and the server are stopped and deleted at the end.
"""

import argparse
import asyncio
import datetime
import json
import os
import platform
import signal
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from bench import loadtest
from bench.pgcluster import PrivateCluster

RESULTS = Path(__file__).with_name("faulttest-results.json")
DATABASE = "homeplan_fault"
FAULTS = ("restart", "stop", "read_only", "kill_worker", "reload")
SEND_TIMEOUT = 15.0  # static/sw.js SEND_TIMEOUT_MS: the phone's bound on an answer
SLOW = 5.0  # a request slower than this counts as too slow
HEALTH_EVERY = 0.25
HEALTH_TIMEOUT = 3.0
JSON_ACCEPT = {"Accept": "application/json"}


@dataclass
class Write:
    """One entry a patient made: the same UUID on every attempt."""

    uuid: str
    kind: str  # "check" or "session_done"
    path: str
    form: dict
    key: tuple
    value: tuple
    made_at: str = field(
        default_factory=lambda: (
            datetime.datetime.now(datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )
    )
    attempts: list = field(default_factory=list)  # (sent, answered, status or "no answer")


@dataclass
class Phase:
    """What happened during one fault."""

    name: str
    started: float = 0.0
    fault_start: float = 0.0
    fault_end: float = 0.0
    requests: list = field(default_factory=list)  # (kind, sent, answered, status or None)
    health: list = field(default_factory=list)  # (asked, answered, status or None)
    writes: list = field(default_factory=list)


class Phone(loadtest.Patient):
    """A patient's phone: loads Today, checks exercises off, marks the session done, and
    keeps what the server failed (or did not answer) in a queue sent again in order."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue: deque[Write] = deque()
        self.page: loadtest.DayPage | None = None
        self.phase: Phase | None = None

    async def send(self, kind, method, path, form=None, headers=None):
        sent = time.time()
        try:
            response = await self.browser.request(kind, method, path, form, headers)
        except loadtest.NoAnswerError:
            self.phase.requests.append((kind, sent, time.time(), None))
            return None
        self.phase.requests.append((kind, sent, time.time(), response.status))
        return response

    async def run_until(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.queue and not await self.replay():
                await asyncio.sleep(1.0)  # the phone waits for Retry-After; sooner here
                continue
            response = await self.send("today", "GET", "/plan/")
            ok = response is not None and response.status == 200
            page = loadtest.parse_day_page(response.body) if ok else None
            if page is None:
                await asyncio.sleep(0.5)
                continue
            self.page = page
            for pk, number in self.rng.sample(sorted(page.cards), k=min(len(page.cards), 2)):
                if not await self.first_attempt(self.check_write(pk, number)):
                    break
            else:
                if self.rng.random() < 0.4:
                    await self.first_attempt(self.session_write(1))
            await asyncio.sleep(self.rng.uniform(0.1, 0.5))

    async def drain(self, deadline: float) -> None:
        while self.queue and time.monotonic() < deadline:
            if not await self.replay():
                await asyncio.sleep(1.0)

    def check_write(self, pk: int, number: int) -> Write:
        from patients.models import SkipReason

        action = self.rng.choices(["done", "skip", "undo"], weights=[6, 2, 2])[0]
        reason = self.rng.choice(SkipReason.values) if action == "skip" else ""
        status = {"done": "done", "skip": "skipped", "undo": None}[action]
        return Write(
            uuid=str(uuid.uuid4()),
            kind="check",
            path=f"/plan/{self.page.day}/check/",
            form={"exercise": pk, "session": number, "action": action, "reason": reason},
            key=(self.username, self.page.day, pk, number),
            value=(status, reason if action == "skip" else ""),
        )

    def session_write(self, number: int) -> Write:
        from patients.models import Effort

        self.writes += 1
        pain, effort = self.rng.randint(0, 10), self.rng.choice(["", *Effort.values])
        note = f"fault test {self.username} write {self.writes}"
        return Write(
            uuid=str(uuid.uuid4()),
            kind="session_done",
            path=f"/plan/{self.page.day}/sessions/{number}/done/",
            form={"pain": pain, "effort": effort, "note": note},
            key=(self.username, self.page.day, number),
            value=(pain, effort, note),
        )

    @staticmethod
    def fields(write: Write) -> dict:
        return {**write.form, "client_uuid": write.uuid, "made_at": write.made_at}

    async def first_attempt(self, write: Write) -> bool:
        """As the page sends it: htmx for a check-off, a form post for "session done"."""
        self.phase.writes.append(write)
        form = {"csrfmiddlewaretoken": self.page.token, **self.fields(write)}
        headers = {"HX-Request": "true"} if write.kind == "check" else None
        sent = time.time()
        response = await self.send(write.kind, "POST", write.path, form, headers)
        status = response.status if response else "no answer"
        write.attempts.append((sent, time.time(), status))
        if response is not None and response.status in (200, 302):
            self.ledger.acknowledged += 1
            return True
        if response is not None and response.status < 500:
            self.ledger.problem("unexpected", f"{self.username} {write.kind}: {response.status}")
            return True
        self.queue.append(write)  # 5xx or no answer: kept, as the service worker does
        return False

    async def replay(self) -> bool:
        """Send the queue in order, as JSON; False when the server still fails."""
        while self.queue:
            write = self.queue[0]
            headers = {**JSON_ACCEPT, "X-CSRFToken": self.page.token if self.page else ""}
            sent = time.time()
            response = await self.send(
                f"{write.kind} (again)", "POST", write.path, self.fields(write), headers
            )
            status = response.status if response else "no answer"
            write.attempts.append((sent, time.time(), status))
            if response is None or response.status >= 500:
                return False
            if response.status == 200:
                self.ledger.acknowledged += 1
            else:
                self.ledger.problem("unexpected", f"{self.username} replay: {response.status}")
            self.queue.popleft()
        return True


# --- Faults ----------------------------------------------------------------------------------


class Faults:
    """Each fault, injected into the private cluster or the gunicorn under test only."""

    def __init__(self, cluster: PrivateCluster, server: loadtest.Server):
        self.cluster, self.server = cluster, server

    def admin(self, sql: str, params=None) -> None:
        import psycopg

        with psycopg.connect(self.cluster.url("postgres"), autocommit=True) as connection:
            connection.execute(sql, params)

    def workers(self) -> list[int]:
        pid = self.server.process.pid
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]

    async def restart(self) -> None:
        await asyncio.to_thread(self.cluster.restart)

    async def stop(self) -> None:
        await asyncio.to_thread(self.cluster.stop)
        await asyncio.sleep(20)
        await asyncio.to_thread(self.cluster.start)

    async def read_only(self) -> None:
        await asyncio.to_thread(
            self.admin, f"ALTER DATABASE {DATABASE} SET default_transaction_read_only = on"
        )
        await asyncio.to_thread(
            self.admin,
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        )
        await asyncio.sleep(10)
        await asyncio.to_thread(
            self.admin, f"ALTER DATABASE {DATABASE} RESET default_transaction_read_only"
        )

    async def kill_worker(self) -> None:
        os.kill(self.workers()[0], signal.SIGKILL)

    async def reload(self) -> None:
        os.kill(self.server.process.pid, signal.SIGHUP)


async def watch_health(host: str, port: int, phase: Phase, stop: asyncio.Event) -> None:
    browser = loadtest.Browser(host, port, loadtest.Stats(), timeout=HEALTH_TIMEOUT)
    while not stop.is_set():
        asked = time.time()
        try:
            status = (await browser.request("healthz", "GET", "/healthz")).status
        except loadtest.NoAnswerError:
            status = None
        phase.health.append((asked, time.time(), status))
        await asyncio.sleep(max(0.0, HEALTH_EVERY - (time.time() - asked)))


async def run_phase(name, phones, faults, port, seconds, before) -> Phase:
    phase = Phase(name=name, started=time.time())
    for phone in phones:
        phone.phase = phase
    stop = asyncio.Event()
    monitor = asyncio.create_task(watch_health("127.0.0.1", port, phase, stop))
    deadline = time.monotonic() + seconds
    load = [asyncio.create_task(phone.run_until(deadline)) for phone in phones]
    await asyncio.sleep(before)
    print(f"  {name}: fault at {before:.0f} s", flush=True)
    phase.fault_start = time.time()
    await getattr(faults, name)()
    phase.fault_end = time.time()
    await asyncio.gather(*load)
    drain_deadline = time.monotonic() + 60
    await asyncio.gather(*(phone.drain(drain_deadline) for phone in phones))
    stop.set()
    await monitor
    return phase


# --- Measures and the comparison with the database --------------------------------------------


def first(times, after: float) -> float | None:
    later = [t for t in times if t >= after]
    return round(min(later) - after, 2) if later else None


def measure(phase: Phase, outage: bool) -> dict:
    statuses: dict[str, int] = {}
    for _, _, _, status in phase.requests:
        statuses[str(status or "no answer")] = statuses.get(str(status or "no answer"), 0) + 1
    slow = [r for r in phase.requests if r[2] - r[1] > SLOW]
    health_failed = [answered for _, answered, status in phase.health if status != 200]
    health_ok = [answered for _, answered, status in phase.health if status == 200]
    write_answers = [
        (answered, status) for write in phase.writes for _, answered, status in write.attempts
    ]
    succeeded = [answered for answered, status in write_answers if status in (200, 302)]
    failed_after = [
        answered
        for answered, status in write_answers
        if status not in (200, 302) and answered > phase.fault_end
    ]
    return {
        "requests": len(phase.requests),
        "writes": len(phase.writes),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(n for status, n in statuses.items() if status not in ("200", "302")),
        "over_5_s": len(slow),
        "slowest_s": round(max((r[2] - r[1] for r in phase.requests), default=0), 2),
        "fault_s": round(phase.fault_end - phase.fault_start, 2),
        "healthz_503_after_s": first(health_failed, phase.fault_start) if outage else None,
        "healthz_200_after_end_s": first(health_ok, phase.fault_end) if outage else None,
        "healthz_not_200": len(health_failed),
        "healthz_slowest_s": round(max((a - s for s, a, _ in phase.health), default=0), 2),
        "writes_ok_after_end_s": first(succeeded, phase.fault_end),
        "write_failures_after_end": len(failed_after),
        "last_write_failure_after_end_s": round(max(failed_after) - phase.fault_end, 2)
        if failed_after
        else None,
    }


def verify(phase: Phase, ledger_state: dict) -> dict:
    """The database against the phones' records, by client UUID."""
    from django.db import connection
    from django.db.models import Count

    from patients.models import ClientWrite, ExerciseCheck, SessionLog

    connection.close()  # its connection may have been ended by a fault
    acknowledged = [w for w in phase.writes if any(a[2] in (200, 302) for a in w.attempts)]
    stored = {
        str(row["uuid"]): row["received_at"]
        for row in ClientWrite.objects.filter(uuid__in=[w.uuid for w in phase.writes]).values(
            "uuid", "received_at"
        )
    }
    lost = [w.uuid for w in acknowledged if w.uuid not in stored]
    never_answered_ok = [w.uuid for w in phase.writes if w not in acknowledged]
    applied_but_failed = 0
    applied_unanswered = 0
    for write in phase.writes:
        received = stored.get(write.uuid)
        if received is None:
            continue
        for _, answered, status in write.attempts:
            if status in (200, 302):
                break
            answered_at = datetime.datetime.fromtimestamp(answered, datetime.UTC)
            if received < answered_at and status == "no answer":
                applied_unanswered += 1
            elif received < answered_at:
                applied_but_failed += 1
    # Every key shows the value of the last acknowledged write, in each phone's own order.
    for write in acknowledged:
        ledger_state[write.key] = write.value
    mismatches = state_mismatches(ledger_state)
    duplicated = sum(
        row["n"] - 1
        for row in SessionLog.objects.values("prescription", "date", "session_number")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    ) + sum(
        row["n"] - 1
        for row in ExerciseCheck.objects.values("session_log", "prescribed_exercise")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    return {
        "acknowledged": len(acknowledged),
        "lost": len(lost) + len(mismatches),
        "duplicated": duplicated,
        "applied_but_reported_failed": applied_but_failed,
        "applied_without_an_answer": applied_unanswered,
        "never_acknowledged": len(never_answered_ok),
        "details": (lost + mismatches)[:10],
    }


def state_mismatches(state: dict) -> list[str]:
    from django.db.models import F

    from patients.models import ExerciseCheck, SessionLog

    logs = {
        (row["username"], row["date"].isoformat(), row["session_number"]): row
        for row in SessionLog.objects.values(
            "pk",
            "date",
            "session_number",
            "pain",
            "effort",
            "note",
            username=F("prescription__patient__user__username"),
        )
    }
    checks = {
        (row["session_log_id"], row["prescribed_exercise_id"]): (row["status"], row["skip_reason"])
        for row in ExerciseCheck.objects.values(
            "session_log_id", "prescribed_exercise_id", "status", "skip_reason"
        )
    }
    wrong = []
    for key, value in state.items():
        if len(key) == 3:
            log = logs.get(key)
            stored = log and (log["pain"], log["effort"], log["note"])
        else:
            username, day, pk, number = key
            log = logs.get((username, day, number))
            stored = checks.get((log["pk"], pk)) if log else None
            value = value if value[0] else None
        if stored != value:
            wrong.append(f"{key}: database {stored}, acknowledged {value}")
    return wrong


# --- Running it ----------------------------------------------------------------------------


OUTAGES = {"restart", "stop", "read_only"}


def verdict(name: str, measured: dict, checked: dict) -> list[str]:
    """What the issue asks of every fault; each failure as a sentence."""
    failures = []
    for counter in ("lost", "duplicated", "applied_but_reported_failed", "unexpected_answers"):
        if checked[counter]:
            failures.append(f"{counter}: {checked[counter]}")
    if measured["over_5_s"]:
        failures.append(f"{measured['over_5_s']} requests over 5 s")
    # "/healthz answers within 2 s whatever the database does": the database faults. During a
    # reload it waits, like every request, for the new workers to start (reported, not judged).
    if name in OUTAGES and measured["healthz_slowest_s"] > 2:
        failures.append(f"/healthz took {measured['healthz_slowest_s']} s")
    if name in ("stop", "read_only"):
        if not within(measured["healthz_503_after_s"], 2):
            failures.append(f"/healthz 503 after {measured['healthz_503_after_s']} s")
        if not within(measured["healthz_200_after_end_s"], 5):
            failures.append(f"/healthz 200 again after {measured['healthz_200_after_end_s']} s")
    if not within(measured["writes_ok_after_end_s"], 5):
        failures.append(f"writes again after {measured['writes_ok_after_end_s']} s")
    return failures


def within(seconds: float | None, limit: float) -> bool:
    """Measured (None: it never happened) and no later than ``limit``; 0.0 is at once."""
    return seconds is not None and seconds <= limit


def report(results: dict) -> None:
    print(f"\n{results['patients']} patients, {results['seconds']} s a fault, {results['server']}")
    print(
        "| fault | requests | errors by status | over 5 s | slowest s | /healthz 503 after s "
        "| /healthz 200 again s | slowest /healthz s | writes ok again s | acknowledged | lost "
        "| duplicated | applied but reported failed |"
    )
    print("|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, row in results["faults"].items():
        m, c = row["measured"], row["checked"]
        errors = ", ".join(f"{s}: {n}" for s, n in m["statuses"].items() if s not in ("200", "302"))
        down, up = (
            "—" if m[key] is None else m[key]
            for key in ("healthz_503_after_s", "healthz_200_after_end_s")
        )
        print(
            f"| {name} | {m['requests']} | {errors or 'none'} | {m['over_5_s']} | "
            f"{m['slowest_s']} | {down} | {up} | {m['healthz_slowest_s']} | "
            f"{m['writes_ok_after_end_s']} | "
            f"{c['acknowledged']} | {c['lost']} | {c['duplicated']} | "
            f"{c['applied_but_reported_failed']} |"
        )
    for name, row in results["faults"].items():
        for failure in row["failures"]:
            print(f"  FAIL {name}: {failure}")
        for detail in row["checked"]["details"]:
            print(f"  {name}: {detail}")
    print("PASS" if results["ok"] else "FAIL", f"- {RESULTS.name} written.")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.faulttest", description=__doc__)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="load per fault")
    parser.add_argument("--before", type=float, default=15, help="seconds before the fault")
    parser.add_argument("--faults", default=",".join(FAULTS), help="comma-separated subset")
    parser.add_argument("--workers", type=int, default=2)
    return parser.parse_args(argv)


async def drive(args, cluster, server, port, usernames, password) -> dict:
    ledger = loadtest.Ledger()
    phones = []
    for n, username in enumerate(usernames):
        browser = loadtest.Browser("127.0.0.1", port, loadtest.Stats(), timeout=SEND_TIMEOUT)
        phones.append(Phone(username, password, browser, ledger, seed=n))
    await asyncio.gather(*(phone.login() for phone in phones))
    faults, state, results = Faults(cluster, server), {}, {}
    for name in args.faults.split(","):
        unexpected = ledger.unexpected
        phase = await run_phase(name, phones, faults, port, args.seconds, args.before)
        measured = measure(phase, name in OUTAGES)
        checked = await asyncio.to_thread(verify, phase, state)
        checked["unexpected_answers"] = ledger.unexpected - unexpected
        results[name] = {
            "measured": measured,
            "checked": checked,
            "failures": verdict(name, measured, checked),
        }
        print(f"    {json.dumps(results[name]['failures']) or 'ok'}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    unknown = set(args.faults.split(",")) - set(FAULTS)
    if unknown:
        raise SystemExit(f"Unknown faults: {', '.join(sorted(unknown))}")
    loadtest.WORK_DIR.mkdir(exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    with PrivateCluster(settings={"max_connections": "50"}) as cluster:
        import psycopg

        with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
        url = cluster.url(DATABASE)
        os.environ.update(
            DJANGO_SETTINGS_MODULE="clinic.settings",
            DATABASE_URL=url,
            DJANGO_DEBUG="1",  # seed_scale refuses otherwise; the server runs with DEBUG off
            DJANGO_MEDIA_ROOT=str(loadtest.WORK_DIR / "media"),
        )
        import django

        django.setup()
        from patients.demo import DEMO_PASSWORD

        print(f"Private PostgreSQL on 127.0.0.1:{cluster.port} ({cluster.directory}); seeding…")
        usernames = loadtest.data_prepare(args.patients)
        port = loadtest.free_port()
        env = loadtest.server_env(
            SimpleNamespace(database_url=url, workers=args.workers), port, pool=2
        )
        server = loadtest.Server(env, app="clinic.wsgi:application")  # as serve-prod runs it
        server.log_path = loadtest.WORK_DIR / "faulttest-gunicorn.log"
        try:
            server.start()
            server.wait_ready(port)
            results = asyncio.run(drive(args, cluster, server, port, usernames, DEMO_PASSWORD))
        finally:
            server.stop()
            gunicorn_log = server.log_path.read_text() if server.log_path.exists() else ""
            from django.db import connection

            connection.close()
    summary = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "server": f"gunicorn, {args.workers} sync workers, psycopg pool of 2 each, "
        f"PostgreSQL {cluster.bin.parent.name} (a private cluster)",
        "patients": args.patients,
        "seconds": args.seconds,
        "fault_after_s": args.before,
        "elapsed_s": round(time.monotonic() - started, 1),
        "faults": results,
        "gunicorn_log_warnings": [
            line for line in gunicorn_log.splitlines() if "WARNING" in line or "ERROR" in line
        ][-20:],
    }
    summary["ok"] = not any(row["failures"] for row in results.values())
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    report(summary)
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

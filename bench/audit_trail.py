"""The audit trail's admin pages with a million events: do they stay quick?

Run from the repository root with ``python -m bench.audit_trail`` (see bench/README.md). It
fills a database of its own (a temporary SQLite file, or the PostgreSQL database named by
``--database-url``, which it empties first) with ``--events`` events, a fifth of them list
pages naming 50 patients each, then times the trail's list as a superuser opens it: all
events, the pages about one patient, the lists that showed that patient, one member of
staff's events, one kind of page. Median and slowest of ``--repeat`` requests after a
warm-up.
"""

# ruff: noqa: E402 - Django must be set up before the models and the test client are imported.
import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_trail", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the trail")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database to fill (emptied first)"
    )
    return parser.parse_args(argv)


ARGS = parse_args(sys.argv[1:] if __name__ == "__main__" else [])
WORK = Path(tempfile.mkdtemp(prefix="homeplan-audit-bench-"))
if ARGS.database_url:
    os.environ["DATABASE_URL"] = ARGS.database_url
else:
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SQLITE_PATH"] = str(WORK / "trail.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse

from audit.models import AuditEvent

PATIENTS = 5000
STAFF = 20
BATCH = 20_000


def fill(events: int) -> None:
    """``events`` events over the last two years: pages about one patient, changes, and
    every fifth a list page with 50 patients."""
    rng = random.Random(2026)  # noqa: S311 - the same made-up trail every run, no secret
    now = time.time()
    made = 0
    while made < events:
        batch = []
        for _ in range(min(BATCH, events - made)):
            made += 1
            at = now - rng.random() * 2 * 365 * 86400
            actor = rng.randint(1, STAFF)
            if made % 5 == 0:
                ids = sorted(rng.sample(range(1, PATIENTS + 1), 50))
                batch.append(
                    AuditEvent(
                        action="view",
                        target="patient list",
                        target_id="50",
                        patient_ids=f",{','.join(map(str, ids))},",
                        actor_id=actor,
                        actor_username=f"staff{actor}",
                    )
                )
            else:
                patient = rng.randint(1, PATIENTS)
                batch.append(
                    AuditEvent(
                        action=rng.choice(["view", "update", "create"]),
                        target=rng.choice(["progress page", "patients.sessionlog"]),
                        target_id=str(patient),
                        patient_id=patient,
                        actor_id=actor,
                        actor_username=f"staff{actor}",
                    )
                )
            batch[-1].at = _aware(at)
        AuditEvent.objects.bulk_create(batch)


def _aware(timestamp: float):
    import datetime

    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)


def timed(client: Client, url: str, repeat: int) -> tuple[float, float]:
    client.get(url)  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
    return statistics.median(samples), max(samples)


def main() -> None:
    setup_test_environment()
    call_command("migrate", "--noinput", verbosity=0)
    if ARGS.database_url:
        call_command("flush", "--noinput", verbosity=0)
    started = time.monotonic()
    fill(ARGS.events)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {AuditEvent.objects.count()} events in "
        f"{time.monotonic() - started:.0f} s"
    )
    user = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    client = Client()
    client.force_login(user)
    changelist = reverse("admin:audit_auditevent_changelist")
    for what, query in [
        ("all events", ""),
        ("pages about a patient", "?patient=4321"),
        ("lists showing a patient", "?listed=4321"),
        ("one member of staff", "?actor=7"),
        ("one kind of page", "?target=patient+list"),
    ]:
        median, worst = timed(client, changelist + query, ARGS.repeat)
        print(f"  {what:22} median {median:7.1f} ms, slowest {worst:7.1f} ms")


if __name__ == "__main__":
    main()

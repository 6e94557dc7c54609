"""Benchmark the key pages on clinic-sized data: queries, server time and size per page.

Run from the repository root with ``python -m bench.run`` (or ``make bench``); see
bench/README.md. It measures the database the settings point to (``db.sqlite3``, or
``DATABASE_URL``), never a test database, so it sees the same data and indexes as the app.
"""

# ruff: noqa: E402 - Django must be set up before the models and the test client are imported.
import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
django.setup()

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse
from django.template import engines
from django.test import Client, override_settings
from django.test.utils import (
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from clinic import urls as clinic_urls
from exercises.models import Exercise
from patients import adherence, plan, plan_cache, schedule
from patients.management.commands.seed_scale import BENCH_CLINICIAN, CLINICIAN_PREFIX
from patients.models import ExerciseCheck, Patient, PrescribedExercise, Prescription, SessionLog

RESULTS = Path(__file__).with_name("results.json")
WARMUPS = 3
BASELINE_TEMPLATE = engines["django"].from_string("<p>{{ user.get_username }}: {{ ok }}</p>")


@login_required
def baseline(request):
    """The least a signed-in page can cost here: the same middleware (session, user, CSP),
    one query and a tiny template. Today's time divided by this one is the figure to watch:
    it does not depend on how fast the machine is."""
    ok = get_user_model().objects.filter(pk=request.user.pk).exists()
    return HttpResponse(BASELINE_TEMPLATE.render({"ok": ok}, request))


@require_POST
@transaction.atomic
def bare_insert(request):
    """The least a write can cost here: signed in, CSRF-checked, one row inserted in a
    transaction (an audit event: a table without constraints on other rows). The load test
    divides check-offs per second by this view's, on the same server in the same run."""
    AuditEvent.objects.create(
        actor_id=request.user.pk, action=AuditEvent.Action.VIEW, target="bench insert"
    )
    return HttpResponse("ok", content_type="text/plain")


class BenchURLconf:
    """The project's URLs plus the baseline, so that the baseline goes through the same
    request handling as the real pages (a class: ``ROOT_URLCONF`` takes any object with
    ``urlpatterns``, and the URL resolver cache needs it hashable)."""

    urlpatterns = [
        path("bench/baseline/", baseline),
        path("bench/insert/", bare_insert),
        *clinic_urls.urlpatterns,
    ]
    # The project's error pages too (503 with Retry-After when the database is unavailable).
    handler500 = clinic_urls.handler500


def summarize(samples_ms: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (nearest rank: a time that was actually measured)."""
    ordered = sorted(samples_ms)
    return statistics.median(ordered), ordered[math.ceil(0.95 * len(ordered)) - 1]


def forget_rendered_plans() -> None:
    caches[plan_cache.CACHE_ALIAS].clear()


def measure(client: Client, url: str, repeat: int, before_each=None) -> dict:
    """``WARMUPS`` requests to fill caches, one with the queries captured, then ``repeat``
    timed ones without: capturing logs every query, which would inflate the times.
    ``before_each`` runs, untimed, before every request."""
    before_each = before_each or (lambda: None)
    for _ in range(WARMUPS):
        before_each()
        client.get(url)
    before_each()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Counted now: `captured` views the connection's query log, which the next request clears.
    queries = len(captured)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200: nothing to measure.")
    samples = []
    for _ in range(repeat):
        before_each()
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    median, p95 = summarize(samples)
    return {
        "url": url,
        "queries": queries,
        "median_ms": round(median, 2),
        "p95_ms": round(p95, 2),
        "bytes": len(response.content),
    }


def scale_patients():
    return Patient.objects.filter(clinician__username__startswith=CLINICIAN_PREFIX)


def pages(patient: Patient, clinician) -> list[tuple]:
    """(name, client, URL[, before each request]) for every page measured: patient pages as a
    scale patient, admin pages as ``scale-clinician-01`` (250 patients), ``/healthz``
    anonymously. Today twice: as most visits find it (the plan kept rendered since the last
    change) and as the first visit after a change finds it (rendered from the database)."""
    as_patient, as_clinician = Client(), Client()
    as_patient.force_login(patient.user)
    as_clinician.force_login(clinician)
    exercise = PrescribedExercise.objects.filter(prescription__patient=patient).first()
    return [
        ("baseline", as_patient, "/bench/baseline/"),
        ("today", as_patient, "/plan/"),
        ("today after a change", as_patient, "/plan/", forget_rendered_plans),
        ("history", as_patient, "/plan/history/"),
        ("exercise", as_patient, f"/plan/exercises/{exercise.pk}/"),
        ("admin patient list", as_clinician, "/admin/patients/patient/"),
        ("needs attention (admin index)", as_clinician, "/admin/"),
        ("progress", as_clinician, f"/admin/patients/patient/{patient.pk}/progress/"),
        ("healthz", Client(), "/healthz"),
    ]


def explain(patient: Patient, clinician) -> dict[str, str]:
    """Query plans of Today's main queries (as ``plan.day_plan`` builds them) and of the
    patient list's adherence annotations; PostgreSQL also runs them (ANALYZE)."""
    options = {"analyze": True} if connection.vendor == "postgresql" else {}
    today = patient.today()
    due = schedule.due_on(plan.prescriptions_with_exercises(patient), today)
    return {
        "today: prescriptions": patient.prescriptions.order_by("start_date", "pk").explain(
            **options
        ),
        "today: session logs": SessionLog.objects.filter(prescription__in=due, date=today).explain(
            **options
        ),
        "admin list: adherence": adherence.with_adherence(Patient.objects.for_clinician(clinician))[
            :100
        ].explain(**options),
    }


def row_counts() -> dict[str, int]:
    models = [
        get_user_model(),
        Patient,
        Prescription,
        PrescribedExercise,
        SessionLog,
        ExerciseCheck,
        Exercise,
    ]
    return {model._meta.label: model.objects.count() for model in models}


def markdown(results: dict) -> str:
    lines = [
        "| page | URL | queries | median ms | p95 ms | bytes |",
        "|---|---|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {name} | `{page['url']}` | {page['queries']} | {page['median_ms']:.1f} "
        f"| {page['p95_ms']:.1f} | {page['bytes']} |"
        for name, page in results["pages"].items()
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--patients", type=int, default=5000, help="scale patients wanted")
    parser.add_argument("--months", type=int, default=6, help="months of history when seeding")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument(
        "--skip-seed", action="store_true", help="measure whatever scale data there is"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    existing = scale_patients().count()
    if existing < args.patients and not args.skip_seed:
        # Before setup_test_environment(): seed_scale refuses to run with DEBUG off.
        call_command("seed_scale", patients=args.patients, months=args.months, reset=existing > 0)
    clinician = get_user_model().objects.filter(username=BENCH_CLINICIAN).first()
    patient = (
        scale_patients()
        .filter(clinician=clinician)
        .select_related("user")
        .order_by("user__username")
        .first()
    )
    if patient is None:
        raise SystemExit("No scale data: run without --skip-seed, or `manage.py seed_scale`.")

    # DEBUG off, as in production: no query log, and the test client's "testserver" host.
    setup_test_environment(debug=False)
    try:
        with override_settings(ROOT_URLCONF=BenchURLconf):
            measured = {
                name: measure(client, url, args.repeat, *before_each)
                for name, client, url, *before_each in pages(patient, clinician)
            }
    finally:
        teardown_test_environment()

    results = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "database": {
            "vendor": connection.vendor,
            "version": ".".join(map(str, connection.get_database_version())),
        },
        "django": django.get_version(),
        "date": timezone.now().isoformat(timespec="seconds"),
        "repeat": args.repeat,
        "rows": row_counts(),
        "pages": measured,
        "today_vs_baseline": round(
            measured["today"]["median_ms"] / measured["baseline"]["median_ms"], 2
        ),
        "today_after_a_change_vs_baseline": round(
            measured["today after a change"]["median_ms"] / measured["baseline"]["median_ms"], 2
        ),
        "explain": explain(patient, clinician),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    out = sys.stdout
    out.write(f"{results['machine']['platform']}, {results['machine']['cpus']} CPUs, ")
    out.write(f"{connection.vendor} {results['database']['version']}, Django {results['django']}\n")
    out.write("Rows: " + ", ".join(f"{k} {v}" for k, v in results["rows"].items()) + "\n\n")
    out.write(markdown(results) + "\n\n")
    out.write(f"Today / baseline (median): {results['today_vs_baseline']}")
    out.write(f"; after a change: {results['today_after_a_change_vs_baseline']}\n")
    for name, text in results["explain"].items():
        out.write(f"\nEXPLAIN {name}:\n{text}\n")
    out.write(f"\nWritten to {RESULTS}\n")


if __name__ == "__main__":
    main()

"""The Nu Html Checker (vnu.jar) on the patient pages as our templates render them: errors only,
counted per page. Not a test (it needs Java and the jar from npm); run it after changing a
patient template:

    npm install --no-save vnu-jar          # once: node_modules/vnu-jar/build/dist/vnu.jar
    .venv/bin/python -m bench.html_check   # exit status 1 when any page has an error

It seeds the demo data into a throwaway SQLite file (``--db``, /tmp by default), signs in as
``demo-patient`` through Django's test client and checks what each page answers. ``--jar``
or HOMEPLAN_VNU_JAR names another vnu.jar.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jar", default=os.environ.get("HOMEPLAN_VNU_JAR", str(DEFAULT_JAR)))
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "homeplan-html.sqlite3"))
    args = parser.parse_args()
    java = shutil.which("java")
    if java is None:
        print("java not found: apt-get install default-jre-headless", file=sys.stderr)
        return 2
    if not Path(args.jar).exists():
        print(f"{args.jar} not found: npm install --no-save vnu-jar", file=sys.stderr)
        return 2
    os.environ["DJANGO_SQLITE_PATH"] = args.db
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from patients.models import Patient

    setup_test_environment()  # the test client's own ALLOWED_HOSTS
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    patient = Patient.objects.get(user__username="demo-patient")
    today = patient.today()
    first = patient.prescriptions.first().exercises.first()
    client = Client()
    pages = {"login": "/accounts/login/", "sign-in-link": "/accounts/sign-in-link/"}
    answers = {name: client.get(path) for name, path in pages.items()}
    client.force_login(patient.user)
    pages = {
        "today": "/plan/",
        "guided": f"/plan/{today.isoformat()}/sessions/1/guided/",
        "past-day": f"/plan/{(today - datetime.timedelta(days=3)).isoformat()}/",
        "history": "/plan/history/",
        "settings": "/plan/settings/",
        "safety": "/plan/safety/",
        "symptoms": "/plan/symptoms/",
        "check-in": "/plan/check-in/",
        "print": "/plan/print/",
        "exercise": f"/plan/exercises/{first.pk}/",
        "not-found": "/plan/exercises/999999/",
    }
    answers |= {name: client.get(path) for name, path in pages.items()}
    # Today with a card done (its "how did it feel?" question), and a refused session done
    # (the error summary).
    day = today.isoformat()
    client.post(f"/plan/{day}/check/", {"exercise": first.pk, "session": 1, "action": "done"})
    answers["today-done"] = client.get("/plan/")
    answers["session-refused"] = client.post(f"/plan/{day}/sessions/1/done/", {})
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for name, response in answers.items():
            path = Path(folder) / f"{name}.html"
            path.write_bytes(response.content)
            files.append(str(path))
        run = subprocess.run(  # noqa: S603 - our own files, a fixed command
            [java, "-jar", args.jar, "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            check=False,
        )
    messages = json.loads(run.stderr or "{}").get("messages", [])
    errors = {}
    for message in messages:
        page = Path(message.get("url", "")).stem
        errors.setdefault(page, []).append(message)
    for name in answers:
        found = errors.get(name, [])
        print(f"{name:14} {answers[name].status_code}  {len(found)} error(s)")
        for message in found[:10]:
            print(f"    line {message.get('lastLine')}: {message.get('message')}")
    return 1 if messages else 0


if __name__ == "__main__":
    sys.exit(main())

"""Lighthouse (mobile) on the patient's key pages of a running server, signed in as
``demo-patient``: performance, accessibility, best practices and SEO, per page. Not a test:
it needs Node, Lighthouse 12.2.3 from npm and Debian's chromium, and a server as production
runs it (`make serve-prod` with pictures served):

    npm install --no-save lighthouse@12.2.3
    createdb homeplan_lh && export DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeplan_lh
    .venv/bin/python manage.py migrate && DJANGO_DEBUG=1 .venv/bin/python manage.py seed_demo
    DJANGO_SERVE_MEDIA=1 GUNICORN_BIND=127.0.0.1:8020 make serve-prod &
    .venv/bin/python -m bench.lighthouse --base http://127.0.0.1:8020

Exit status 1 when a score is under ``--minimum`` (95).
"""

import argparse
import http.cookiejar
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def sign_in(base: str, username: str, password: str) -> tuple[str, str]:
    """Cookies of a signed-in session, through the real login page; and Today's HTML."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the server given on the command line
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    today = opener.open(request).read().decode()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookies, today


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8020")
    parser.add_argument("--lighthouse", default=str(ROOT / "node_modules" / ".bin" / "lighthouse"))
    parser.add_argument("--chrome", default="/usr/bin/chromium")
    parser.add_argument("--minimum", type=int, default=95)
    args = parser.parse_args()
    cookies, today = sign_in(args.base, "demo-patient", "demo-pass-2026")
    guided = re.search(r'href="(/plan/[\d-]+/sessions/1/guided/)"', today)
    pages = {"today": "/plan/", "history": "/plan/history/", "settings": "/plan/settings/"}
    if guided:
        pages["guided"] = guided.group(1)
    low = 0
    for name, path in pages.items():
        run = subprocess.run(  # noqa: S603 - our own arguments
            [
                args.lighthouse,
                f"{args.base}{path}",
                "--output=json",
                "--output-path=stdout",
                "--quiet",
                f"--chrome-path={args.chrome}",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                f"--only-categories={','.join(CATEGORIES)}",
                f"--extra-headers={json.dumps({'Cookie': cookies})}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode:
            print(f"{name}: lighthouse failed: {run.stderr[-500:]}", file=sys.stderr)
            return 2
        report = json.loads(run.stdout)
        scores = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
        low += sum(score < args.minimum for score in scores.values())
        print(f"{name:9} " + "  ".join(f"{c} {s}" for c, s in scores.items()))
        for category in CATEGORIES:
            for ref in report["categories"][category]["auditRefs"]:
                audit = report["audits"][ref["id"]]
                if ref["weight"] and audit["score"] is not None and audit["score"] < 0.9:
                    print(f"    {category}: {audit['id']} ({audit['score']})")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())

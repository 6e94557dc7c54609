"""Rate limits count across gunicorn workers without Redis (security review round 2,
finding 11): the cache was each process's own memory, so with 5 workers 14 of 25 password
resets for one address went through. Production now keeps the counts in the database."""

import re
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from tests.deploy.servers import CookieClient, plain_request

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 25


def test_finding_11_two_workers_share_one_count_of_password_resets(two_workers, capsys):
    started = time.monotonic()
    browser = CookieClient()
    form = browser.get(two_workers.url, "/accounts/password_reset/")
    assert form.status == 200
    body = urllib.parse.urlencode(
        {"email": "ann@example.org", "csrfmiddlewaretoken": form.csrf_token()}
    ).encode()
    headers = {
        "Cookie": "; ".join(f"{key}={value}" for key, value in browser.cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }

    def reset(_):
        status, _, _ = plain_request(
            two_workers.url, "POST", "/accounts/password_reset/", body, headers
        )
        return status

    # Several at once, so both workers take some (one at a time, a sync worker each).
    with ThreadPoolExecutor(max_workers=5) as pool:
        statuses = list(pool.map(reset, range(REQUESTS)))
    limit = settings.SIGN_IN_LINK_LIMIT_PER_EMAIL
    assert sorted(statuses) == [302] * limit + [429] * (REQUESTS - limit), statuses
    with capsys.disabled():
        print(
            f"\nshared rate limit on {connection.vendor}, 2 workers: {REQUESTS} resets for one "
            f"address, {statuses.count(302)} accepted, {statuses.count(429)} refused "
            f"({time.monotonic() - started:.1f} s)"
        )


def test_finding_14_static_files_carry_the_resource_policy_too(two_workers):
    page = CookieClient().get(two_workers.url, "/accounts/login/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
    status, headers, _ = plain_request(two_workers.url, "GET", stylesheet)
    assert status == 200
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "immutable" in headers["Cache-Control"]  # WhiteNoise's own, untouched

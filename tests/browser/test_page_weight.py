"""Page weight: Today on a phone, first load with an empty cache, served as in production
(gunicorn, DEBUG off, WhiteNoise's compressed and hashed static files, medium image
renditions), counted in bytes on the wire from Chromium's network events."""

import json
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from patients.demo import DEMO_PASSWORD
from tests.browser.helpers import PHONE, seed_demo_world
from tests.deploy.servers import CookieClient, app_servers, collect_static, production_env

pytestmark = pytest.mark.django_db(transaction=True)

BUDGET = 250_000  # bytes: what a phone on a slow connection loads in a few seconds
FOREVER = "max-age=315360000, public, immutable"  # WhiteNoise's header for hashed names
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+$")


@pytest.fixture
def production_server(tmp_path_factory, tmp_path, settings):
    static_root = collect_static(tmp_path_factory.getbasetemp())
    env = production_env(static_root=static_root, DJANGO_SERVE_MEDIA="1")
    with app_servers(["web"], env, tmp_path) as (server,):
        yield server


def kind_of(response) -> str:
    content_type = response.header_value("content-type") or ""
    path = urlsplit(response.url).path
    if "html" in content_type:
        return "html"
    if "css" in content_type:
        return "css"
    if "javascript" in content_type:
        return "js"
    if "manifest" in content_type:
        return "manifest"
    if path.rsplit("/", 1)[-1].startswith("favicon."):
        return "favicon"
    if content_type.startswith("image/"):
        return "images"
    return "other"


def measured(request) -> dict:
    """One response as it crossed the network: headers and (compressed) body, in bytes."""
    response = request.response()
    sizes = request.sizes()
    return {
        "url": urlsplit(response.url).path,
        "kind": kind_of(response),
        "status": response.status,
        "bytes": sizes["responseHeadersSize"] + sizes["responseBodySize"],
        "encoding": response.header_value("content-encoding") or "",
        "cache_control": response.header_value("cache-control") or "",
    }


def test_today_on_a_phone_weighs_under_the_budget(
    browser, production_server, settings, artifacts, capsys
):
    # The server checks passwords with production's hashers, not the tests' fast MD5.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    seed_demo_world()
    server = production_server
    # Signing in outside the browser keeps its cache empty for Today's first load.
    phone = CookieClient()
    assert phone.log_in(server.url, "demo-patient", DEMO_PASSWORD).status == 302

    context = browser.new_context(
        base_url=server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    context.add_cookies(
        [{"name": key, "value": value, "url": server.url} for key, value in phone.cookies.items()]
    )
    page = context.new_page()
    console_errors, finished, failed = [], [], []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("requestfailed", lambda request: failed.append(request.url))

    try:
        page.goto("/plan/", wait_until="networkidle")
        assert page.url == f"{server.url}/plan/"
        # A phone fetches the icon and the manifest too; headless Chromium may not, so any
        # it skipped are fetched here, from the page, to count them.
        seen = {request.url for request in finished}
        page.evaluate(
            """async (seen) => {
                for (const rel of ["icon", "manifest"]) {
                    const href = document.querySelector(`link[rel=${rel}]`).href;
                    if (!seen.includes(href)) await fetch(href);
                }
            }""",
            sorted(seen),
        )
        # The exercise pictures load lazily; scroll through the page so that all of them count.
        for _ in range(20):
            page.mouse.wheel(0, PHONE["height"])
            page.wait_for_timeout(50)
        page.wait_for_load_state("networkidle")
        rows = [measured(request) for request in finished]
        failed_on_today = list(failed)
        # Then the first exercise's page: its animation is asked for there, once, within
        # budget (by then the service worker has usually saved it with the week's offline
        # copy, and answers it from there: 0 bytes on the wire).
        finished.clear()
        page.locator(".exercise-card h3 a").first.click()
        page.wait_for_load_state("networkidle")
        animations = [row for row in map(measured, finished) if "/animation-" in row["url"]]
    finally:
        context.close()

    assert len(animations) == 1
    assert animations[0]["kind"] == "images"
    assert animations[0]["bytes"] <= 80 * 1024 + 1_000  # the file and its headers

    assert failed_on_today == []
    assert console_errors == []
    by_kind = Counter()
    for row in rows:
        by_kind[row["kind"]] += row["bytes"]
    total = sum(by_kind.values())

    statics = [row for row in rows if row["url"].startswith("/static/")]
    assert {row["kind"] for row in statics} >= {"css", "js", "favicon"}
    for row in statics:
        assert HASHED.search(row["url"]), row
        assert row["cache_control"] == FOREVER, row
        if row["kind"] in ("css", "js"):
            assert row["encoding"] in ("gzip", "br"), row
    assert sum(1 for row in rows if row["url"].startswith("/media/")) == 4
    # The exercises' animations are for the exercise page and guided mode, loaded there and
    # then: Today's first load carries none of them.
    assert [row["url"] for row in rows if "/animation-" in row["url"]] == []
    # Nor anything of the camera coach: its scripts are for guided mode, its model for when
    # a patient turns the camera on.
    assert [
        row["url"] for row in rows if "/camera/" in row["url"] or "mediapipe" in row["url"]
    ] == []
    assert {row["status"] for row in rows} == {200}

    report = {"total_bytes": total, "budget_bytes": BUDGET, "by_kind": dict(by_kind)}
    (artifacts / "page-weight.json").write_text(json.dumps({**report, "responses": rows}, indent=2))
    with capsys.disabled():
        kinds = ", ".join(f"{kind} {size:,}" for kind, size in by_kind.most_common())
        print(f"\nToday, phone, first load: {total:,} bytes on the wire ({kinds})")
        print(
            f"The first exercise's animation, on its page: {animations[0]['bytes']:,} bytes"
            " on the wire (0: answered from the saved offline copy)"
        )
    assert total < BUDGET

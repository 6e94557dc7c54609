"""Playwright for Python driving Debian's chromium against pytest-django's live_server.

Without /usr/bin/chromium the browser tests skip with a reason, except in CI (CI=true),
where a missing browser is a failure.
"""

import functools
import os
from pathlib import Path

import pytest

from tests.browser.helpers import PHONE

CHROMIUM = Path(os.environ.get("HOMEPLAN_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _groups(role_groups):
    """Every browser test commits real rows through the live server; see ``role_groups``."""


@functools.cache
def _shipped_content_migrations() -> list:
    """The ``exercises`` data migrations' functions, in order (read from disk once)."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [
        operation.code
        for key in sorted(key for key in loader.disk_migrations if key[0] == "exercises")
        for operation in loader.disk_migrations[key].operations
        if isinstance(operation, RunPython)
    ]


@pytest.fixture(autouse=True)
def _shipped_content(transactional_db):
    """The safety advice and precaution tags that the ``exercises`` data migrations create,
    made again for the same reason as the role groups (a flush after each browser test takes
    them away). The migrations add the newest advice version last, so it is the one shown."""
    from django.apps import apps

    from exercises.models import SafetyAdvice

    if SafetyAdvice.objects.exists():
        return
    for code in _shipped_content_migrations():
        code(apps, None)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per test process: its sync API cannot run twice in one thread, so every
    browser (the shared one, and the fake camera's) is launched from this."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: install Debian's chromium.")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) - browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test, with console errors collected for assertions."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

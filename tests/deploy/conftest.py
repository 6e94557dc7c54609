"""Fixtures for tests that run the app as it is deployed: real gunicorn processes with
DEBUG off, against the test database."""

import pytest

from tests.deploy.servers import app_servers, collect_static, production_env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    return collect_static(tmp_path_factory.getbasetemp())


@pytest.fixture
def production_passwords(settings):
    """Hash passwords with Argon2 as production does: the servers don't know the tests' MD5."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture(scope="module")
def _two_workers_server(django_db_setup, static_root, tmp_path_factory):
    """Started once for the module's tests: the server keeps nothing between requests (the
    rate-limit counts live in the database, emptied after each test)."""
    folder = tmp_path_factory.mktemp("two-workers")
    env = production_env(static_root=static_root, DJANGO_MEDIA_ROOT=str(folder / "media"))
    env.pop("HOMEPLAN_CACHE_URL", None)
    with app_servers(["W"], env, folder, workers=2) as (server,):
        yield server


@pytest.fixture
def two_workers(role_groups, _two_workers_server):
    """One app server with two gunicorn worker processes, as production runs (no Redis)."""
    return _two_workers_server


@pytest.fixture
def two_servers(role_groups, production_passwords, static_root, tmp_path):
    """Two app servers on two ports, sharing only the database (and the secret key)."""
    with app_servers(["A", "B"], production_env(static_root=static_root), tmp_path) as servers:
        yield servers


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/deploy/" in str(item.fspath):
            item.add_marker(pytest.mark.deploy)

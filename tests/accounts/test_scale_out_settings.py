"""Settings for more than one process: a shared cache for rate limits, the client's address
behind a reverse proxy, media storage options and their CSP origin."""

import json
import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from audit.models import AuditEvent
from clinic import ratelimit
from tests.commands import manage, production_env

# Separate processes or threads: seconds each (left out of make test-fast).
pytestmark = pytest.mark.slow

REDIS = ("127.0.0.1", 6379)


def redis_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(REDIS) == 0


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_with_a_redis_cache_url_two_processes_share_one_rate_limit_count(settings):
    url = "redis://127.0.0.1:6379/15"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    caches["default"].clear()
    # Another process (a second gunicorn worker or server) makes three requests...
    script = (
        "from clinic import ratelimit; "
        "print([ratelimit.hit('reset', 'ann@example.org', limit=3, window_seconds=60) "
        "for _ in range(3)])"
    )
    result = manage("shell", "--no-imports", "-c", script, HOMEPLAN_CACHE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[False, False, False]"
    # ...and this one sees them: the fourth is over the limit.
    assert ratelimit.hit("reset", "ann@example.org", limit=3, window_seconds=60)
    caches["default"].clear()


def test_without_a_cache_url_production_shares_the_database_and_development_its_memory():
    script = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    production = manage("shell", "--no-imports", "-c", script, **production_env())
    assert production.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"
    development = manage("shell", "--no-imports", "-c", script)
    assert development.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache"


def test_media_storage_options_and_origin_come_from_the_environment(tmp_path):
    script = (
        "from django.core.files.storage import default_storage; "
        "from django.conf import settings; "
        "print(default_storage.location); "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        DJANGO_MEDIA_STORAGE_OPTIONS=json.dumps({"location": str(tmp_path)}),
        HOMEPLAN_MEDIA_ORIGIN="https://media.example.org",
    )
    assert result.returncode == 0, result.stderr
    location, img_src = result.stdout.strip().splitlines()
    assert location == str(tmp_path)
    assert "'https://media.example.org'" in img_src


# --- Behind a reverse proxy ------------------------------------------------------------------


def test_behind_the_proxy_the_client_address_is_the_one_it_sets(
    client, settings, clinician, patient
):
    settings.BEHIND_PROXY = True
    client.force_login(clinician)
    client.get(
        reverse("admin:patients_patient_progress", args=[patient.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="203.0.113.9",
    )
    assert AuditEvent.objects.get(action="view").ip_address == "203.0.113.9"


@pytest.mark.parametrize(("behind_proxy", "header"), [(False, "203.0.113.9"), (True, "nonsense")])
def test_the_header_is_ignored_without_a_proxy_or_when_invalid(
    client, settings, clinician, patient, behind_proxy, header
):
    settings.BEHIND_PROXY = behind_proxy
    client.force_login(clinician)
    client.get(
        reverse("admin:patients_patient_progress", args=[patient.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP=header,
    )
    assert AuditEvent.objects.get(action="view").ip_address == "10.0.0.2"


def test_behind_the_proxy_a_strangers_failures_do_not_lock_the_patient_out(
    client, settings, patient
):
    """django-axes also counts failures per IP address: with every request coming from the
    proxy's address, a stranger's failures (for any names) would pause everyone's logins."""
    settings.BEHIND_PROXY = True
    login = reverse("login")
    for n in range(settings.LOGIN_IP_FAILURE_LIMIT):
        client.post(
            login,
            {"username": f"guess{n}@example.org", "password": "wrong"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_REAL_IP="198.51.100.66",
        )
    from tests.factories import PASSWORD

    response = client.post(
        login,
        {"username": patient.user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="203.0.113.10",
    )
    assert response.status_code == 302
    assert response.url == "/"

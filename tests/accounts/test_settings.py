"""Production settings, checked the way an operator runs them: a fresh process."""

import pytest

from tests.commands import manage, production_env

# Separate processes or threads: seconds each (left out of make test-fast).
pytestmark = pytest.mark.slow


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    # A database of its own: a developer's db.sqlite3 holds the demo accounts, which the
    # deployment check rightly warns about (tests/security/test_headers.py).
    database = str(tmp_path / "empty.sqlite3")
    result = manage("check", "--deploy", **production_env(DJANGO_SQLITE_PATH=database))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_without_secret_key_names_the_variable():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_names_the_variable():
    env = production_env()
    del env["DJANGO_ALLOWED_HOSTS"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_seed_demo_refuses_in_production():
    result = manage("seed_demo", **production_env())
    assert result.returncode != 0
    assert "refuses to run when DEBUG is off" in result.stderr


def test_emails_wait_for_the_worker_in_production_and_go_at_once_in_development():
    script = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    production = manage("shell", "--no-imports", "-c", script, **production_env())
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "django_tasks_db.DatabaseBackend"
    development = manage("shell", "--no-imports", "-c", script)
    assert development.stdout.strip() == "django_tasks.backends.immediate.ImmediateBackend"


def test_a_misspelt_boolean_stops_start_up_naming_the_variable():
    result = manage("check", **production_env(DJANGO_SECURE_COOKIES="flase"))
    assert result.returncode != 0
    assert "DJANGO_SECURE_COOKIES must be one of" in result.stderr
    assert "'flase'" in result.stderr


def test_every_spelling_of_yes_and_no_is_accepted_in_any_case():
    # One process reads the settings file once for each spelling (a process each took a
    # second apiece).
    script = (
        "import os, runpy\n"
        "for word in ('OFF', 'No', 'On', 'YES'):\n"
        "    os.environ['DJANGO_SECURE_COOKIES'] = word\n"
        "    print(word, runpy.run_path('clinic/settings.py')['SESSION_COOKIE_SECURE'])"
    )
    result = manage("shell", "--no-imports", "-c", script, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["OFF", "False", "No", "False", "On", "True", "YES", "True"]

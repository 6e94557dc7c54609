"""Gunicorn settings for production: ``gunicorn -c clinic/gunicorn.conf.py`` (``make serve-prod``).

Everything an operator may want to change comes from the environment: ``GUNICORN_WORKERS``
(default 2 x CPU cores + 1), ``GUNICORN_BIND`` (default ``127.0.0.1:8000``, for a reverse
proxy on the same machine) and ``GUNICORN_TIMEOUT`` (seconds, default 30). Gunicorn's own
``GUNICORN_CMD_ARGS`` still overrides any of it.
"""

# ruff: noqa: N999 - gunicorn.conf.py is the name gunicorn looks for and its docs use.
import os
import re
from pathlib import Path

from gunicorn.glogging import Logger

# Under gunicorn, production unless said otherwise: a server started by hand must never
# show DEBUG pages to the internet. Settings then insist on a secret key and allowed hosts.
os.environ.setdefault("DJANGO_DEBUG", "0")
# On PostgreSQL, a psycopg pool of up to 2 connections per worker: `make loadtest` served
# 11 % more requests a second with it than with one persistent connection per worker in
# the mixed load, and the same for Today alone (bench/README.md). Mind servers x workers x 2
# against PostgreSQL's max_connections (100 by default). DJANGO_DB_POOL=0 turns it off.
os.environ.setdefault("DJANGO_DB_POOL", "2")

wsgi_app = "clinic.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
# Sync workers (one request at a time each) suit short, database-bound requests; put a
# buffering proxy (nginx, Caddy) in front so slow phones on mobile data never hold a worker.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# Not preloaded: each worker imports the app after the fork, so no database connection,
# psycopg pool thread or open socket is ever shared between processes, and a HUP reload
# picks up new code.
preload_app = False
# No control socket: its default path is one per user, so a second gunicorn (a load test
# beside the real server) would take it over; signals and the process manager do its job.
control_socket_disable = True
# The heartbeat file on a RAM disk where there is one, so a slow disk cannot make the
# master think a busy worker hung.
if Path("/dev/shm").is_dir():  # noqa: S108 - gunicorn's documented advice, not a temp file
    worker_tmp_dir = "/dev/shm"  # noqa: S108

# Access log to stdout, for the process manager: method, path without the query string,
# status, bytes and time. Never request bodies (check-offs, pain scores, notes).
accesslog = "-"
access_log_format = '"%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# Paths that carry a credential: the calendar feed's secret, unsubscribe, invitation,
# sign-in-link and password-reset tokens. Kept out of the logs like any password. The same
# pattern as clinic/log_redaction.py (which this file cannot import: gunicorn reads it before
# the project is on the path; tests/security/test_log_redaction.py keeps the two equal),
# which redacts every other log record once the app is loaded.
SECRET_PATH = re.compile(
    r"^/(plan/calendar|plan/unsubscribe|accounts/invite|accounts/sign-in|accounts/reset)/[^?]*"
)


class RedactingLogger(Logger):
    """Gunicorn's logger with the token in secret-bearing paths replaced by ``…``."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SECRET_PATH.sub(lambda match: f"/{match.group(1)}/…", atoms["U"])
        return atoms


logger_class = RedactingLogger

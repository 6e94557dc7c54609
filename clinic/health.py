"""The checks behind ``/healthz``: does the database answer, and can it take a write?

A monitor or load balancer must get an answer within ``DEADLINE_SECONDS`` whatever the
database does (down, restarting, read-only after a failover, or silent), so the check never
waits in the request pool's queue, where a dead database would hold it as long as the pool
waits. On PostgreSQL it opens a connection of its own, with a short connect and statement
timeout, in a thread that the request stops waiting for at the deadline. "Can it write" is
whether that connection starts read-only (what a replica or a read-only episode gives): the
app's every patient action is a write, so a read-only database is not healthy.
"""

import logging
import queue
import threading

import psycopg
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

DEADLINE_SECONDS = 1.5
CONNECT_TIMEOUT_SECONDS = 2  # libpq's minimum
STATEMENT_TIMEOUT_MS = 1000
OK = "ok"
# A probe still waiting after its deadline (a database that does not answer at all) keeps
# its slot until its own timeouts end it; with no slot free the answer is at once.
_probe_slots = threading.BoundedSemaphore(2)


def checks() -> dict[str, str]:
    """``{"database": ..., "writes": ...}``, each ``"ok"`` or a word for what failed:
    database ``unavailable`` or ``timeout``; writes ``read-only`` or ``unknown``."""
    if connection.vendor != "postgresql":
        return _checks_here()
    if not _probe_slots.acquire(blocking=False):
        return {"database": "timeout", "writes": "unknown"}
    answer: queue.SimpleQueue = queue.SimpleQueue()
    params = connection.get_connection_params()
    threading.Thread(target=_probe_postgresql, args=(params, answer), daemon=True).start()
    try:
        return answer.get(timeout=DEADLINE_SECONDS)
    except queue.Empty:
        logger.warning("healthz: the database did not answer within %ss", DEADLINE_SECONDS)
        return {"database": "timeout", "writes": "unknown"}


def _probe_postgresql(params: dict, answer: queue.SimpleQueue) -> None:
    options = f"{params.pop('options', '')} -c statement_timeout={STATEMENT_TIMEOUT_MS}"
    try:
        with psycopg.connect(
            **{**params, "connect_timeout": CONNECT_TIMEOUT_SECONDS, "options": options.strip()},
            autocommit=True,
        ) as probe:
            read_only = probe.execute("SHOW transaction_read_only").fetchone()[0] == "on"
        answer.put({"database": OK, "writes": "read-only" if read_only else OK})
    except psycopg.Error as error:
        # The class name says enough (connection refused, shutting down); the message could
        # name hosts and users.
        logger.warning("healthz: database unavailable (%s)", type(error).__name__)
        answer.put({"database": "unavailable", "writes": "unknown"})
    finally:
        _probe_slots.release()


def _checks_here() -> dict[str, str]:
    """SQLite: a file on this machine, read on the request's own connection."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only")
            read_only = bool(cursor.fetchone()[0])
    except DatabaseError as error:
        logger.warning("healthz: database unavailable (%s)", type(error).__name__)
        return {"database": "unavailable", "writes": "unknown"}
    return {"database": OK, "writes": "read-only" if read_only else OK}

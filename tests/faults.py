"""Database faults for tests, put on the test database only.

On PostgreSQL they change the test database's own settings (from a connection to the
``postgres`` maintenance database) and end only that database's other connections: never the
server's other databases, which other test runs may be using. SQLite has no server, so the
same faults are made on the connections themselves.
"""

import contextlib
from collections.abc import Iterator

import psycopg
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.backends.signals import connection_created
from django.test import Client
from psycopg import sql

from patients import changes as write_path


class ServerClient(Client):
    """Django's test client, finishing each request as a server process does: a connection
    that failed is checked and closed if unusable (Django's test client skips this, so that
    tests share one connection). Faults come back as answers, never re-raised."""

    def __init__(self, **defaults):
        super().__init__(raise_request_exception=False, **defaults)

    def request(self, **request):
        response = super().request(**request)
        close_old_connections()
        return response


@contextlib.contextmanager
def maintenance_connection() -> Iterator[psycopg.Connection]:
    """A superuser's connection to the server's ``postgres`` database, beside the test one."""
    params = connection.get_connection_params()
    params["dbname"] = "postgres"
    params.pop("connect_timeout", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        yield admin


def end_other_connections(admin: psycopg.Connection) -> int:
    """End every connection to the test database except this test's own, as a failover or a
    restart would; wait until they are gone."""
    own = connection.connection.info.backend_pid if connection.connection else 0
    return admin.execute(
        "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> %s",
        [connection.settings_dict["NAME"], own],
    ).fetchone()[0]


def _alter_test_database(admin: psycopg.Connection, change: str) -> None:
    admin.execute(
        sql.SQL("ALTER DATABASE {} " + change).format(
            sql.Identifier(connection.settings_dict["NAME"])
        )
    )


@contextlib.contextmanager
def read_only_database() -> Iterator[None]:
    """The test database turns read-only, as it does for a moment during a failover: every
    connection opened from now on starts read-only (PostgreSQL's
    ``default_transaction_read_only``; SQLite's ``query_only``) and the others are ended, but
    this test's own connection, which stays as it was (PostgreSQL) or read-only too (SQLite,
    whose check is made on it)."""
    if connection.vendor == "postgresql":
        with maintenance_connection() as admin:
            _alter_test_database(admin, "SET default_transaction_read_only = on")
            end_other_connections(admin)
        try:
            yield
        finally:
            with maintenance_connection() as admin:
                _alter_test_database(admin, "RESET default_transaction_read_only")
        return

    def read_only(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            connection.connection.execute("PRAGMA query_only = ON")

    # SQLite connections in other threads (a live server's) are made per request.
    connection_created.connect(read_only, weak=False)
    connection.ensure_connection()
    connection.connection.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        connection_created.disconnect(read_only)
        if connection.connection is not None:
            connection.connection.execute("PRAGMA query_only = OFF")


@contextlib.contextmanager
def unreachable_database(*, this_connection_too: bool = True) -> Iterator[None]:
    """Nobody can open a connection to the test database (PostgreSQL refuses them, and the
    others are ended, but this test's own); on SQLite, opening one fails as an unreadable file
    would, and so does every statement on this thread's connection unless told otherwise
    (a test that checks the database meanwhile, while a live server serves the phone)."""
    if connection.vendor == "postgresql":
        with maintenance_connection() as admin:
            _alter_test_database(admin, "WITH ALLOW_CONNECTIONS false")
            end_other_connections(admin)
        try:
            yield
        finally:
            with maintenance_connection() as admin:
                _alter_test_database(admin, "WITH ALLOW_CONNECTIONS true")
        return

    def fail(execute, sql, params, many, context):
        raise OperationalError("unable to open database file")

    def refuse(sender, connection, **kwargs):
        raise OperationalError("unable to open database file")

    connection_created.connect(refuse, weak=False)
    try:
        with connection.execute_wrapper(fail) if this_connection_too else contextlib.nullcontext():
            yield
    finally:
        connection_created.disconnect(refuse)


@contextlib.contextmanager
def connection_dropped_after_saving(model) -> Iterator[None]:
    """The first write of a ``model`` row through the write path (``patients.changes``, in
    any thread: a live server's too) is followed, right after its transaction commits, by
    that thread's connection dropping."""

    def receiver(sender, changes, **kwargs):
        if any(isinstance(row, model) for _, row, _ in changes):
            write_path.recorded.disconnect(receiver)
            drop_connection_after_commit()

    write_path.recorded.connect(receiver, weak=False)
    try:
        yield
    finally:
        write_path.recorded.disconnect(receiver)


def drop_connection_after_commit() -> None:
    """From inside a transaction: once it commits, this thread's connection to the test
    database drops (the server ends it, as a restart or a network fault would), so that
    whatever the request does next finds it gone."""
    database_connection = connection

    def drop():
        if database_connection.vendor == "postgresql":
            pid = database_connection.connection.info.backend_pid
            with maintenance_connection() as admin:
                admin.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
        else:
            database_connection.connection.close()

    transaction.on_commit(drop)

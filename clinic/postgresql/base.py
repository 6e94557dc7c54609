"""Django's PostgreSQL backend, with connections that heal.

A connection that can no longer write is of no use to Homeplan, whose every patient action is
a write: after a failover, or while an operator sets the database read-only for a moment
(``default_transaction_read_only``), new connections start read-only and keep that setting
for as long as they live. Django's pool would lend them again and again, so every check-off
failed until someone reloaded the app. Here the pool (``HealingPool``) closes a connection
that cannot write, or that the server has ended, instead of taking it back (and makes a fresh
one), and swaps one it was about to lend. The same test decides whether a persistent
connection (no pool) is still usable.

A database that is down must not hold the app's few sync workers: the first request to find
it down waits the pool's timeout; until a connection works again, the next ones wait only
``OUTAGE_WAIT_SECONDS`` and answer 503, while the pool keeps trying in the background.

Whether a connection can write costs no round trip: PostgreSQL 14 and later report
``default_transaction_read_only`` and ``in_hot_standby`` to the client at connection start
and whenever they change in the session.
"""

import time

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool, PoolTimeout

# How long a request waits for a connection once the pool has found the database down.
OUTAGE_WAIT_SECONDS = 0.02


def cannot_write(connection) -> bool:
    """True for a psycopg connection that is closed, broken, or read-only by default."""
    if connection.closed or connection.broken:
        return True
    info = connection.info
    return "on" in (
        info.parameter_status("default_transaction_read_only"),
        info.parameter_status("in_hot_standby"),
    )


class HealingPool(ConnectionPool):
    """psycopg's pool, for a database that may fail over, restart or vanish for a while."""

    down_since: float | None = None

    def getconn(self, timeout: float | None = None):
        if timeout is None and self.down_since is not None:
            timeout = OUTAGE_WAIT_SECONDS
        try:
            connection = super().getconn(timeout)
        except PoolTimeout:
            self.down_since = self.down_since or time.monotonic()
            raise
        self.down_since = None
        # Connections made while the database was read-only may still be here after it is
        # writable again: each is replaced. While it is still read-only, the fresh ones are
        # too, and after one try per slot the last is lent (reads work; a write fails fast).
        for _ in range(self.max_size):
            if not cannot_write(connection):
                break
            self.putconn(connection)
            connection = super().getconn(timeout)
        return connection

    def putconn(self, connection) -> None:
        if not connection.closed and cannot_write(connection):
            # Closed before it goes back: the pool drops it and connects afresh.
            connection.close()
        super().putconn(connection)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        # As Django's own (django/db/backends/postgresql/base.py), with our pool class.
        pool_options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not pool_options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            connect_kwargs = self.get_connection_params()
            connect_kwargs["autocommit"] = True
            pool = HealingPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                check=ConnectionPool.check_connection
                if self.settings_dict["CONN_HEALTH_CHECKS"]
                else None,
                **({} if pool_options is True else pool_options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]

    def is_usable(self):
        return super().is_usable() and not cannot_write(self.connection)

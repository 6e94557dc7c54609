"""Django's PostgreSQL backend, with connections that heal.

A connection that can no longer write is of no use to Homeplan, whose every patient action is
a write: after a failover, or while an operator sets the database read-only for a moment
(``default_transaction_read_only``), new connections start read-only and keep that setting
for as long as they live. Django's pool would lend them again and again, so every check-off
failed until someone reloaded the app. Here a connection that cannot write, or that the
server has ended, is closed instead of going back to the pool (which then makes a fresh one),
and one lent by the pool that cannot write is swapped for a fresh one before any query runs.
The same test decides whether a persistent connection (no pool) is still usable.

Whether a connection can write costs no round trip: PostgreSQL 14 and later report
``default_transaction_read_only`` and ``in_hot_standby`` to the client at connection start
and whenever they change in the session.
"""

from django.db.backends.postgresql import base


def cannot_write(connection) -> bool:
    """True for a psycopg connection that is closed, broken, or read-only by default."""
    if connection.closed or connection.broken:
        return True
    info = connection.info
    return "on" in (
        info.parameter_status("default_transaction_read_only"),
        info.parameter_status("in_hot_standby"),
    )


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        pool = self.pool
        if pool is None:
            return connection
        # Connections made while the database was read-only may still sit in the pool after
        # it is writable again. Each is replaced by a fresh one; while the database is still
        # read-only the fresh ones are read-only too, and after at most one per pool slot the
        # last is used (reads work; a write fails fast with 503, and the phone retries).
        for _ in range(pool.max_size):
            if not cannot_write(connection):
                break
            connection.close()
            pool.putconn(connection)  # a closed connection is discarded and replaced
            connection = super().get_new_connection(conn_params)
        return connection

    def is_usable(self):
        return super().is_usable() and not cannot_write(self.connection)

    def _close(self):
        if self.pool and self.connection is not None and cannot_write(self.connection):
            # Closed before it goes back: the pool drops it and connects afresh.
            self.connection.close()
        return super()._close()

"""Django's PostgreSQL backend with a per-request health check that costs no round trip on a quiet connection."""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        """Skip the SELECT 1 while the socket has nothing to read.

        A connection the server ended (restart, pg_terminate_backend, idle timeout) has its error message or
        end of stream waiting to be read; a healthy idle one has nothing. Anything pending — or a socket
        that cannot be polled — gets Django's real check, which closes the connection if it is dead.
        """
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and _quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _quiet(connection) -> bool:
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # closed connection, no poll() on this platform: let the real check decide
        return False

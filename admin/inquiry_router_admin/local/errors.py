"""Errors that stop the local stack from starting; each message says what to change."""

from __future__ import annotations

import errno
import socket


class LocalStackError(Exception):
    """The local stack cannot start or run as asked."""


class PortInUseError(LocalStackError):
    def __init__(self, port: int, role: str, flag: str) -> None:
        super().__init__(
            f"port {port} ({role}) is already in use: stop what is listening there, "
            f"or choose another port with {flag} PORT"
        )
        self.port = port
        self.flag = flag


def ensure_port_free(host: str, port: int, role: str, flag: str) -> None:
    """Raise PortInUseError when something listens on host:port (0 means any free port: always fine)."""
    if port == 0:
        return
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # The servers set SO_REUSEADDR too: a port left in TIME_WAIT by the last run is free for them.
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        probe.bind((host, port))
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise PortInUseError(port, role, flag) from None
        raise
    finally:
        probe.close()

"""The explorer and API served from a daemon thread of the current process (`dyad watch --serve`).

DuckDB lets no other process open a store while one writes it, so the process writing it serves it: the
app reads the writer's connection (`create_app(connection=...)`) and uvicorn runs in a thread of its own.
Signals stay with the main thread, which owns SIGINT and SIGTERM and calls `stop()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import uvicorn

READY_SECONDS = 30.0  # how long `start` waits for the server to listen: far past a normal start (< 1 s)
STOP_SECONDS = 10.0  # how long `stop` lets requests in flight finish before closing their connections


class _ThreadServer(uvicorn.Server):
    """uvicorn's server without signal handlers (uvicorn installs none off the main thread already; this
    keeps it so whatever its version)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


class BackgroundServer:
    """`app` served on `host`:`port` (0: any free port) by uvicorn in a daemon thread.

        server = BackgroundServer(create_app(connection=store.connection, last_batch=lambda: batch))
        url = server.start()  # listening now: the URL, with the port bound
        ...
        server.stop()

    Or as a context manager (`with BackgroundServer(app) as url:`). `uvicorn_options` go to
    `uvicorn.Config` (access_log is off, log_level "warning", unless given).
    """

    def __init__(self, app, host: str = "127.0.0.1", port: int = 8000, **uvicorn_options):
        self.app, self.host, self.port = app, host, port
        self.options = {"access_log": False, "log_level": "warning", **uvicorn_options}
        self._server: _ThreadServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """The server's URL; after `start`, with the port actually bound."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = READY_SECONDS) -> str:
        """Bind the port and serve; return the URL once the server accepts connections. An OSError says
        the port cannot be bound (in use, not allowed); a RuntimeError, that the app failed to start."""
        if self._thread is not None:
            raise RuntimeError(f"already serving on {self.url}")
        self._socket = _bind(self.host, self.port)  # here, not in the thread: a busy port fails the caller
        self.port = self._socket.getsockname()[1]
        self._server = _ThreadServer(uvicorn.Config(self.app, **self.options))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"dyad-serve:{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server on {self.url} did not start (see its log above)")
            time.sleep(0.02)
        return self.url

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """Stop accepting, let requests in flight finish for up to `timeout` seconds, then close the rest
        and run the app's shutdown. Safe to call twice, or before `start`."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host`:`port`; an OSError naming the address when it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port just freed is reusable at once
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's default backlog
    except OSError as error:
        sock.close()
        raise OSError(error.errno, f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock

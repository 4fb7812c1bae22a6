"""Peers a fault test can break on purpose: a private Redis server and a TCP proxy.

Fault tests never touch the shared PostgreSQL or Redis: each starts its own
``redis-server`` on a free port (which it may kill, hang and bring back) and puts a
``TcpProxy`` between the processes under test and PostgreSQL (which it may cut, stall
and restore).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

START_TIMEOUT = 20


def free_port() -> int:
    """Return a TCP port on the loopback address that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_listening(port: int, *, timeout: float = START_TIMEOUT) -> None:
    """Wait until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"Nothing listens on port {port} after {timeout}s.")


class RedisServer:
    """A ``redis-server`` of the test's own, without persistence, on a free port."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart, on the same port) the server and wait until it answers."""
        command = [
            shutil.which("redis-server") or "redis-server",
            "--bind", "127.0.0.1", "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.directory),
        ]  # fmt: skip
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until_listening(self.port)

    def kill(self) -> None:
        """Kill the server at once, as a crashed host would; its data is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def hang(self) -> None:
        """Freeze the server: connections stay open but nothing is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a frozen server answer again."""
        self.process.send_signal(signal.SIGCONT)


class TcpProxy:
    """Forward a local port to ``upstream``; ``cut()``, ``stall()`` and ``restore()`` it.

    ``cut`` drops every open connection and refuses new ones, as a dead host or a
    firewall that rejects would. ``stall`` keeps connections open but forwards nothing
    in either direction, as a hung server or a black-holed route would.
    """

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._flowing = threading.Event()
        self._flowing.set()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        """Listen on the proxy port and forward connections."""
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: the proxy is cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._flowing.wait()
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._drop(source, target)

    def _drop(self, *sockets: socket.socket) -> None:
        with self._lock:
            for sock in sockets:
                self._sockets.discard(sock)
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        """Drop every connection and refuse new ones."""
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            open_sockets = list(self._sockets)
        self._drop(*open_sockets)
        self._flowing.set()

    def stall(self) -> None:
        """Stop forwarding bytes; connections stay open and new ones are accepted."""
        self._flowing.clear()

    def restore(self) -> None:
        """Forward again (after a stall) and accept connections again (after a cut)."""
        self._flowing.set()
        if self._listener is None:
            self.start()

    def close(self) -> None:
        self.cut()


def database_upstream(settings_dict: dict) -> tuple[str, int]:
    """Return the PostgreSQL server (host, port) the tests' processes talk to.

    A run on SQLite still has the PostgreSQL server of the development and CI machines;
    ``FAULT_POSTGRES_HOST`` / ``FAULT_POSTGRES_PORT`` name another.
    """
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        return settings_dict.get("HOST") or "127.0.0.1", int(settings_dict.get("PORT") or 5432)
    return (
        os.environ.get("FAULT_POSTGRES_HOST", "127.0.0.1"),
        int(os.environ.get("FAULT_POSTGRES_PORT", "5432")),
    )

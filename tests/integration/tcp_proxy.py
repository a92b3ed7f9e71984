"""A TCP proxy that can cut every connection and refuse new ones: a broker outage."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from collections.abc import Iterator

__all__ = ["TcpProxy", "tcp_proxy"]


class TcpProxy:
    """Forwards ``127.0.0.1:port`` to ``upstream``; :meth:`cut` makes it unreachable."""

    def __init__(self, port: int, upstream: tuple[str, int]) -> None:
        self.port = port
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._listener.settimeout(0.2)
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._down = threading.Event()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def cut(self) -> None:
        """Drop every open connection; new ones are closed as soon as they arrive."""
        self._down.set()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _close(*pair)

    def restore(self) -> None:
        self._down.clear()

    def close(self) -> None:
        self._stop.set()
        self.cut()
        for thread in self._threads:
            thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            if self._down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            thread = threading.Thread(target=self._pump, args=(client, upstream), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        with selectors.DefaultSelector() as selector:
            selector.register(a, selectors.EVENT_READ)
            selector.register(b, selectors.EVENT_READ)
            try:
                while not self._stop.is_set():
                    for key, _ in selector.select(0.2):
                        sock = key.fileobj
                        assert isinstance(sock, socket.socket)
                        data = sock.recv(65536)
                        if not data:
                            return
                        peer[sock].sendall(data)
            except (OSError, ValueError):
                return  # cut, or the other side went away
            finally:
                _close(a, b)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


@contextlib.contextmanager
def tcp_proxy(port: int, upstream: tuple[str, int]) -> Iterator[TcpProxy]:
    proxy = TcpProxy(port, upstream)
    try:
        yield proxy
    finally:
        proxy.close()

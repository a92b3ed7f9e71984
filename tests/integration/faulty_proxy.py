"""An HTTP proxy in front of the S3 server that injects faults into chosen requests."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message></Error>"
)


class FaultPlan:
    """Faults to inject, by a substring of the request path; each is used once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[str]] = {}
        self.injected: list[tuple[str, str]] = []

    def add(self, path_part: str, *faults: str) -> None:
        with self._lock:
            self._faults.setdefault(path_part, []).extend(faults)

    def take(self, path: str) -> str | None:
        with self._lock:
            for part, faults in self._faults.items():
                if part in path and faults:
                    fault = faults.pop(0)
                    self.injected.append((path, fault))
                    return fault
        return None


def _handler(upstream: str, plan: FaultPlan) -> type[BaseHTTPRequestHandler]:
    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            fault = plan.take(self.path)
            if fault == "503":
                self.send_response(503)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(SLOW_DOWN)))
                self.end_headers()
                self.wfile.write(SLOW_DOWN)
                return
            if fault == "reset":
                # SO_LINGER 0 makes close() send RST: a connection reset by peer.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
                )
                self.close_connection = True
                return
            if fault == "slow":
                time.sleep(3)
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            try:
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                headers["Host"] = target.netloc
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
            finally:
                conn.close()

        do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward

    return Handler


@contextmanager
def faulty_proxy(upstream: str) -> Iterator[tuple[str, FaultPlan]]:
    """Serve a proxy to ``upstream`` on a free loopback port; yields (url, plan)."""
    plan = FaultPlan()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream, plan))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", plan
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

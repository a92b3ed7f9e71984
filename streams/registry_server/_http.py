"""The HTTP front of the registry: a stdlib threading server around :class:`RegistryApi`."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from schemas import LocalSchemaRegistry

from ._api import RegistryApi, Reply

__all__ = ["CONTENT_TYPE", "RegistryServer"]

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
_MAX_BODY = 16 * 1024 * 1024


class RegistryServer:
    """A Confluent-compatible Schema Registry on ``host:port`` (0: a free port).

    ``credentials`` (user, password) turns on HTTP basic auth. Serve with
    :meth:`serve_forever` (blocks) or :meth:`start` (a daemon thread); stop
    with :meth:`close`.
    """

    def __init__(
        self,
        registry: LocalSchemaRegistry,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self._httpd = _Server((host, port), _Handler)
        self._httpd.api = RegistryApi(registry)
        self._httpd.authorization = None
        if credentials is not None:
            token = base64.b64encode(f"{credentials[0]}:{credentials[1]}".encode()).decode()
            self._httpd.authorization = f"Basic {token}"
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self._httpd.server_address[1]
        return port

    @property
    def url(self) -> str:
        host = str(self._httpd.server_address[0])
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def start(self) -> RegistryServer:
        self._thread = threading.Thread(
            target=self.serve_forever, name="schema-registry", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> RegistryServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: RegistryApi
    authorization: str | None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= _MAX_BODY:
            self.close_connection = True
            self._send(Reply(400, {"error_code": 400, "message": "Bad Content-Length"}))
            return
        body = self.rfile.read(length) if length else b""
        if not self._authorized():
            self._send(Reply(401, {"error_code": 401, "message": "Unauthorized"}))
            return
        url = urlsplit(self.path)
        try:
            reply = self.server.api.handle(method, url.path, dict(parse_qsl(url.query)), body)
        except Exception:
            logger.exception("%s %s failed", method, self.path)
            reply = Reply(500, {"error_code": 50001, "message": "Error in the backend data store"})
        self._send(reply)

    def _authorized(self) -> bool:
        expected = self.server.authorization
        if expected is None:
            return True
        given = self.headers.get("Authorization", "")
        try:
            # Normalise the base64 so padding differences do not matter.
            scheme, _, token = given.partition(" ")
            given = f"{scheme} {base64.b64encode(base64.b64decode(token)).decode()}"
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given.encode(), expected.encode())

    def _send(self, reply: Reply) -> None:
        data = _dumps(reply.body)
        self.send_response(reply.status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        if reply.status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="schema-registry"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


def _dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()

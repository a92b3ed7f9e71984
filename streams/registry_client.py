"""Schema ids from a Confluent-compatible registry over REST, or from the checked-in manifest.

:func:`registry_from_settings` picks: ``PHOTOSTREAM_SCHEMA_REGISTRY_URL`` set
-> :class:`HttpSchemaRegistry` (Confluent, Karapace, Apicurio, the dev stack's
embedded server); unset -> :class:`schemas.LocalSchemaRegistry`, whose ids
are the manifest's, the ones the embedded server hands out too.

Errors are the :class:`~schemas.SchemaRegistry` ones: ``SchemaNotFound``
(404), ``IncompatibleSchema`` (409), ``InvalidSchema`` (422),
``RegistryError`` (other 4xx, e.g. bad credentials), ``RegistryUnavailable``
(no connection, timeout, 5xx: transient).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from schemas import (
    IncompatibleSchema,
    InvalidSchema,
    LocalSchemaRegistry,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
    SchemaRegistry,
)

from .settings import Settings

__all__ = ["HttpSchemaRegistry", "registry_from_settings"]

logger = logging.getLogger(__name__)

_CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
_ACCEPT = f"{_CONTENT_TYPE}, application/vnd.schemaregistry+json, application/json"
_BACKOFF_S = 0.25
_MAX_BACKOFF_S = 2.0


@dataclass(frozen=True, slots=True)
class _Endpoint:
    base: str
    authorization: str | None

    @classmethod
    def parse(cls, url: str) -> _Endpoint:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"schema registry URL {url!r} is not http(s)://host[:port]")
        authorization = None
        if parts.username is not None:
            user_pass = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            authorization = "Basic " + base64.b64encode(user_pass.encode()).decode()
        # Credentials leave the URL: they travel in the Authorization header only.
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        netloc = host if parts.port is None else f"{host}:{parts.port}"
        base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        return cls(base, authorization)


class HttpSchemaRegistry:
    """A :class:`~schemas.SchemaRegistry` over the Confluent REST API.

    ``url`` may list several comma-separated base URLs (tried in turn when
    one cannot be reached) and carry ``user:password@`` for basic auth. When
    none answers, the call is tried ``retries`` more times with backoff
    before :class:`~schemas.RegistryUnavailable` is raised.
    Ids and schemas are cached for the life of the object: an id means one
    schema forever. With ``auto_register=False``, :meth:`register` only
    looks the schema up (for producers without write access to the registry).
    Thread-safe.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 2,
        auto_register: bool = True,
    ) -> None:
        self._endpoints = [_Endpoint.parse(part) for part in url.split(",") if part.strip()]
        if not self._endpoints:
            raise ValueError("no schema registry URL given")
        self._timeout = timeout_s
        self._retries = max(0, retries)
        self._auto_register = auto_register
        self._lock = threading.Lock()
        self._ids: dict[tuple[str, str], int] = {}
        self._schemas: dict[int, str] = {}

    @property
    def url(self) -> str:
        """The base URLs, without credentials."""
        return ",".join(endpoint.base for endpoint in self._endpoints)

    def register(self, subject: str, schema: str) -> int:
        with self._lock:
            known = self._ids.get((subject, schema))
        if known is not None:
            return known
        if self._auto_register:
            path = f"/subjects/{_segment(subject)}/versions"
        else:
            path = f"/subjects/{_segment(subject)}"
        answer = self._call("POST", path, {"schema": schema})
        schema_id = _int_field(answer, "id")
        with self._lock:
            self._ids[(subject, schema)] = schema_id
            self._schemas.setdefault(schema_id, schema)
        return schema_id

    def schema_by_id(self, schema_id: int) -> str:
        with self._lock:
            known = self._schemas.get(schema_id)
        if known is not None:
            return known
        answer = self._call("GET", f"/schemas/ids/{int(schema_id)}", None)
        schema = answer.get("schema") if isinstance(answer, dict) else None
        if not isinstance(schema, str):
            raise RegistryError(f"schema id {schema_id}: the registry answered without a schema")
        with self._lock:
            self._schemas.setdefault(schema_id, schema)
        return schema

    def compatibility_problems(self, subject: str, schema: str) -> list[str]:
        """What keeps ``schema`` from following the subject's latest version (empty: none)."""
        answer = self._call(
            "POST",
            f"/compatibility/subjects/{_segment(subject)}/versions/latest?verbose=true",
            {"schema": schema},
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("is_compatible"), bool):
            raise RegistryError(f"{subject}: unexpected compatibility answer {answer!r}")
        if answer["is_compatible"]:
            return []
        return [str(message) for message in answer.get("messages") or ["incompatible"]]

    # -- transport ---------------------------------------------------------------

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(min(_BACKOFF_S * 2 ** (attempt - 1), _MAX_BACKOFF_S))
            last: RegistryUnavailable | None = None
            for endpoint in self._endpoints:
                try:
                    return self._call_one(endpoint, method, path, data)
                except RegistryUnavailable as exc:
                    last = exc
                    logger.warning("schema registry %s unavailable: %s", endpoint.base, exc)
        assert last is not None
        raise last

    def _call_one(self, endpoint: _Endpoint, method: str, path: str, data: bytes | None) -> Any:
        headers = {"Accept": _ACCEPT}
        if data is not None:
            headers["Content-Type"] = _CONTENT_TYPE
        if endpoint.authorization is not None:
            headers["Authorization"] = endpoint.authorization
        request = urllib.request.Request(
            endpoint.base + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            with exc:
                raise _http_error(method, path, exc.code, exc.read()) from None
        except (urllib.error.URLError, OSError) as exc:
            raise RegistryUnavailable(f"{method} {endpoint.base}{path}: {exc}") from exc
        try:
            return json.loads(payload) if payload else None
        except ValueError as exc:
            raise RegistryError(f"{method} {path}: the answer is not JSON") from exc


def _segment(value: str) -> str:
    return quote(value, safe="")


def _int_field(answer: Any, name: str) -> int:
    value = answer.get(name) if isinstance(answer, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        raise RegistryError(f"the registry answered without an integer {name!r}: {answer!r}")
    return value


def _http_error(method: str, path: str, status: int, payload: bytes) -> RegistryError:
    try:
        answer = json.loads(payload)
        code = int(answer.get("error_code", status))
        message = str(answer.get("message", ""))
    except (ValueError, TypeError, AttributeError):
        code, message = status, payload[:200].decode("utf-8", "replace")
    text = f"{method} {path}: {status} (error {code}) {message}".rstrip()
    if status >= 500 or status in (408, 429):
        return RegistryUnavailable(text)
    if status == 404:
        return SchemaNotFound(text)
    if status == 409:
        return IncompatibleSchema(text)
    if status == 422 and code == 42201:
        return InvalidSchema(text)
    return RegistryError(text)


def registry_from_settings(settings: Settings) -> SchemaRegistry:
    """The registry photostream processes use: HTTP when a URL is configured, else local."""
    if settings.schema_registry_url:
        return HttpSchemaRegistry(settings.schema_registry_url)
    return LocalSchemaRegistry()

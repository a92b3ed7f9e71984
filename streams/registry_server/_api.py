"""The Confluent Schema Registry REST calls, translated to a LocalSchemaRegistry.

Pure request -> reply: no sockets here, so every route and error code is
testable without a server. Error bodies are Confluent's::

    {"error_code": 40401, "message": "Subject 'x' not found."}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import unquote

from schemas import (
    CompatibilityLevel,
    IncompatibleSchema,
    InvalidSchema,
    LocalSchemaRegistry,
    RegisteredSchema,
    SchemaNotFound,
)

__all__ = ["ApiError", "RegistryApi", "Reply"]

SUBJECT_NOT_FOUND = 40401
VERSION_NOT_FOUND = 40402
SCHEMA_NOT_FOUND = 40403
SUBJECT_LEVEL_CONFIG_NOT_FOUND = 40408
INCOMPATIBLE = 409
INVALID_SCHEMA = 42201
INVALID_VERSION = 42202
INVALID_COMPATIBILITY_LEVEL = 42203


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP status and a JSON-serialisable body."""

    status: int
    body: Any


class ApiError(Exception):
    """A request the registry refuses; becomes a Confluent error body."""

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message

    def reply(self) -> Reply:
        return Reply(self.status, {"error_code": self.error_code, "message": self.message})


_Params = tuple[str, ...]
_Handler = Callable[[_Params, Mapping[str, str], bytes], Reply]


class RegistryApi:
    """Routes ``(method, path, query, body)`` to the registry and shapes the answer."""

    def __init__(self, registry: LocalSchemaRegistry) -> None:
        self.registry = registry
        # (method, path pattern) with "*" for one path segment.
        self._routes: dict[tuple[str, tuple[str, ...]], _Handler] = {
            ("GET", ()): lambda p, q, b: Reply(200, {}),
            ("GET", ("schemas", "types")): lambda p, q, b: Reply(200, ["AVRO"]),
            ("GET", ("schemas", "ids", "*")): self._schema_by_id,
            ("GET", ("schemas", "ids", "*", "schema")): self._raw_schema_by_id,
            ("GET", ("subjects",)): lambda p, q, b: Reply(200, self.registry.subjects()),
            ("GET", ("subjects", "*", "versions")): self._versions,
            ("GET", ("subjects", "*", "versions", "*")): self._version,
            ("GET", ("subjects", "*", "versions", "*", "schema")): self._raw_version,
            ("POST", ("subjects", "*", "versions")): self._register,
            ("POST", ("subjects", "*")): self._lookup,
            ("POST", ("compatibility", "subjects", "*", "versions", "*")): self._compatibility,
            ("POST", ("compatibility", "subjects", "*", "versions")): self._compatibility_all,
            ("GET", ("config",)): self._global_config,
            ("PUT", ("config",)): self._set_global_config,
            ("GET", ("config", "*")): self._subject_config,
            ("PUT", ("config", "*")): self._set_subject_config,
            ("DELETE", ("config", "*")): self._delete_subject_config,
            ("GET", ("mode",)): lambda p, q, b: Reply(200, {"mode": "READWRITE"}),
            # Newer clients ask which subject a topic is associated with before
            # falling back to <topic>-value; there are no associations here.
            ("GET", ("associations", "resources", "*", "*")): lambda p, q, b: Reply(200, []),
        }

    def handle(self, method: str, path: str, query: Mapping[str, str], body: bytes) -> Reply:
        segments = tuple(unquote(part) for part in path.strip("/").split("/") if part)
        allowed = False
        for (route_method, pattern), handler in self._routes.items():
            params = _match(pattern, segments)
            if params is None:
                continue
            if route_method != method:
                allowed = True
                continue
            try:
                return handler(params, query, body)
            except ApiError as exc:
                return exc.reply()
        if allowed:
            return ApiError(405, 405, "HTTP 405 Method Not Allowed").reply()
        return ApiError(404, 404, "HTTP 404 Not Found").reply()

    # -- schemas ---------------------------------------------------------------

    def _schema_text(self, raw_id: str) -> str:
        try:
            return self.registry.schema_by_id(int(raw_id))
        except (ValueError, SchemaNotFound):
            raise ApiError(404, SCHEMA_NOT_FOUND, f"Schema {raw_id} not found") from None

    def _schema_by_id(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        return Reply(200, {"schema": self._schema_text(params[0])})

    def _raw_schema_by_id(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        return Reply(200, json.loads(self._schema_text(params[0])))

    # -- subjects --------------------------------------------------------------

    def _require_subject(self, subject: str) -> None:
        if subject not in self.registry.subjects():
            raise ApiError(404, SUBJECT_NOT_FOUND, f"Subject '{subject}' not found.")

    def _versions(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        self._require_subject(params[0])
        return Reply(200, self.registry.versions(params[0]))

    def _registered(self, subject: str, raw_version: str) -> RegisteredSchema:
        version = _version(raw_version)
        self._require_subject(subject)
        try:
            return self.registry.get_version(subject, version)
        except SchemaNotFound:
            raise ApiError(404, VERSION_NOT_FOUND, f"Version {raw_version} not found.") from None

    def _version(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        return Reply(200, _describe(self._registered(params[0], params[1])))

    def _raw_version(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        return Reply(200, json.loads(self._registered(params[0], params[1]).schema))

    def _register(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        schema = _schema_of(body)
        try:
            return Reply(200, {"id": self.registry.register(params[0], schema)})
        except IncompatibleSchema as exc:
            raise ApiError(
                409,
                INCOMPATIBLE,
                f"Schema being registered is incompatible with an earlier schema: {exc}",
            ) from None
        except InvalidSchema as exc:
            raise ApiError(422, INVALID_SCHEMA, f"Invalid schema: {exc}") from None

    def _lookup(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        schema = _schema_of(body)
        self._require_subject(params[0])
        try:
            return Reply(200, _describe(self.registry.lookup(params[0], schema)))
        except InvalidSchema as exc:
            raise ApiError(422, INVALID_SCHEMA, f"Invalid schema: {exc}") from None
        except SchemaNotFound:
            raise ApiError(404, SCHEMA_NOT_FOUND, "Schema not found") from None

    # -- compatibility -----------------------------------------------------------

    def _compatibility(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        subject, raw_version = params
        schema = _schema_of(body)
        version = _version(raw_version)
        if version != "latest" or subject in self.registry.subjects():
            self._registered(subject, raw_version)
        return self._verdict(subject, schema, [version])

    def _compatibility_all(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        schema = _schema_of(body)
        subject = params[0]
        versions: list[int | Literal["latest"]] = []
        if subject in self.registry.subjects():
            versions.extend(self.registry.versions(subject))
        return self._verdict(subject, schema, versions)

    def _verdict(self, subject: str, schema: str, versions: list[int | Literal["latest"]]) -> Reply:
        messages: list[str] = []
        try:
            for version in versions:
                found = self.registry.check_compatibility(subject, schema, version)
                messages.extend(str(problem) for problem in found)
        except InvalidSchema as exc:
            raise ApiError(422, INVALID_SCHEMA, f"Invalid schema: {exc}") from None
        return Reply(200, {"is_compatible": not messages, "messages": messages})

    # -- config ----------------------------------------------------------------

    def _global_config(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        return Reply(200, {"compatibilityLevel": str(self.registry.config())})

    def _set_global_config(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        level = _level_of(body)
        self.registry.set_config(level)
        return Reply(200, {"compatibility": str(level)})

    def _subject_config(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        level = self.registry.config(params[0])
        if level is None and query.get("defaultToGlobal", "").lower() == "true":
            level = self.registry.config()
        if level is None:
            raise ApiError(
                404,
                SUBJECT_LEVEL_CONFIG_NOT_FOUND,
                f"Subject '{params[0]}' does not have subject-level compatibility configured",
            )
        return Reply(200, {"compatibilityLevel": str(level)})

    def _set_subject_config(self, params: _Params, query: Mapping[str, str], body: bytes) -> Reply:
        level = _level_of(body)
        self.registry.set_config(level, params[0])
        return Reply(200, {"compatibility": str(level)})

    def _delete_subject_config(
        self, params: _Params, query: Mapping[str, str], body: bytes
    ) -> Reply:
        removed = self.registry.delete_config(params[0])
        if removed is None:
            raise ApiError(
                404,
                SUBJECT_LEVEL_CONFIG_NOT_FOUND,
                f"Subject '{params[0]}' does not have subject-level compatibility configured",
            )
        return Reply(200, {"compatibilityLevel": str(removed)})


def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> _Params | None:
    if len(pattern) != len(segments):
        return None
    params = []
    for expected, actual in zip(pattern, segments, strict=True):
        if expected == "*":
            params.append(actual)
        elif expected != actual:
            return None
    return tuple(params)


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise ApiError(400, 400, "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, 422, "Request body must be a JSON object")
    return data


def _schema_of(body: bytes) -> str:
    data = _json_body(body)
    schema = data.get("schema")
    if not isinstance(schema, str) or not schema:
        raise ApiError(422, INVALID_SCHEMA, "Empty schema")
    if data.get("schemaType", "AVRO") != "AVRO":
        raise ApiError(422, INVALID_SCHEMA, f"Unsupported schema type {data['schemaType']!r}")
    if data.get("references"):
        raise ApiError(422, INVALID_SCHEMA, "Schema references are not supported")
    return schema


def _version(raw: str) -> int | Literal["latest"]:
    if raw in ("latest", "-1"):
        return "latest"
    try:
        version = int(raw)
    except ValueError:
        version = 0
    if version < 1:
        raise ApiError(
            422,
            INVALID_VERSION,
            f"The specified version '{raw}' is not a valid version id. "
            'Allowed values are between [1, 2^31-1] and the string "latest"',
        )
    return version


def _level_of(body: bytes) -> CompatibilityLevel:
    raw = _json_body(body).get("compatibility")
    try:
        return CompatibilityLevel(str(raw).upper())
    except ValueError:
        allowed = ", ".join(level.value for level in CompatibilityLevel)
        raise ApiError(
            422, INVALID_COMPATIBILITY_LEVEL, f"Invalid compatibility level {raw!r}; use {allowed}"
        ) from None


def _describe(registered: RegisteredSchema) -> dict[str, Any]:
    return {
        "subject": registered.subject,
        "version": registered.version,
        "id": registered.schema_id,
        "schema": registered.schema,
    }

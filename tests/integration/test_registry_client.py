"""HttpSchemaRegistry against a real registry server on loopback: ids, caching, errors, auth."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from schemas import (
    TOPIC_RECORDS,
    Codec,
    CompatibilityLevel,
    IncompatibleSchema,
    InvalidSchema,
    LocalSchemaRegistry,
    PhotoUploaded,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
    SchemaRegistry,
    TimelineItemRemoved,
    TimelineItemUpserted,
    UnknownSchemaId,
    current_schema,
)
from schemas.manifest import SCHEMA_IDS
from streams.devstack import free_port
from streams.registry_client import HttpSchemaRegistry, registry_from_settings
from streams.registry_server import (
    RegistryApi,
    RegistryServer,
    multi_record_subjects,
    preloaded_registry,
)
from streams.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

_UPLOADED = current_schema(PhotoUploaded)


class _CountingRegistry(LocalSchemaRegistry):
    """Counts the calls that reach the server's registry."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def register(self, subject: str, schema: str) -> int:
        self.calls += 1
        return super().register(subject, schema)

    def schema_by_id(self, schema_id: int) -> str:
        self.calls += 1
        return super().schema_by_id(schema_id)


@pytest.fixture
def server() -> Iterator[RegistryServer]:
    with RegistryServer(preloaded_registry()).start() as running:
        yield running


def _breaking(schema: dict[str, Any]) -> str:
    schema["fields"] = [f for f in schema["fields"] if f["name"] != "sha256"]
    return json.dumps(schema)


def test_ids_are_the_manifest_ids_and_subjects_follow_topics(server: RegistryServer) -> None:
    registry = HttpSchemaRegistry(server.url)
    assert isinstance(registry, SchemaRegistry)
    assert registry.register("photos.uploaded-value", _UPLOADED.text) == 1
    assert registry.register("photos.uploaded-value", _UPLOADED.text) == 1
    for filename, (schema_id, _) in SCHEMA_IDS.items():
        text = registry.schema_by_id(schema_id)
        assert json.loads(text)["name"] == filename.split(".")[0]
    assert set(multi_record_subjects()) == {"photos.timeline-value"}
    assert len(TOPIC_RECORDS["photos.timeline"]) == 2


def test_answers_are_cached_so_a_registry_outage_does_not_stop_known_schemas() -> None:
    counting = _CountingRegistry()
    with RegistryServer(counting).start() as running:
        registry = HttpSchemaRegistry(running.url)
        codec = Codec(registry)
        framed = codec.encode("photos.uploaded", _sample_upload())
        assert codec.decode(framed) == _sample_upload()
        calls = counting.calls
        fresh_codec = Codec(registry)
        assert fresh_codec.decode(fresh_codec.encode("photos.uploaded", _sample_upload()))
        assert counting.calls == calls
    # The server is gone; what the client already knows still works.
    assert registry.register("photos.uploaded-value", _UPLOADED.text) == 1
    assert json.loads(registry.schema_by_id(1)) == json.loads(_UPLOADED.text)


def test_unknown_id_is_schema_not_found_and_an_undecodable_frame(server: RegistryServer) -> None:
    registry = HttpSchemaRegistry(server.url)
    with pytest.raises(SchemaNotFound, match="40403"):
        registry.schema_by_id(987_654)
    with pytest.raises(UnknownSchemaId):
        Codec(registry).decode(b"\x00" + (987_654).to_bytes(4, "big") + b"\x02")


def test_refusals_map_to_the_registry_errors(server: RegistryServer) -> None:
    registry = HttpSchemaRegistry(server.url)
    with pytest.raises(IncompatibleSchema, match="sha256"):
        registry.register("photos.uploaded-value", _breaking(_UPLOADED.schema))
    with pytest.raises(InvalidSchema, match="42201"):
        registry.register("photos.uploaded-value", '{"type": "record"}')
    assert registry.compatibility_problems("photos.uploaded-value", _UPLOADED.text) == []
    problems = registry.compatibility_problems("photos.uploaded-value", _breaking(_UPLOADED.schema))
    assert any("sha256" in problem for problem in problems)


def test_timeline_subject_takes_both_record_types(server: RegistryServer) -> None:
    registry = HttpSchemaRegistry(server.url)
    upserted = registry.register("photos.timeline-value", current_schema(TimelineItemUpserted).text)
    removed = registry.register("photos.timeline-value", current_schema(TimelineItemRemoved).text)
    assert (upserted, removed) == (
        SCHEMA_IDS[current_schema(TimelineItemUpserted).filename][0],
        SCHEMA_IDS[current_schema(TimelineItemRemoved).filename][0],
    )


def test_lookup_only_mode_finds_registered_schemas_and_registers_nothing(
    server: RegistryServer,
) -> None:
    registry = HttpSchemaRegistry(server.url, auto_register=False)
    assert registry.register("photos.uploaded-value", _UPLOADED.text) == 1
    with pytest.raises(SchemaNotFound):
        registry.register("brand-new-value", _UPLOADED.text)
    assert "brand-new-value" not in _rest(server.url, "GET", "/subjects")


def test_no_server_is_unavailable_and_the_next_url_is_tried(server: RegistryServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RegistryUnavailable):
        HttpSchemaRegistry(dead, timeout_s=2, retries=0).schema_by_id(1)
    assert HttpSchemaRegistry(f"{dead},{server.url}").schema_by_id(1)


def test_server_errors_are_transient_and_retried() -> None:
    asked: list[str] = []

    class Failing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = b'{"error_code": 50002, "message": "Error while forwarding the request"}'
            self.send_response(503)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}"
        with pytest.raises(RegistryUnavailable, match="50002"):
            HttpSchemaRegistry(url, retries=2).schema_by_id(1)
        assert asked == ["/schemas/ids/1"] * 3
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_basic_auth_comes_from_the_url() -> None:
    with RegistryServer(preloaded_registry(), credentials=("ops", "s3cr:t")).start() as running:
        host = running.url.removeprefix("http://")
        assert HttpSchemaRegistry(f"http://ops:s3cr%3At@{host}").schema_by_id(1)
        with pytest.raises(RegistryError, match="401") as refused:
            HttpSchemaRegistry(running.url).schema_by_id(1)
        assert not isinstance(refused.value, RegistryUnavailable)
        with pytest.raises(RegistryError, match="401"):
            HttpSchemaRegistry(f"http://ops:wrong@{host}").schema_by_id(1)
    assert "s3cr" not in HttpSchemaRegistry(f"http://ops:s3cr%3At@{host}").url


def test_settings_pick_the_registry() -> None:
    assert isinstance(registry_from_settings(Settings()), LocalSchemaRegistry)
    settings = Settings.from_env({"PHOTOSTREAM_SCHEMA_REGISTRY_URL": "http://127.0.0.1:8081"})
    assert settings.schema_registry_url == "http://127.0.0.1:8081"
    assert Settings.from_env(settings.to_env()) == settings
    chosen = registry_from_settings(settings)
    assert isinstance(chosen, HttpSchemaRegistry)
    assert chosen.url == "http://127.0.0.1:8081"
    assert "PHOTOSTREAM_SCHEMA_REGISTRY_URL" not in Settings().to_env()


def test_subject_config_is_served_and_changes_what_registers(server: RegistryServer) -> None:
    registry = HttpSchemaRegistry(server.url)
    timeline = _rest(server.url, "GET", "/config/photos.timeline-value")
    assert timeline == {"compatibilityLevel": "NONE"}
    breaking = current_schema("io.photostream.events.PhotoDeleted").schema
    breaking["fields"] = breaking["fields"][:-1]
    with pytest.raises(IncompatibleSchema):
        registry.register("photos.deleted-value", json.dumps(breaking))
    _rest(server.url, "PUT", "/config/photos.deleted-value", {"compatibility": "NONE"})
    assert registry.register("photos.deleted-value", json.dumps(breaking)) > 0
    removed = _rest(server.url, "DELETE", "/config/photos.deleted-value")
    assert removed == {"compatibilityLevel": str(CompatibilityLevel.NONE)}
    with pytest.raises(urllib.error.HTTPError, match="404") as missing:
        _rest(server.url, "GET", "/config/photos.deleted-value")
    with missing.value:
        assert json.loads(missing.value.read())["error_code"] == 40408


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error_code"),
    [
        ("GET", "/nowhere", b"", 404, 404),
        ("DELETE", "/subjects", b"", 405, 405),
        ("GET", "/subjects/photos.uploaded-value/versions/0", b"", 422, 42202),
        ("GET", "/subjects/photos.uploaded-value/versions/two", b"", 422, 42202),
        ("POST", "/subjects/s-value/versions", b"{not json", 400, 400),
        ("POST", "/subjects/s-value/versions", b'{"schema": ""}', 422, 42201),
        (
            "POST",
            "/subjects/s-value/versions",
            b'{"schema": "\\"string\\"", "schemaType": "PROTOBUF"}',
            422,
            42201,
        ),
        ("PUT", "/config", b'{"compatibility": "FULL_TRANSITIVE"}', 422, 42203),
        ("GET", "/schemas/ids/abc", b"", 404, 40403),
    ],
)
def test_rest_errors_carry_confluent_codes(
    method: str, path: str, body: bytes, status: int, error_code: int
) -> None:
    reply = RegistryApi(preloaded_registry()).handle(method, path, {}, body)
    assert (reply.status, reply.body["error_code"]) == (status, error_code)
    assert reply.body["message"]


def test_rest_answers_match_confluent_shapes() -> None:
    api = RegistryApi(preloaded_registry())
    latest = api.handle("GET", "/subjects/photos.uploaded-value/versions/latest", {}, b"")
    assert latest.status == 200
    assert set(latest.body) == {"subject", "version", "id", "schema"}
    assert latest.body["id"] == 1 and latest.body["version"] == 1
    raw = api.handle("GET", "/schemas/ids/1/schema", {}, b"")
    assert raw.body == _UPLOADED.schema
    assert api.handle("GET", "/subjects/photos.uploaded-value/versions/-1", {}, b"").body == (
        latest.body
    )
    # Subjects are path segments: an encoded slash stays inside the name.
    body = json.dumps({"schema": _UPLOADED.text}).encode()
    assert api.handle("POST", "/subjects/team%2Fphotos-value/versions", {}, body).body == {"id": 1}
    assert "team/photos-value" in api.handle("GET", "/subjects", {}, b"").body
    assert api.handle("GET", "/config/x-value", {"defaultToGlobal": "true"}, b"").body == {
        "compatibilityLevel": "FULL"
    }


def _rest(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def _sample_upload() -> PhotoUploaded:
    return PhotoUploaded(
        event_id="6cef382c-d691-5aa0-b922-c0ddebc906b6",
        user_id="user-1",
        photo_id="photo-1",
        bucket="photos",
        key="users/user-1/photo-1.jpg",
        size=1024,
        content_type="image/jpeg",
        sha256="0" * 64,
        filename="photo.jpg",
        uploaded_at=datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
    )

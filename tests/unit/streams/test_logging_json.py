"""PHOTOSTREAM_LOG_FORMAT=json: one parseable object per line, identifiers only."""

from __future__ import annotations

import io
import logging
import logging.config
from collections.abc import Iterator
from datetime import datetime

import orjson
import pytest

from streams.observability.logging_json import (
    JsonFormatter,
    configure_logging,
    logging_config,
)
from streams.settings import Settings, SettingsError


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as it was: the tests reconfigure it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.captureWarnings(False)


def _line(
    record_extra: dict[str, object] | None = None, *, exc_info: bool = False
) -> dict[str, object]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("photostream.test.json")
    logger.propagate = False
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.warning(
        "dead-lettering %s in %s", "t[1]@7", "ingest", extra=record_extra, exc_info=exc_info
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    parsed: dict[str, object] = orjson.loads(lines[0])
    return parsed


def test_a_line_has_time_level_logger_message_and_the_ids_given() -> None:
    line = _line(
        {
            "event_id": "e-1",
            "user_id": "alice",
            "photo_id": "p-1",
            "topic": "photos.uploaded",
            "partition": 1,
            "offset": 7,
        }
    )
    assert line["level"] == "WARNING"
    assert line["logger"] == "photostream.test.json"
    assert line["message"] == "dead-lettering t[1]@7 in ingest"
    assert datetime.fromisoformat(str(line["time"])).utcoffset() is not None
    assert line["event_id"] == "e-1" and line["user_id"] == "alice" and line["photo_id"] == "p-1"
    assert (line["topic"], line["partition"], line["offset"]) == ("photos.uploaded", 1, 7)


def test_fields_outside_the_identifiers_never_reach_the_line() -> None:
    line = _line({"gps_latitude": 51.50135, "image": b"\xff\xd8\xff" * 1000, "user_id": "bob"})
    assert line["user_id"] == "bob"
    assert "gps_latitude" not in line and "image" not in line
    assert "51.50135" not in orjson.dumps(line).decode()


def test_a_large_binary_identifier_is_summarised_not_dumped() -> None:
    line = _line({"event_id": b"x" * 1000})
    assert line["event_id"] == "<1000 bytes>"


def test_an_exception_stays_inside_the_one_line() -> None:
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        line = _line(exc_info=True)
    assert "ValueError: broken" in str(line["exception"])


def test_configure_logging_json_writes_json_to_stderr(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "info")
    logging.getLogger("streams.example").info("hello %d", 3, extra={"photo_id": "p"})
    logging.getLogger("streams.example").debug("not at info")
    lines = capsys.readouterr().err.splitlines()
    assert [orjson.loads(line)["message"] for line in lines] == ["hello 3"]
    assert orjson.loads(lines[0])["photo_id"] == "p"


def test_configure_logging_text_keeps_the_classic_format(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("text", "INFO")
    logging.getLogger("streams.example").info("hello")
    assert capsys.readouterr().err.rstrip().endswith("INFO streams.example: hello")


def test_configure_logging_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="xml"):
        configure_logging("xml", "INFO")


def test_the_worker_logging_config_is_json_only_when_asked(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert logging_config("text", "INFO") is None
    config = logging_config("json", "info")
    assert config is not None
    logging.config.dictConfig(config)
    logging.getLogger("faust.worker").info("Ready")
    assert orjson.loads(capsys.readouterr().out)["logger"] == "faust.worker"


def test_settings_read_the_log_format_and_http_port() -> None:
    settings = Settings.from_env({"PHOTOSTREAM_LOG_FORMAT": "JSON", "PHOTOSTREAM_HTTP_PORT": "0"})
    assert (settings.log_format, settings.http_port) == ("json", 0)
    assert Settings().http_port == 9400 and Settings().log_format == "text"
    assert Settings.from_env(settings.to_env()) == settings
    with pytest.raises(SettingsError, match="log_format"):
        Settings.from_env({"PHOTOSTREAM_LOG_FORMAT": "yaml"})
    with pytest.raises(SettingsError, match="http_port"):
        Settings.from_env({"PHOTOSTREAM_HTTP_PORT": "70000"})

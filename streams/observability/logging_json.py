"""One JSON object per log line, for log pipelines that index fields.

Only the record's own message and a fixed set of identifiers pass through:
``extra=`` may carry anything, but image bytes or a user's coordinates never
reach a log line through a field.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = ["ID_FIELDS", "LOG_FORMATS", "JsonFormatter", "configure_logging", "logging_config"]

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Attributes a log call may pass with ``extra=`` that appear in the JSON line.
ID_FIELDS = (
    "event_id",
    "user_id",
    "photo_id",
    "topic",
    "partition",
    "offset",
    "stage",
    "reason",
    "port",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in ID_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                line[field] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=_scalar).decode()


def _scalar(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        # Identifiers arrive as keys sometimes; payloads never belong in a log.
        data = bytes(value)
        return data.decode("utf-8", "replace") if len(data) <= 256 else f"<{len(data)} bytes>"
    return str(value)


def logging_config(log_format: str, level: str | int) -> dict[str, Any] | None:
    """A ``dictConfig`` for Faust's worker to use, or None to keep its own (text) setup."""
    if log_format != "json":
        return None
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"level": _level_name(level), "handlers": ["default"]},
    }


def configure_logging(log_format: str, level: str | int) -> None:
    """Send the root logger's lines to stderr in ``log_format``."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r}: use one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(sys.stderr)
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    handler.setFormatter(formatter)
    logging.basicConfig(level=_level_name(level), handlers=[handler], force=True)
    # Python warnings would otherwise print multi-line text around the JSON.
    logging.captureWarnings(log_format == "json")


def _level_name(level: str | int) -> str | int:
    return level.upper() if isinstance(level, str) else level

"""Errors raised by the dev stack.

DevStackError                 root: anything the dev stack could not do
├── ServiceStartError         a server exited or never answered (names its log file)
└── TopicLayoutError          a topic exists with a partition count other than the one asked for
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["DevStackError", "ServiceStartError", "TopicLayoutError"]


class DevStackError(RuntimeError):
    """The dev stack could not do what it was asked."""


class ServiceStartError(DevStackError):
    """A server of the stack exited early or did not answer in time."""

    def __init__(self, message: str, *, log_path: Path) -> None:
        super().__init__(f"{message} (log: {log_path})")
        self.log_path = log_path


class TopicLayoutError(DevStackError):
    """A topic exists with a partition count other than the one requested."""

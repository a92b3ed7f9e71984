"""Command-line arguments of the ops tools, kept apart so ``photostream --help`` stays fast."""

from __future__ import annotations

import argparse

__all__ = ["add_deadletter_arguments", "add_lag_arguments"]


def add_deadletter_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="one line per dead letter")
    _add_filters(listing)
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    show = actions.add_parser("show", help="the whole envelope and the original event")
    show.add_argument("position", help="PARTITION:OFFSET in the dead-letter topic")
    show.add_argument("--json", action="store_true", help="one JSON object")
    _add_timeout(show)
    again = actions.add_parser("redrive", help="send the selected records back to their source")
    _add_filters(again)
    again.add_argument("--dry-run", action="store_true", help="print what would be sent")
    again.add_argument(
        "--all", action="store_true", help="select every dead letter (no filter given)"
    )
    again.add_argument(
        "--max-attempts",
        type=int,
        default=5,
        help="leave records that already failed this many times (default 5)",
    )


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the broker (default 10)"
    )


def _add_filters(parser: argparse.ArgumentParser) -> None:
    _add_timeout(parser)
    parser.add_argument("--reason", action="append", default=[], help="reason or error class")
    parser.add_argument("--stage", action="append", default=[], help="ingest, curate, vision...")
    parser.add_argument("--user", action="append", default=[], help="user id (the record key)")
    parser.add_argument("--source-topic", action="append", default=[], help="original topic")
    parser.add_argument("--since", help="ISO-8601 time or an age like 2h, 30m, 7d")
    parser.add_argument("--until", help="ISO-8601 time or an age like 2h, 30m, 7d")
    parser.add_argument(
        "--at", action="append", default=[], help="PARTITION:OFFSET of one dead letter"
    )


def add_lag_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        help="consumer group (repeatable); default: every worker group of the app",
    )
    parser.add_argument("--json", action="store_true", help="one JSON document")
    _add_timeout(parser)

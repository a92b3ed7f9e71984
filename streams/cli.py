"""The ``photostream`` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from .observability.logging_json import configure_logging
from .settings import Settings, SettingsError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photostream", description=__doc__)
    parser.add_argument("--log-level", default=os.environ.get("PHOTOSTREAM_LOG_LEVEL", "WARNING"))
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run", help="run the pipeline on the embedded stack with sample photos"
    )
    run.add_argument("--once", action="store_true", help="exit 0 once every sample is processed")
    run.add_argument("--timeout", type=float, default=60.0, help="seconds --once waits at most")

    topics = commands.add_parser(
        "topics",
        help="verify every topic (partitions, replication, configs); --create adds missing",
    )
    topics.add_argument("--create", action="store_true", help="create the missing topics first")
    worker = commands.add_parser("worker", help="run a worker (settings from PHOTOSTREAM_*)")
    worker.add_argument(
        "--role", action="append", dest="roles", help="role(s) to run; default: all"
    )
    worker.add_argument("--name", default=os.environ.get("HOSTNAME", "worker"))

    from .metadata_cli import add_arguments

    add_arguments(
        commands.add_parser("metadata", help="print what photos and videos hold, as JSON")
    )
    from .ops.arguments import add_deadletter_arguments, add_lag_arguments

    add_deadletter_arguments(
        commands.add_parser("deadletter", help="list, show and redrive dead letters")
    )
    add_lag_arguments(
        commands.add_parser("lag", help="consumer lag per group, topic and partition")
    )
    from .ops.replay_cli import add_arguments as add_replay_arguments

    add_replay_arguments(
        commands.add_parser(
            "replay", help="re-publish upload events to the backfill lane, or rewind a group"
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command == "metadata":
        from .metadata_cli import main as metadata_main

        return metadata_main(args, sys.stdin, sys.stdout.buffer)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"photostream: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, args.log_level)
    if args.command == "topics":
        from .topics_cli import run_topics

        return run_topics(settings, create=args.create)
    if args.command == "deadletter":
        from .ops.deadletter_cli import run_deadletter

        return run_deadletter(settings, args)
    if args.command == "lag":
        from .ops.lag import run_lag

        return run_lag(settings, args)
    if args.command == "replay":
        from .ops.replay_cli import main as replay_main

        return replay_main(args, settings, sys.stdout, sys.stderr)
    if args.command == "run":
        from .local_run import run_local

        return run_local(settings, once=args.once, timeout_s=args.timeout)
    if args.command == "worker":
        from .transactions import TransactionsUnsupported
        from .worker import ROLES, run_worker

        try:
            run_worker(
                settings,
                args.roles or list(ROLES),
                worker_name=args.name,
                loglevel=args.log_level if args.log_level.upper() != "WARNING" else "INFO",
            )
        except TransactionsUnsupported as exc:
            print(f"photostream: {exc}", file=sys.stderr)
            return 2
        return 0
    raise AssertionError(args.command)  # pragma: no cover


if __name__ == "__main__":
    sys.exit(main())

"""Command line: start a stack, print its endpoints, serve until a signal or parent death.

Prints ``KEY=VALUE`` lines (``PHOTOSTREAM_BOOTSTRAP_SERVERS``,
``PHOTOSTREAM_S3_ENDPOINT_URL``, ``PHOTOSTREAM_SCHEMA_REGISTRY_URL``, the S3
credentials, the run dir) and a
final ``PHOTOSTREAM_DEVSTACK_READY=1``; exits 0 after SIGINT/SIGTERM/SIGHUP
or its parent's death, 1 when a server dies under it, 2 on a failed start.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ._errors import DevStackError
from ._parent import die_with_parent
from ._signals import ShutdownRequested, ignore_shutdown_signals, raise_on_shutdown
from ._stack import DevStack

__all__ = ["main", "parse_topic"]

logger = logging.getLogger(__name__)

_HEALTH_INTERVAL_S = 1.0


def parse_topic(spec: str) -> tuple[str, int]:
    name, sep, count = spec.rpartition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{spec!r}: expected TOPIC=PARTITIONS")
    try:
        partitions = int(count)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{spec!r}: partitions must be an integer") from None
    if partitions < 1:
        raise argparse.ArgumentTypeError(f"{spec!r}: partitions must be at least 1")
    return name, partitions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m streams.devstack", description=__doc__)
    parser.add_argument("topics", nargs="*", type=parse_topic, metavar="TOPIC=PARTITIONS")
    parser.add_argument("--bucket", action="append", default=[], help="S3 bucket to create")
    parser.add_argument("--run-dir", type=Path, help="logs and pid files (default: a temp dir)")
    parser.add_argument("--start-timeout", type=float, default=30.0, metavar="SECONDS")
    parser.add_argument("--log-level", default="INFO")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # The level applies to photostream's loggers; boto's DEBUG output drowns everything.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("streams").setLevel(args.log_level.upper())
    die_with_parent()
    raise_on_shutdown()
    stack = DevStack(
        topics=dict(args.topics),
        buckets=args.bucket,
        run_dir=args.run_dir,
        start_timeout=args.start_timeout,
    )
    try:
        endpoints = stack.start()
        lines = {**endpoints.env(), "PHOTOSTREAM_DEVSTACK_RUN_DIR": str(endpoints.run_dir)}
        for key, value in lines.items():
            print(f"{key}={value}")
        print("PHOTOSTREAM_DEVSTACK_READY=1", flush=True)
        return _serve(stack)
    except ShutdownRequested as exc:
        logger.info("%s; stopping", exc)
        return 0
    except DevStackError as exc:
        logger.error("%s", exc)
        return 2
    finally:
        ignore_shutdown_signals()
        stack.stop()


def _serve(stack: DevStack) -> int:
    while True:
        time.sleep(_HEALTH_INTERVAL_S)
        exited = stack.exited_children()
        if exited:
            logger.error("stack child exited: %s", exited)
            return 1

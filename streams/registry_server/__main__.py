"""``python -m streams.registry_server --port N``: serve the shipped schemas until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from ._http import RegistryServer
from ._preload import preloaded_registry

logger = logging.getLogger("streams.registry_server")


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m streams.registry_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--topic-prefix", default="", help="prefix of the pre-registered topics")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _stop)
    server = RegistryServer(preloaded_registry(args.topic_prefix), host=args.host, port=args.port)
    logger.info("schema registry serving on %s", server.url)
    try:
        server.serve_forever()
    finally:
        server.close()
        logger.info("schema registry stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

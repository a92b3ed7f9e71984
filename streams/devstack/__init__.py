"""The dev stack: the embedded Kafka broker, an S3 server and a schema registry on loopback.

``DevStack`` starts all three on free 127.0.0.1 ports, creates the topics and
buckets it is given, and stops everything on exit, on SIGINT/SIGTERM (with
:func:`raise_on_shutdown`) and when its parent dies (children always; the
launcher itself with :func:`die_with_parent`). ``python -m streams.devstack``
runs one from the command line.
"""

from __future__ import annotations

from ._endpoints import StackEndpoints
from ._errors import DevStackError, ServiceStartError, TopicLayoutError
from ._parent import die_with_parent, start_tied
from ._ports import free_port
from ._s3 import S3_ENV
from ._signals import ShutdownRequested, ignore_shutdown_signals, raise_on_shutdown
from ._stack import DevStack

__all__ = [
    "S3_ENV",
    "DevStack",
    "DevStackError",
    "ServiceStartError",
    "ShutdownRequested",
    "StackEndpoints",
    "TopicLayoutError",
    "die_with_parent",
    "free_port",
    "ignore_shutdown_signals",
    "raise_on_shutdown",
    "start_tied",
]

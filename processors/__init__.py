"""Pure domain logic of photostream: bytes and records in, records out.

Nothing here imports a Kafka client, an S3 client, Faust or ``streams``; the
same functions serve the live path, replays and benchmarks.
"""

__all__: list[str] = []

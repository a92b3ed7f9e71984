"""Operator tools that run beside the workers: replay, dead-letter redrive, consumer lag.

They talk to the cluster with confluent-kafka and never join a worker's
consumer group.
"""

__all__: list[str] = []

"""The Kafka/S3 shell around processors/: Faust app, agents, SDKs, CLI, dev stack."""

__all__: list[str] = []

"""The chaos suite runs on the integration suite's stack and pipeline fixtures."""

from __future__ import annotations

from tests.integration.conftest import Pipeline, pipeline_factory, stack

__all__ = ["Pipeline", "pipeline_factory", "stack"]

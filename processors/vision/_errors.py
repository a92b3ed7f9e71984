"""Errors of the vision package.

::

    PhotostreamError            (processors.errors)
    └── ModelLoadError          a model file is missing, corrupt or cannot start

An undecodable photo raises :class:`processors.errors.UnreadablePhoto` (bad
input, dead-letter); a model failing on one photo is not an exception at all,
it becomes that model's ``error`` in the score record.
"""

from __future__ import annotations

from processors.errors import PhotostreamError

__all__ = ["ModelLoadError"]


class ModelLoadError(PhotostreamError):
    """A model could not be loaded: a deployment fault, not a property of any photo."""

    reason = "model_load"

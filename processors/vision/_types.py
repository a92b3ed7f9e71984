"""The seams of the vision package: the working image and the model Protocols."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray

__all__ = ["InputT", "ModelOutput", "ModelSession", "WorkingImage"]


@dataclass(frozen=True, slots=True, eq=False)
class WorkingImage:
    """A photo decoded once, upright, at the reduced size every model starts from.

    ``rgb`` and ``gray`` are C-contiguous uint8 arrays (H x W x 3 and H x W);
    ``original_width``/``original_height`` are the full image's size after the
    EXIF orientation was applied.
    """

    rgb: NDArray[np.uint8]
    gray: NDArray[np.uint8]
    original_width: int
    original_height: int

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


class ModelOutput(Protocol):
    """What every model's typed output can say in a ``ModelScore``."""

    def to_values(self) -> dict[str, float]:
        """Named numeric outputs, in a stable order."""
        ...

    def to_labels(self) -> tuple[str, ...]:
        """Labels the model assigned, best first (empty for most models)."""
        ...


InputT = TypeVar("InputT")


class ModelSession(Protocol[InputT]):
    """One model behind a small, uniform interface.

    ``load`` is called once per process before anything else and must be
    idempotent; ``preprocess`` turns one working image into the model's input;
    ``run_batch`` returns one output per input, in order. A session is not
    required to be thread-safe: the scorer serialises calls into each one.
    """

    @property
    def name(self) -> str:
        """Task name, e.g. ``faces``; the ``model`` of its ``ModelScore``."""
        ...

    @property
    def version(self) -> str:
        """Changes whenever the same photo could get a different output."""
        ...

    def load(self) -> None: ...

    def preprocess(self, image: WorkingImage) -> InputT: ...

    def run_batch(self, inputs: Sequence[InputT]) -> Sequence[ModelOutput]: ...

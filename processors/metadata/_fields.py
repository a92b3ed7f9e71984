"""Camera, exposure and GPS fields: EXIF first, then XMP, then a video's own atoms."""

from __future__ import annotations

from dataclasses import dataclass

from ._container import VideoInfo
from ._exif import ExifFields
from ._gps import GpsPosition
from ._values import text
from ._xmp import XmpFields

__all__ = ["CameraFields", "merge_fields"]


@dataclass(frozen=True, slots=True)
class CameraFields:
    make: str | None
    model: str | None
    lens_model: str | None
    iso: int | None
    exposure_time_s: float | None
    f_number: float | None
    focal_length_mm: float | None
    focal_length_35mm: int | None
    gps: GpsPosition


def _gps(exif: ExifFields, xmp: XmpFields, video: VideoInfo | None) -> GpsPosition:
    if exif.gps.latitude is not None:
        return exif.gps
    if xmp.gps.latitude is not None:
        return xmp.gps
    if video is not None and video.latitude is not None:
        return GpsPosition(video.latitude, video.longitude, video.altitude)
    return GpsPosition()


def merge_fields(exif: ExifFields, xmp: XmpFields, video: VideoInfo | None) -> CameraFields:
    """Each field from the first source that has a valid value."""
    return CameraFields(
        make=exif.make or xmp.make or (text(video.make) if video else None),
        model=exif.model or xmp.model or (text(video.model) if video else None),
        lens_model=exif.lens_model or xmp.lens_model or exif.maker_lens_model,
        iso=exif.iso or xmp.iso,
        exposure_time_s=exif.exposure_time_s or xmp.exposure_time_s,
        f_number=exif.f_number or xmp.f_number,
        focal_length_mm=exif.focal_length_mm or xmp.focal_length_mm,
        focal_length_35mm=exif.focal_length_35mm or xmp.focal_length_35mm,
        gps=_gps(exif, xmp, video),
    )

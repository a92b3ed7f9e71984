"""35 mm equivalent focal length from the sensor size when the camera recorded none."""

from __future__ import annotations

from typing import Any

import pytest
from PIL.TiffImagePlugin import IFDRational

_X_RES, _Y_RES, _UNIT, _EXIF_WIDTH, _EXIF_HEIGHT = 0xA20E, 0xA20F, 0xA210, 0xA002, 0xA003


def _aps_c(unit: int = 2, per: float = 25.4) -> dict[int, Any]:
    """A 23.6 x 15.7 mm sensor of 6000 x 4000 pixels, resolution per ``unit``."""
    return {
        _X_RES: IFDRational(round(6000 / (23.6 / per) * 1000), 1000),
        _Y_RES: IFDRational(round(4000 / (15.7 / per) * 1000), 1000),
        _UNIT: unit,
        _EXIF_WIDTH: 6000,
        _EXIF_HEIGHT: 4000,
    }


@pytest.mark.parametrize(("unit", "per"), [(2, 25.4), (3, 10.0), (4, 1.0)])
def test_from_the_focal_plane_resolution(jpeg: Any, extract: Any, unit: int, per: float) -> None:
    meta = extract(jpeg(make="NIKON CORPORATION", focal_length_mm=18, exif_raw=_aps_c(unit, per)))
    # 18 mm on a 28.3 mm diagonal: 18 * 43.27 / 28.35 = 27.5
    assert meta.focal_length_35mm == 27


def test_the_recorded_equivalent_wins(jpeg: Any, extract: Any) -> None:
    photo = jpeg(make="NIKON", focal_length_mm=18, focal_length_35mm=28, exif_raw=_aps_c())
    assert extract(photo).focal_length_35mm == 28


def test_without_exif_image_size_the_stored_size_counts(jpeg: Any, extract: Any) -> None:
    raw = _aps_c()
    del raw[_EXIF_WIDTH], raw[_EXIF_HEIGHT]
    # The JPEG itself is 96 x 64: a sensor of 0.38 mm, which no camera has.
    assert extract(jpeg(make="NIKON", focal_length_mm=18, exif_raw=raw)).focal_length_35mm is None
    meta = extract(jpeg(make="NIKON", focal_length_mm=18, exif_raw=raw, size=(6000, 4000)))
    assert meta.focal_length_35mm == 27


def test_canon_sensor_size_from_the_resolution_denominators(jpeg: Any, extract: Any) -> None:
    # Numerators are pixels * 1000, denominators the sensor in 1/1000 inch (22.28 x 14.91 mm).
    raw = {_X_RES: IFDRational(5184000, 877), _Y_RES: IFDRational(3456000, 587), _UNIT: 2}
    meta = extract(jpeg(make="Canon", focal_length_mm=50, exif_raw=raw))
    assert meta.focal_length_35mm == 81


def test_no_focal_length_no_equivalent(jpeg: Any, extract: Any) -> None:
    assert extract(jpeg(make="NIKON", exif_raw=_aps_c())).focal_length_35mm is None

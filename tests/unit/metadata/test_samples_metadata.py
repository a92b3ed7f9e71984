"""Every generated sample photo reads back as what its story says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from processors.errors import NeedMoreBytes, UnreadablePhoto
from processors.metadata import extract_metadata, resolve_capture_time
from processors.provenance import TimeSource, TzSource
from streams.samples import BROKEN_REASONS, Sample, generate_samples

_SAMPLES = {sample.filename: sample for sample in generate_samples()}
_UPLOADED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

ORIG, DIGI, XMP, NAME = (
    TimeSource.EXIF_ORIGINAL,
    TimeSource.EXIF_DIGITIZED,
    TimeSource.XMP,
    TimeSource.FILENAME,
)
EXIF_TZ, STRING_TZ, HINT, NO_TZ = (
    TzSource.EXIF_OFFSET,
    TzSource.DATE_STRING,
    TzSource.CLIENT_HINT,
    TzSource.UNKNOWN,
)


@dataclass(frozen=True)
class Expected:
    local: datetime | None
    offset: int | None  # from the file itself
    time_source: TimeSource
    tz_source: TzSource
    make: str | None
    model: str | None
    orientation: int
    stored: tuple[int, int]
    gps: tuple[float, float, float | None] | None
    resolved_offset: int | None  # after the client's timezone hint
    resolved_tz: TzSource


def _at(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[arg-type]


CANON, APPLE, FUJI = ("Canon", "Canon EOS R5"), ("Apple", "iPhone 15 Pro"), ("FUJIFILM", "X-T5")

# fmt: off
EXPECTED: dict[str, Expected] = {
    "IMG_0412.JPG": Expected(_at(2023, 12, 24, 18, 30, 5), 0, ORIG, EXIF_TZ, *CANON, 1, (960, 640),
                             (38.7075, -9.1364, 12.0), 0, EXIF_TZ),
    "IMG_4821.JPG": Expected(_at(2024, 6, 13, 21, 47, 12, 347000), 60, ORIG, EXIF_TZ, *APPLE, 6,
                             (800, 600), (38.7114, -9.13, 45.0), 60, EXIF_TZ),
    "DSCF0101.JPG": Expected(_at(2024, 1, 14, 11, 5, 42), None, ORIG, NO_TZ, *FUJI, 8, (720, 480),
                             (38.7876, -9.3906, 410.0), 0, HINT),
    "DSCF0388.JPG": Expected(_at(2024, 7, 20, 19, 12, 3), None, ORIG, NO_TZ, *FUJI, 3, (720, 480),
                             (38.6979, -9.4215, 5.0), 60, HINT),
    "P1000123.JPG": Expected(_at(2024, 2, 10, 15, 20), 0, ORIG, EXIF_TZ, "Panasonic", "DMC-GX85", 2,
                             (640, 480), (41.1406, -8.611, 80.0), 0, EXIF_TZ),
    "IMG_20240131_235959.jpg": Expected(_at(2024, 1, 31, 23, 59, 59), None, NAME, NO_TZ, "samsung",
                                        "SM-S918B", 4, (640, 480), None, 0, HINT),
    "IMG_5002.JPG": Expected(_at(2024, 3, 2, 9, 15, 30), 0, DIGI, EXIF_TZ, *APPLE, 1, (640, 480),
                             (38.7223, -9.1393, None), 0, EXIF_TZ),
    "lisbon-tram-edit.jpg": Expected(_at(2024, 5, 1, 10, 20, 30, 450000), 60, XMP, STRING_TZ,
                                     *CANON, 1, (768, 512), None, 60, STRING_TZ),
    "IMG_4902.JPG": Expected(_at(2024, 4, 3, 8, 12, 44), 540, ORIG, EXIF_TZ, *APPLE, 5, (800, 600),
                             (35.7148, 139.7967, 8.0), 540, EXIF_TZ),
    "IMG_4937.JPG": Expected(_at(2024, 4, 4, 13, 30), 540, ORIG, EXIF_TZ, *APPLE, 7, (800, 600),
                             (34.9671, 135.7727, 60.0), 540, EXIF_TZ),
    **{
        f"IMG_098{n + 1}.JPG": Expected(_at(2024, 4, 5, 19, 2, 11, us), 540, ORIG, EXIF_TZ, *CANON,
                                        1, (960, 640), (35.6595, 139.7005, 38.0), 540, EXIF_TZ)
        for n, us in enumerate((100000, 350000, 600000, 850000))
    },
    "IMG_4951.JPG": Expected(_at(2024, 4, 6, 22, 5, 10), 540, ORIG, EXIF_TZ, *APPLE, 6, (800, 600),
                             (34.6687, 135.5013, 3.0), 540, EXIF_TZ),
    # The camera recorded no offset and the phone still says Lisbon: the hint is
    # all there is for now, even though the GPS says Japan.
    "DSCF0777.JPG": Expected(_at(2024, 4, 7, 16, 40), None, ORIG, NO_TZ, *FUJI, 1, (720, 480),
                             (35.3606, 138.7274, 3776.0), 60, HINT),
    "IMG_7730.JPG": Expected(_at(2024, 7, 4, 21, 15), None, ORIG, NO_TZ, *APPLE, 6, (800, 600),
                             (40.758, -73.9855, 10.0), -240, HINT),
    "DSCF2040.JPG": Expected(_at(2024, 2, 12, 17, 45), -180, ORIG, EXIF_TZ, *FUJI, 1, (720, 480),
                             (-22.9519, -43.2105, 700.0), -180, EXIF_TZ),
    "IMG_7801.JPG": Expected(_at(2024, 11, 20, 20, 10), 660, ORIG, EXIF_TZ, *APPLE, 1, (800, 600),
                             (-33.8568, 151.2153, 4.0), 660, EXIF_TZ),
    "scan-grandma.jpg": Expected(None, None, TimeSource.UNKNOWN, NO_TZ, None, None, 1, (640, 480),
                                 None, None, NO_TZ),
}
# fmt: on


def test_every_good_sample_has_an_expectation() -> None:
    good = {name for name, sample in _SAMPLES.items() if sample.expect_ok}
    assert good == set(EXPECTED)
    assert {name for name, s in _SAMPLES.items() if not s.expect_ok} == set(BROKEN_REASONS)


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_sample_metadata(filename: str) -> None:
    sample, want = _SAMPLES[filename], EXPECTED[filename]
    meta = extract_metadata(sample.data, object_size=len(sample.data), filename=filename)

    assert meta.media_type == "photo"
    assert meta.mime_type == "image/jpeg"
    assert meta.capture_local == want.local
    assert meta.utc_offset_minutes == want.offset
    assert meta.time_source is want.time_source
    assert meta.tz_source is want.tz_source
    if want.local is not None and want.offset is not None:
        assert meta.capture_time_utc == (want.local - timedelta(minutes=want.offset)).replace(
            tzinfo=UTC
        )
    else:
        assert meta.capture_time_utc is None
    assert (meta.make, meta.model) == (want.make, want.model)
    assert meta.orientation == want.orientation
    assert (meta.width, meta.height) == want.stored
    turned = want.orientation >= 5
    assert (meta.oriented_width, meta.oriented_height) == (
        want.stored[::-1] if turned else want.stored
    )
    if want.gps is None:
        assert (meta.gps_latitude, meta.gps_longitude, meta.gps_altitude) == (None, None, None)
    else:
        lat, lon, alt = want.gps
        assert meta.gps_latitude == pytest.approx(lat, abs=1e-6)
        assert meta.gps_longitude == pytest.approx(lon, abs=1e-6)
        assert meta.gps_altitude == (None if alt is None else pytest.approx(alt))
    assert 0 < meta.bytes_needed < len(sample.data)


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_sample_resolved_time(filename: str) -> None:
    sample, want = _SAMPLES[filename], EXPECTED[filename]
    meta = extract_metadata(sample.data, object_size=len(sample.data), filename=filename)
    resolved = resolve_capture_time(
        meta, uploaded_at=_UPLOADED, client_timezone=sample.client_timezone
    )
    assert resolved.offset_minutes == want.resolved_offset
    assert resolved.tz_source is want.resolved_tz
    if want.local is None:
        assert resolved.time_source is TimeSource.UPLOAD_TIME
        assert resolved.utc == _UPLOADED
    else:
        assert resolved.time_source is want.time_source
        assert resolved.local == want.local
        shift = timedelta(minutes=want.resolved_offset or 0)
        assert resolved.utc == (want.local - shift).replace(tzinfo=UTC)


def test_exposure_fields_of_a_camera_sample() -> None:
    sample = _SAMPLES["IMG_0412.JPG"]
    meta = extract_metadata(sample.data, object_size=len(sample.data), filename=sample.filename)
    assert meta.lens_model == "RF24-105mm F4 L IS USM"
    assert meta.iso == 800
    assert meta.exposure_time_s == pytest.approx(1 / 60)
    assert meta.f_number == pytest.approx(4.0)
    assert meta.focal_length_mm == pytest.approx(50.0)
    assert meta.focal_length_35mm is None


def test_exposure_fields_of_a_phone_sample() -> None:
    sample = _SAMPLES["IMG_7730.JPG"]
    meta = extract_metadata(sample.data, object_size=len(sample.data), filename=sample.filename)
    assert meta.lens_model == "iPhone 15 Pro back triple camera 6.765mm f/1.78"
    assert meta.iso == 125
    assert meta.exposure_time_s == pytest.approx(1 / 120)
    assert meta.f_number == pytest.approx(1.78)
    assert meta.focal_length_mm == pytest.approx(6.765)
    assert meta.focal_length_35mm == 24


@pytest.mark.parametrize("filename", sorted(BROKEN_REASONS))
def test_broken_sample_is_unreadable_with_its_reason(filename: str) -> None:
    sample = _SAMPLES[filename]
    with pytest.raises(UnreadablePhoto) as caught:
        extract_metadata(sample.data, object_size=len(sample.data), filename=filename)
    assert caught.value.reason == BROKEN_REASONS[filename]


def _read_growing(sample: Sample, first: int) -> tuple[object, list[int]]:
    """Extract the way the ingest agent does: start with ``first`` bytes, grow on demand."""
    head, asked = sample.data[:first], list[int]()
    for _ in range(8):
        try:
            return extract_metadata(
                head, object_size=len(sample.data), filename=sample.filename
            ), asked
        except NeedMoreBytes as more:
            assert len(head) < more.needed_bytes <= len(sample.data)
            asked.append(more.needed_bytes)
            head = sample.data[: more.needed_bytes]
    raise AssertionError(f"still asking for more after {asked}")


def test_sample_with_a_long_header_asks_for_more_than_64_kib() -> None:
    sample = _SAMPLES["IMG_4821.JPG"]
    meta, asked = _read_growing(sample, 64 * 1024)
    assert len(asked) == 1 and asked[0] > 64 * 1024
    assert meta == extract_metadata(
        sample.data, object_size=len(sample.data), filename=sample.filename
    )


@pytest.mark.parametrize("filename", sorted(EXPECTED))
def test_any_head_length_converges_to_the_full_result(filename: str) -> None:
    sample = _SAMPLES[filename]
    full = extract_metadata(sample.data, object_size=len(sample.data), filename=filename)
    assert isinstance(full.bytes_needed, int)
    cuts = {0, 1, 2, 3, 15, 16, 17, full.bytes_needed - 1, full.bytes_needed}
    cuts.update(range(0, full.bytes_needed + 64, 211))
    for cut in sorted(cuts):
        meta, _ = _read_growing(sample, cut)
        assert meta == full, cut

"""ISO from Sony and Olympus maker notes, laid out as the cameras write them.

Sony enciphers its binary blocks (``b -> b**3 % 249``) and stores the ISO as
``100 * 2**(16 - code / 256)`` at a model-dependent offset; old Olympus notes
keep ``100 * 2**(value - 5)`` in their main IFD. The photos are whole EXIF
JPEGs built here, so every offset is the one a camera would write.
"""

from __future__ import annotations

import io
import math
import struct
from typing import Any

import pytest
from PIL import Image

_ENCIPHER = bytes((b**3 % 249) if 2 <= b <= 247 else b for b in range(256))


def _entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
    return struct.pack("<HHI", tag, kind, count) + value


def _exif_jpeg(make: str, model: str, note: Any, *, iso: int | None = None) -> bytes:
    """A JPEG whose EXIF has Make, Model, maybe ISO and ``note(start)``'s maker note.

    ``note`` gets the maker note's offset from the TIFF header, which the
    note's own IFD offsets count from (as Sony's and old Olympus's do).
    """
    make_b, model_b = make.encode() + b"\x00", model.encode() + b"\x00"
    ifd0_at, strings_at = 8, 8 + 2 + 3 * 12 + 4
    exif_at = strings_at + len(make_b) + len(model_b)
    exif_entries = 1 + (iso is not None)
    note_at = exif_at + 2 + 12 * exif_entries + 4
    note_bytes = note(note_at)
    ifd0 = (
        struct.pack("<H", 3)
        + _entry(0x010F, 2, len(make_b), struct.pack("<I", strings_at))
        + _entry(0x0110, 2, len(model_b), struct.pack("<I", strings_at + len(make_b)))
        + _entry(0x8769, 4, 1, struct.pack("<I", exif_at))
        + struct.pack("<I", 0)
    )
    exif_ifd = struct.pack("<H", exif_entries)
    if iso is not None:
        exif_ifd += _entry(0x8827, 3, 1, struct.pack("<HH", iso, 0))
    exif_ifd += _entry(0x927C, 7, len(note_bytes), struct.pack("<I", note_at))
    exif_ifd += struct.pack("<I", 0)
    tiff = b"II*\x00" + struct.pack("<I", ifd0_at) + ifd0 + make_b + model_b + exif_ifd
    assert len(tiff) == note_at
    app1 = b"Exif\x00\x00" + tiff + note_bytes
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(out, "JPEG")
    body = out.getvalue()
    return body[:2] + b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1 + body[2:]


def _sony_note(blocks: dict[int, bytes], header: bytes = b"SONY DSC \x00\x00\x00") -> Any:
    def build(start: int) -> bytes:
        ifd_at = start + len(header)
        data_at = ifd_at + 2 + 12 * len(blocks) + 4
        entries, data = b"", b""
        for tag, block in sorted(blocks.items()):
            entries += _entry(tag, 7, len(block), struct.pack("<I", data_at + len(data)))
            data += block
        return header + struct.pack("<H", len(blocks)) + entries + b"\x00" * 4 + data

    return build


def _sony_code(iso: float) -> int:
    return round(256 * (16 - math.log2(iso / 100)))


def _block(size: int, offset: int, code: int, stored_first: int = 0) -> bytes:
    plain = bytearray(size)
    plain[offset : offset + 2] = struct.pack("<H", code)
    stored = bytearray(bytes(plain).translate(_ENCIPHER))
    stored[0] = stored_first
    return bytes(stored)


@pytest.mark.parametrize(
    ("model", "offset"),
    [
        ("DSC-RX1R", 0x1258),  # the layout of the real RX1R sample exiftool reads
        ("NEX-7", 0x1218),
        ("DSC-RX100", 0x1254),
        ("ILCE-7", 0x0344),
        ("ILCE-7RM2", 0x0346),
        ("ILCE-7M3", 0x0320),
    ],
)
def test_sony_iso_from_the_model_s_layout_of_block_2010(
    extract: Any, model: str, offset: int
) -> None:
    note = _sony_note({0x2010: _block(0x1300, offset, _sony_code(3200))})
    assert extract(_exif_jpeg("SONY", model, note)).iso == 3200


def test_sony_iso_is_rounded_like_a_dial_value(extract: Any) -> None:
    # 125 does not fall on a 1/256 stop: the stored code reads back as 124.9...
    note = _sony_note({0x2010: _block(0x1300, 0x0320, _sony_code(125))})
    assert extract(_exif_jpeg("SONY", "ILCE-7M3", note)).iso == 125


def test_sony_block_9416_of_newer_bodies(extract: Any) -> None:
    # Newer bodies write the IFD without a header, with other blocks beside it.
    blocks = {0x9416: _block(64, 4, _sony_code(12800)), 0x9400: bytes(16)}
    note = _sony_note(blocks, header=b"")
    assert extract(_exif_jpeg("SONY", "ILCE-7M4", note)).iso == 12800


def test_sony_block_9405_only_in_the_layout_that_holds_the_iso(extract: Any) -> None:
    with_iso = _sony_note({0x9405: _block(64, 4, _sony_code(800), stored_first=0x3A)})
    without = _sony_note({0x9405: _block(64, 4, _sony_code(800), stored_first=0x1B)})
    assert extract(_exif_jpeg("SONY", "ILCE-6000", with_iso)).iso == 800
    assert extract(_exif_jpeg("SONY", "ILCE-6000", without)).iso is None


def test_sony_model_without_a_known_layout_has_no_maker_note_iso(extract: Any) -> None:
    note = _sony_note({0x2010: _block(0x1300, 0x0320, _sony_code(3200))})
    assert extract(_exif_jpeg("SONY", "DSC-W15", note)).iso is None


def test_exif_iso_beats_sony_s_maker_note(extract: Any) -> None:
    note = _sony_note({0x2010: _block(0x1300, 0x1258, _sony_code(3200))})
    assert extract(_exif_jpeg("SONY", "DSC-RX1R", note, iso=100)).iso == 100


def test_a_sony_block_cut_short_costs_only_the_iso(extract: Any) -> None:
    note = _sony_note({0x2010: _block(0x100, 0x10, _sony_code(3200))})
    meta = extract(_exif_jpeg("SONY", "DSC-RX1R", note))
    assert (meta.iso, meta.model) == (None, "DSC-RX1R")


def _olympus_note(value: tuple[int, int] | None) -> Any:
    def build(start: int) -> bytes:
        ifd_at = start + 8
        data_at = ifd_at + 2 + 12 + 4
        if value is None:
            return b"OLYMP\x00\x01\x00" + struct.pack("<H", 0) + b"\x00" * 4
        entry = _entry(0x1001, 10, 1, struct.pack("<I", data_at))
        return (
            b"OLYMP\x00\x01\x00"
            + struct.pack("<H", 1)
            + entry
            + b"\x00" * 4
            + struct.pack("<ii", *value)
        )

    return build


@pytest.mark.parametrize(("value", "iso"), [((5, 1), 100), ((7, 1), 400), ((20, 3), 317)])
def test_old_olympus_iso_value(extract: Any, value: tuple[int, int], iso: int) -> None:
    photo = _exif_jpeg("OLYMPUS OPTICAL CO.,LTD", "C2500L", _olympus_note(value))
    assert extract(photo).iso == iso


def test_olympus_note_without_iso_value(extract: Any) -> None:
    photo = _exif_jpeg("OLYMPUS OPTICAL CO.,LTD", "C2500L", _olympus_note(None))
    assert extract(photo).iso is None


@pytest.mark.parametrize(
    "note",
    [b"", b"SONY DSC \x00\x00\x00", b"SONY DSC \x00\x00\x00\xff\xff", b"\xff" * 64, b"OLYMP\x00"],
)
def test_broken_sony_and_olympus_notes_cost_only_the_iso(extract: Any, note: bytes) -> None:
    for make, model in (("SONY", "DSC-RX1R"), ("OLYMPUS OPTICAL CO.,LTD", "C2500L")):
        meta = extract(_exif_jpeg(make, model, lambda start, note=note: note))
        assert (meta.iso, meta.model) == (None, model)

"""Decoding: once, upright, at the working size; unreadable input says why."""

from __future__ import annotations

import io
import zlib

import numpy as np
import pytest
from PIL import Image

from processors.errors import Reason, UnreadablePhoto
from processors.vision import FaceDetections, VisionScorer, VisionSettings, decode_image

_ORIENTATION = 0x0112


def test_a_large_jpeg_decodes_straight_to_the_working_size(photo, jpeg):
    image = decode_image(jpeg(photo("coffee").resize((4000, 2667))), working_size=1024)

    assert (image.width, image.height) == (1024, 683)
    assert (image.original_width, image.original_height) == (4000, 2667)
    assert image.rgb.shape == (683, 1024, 3) and image.rgb.dtype == np.uint8
    assert image.gray.shape == (683, 1024)


def test_a_small_photo_is_never_enlarged(photo, jpeg):
    image = decode_image(jpeg(photo("coffee")), working_size=1024)

    assert (image.width, image.height) == (600, 400)


def test_png_with_alpha_and_greyscale_decode_to_rgb(photo):
    for mode in ("RGBA", "L", "P"):
        with io.BytesIO() as buffer:
            photo("chelsea").convert(mode).save(buffer, format="PNG")
            image = decode_image(buffer.getvalue(), working_size=256)
        assert image.rgb.shape == (170, 256, 3), mode


def test_exif_orientation_is_applied(photo, jpeg):
    upright = photo("astronaut").resize((640, 480))
    # Stored on its side, with the tag that tells viewers to turn it back.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[_ORIENTATION] = 6
    data = jpeg(stored, exif=exif.tobytes())

    image = decode_image(data, working_size=1024)

    assert (image.width, image.height) == (640, 480)
    assert (image.original_width, image.original_height) == (640, 480)
    reference = np.asarray(upright, dtype=np.float64)
    assert np.abs(image.rgb.astype(np.float64) - reference).mean() < 6


def test_face_boxes_are_in_upright_coordinates(scorer, photo, jpeg):
    stored = photo("astronaut").transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[_ORIENTATION] = 6

    faces = scorer.analyse(jpeg(stored, exif=exif.tobytes())).outputs["faces"]

    assert isinstance(faces, FaceDetections) and len(faces.faces) == 1
    face = faces.faces[0]
    # where the face is in the upright photo, not in the stored pixels
    assert 0.35 < face.x + face.width / 2 < 0.55
    assert 0.15 < face.y + face.height / 2 < 0.35


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", Reason.EMPTY_FILE),
        (b"\x00" * 64, Reason.NOT_AN_IMAGE),
        (b"GIF89a but then nothing sensible", Reason.NOT_AN_IMAGE),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 60, Reason.NOT_AN_IMAGE),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, Reason.NOT_AN_IMAGE),
    ],
)
def test_unreadable_bytes_say_why(data, reason):
    with pytest.raises(UnreadablePhoto) as caught:
        decode_image(data, working_size=1024)

    assert caught.value.reason == reason


def test_a_truncated_jpeg_is_reported_as_truncated(photo, jpeg):
    data = jpeg(photo("astronaut"))

    with pytest.raises(UnreadablePhoto) as caught:
        decode_image(data[: len(data) // 3], working_size=1024)

    assert caught.value.reason == Reason.TRUNCATED


def test_more_pixels_than_allowed_is_a_decompression_bomb(photo, jpeg):
    scorer = VisionScorer.from_settings(VisionSettings(models=("hashes",), max_pixels=100_000))

    with pytest.raises(UnreadablePhoto) as caught:
        scorer.analyse(jpeg(photo("astronaut")))  # 512 x 512 = 262,144 pixels

    assert caught.value.reason == Reason.DECOMPRESSION_BOMB


def test_a_png_header_claiming_a_giant_canvas_is_refused_before_decoding():
    with io.BytesIO() as buffer:
        Image.new("L", (1, 1)).save(buffer, format="PNG")
        data = bytearray(buffer.getvalue())
    # IHDR's width and height are bytes 16..24, its CRC bytes 29..33.
    data[16:24] = (60000).to_bytes(4, "big") * 2
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")

    with pytest.raises(UnreadablePhoto) as caught:
        decode_image(bytes(data), working_size=1024)

    assert caught.value.reason == Reason.DECOMPRESSION_BOMB

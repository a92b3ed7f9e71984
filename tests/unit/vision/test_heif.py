"""HEIC and AVIF, as phones write them, decode upright and score like the same photo as JPEG."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from processors.errors import Reason, UnreadablePhoto
from processors.vision import FaceDetections, ImageLabels, decode_image
from schemas import VisionScored, validate
from streams.media_samples import heic

_ORIENTATION = 0x0112


def _turned_by_six() -> Image.Exif:
    exif = Image.Exif()
    exif[_ORIENTATION] = 6  # shown turned 90 degrees clockwise
    return exif


def _avif(image: Image.Image, exif: Image.Exif | None = None) -> bytes:
    with io.BytesIO() as buffer:
        options = {"exif": exif.tobytes()} if exif is not None else {}
        image.save(buffer, format="AVIF", quality=90, **options)
        return buffer.getvalue()


def _mean_difference(image: np.ndarray, reference: Image.Image) -> float:
    return float(np.abs(image.astype(np.float64) - np.asarray(reference, np.float64)).mean())


@pytest.mark.parametrize("encode", ["heic", "avif"])
def test_a_photo_stored_sideways_decodes_upright(photo, encode):
    upright = photo("astronaut").resize((640, 480))
    # Stored on its side, with the transform that tells viewers to turn it back.
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    if encode == "heic":
        data = heic(image=stored, exif=_turned_by_six(), quality=90)
        assert data[4:12] == b"ftypheic"
    else:
        data = _avif(stored, _turned_by_six())
        assert data[4:12] == b"ftypavif"

    image = decode_image(data, working_size=1024)

    assert (image.width, image.height) == (640, 480)
    assert (image.original_width, image.original_height) == (640, 480)
    assert _mean_difference(image.rgb, upright) < 6


def test_a_large_heic_is_reduced_to_the_working_size(photo):
    data = heic(image=photo("coffee").resize((2400, 1600)), quality=80)

    image = decode_image(data, working_size=1024)

    assert (image.width, image.height) == (1024, 683)
    assert (image.original_width, image.original_height) == (2400, 1600)


def test_a_truncated_heic_is_reported_as_truncated(photo):
    data = heic(image=photo("chelsea"), quality=90)

    with pytest.raises(UnreadablePhoto) as caught:
        decode_image(data[: len(data) // 2], working_size=1024)

    assert caught.value.reason == Reason.TRUNCATED


def test_a_heic_scores_like_the_same_photo_as_jpeg(scorer, photo, jpeg, request_for):
    upright = photo("astronaut")
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    data = heic(image=stored, exif=_turned_by_six(), quality=90)

    from_heic = scorer.analyse(data)
    from_jpeg = scorer.analyse(jpeg(upright))

    assert from_heic.errors == {}
    faces = from_heic.outputs["faces"]
    assert isinstance(faces, FaceDetections) and len(faces.faces) == 1
    face = faces.faces[0]
    # where the face is in the upright photo, not in the stored pixels
    assert 0.35 < face.x + face.width / 2 < 0.55
    assert 0.15 < face.y + face.height / 2 < 0.35
    heic_labels, jpeg_labels = from_heic.outputs["labels"], from_jpeg.outputs["labels"]
    assert isinstance(heic_labels, ImageLabels) and isinstance(jpeg_labels, ImageLabels)
    assert heic_labels.labels[0] == jpeg_labels.labels[0]
    assert float(np.dot(heic_labels.embedding, jpeg_labels.embedding)) > 0.9
    record = scorer.to_record(from_heic, request=request_for("p-heic"))
    assert isinstance(record, VisionScored) and record.face_count == 1
    assert record.embedding is not None
    validate(record)

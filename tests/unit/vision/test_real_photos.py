"""The scores make sense on real photos: faces, blur, near-duplicates, labels."""

from __future__ import annotations

import itertools

import pytest
from PIL import Image, ImageFilter

from processors.vision import (
    FaceDetections,
    ImageHashes,
    ImageLabels,
    TechnicalMeasures,
    hamming_distance,
)

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket")


def test_finds_the_astronauts_face_where_it_is(scorer, photo, jpeg) -> None:
    analysis = scorer.analyse(jpeg(photo("astronaut")))

    faces = analysis.outputs["faces"]
    assert isinstance(faces, FaceDetections)
    assert len(faces.faces) == 1
    face = faces.faces[0]
    assert face.confidence > 0.8
    # Her face sits left of centre in the top third of the frame.
    assert 0.35 < face.x + face.width / 2 < 0.55
    assert 0.15 < face.y + face.height / 2 < 0.35
    assert 0.1 < face.width < 0.35


@pytest.mark.parametrize("name", ["rocket", "coffee", "chelsea", "grass", "brick", "gravel"])
def test_finds_no_face_in_scenes_textures_or_a_cat(scorer, photo, jpeg, name) -> None:
    analysis = scorer.analyse(jpeg(photo(name)))

    faces = analysis.outputs["faces"]
    assert isinstance(faces, FaceDetections)
    assert faces.faces == ()


def test_tiles_find_small_faces_in_a_group(scorer, photo, jpeg) -> None:
    # Three people, each face ~5 % of the photo's width: too small for the
    # whole-frame pass, found through the tiles.
    group = Image.new("RGB", (2400, 1600), (70, 90, 110))
    person = photo("astronaut").resize((600, 600))
    for slot in range(3):
        group.paste(person, (100 + slot * 780, 500))

    faces = scorer.analyse(jpeg(group)).outputs["faces"]

    assert isinstance(faces, FaceDetections)
    assert len(faces.faces) == 3
    centres = sorted(face.x + face.width / 2 for face in faces.faces)
    # each face is ~44 % into its 600 px copy: x = 100 + 780 * slot + 264
    expected = [(364 + 780 * slot) / 2400 for slot in range(3)]
    assert centres == pytest.approx(expected, abs=0.03)


@pytest.mark.parametrize("name", ["astronaut", "coffee", "rocket", "grass"])
def test_a_blurred_copy_scores_worse(scorer, photo, jpeg, name) -> None:
    original = photo(name)
    blurred = original.filter(ImageFilter.GaussianBlur(2))

    sharp, soft = scorer.analyse(jpeg(original)), scorer.analyse(jpeg(blurred))

    sharp_px, soft_px = sharp.outputs["technical"], soft.outputs["technical"]
    assert isinstance(sharp_px, TechnicalMeasures)
    assert isinstance(soft_px, TechnicalMeasures)
    assert soft_px.sharpness < sharp_px.sharpness / 5
    # BRISQUE: lower is better.
    assert soft.outputs["brisque"].to_values()["brisque"] > (
        sharp.outputs["brisque"].to_values()["brisque"] + 15
    )
    assert sharp.quality is not None and soft.quality is not None
    assert soft.quality.quality < sharp.quality.quality - 0.2


def _hashes(scorer, data: bytes) -> ImageHashes:
    hashes = scorer.analyse(data).outputs["hashes"]
    assert isinstance(hashes, ImageHashes)
    return hashes


@pytest.mark.parametrize("name", PHOTOS)
def test_a_recompressed_cropped_copy_keeps_its_phash(scorer, photo, jpeg, name) -> None:
    original = photo(name)
    width, height = original.size
    copy = original.crop((width * 0.02, height * 0.02, width * 0.98, height * 0.98)).resize(
        (int(width * 0.8), int(height * 0.8))
    )

    first = _hashes(scorer, jpeg(original))
    second = _hashes(scorer, jpeg(copy, quality=70))

    assert hamming_distance(first.phash, second.phash) <= 10


def test_unrelated_photos_have_distant_phashes(scorer, photo, jpeg) -> None:
    hashes = {name: _hashes(scorer, jpeg(photo(name))) for name in PHOTOS}

    for first, second in itertools.combinations(PHOTOS, 2):
        assert hamming_distance(hashes[first].phash, hashes[second].phash) >= 20


def test_labels_name_what_is_in_the_photo(scorer, photo, jpeg) -> None:
    coffee = scorer.analyse(jpeg(photo("coffee"))).outputs["labels"]
    cat = scorer.analyse(jpeg(photo("chelsea"))).outputs["labels"]

    assert isinstance(coffee, ImageLabels) and isinstance(cat, ImageLabels)
    assert coffee.labels[0] == "espresso"
    assert {"Egyptian cat", "tabby", "tiger cat"} & set(cat.labels[:2])
    assert len(coffee.labels) == len(coffee.probabilities) == 5
    assert list(coffee.probabilities) == sorted(coffee.probabilities, reverse=True)


def test_embeddings_are_unit_vectors_closer_for_the_same_photo(scorer, photo, jpeg) -> None:
    def embedding(image: Image.Image, **options: object) -> list[float]:
        labels = scorer.analyse(jpeg(image, **options)).outputs["labels"]
        assert isinstance(labels, ImageLabels)
        assert len(labels.embedding) == 1280
        return list(labels.embedding)

    def cosine(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    cat = embedding(photo("chelsea"))
    cat_again = embedding(photo("chelsea").resize((360, 240)), quality=60)
    coffee = embedding(photo("coffee"))

    assert cosine(cat, cat) == pytest.approx(1.0, abs=1e-6)
    assert cosine(cat, cat_again) > cosine(cat, coffee) + 0.2


def test_sample_photos_are_safe_for_work(scorer, photo, jpeg) -> None:
    for name in PHOTOS:
        nsfw = scorer.analyse(jpeg(photo(name))).outputs["nsfw"].to_values()["nsfw"]
        assert 0.0 <= nsfw < 0.2


def test_exposure_tells_a_dark_copy_from_the_original(scorer, photo, jpeg) -> None:
    original = photo("coffee")
    dark = original.point(lambda value: value // 4)

    bright_px = scorer.analyse(jpeg(original)).outputs["technical"]
    dark_px = scorer.analyse(jpeg(dark)).outputs["technical"]

    assert isinstance(bright_px, TechnicalMeasures) and isinstance(dark_px, TechnicalMeasures)
    assert dark_px.exposure < bright_px.exposure / 3
    assert dark_px.shadows_clipped > bright_px.shadows_clipped
    assert dark_px.colourfulness < bright_px.colourfulness

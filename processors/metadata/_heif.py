"""HEIC, HEIF and AVIF: the primary item's size, transforms, EXIF and XMP from the meta box.

The ``meta`` box lists items (``iinf``), where their bytes are (``iloc``) and
which properties each has (``iprp``: ``ispe`` size, ``irot``/``imir``
transforms). The EXIF orientation is read as the camera wrote it; decoders
that apply the transforms and reset it to 1 would hide it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import NeedMoreBytes, Reason, UnreadablePhoto
from ._bmff import Box, children, find_top_level, full_box, read_uint
from ._container import LOOKAHEAD_BYTES, Container
from ._exif import read_tiff_exif

__all__ = ["read_heif"]

_MAX_ITEMS = 4096
_MAX_EXTENTS = 64
# (quarter turns anticlockwise, mirror axis) -> EXIF orientation, by which came first.
_ROTATE_THEN_MIRROR = {
    (0, None): 1, (0, 0): 2, (0, 1): 4, (1, None): 8, (1, 0): 7, (1, 1): 5,
    (2, None): 3, (2, 0): 4, (2, 1): 2, (3, None): 6, (3, 0): 5, (3, 1): 7,
}  # fmt: skip
_MIRROR_THEN_ROTATE = {**_ROTATE_THEN_MIRROR, (1, 0): 5, (1, 1): 7, (3, 0): 7, (3, 1): 5}


@dataclass(slots=True)
class _Meta:
    primary: int = 0
    types: dict[int, bytes] = field(default_factory=dict)
    content_types: dict[int, bytes] = field(default_factory=dict)
    extents: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    properties: list[Box] = field(default_factory=list)
    associations: dict[int, list[int]] = field(default_factory=dict)
    idat: Box | None = None
    in_idat: set[int] = field(default_factory=set)


def _infe(data: bytes, box: Box, meta: _Meta) -> None:
    version, _, pos = full_box(data, box)
    if version < 2:
        return
    id_size = 2 if version == 2 else 4
    item = read_uint(data, pos, id_size)
    pos += id_size + 2
    meta.types[item] = data[pos : pos + 4]
    if data[pos : pos + 4] == b"mime":
        name_end = data.find(b"\x00", pos + 4, box.end)
        if name_end >= 0:
            type_end = data.find(b"\x00", name_end + 1, box.end)
            meta.content_types[item] = data[name_end + 1 : type_end if type_end >= 0 else box.end]


def _iinf(data: bytes, box: Box, meta: _Meta) -> None:
    version, _, pos = full_box(data, box)
    pos += 2 if version == 0 else 4
    for entry in children(data, pos, box.end):
        if entry.kind == b"infe":
            _infe(data, entry, meta)


def _iloc(data: bytes, box: Box, meta: _Meta) -> None:
    version, _, pos = full_box(data, box)
    if pos + 2 > box.end:
        return
    sizes = read_uint(data, pos, 2)
    offset_size, length_size = sizes >> 12, (sizes >> 8) & 0xF
    base_size, index_size = (sizes >> 4) & 0xF, sizes & 0xF if version in (1, 2) else 0
    pos += 2
    count_size = 2 if version < 2 else 4
    count = read_uint(data, pos, count_size)
    pos += count_size
    for _ in range(min(count, _MAX_ITEMS)):
        item = read_uint(data, pos, count_size)
        pos += count_size
        method = 0
        if version in (1, 2):
            method = read_uint(data, pos, 2) & 0xF
            pos += 2
        pos += 2  # data_reference_index
        base = read_uint(data, pos, base_size)
        pos += base_size
        extent_count = read_uint(data, pos, 2)
        pos += 2
        extents = []
        for _ in range(min(extent_count, _MAX_EXTENTS)):
            pos += index_size
            offset = read_uint(data, pos, offset_size)
            length = read_uint(data, pos + offset_size, length_size)
            pos += offset_size + length_size
            extents.append((base + offset, length))
        if pos > box.end:
            return
        meta.extents[item] = extents
        if method == 1:
            meta.in_idat.add(item)


def _iprp(data: bytes, box: Box, meta: _Meta) -> None:
    for child in children(data, box.start, box.end):
        if child.kind == b"ipco":
            meta.properties = list(children(data, child.start, child.end))
        elif child.kind == b"ipma":
            version, flags, pos = full_box(data, child)
            count = read_uint(data, pos, 4)
            pos += 4
            id_size, index_size = (2 if version < 1 else 4), (2 if flags & 1 else 1)
            mask = 0x7FFF if flags & 1 else 0x7F
            for _ in range(min(count, _MAX_ITEMS)):
                item = read_uint(data, pos, id_size)
                number = read_uint(data, pos + id_size, 1)
                pos += id_size + 1
                meta.associations[item] = [
                    read_uint(data, pos + i * index_size, index_size) & mask for i in range(number)
                ]
                pos += number * index_size
                if pos > child.end:
                    return


def _parse_meta(data: bytes, box: Box) -> _Meta:
    meta = _Meta()
    _, _, pos = full_box(data, box)
    for child in children(data, pos, box.end):
        if child.kind == b"pitm":
            version, _, start = full_box(data, child)
            meta.primary = read_uint(data, start, 2 if version == 0 else 4)
        elif child.kind == b"iinf":
            _iinf(data, child, meta)
        elif child.kind == b"iloc":
            _iloc(data, child, meta)
        elif child.kind == b"iprp":
            _iprp(data, child, meta)
        elif child.kind == b"idat":
            meta.idat = child
    return meta


def _clean_aperture(data: bytes, prop: Box, width: int, height: int) -> tuple[int, int]:
    sizes = [read_uint(data, prop.start + 4 * i, 4) for i in range(4)]
    if prop.end - prop.start < 16 or not sizes[1] or not sizes[3]:
        return width, height
    clean_width, clean_height = round(sizes[0] / sizes[1]), round(sizes[2] / sizes[3])
    if 0 < clean_width <= width and 0 < clean_height <= height:
        return clean_width, clean_height
    return width, height


def _geometry(data: bytes, meta: _Meta) -> tuple[int, int, tuple[int, int], int]:
    width = height = 0
    display: tuple[int, int] | None = None
    turns, mirror, mirror_first = 0, None, False
    for index in meta.associations.get(meta.primary, []):
        if not 1 <= index <= len(meta.properties):
            continue
        prop = meta.properties[index - 1]
        if prop.kind == b"ispe":
            _, _, pos = full_box(data, prop)
            width, height = read_uint(data, pos, 4), read_uint(data, pos + 4, 4)
        elif prop.kind == b"clap":
            display = _clean_aperture(data, prop, width, height)
        elif prop.kind == b"irot":
            turns = read_uint(data, prop.start, 1) & 3
        elif prop.kind == b"imir":
            mirror = read_uint(data, prop.start, 1) & 1
            mirror_first = turns == 0
    table = _MIRROR_THEN_ROTATE if mirror_first else _ROTATE_THEN_MIRROR
    return width, height, display or (width, height), table[(turns, mirror)]


def _item_bytes(data: bytes, object_size: int, meta: _Meta, item: int) -> tuple[bytes | None, int]:
    """The item's bytes, and how far into the file they reach."""
    extents = meta.extents.get(item)
    if not extents:
        return None, 0
    if item in meta.in_idat:
        if meta.idat is None:
            return None, 0
        base = meta.idat.start
        return b"".join(data[base + o : base + o + n] for o, n in extents), 0
    reach = max(offset + length for offset, length in extents)
    if reach > object_size:
        return None, 0
    if reach > len(data):
        raise NeedMoreBytes(min(object_size, reach + LOOKAHEAD_BYTES))
    return b"".join(data[o : o + n] for o, n in extents), reach


def read_heif(head: bytes, object_size: int, mime_type: str) -> Container:
    box, _ = find_top_level(head, object_size, b"meta", mime_type)
    meta = _parse_meta(head, box)
    width, height, display, orientation = _geometry(head, meta)
    if width == 0 or height == 0:
        raise UnreadablePhoto(Reason.CORRUPT, f"{mime_type}: the primary image has no size")
    needed = box.end
    exif = xmp = None
    for item, kind in meta.types.items():
        is_xmp = kind == b"mime" and meta.content_types.get(item) == b"application/rdf+xml"
        if kind != b"Exif" and not is_xmp:
            continue
        blob, reach = _item_bytes(head, object_size, meta, item)
        needed = max(needed, reach)
        if blob is None:
            continue
        if kind == b"Exif" and exif is None and len(blob) >= 4:
            # The item starts with the offset of the TIFF header after it.
            exif = read_tiff_exif(blob, 4 + int.from_bytes(blob[:4], "big"))
        elif is_xmp and xmp is None:
            xmp = blob
    return Container(
        mime_type=mime_type,
        width=width,
        height=height,
        bytes_needed=needed,
        exif=exif,
        xmp=xmp,
        orientation=orientation,
        display_size=display if display != (width, height) else None,
    )

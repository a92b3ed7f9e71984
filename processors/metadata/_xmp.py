"""Capture dates from an XMP packet, without an XML parser.

Only a handful of date properties matter here, so a bounded regular-expression
scan that resolves namespace prefixes is enough, and it is immune to the
entity tricks an XML parser would have to be guarded against. Both XMP
serialisations are read: ``prefix:Name="value"`` attributes and
``<prefix:Name>value</prefix:Name>`` elements.
"""

from __future__ import annotations

import re

from ._dates import DateWithOffset, parse_iso_datetime

__all__ = ["xmp_dates"]

# Best first: what the camera recorded, then what the first writer recorded.
_DATE_PROPERTIES = (
    ("http://ns.adobe.com/exif/1.0/", "DateTimeOriginal"),
    ("http://ns.adobe.com/xap/1.0/", "CreateDate"),
    ("http://ns.adobe.com/photoshop/1.0/", "DateCreated"),
)
_XMLNS = re.compile(rb"""xmlns:([A-Za-z_][\w.\-]*)\s*=\s*["']([^"']*)["']""")
# A packet may be padded with whitespace; the properties sit near the start.
_MAX_PACKET = 256 * 1024


def _prefixes(packet: bytes) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for match in _XMLNS.finditer(packet):
        uri = match.group(2).decode("utf-8", "replace")
        found.setdefault(uri, []).append(match.group(1))
    return found


def _values(packet: bytes, prefix: bytes, name: str) -> list[bytes]:
    qname = re.escape(prefix + b":" + name.encode())
    attribute = re.compile(rb"(?<![\w:])" + qname + rb"""\s*=\s*["']([^"'<]*)["']""")
    element = re.compile(rb"<" + qname + rb"(?:\s[^>]*)?>([^<]*)</")
    return [m.group(1) for m in attribute.finditer(packet)] + [
        m.group(1).strip() for m in element.finditer(packet)
    ]


def xmp_dates(packet: bytes) -> list[DateWithOffset]:
    """Valid capture dates in the packet, best property first."""
    packet = packet[:_MAX_PACKET]
    prefixes = _prefixes(packet)
    dates: list[DateWithOffset] = []
    for uri, name in _DATE_PROPERTIES:
        for prefix in prefixes.get(uri, ()):
            for raw in _values(packet, prefix, name):
                parsed = parse_iso_datetime(raw.decode("utf-8", "replace"))
                if parsed is not None:
                    dates.append(parsed)
    return dates

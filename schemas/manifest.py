"""Schema ids, checked in: every process and every build agrees on them.

An id is written into every framed message, so it must mean the same schema
forever. Ids are therefore assigned once, here, in the order schemas were
added, and never derived from what happens to be on disk (a new file would
shift a sorted list). Each entry pins the schema's fingerprint: a released
schema must not change in place (documentation aside); add ``vN+1`` instead.

To add a schema file, run ``python -m schemas`` and paste the lines
it prints into ``SCHEMA_IDS``.
"""

from __future__ import annotations

from collections.abc import Mapping

from .catalog import schema_files

__all__ = ["SCHEMA_IDS", "missing_entries"]

SCHEMA_IDS: Mapping[str, tuple[int, str]] = {
    "PhotoUploaded.v1.avsc": (1, "52b4dfac589d445b9d852ed6684ef805"),
    "PhotoDeleted.v1.avsc": (2, "7fae7f1b466f89f57e01cd26b830823d"),
    "MetadataExtracted.v1.avsc": (3, "32d644fa914f3fa9519eb619ec425540"),
    "VisionRequested.v1.avsc": (4, "b6ce7bd64864eeccaa4887d00c301b96"),
    "VisionScored.v1.avsc": (5, "c298093f7d23b94383f0e4542dc32778"),
    "TimelineItemUpserted.v1.avsc": (6, "cb49b6160148fec3e076894daaa9e695"),
    "TimelineItemRemoved.v1.avsc": (7, "4ead7ea67c98da46367f751e172b2489"),
    "AlbumUpdated.v1.avsc": (8, "be9c3c1a3a622eb63eb6e9fbec1cff2d"),
    "VisionScored.v2.avsc": (9, "414c1d847da88622c2dfaec7d03af52b"),
    "MetadataExtracted.v2.avsc": (10, "b6b348dd28888ba0237a89b53f3a365b"),
}
"""File name -> (schema id, first 32 hex digits of the file's schema fingerprint)."""


def missing_entries() -> list[str]:
    """``SCHEMA_IDS`` lines for schema files that have no entry yet, with fresh ids."""
    next_id = max((entry[0] for entry in SCHEMA_IDS.values()), default=0) + 1
    lines = []
    for file in schema_files():
        if file.filename not in SCHEMA_IDS:
            lines.append(f'    "{file.filename}": ({next_id}, "{file.fingerprint[:32]}"),')
            next_id += 1
    return lines

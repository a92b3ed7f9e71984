"""Capture times that phones and apps write into file names.

The last resort before upload time: messaging apps strip EXIF but keep names
like ``IMG-20240131-WA0001.jpg``; screenshots often have no EXIF at all.
"""

from __future__ import annotations

import re
from datetime import datetime

from ._dates import valid_datetime

__all__ = ["datetime_from_filename"]

_YEAR = r"(?P<y>(?:19|20)\d{2})"

# Order matters: the most specific pattern first.
_PATTERNS = (
    # WhatsApp: IMG-20240131-WA0001 carries a day, not a time.
    re.compile(rf"^(?:IMG|VID|AUD|PTT|STK|DOC)-{_YEAR}(?P<mo>\d{{2}})(?P<d>\d{{2}})-WA\d+", re.I),
    # IMG_20240131_235959, VID_..., PXL_20240131_235959123, Screenshot_20240131-235959,
    # Samsung's bare 20240131_235959.
    re.compile(
        rf"(?:^|[^0-9A-Za-z]|(?<=[A-Za-z])){_YEAR}(?P<mo>\d{{2}})(?P<d>\d{{2}})[_\-]"
        r"(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})(?P<frac>\d{1,3})?(?!\d)"
    ),
    # Screenshot_2024-01-31-23-59-59-123, "Screenshot 2024-01-31 at 23.59.59".
    re.compile(
        rf"(?:^|[^0-9]){_YEAR}-(?P<mo>\d{{2}})-(?P<d>\d{{2}})(?:[ _\-T]+|\s+at\s+)"
        r"(?P<h>\d{2})[.\-:](?P<mi>\d{2})[.\-:](?P<s>\d{2})(?!\d)",
        re.I,
    ),
)

# A pathological name must not cost more than a short scan.
_MAX_NAME = 255


def datetime_from_filename(filename: str) -> datetime | None:
    """The local wall time a file name encodes, or ``None``."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1][:_MAX_NAME]
    for pattern in _PATTERNS:
        match = pattern.search(name)
        if match is None:
            continue
        parts = match.groupdict()
        frac = parts.get("frac")
        moment = valid_datetime(
            int(parts["y"]),
            int(parts["mo"]),
            int(parts["d"]),
            int(parts.get("h") or 0),
            int(parts.get("mi") or 0),
            int(parts.get("s") or 0),
            int(frac.ljust(6, "0")) if frac else 0,
        )
        if moment is not None:
            return moment
    return None

"""Where a photo was taken: place names and the time zone at a GPS position, offline.

Both lookups sit behind Protocols (:class:`Geocoder`, :class:`ZoneFinder`) so
tests and benchmarks can inject their own; :func:`default_geocoder` and
:func:`default_zone_finder` load the packaged data sets once per process.
"""

from ._offline import OfflineGeocoder, OfflineZoneFinder, default_geocoder, default_zone_finder
from ._types import Geocoder, Place, ZoneFinder, usable_position

__all__ = [
    "Geocoder",
    "OfflineGeocoder",
    "OfflineZoneFinder",
    "Place",
    "ZoneFinder",
    "default_geocoder",
    "default_zone_finder",
    "usable_position",
]

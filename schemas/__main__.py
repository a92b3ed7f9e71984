"""``python -m schemas``: print manifest entries for schema files that have no id yet."""

from __future__ import annotations

from .manifest import missing_entries

lines = missing_entries()
print("\n".join(lines) if lines else "every schema file has an id in schemas/manifest.py")

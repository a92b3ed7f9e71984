"""Faust agents; each registers itself on an app."""

__all__: list[str] = []

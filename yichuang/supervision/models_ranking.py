"""Placeholder: filled in by its part."""

__all__: list[str] = []

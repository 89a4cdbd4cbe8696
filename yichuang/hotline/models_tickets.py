"""Hotline tickets (12345工单) and their handling. Filled by the tickets work."""

__all__: list[str] = []

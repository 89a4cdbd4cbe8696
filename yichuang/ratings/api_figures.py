"""Placeholder, filled by the ratings issue."""

from ninja import Router

router = Router(tags=["好差评"])

"""API of the catalog: items, versions, diffs, change requests."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["事项库"])

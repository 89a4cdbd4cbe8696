"""API of the catalog: 事项检索."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["事项检索"])

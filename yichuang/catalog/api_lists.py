"""API of the catalog: 事项清单."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["事项清单"])

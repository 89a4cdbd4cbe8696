"""API of the catalog: 事项导入导出."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["事项导入导出"])

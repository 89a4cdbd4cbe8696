"""Set-ups shared by the sampling tests: stationed items published through the catalog's services."""

from __future__ import annotations

from typing import Any

from yichuang.accounts.models import Department
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import publish_item


def stationed_items(
    org: Any, count: int, *, department: Department | None = None, start: int = 1
) -> list[Any]:
    """``count`` stationed handling items (alternately 市场监管局 and 住建局 unless ``department`` is given)."""
    items = []
    for number in range(start, start + count):
        owner = department or (org.scjg if number % 2 else org.zjj)
        items.append(
            publish_item(
                actor=org.user("admin"),
                department=owner,
                basic_code=f"01SAM{number:07d}",
                name=f"抽查测试事项{number}",
            )
        )
    return items


def not_stationed_item(org: Any) -> ServiceItem:
    return publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="01SAM9999999",
        name="不进驻事项",
        stationed=False,
        negative_reason="涉密事项，不进驻政务服务中心",
    )

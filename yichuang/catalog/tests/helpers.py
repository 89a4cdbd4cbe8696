"""Valid item elements and published items for catalog tests, reached through the real services."""

from __future__ import annotations

from typing import Any

from yichuang.accounts.models import Department, User
from yichuang.catalog import services
from yichuang.catalog.models import ServiceItem


def elements(**overrides: Any) -> dict[str, Any]:
    """A complete, valid set of elements for a promised licensing item with two materials."""
    data: dict[str, Any] = {
        "name": "食品经营许可（新办）",
        "item_type": "licensing",
        "service_object": "both",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "case_kind": "2",
        "acceptance_conditions": "申请人具有与经营的食品品种、数量相适应的经营场所。",
        "legal_days": 20,
        "promised_days": 5,
        "process_steps": [
            {"name": "申请", "description": "窗口或网上提交材料"},
            {"name": "受理", "description": "综合窗口核验材料"},
            {"name": "审查", "description": "部门审查，必要时现场核查"},
            {"name": "决定", "description": "作出准予或不予许可决定"},
        ],
        "special_procedures": [{"kind": "inspection", "name": "经营场所现场核查", "days": 5}],
        "fees": [],
        "online_depth": 4,
        "visits_required": 1,
        "tongban_scope": "league",
        "nearby_level": "",
        "stationed": True,
        "negative_reason": "",
        "result_type": "10",
        "result_name": "食品经营许可证",
        # The platform issues no e-licence for it unless a test names the type (the licences tests do).
        "result_licence_type_code": "",
        "delivery_methods": ["window", "post"],
        "commitment_allowed": False,
        "intermediary_services": [],
        "handling_place": "乌拉特中旗政务服务中心一楼综合窗口",
        "handling_hours": "工作日 9:00-12:00，14:30-17:30",
        "contact_phone": "0478-5211234",
        "complaint_phone": "12345",
        "keywords": "开饭店 开餐馆 小吃店 餐饮",
        "plain_summary": "开饭店、小吃店、超市卖食品，先办这个证。",
        "materials": [
            {
                "key": "m-apply",
                "name": "食品经营许可申请书",
                "source": "10",
                "necessity": "1",
                "originals": 1,
                "copies": 0,
                "review_points": ["申请人签字或盖章", "经营项目与经营场所一致"],
            },
            {
                "key": "m-licence",
                "name": "营业执照",
                "source": "20",
                "necessity": "1",
                "originals": 0,
                "copies": 1,
                "licence_type_code": "11100000000013338W001",
                "review_points": ["在有效期内"],
            },
        ],
    }
    data.update(overrides)
    return data


def publish_item(
    *,
    actor: User,
    department: Department,
    basic_code: str,
    proposer: User | None = None,
    kind: str = "handling",
    level: str = "4",
    parent: ServiceItem | None = None,
    **overrides: Any,
) -> ServiceItem:
    """Propose (as ``proposer`` or ``actor``) and approve (as ``actor``, an admin) a new item."""
    change_request = services.change_request_propose_create(
        actor=proposer or actor,
        department=department,
        item_kind=kind,
        level=level,
        basic_code=basic_code,
        parent=parent,
        elements=elements(**overrides),
        reason="测试新增事项",
    )
    version = services.change_request_approve(actor=actor, change_request=change_request)
    return ServiceItem.objects.get(pk=version.item_id)

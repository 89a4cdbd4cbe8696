"""Cases built through the real services, shared by the case tests."""

from __future__ import annotations

from typing import Any

from yichuang.cases import services
from yichuang.cases.models import Case
from yichuang.catalog.models import ServiceItem
from yichuang.catalog.tests.helpers import publish_item


def deferrable_item(org: Any, basic_code: str) -> ServiceItem:
    """An item with a required 申请书 (key "a") and a 容缺后补 场所平面图 (key "b")."""
    return publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code=basic_code,
        materials=[
            {"key": "a", "name": "申请书", "review_points": ["签字"]},
            {"key": "b", "name": "场所平面图", "necessity": "3", "review_points": ["标明功能区"]},
        ],
    )


def accepted_with_deferral(org: Any, item: ServiceItem, applicant: Any) -> Case:
    """Received at the window with only the 申请书, accepted on the 容缺 commitment."""
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    main = case.materials.get(material__key="a")
    services.case_check_materials(actor=org.user("clerk"), case=case, findings={main.pk: ("received", "")})
    return services.case_accept(actor=org.user("clerk"), case=case, deficiency_commitment=True)

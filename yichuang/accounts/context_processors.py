from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from yichuang.core.permissions import has_capability

# (capability, url name, label) in menu order
_MENU = [
    (None, "accounts:home", "工作台"),
    ("case.intake", "cases:window", "窗口受理"),
    ("case.review", "cases:review_inbox", "审批办件"),
    ("case.deliver", "cases:issue_desk", "出证窗口"),
    # Everyone who may revoke (chief representative, admin) also issues: one entry covers both.
    ("licence.issue", "licences:staff_list", "电子证照"),
    ("seal.manage", "licences:seal_manage", "电子印章"),
    ("case.apply", "cases:portal_list", "我的办件"),
    ("case.apply", "licences:library", "我的证照"),
    ("case.apply", "catalog:guide_index", "办事指南"),
    ("catalog.view", "catalog:workbench", "事项库"),
    ("catalog.view", "catalog:change_list", "事项变更"),
    ("catalog.manage", "catalog:list_manage", "清单管理"),
    ("catalog.manage", "catalog:import", "事项导入"),
    ("applicant.view", "accounts:applicant_list", "申请人"),
    ("department.view", "accounts:department_list", "部门"),
    ("calendar.view", "core:calendar", "工作日历"),
    ("audit.view", "core:audit_list", "审计日志"),
    ("audit.view", "core:notification_list", "通知记录"),
    ("admin.site", "admin:index", "系统管理"),
]


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": _(label), "active": False}
        for capability, name, label in _MENU
        if capability is None or has_capability(user, capability)
    ]
    # The longest matching prefix is the current page: /catalog/changes/ is not also 事项库 (/catalog/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from yichuang.core.permissions import has_capability

# (capability, url name, label) in menu order
_MENU = [
    (None, "accounts:home", "工作台"),
    ("applicant.view", "accounts:applicant_list", "申请人"),
    ("department.view", "accounts:department_list", "部门"),
    ("calendar.view", "core:calendar", "工作日历"),
    ("audit.view", "core:audit_list", "审计日志"),
    ("admin.site", "admin:index", "系统管理"),
]


def staff_navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url": reverse(name), "label": _(label), "active": request.path.startswith(reverse(name))}
        for capability, name, label in _MENU
        if capability is None or has_capability(user, capability)
    ]
    return {"nav_items": items}

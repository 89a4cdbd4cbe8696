from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yichuang.core.permissions import has_capability

# (capability, url name, label) in menu order; the labels are msgids, translated when the menu is built
_MENU = [
    (None, "accounts:home", gettext_noop("工作台")),
    ("case.intake", "cases:window", gettext_noop("窗口受理")),
    ("case.review", "cases:review_inbox", gettext_noop("审批办件")),
    ("case.deliver", "cases:issue_desk", gettext_noop("出证窗口")),
    ("case.accept", "bundles:desk", gettext_noop("一件事窗口")),
    ("hall.serve", "hall:desk", gettext_noop("窗口叫号")),
    # Everyone who may revoke (chief representative, admin) also issues: one entry covers both.
    ("licence.issue", "licences:staff_list", gettext_noop("电子证照")),
    ("seal.manage", "licences:seal_manage", gettext_noop("电子印章")),
    ("case.apply", "cases:portal_list", gettext_noop("我的办件")),
    ("case.apply", "licences:library", gettext_noop("我的证照")),
    ("case.apply", "bundles:portal_list", gettext_noop("我的一件事")),
    ("case.apply", "bundles:public_list", gettext_noop("一件事专区")),
    ("case.apply", "catalog:guide_index", gettext_noop("办事指南")),
    ("hall.book", "hall:portal_tickets", gettext_noop("网上取号")),
    ("hall.book", "hall:appointments", gettext_noop("预约办事")),
    ("catalog.view", "catalog:workbench", gettext_noop("事项库")),
    ("catalog.view", "catalog:change_list", gettext_noop("事项变更")),
    ("catalog.manage", "catalog:list_manage", gettext_noop("清单管理")),
    ("bundle.manage", "bundles:manage", gettext_noop("一件事管理")),
    ("catalog.view", "bundles:figures", gettext_noop("一件事成效")),
    ("hall.figures", "hall:figures", gettext_noop("大厅统计")),
    ("hall.manage", "hall:manage", gettext_noop("大厅管理")),
    ("hotline.intake", "hotline:intake", gettext_noop("12345受理")),
    ("hotline.dispatch", "hotline:office", gettext_noop("热线办公室")),
    ("hotline.handle", "hotline:inbox", gettext_noop("12345待办")),
    ("hotline.knowledge", "hotline:knowledge_list", gettext_noop("知识库")),
    ("hotline.dispatch", "hotline:directory_list", gettext_noop("派单目录")),
    ("hotline.view", "hotline:figures", gettext_noop("12345统计")),
    ("ratings.rectify", "ratings:rectification_list", gettext_noop("差评整改")),
    ("ratings.view", "ratings:evaluation_list", gettext_noop("评价查询")),
    ("ratings.view", "ratings:figures", gettext_noop("好差评统计")),
    ("supervision.view", "supervision:dashboard", gettext_noop("效能监察")),
    ("supervision.view", "supervision:card_list", gettext_noop("黄牌红牌")),
    ("supervision.sample", "supervision:sampling", gettext_noop("事项抽查")),
    ("catalog.manage", "catalog:import", gettext_noop("事项导入")),
    ("applicant.view", "accounts:applicant_list", gettext_noop("申请人")),
    ("department.view", "accounts:department_list", gettext_noop("部门")),
    ("calendar.view", "core:calendar", gettext_noop("工作日历")),
    ("audit.view", "core:audit_list", gettext_noop("审计日志")),
    ("audit.view", "core:notification_list", gettext_noop("通知记录")),
    ("i18n.translate", "core:i18n_content", gettext_noop("蒙古文内容")),
    ("i18n.report", "core:i18n_missing", gettext_noop("翻译缺失报告")),
    ("admin.site", "admin:index", gettext_noop("系统管理")),
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
    # The issuance window hands bundles' results over together: it reaches the bundle desk too.
    if has_capability(user, "case.deliver") and not has_capability(user, "case.accept"):
        after = next(n for n, item in enumerate(items) if item["url"] == reverse("cases:issue_desk"))
        items.insert(after + 1, {"url": reverse("bundles:desk"), "label": _("一件事窗口"), "active": False})
    # A hotline handling unit answers its cards without seeing the supervision figures.
    if has_capability(user, "supervision.answer") and not has_capability(user, "supervision.view"):
        items.append({"url": reverse("supervision:card_list"), "label": _("黄牌红牌"), "active": False})
    # The longest matching prefix is the current page: /catalog/changes/ is not also 事项库 (/catalog/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}

"""Roles of DESIGN §1 and the capabilities each holds.

A capability is a verb on a kind of thing. Department scope (which department's data a user sees)
is applied on top, in ``policies``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    CLERK = "clerk", _("综窗受理员")
    REVIEWER = "reviewer", _("部门审批员")
    CHIEF_REP = "chief_rep", _("首席代表")
    ISSUER = "issuer", _("出证员")
    HELPER = "helper", _("帮办代办员")
    OPERATOR = "operator", _("话务员")
    HANDLER = "handler", _("承办单位")
    ADMIN = "admin", _("政数局管理员")
    INSPECTOR = "inspector", _("监察员")


STAFF_ROLES = frozenset(Role) - {Role.APPLICANT}
# Roles whose work spans every department: they are not limited to their own subtree.
CENTRE_WIDE_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR})

CAPABILITY_LABELS: dict[str, str] = {
    "department.view": "查看部门",
    "department.manage": "新建和维护部门",
    "staff.view": "查看本部门人员",
    "staff.manage": "新建和维护工作人员账号",
    "applicant.view": "查看申请人信息",
    "applicant.manage": "登记申请人",
    "applicant.self": "查看本人信息",
    "calendar.view": "查看工作日历",
    "calendar.manage": "调整工作日历",
    "audit.view": "查看审计日志",
    "i18n.report": "查看翻译缺失报告",
    "i18n.translate": "维护事项、文书、证照和显示屏的蒙古文内容",
    "token.manage": "管理接口令牌",
    "admin.site": "使用系统管理后台",
    "catalog.view": "查看事项库（含未公开信息）",
    "catalog.propose": "提出本部门事项的新增、变更和取消申请",
    "catalog.approve": "审核事项变更申请并发布新版本",
    "catalog.manage": "维护事项清单、导入导出事项",
    "case.apply": "在线申请办件（本人）",
    "case.intake": "窗口接件、代为申请",
    "case.accept": "受理、不予受理、一次性告知补正",
    "case.review": "审查并作出决定（本部门）",
    "case.extend": "批准延期（本部门负责人）",
    "case.deliver": "综合出证窗口送达办理结果",
    "credit.clear": "修复失信记录（恢复告知承诺资格）",
    "bundle.manage": "定义、发布和停用一件事",
    "seal.manage": "制作和停用部门电子印章",
    "licence.issue": "签发本部门电子证照",
    "licence.revoke": "注销本部门电子证照（部门负责人）",
    "hall.serve": "在窗口签到、叫号和办结",
    "hall.issue": "为来访群众取号（导办、窗口）",
    "hall.book": "网上取号和预约（本人）",
    "hall.manage": "维护大厅、窗口、业务类别、潮汐规则和预约时段",
    "hall.figures": "查看大厅等候和服务统计",
    "ratings.view": "查看好差评统计和评价",
    "ratings.rectify": "回访核实和整改本部门的差评",
    "ratings.appeal": "对本部门的评价提出申诉",
    "ratings.decide": "复核申诉、督办超期整改",
    "ratings.publish": "公开评价结果",
    "hotline.intake": "12345热线受理来电来信、直接答复",
    "hotline.dispatch": "12345派单、审核退单、回访、维护派单目录",
    "hotline.handle": "签收、办理和答复本单位的12345工单",
    "hotline.knowledge": "维护12345知识库",
    "hotline.view": "查看12345工单和统计",
    "hotline.open311": "通过Open311接口提交和跟踪12345诉求（接口令牌即api_key）",
    "supervision.view": "查看效能监察统计、排名和报告",
    "supervision.card": "发出黄牌红牌、审核部门的说明和整改",
    "supervision.answer": "答复本部门的黄牌红牌（说明原因和整改措施）",
    "supervision.sample": "抽查事项、登记检查结果",
    "supervision.rank": "设置评比权重，评选示范窗口和服务标兵",
}

_STAFF_BASE = {"department.view", "staff.view", "calendar.view", "catalog.view"}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    # A third-party app files 12345 requests through Open311 with the API token of its own applicant account.
    Role.APPLICANT: frozenset(
        {"applicant.self", "calendar.view", "case.apply", "hall.book", "hotline.open311"}
    ),
    Role.CLERK: frozenset(
        _STAFF_BASE
        | {"applicant.view", "applicant.manage", "case.intake", "case.accept", "case.deliver"}
        | {"hall.serve", "hall.issue"}
    ),
    Role.REVIEWER: frozenset(
        _STAFF_BASE | {"applicant.view", "catalog.propose", "case.review", "licence.issue", "ratings.rectify"}
    ),
    Role.CHIEF_REP: frozenset(
        _STAFF_BASE
        | {
            "applicant.view",
            "catalog.propose",
            "case.intake",
            "case.accept",
            "case.review",
            "case.extend",
            "licence.issue",
            "licence.revoke",
            "hall.serve",
            "hall.issue",
            "hall.figures",
            "ratings.view",
            "ratings.rectify",
            "ratings.appeal",
            "hotline.handle",
            "hotline.view",
            "supervision.view",
            "supervision.answer",
        }
    ),
    Role.ISSUER: frozenset(_STAFF_BASE | {"applicant.view", "case.deliver", "hall.serve", "hall.issue"}),
    Role.HELPER: frozenset(
        _STAFF_BASE | {"applicant.view", "applicant.manage", "case.intake", "hall.serve", "hall.issue"}
    ),
    # 12345线下窗口: the hotline's agents also serve at the hall's hotline window.
    Role.OPERATOR: frozenset(
        _STAFF_BASE
        | {"hall.serve", "hotline.intake", "hotline.dispatch", "hotline.knowledge", "hotline.view"}
    ),
    Role.HANDLER: frozenset(_STAFF_BASE | {"hotline.handle", "hotline.view", "supervision.answer"}),
    Role.ADMIN: frozenset(set(CAPABILITY_LABELS) - {"applicant.self", "case.apply", "hall.book"}),
    Role.INSPECTOR: frozenset(
        _STAFF_BASE
        | {"applicant.view", "audit.view", "hall.figures", "ratings.view", "hotline.view"}
        | {"supervision.view", "supervision.card", "supervision.sample"}
    ),
}


def capabilities_of(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())

"""What each role's home page (工作台) says: its duties and where its work starts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yichuang.accounts.roles import Role

ROLE_HOME: dict[str, dict[str, str]] = {
    Role.APPLICANT: {
        "title": _("我的办事"),
        "duties": _("查找办事指南、在线申请、查询办理进度、领取结果、评价服务、拨打12345。"),
    },
    Role.CLERK: {
        "title": _("综窗受理员工作台"),
        "duties": _(
            "在综合窗口无差别受理各类事项：对照审核要点核验材料，出具受理、不予受理或一次性补正告知，"
            "将办件流转至部门审批。"
        ),
    },
    Role.REVIEWER: {
        "title": _("部门审批员工作台"),
        "duties": _("在后台审批区审查本部门办件，作出决定并制作审批结果。"),
    },
    Role.CHIEF_REP: {
        "title": _("首席代表工作台"),
        "duties": _("代表本部门在政务服务中心现场决定即办件，协调联办件。"),
    },
    Role.ISSUER: {
        "title": _("出证员工作台"),
        "duties": _("在综合出证窗口统一发放或寄递审批结果。"),
    },
    Role.HELPER: {
        "title": _("帮办代办员工作台"),
        "duties": _("为老年人、残疾人和重点项目提供帮办代办，代为申请并跟踪办件。"),
    },
    Role.OPERATOR: {
        "title": _("12345话务员工作台"),
        "duties": _("受理来电诉求，依据知识库直接答复，或按派单目录派发工单。"),
    },
    Role.HANDLER: {
        "title": _("承办单位工作台"),
        "duties": _("签收12345工单，办理并答复，按时办结。"),
    },
    Role.ADMIN: {
        "title": _("政数局管理员工作台"),
        "duties": _("维护部门、人员、事项目录与清单、窗口、工作日历和一件事，监督全中心运行。"),
    },
    Role.INSPECTOR: {
        "title": _("电子监察工作台"),
        "duties": _("监督办件与工单时限，发出黄牌预警和红牌督办，开展部门排名。"),
    },
}

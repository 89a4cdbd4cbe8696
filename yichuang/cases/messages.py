"""Messages to the applicant on every change of a case's status (SMS to the phone on record, else e-mail
to the applicant's account), through the one notification interface (``core.notifications``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings

from yichuang.cases.models import Case, CaseStatus
from yichuang.core.notifications import notify, register_template

TEMPLATE = "case.status_changed"
register_template(
    TEMPLATE,
    "【{centre}】{name}，您申请的“{item}”（办件编号{number}）{status}。{hint}查询进度：{url}",
    subject="办件进度通知：{number}",
)

# What the applicant should do or expect next, by the state the case moved to.
_HINTS: dict[str, str] = {
    CaseStatus.SUBMITTED: "我们将尽快审核您的申请材料。",
    CaseStatus.CORRECTION: "请按一次性告知书补正材料后重新提交。",
    CaseStatus.ACCEPTED: "请留意后续办理进度。",
    CaseStatus.REFUSED: "不予受理的理由和救济途径见不予受理通知书。",
    CaseStatus.IN_REVIEW: "",
    CaseStatus.SPECIAL_PROCEDURE: "特别程序所需时间不计入办理时限，详见特别程序告知书。",
    CaseStatus.APPROVED: "办理结果正在制作。",
    CaseStatus.DENIED: "不予许可的理由和救济途径见决定书。",
    CaseStatus.RESULT_READY: "请凭身份证件到综合出证窗口领取，或等待邮寄送达。",
    CaseStatus.CLOSED: "感谢您的办理，欢迎对本次服务作出评价。",
    CaseStatus.WITHDRAWN: "",
    CaseStatus.TERMINATED: "终止理由见办件详情。",
    CaseStatus.REVOKED: "撤销理由见办件详情。",
}


_HELD: ContextVar[bool] = ContextVar("case_messages_held", default=False)


@contextlib.contextmanager
def case_messages_held() -> Iterator[None]:
    """Within the block, steps send no message of their own: the caller (a bundle moving several cases at
    once) tells the applicant once."""
    token = _HELD.set(True)
    try:
        yield
    finally:
        _HELD.reset(token)


def case_status_notify(case: Case) -> None:
    """Queue the message for the case's new status (sent after the transaction commits)."""
    if _HELD.get():
        return
    from yichuang.cases.notices import case_track_url

    applicant = case.applicant
    if applicant.phone:
        channel, to = "sms", applicant.phone
    elif applicant.user_id and applicant.user and applicant.user.email:
        channel, to = "email", applicant.user.email
    else:
        return  # nobody to tell; the timeline still shows it
    notify(
        channel=channel,
        to=to,
        template=TEMPLATE,
        context={
            "centre": settings.YICHUANG_CENTRE_NAME,
            "name": applicant.name,
            "item": case.item_version.name,
            "number": case.number,
            "status": CaseStatus(case.status).label,
            "hint": _HINTS.get(case.status, ""),
            "url": case_track_url(case),
        },
        related=case,
    )

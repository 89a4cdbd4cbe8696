"""Exchange: the ratings of a period in the provincial payload shape (JSON, one object per rating).

The field names, codes and formats are listed in ``docs/ratings.md`` (section "Exchange"); ``FIELDS`` below
is that table in code. Times are ISO 8601 with the +08:00 offset; the rater's identity leaves only masked
(name ``王**``, ID number and credit code ``1508**********1234``, phone ``138****8000``). Ratings removed
after an upheld appeal are exported too, marked ``valid: false`` with ``removedAt``, so a receiver that had
them can drop them.

Reads in two queries per page (the count and the page), whatever the page size.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from yichuang.core.masking import mask_id_number, mask_name, mask_phone
from yichuang.ratings.figures import day_start, period_check
from yichuang.ratings.models import Evaluation, Rectification, SubjectKind

EXPORT_LIMIT = 5000

# 评价人类型 (applicant type): 1 自然人, 2 法人.
APPLICANT_TYPES = {"natural": "1", "legal": "2"}
# 办件类型: 1 即办件, 2 承诺件 (a 联办件 has a promised time limit: 2).
CASE_KINDS = {"immediate": "1", "promised": "2", "joint": "2"}
# 评价渠道.
CHANNEL_CODES = {"online": "1", "mobile": "2", "window": "4", "kiosk": "5", "hotline": "6"}
# 评价对象: 1 办件（一事一评）, 2 大厅窗口服务（一次一评）, 3 12345工单.
SUBJECT_TYPES: dict[str, str] = {
    SubjectKind.CASE: "1",
    SubjectKind.HALL_TICKET: "2",
    SubjectKind.HOTLINE_TICKET: "3",
}

# (field, meaning) — the order of the objects' keys; docs/ratings.md explains each.
FIELDS: tuple[tuple[str, str], ...] = (
    ("ratingId", "评价编号（本系统内唯一）"),
    ("subjectType", "评价对象"),
    ("deptCode", "被评价部门统一社会信用代码"),
    ("deptName", "被评价部门名称"),
    ("areaCode", "行政区划代码"),
    ("hallCode", "大厅编码"),
    ("windowNo", "窗口编号"),
    ("staffNo", "被评价人员工号"),
    ("caseNo", "办件编号"),
    ("itemCode", "事项实施编码"),
    ("itemName", "事项名称"),
    ("applicantType", "申请人类型"),
    ("caseKind", "办件类型"),
    ("channel", "评价渠道"),
    ("serviceTime", "服务时间"),
    ("ratingTime", "评价时间"),
    ("level", "评价等级"),
    ("scores", "分项评价"),
    ("comment", "评价内容"),
    ("isBad", "是否差评"),
    ("realName", "是否实名评价"),
    ("rater", "评价人（脱敏）"),
    ("rectification", "差评整改"),
    ("valid", "是否有效"),
    ("removedAt", "删除时间"),
)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in local time with its offset (``2026-11-23T09:25:00+08:00``)."""
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


def _rectification(rectification: Rectification | None) -> dict[str, Any] | None:
    if rectification is None:
        return None
    return {
        "status": rectification.status,
        "openedAt": iso(rectification.opened_at),
        "dueDate": rectification.due_date.isoformat(),
        "reached": rectification.reached,
        "factsConfirmed": rectification.facts_confirmed,
        "calledBackAt": iso(rectification.called_back_at),
        "rectifiedAt": iso(rectification.rectified_at),
        "answeredAt": iso(rectification.answered_at),
        "escalatedAt": iso(rectification.escalated_at),
        "closedAt": iso(rectification.closed_at),
        "raterLevel": rectification.rater_level,
    }


def rating_payload(evaluation: Evaluation) -> dict[str, Any]:
    """One rating as the province receives it (the rater masked)."""
    department = evaluation.department
    item = evaluation.item
    staff = evaluation.staff
    rectification = getattr(evaluation, "rectification", None) if evaluation.is_bad else None
    return {
        "ratingId": str(evaluation.pk),
        "subjectType": SUBJECT_TYPES.get(evaluation.subject_kind, ""),
        "deptCode": department.credit_code or "",
        "deptName": department.name,
        "areaCode": department.division_code,
        "hallCode": evaluation.hall_code,
        "windowNo": evaluation.window_number,
        "staffNo": staff.username if staff is not None else "",
        "caseNo": evaluation.case_number,
        "itemCode": item.implementation_code if item is not None else "",
        "itemName": item.name if item is not None else "",
        "applicantType": APPLICANT_TYPES.get(evaluation.rater_kind, ""),
        "caseKind": CASE_KINDS.get(evaluation.case_kind, ""),
        "channel": CHANNEL_CODES.get(evaluation.channel, ""),
        "serviceTime": iso(evaluation.served_at),
        "ratingTime": iso(evaluation.rated_at),
        "level": evaluation.level,
        "scores": dict(evaluation.scores or {}),
        "comment": evaluation.comment,
        "isBad": evaluation.is_bad,
        "realName": evaluation.is_real_name,
        "rater": {
            "name": mask_name(evaluation.rater_name),
            "idNumber": mask_id_number(evaluation.rater_id_number),
            "creditCode": mask_id_number(evaluation.rater_credit_code),
            "phone": mask_phone(evaluation.rater_phone),
        },
        "rectification": _rectification(rectification),
        "valid": evaluation.status == "valid",
        "removedAt": iso(evaluation.removed_at),
    }


def export_queryset(*, start: dt.date, end: dt.date) -> QuerySet[Evaluation]:
    """Every rating (valid or removed) given on the local days ``start`` to ``end``, oldest first."""
    period_check(start, end)
    return (
        Evaluation.objects.filter(
            rated_at__gte=day_start(start), rated_at__lt=day_start(end + dt.timedelta(days=1))
        )
        .select_related("department", "staff", "item", "rectification")
        .order_by("rated_at", "pk")
    )


def ratings_export(
    *, start: dt.date, end: dt.date, offset: int = 0, limit: int = EXPORT_LIMIT
) -> dict[str, Any]:
    """One page of the period's ratings: ``{"start", "end", "total", "offset", "count", "items"}``."""
    ratings = export_queryset(start=start, end=end)
    offset = max(offset, 0)
    limit = min(max(limit, 1), EXPORT_LIMIT)
    items = [rating_payload(evaluation) for evaluation in ratings[offset : offset + limit]]
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "total": ratings.count(),
        "offset": offset,
        "count": len(items),
        "items": items,
    }

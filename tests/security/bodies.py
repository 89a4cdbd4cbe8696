"""Valid inputs for the API operations that validate their input before checking who calls.

ninja validates a request's body and query parameters before the handler runs, so an empty body (or a GET
without its required parameters) answers 422 to every signed-in user and proves nothing about the
capability. For those operations the matrix sends the request built here instead: a minimal valid JSON body,
query string or multipart upload made from the world's records (keys as in ``access.py``). Allowed principals
must then get past validation (a 422 is reported as a problem); refused ones must still get 401/403/404 with
nothing written. A state change an allowed principal makes is rolled back with its savepoint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.targets import DEPARTMENT, MISSING

# A one-page PDF, enough for the upload endpoints' content sniffing.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CSV = "名称,事项类型\n测试事项,行政许可\n".encode()


@dataclass(frozen=True)
class Request:
    """What the matrix sends besides the URL: a JSON body, a query string, or a multipart form with files
    (``files``: field → (file name, content, content type); a fresh upload is made for every request)."""

    json: dict[str, Any] | None = None
    query: dict[str, Any] | None = None
    form: dict[str, Any] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None


def _uscc(prefix17: str) -> str:
    from stdnum.cn import uscc

    return prefix17 + uscc.calc_check_digit(prefix17)


def _ric(prefix17: str) -> str:
    from stdnum.cn import ric

    return prefix17 + ric.calc_check_digit(prefix17 + "0")  # it skips the last character


def collect(t: dict[str, Any]) -> dict[str, Any]:
    """Values the bodies need beyond the URL arguments of ``targets.collect`` (queried once per run)."""
    from yichuang.accounts.models import Department, User
    from yichuang.cases.models import Case, CaseMaterial
    from yichuang.core.i18n import content
    from yichuang.hall.models import ServiceCategory, Window
    from yichuang.hotline.models_taxonomy import DirectoryEntry
    from yichuang.licences.models import Licence
    from yichuang.ratings.models import Evaluation

    dept = Department.objects.get(name=DEPARTMENT)
    material = CaseMaterial.objects.filter(case_id=t["case_id"]).order_by("pk").first()
    window = Window.objects.filter(pk=t["window_id"]).first()
    other_window = (
        Window.objects.filter(hall_id=window.hall_id).exclude(pk=window.pk).order_by("pk").first()
        if window
        else None
    )
    entry = DirectoryEntry.objects.filter(pk=t["entry_id"]).select_related("category").first()
    licence = Licence.objects.filter(pk=t["licence_id"]).first()
    category = ServiceCategory.objects.filter(hall__code=t["hall_code"]).order_by("pk").first()
    rated = Evaluation.objects.filter(subject_kind="case").values("subject_id")
    closed = (
        Case.objects.filter(applicant__user__username="applicant", status="closed", closed_at__isnull=False)
        .exclude(pk__in=rated)
        .order_by("pk")
        .first()
    )
    open_case = (
        Case.objects.filter(applicant__user__username="applicant", closed_at__isnull=True)
        .order_by("pk")
        .first()
    )
    i18n_kind = i18n_key = i18n_field = "none"
    for source in content.sources():
        obj = next(iter(source.objects()), None)
        if obj is not None and obj.fields:
            i18n_kind, i18n_key, i18n_field = obj.kind, obj.key, obj.fields[0].field
            break
    return {
        "department_id": dept.pk,
        "case_material_id": material.pk if material else MISSING,
        "other_window_id": other_window.pk if other_window else MISSING,
        "clerk_id": User.objects.get(username="clerk").pk,
        "category_path": entry.category.path if entry else "none",
        "division_code": entry.division_code if entry else "",
        "licence_data": dict(licence.data) if licence else {},
        "hall_category_id": category.pk if category else MISSING,
        "closed_case_id": closed.pk if closed else MISSING,
        "open_case_id": open_case.pk if open_case else MISSING,
        "i18n_kind": i18n_kind,
        "i18n_key": i18n_key,
        "i18n_field": i18n_field,
    }


Builder = Callable[[dict[str, Any]], Request]

_REASON = {"reason": "权限矩阵测试"}


def _directory(v: dict[str, Any]) -> Request:
    return Request(
        json={"category_path": v["category_path"], "division_code": "150824", "lead": v["department_id"]}
    )


def _article(v: dict[str, Any]) -> Request:
    return Request(json={"question": "权限矩阵测试问题？", "answer": "权限矩阵测试答复。"})


# Keyed like ``access.ACCESS``; ``v`` holds ``targets.collect()`` and ``collect()`` merged.
BODIES: dict[str, Builder] = {
    "GET /api/v1/hall/figures": lambda v: Request(query={"hall": v["hall_code"]}),
    "GET /api/v1/hotline/directory/lookup": lambda v: Request(
        query={"category_path": v["category_path"], "division_code": v["division_code"]}
    ),
    "GET /api/v1/i18n/content/object": lambda v: Request(
        query={"kind": v["i18n_kind"], "key": v["i18n_key"]}
    ),
    "GET /api/v1/ratings/export": lambda v: Request(query={"start": "2026-01-01", "end": "2026-12-31"}),
    "GET /api/v1/supervision/figures/cases": lambda v: Request(
        query={"dimension": "department", "key": v["department_id"], "metric": "submitted"}
    ),
    "POST /api/v1/applicants": lambda v: Request(
        json={"kind": "natural", "name": "矩阵测试", "id_number": _ric("15082419900101123")}
    ),
    "POST /api/v1/bundles/applications/": lambda v: Request(
        json={
            "bundle": v["bundle_code"],
            "applicant_id": v["applicant_id"],
            "channel": "online",
            "answers": {},
            "form": {},
        }
    ),
    "POST /api/v1/bundles/applications/<pk>/check-materials": lambda v: Request(json={"findings": []}),
    "POST /api/v1/bundles/applications/<pk>/deliver": lambda v: Request(
        json={"method": "pickup", "recipient": "李秀英"}
    ),
    "POST /api/v1/bundles/definitions/": lambda v: Request(
        json={
            "code": "matrix-test",
            "name": "权限矩阵测试一件事",
            "event_kind": "personal",
            "event": "测试",
            "lead_department": v["department_id"],
            "promised_days": 5,
        }
    ),
    "POST /api/v1/cases/": lambda v: Request(
        json={"item_id": v["item_id"], "applicant_id": v["applicant_id"], "channel": "online"}
    ),
    "POST /api/v1/cases/<case_id>/decide": lambda v: Request(json={"decision": "deny", **_REASON}),
    "POST /api/v1/cases/<case_id>/deliver": lambda v: Request(
        json={"method": "pickup", "recipient": "李秀英"}
    ),
    "POST /api/v1/cases/<case_id>/extensions": lambda v: Request(json={"days": 5, **_REASON}),
    "POST /api/v1/cases/<case_id>/files": lambda v: Request(
        files={"file": ("a.pdf", PDF, "application/pdf")}
    ),
    "POST /api/v1/cases/<case_id>/materials": lambda v: Request(
        json={"findings": [{"case_material_id": v["case_material_id"], "state": "received"}]}
    ),
    "POST /api/v1/cases/<case_id>/refuse": lambda v: Request(json=dict(_REASON)),
    "POST /api/v1/cases/<case_id>/special-procedures": lambda v: Request(
        json={"kind": "expert_review", "days": 5, **_REASON}
    ),
    "POST /api/v1/cases/credit-marks/<mark_id>/clear": lambda v: Request(json=dict(_REASON)),
    "POST /api/v1/cases/extensions/<extension_id>/decide": lambda v: Request(
        json={"approve": False, "note": "权限矩阵测试"}
    ),
    "POST /api/v1/cases/verifications/<verification_id>": lambda v: Request(
        json={"truthful": True, "findings": "现场核查属实"}
    ),
    "POST /api/v1/catalog/change-requests": lambda v: Request(
        json={
            "kind": "edit",
            "item_id": v["item_id"],
            "elements": {"legal_basis": "《中华人民共和国行政许可法》"},
            **_REASON,
        }
    ),
    "POST /api/v1/catalog/imports": lambda v: Request(files={"file": ("items.csv", CSV, "text/csv")}),
    "POST /api/v1/catalog/lists/<kind>/adjustments": lambda v: Request(
        json={"item_id": v["item_id"], "action": "include", **_REASON}
    ),
    "POST /api/v1/departments": lambda v: Request(
        json={
            "parent_id": v["department_id"],
            "name": "权限矩阵测试科",
            "kind": "agency",
            "division_code": "150824",
            "credit_code": _uscc("11150824MA0000000"),
        }
    ),
    "POST /api/v1/hall/appointments": lambda v: Request(
        json={
            "category_id": v["hall_category_id"],
            "day": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
            "starts_at": "09:00",
            "holder_name": "李秀英",
            "id_number": _ric("15082419800101002"),
            "phone": "13900000001",
        }
    ),
    "POST /api/v1/hall/windows/<window_id>/hand-over": lambda v: Request(json={"to_clerk": v["clerk_id"]}),
    "POST /api/v1/hall/windows/<window_id>/transfer": lambda v: Request(
        json={"to_window": v["other_window_id"]}
    ),
    "POST /api/v1/hotline/directory": _directory,
    "POST /api/v1/hotline/knowledge": _article,
    "POST /api/v1/hotline/knowledge/<article_id>/retire": lambda v: Request(json=dict(_REASON)),
    "POST /api/v1/hotline/knowledge/<article_id>/versions": _article,
    "POST /api/v1/hotline/suggest": lambda v: Request(
        json={"content": "小区门口路灯坏了好几天，晚上看不见路"}
    ),
    "POST /api/v1/licences/<int:licence_id>/change": lambda v: Request(json={"data": v["licence_data"]}),
    "POST /api/v1/licences/mine/<int:licence_id>/authorisations": lambda v: Request(
        json={"case_id": v["open_case_id"]}
    ),
    "POST /api/v1/licences/seals": lambda v: Request(json={"department_id": v["department_id"]}),
    "POST /api/v1/ratings/appeals/<appeal_id>/decide": lambda v: Request(
        json={"uphold": False, "note": "权限矩阵测试"}
    ),
    "POST /api/v1/ratings/evaluations": lambda v: Request(
        json={"subject_kind": "case", "subject_id": v["closed_case_id"], "level": 5}
    ),
    "POST /api/v1/ratings/evaluations/<evaluation_id>/appeal": lambda v: Request(
        json={"ground": "mistaken", **_REASON}
    ),
    "POST /api/v1/ratings/rectifications/<rectification_id>/answer": lambda v: Request(
        json={"measure": "加强窗口值守", "answer": "已整改"}
    ),
    "POST /api/v1/ratings/rectifications/<rectification_id>/call-back": lambda v: Request(
        json={"reached": True, "facts_confirmed": True}
    ),
    "POST /api/v1/supervision/cards/<int:card_id>/answer": lambda v: Request(
        json={"reason": "人手不足", "fix": "增加审批人员"}
    ),
    "POST /api/v1/supervision/cards/<int:card_id>/review": lambda v: Request(json={"accept": True}),
    "POST /api/v1/supervision/sampling/draws": lambda v: Request(json={"year": 2026, "month": 1}),
    "POST /api/v1/supervision/sampling/items/<sampled_item_id>/inspection": lambda v: Request(
        json={"conclusion": "pass", "case_numbers": []}
    ),
    "PUT /api/v1/hotline/directory/<entry_id>": _directory,
    "PUT /api/v1/i18n/content": lambda v: Request(
        json={"kind": v["i18n_kind"], "key": v["i18n_key"], "field": v["i18n_field"], "text": "ᠲᠡᠰᠲ"}
    ),
}

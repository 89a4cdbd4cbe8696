"""Concrete URL arguments for the permission matrix, taken from the demo centre.

Each URL argument is filled from a record of the reviewers' department (市场监管局) where the record has a
department, and from the demo applicant's own records where it has an owner, so "own department" and
"own record" rules are exercised. A record kind the module's world does not hold falls back to an id that
does not exist (the URL is then only checked for "refused or absent, never a server error").
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

MISSING = 999_999
DEPARTMENT = "乌拉特中旗市场监督管理局"


def _pk(queryset: Any, **preferred: Any) -> int:
    row = queryset.filter(**preferred).order_by("pk").first() if preferred else None
    row = row or queryset.order_by("pk").first()
    return row.pk if row is not None else MISSING


def _value(queryset: Any, field: str, default: str = "none", **preferred: Any) -> str:
    row = queryset.filter(**preferred).order_by("pk").first() if preferred else None
    row = row or queryset.order_by("pk").first()
    if row is None:
        return default
    for part in field.split("."):
        row = getattr(row, part)
    return str(row)


def collect() -> dict[str, Any]:
    """Argument values by kind of record (queried once per module)."""
    from yichuang.accounts.models import Applicant, Department
    from yichuang.bundles.models import Bundle, BundleApplication, BundleNotice
    from yichuang.cases.models import (
        Case,
        CaseExtension,
        CaseFile,
        CaseNotice,
        CommitmentVerification,
        CreditMark,
    )
    from yichuang.catalog.models import (
        CatalogFile,
        CatalogImport,
        ChangeRequest,
        ItemList,
        ItemListVersion,
        ServiceItem,
    )
    from yichuang.hall.models import Appointment, Hall, Ticket, Window
    from yichuang.hall.selectors import ticket_token
    from yichuang.hotline.models_classifier import TrainedClassifier
    from yichuang.hotline.models_knowledge import KnowledgeArticle
    from yichuang.hotline.models_taxonomy import DirectoryEntry
    from yichuang.hotline.models_tickets import HotlineTicket
    from yichuang.licences.models import Licence, LicenceAuthorisation, Seal
    from yichuang.ratings.models import Appeal, Evaluation, Rectification
    from yichuang.supervision.models_cards import Card
    from yichuang.supervision.models_sampling import SampledItem, SampleDraw

    dept = Department.objects.get(name=DEPARTMENT)
    own = {"applicant__user__username": "applicant", "department": dept}
    case_id = _pk(Case.objects.filter(files__isnull=False, notices__isnull=False).distinct(), **own)
    if case_id == MISSING:
        case_id = _pk(Case.objects, **own)
    extension = CaseExtension.objects.filter(case__department=dept).order_by("status", "pk").first()
    verification = CommitmentVerification.objects.filter(case__department=dept).order_by("pk").first()
    authorisation = (
        LicenceAuthorisation.objects.filter(
            case__department=dept, withdrawn_at__isnull=True, valid_until__gt=timezone.now()
        )
        .order_by("pk")
        .first()
    )
    item_id = _pk(ServiceItem.objects.filter(kind="handling"), department=dept, current_version__isnull=False)
    t: dict[str, Any] = {
        "department_id": dept.pk,
        "applicant_id": _pk(Applicant.objects, user__username="applicant"),
        "case_id": case_id,
        "case_number": _value(Case.objects.filter(pk=case_id), "number"),
        "notice_id": _pk(CaseNotice.objects, case_id=case_id),
        "file_id": _pk(CaseFile.objects, case_id=case_id),
        "extension_id": extension.pk if extension else MISSING,
        "extension_case_id": extension.case_id if extension else MISSING,
        "verification_id": verification.pk if verification else _pk(CommitmentVerification.objects),
        "verification_case_id": verification.case_id if verification else MISSING,
        "authorisation_case_id": authorisation.case_id if authorisation else MISSING,
        "mark_id": _pk(CreditMark.objects),
        "item_id": item_id,
        "item_version": 1,
        "change_request_id": _pk(ChangeRequest.objects, department=dept),
        "import_id": _pk(CatalogImport.objects),
        "sha256": _value(CatalogFile.objects, "sha256"),
        "licence_id": _pk(Licence.objects, issuer=dept),
        "own_licence_id": _pk(Licence.objects, holder__user__username="applicant"),
        "seal_id": _pk(Seal.objects, department=dept),
        "authorisation": authorisation.reference if authorisation else "none",
        "bundle_code": _value(Bundle.objects, "code"),
        "bundle_id": _pk(Bundle.objects),
        "bundle_application_id": (
            bundle_application_id := _pk(BundleApplication.objects, applicant__user__username="applicant")
        ),
        "bundle_notice_id": _pk(BundleNotice.objects.filter(application_id=bundle_application_id)),
        "hall_code": _value(Hall.objects, "code"),
        "window_id": _pk(Window.objects),
        "ticket_id": (hall_ticket_id := _pk(Ticket.objects, status="waiting")),
        "ticket_token": ticket_token(hall_ticket_id) if hall_ticket_id != MISSING else "none",
        "appeal_id": _pk(Appeal.objects, evaluation__department=dept),
        "rectification_id": _pk(Rectification.objects, department=dept),
        "list_kind": (list_kind := _value(ItemList.objects, "kind", versions__isnull=False)),
        "list_version": _value(
            ItemListVersion.objects.filter(item_list__kind=list_kind), "number", default="none"
        ),
        "appointment_code": _value(Appointment.objects, "code"),
        "hotline_ticket_id": _pk(HotlineTicket.objects, lead=dept),
        "hotline_ticket_number": _value(HotlineTicket.objects, "number"),
        "article_id": _pk(KnowledgeArticle.objects),
        "entry_id": _pk(DirectoryEntry.objects),
        "classifier_id": _pk(TrainedClassifier.objects),
        "evaluation_id": _pk(Evaluation.objects, department=dept),
        "card_id": _pk(Card.objects, department=dept),
        "draw_id": _pk(SampleDraw.objects),
        "sampled_item_id": _pk(SampledItem.objects, department=dept),
    }
    return t


def kwargs_for(route: str, names: list[str], t: dict[str, Any]) -> dict[str, Any]:
    """Fill the named arguments of ``route`` (a Django route string) from the collected values."""
    out: dict[str, Any] = {}
    for name in names:
        out[name] = _one(route, name, t)
    return out


# Routes whose case must be the one that holds the other argument's record.
CASE_OF = {
    "review/extension/<int:extension_id>/": "extension_case_id",
    "review/verify/": "verification_case_id",
    "cases/<int:case_id>/licences/<str:reference>/": "authorisation_case_id",
}


def _one(route: str, name: str, t: dict[str, Any]) -> Any:
    if name == "case_id":
        for fragment, key in CASE_OF.items():
            if fragment in route:
                return t[key]
    simple = {
        "department_id": "department_id",
        "applicant_id": "applicant_id",
        "case_id": "case_id",
        "file_id": "file_id",
        "extension_id": "extension_id",
        "verification_id": "verification_id",
        "mark_id": "mark_id",
        "item_id": "item_id",
        "change_request_id": "change_request_id",
        "import_id": "import_id",
        "sha256": "sha256",
        "seal_id": "seal_id",
        "reference": "authorisation",
        "hall_code": "hall_code",
        "window_id": "window_id",
        "ticket_id": "hotline_ticket_id",
        "appeal_id": "appeal_id",
        "rectification_id": "rectification_id",
        "article_id": "article_id",
        "entry_id": "entry_id",
        "classifier_id": "classifier_id",
        "evaluation_id": "evaluation_id",
        "card_id": "card_id",
        "draw_id": "draw_id",
        "sampled_item_id": "sampled_item_id",
        "kind": "list_kind",
    }
    if name == "ticket_id" and route.startswith("api/v1/hall/"):
        return t["ticket_id"]
    if name == "licence_id":
        return t["own_licence_id"] if "mine" in route or route.startswith("my/") else t["licence_id"]
    if name == "notice_id":
        return t["bundle_notice_id"] if "bundles" in route else t["notice_id"]
    if name in simple:
        return t[simple[name]]
    if name == "number":
        if "by-number" in route:
            return t["case_number"]
        return t["list_version"] if "lists" in route else t["item_version"]
    if name == "pk":
        if "bundles/manage" in route:
            return t["bundle_id"]
        if "bundles" in route:
            return t["bundle_application_id"]
        return t["ticket_id"]  # the hall's and the terminal's numbers
    if name == "code":
        if "hall/halls" in route:
            return t["hall_code"]
        if "appointments" in route:
            return t["appointment_code"]
        return t["bundle_code"]
    if name == "year":
        return 2026
    if name == "month":
        return 1
    if name == "date":
        return "2026-10-08"
    if name == "fmt":
        return "pdf" if "reports" in route else "json"
    if name == "action":
        return "sign" if "hotline" in route else "call"
    if name == "token":
        return t["ticket_token"] if route.startswith("hall/") else "none"
    if name in {"service_request_id", "service_code"}:
        return t["hotline_ticket_number"] if name == "service_request_id" else "none"
    return MISSING

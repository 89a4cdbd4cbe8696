"""The licence catalogue again (migration 0003 seeds it) and a seal for every department of the demo
centre that issues licences. Idempotent: ``manage.py demo_load`` may run again."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yichuang.accounts.models import Applicant, Department, User
from yichuang.cases.models import Case
from yichuang.catalog.models import ServiceItem
from yichuang.licences.catalogue import licence_catalogue_seed
from yichuang.licences.issuing import holder_data_initial, licence_data_initial, result_licence_type
from yichuang.licences.models import Licence, LicenceType, Seal
from yichuang.licences.services import licence_issue, seal_create


def load_demo_licences(*, admin: User, out: Any = None) -> dict[str, int]:
    made = licence_catalogue_seed(LicenceType)
    seals = 0
    for department in Department.objects.filter(credit_code__gt="").order_by("path"):
        if department.kind not in ("agency", "institution"):
            continue  # departments and institutions issue licences; the centre, towns and companies do not
        if not Seal.objects.filter(department=department, retired_at__isnull=True).exists():
            seal_create(actor=admin, department=department)
            seals += 1
    if out is not None:
        out.write(f"licences: {LicenceType.objects.count()} licence types, {seals} new seals\n")
    return {"types": LicenceType.objects.count(), "new_types": made, "new_seals": seals}


def demo_case_result(case: Case) -> dict[str, Any]:
    """What a demo reviewer fills in when approving ``case``: the licence's data, the applicant's name and
    address where the type asks for them and a plausible value elsewhere."""
    licence_type = result_licence_type(case.item_version)
    if licence_type is None:
        return {}
    return {"licence": _filled(licence_type, licence_data_initial(case, licence_type))}


def _filled(licence_type: LicenceType, initial: dict[str, str]) -> dict[str, str]:
    """The initial values, and a date or a plausible example for every other data item."""
    today = timezone.localdate().isoformat()
    return {
        field["key"]: initial.get(field["key"])
        or (today if "日期" in field["label"] else f"{field['label']}（示例）")
        for field in licence_type.schema
    }


def demo_applicant_fits(item: ServiceItem, applicant: Applicant) -> bool:
    """Whether ``applicant`` may hold the licence ``item`` results in (a person, or a company)."""
    version = item.current_version
    licence_type = result_licence_type(version) if version is not None else None
    return licence_type is None or licence_type.holder_kind == applicant.kind


def load_demo_holdings(*, out: Any = None) -> int:
    """The demo company (login ``company``) holds its 营业执照 and 食品经营许可证, so 我的证照 shows them and
    its applications can use them (免证办). Idempotent."""
    company = Applicant.objects.filter(user__username="company").first()
    reviewer = User.objects.filter(username="reviewer").select_related("department").first()
    if company is None or reviewer is None or reviewer.department is None:
        return 0
    made = 0
    for name in ("营业执照", "食品经营许可证"):
        licence_type = LicenceType.objects.get(name=name)
        if Licence.objects.filter(holder=company, licence_type=licence_type).exists():
            continue
        data = _filled(licence_type, holder_data_initial(company, licence_type))
        licence_issue(
            actor=reviewer, licence_type=licence_type, holder=company, issuer=reviewer.department, data=data
        )
        made += 1
    if out is not None:
        out.write(f"licences: {made} licences for the demo company\n")
    return made

"""Reads of e-licences: a holder's own (亮证), a department's issued ones, and the 免证办 figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from yichuang.accounts.policies import department_scope
from yichuang.cases.models import CaseMaterial
from yichuang.catalog.models import ItemStatus, Material
from yichuang.core.errors import NotFoundError
from yichuang.core.permissions import has_capability
from yichuang.licences.models import Licence, LicenceType

_RELATED = ("licence_type", "issuer", "seal", "holder")


def licence_type_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(LicenceType.objects.filter(code__in=list(codes)).values_list("code", "name"))


def licences_held(actor: Any) -> QuerySet[Licence]:
    """The licences of the applicant the actor signs in as (every version and state, newest first)."""
    applicant = getattr(actor, "applicant", None) if getattr(actor, "is_authenticated", False) else None
    if applicant is None:
        return Licence.objects.none()
    return Licence.objects.filter(holder=applicant).select_related(*_RELATED).order_by("-issued_on", "-pk")


def licence_held(actor: Any, licence_id: int) -> Licence:
    licence = licences_held(actor).filter(pk=licence_id).first()
    if licence is None:
        raise NotFoundError("未找到该证照")
    return licence


def licences_issued(actor: Any) -> QuerySet[Licence]:
    """What the actor's department (and those under it) issued; the admin and inspector see all."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Licence.objects.none()
    rows = Licence.objects.select_related(*_RELATED).order_by("-issued_on", "-pk")
    if actor.role in ("admin", "inspector"):
        return rows
    if has_capability(actor, "licence.issue") or has_capability(actor, "licence.revoke"):
        return rows.filter(issuer__in=department_scope(actor))
    return Licence.objects.none()


def licence_issued(actor: Any, licence_id: int) -> Licence:
    licence = licences_issued(actor).filter(pk=licence_id).first()
    if licence is None:
        raise NotFoundError("未找到该证照")
    return licence


@dataclass(frozen=True)
class ItemExemption:
    """One line of the 免证办清单 with what real use made of it."""

    item_id: int
    item_name: str
    department: str
    replaceable: list[tuple[str, str]]  # (material name, licence type name)
    cases: int
    materials: int  # case materials of those cases
    by_licence: int  # … satisfied by an e-licence

    @property
    def share(self) -> float:
        return self.by_licence / self.materials if self.materials else 0.0


def exemption_list() -> list[ItemExemption]:
    """The 免证办清单 (active items whose current version has materials a licence can replace) and, per
    item, the share of its cases' materials that e-licences satisfied."""
    materials = (
        Material.objects.filter(
            licence_type_code__gt="",
            version__item__status=ItemStatus.ACTIVE,
            version__item__current_version=F("version"),
        )
        .select_related("version__item__department")
        .order_by("version__item__department__path", "version__item_id", "position")
    )
    names = licence_type_names({m.licence_type_code for m in materials})
    lines: dict[int, dict[str, Any]] = {}
    for material in materials:
        item = material.version.item
        line = lines.setdefault(
            item.pk,
            {"item_name": material.version.name, "department": item.department.name, "replaceable": []},
        )
        line["replaceable"].append(
            (material.name, names.get(material.licence_type_code, material.licence_type_code))
        )
    use = {
        row["case__item_id"]: row
        for row in CaseMaterial.objects.filter(case__item_id__in=list(lines))
        .values("case__item_id")
        .annotate(
            cases=Count("case_id", distinct=True),
            materials=Count("pk"),
            by_licence=Count("pk", filter=Q(licence_identifier__gt="")),
        )
    }
    return [
        ItemExemption(
            item_id=item_id,
            cases=use.get(item_id, {}).get("cases", 0),
            materials=use.get(item_id, {}).get("materials", 0),
            by_licence=use.get(item_id, {}).get("by_licence", 0),
            **line,
        )
        for item_id, line in lines.items()
    ]

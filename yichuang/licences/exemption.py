"""免证办: a material that a licence type can replace is satisfied from a licence the applicant holds, so he
submits nothing. Each satisfied material records the licence's identifier, the provider it came from and
the holder's authorisation (用证授权), and the use is logged by the provider.

It happens at submission when the applicant agrees (``hooks.on_submitted``), or at the window when the
clerk fetches the licences with the applicant present (``case_fetch_licences``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yichuang.accounts.models import ApplicantKind
from yichuang.cases import policies as case_policies
from yichuang.cases.models import Case, CaseMaterial, CaseMaterialState, CaseStatus
from yichuang.cases.workflow import case_lock
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability
from yichuang.licences.models import AuthorisationChannel
from yichuang.licences.sharing import providers

# CaseMaterial.licence_identifier / licence_authorisation hold this much.
_REFERENCE_MAX = 120
# What a licence can still replace: the window has not taken the paper yet.
_OPEN = frozenset({CaseMaterialState.MISSING, CaseMaterialState.DEFICIENT})


@dataclass
class Exemption:
    satisfied: list[CaseMaterial] = field(default_factory=list)
    not_held: list[CaseMaterial] = field(default_factory=list)


def _holder_identifier(case: Case) -> str:
    applicant = case.applicant
    return applicant.id_number if applicant.kind == ApplicantKind.NATURAL else applicant.credit_code


def _channel(actor: Any) -> str:
    return AuthorisationChannel.ONLINE if has_capability(actor, "case.apply") else AuthorisationChannel.WINDOW


def _satisfy(actor: Any, case: Case, row: CaseMaterial, channel: str) -> bool:
    holder = _holder_identifier(case)
    for provider in providers():
        held = provider.held(type_code=row.material.licence_type_code, holder_identifier=holder)
        if not held:
            continue
        licence = held[0]
        if len(licence.identifier) > _REFERENCE_MAX:
            continue  # not an identifier this platform can record; ask the next provider
        reference = provider.authorise(actor=actor, licence=licence, case=case, channel=channel)
        if len(reference) > _REFERENCE_MAX:
            raise ApplicationError(
                f"{provider.label}返回的用证授权编号过长，无法记录", code="provider_reference"
            )
        provider.use(actor=actor, reference=reference, purpose=f"{case.number} 免证办：{row.material.name}")
        row.state = CaseMaterialState.EXEMPT
        row.note = f"免证办：已调取{licence.type_name}（{licence.issuer_name}）"
        row.licence_identifier = licence.identifier
        row.licence_provider = provider.name
        row.licence_authorisation = reference
        return True
    return False


def materials_from_licences(*, actor: Any, case: Case, materials: list[CaseMaterial]) -> Exemption:
    """Satisfy what the applicant's licences can replace (within the caller's transaction)."""
    channel, result = _channel(actor), Exemption()
    for row in materials:
        if not row.material.licence_type_code or row.state not in _OPEN:
            continue
        (result.satisfied if _satisfy(actor, case, row, channel) else result.not_held).append(row)
    if result.satisfied:
        CaseMaterial.objects.bulk_update(
            result.satisfied,
            ["state", "note", "licence_identifier", "licence_provider", "licence_authorisation"],
        )
        audit_record(
            actor=actor,
            action="case.materials_from_licences",
            obj=case,
            data={
                "number": case.number,
                "licences": {row.material.key: row.licence_identifier for row in result.satisfied},
                "authorisations": [row.licence_authorisation for row in result.satisfied],
            },
        )
    return result


def on_submitted(*, case: Case, actor: Any, options: dict[str, Any]) -> None:
    """The applicant agreed at submission: what cannot be fetched stays missing, for the window to take."""
    if not options.get("use_licences"):
        return
    try:
        materials_from_licences(actor=actor, case=case, materials=options["materials"])
    except (PermissionDeniedError, NotFoundError):
        return  # an intake helper may not record consent; the window fetches them at acceptance


@audited_atomic
def case_fetch_licences(*, actor: Any, case: Case) -> Exemption:
    """At the window, with the applicant present and agreeing: fetch what his licences replace."""
    case = case_lock(case)
    case_policies.require_can_accept(actor, case)
    if case.status not in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION):
        raise ConflictError("只有待受理的办件可以调取电子证照", code="not_receiving")
    rows = list(
        CaseMaterial.objects.select_related("material").filter(case=case).order_by("material__position", "pk")
    )
    if not any(row.material.licence_type_code for row in rows):
        raise ApplicationError("该事项没有可用电子证照替代的材料", code="no_licence_materials")
    return materials_from_licences(actor=actor, case=case, materials=rows)

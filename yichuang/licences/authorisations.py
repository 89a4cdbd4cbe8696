"""用证授权: a holder lets the department handling one of his cases use one of his licences, for a
limited time, and every use under that consent is logged (``LicenceUse``) and audited.

- Online the holder grants it himself (his own licence, his own case); at a window the clerk records it
  with the applicant present (``case.accept``).
- A use needs an authorisation that is neither expired nor withdrawn, by someone who may see the case.
- The holder may withdraw an authorisation; what was already used stays logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yichuang.cases import policies as case_policies
from yichuang.cases.models import Case
from yichuang.cases.numbering import sequence_next
from yichuang.cases.workflow import OPEN_STATUSES
from yichuang.core.audit import audit_record
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.licences.models import AuthorisationChannel, Licence, LicenceAuthorisation, LicenceUse
from yichuang.licences.verification import licence_verify

DEFAULT_DAYS = 30


def authorisation_days() -> int:
    return int(getattr(settings, "YICHUANG_LICENCE_AUTHORISATION_DAYS", DEFAULT_DAYS))


def _require_may_grant(actor: Any, licence: Licence, case: Case, channel: str) -> None:
    if channel == AuthorisationChannel.ONLINE:
        if licence.holder.user_id is None or licence.holder.user_id != getattr(actor, "pk", None):
            raise NotFoundError("未找到该证照")
        case_policies.require_case_visible(actor, case)
    elif channel == AuthorisationChannel.WINDOW:
        case_policies.require_can_accept(actor, case)
    else:
        raise ApplicationError("授权方式无效", fields={"channel": ["无效"]})
    if case.applicant_id != licence.holder_id:
        raise PermissionDeniedError("只能授权本人（本单位）的办件使用本人（本单位）的证照")


@transaction.atomic
def authorisation_grant(
    *, actor: Any, licence: Licence, case: Case, channel: str, days: int | None = None
) -> LicenceAuthorisation:
    """Consent for ``case`` to use ``licence`` for ``days`` (default ``YICHUANG_LICENCE_AUTHORISATION_DAYS``).
    Granting again while one is in force returns it (a double submit makes one authorisation)."""
    case = Case.objects.select_related("applicant", "department").get(pk=case.pk)
    licence = Licence.objects.select_related("holder", "licence_type", "issuer", "seal").get(pk=licence.pk)
    _require_may_grant(actor, licence, case, channel)
    if case.status not in OPEN_STATUSES:
        raise ConflictError("该办件已办结或已终止，不能授权用证", code="case_not_open")
    verdict = licence_verify(licence)
    if verdict.status != "valid":
        raise ConflictError(f"该证照{verdict.label}，不能授权使用", code="licence_not_valid")
    days = authorisation_days() if days is None else days
    if not 1 <= days <= 366:
        raise ApplicationError("授权期限应为 1 至 366 天", fields={"days": ["1 至 366 天"]})
    now = timezone.now()
    existing = (
        LicenceAuthorisation.objects.select_for_update()
        .filter(licence=licence, case=case, withdrawn_at__isnull=True, valid_until__gte=now)
        .first()
    )
    if existing is not None:
        return existing
    today = timezone.localdate()
    serial = sequence_next(key="licence-authorisation", day=today)
    authorisation = LicenceAuthorisation.objects.create(
        reference=f"SQ{today:%Y%m%d}{serial:06d}",
        licence=licence,
        case=case,
        channel=channel,
        granted_by=actor,
        granted_at=now,
        valid_until=now + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="licence.authorise",
        obj=authorisation,
        data={
            "reference": authorisation.reference,
            "identifier": licence.identifier,
            "case": case.number,
            "channel": channel,
            "valid_until": authorisation.valid_until.isoformat(),
        },
    )
    return authorisation


@transaction.atomic
def authorisation_withdraw(*, actor: Any, authorisation: LicenceAuthorisation) -> LicenceAuthorisation:
    """The holder takes his consent back; later uses are refused."""
    authorisation = (
        LicenceAuthorisation.objects.select_for_update()
        .select_related("licence__holder")
        .get(pk=authorisation.pk)
    )
    holder_user = authorisation.licence.holder.user_id
    if holder_user is None or holder_user != getattr(actor, "pk", None):
        raise NotFoundError("未找到该授权")
    if authorisation.withdrawn_at is not None:
        return authorisation
    authorisation.withdrawn_at = timezone.now()
    authorisation.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=actor,
        action="licence.authorisation_withdraw",
        obj=authorisation,
        data={"reference": authorisation.reference},
    )
    return authorisation


def licence_use(*, actor: Any, reference: str, purpose: str) -> Licence:
    """Read a licence under the authorisation ``reference``: logged, and refused once it has lapsed."""
    authorisation = (
        LicenceAuthorisation.objects.select_related(
            "case__applicant", "case__department", "licence__licence_type", "licence__issuer", "licence__seal"
        )
        .filter(reference=reference)
        .first()
    )
    if authorisation is None:
        raise NotFoundError("未找到该用证授权")
    case_policies.require_case_visible(actor, authorisation.case)
    now = timezone.now()
    if authorisation.withdrawn_at is not None:
        raise ConflictError("持证人已撤回该用证授权，请申请人重新授权", code="authorisation_withdrawn")
    if now > authorisation.valid_until:
        raise ConflictError("用证授权已过期，请申请人重新授权", code="authorisation_expired")
    LicenceUse.objects.create(
        authorisation=authorisation,
        used_by=actor if getattr(actor, "pk", None) else None,
        used_at=now,
        purpose=purpose[:200],
    )
    audit_record(
        actor=actor,
        action="licence.use",
        obj=authorisation.licence,
        data={"reference": reference, "case": authorisation.case.number, "purpose": purpose[:200]},
    )
    return authorisation.licence

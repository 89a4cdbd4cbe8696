"""Data-sharing providers (数据共享): where 免证办 looks for the licences an applicant holds.

A provider answers three questions: which valid licences of a type does this holder hold (``held``), may
this case use one (``authorise``: the holder's consent, time-limited, returns its reference), and read it
under that consent (``use``: logged, refused once the consent expired). ``LibraryProvider`` is the
platform's own licence library; others (a provincial licence hub, a civil-affairs marriage register …) are
classes with the same three methods named in ``YICHUANG_LICENCE_PROVIDERS`` (dotted paths, asked in
order).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from yichuang.core.crypto_fields import keyed_hash
from yichuang.licences import authorisations
from yichuang.licences.models import Licence, LicenceStatus
from yichuang.licences.verification import licence_verify


@dataclass(frozen=True)
class SharedLicence:
    """A licence as a provider describes it (enough to record it against a material)."""

    provider: str
    identifier: str
    type_code: str
    type_name: str
    holder_identifier: str
    issuer_name: str
    valid_until: dt.date | None
    data: dict[str, Any] = field(default_factory=dict)


class LicenceProvider(Protocol):
    name: str
    label: str

    def held(self, *, type_code: str, holder_identifier: str) -> list[SharedLicence]: ...

    def authorise(self, *, actor: Any, licence: SharedLicence, case: Any, channel: str) -> str: ...

    def use(self, *, actor: Any, reference: str, purpose: str) -> SharedLicence: ...


def _shared(licence: Licence) -> SharedLicence:
    return SharedLicence(
        provider=LibraryProvider.name,
        identifier=licence.identifier,
        type_code=licence.licence_type.code,
        type_name=licence.licence_type.name,
        holder_identifier=licence.holder_identifier,
        issuer_name=licence.issuer_name,
        valid_until=licence.valid_until,
        data=dict(licence.data),
    )


class LibraryProvider:
    """The platform's own licence library: licences it issued, checked cryptographically before use."""

    name = "library"
    label = "本平台电子证照库"

    def held(self, *, type_code: str, holder_identifier: str) -> list[SharedLicence]:
        if not holder_identifier:
            return []
        rows = (
            Licence.objects.select_related("licence_type", "issuer", "seal")
            .filter(
                licence_type__code=type_code,
                holder_identifier_hash=keyed_hash(holder_identifier),
                status=LicenceStatus.VALID,
            )
            .order_by("-issued_on", "-pk")
        )
        return [_shared(row) for row in rows if licence_verify(row).status == "valid"]

    def authorise(self, *, actor: Any, licence: SharedLicence, case: Any, channel: str) -> str:
        row = Licence.objects.select_related("licence_type", "issuer", "seal").get(
            identifier=licence.identifier
        )
        return authorisations.authorisation_grant(
            actor=actor, licence=row, case=case, channel=channel
        ).reference

    def use(self, *, actor: Any, reference: str, purpose: str) -> SharedLicence:
        return _shared(authorisations.licence_use(actor=actor, reference=reference, purpose=purpose))


@functools.cache
def _providers(paths: tuple[str, ...]) -> tuple[LicenceProvider, ...]:
    return tuple(import_string(path)() for path in paths)


def providers() -> tuple[LicenceProvider, ...]:
    paths = getattr(settings, "YICHUANG_LICENCE_PROVIDERS", None) or [
        "yichuang.licences.sharing.LibraryProvider"
    ]
    return _providers(tuple(paths))


def provider_named(name: str) -> LicenceProvider | None:
    return next((provider for provider in providers() if provider.name == name), None)

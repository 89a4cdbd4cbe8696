"""Verification (核验): is this licence what its issuer signed, and does it still hold?

Answers, in the order they are decided: ``unknown`` (no such licence, or the seal named is not one the
platform holds), ``unknown_issuer`` (the signature does not verify with the named seal's public key but the
content is the recorded one — signed by someone else), ``altered`` (the content differs from what was
signed), then ``revoked``, ``superseded``, ``expired``, ``not_yet_valid`` and ``valid``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from yichuang.licences import signing
from yichuang.licences.identifiers import identifier_valid
from yichuang.licences.models import Licence, LicenceStatus, Seal
from yichuang.licences.services import signed_content

VERDICT_LABELS = {
    "valid": "有效",
    "expired": "已过有效期",
    "not_yet_valid": "尚未生效",
    "revoked": "已注销",
    "superseded": "已变更（有新版本）",
    "altered": "内容被篡改",
    "unknown_issuer": "签发者不明（签名与印章不符）",
    "unknown": "查无此证照",
}


@dataclass(frozen=True)
class Verdict:
    status: str
    licence: Licence | None = None

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.status]


def _state(licence: Licence, today: dt.date) -> str:
    if licence.status == LicenceStatus.REVOKED:
        return "revoked"
    if licence.status == LicenceStatus.SUPERSEDED:
        return "superseded"
    if licence.valid_until is not None and today > licence.valid_until:
        return "expired"
    if today < licence.valid_from:
        return "not_yet_valid"
    return "valid"


def licence_verify(licence: Licence, *, today: dt.date | None = None) -> Verdict:
    """The stored licence, checked again cryptographically (a changed row reads as altered)."""
    content = signing.canonical(signed_content(licence))
    if signing.sm3_hex(content) != licence.digest:
        return Verdict("altered", licence)
    if not signing.verify(licence.seal.public_key, content, licence.signature):
        return Verdict("unknown_issuer", licence)
    return Verdict(_state(licence, today or timezone.localdate()), licence)


def licence_verify_identifier(identifier: str, *, today: dt.date | None = None) -> Verdict:
    identifier = (identifier or "").strip().upper()
    if not identifier_valid(identifier):
        return Verdict("unknown")
    licence = (
        Licence.objects.select_related("licence_type", "issuer", "seal").filter(identifier=identifier).first()
    )
    return licence_verify(licence, today=today) if licence is not None else Verdict("unknown")


def licence_verify_document(document: dict[str, Any], *, today: dt.date | None = None) -> Verdict:
    """A presented licence file (its signed content and signature, as ``licence_document`` exports it):
    checked against the named seal's public key, then against the record for its current state."""
    content = document.get("content")
    signature = str(document.get("signature", ""))
    if not isinstance(content, dict):
        return Verdict("unknown")
    seal_code, identifier = str(content.get("seal", "")), str(content.get("identifier", ""))
    if "\x00" in seal_code + identifier + signature:
        return Verdict("unknown")  # no code, identifier or signature has a NUL (nor may it reach a query)
    seal = Seal.objects.filter(code=seal_code).first()
    if seal is None:
        return Verdict("unknown_issuer")
    presented = signing.canonical(content)
    if not signing.verify(seal.public_key, presented, signature):
        # The recorded content, signed by another key, is a forged issuer; any other content is altered.
        recorded = Licence.objects.filter(identifier=identifier).first()
        same = recorded is not None and recorded.digest == signing.sm3_hex(presented)
        return Verdict("unknown_issuer" if same or recorded is None else "altered", recorded)
    verdict = licence_verify_identifier(identifier, today=today)
    if verdict.licence is not None and verdict.licence.signature != signature:
        return Verdict("altered", verdict.licence)
    return verdict


def licence_document(licence: Licence) -> dict[str, Any]:
    """The licence as a self-contained file anyone can verify offline with the published public key."""
    return {
        "format": "yichuang-licence/1",
        "content": signed_content(licence),
        "digest": licence.digest,
        "signature": licence.signature,
        "algorithm": "SM2-with-SM3",
        "public_key": licence.seal.public_key,
    }

"""The licences' translatable texts: each licence type's name and field labels (keyed by the type's national
code), and the fixed words of a licence's page. See ``yichuang.core.i18n.content``."""

from __future__ import annotations

from typing import Any

from yichuang.core.i18n.content import SourceField, SourceObject, register
from yichuang.licences.models import LicenceType

COMMON = "common"
# (field, what it is, the Chinese) — the words licence_pdf prints around the licence type's own fields.
COMMON_TEXTS: tuple[tuple[str, str, str], ...] = (
    ("number", "“证照编号”栏", "证照编号"),
    ("edition", "版本说明（第几版）", "第{version}版"),
    ("holder_natural", "“持证人”栏（自然人）", "持证人"),
    ("holder_legal", "“持证主体”栏（法人）", "持证主体"),
    ("id_number", "“公民身份号码”栏", "公民身份号码"),
    ("credit_code", "“统一社会信用代码”栏", "统一社会信用代码"),
    ("validity", "“有效期限”栏", "有效期限"),
    ("permanent", "长期有效", "长期"),
    ("issuer", "“发证机关”栏", "发证机关"),
    ("qr_caption", "二维码说明", "扫码核验"),
    ("translation_note", "译文说明", "本页是前面汉文证照的蒙古文译文，内容以汉文文本为准。"),
)


def _common() -> SourceObject:
    fields = tuple(
        SourceField(field, label, text, has_parameters="{" in text) for field, label, text in COMMON_TEXTS
    )
    return SourceObject(kind=LicenceSource.kind, key=COMMON, title="证照通用文字", fields=fields)


def type_object(licence_type: LicenceType) -> SourceObject:
    fields = [SourceField("name", "证照名称", licence_type.name)]
    for entry in licence_type.schema or []:
        if isinstance(entry, dict) and entry.get("key") and str(entry.get("label") or "").strip():
            fields.append(
                SourceField(f"field.{entry['key']}", f"照面信息项：{entry['label']}", str(entry["label"]))
            )
    return SourceObject(
        kind=LicenceSource.kind,
        key=licence_type.code,
        title=licence_type.name,
        fields=tuple(fields),
        note=licence_type.code,
    )


class LicenceSource:
    kind = "licence"
    label = "电子证照"
    position = 30

    def objects(self) -> list[SourceObject]:
        return [_common()] + [type_object(each) for each in LicenceType.objects.order_by("code")]

    def get(self, key: str) -> SourceObject | None:
        if key == COMMON:
            return _common()
        found = LicenceType.objects.filter(code=key).first()
        return type_object(found) if found is not None else None

    def describe(self, obj: Any) -> SourceObject:
        """``obj`` is a LicenceType, or ``"common"``."""
        if isinstance(obj, LicenceType):
            return type_object(obj)
        found = self.get(str(obj))
        if found is None:
            raise LookupError(f"unknown licence type {obj!r}")
        return found


register(LicenceSource())

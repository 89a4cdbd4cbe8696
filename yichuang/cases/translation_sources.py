"""The written notices' translatable texts: each kind's title and standard paragraphs (with their ``{fact}``
fields, kept in the translation), and the words every notice shares. See ``yichuang.core.i18n.content``."""

from __future__ import annotations

from typing import Any

from yichuang.cases.notices_pdf import (
    LAW,
    NOTICE_KINDS,
    QR_CAPTION,
    REMEDIES_TEMPLATE,
    body_templates,
    optional_sentence,
)
from yichuang.core.i18n.content import SourceField, SourceObject, register

COMMON = "common"
TRANSLATION_NOTE = "本页是前面汉文文书的蒙古文译文，内容以汉文文本为准。"
# The kinds a case issues (the bundle's own kinds are composed by the bundles app).
CASE_NOTICE_KINDS = tuple(kind for kind in NOTICE_KINDS if body_templates(kind))


def _common() -> SourceObject:
    return SourceObject(
        kind=NoticeSource.kind,
        key=COMMON,
        title="各类文书通用文字",
        fields=(
            SourceField("item_label", "“申请事项”栏", "申请事项"),
            SourceField("case_number_label", "“办件编号”栏", "办件编号"),
            SourceField("qr_caption", "二维码说明", QR_CAPTION),
            SourceField("law", "法律名称", LAW),
            SourceField("remedies", "救济途径", REMEDIES_TEMPLATE, has_parameters=True),
            SourceField("translation_note", "译文说明", TRANSLATION_NOTE),
        ),
    )


def _kind(kind: str) -> SourceObject:
    fields = [SourceField("title", "文书名称", NOTICE_KINDS[kind])]
    for number, template in enumerate(body_templates(kind), start=1):
        fields.append(
            SourceField(f"body.{number}", f"正文第{number}段", template, multiline=True, has_parameters=True)
        )
    optional = optional_sentence(kind)
    if optional is not None:
        fields.append(SourceField("body.optional", "正文补充句", optional[1], has_parameters=True))
    return SourceObject(kind=NoticeSource.kind, key=kind, title=NOTICE_KINDS[kind], fields=tuple(fields))


class NoticeSource:
    kind = "notice"
    label = "办件文书"
    position = 20

    def objects(self) -> list[SourceObject]:
        return [_common()] + [_kind(kind) for kind in CASE_NOTICE_KINDS]

    def get(self, key: str) -> SourceObject | None:
        if key == COMMON:
            return _common()
        return _kind(key) if key in CASE_NOTICE_KINDS else None

    def describe(self, obj: Any) -> SourceObject:
        """``obj`` is a notice kind (``"acceptance"``) or ``"common"``."""
        found = self.get(str(obj))
        if found is None:
            raise LookupError(f"unknown notice kind {obj!r}")
        return found


register(NoticeSource())

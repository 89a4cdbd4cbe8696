"""Reads of the content translations: what is translated, stale (待更新) or missing, per kind and object."""

from __future__ import annotations

from dataclasses import dataclass, field

from yichuang.core.i18n import content
from yichuang.core.i18n.models import ContentTranslation


@dataclass(frozen=True)
class FieldRow:
    field: content.SourceField
    state: str
    translation: ContentTranslation | None

    @property
    def text(self) -> str:
        return self.translation.text if self.translation is not None else ""

    @property
    def state_label(self) -> str:
        return content.STATE_LABELS[self.state]


@dataclass
class ObjectRow:
    obj: content.SourceObject
    fields: list[FieldRow]
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.counts = dict.fromkeys(content.STATES, 0)
        for row in self.fields:
            self.counts[row.state] += 1

    @property
    def state(self) -> str:
        """The object's state: missing when a field is missing, else stale when one is, else translated."""
        for state in (content.MISSING, content.STALE):
            if self.counts[state]:
                return state
        return content.TRANSLATED

    @property
    def state_label(self) -> str:
        return content.STATE_LABELS[self.state]


@dataclass
class KindSummary:
    kind: str
    label: str
    objects: int = 0
    fields: int = 0
    translated: int = 0
    stale: int = 0
    missing: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.fields if self.fields else 100.0


def _translations(kind: str, language: str) -> dict[tuple[str, str], ContentTranslation]:
    rows = ContentTranslation.objects.filter(kind=kind, language=language).defer("source_text")
    return {(row.key, row.field): row for row in rows}


def _object_row(obj: content.SourceObject, rows: dict[tuple[str, str], ContentTranslation]) -> ObjectRow:
    fields = []
    for each in obj.fields:
        translation = rows.get((obj.key, each.field))
        fields.append(
            FieldRow(field=each, state=content.state_of(each, translation), translation=translation)
        )
    return ObjectRow(obj=obj, fields=fields)


def content_objects(*, language: str, kind: str | None = None) -> list[ObjectRow]:
    """Every translatable object (of ``kind``, or of all kinds) with the state of each of its fields."""
    result = []
    for source in content.sources():
        if kind and source.kind != kind:
            continue
        rows = _translations(source.kind, language)
        result += [_object_row(obj, rows) for obj in source.objects() if obj.fields]
    return result


def content_object(*, kind: str, key: str, language: str) -> ObjectRow | None:
    """One object with its fields' translations, or None when there is no such object."""
    source = content.source(kind)
    obj = source.get(key) if source is not None else None
    if obj is None:
        return None
    rows = {
        (row.key, row.field): row
        for row in ContentTranslation.objects.filter(kind=kind, key=key, language=language)
    }
    return _object_row(obj, rows)


def content_summary(objects: list[ObjectRow]) -> list[KindSummary]:
    """Counts per kind, in the sources' order (a kind with nothing to translate still shows)."""
    summaries = {
        source.kind: KindSummary(kind=source.kind, label=source.label) for source in content.sources()
    }
    for row in objects:
        summary = summaries[row.obj.kind]
        summary.objects += 1
        summary.fields += len(row.fields)
        summary.translated += row.counts[content.TRANSLATED]
        summary.stale += row.counts[content.STALE]
        summary.missing += row.counts[content.MISSING]
    return list(summaries.values())


def filter_objects(objects: list[ObjectRow], *, state: str = "", query: str = "") -> list[ObjectRow]:
    """Objects with at least one field in ``state`` (any state when blank) whose title, note or key
    contains ``query``."""
    query = query.strip().lower()
    chosen = []
    for row in objects:
        if state and not row.counts.get(state):
            continue
        if query and not any(query in text.lower() for text in (row.obj.title, row.obj.note, row.obj.key)):
            continue
        chosen.append(row)
    return chosen

"""What content can be translated, and the Mongolian of a piece of content as a page shows it.

Core knows no catalog, case or hall: each app describes its own translatable texts in a module named
``translation_sources.py`` that registers a :class:`ContentSource` (found with Django's autodiscovery, as the
admin finds ``admin.py``). A source lists its objects — an item, a notice kind, a licence type, a hall — each
with its fields and their Chinese, and describes one domain object (the guide's version, the board's hall) the
same way, so the admin screen, the Excel file and the pages all read the same fields.

The state of a field in a language: ``translated`` (a translation made from the Chinese as it reads now),
``stale`` (待更新: a translation made from Chinese that has changed since) or ``missing``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import string
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.html import conditional_escape, format_html
from django.utils.module_loading import autodiscover_modules
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from yichuang.core.i18n.languages import MONGOLIAN

DISCOVERY_MODULE = "translation_sources"

TRANSLATED = "translated"
STALE = "stale"
MISSING = "missing"
STATES = (MISSING, STALE, TRANSLATED)
STATE_LABELS = {TRANSLATED: "已翻译", STALE: "待更新", MISSING: "未翻译"}


def normalise(text: str) -> str:
    """The Chinese as compared: line ends unified, trailing blanks of each line and the ends trimmed."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def source_hash(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of a text with parameters (a notice's sentence, a board's "{number} 号窗口")."""
    names = set()
    try:
        for _literal, name, _spec, _conversion in string.Formatter().parse(text):
            if name is not None:
                names.add(name)
    except ValueError:
        return frozenset({"?"})
    return frozenset(names)


@dataclass(frozen=True)
class SourceField:
    """One translatable text of an object: ``field`` is stable, ``text`` is its Chinese now."""

    field: str
    label: str
    text: str
    group: str = ""  # a heading the guide panel and the screen group fields under (a gettext msgid)
    multiline: bool = False
    has_parameters: bool = False  # "{name}" fields to be kept in the translation

    @property
    def hash(self) -> str:
        return source_hash(self.text)

    @property
    def parameters(self) -> frozenset[str]:
        return placeholders(self.text) if self.has_parameters else frozenset()


@dataclass(frozen=True)
class SourceObject:
    kind: str
    key: str
    title: str
    fields: tuple[SourceField, ...]
    note: str = ""  # e.g. the item's department and code

    def field(self, name: str) -> SourceField | None:
        return next((each for each in self.fields if each.field == name), None)


class ContentSource(Protocol):
    kind: str
    label: str
    position: int

    def objects(self) -> Iterable[SourceObject]:
        """Every object of this kind that has something to translate, in the order the admin reads them."""
        ...

    def get(self, key: str) -> SourceObject | None:
        """One object by its key, with its current Chinese; None when there is no such object (any more)."""
        ...

    def describe(self, obj: Any) -> SourceObject:
        """The translatable fields of a domain object as a page shows it (e.g. one version of an item)."""
        ...


_sources: dict[str, ContentSource] = {}
_discovered = False
_lock = threading.Lock()


def register(source: ContentSource) -> ContentSource:
    _sources[source.kind] = source
    return source


def sources() -> list[ContentSource]:
    """The registered sources, in the order of their ``position``."""
    global _discovered
    if not _discovered:
        with _lock:
            if not _discovered:
                autodiscover_modules(DISCOVERY_MODULE)
                _discovered = True
    return sorted(_sources.values(), key=lambda source: (source.position, source.kind))


def source(kind: str) -> ContentSource | None:
    return next((each for each in sources() if each.kind == kind), None)


def kind_labels() -> dict[str, str]:
    return {each.kind: each.label for each in sources()}


# ---------------------------------------------------------------------------------------------------------
# A text as a page shows it


@dataclass(frozen=True)
class Rendition:
    """One field in the active language: the Mongolian when current, else the Chinese, marked.

    ``str()`` is the HTML a template prints: the Mongolian in ``<span lang="mn-Mong">``, the fallback in
    ``<span lang="zh-Hans" class="untranslated">`` (``data-state`` tells missing from stale), or the plain
    Chinese when the page is not in Mongolian."""

    field: str
    chinese: str
    mongolian: str = ""
    state: str = MISSING
    showing_mongolian: bool = False  # whether the page is in Mongolian at all
    multiline: bool = False
    label: str = ""
    group: str = ""
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # Beside a Chinese text that is already shown (the bilingual board), a missing Mongolian prints nothing
    # rather than the same Chinese again.
    blank_untranslated: bool = False

    @property
    def translated(self) -> bool:
        return self.state == TRANSLATED

    @property
    def text(self) -> str:
        """The text shown, without markup."""
        shown = self.mongolian if self.showing_mongolian and self.translated else self.chinese
        return fill(shown, self.values)

    def format(self, **values: Any) -> Rendition:
        """The same text with its ``{name}`` fields filled in (both the Mongolian and the Chinese)."""
        return dataclasses.replace(self, values={**self.values, **values})

    def __html__(self) -> SafeString:
        text = conditional_escape(self.text)
        if not self.showing_mongolian:
            return mark_safe(text)
        extra = " pre" if self.multiline else ""
        if self.blank_untranslated and not self.translated:
            return mark_safe("")
        if self.translated:
            return format_html('<span lang="mn-Mong" class="mongol-text{}">{}</span>', extra, text)
        return format_html(
            '<span lang="zh-Hans" class="untranslated{}" data-state="{}">{}</span>', extra, self.state, text
        )

    def __str__(self) -> str:
        return self.__html__()

    def __bool__(self) -> bool:
        return bool(self.chinese)


def fill(text: str, values: Mapping[str, Any]) -> str:
    if not values:
        return text
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), text)


class ContentTexts(Mapping[str, Rendition]):
    """The fields of one object in the active language; ``texts["name"]`` or ``{{ texts.name }}``. A field the
    object lacks gives an empty rendition, so a template never fails on a text nobody wrote."""

    def __init__(self, obj: SourceObject, renditions: dict[str, Rendition], showing_mongolian: bool) -> None:
        self.object = obj
        self._renditions = renditions
        self.showing_mongolian = showing_mongolian

    def __getitem__(self, name: str) -> Rendition:
        try:
            return self._renditions[name]
        except KeyError:
            return Rendition(field=name, chinese="", showing_mongolian=self.showing_mongolian)

    def __iter__(self) -> Iterator[str]:
        return iter(self._renditions)

    def __len__(self) -> int:
        return len(self._renditions)

    def __contains__(self, name: object) -> bool:
        return name in self._renditions

    def part(self, *parts: Any) -> Rendition:
        """``texts.part("material", key, "name")`` → the field ``material.<key>.name``."""
        return self[".".join(str(each) for each in parts)]

    def starting(self, prefix: str) -> list[Rendition]:
        return [rendition for name, rendition in self._renditions.items() if name.startswith(prefix)]

    @property
    def groups(self) -> list[tuple[str, list[Rendition]]]:
        """The fields under their group headings, in the source's order (the ungrouped ones first)."""
        grouped: dict[str, list[Rendition]] = {}
        for rendition in self._renditions.values():
            grouped.setdefault(rendition.group, []).append(rendition)
        return list(grouped.items())

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for rendition in self._renditions.values():
            counts[rendition.state] += 1
        return counts


def showing_mongolian(language: str | None = None) -> bool:
    return (language or get_language() or "").lower() == MONGOLIAN


def state_of(field: SourceField, row: Any | None) -> str:
    if row is None or not getattr(row, "text", ""):
        return MISSING
    return TRANSLATED if row.source_hash == field.hash else STALE


def texts_for(
    obj: SourceObject, *, language: str | None = None, only_translated: bool = False
) -> ContentTexts:
    """The object's fields in ``language`` (default: the active one), read with one query; with
    ``only_translated`` a field without a current translation prints nothing (see ``Rendition``)."""
    from yichuang.core.i18n.models import ContentTranslation

    language = (language or get_language() or "").lower()
    mongolian = showing_mongolian(language)
    rows: dict[str, Any] = {}
    if mongolian and obj.fields:
        rows = {
            row.field: row
            for row in ContentTranslation.objects.filter(kind=obj.kind, key=obj.key, language=MONGOLIAN).only(
                "field", "text", "source_hash"
            )
        }
    renditions = {}
    for each in obj.fields:
        row = rows.get(each.field)
        state = state_of(each, row)
        renditions[each.field] = Rendition(
            field=each.field,
            chinese=each.text,
            mongolian=row.text if row is not None else "",
            state=state,
            showing_mongolian=mongolian,
            multiline=each.multiline,
            label=each.label,
            group=each.group,
            blank_untranslated=only_translated,
        )
    return ContentTexts(obj, renditions, mongolian)


def describe(kind: str, obj: Any) -> SourceObject:
    found = source(kind)
    if found is None:
        raise LookupError(f"no translation source of kind {kind!r}")
    return found.describe(obj)

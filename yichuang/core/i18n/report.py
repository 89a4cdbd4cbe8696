"""Which msgids a language still lacks, per app, read from the language's ``django.po``.

The .po file is what ``makemessages`` extracted from the code and templates, so it lists every msgid with
the files that use it; a msgid counts as translated when every msgstr is filled and it is not fuzzy (the
same rule ``compilemessages`` applies). Only the standard library is used: the format is small.

A translation not yet checked by a native speaker carries the translator comment ``# draft`` (a ``# `` comment
survives ``makemessages``): it is compiled and shown like any other, and the report counts and lists it
apart, as 待母语审校 (awaiting native review). The reviewer confirms it by deleting that line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import to_locale

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')
DRAFT_MARK = "draft"  # the translator comment "# draft" above an entry


@dataclass(frozen=True)
class Message:
    msgid: str
    context: str = ""
    plural: str = ""
    translations: tuple[str, ...] = ()
    fuzzy: bool = False
    references: tuple[str, ...] = ()
    draft: bool = False

    @property
    def translated(self) -> bool:
        return bool(self.translations) and all(self.translations) and not self.fuzzy

    @property
    def awaiting_review(self) -> bool:
        """Translated, but only as a draft (``# draft``): shown, yet to be checked by a native speaker."""
        return self.translated and self.draft


@dataclass
class AppCoverage:
    app: str
    total: int = 0
    translated: int = 0
    missing: list[Message] = field(default_factory=list)
    drafts: list[Message] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def draft(self) -> int:
        return len(self.drafts)


@dataclass
class MissingReport:
    language: str
    po_path: Path
    is_source: bool = False
    found: bool = False
    total: int = 0
    translated: int = 0
    draft: int = 0
    apps: list[AppCoverage] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def missing_count(self) -> int:
        return self.total - self.translated

    @property
    def reviewed(self) -> int:
        """Translated and not (or no longer) a draft."""
        return self.translated - self.draft


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse_po(text: str) -> list[Message]:
    """The entries of a .po file, without the header and the obsolete (``#~``) ones."""
    messages: list[Message] = []
    entry: dict[str, str] = {}
    flags: set[str] = set()
    references: list[str] = []
    draft = False
    current: str | None = None

    def finish() -> None:
        nonlocal entry, flags, references, draft, current
        if "msgid" in entry and entry["msgid"] != "":
            translations = tuple(value for key, value in sorted(entry.items()) if key.startswith("msgstr"))
            messages.append(
                Message(
                    msgid=entry["msgid"],
                    context=entry.get("msgctxt", ""),
                    plural=entry.get("msgid_plural", ""),
                    translations=translations,
                    fuzzy="fuzzy" in flags,
                    references=tuple(references),
                    draft=draft,
                )
            )
        entry, flags, references, draft, current = {}, set(), [], False, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#:"):
            if "msgid" in entry:
                finish()
            references += [re.sub(r":\d+$", "", ref) for ref in line[2:].split()]
        elif line.startswith("#,"):
            if "msgid" in entry:
                finish()
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line == "#" or line.startswith("# "):
            if "msgid" in entry:
                finish()
            draft = draft or line[1:].strip() == DRAFT_MARK
        elif line.startswith("#"):
            continue
        elif match := _KEYWORD.match(line):
            keyword, value = match.groups()
            if keyword in ("msgctxt", "msgid") and ("msgstr" in entry or "msgstr[0]" in entry):
                finish()  # a new entry with no blank line before it
            current = keyword
            entry[keyword] = _unescape(value)
        elif (match := _CONTINUATION.match(line)) and current is not None:
            entry[current] += _unescape(match.group(1))
    finish()
    return messages


def app_of(reference: str) -> str:
    """The app a source file belongs to: ``yichuang/catalog/…`` → ``catalog``; ``templates/…`` →
    ``templates`` (the project's base templates); anything else by its top folder."""
    parts = Path(reference).parts
    if len(parts) >= 2 and parts[0] == "yichuang":
        return parts[1]
    return parts[0] if parts else "?"


def po_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / to_locale(language) / "LC_MESSAGES" / "django.po"


def missing_translations(*, language: str, path: Path | None = None) -> MissingReport:
    """Coverage of ``language`` overall and per app, with the msgids each app still lacks."""
    path = path or po_path(language)
    report = MissingReport(language=language, po_path=path, is_source=language == settings.LANGUAGE_CODE)
    if report.is_source or not path.is_file():
        return report
    report.found = True
    messages = parse_po(path.read_text(encoding="utf-8"))
    report.total = len(messages)
    report.translated = sum(message.translated for message in messages)
    report.draft = sum(message.awaiting_review for message in messages)
    apps: dict[str, AppCoverage] = defaultdict(lambda: AppCoverage(app=""))
    for message in messages:
        for app in sorted({app_of(reference) for reference in message.references} or {"?"}):
            coverage = apps[app]
            coverage.app = app
            coverage.total += 1
            if message.translated:
                coverage.translated += 1
                if message.draft:
                    coverage.drafts.append(message)
            else:
                coverage.missing.append(message)
    report.apps = sorted(apps.values(), key=lambda coverage: coverage.app)
    return report

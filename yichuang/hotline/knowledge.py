"""The knowledge base (知识库): who may read and edit it, its writes and its reads.

Policy: any staff member reads the published articles; the editors (``hotline.knowledge``) see every
article and create, revise, publish and retire them. Recording that an operator answered with an article
takes ``hotline.intake``.

Writes (one transaction and one audit event each):
- ``knowledge_create``: a new draft, version 1.
- ``knowledge_revise``: every edit of the content is a new ``KnowledgeVersion``; a published article stays
  published with its new content. A retired article is not revised. The editor names the version he
  edited (``base_version``), so of two editors working on the same version the second is told, instead of
  silently overwriting the first.
- ``knowledge_publish`` / ``knowledge_retire``: the moves of ``TRANSITIONS`` (draft → published → retired,
  a draft may be retired unpublished; retired is final). An article past its validity or answered by a
  deactivated department is not published.
- ``knowledge_shown`` (offered to an operator) and ``knowledge_used`` (an operator answered with it): the
  counts behind 采用率 = used ÷ offered. An article used without having been offered counts as offered
  too, so the rate never exceeds 100%. Offers are counted, not audited (one per keystroke pause).

Reads: the visible articles, one article, its versions and the difference of a version from the one
before it (line by line, changed lines with their changed characters), the stale articles (past their
validity, not revised for ``STALE_AFTER_DAYS``, or answered by a deactivated department) and 采用率.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Greatest
from django.utils import timezone

from yichuang.accounts.models import Department
from yichuang.core.audit import audit_record, audited_atomic
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hotline.knowledge_search import knowledge_index
from yichuang.hotline.models_knowledge import (
    KnowledgeArticle,
    KnowledgeSource,
    KnowledgeStatus,
    KnowledgeUse,
    KnowledgeVersion,
)
from yichuang.hotline.models_taxonomy import HotlineCategory

__all__ = [
    "STALE_AFTER_DAYS",
    "TRANSITIONS",
    "AdoptionFigures",
    "VersionDiff",
    "knowledge_adoption",
    "knowledge_create",
    "knowledge_get",
    "knowledge_list",
    "knowledge_publish",
    "knowledge_retire",
    "knowledge_revise",
    "knowledge_shown",
    "knowledge_stale_list",
    "knowledge_stale_reasons",
    "knowledge_used",
    "knowledge_version_diff",
    "knowledge_version_get",
    "knowledge_versions",
    "knowledge_visible",
    "may_edit",
    "may_read",
]

STALE_AFTER_DAYS = 365  # an article not revised for this long is due for review
MAX_QUESTION = 1000
MAX_ANSWER = 20000
MAX_REFERENCE = 200
MAX_NOTE = 200
MAX_TICKET_REF = 60
OFFER_SECONDS = 4 * 3600  # an offer key (one intake screen) counts each article once for this long
OFFER_CACHE_PREFIX = "hotline.knowledge.offered"

S = KnowledgeStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED, S.RETIRED}),
    S.PUBLISHED: frozenset({S.RETIRED}),
    S.RETIRED: frozenset(),
}
EDITABLE = frozenset({S.DRAFT, S.PUBLISHED})

STALE_LABELS = {
    "expired": "已过有效期",
    "unrevised": f"超过{STALE_AFTER_DAYS}天未修订",
    "department_inactive": "答复部门已撤销或停用",
}

# ——— policy ———


def may_read(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "is_staff_member", False)
    )


def may_edit(user: Any) -> bool:
    return has_capability(user, "hotline.knowledge")


def require_read(user: Any) -> None:
    if not may_read(user):
        raise PermissionDeniedError("只有工作人员可以查看知识库", extra={"needs": "staff"})


def require_edit(user: Any) -> None:
    require_capability(user, "hotline.knowledge", "您没有维护知识库的权限")


# ——— content ———


@dataclass(frozen=True)
class _Content:
    question: str
    answer: str
    category: HotlineCategory | None
    department: Department | None
    source_kind: str
    source_reference: str
    valid_until: dt.date | None

    def key(self) -> tuple[Any, ...]:
        return (
            self.question,
            self.answer,
            self.category.pk if self.category else None,
            self.department.pk if self.department else None,
            self.source_kind,
            self.source_reference,
            self.valid_until,
        )


CONTENT_FIELDS = (
    "question",
    "answer",
    "category",
    "department",
    "source_kind",
    "source_reference",
    "valid_until",
)


def _text(value: Any) -> str:
    """Trimmed, with Windows line ends made plain (so that a re-saved form is not a change)."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _clean(
    *,
    question: Any,
    answer: Any,
    category: HotlineCategory | None,
    department: Department | None,
    source_kind: Any,
    source_reference: Any,
    valid_until: dt.date | None,
    today: dt.date,
) -> _Content:
    fields: dict[str, list[str]] = {}
    question, answer = _text(question), _text(answer)
    reference = _text(source_reference)
    if not question:
        fields["question"] = ["请填写问题"]
    elif len(question) > MAX_QUESTION:
        fields["question"] = [f"问题不能超过{MAX_QUESTION}个字"]
    if not answer:
        fields["answer"] = ["请填写答复口径"]
    elif len(answer) > MAX_ANSWER:
        fields["answer"] = [f"答复口径不能超过{MAX_ANSWER}个字"]
    if source_kind not in KnowledgeSource.values:
        fields["source_kind"] = ["请选择来源：政策文件、部门答复或热线整理"]
    if len(reference) > MAX_REFERENCE:
        fields["source_reference"] = [f"来源说明不能超过{MAX_REFERENCE}个字"]
    if valid_until is not None and valid_until < today:
        fields["valid_until"] = ["有效期不能早于今天"]
    if department is not None and not department.is_active:
        fields["department"] = [f"{department.name}已撤销或停用，请改选现在负责答复的部门"]
    if fields:
        first = next(iter(fields.values()))[0]
        raise ApplicationError(first, code="invalid", fields=fields)
    return _Content(question, answer, category, department, str(source_kind), reference, valid_until)


def _content_of(article: KnowledgeArticle) -> _Content:
    return _Content(
        article.question,
        article.answer,
        article.category,
        article.department,
        article.source_kind,
        article.source_reference,
        article.valid_until,
    )


def _append_version(article: KnowledgeArticle, *, actor: Any, at: dt.datetime, note: str) -> KnowledgeVersion:
    return KnowledgeVersion.objects.create(
        article=article,
        number=article.version,
        question=article.question,
        answer=article.answer,
        category=article.category,
        department=article.department,
        source_kind=article.source_kind,
        source_reference=article.source_reference,
        valid_until=article.valid_until,
        edited_by=actor,
        edited_at=at,
        note=note,
    )


def _note(note: Any) -> str:
    text = _text(note)
    if len(text) > MAX_NOTE:
        raise ApplicationError(f"说明不能超过{MAX_NOTE}个字", fields={"note": [f"不能超过{MAX_NOTE}个字"]})
    return text


def _lock(article: KnowledgeArticle | int) -> KnowledgeArticle:
    pk = article if isinstance(article, int) else article.pk
    locked = (
        KnowledgeArticle.objects.select_for_update(of=("self",))
        .select_related("category", "department")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise NotFoundError("未找到该知识库文章")
    return locked


def _sync(target: KnowledgeArticle | int) -> None:
    """Leave the caller's instance as saved."""
    if isinstance(target, KnowledgeArticle):
        target.refresh_from_db()


# ——— writes ———


@audited_atomic
def knowledge_create(
    *,
    actor: Any,
    question: str,
    answer: str,
    category: HotlineCategory | None = None,
    department: Department | None = None,
    source_kind: str = KnowledgeSource.HOTLINE,
    source_reference: str = "",
    valid_until: dt.date | None = None,
    note: str = "",
) -> KnowledgeArticle:
    """A new draft article and its version 1."""
    require_edit(actor)
    content = _clean(
        question=question,
        answer=answer,
        category=category,
        department=department,
        source_kind=source_kind,
        source_reference=source_reference,
        valid_until=valid_until,
        today=timezone.localdate(),
    )
    note = _note(note) or "新建"
    now = timezone.now()
    article = KnowledgeArticle.objects.create(
        question=content.question,
        answer=content.answer,
        category=content.category,
        department=content.department,
        source_kind=content.source_kind,
        source_reference=content.source_reference,
        valid_until=content.valid_until,
        status=S.DRAFT,
        version=1,
        revised_at=now,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
    )
    _append_version(article, actor=actor, at=now, note=note)
    knowledge_index(article_ids=[article.pk])
    audit_record(
        actor=actor,
        action="hotline.knowledge_created",
        obj=article,
        data={"version": 1, "question": article.title, "source": article.source_label},
    )
    return article


@audited_atomic
def knowledge_revise(
    *,
    actor: Any,
    article: KnowledgeArticle | int,
    question: str,
    answer: str,
    category: HotlineCategory | None = None,
    department: Department | None = None,
    source_kind: str = KnowledgeSource.HOTLINE,
    source_reference: str = "",
    valid_until: dt.date | None = None,
    note: str = "",
    base_version: int | None = None,
) -> KnowledgeArticle:
    """Save an edit as a new version (the article keeps its status). ``base_version`` is the version the
    editor started from: if someone saved another one since, the edit is refused (409)."""
    require_edit(actor)
    locked = _lock(article)
    if locked.status not in EDITABLE:
        raise ConflictError("已停用的文章不能修订，如需恢复请新建文章", code="retired")
    if base_version is not None and base_version != locked.version:
        raise ConflictError(
            f"这篇文章已被修订为第{locked.version}版，请在最新版本上重新修改",
            code="version_conflict",
            extra={"current_version": locked.version},
        )
    content = _clean(
        question=question,
        answer=answer,
        category=category,
        department=department,
        source_kind=source_kind,
        source_reference=source_reference,
        valid_until=valid_until,
        today=timezone.localdate(),
    )
    before = _content_of(locked)
    if content.key() == before.key():
        raise ApplicationError("内容没有变化，无需保存新版本", code="unchanged")
    changed = [
        name for name, old, new in zip(CONTENT_FIELDS, before.key(), content.key(), strict=True) if old != new
    ]
    note = _note(note)
    now = timezone.now()
    for name in CONTENT_FIELDS:
        setattr(locked, name, getattr(content, name))
    locked.version += 1
    locked.revised_at = locked.updated_at = now
    locked.updated_by = actor
    locked.save(update_fields=[*CONTENT_FIELDS, "version", "revised_at", "updated_at", "updated_by"])
    _append_version(locked, actor=actor, at=now, note=note)
    knowledge_index(article_ids=[locked.pk])
    audit_record(
        actor=actor,
        action="hotline.knowledge_revised",
        obj=locked,
        data={"version": locked.version, "fields": changed, "note": note},
    )
    _sync(article)
    return locked


def _transition(
    *, actor: Any, article: KnowledgeArticle | int, to: str, reason: str = ""
) -> KnowledgeArticle:
    locked = _lock(article)
    if to not in TRANSITIONS[locked.status]:
        verbs: dict[str, str] = {S.PUBLISHED: "发布", S.RETIRED: "停用"}
        raise ConflictError(
            f"{locked.get_status_display()}的文章不能{verbs.get(to, to)}",
            code="invalid_transition",
            extra={"status": locked.status, "to": to},
        )
    now = timezone.now()
    if to == S.PUBLISHED:
        if locked.valid_until is not None and locked.valid_until < timezone.localdate():
            raise ConflictError("这篇文章已过有效期，请先修订有效期再发布", code="expired")
        if locked.department is not None and not locked.department.is_active:
            raise ConflictError(
                f"答复部门（{locked.department.name}）已撤销或停用，请先修订答复部门再发布",
                code="department_inactive",
            )
        locked.published_at = now
    else:
        locked.retired_at = now
    previous = locked.status
    locked.status = to
    locked.updated_at = now
    locked.updated_by = actor
    locked.save(update_fields=["status", "published_at", "retired_at", "updated_at", "updated_by"])
    audit_record(
        actor=actor,
        action=f"hotline.knowledge_{'published' if to == S.PUBLISHED else 'retired'}",
        obj=locked,
        data={"from": previous, "to": to, "version": locked.version, "reason": reason},
    )
    _sync(article)
    return locked


@audited_atomic
def knowledge_publish(*, actor: Any, article: KnowledgeArticle | int) -> KnowledgeArticle:
    """Draft → published: operators find it from now on."""
    require_edit(actor)
    return _transition(actor=actor, article=article, to=S.PUBLISHED)


@audited_atomic
def knowledge_retire(*, actor: Any, article: KnowledgeArticle | int, reason: str) -> KnowledgeArticle:
    """Published (or draft) → retired, with the reason: no longer offered, kept with its history."""
    require_edit(actor)
    reason = _text(reason)
    if not reason:
        raise ApplicationError("请填写停用原因", fields={"reason": ["必填"]})
    if len(reason) > MAX_NOTE:
        raise ApplicationError(
            f"停用原因不能超过{MAX_NOTE}个字", fields={"reason": [f"不能超过{MAX_NOTE}个字"]}
        )
    return _transition(actor=actor, article=article, to=S.RETIRED, reason=reason)


def knowledge_shown(article_ids: Iterable[int], *, actor: Any = None, offer_key: str = "") -> int:
    """Count the articles as offered to an operator; returns how many were counted.

    With ``offer_key`` (one intake screen: the same caller's matter), an article is counted once per key
    however often the live search offers it again while the operator types."""
    ids = list(dict.fromkeys(int(pk) for pk in article_ids))
    if offer_key:
        owner = getattr(actor, "pk", None) or 0
        scope = f"{OFFER_CACHE_PREFIX}:{owner}:{offer_key[:64]}"
        ids = [pk for pk in ids if cache.add(f"{scope}:{pk}", 1, OFFER_SECONDS)]
    if not ids:
        return 0
    return KnowledgeArticle.objects.filter(pk__in=ids).update(shown_count=F("shown_count") + 1)


@audited_atomic
def knowledge_used(article: KnowledgeArticle | int, actor: Any, ticket_ref: str = "") -> KnowledgeUse:
    """An operator answered the caller with this article (``ticket_ref``: the ticket, if any). Only a
    published article, still valid, may be used. Positional arguments are accepted (the intake screen's
    call, ``knowledge_used(article, actor, ticket_ref)``)."""
    require_capability(actor, "hotline.intake", "只有话务员可以记录采用知识库答复")
    ticket_ref = _text(ticket_ref)[:MAX_TICKET_REF]
    locked = _lock(article)
    if locked.status != S.PUBLISHED:
        raise ConflictError(f"{locked.get_status_display()}的文章不能用于答复", code="not_published")
    if locked.valid_until is not None and locked.valid_until < timezone.localdate():
        raise ConflictError("这篇文章已过有效期，不能用于答复", code="expired")
    # Counted as offered too when it was not (opened from the list): used ≤ offered.
    KnowledgeArticle.objects.filter(pk=locked.pk).update(
        use_count=F("use_count") + 1, shown_count=Greatest(F("shown_count"), F("use_count") + 1)
    )
    use = KnowledgeUse.objects.create(
        article=locked, version=locked.version, used_by=actor, used_at=timezone.now(), ticket_ref=ticket_ref
    )
    audit_record(
        actor=actor,
        action="hotline.knowledge_used",
        obj=locked,
        data={"version": locked.version, "ticket": ticket_ref},
    )
    locked.refresh_from_db(fields=["use_count", "shown_count"])
    _sync(article)
    return use


# ——— reads ———


def knowledge_visible(user: Any) -> QuerySet[KnowledgeArticle]:
    """The articles ``user`` may read: all for the editors, the published ones for other staff."""
    require_read(user)
    articles = KnowledgeArticle.objects.select_related("category", "department", "updated_by")
    return articles if may_edit(user) else articles.filter(status=S.PUBLISHED)


def knowledge_get(*, user: Any, article_id: int) -> KnowledgeArticle:
    article = knowledge_visible(user).filter(pk=article_id).first()
    if article is None:
        raise NotFoundError("未找到该知识库文章")
    return article


def knowledge_list(
    *,
    user: Any,
    status: str = "",
    category_id: int | None = None,
    department_id: int | None = None,
) -> QuerySet[KnowledgeArticle]:
    """The visible articles, most recently changed first, filtered (a category includes those below it)."""
    articles = knowledge_visible(user)
    if status:
        articles = articles.filter(status=status)
    if category_id is not None:
        category = HotlineCategory.objects.filter(pk=category_id).first()
        if category is None:
            return articles.none()
        articles = articles.filter(Q(category=category) | Q(category__path__startswith=category.path + "/"))
    if department_id is not None:
        articles = articles.filter(department_id=department_id)
    return articles.order_by("-updated_at", "-pk")


def knowledge_versions(article: KnowledgeArticle) -> list[KnowledgeVersion]:
    """Newest first."""
    return list(article.versions.select_related("edited_by", "category", "department").order_by("-number"))


def knowledge_version_get(article: KnowledgeArticle, number: int) -> KnowledgeVersion:
    version = (
        article.versions.select_related("edited_by", "category", "department").filter(number=number).first()
    )
    if version is None:
        raise NotFoundError(f"这篇文章没有第{number}版")
    return version


@dataclass
class DiffLine:
    op: str  # " " unchanged, "-" removed, "+" added
    parts: list[tuple[str, bool]]  # (text, changed)

    @property
    def text(self) -> str:
        return "".join(part for part, _changed in self.parts)


@dataclass
class FieldDiff:
    name: str
    label: str
    old: str
    new: str
    lines: list[DiffLine] = field(default_factory=list)


@dataclass
class VersionDiff:
    version: KnowledgeVersion
    previous: KnowledgeVersion | None
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.fields

    def unified(self) -> str:
        """The difference as text: one block per changed field, lines marked " ", "-" or "+"."""
        blocks = []
        for change in self.fields:
            lines = [f"{line.op} {line.text}".rstrip() for line in change.lines]
            blocks.append("\n".join([f"@@ {change.label} @@", *lines]))
        return "\n".join(blocks)


_FIELD_LABELS = {
    "question": "问题",
    "answer": "答复口径",
    "category": "分类",
    "department": "答复部门",
    "source": "来源",
    "valid_until": "有效期至",
}
# Below this similarity a changed line is shown as removed and added whole, not character by character.
_INLINE_MIN_RATIO = 0.3


def _inline(old: str, new: str) -> tuple[DiffLine, DiffLine]:
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    if matcher.ratio() < _INLINE_MIN_RATIO:
        return DiffLine("-", [(old, True)]), DiffLine("+", [(new, True)])
    removed: list[tuple[str, bool]] = []
    added: list[tuple[str, bool]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            removed.append((old[i1:i2], False))
            added.append((new[j1:j2], False))
            continue
        if i2 > i1:
            removed.append((old[i1:i2], True))
        if j2 > j1:
            added.append((new[j1:j2], True))
    return DiffLine("-", removed), DiffLine("+", added)


def line_diff(old: str, new: str) -> list[DiffLine]:
    """``difflib`` over lines; a line replaced by one line shows its changed characters (Chinese text has
    no spaces to diff words by, and an answer is often one long paragraph)."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [DiffLine(" ", [(text, False)]) for text in a[i1:i2]]
            continue
        removed, added = a[i1:i2], b[j1:j2]
        paired = min(len(removed), len(added)) if tag == "replace" else 0
        for old_line, new_line in zip(removed[:paired], added[:paired], strict=True):
            lines += _inline(old_line, new_line)
        lines += [DiffLine("-", [(text, True)]) for text in removed[paired:]]
        lines += [DiffLine("+", [(text, True)]) for text in added[paired:]]
    return lines


def _display(version: KnowledgeVersion | None) -> dict[str, str]:
    if version is None:
        return dict.fromkeys(_FIELD_LABELS, "")
    return {
        "question": version.question,
        "answer": version.answer,
        "category": version.category.path if version.category else "",
        "department": version.department.name if version.department else "",
        "source": version.source_label,
        "valid_until": version.valid_until.isoformat() if version.valid_until else "",
    }


def knowledge_version_diff(article: KnowledgeArticle, number: int) -> VersionDiff:
    """Version ``number`` against the one before it (version 1 against nothing: all of it added)."""
    version = knowledge_version_get(article, number)
    previous = knowledge_version_get(article, number - 1) if number > 1 else None
    old, new = _display(previous), _display(version)
    diff = VersionDiff(version=version, previous=previous)
    for name, label in _FIELD_LABELS.items():
        if old[name] == new[name]:
            continue
        diff.fields.append(FieldDiff(name, label, old[name], new[name], line_diff(old[name], new[name])))
    return diff


def _stale_condition(*, today: dt.date, now: dt.datetime) -> Q:
    unrevised_before = now - dt.timedelta(days=STALE_AFTER_DAYS)
    return Q(valid_until__lt=today) | Q(revised_at__lt=unrevised_before) | Q(department__is_active=False)


def knowledge_stale_list(*, user: Any, now: dt.datetime | None = None) -> QuerySet[KnowledgeArticle]:
    """Published articles the editors should review, longest unrevised first."""
    require_edit(user)
    now = now or timezone.now()
    today = timezone.localdate(now)
    return (
        KnowledgeArticle.objects.filter(status=S.PUBLISHED)
        .filter(_stale_condition(today=today, now=now))
        .select_related("category", "department", "updated_by")
        .order_by("revised_at", "pk")
    )


def knowledge_stale_reasons(article: KnowledgeArticle, *, now: dt.datetime | None = None) -> list[str]:
    """The codes of ``STALE_LABELS`` that apply to ``article`` (empty: current)."""
    now = now or timezone.now()
    reasons = []
    if article.valid_until is not None and article.valid_until < timezone.localdate(now):
        reasons.append("expired")
    if article.revised_at < now - dt.timedelta(days=STALE_AFTER_DAYS):
        reasons.append("unrevised")
    if article.department is not None and not article.department.is_active:
        reasons.append("department_inactive")
    return reasons


@dataclass
class AdoptionFigures:
    articles: int
    shown: int
    used: int

    @property
    def rate(self) -> float | None:
        """采用率 = used ÷ offered, None when nothing was offered."""
        return self.used / self.shown if self.shown else None


def knowledge_adoption(articles: QuerySet[KnowledgeArticle] | None = None) -> AdoptionFigures:
    """采用率 over ``articles`` (default: the published ones)."""
    if articles is None:
        articles = KnowledgeArticle.objects.filter(status=S.PUBLISHED)
    totals = articles.order_by().aggregate(shown=Sum("shown_count"), used=Sum("use_count"))
    return AdoptionFigures(
        articles=articles.order_by().count(),
        shown=int(totals["shown"] or 0),
        used=int(totals["used"] or 0),
    )

"""Seeding the knowledge base from departments' replies to citizens' messages (``replies.csv``: 留言编号,
留言用户, 留言主题, 留言时间, 留言详情, 答复意见, 答复时间).

Each reply becomes a published article: the question is the message's subject with a short excerpt of
its text, the answer the department's reply, the source "部门答复 <答复日期>". The key ``replies:<留言编号>``
makes the import idempotent: a message already imported is left as it is (an editor may have revised it).
Mobile and ID numbers in the texts are masked and the writer's platform name is removed. The category is
left empty (the file has none; the editors set it). The answering department is left empty too: the
reply names it only in free text.

The product never reads the file at run time: ``manage.py hotline_import_replies PATH`` does, once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from yichuang.core.audit import audit_batch, audit_record
from yichuang.core.masking import mask_text
from yichuang.hotline.knowledge import MAX_ANSWER, MAX_QUESTION
from yichuang.hotline.knowledge_search import knowledge_index
from yichuang.hotline.models_knowledge import (
    KnowledgeArticle,
    KnowledgeSource,
    KnowledgeStatus,
    KnowledgeVersion,
)

__all__ = ["ImportReport", "knowledge_import_replies", "replies_read", "reply_key"]

KEY_PREFIX = "replies:"
EXCERPT_LENGTH = 80
BATCH_SIZE = 500
_DATE_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
)


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    existing: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)  # "留言编号 …: why", the first few

    def summary(self) -> str:
        return (
            f"读取 {self.read} 条，新增 {self.created} 条，已导入过 {self.existing} 条，"
            f"跳过 {self.skipped} 条（主题或答复为空）"
        )


def reply_key(number: str) -> str:
    return f"{KEY_PREFIX}{number.strip()}"


def replies_read(path: str | Path, *, limit: int | None = None) -> Iterator[dict[str, str]]:
    """The file's rows as dicts (UTF-8, with or without a BOM), the first ``limit`` only if given."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows: Iterable[dict[str, str]] = csv.DictReader(handle)
        if limit is not None:
            rows = islice(rows, limit)
        yield from rows


def _date(value: str) -> dt.date | None:
    value = (value or "").strip()
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _clean_text(text: str, writer: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if writer:
        text = re.sub(rf"网友[“\"]?{re.escape(writer)}[”\"]?", "网友", text)
        text = text.replace(writer, "网友")
    return mask_text(text)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[:EXCERPT_LENGTH] + "…"


def reply_fields(row: Mapping[str, str]) -> dict[str, Any] | None:
    """The article's content from one row, or None when the row has no subject or no reply."""
    writer = (row.get("留言用户") or "").strip()
    subject = _clean_text(row.get("留言主题", ""), writer)
    detail = _clean_text(row.get("留言详情", ""), writer)
    answer = _clean_text(row.get("答复意见", ""), writer)
    if not subject or not answer:
        return None
    question = subject if not detail else f"{subject}\n{_excerpt(detail)}"
    answered = _date(row.get("答复时间", ""))
    return {
        "question": question[:MAX_QUESTION],
        "answer": answer[:MAX_ANSWER],
        "source_kind": KnowledgeSource.REPLY,
        "source_reference": answered.isoformat() if answered else "",
    }


def _import_batch(rows: list[tuple[str, dict[str, Any]]], *, actor: Any, report: ImportReport) -> None:
    with transaction.atomic(), audit_batch():
        keys = [key for key, _fields in rows]
        known = set(KnowledgeArticle.objects.filter(import_key__in=keys).values_list("import_key", flat=True))
        fresh = [(key, fields) for key, fields in rows if key not in known]
        report.existing += len(rows) - len(fresh)
        if not fresh:
            return
        now = timezone.now()
        articles = KnowledgeArticle.objects.bulk_create(
            [
                KnowledgeArticle(
                    **fields,
                    status=KnowledgeStatus.PUBLISHED,
                    version=1,
                    revised_at=now,
                    published_at=now,
                    import_key=key,
                    created_by=actor,
                    created_at=now,
                    updated_by=actor,
                    updated_at=now,
                )
                for key, fields in fresh
            ]
        )
        if any(article.pk is None for article in articles):  # a database without RETURNING
            by_key = dict(
                KnowledgeArticle.objects.filter(import_key__in=[key for key, _ in fresh]).values_list(
                    "import_key", "pk"
                )
            )
            for article in articles:
                article.pk = by_key[article.import_key]
        KnowledgeVersion.objects.bulk_create(
            [
                KnowledgeVersion(
                    article=article,
                    number=1,
                    question=article.question,
                    answer=article.answer,
                    source_kind=article.source_kind,
                    source_reference=article.source_reference,
                    edited_by=actor,
                    edited_at=now,
                    note="从部门答复导入",
                )
                for article in articles
            ]
        )
        knowledge_index(article_ids=[article.pk for article in articles])
        report.created += len(articles)
        audit_record(
            actor=actor,
            action="hotline.knowledge_imported",
            object_type="hotline.knowledgearticle",
            object_id=f"{fresh[0][0]}…{fresh[-1][0]}",
            data={"source": "replies.csv", "created": len(articles), "keys": [key for key, _ in fresh][:20]},
        )


def knowledge_import_replies(
    *, rows: Iterable[Mapping[str, str]], actor: Any = None, batch_size: int = BATCH_SIZE
) -> ImportReport:
    """Import the replies, ``batch_size`` per transaction (an interrupted import resumes where it stopped:
    what was committed is recognised by its key). ``actor`` None: the system."""
    report = ImportReport()
    batch: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for row in rows:
        report.read += 1
        number = (row.get("留言编号") or "").strip()
        fields = reply_fields(row) if number else None
        if fields is None:
            report.skipped += 1
            if len(report.problems) < 20:
                report.problems.append(f"留言编号 {number or '（空）'}：缺少编号、主题或答复")
            continue
        key = reply_key(number)
        if key in seen:  # the same message twice in the file
            report.existing += 1
            continue
        seen.add(key)
        batch.append((key, fields))
        if len(batch) >= batch_size:
            _import_batch(batch, actor=actor, report=report)
            batch = []
    if batch:
        _import_batch(batch, actor=actor, report=report)
    return report

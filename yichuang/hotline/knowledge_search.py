"""Knowledge-base search: a jieba-segmented inverted index in the database (``KnowledgeSearchEntry``), as the
catalog's (``yichuang.catalog.search``, whose segmenter and domain dictionary it shares).

Index: one posting ``(term, article, weight)`` per distinct term of every article, whatever its status (the
editors search drafts and retired ones too; the status and validity are filtered when querying). Terms of
the question weigh ``WEIGHT_QUESTION``, of the category and the answering department ``WEIGHT_LABELS``, of
the answer ``WEIGHT_ANSWER``: an article that asks what the caller asks comes before one that merely
mentions it in its answer. A word counts once per field (no term frequency), so a long answer does not
outweigh a short question. The answer keeps words of two or more characters only.

Query: segmented the same way, scored in SQL as ``SUM(weight × idf)`` over the postings of its terms, in
two steps so that a common word costs nothing: the rarest terms (within ``SCAN_BUDGET`` postings) find the
candidates, the commoner ones only add to their scores. Candidates whose question contains the whole query
come first. An operator's intake text may be long: the query is cut to ``MAX_QUERY_LENGTH`` characters and
``MAX_TERMS`` terms instead of being refused.

The SQL is plain SQL-92 plus ``COUNT(*) OVER ()``: SQLite (≥ 3.25) and PostgreSQL alike.

Public interface:
- ``knowledge_index(article_ids=...)``: rebuild the postings of some articles (every revision calls it).
- ``knowledge_rebuild_index(batch_size=...)``: rebuild them all.
- ``knowledge_search(query=..., ...)``: one page of ranked hits (published and current by default).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from yichuang.catalog.search import search_terms
from yichuang.core.errors import ApplicationError
from yichuang.hotline.models_knowledge import KnowledgeArticle, KnowledgeSearchEntry, KnowledgeStatus
from yichuang.hotline.models_taxonomy import HotlineCategory

__all__ = [
    "KnowledgeHit",
    "KnowledgeResults",
    "knowledge_index",
    "knowledge_rebuild_index",
    "knowledge_search",
    "knowledge_terms",
]

WEIGHT_QUESTION = 6.0
WEIGHT_LABELS = 2.0  # the category's names and the answering department's
WEIGHT_ANSWER = 1.0

MAX_QUERY_LENGTH = 300
MAX_TERMS = 30
MAX_LIMIT = 50
MAX_OFFSET = 500
CANDIDATES = 100
SCAN_BUDGET = 6000  # postings the candidate query may read; commoner terms only re-score candidates
TERM_MAX_LENGTH = 40  # KnowledgeSearchEntry.term
EXCERPT_LENGTH = 120
# A single character of a query that also has words: it may be part of a word the segmenter did not know
# (太高 → 太 高), so it counts, but less than a word.
QUERY_WEIGHT_CHARACTER = 0.3
# How callers phrase a matter, not what it is about: left out of a query that has other words, or an
# operator's "请问……怎么办" would find the articles that happen to ask 怎么办.
QUERY_FILLERS = frozenset(
    {
        "怎么办", "怎么", "怎样", "如何", "请问", "咨询", "反映", "投诉", "举报",
        "问题", "关于", "希望", "请求", "要求", "有关", "相关", "部门", "有关部门",
        "什么", "哪里", "哪个", "可以", "能否", "是否", "为什么", "为何", "我家",
        "我们", "本人", "你好", "您好", "谢谢", "一下", "一管", "请", "也",
        "一", "很", "都", "就", "还", "又", "吗", "呢", "啊",
        "吧", "了", "我", "你", "他", "她", "这", "那", "个",
        "要", "能", "会",
    }
)  # fmt: skip


def _normalise(text: str) -> str:
    """Full-width → half-width, lower case, no blanks: what the whole-query comparison uses."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def knowledge_terms(text: str, *, single_characters: bool = True) -> list[str]:
    """Index terms of ``text`` (the catalog's segmenter); long texts keep words of two characters or more."""
    terms = search_terms(text or "")
    if not single_characters:
        terms = [term for term in terms if len(term) > 1]
    return [term[:TERM_MAX_LENGTH] for term in terms]


# ——— index ———


def _article_weights(article: KnowledgeArticle) -> dict[str, float]:
    fields: list[tuple[str, float, bool]] = [
        (article.question, WEIGHT_QUESTION, True),
        (article.answer, WEIGHT_ANSWER, False),
    ]
    # Labels are short: their single characters count (住建局 is 住 建 局 to the segmenter).
    if article.category is not None:
        fields.append((article.category.path.replace("/", " "), WEIGHT_LABELS, True))
    if article.department is not None:
        fields.append((f"{article.department.name} {article.department.short_name}", WEIGHT_LABELS, True))
    weights: dict[str, float] = defaultdict(float)
    for text, weight, single_characters in fields:
        for term in knowledge_terms(text, single_characters=single_characters):
            weights[term] += weight
    return weights


def _postings(articles: Iterable[KnowledgeArticle]) -> list[tuple[str, int, float]]:
    return [
        (term, article.pk, round(weight, 3))
        for article in articles
        for term, weight in _article_weights(article).items()
    ]


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _insert(postings: list[tuple[str, int, float]]) -> None:
    sql = f"INSERT INTO {_table(KnowledgeSearchEntry)} (term, article_id, weight) VALUES (%s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(postings), 5000):
            cursor.executemany(sql, postings[start : start + 5000])


@transaction.atomic
def knowledge_index(*, article_ids: Iterable[int]) -> int:
    """Replace the postings of these articles; returns how many postings were written."""
    ids = list(article_ids)
    if not ids:
        return 0
    articles = KnowledgeArticle.objects.filter(pk__in=ids).select_related("category", "department")
    rows = _postings(articles)
    KnowledgeSearchEntry.objects.filter(article_id__in=ids).delete()
    _insert(rows)
    return len(rows)


def knowledge_rebuild_index(*, batch_size: int = 500) -> tuple[int, int]:
    """Rebuild every article's postings, ``batch_size`` articles per transaction: (articles, postings)."""
    if batch_size < 1:
        raise ApplicationError("批次大小应为正整数", fields={"batch_size": ["应大于0"]})
    articles = postings = 0
    last_pk = 0
    while True:
        batch = list(
            KnowledgeArticle.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            break
        postings += knowledge_index(article_ids=batch)
        articles += len(batch)
        last_pk = batch[-1]
    return articles, postings


# ——— query ———


@dataclass
class KnowledgeHit:
    article: KnowledgeArticle
    score: float
    question_parts: list[tuple[str, bool]]  # (text, matched) for highlighting
    excerpt_parts: list[tuple[str, bool]]


@dataclass
class KnowledgeResults:
    query: str
    total: int = 0
    hits: list[KnowledgeHit] = field(default_factory=list)
    offset: int = 0
    limit: int = 10
    terms: list[str] = field(default_factory=list)  # the query's terms found in the index

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def articles(self) -> list[KnowledgeArticle]:
        return [hit.article for hit in self.hits]


@dataclass
class _Filters:
    statuses: tuple[str, ...]
    current_on: dt.date | None
    category_ids: list[int] | None
    department_id: int | None

    def sql(self, params: list[Any]) -> str:
        """Conditions on the article ``a``, appending their parameters to ``params``."""
        conditions = [f"a.status IN {_in(list(self.statuses))}"]
        params += list(self.statuses)
        if self.current_on is not None:
            conditions.append("(a.valid_until IS NULL OR a.valid_until >= %s)")
            params.append(self.current_on)
        if self.category_ids is not None:
            conditions.append(f"a.category_id IN {_in(self.category_ids)}")
            params += self.category_ids
        if self.department_id is not None:
            conditions.append("a.department_id = %s")
            params.append(self.department_id)
        return " AND ".join(conditions)


def _in(values: list[Any]) -> str:
    return f"({', '.join(['%s'] * len(values))})"


def _weighted_sum(factors: dict[str, float]) -> tuple[str, list[Any]]:
    cases = " ".join(["WHEN %s THEN %s"] * len(factors))
    params: list[Any] = [value for term, factor in factors.items() for value in (term, factor)]
    return f"SUM(e.weight * CASE e.term {cases} ELSE 0 END)", params


def _document_frequencies(terms: list[str]) -> dict[str, int]:
    sql = (
        f"SELECT term, COUNT(*) FROM {_table(KnowledgeSearchEntry)} WHERE term IN {_in(terms)} GROUP BY term"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, terms)
        return {str(term): int(count) for term, count in cursor.fetchall()}


def _candidates(factors: dict[str, float], filters: _Filters, depth: int) -> tuple[dict[int, float], int]:
    """Scores of the best ``depth`` articles for ``factors``' terms, and how many match at all."""
    score, params = _weighted_sum(factors)
    terms = list(factors)
    params += terms
    condition = filters.sql(params)
    params.append(depth)
    sql = (
        f"SELECT e.article_id, {score} AS score, COUNT(*) OVER () AS matches "
        f"FROM {_table(KnowledgeSearchEntry)} e JOIN {_table(KnowledgeArticle)} a ON a.id = e.article_id "
        f"WHERE e.term IN {_in(terms)} AND {condition} "
        f"GROUP BY e.article_id ORDER BY score DESC, e.article_id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {int(row[0]): float(row[1]) for row in rows}, int(rows[0][2]) if rows else 0


def _boosts(factors: dict[str, float], article_ids: list[int]) -> dict[int, float]:
    if not factors or not article_ids:
        return {}
    score, params = _weighted_sum(factors)
    terms = list(factors)
    params += terms + article_ids
    sql = (
        f"SELECT e.article_id, {score} FROM {_table(KnowledgeSearchEntry)} e "
        f"WHERE e.term IN {_in(terms)} AND e.article_id IN {_in(article_ids)} GROUP BY e.article_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(article_id): float(value) for article_id, value in cursor.fetchall()}


def _category_ids(category_id: int | None) -> list[int] | None:
    """The category and every category below it."""
    if category_id is None:
        return None
    category = HotlineCategory.objects.filter(pk=category_id).first()
    if category is None:
        return []
    below = HotlineCategory.objects.filter(path__startswith=category.path + "/").values_list("pk", flat=True)
    return [category.pk, *below]


def _highlight(text: str, terms: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (part, matched) pieces, matched where the whole query or a query term of two
    characters or more is (``terms``: the query first, then its terms)."""
    words = sorted({term for term in terms if len(term) > 1}, key=len, reverse=True)
    if not text or not words:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def _excerpt(text: str, terms: list[str], length: int = EXCERPT_LENGTH) -> str:
    """About ``length`` characters of ``text`` around the first query word it contains."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    lowered = text.lower()
    found = [lowered.find(term) for term in terms if len(term) > 1]
    first = min((position for position in found if position >= 0), default=0)
    start = max(0, min(first - length // 4, len(text) - length))
    piece = text[start : start + length]
    return ("…" if start else "") + piece + ("…" if start + length < len(text) else "")


def _query_weights(query: str) -> dict[str, float]:
    """``{term: weight}`` of a query: its words (fillers left out when it has others), single characters
    weighing less when it has words, at most ``MAX_TERMS`` terms."""
    terms = knowledge_terms(query)
    meaningful = [term for term in terms if term not in QUERY_FILLERS] or terms
    has_words = any(len(term) > 1 for term in meaningful)
    weights = {term: QUERY_WEIGHT_CHARACTER if has_words and len(term) == 1 else 1.0 for term in meaningful}
    return dict(list(weights.items())[:MAX_TERMS])


def clean_paging(limit: int, offset: int) -> tuple[int, int]:
    if limit < 1:
        raise ApplicationError("每页条数应为正整数", fields={"limit": ["应大于0"]})
    if offset < 0:
        raise ApplicationError("起始位置不能为负数", fields={"offset": ["不能为负数"]})
    if offset > MAX_OFFSET:
        raise ApplicationError(
            f"最多只能翻看前{MAX_OFFSET}条结果，请换一个更具体的检索词",
            code="offset_too_large",
            fields={"offset": [f"不能超过{MAX_OFFSET}"]},
        )
    return min(limit, MAX_LIMIT), offset


def knowledge_search(
    *,
    query: str,
    limit: int = 10,
    offset: int = 0,
    category_id: int | None = None,
    department_id: int | None = None,
    statuses: Collection[str] = (KnowledgeStatus.PUBLISHED,),
    current_only: bool = True,
    today: dt.date | None = None,
) -> KnowledgeResults:
    """One page of articles matching ``query``, best first.

    By default only published articles still valid ``today`` (no ``valid_until`` or not passed); the
    editors widen ``statuses`` and turn ``current_only`` off. ``category_id`` includes its subcategories.
    An empty query finds nothing. Three or four queries.
    """
    limit, offset = clean_paging(limit, offset)
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    results = KnowledgeResults(query=query, offset=offset, limit=limit)
    if not query or not statuses:
        return results
    weights = _query_weights(query)
    frequencies = _document_frequencies(list(weights)) if weights else {}
    found = [term for term in weights if frequencies.get(term)]
    results.terms = found
    if not found:
        return results
    articles_indexed = max(KnowledgeArticle.objects.count(), 1)
    factors = {term: weights[term] * math.log(1 + articles_indexed / frequencies[term]) for term in found}
    selective: dict[str, float] = {}
    scanned = 0
    for term in sorted(found, key=lambda t: (frequencies[t], t)):
        if selective and scanned + frequencies[term] > SCAN_BUDGET:
            break
        selective[term] = factors[term]
        scanned += frequencies[term]
    others = {term: factor for term, factor in factors.items() if term not in selective}
    filters = _Filters(
        statuses=tuple(str(status) for status in statuses),
        current_on=(today or timezone.localdate()) if current_only else None,
        category_ids=_category_ids(category_id),
        department_id=department_id,
    )
    if filters.category_ids == []:
        return results
    scores, total = _candidates(selective, filters, max(CANDIDATES, offset + limit))
    for article_id, extra in _boosts(others, list(scores)).items():
        scores[article_id] += extra
    if not scores:
        return results
    articles = KnowledgeArticle.objects.select_related("category", "department").in_bulk(list(scores))
    wanted = _normalise(query)

    def rank(article_id: int) -> tuple[int, float, int]:
        article = articles[article_id]
        whole = len(wanted) > 1 and wanted in _normalise(article.question)
        return (0 if whole else 1, -scores[article_id], article_id)

    ordered = sorted((article_id for article_id in scores if article_id in articles), key=rank)
    results.total = max(total, len(ordered))
    marked = [query, *found] if " " not in query and len(query) <= TERM_MAX_LENGTH else found
    for article_id in ordered[offset : offset + limit]:
        article = articles[article_id]
        results.hits.append(
            KnowledgeHit(
                article=article,
                score=round(scores[article_id], 3),
                question_parts=_highlight(article.title, marked),
                excerpt_parts=_highlight(_excerpt(article.answer, marked), marked),
            )
        )
    return results

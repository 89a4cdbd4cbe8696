"""Catalog search: a jieba-segmented inverted index kept in the database (``SearchEntry``).

Index: one posting ``(term, item, weight)`` per distinct term of each active handling item that has a
current version. Terms come from the name and the words people use (``keywords``) with a high weight,
from the department and the parent main/sub items with a medium one, and from the result name and the
guide text with a low one. Retired items and main/sub items have no postings.

Query: the query is segmented the same way, expanded with ``SearchSynonym`` (开饭店 → 食品经营 餐饮),
and scored in SQL as ``SUM(weight × idf × query weight)`` over the postings of its terms. Terms found
in a large share of a large catalog are left out of that scan and only added to the scores of the top
candidates, so a common word costs nothing. The top candidates are re-ranked in Python: an exact name
(or 实施编码) first, then names containing the whole query, then by score, then by name.

Public interface:
- ``search_index_items(items=...)``: rebuild the postings of some items (called on every publication).
- ``search_rebuild_all(batch_size=...)``: rebuild the whole index (management command, bulk imports).
- ``search_items(query=..., limit=..., offset=..., department_id=...)``: one page of ranked hits.

The SQL is plain SQL-92 plus ``COUNT(*) OVER ()`` and runs unchanged on SQLite (≥ 3.25) and PostgreSQL.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jieba
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from yichuang.catalog.models import ItemKind, ItemStatus, SearchEntry, SearchSynonym, ServiceItem
from yichuang.core.errors import ApplicationError

jieba.setLogLevel(60)

__all__ = [
    "SearchResults",
    "search_index_items",
    "search_items",
    "search_rebuild_all",
    "search_synonyms",
    "search_synonyms_changed",
    "search_terms",
]

# ——— tuning ———

WEIGHT_NAME = 10.0
WEIGHT_KEYWORDS = 8.0
WEIGHT_DEPARTMENT = 3.0
WEIGHT_PARENT = 3.0
WEIGHT_RESULT = 3.0
WEIGHT_GUIDE = 1.0
WEIGHT_LEGAL_BASIS = 0.3
# A word the query did not contain but a synonym added counts a little less than the user's own.
QUERY_WEIGHT_OWN = 1.0
QUERY_WEIGHT_SYNONYM = 0.7

CANDIDATES = 200  # re-ranked in Python; deeper pages follow the SQL order
# Postings read with their weights per query: the rarest terms are scanned up to this many postings,
# the commoner ones only add to the scores of what those found. A query whose rarest term alone is
# over the budget (登记, 许可) is "broad": at most BROAD_SCAN of its postings are scored.
SCAN_BUDGET = 4000
BROAD_SCAN = 2000
MAX_QUERY_LENGTH = 100
MAX_TERMS = 40
MAX_LIMIT = 100
MAX_OFFSET = 2000
TERM_MAX_LENGTH = 40  # SearchEntry.term
SYNONYM_CACHE_KEY = "catalog.search.synonyms.v1"
SYNONYM_CACHE_SECONDS = 60
STATS_CACHE_KEY = "catalog.search.indexed_items.v1"
STATS_CACHE_SECONDS = 300

# Words of item names kept whole by the segmenter, so that index and query split them alike.
DOMAIN_WORDS = (
    "食品经营",
    "食品生产",
    "食品经营许可",
    "营业执照",
    "设立登记",
    "变更登记",
    "注销登记",
    "备案登记",
    "不动产",
    "不动产权",
    "转移登记",
    "抵押登记",
    "首次登记",
    "出生医学证明",
    "户口登记",
    "户口迁移",
    "居民身份证",
    "告知承诺",
    "养老保险",
    "医疗保险",
    "失业保险",
    "工伤保险",
    "生育保险",
    "住房公积金",
    "待遇申领",
    "报装",
    "供水",
    "供电",
    "供气",
    "供热",
    "药品经营",
    "医疗器械",
    "卫生许可",
    "公共场所",
    "建设工程",
    "施工许可",
    "规划许可",
    "道路运输",
    "从业资格",
    "残疾人证",
    "低保",
    "最低生活保障",
    "特困人员",
    "临时救助",
    "高龄津贴",
    "婚姻登记",
    "结婚登记",
    "离婚登记",
    "社会保障卡",
    "准生证",
    "生育登记",
    "个体工商户",
    "农民专业合作社",
    "烟草专卖",
    "林木采伐",
    "草原征占用",
    "取水许可",
    "排污许可",
    "动物防疫",
    "检疫",
    "嘎查村",
    "苏木乡镇",
    "便民服务",
    "一件事",
    "乌拉特中旗",
)
# Single characters that carry no meaning on their own (punctuation is dropped anyway).
STOP_CHARACTERS = frozenset("的和及或与等之其在对为由向被把将于以了是有")
_WORD = re.compile(r"\w+")
_CODE = re.compile(r"^[0-9A-Za-z]{31}$")  # a 实施编码 (indexed; 基本编码 alone is not)

# ——— segmentation ———

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def _jieba() -> Any:
    """The process's tokenizer: the dictionary loads once (~0.6 s), under a lock, on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in DOMAIN_WORDS:
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def _normalise(text: str) -> str:
    """Full-width → half-width, lower case: what both sides of a comparison are reduced to."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def _words(text: str) -> Iterable[str]:
    """Like jieba's ``cut_for_search`` but with every dictionary word inside a long word, not only
    those of two and three characters: 食品经营许可 also gives 食品经营."""
    tokenizer = _jieba()
    for token in tokenizer.cut(text, HMM=False):
        length = len(token)
        for size in range(2, length):
            for start in range(length - size + 1):
                part = token[start : start + size]
                if tokenizer.FREQ.get(part):
                    yield part
        yield token


@lru_cache(maxsize=65536)
def _segment(text: str, *, single_characters: bool = True) -> tuple[str, ...]:
    """Distinct index terms of ``text`` in order of appearance. Long free text (guide text, department
    names) keeps only words of two or more characters; names and keywords keep single characters too,
    so a query of one rare character still finds an item."""
    text = _normalise(text)
    if not text:
        return ()
    seen: dict[str, None] = {}
    for token in _words(text):
        token = token.strip()
        if not token or not _WORD.fullmatch(token) or token == "_":
            continue
        if len(token) == 1 and (not single_characters or token in STOP_CHARACTERS):
            continue
        seen.setdefault(token[:TERM_MAX_LENGTH], None)
    return tuple(seen)


def word_terms(text: str) -> tuple[str, ...]:
    """The distinct words (two characters or more) of a free text, in order: what other apps compare texts
    by (the hotline's duplicates, its hot topics)."""
    return _segment(text, single_characters=False)


def search_terms(text: str) -> list[str]:
    """The index terms of a text, as a query would use them (for tests, docs and debugging)."""
    return list(_segment(text))


# ——— synonyms ———


def search_synonyms() -> dict[str, tuple[str, ...]]:
    """``{phrase: expansion terms}``, normalised, cached for a minute (shared when Redis is used)."""
    cached = cache.get(SYNONYM_CACHE_KEY)
    if cached is None:
        cached = {
            _normalise(phrase): tuple(_normalise(word) for word in expansions.split() if word.strip())
            for phrase, expansions in SearchSynonym.objects.values_list("phrase", "expansions")
        }
        cache.set(SYNONYM_CACHE_KEY, cached, SYNONYM_CACHE_SECONDS)
    return cached


def search_synonyms_changed() -> None:
    """Call after editing ``SearchSynonym`` rows so this process (and Redis peers) see them at once."""
    cache.delete(SYNONYM_CACHE_KEY)


# ——— index ———


def _indexable(items: QuerySet[ServiceItem]) -> QuerySet[ServiceItem]:
    return items.filter(
        kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
    ).select_related("department", "current_version", "parent", "parent__parent")


def _item_weights(item: ServiceItem) -> dict[str, float]:
    version = item.current_version
    assert version is not None
    department = item.department
    fields: list[tuple[str, float, bool]] = [
        (version.name, WEIGHT_NAME, True),
        (version.keywords, WEIGHT_KEYWORDS, True),
        (version.result_name, WEIGHT_RESULT, True),
        (department.name, WEIGHT_DEPARTMENT, False),
        (department.short_name, WEIGHT_DEPARTMENT, False),
        (version.acceptance_conditions, WEIGHT_GUIDE, False),
        (version.plain_summary, WEIGHT_GUIDE, False),
        (version.legal_basis, WEIGHT_LEGAL_BASIS, False),
    ]
    parent = item.parent
    while parent is not None:
        fields.append((parent.name, WEIGHT_PARENT, False))
        parent = parent.parent
    weights: dict[str, float] = defaultdict(float)
    for text, weight, single_characters in fields:
        # A word counts once per field, whatever the field's length (no term frequency).
        for term in _segment(text, single_characters=single_characters):
            weights[term] += weight
    return weights


def _postings(items: Iterable[ServiceItem]) -> list[tuple[str, int, float]]:
    return [
        (term, item.pk, round(weight, 3)) for item in items for term, weight in _item_weights(item).items()
    ]


def _insert(postings: list[tuple[str, int, float]]) -> None:
    """Plain ``executemany``: a tenth of the time of ``bulk_create`` for a full rebuild."""
    sql = f"INSERT INTO {_table(SearchEntry)} (term, item_id, weight) VALUES (%s, %s, %s)"
    with connection.cursor() as cursor:
        for start in range(0, len(postings), 5000):
            cursor.executemany(sql, postings[start : start + 5000])


@transaction.atomic
def search_index_items(*, items: Iterable[ServiceItem]) -> None:
    """Rebuild the postings of ``items``: one read, one delete, one bulk insert.

    Items that are retired, not handling items or have no current version end up with no postings.
    """
    ids = [item.pk for item in items]
    if not ids:
        return
    fresh = list(_indexable(ServiceItem.objects.filter(pk__in=ids)))
    SearchEntry.objects.filter(item_id__in=ids).delete()
    _insert(_postings(fresh))
    cache.delete(STATS_CACHE_KEY)


def search_rebuild_all(*, batch_size: int = 500) -> tuple[int, int]:
    """Rebuild the whole index, ``batch_size`` items per transaction; returns (items, postings).

    Postings of items that are no longer indexable go first; each batch then replaces its items'
    postings, so the index stays usable while it is rebuilt.
    """
    if batch_size < 1:
        raise ApplicationError("批次大小应为正整数", fields={"batch_size": ["应大于0"]})
    indexable = ServiceItem.objects.filter(
        kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
    )
    SearchEntry.objects.exclude(item_id__in=indexable.values("pk")).delete()
    items = postings = 0
    last_pk = 0
    while True:
        batch = list(_indexable(ServiceItem.objects.filter(pk__gt=last_pk)).order_by("pk")[:batch_size])
        if not batch:
            break
        rows = _postings(batch)
        with transaction.atomic():
            SearchEntry.objects.filter(item_id__in=[item.pk for item in batch]).delete()
            _insert(rows)
        items += len(batch)
        postings += len(rows)
        last_pk = batch[-1].pk
    cache.delete(STATS_CACHE_KEY)
    return items, postings


def _indexed_item_count() -> int:
    count = cache.get(STATS_CACHE_KEY)
    if count is None:
        count = ServiceItem.objects.filter(
            kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False
        ).count()
        cache.set(STATS_CACHE_KEY, count, STATS_CACHE_SECONDS)
    return int(count)


# ——— query ———


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[ServiceItem] = field(default_factory=list)
    offset: int = 0
    limit: int = 20
    terms: list[str] = field(default_factory=list)  # the query's own words that were looked up
    expansions: list[str] = field(default_factory=list)  # words added by synonyms
    suggestions: list[str] = field(default_factory=list)  # other ways to ask, when nothing was found
    scores: dict[int, float] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def first(self) -> int:
        return self.offset + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.hits)


def _query_terms(query: str) -> tuple[dict[str, float], list[str], list[str]]:
    """``{term: query weight}``, the query's own terms and the synonym words added."""
    own = list(_segment(query))
    weights = dict.fromkeys(own, QUERY_WEIGHT_OWN)
    normalised = _normalise(query).replace(" ", "")
    added: list[str] = []
    # A phrase anywhere in the query counts (买房过户 holds both 买房 and 过户), longest first.
    synonyms = search_synonyms()
    for phrase in sorted(synonyms, key=len, reverse=True):
        if phrase and phrase in normalised:
            for word in synonyms[phrase]:
                for term in _segment(word):
                    if term not in weights:
                        weights[term] = QUERY_WEIGHT_SYNONYM
                        added.append(term)
    if len(weights) > MAX_TERMS:
        weights = dict(list(weights.items())[:MAX_TERMS])
    return weights, own, added


def _suggestions(query: str) -> list[str]:
    """Ways of asking that the synonym table knows, sharing a character with the query."""
    synonyms = search_synonyms()
    characters = set(_normalise(query)) - STOP_CHARACTERS - {" "}
    ranked = sorted(
        (phrase for phrase in synonyms if characters & set(phrase)),
        key=lambda phrase: (-len(characters & set(phrase)), len(phrase), phrase),
    )
    picks = ranked[:6]
    for fallback in ("营业执照", "开饭店", "上户口", "不动产转移登记", "退休", "身份证"):
        if len(picks) >= 6:
            break
        if fallback not in picks and _normalise(fallback) != _normalise(query):
            picks.append(fallback)
    return picks


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _document_frequencies(terms: list[str]) -> dict[str, int]:
    placeholders = ", ".join(["%s"] * len(terms))
    sql = f"SELECT term, COUNT(*) FROM {_table(SearchEntry)} WHERE term IN ({placeholders}) GROUP BY term"
    with connection.cursor() as cursor:
        cursor.execute(sql, terms)
        return {term: int(count) for term, count in cursor.fetchall()}


def _weighted_sum(factors: dict[str, float]) -> tuple[str, list[Any]]:
    cases = " ".join(["WHEN %s THEN %s"] * len(factors))
    params: list[Any] = [value for term, factor in factors.items() for value in (term, factor)]
    return f"SUM(e.weight * CASE e.term {cases} ELSE 0 END)", params


def _in(values: list[Any]) -> str:
    return f"({', '.join(['%s'] * len(values))})"


def _department_filter(department_id: int | None, params: list[Any]) -> str:
    if department_id is None:
        return ""
    params.append(department_id)
    return f" AND e.item_id IN (SELECT d.id FROM {_table(ServiceItem)} d WHERE d.department_id = %s)"


def _candidates(
    factors: dict[str, float], *, department_id: int | None, limit: int, cap: int | None = None
) -> tuple[dict[int, float], dict[int, str], int]:
    """Scores and names of the best ``limit`` items for ``factors``' terms, and how many match.

    With ``cap``, only the first ``cap`` postings (in index order) are scored and the count is 0."""
    if not factors:
        return {}, {}, 0
    score, params = _weighted_sum(factors)
    terms = list(factors)
    if cap is None:
        params += terms
        source = (
            f"{_table(SearchEntry)} e WHERE e.term IN {_in(terms)}{_department_filter(department_id, params)}"
        )
        matches = "COUNT(*) OVER ()"
    else:
        params += terms
        inner = (
            f"{_table(SearchEntry)} e WHERE e.term IN {_in(terms)}{_department_filter(department_id, params)}"
        )
        source = f"(SELECT e.item_id, e.term, e.weight FROM {inner} LIMIT %s) e"
        params.append(cap)
        matches = "0"
    params.append(limit)
    sql = (
        f"SELECT s.item_id, s.score, s.matches, i.name FROM ("
        f"SELECT e.item_id, {score} AS score, {matches} AS matches FROM {source} "
        f"GROUP BY e.item_id ORDER BY score DESC, e.item_id LIMIT %s"
        f") s JOIN {_table(ServiceItem)} i ON i.id = s.item_id ORDER BY s.score DESC, s.item_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scores = {int(row[0]): float(row[1]) for row in rows}
    names = {int(row[0]): str(row[3]) for row in rows}
    return scores, names, int(rows[0][2]) if rows else 0


def _matching_items(terms: list[str], *, department_id: int | None) -> int:
    """How many items have any of ``terms``: read from the (term, item) index alone."""
    params: list[Any] = list(terms)
    sql = (
        f"SELECT COUNT(DISTINCT e.item_id) FROM {_table(SearchEntry)} e "
        f"WHERE e.term IN {_in(terms)}{_department_filter(department_id, params)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _boosts(factors: dict[str, float], item_ids: list[int]) -> dict[int, float]:
    """What ``factors``' (common) terms add to the scores of ``item_ids``."""
    if not factors or not item_ids:
        return {}
    score, params = _weighted_sum(factors)
    terms = list(factors)
    params += terms + item_ids
    sql = (
        f"SELECT e.item_id, {score} FROM {_table(SearchEntry)} e "
        f"WHERE e.term IN {_in(terms)} AND e.item_id IN {_in(item_ids)} GROUP BY e.item_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {int(item_id): float(value) for item_id, value in cursor.fetchall()}


def _exact_condition(query: str, *, department_id: int | None) -> Q:
    """Items named exactly as asked (also with full-width brackets), or with that 实施编码."""
    names = {query, unicodedata.normalize("NFKC", query), query.replace("(", "（").replace(")", "）")}
    condition = Q(name__in=names)
    if _CODE.match(query):
        condition |= Q(implementation_code=query.upper())
    condition &= Q(kind=ItemKind.HANDLING, status=ItemStatus.ACTIVE, current_version__isnull=False)
    if department_id is not None:
        condition &= Q(department_id=department_id)
    return condition


def _clean_paging(limit: int, offset: int) -> tuple[int, int]:
    if limit < 1:
        raise ApplicationError("每页条数应为正整数", code="invalid", fields={"limit": ["应大于0"]})
    if offset < 0:
        raise ApplicationError("起始位置不能为负数", code="invalid", fields={"offset": ["不能为负数"]})
    if offset > MAX_OFFSET:
        raise ApplicationError(
            f"最多只能翻看前{MAX_OFFSET}条结果，请换一个更具体的检索词",
            code="offset_too_large",
            fields={"offset": [f"不能超过{MAX_OFFSET}"]},
        )
    return min(limit, MAX_LIMIT), offset


def search_items(
    *, query: str, limit: int = 20, offset: int = 0, department_id: int | None = None
) -> SearchResults:
    """One page of active handling items matching ``query``, best first.

    An empty query gives no results; a query longer than ``MAX_QUERY_LENGTH`` characters, a negative
    offset or a non-positive limit raise ``ApplicationError``. At most five queries, usually four.
    """
    limit, offset = _clean_paging(limit, offset)
    query = " ".join((query or "").split())
    if len(query) > MAX_QUERY_LENGTH:
        raise ApplicationError(
            f"检索词不能超过{MAX_QUERY_LENGTH}个字，请精简后再试",
            code="query_too_long",
            fields={"q": [f"不能超过{MAX_QUERY_LENGTH}个字"]},
        )
    results = SearchResults(query=query, total=0, offset=offset, limit=limit)
    if not query:
        return results
    weights, own, added = _query_terms(query)
    results.terms = own
    results.expansions = added

    scores: dict[int, float] = {}
    names: dict[int, str] = {}
    total = 0
    if weights:
        frequencies = _document_frequencies(list(weights))
        indexed = max(_indexed_item_count(), 1)
        factors = {
            term: weights[term] * math.log(1 + indexed / frequencies[term])
            for term in weights
            if frequencies.get(term)
        }
        # The rarest terms find the candidates, within the scan budget; the others reorder them.
        selective: dict[str, float] = {}
        scanned = 0
        for term in sorted(factors, key=lambda t: (frequencies[t], t)):
            if selective and scanned + frequencies[term] > SCAN_BUDGET:
                break
            selective[term] = factors[term]
            scanned += frequencies[term]
        others = {t: f for t, f in factors.items() if t not in selective}
        depth = max(CANDIDATES, offset + limit)
        if scanned <= SCAN_BUDGET:
            scores, names, total = _candidates(selective, department_id=department_id, limit=depth)
        else:  # broad: even the rarest word is everywhere; score a bounded sample, count them all
            scores, names, _ = _candidates(
                selective, department_id=department_id, limit=depth, cap=BROAD_SCAN
            )
            (term,) = selective
            if department_id is None:
                total = frequencies[term]  # one posting per item: its document frequency
            else:
                total = _matching_items([term], department_id=department_id) if scores else 0
        for item_id, extra in _boosts(others, list(scores)).items():
            scores[item_id] += extra

    # Exact names (or codes) come first, even when the index missed them.
    exact = dict(
        ServiceItem.objects.filter(_exact_condition(query, department_id=department_id)).values_list(
            "pk", "name"
        )
    )
    total += len(exact.keys() - scores.keys())
    names.update(exact)
    wanted = _normalise(query)
    tiers = {
        item_id: 0 if item_id in exact or plain == wanted else 1 if wanted in plain else 2
        for item_id, plain in ((item_id, _normalise(name)) for item_id, name in names.items())
    }

    def rank(item_id: int) -> tuple[int, float, str, int]:
        return tiers[item_id], -scores.get(item_id, 0.0), names[item_id], item_id

    ordered = sorted(names, key=rank)
    page = ordered[offset : offset + limit]
    items = ServiceItem.objects.select_related("department", "current_version").in_bulk(page) if page else {}
    results.hits = [items[item_id] for item_id in page if item_id in items]
    results.total = max(total, len(ordered))
    results.scores = {item_id: round(scores.get(item_id, 0.0), 3) for item_id in page}
    if not results.total:
        results.suggestions = _suggestions(query)
    return results

"""Catalog search: a jieba-segmented inverted index kept in the database (``SearchEntry``).

Interface used by the rest of the catalog (first version; ranking is refined separately):
- ``search_index_items(items=...)`` rebuilds the postings of the given items.
- ``search_items(query=..., limit=..., offset=..., department_id=...)`` returns ranked hits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import jieba
from django.db.models import Sum

from yichuang.catalog.models import ItemKind, ItemStatus, SearchEntry, ServiceItem

jieba.setLogLevel(60)


def _terms(text: str) -> set[str]:
    return {t.strip().lower() for t in jieba.cut_for_search(text or "") if t.strip()}


def search_index_items(*, items: Iterable[ServiceItem]) -> None:
    items = list(items)
    SearchEntry.objects.filter(item__in=items).delete()
    rows = []
    for item in items:
        version = item.current_version
        if item.kind != ItemKind.HANDLING or item.status != ItemStatus.ACTIVE or version is None:
            continue
        weights: dict[str, float] = defaultdict(float)
        for term in _terms(version.name):
            weights[term] += 10
        for term in _terms(version.keywords):
            weights[term] += 8
        for term in _terms(version.plain_summary + version.acceptance_conditions):
            weights[term] += 1
        rows += [SearchEntry(term=t[:40], item=item, weight=w) for t, w in weights.items()]
    SearchEntry.objects.bulk_create(rows, batch_size=2000)


@dataclass
class SearchResults:
    query: str
    total: int
    hits: list[ServiceItem] = field(default_factory=list)


def search_items(
    *, query: str, limit: int = 20, offset: int = 0, department_id: int | None = None
) -> SearchResults:
    terms = _terms(query)
    if not terms:
        return SearchResults(query=query, total=0)
    postings = SearchEntry.objects.filter(term__in=terms)
    if department_id is not None:
        postings = postings.filter(item__department_id=department_id)
    ranked = list(postings.values("item_id").annotate(score=Sum("weight")).order_by("-score", "item_id"))
    page = [row["item_id"] for row in ranked[offset : offset + limit]]
    by_id = ServiceItem.objects.select_related("department").in_bulk(page)
    return SearchResults(query=query, total=len(ranked), hits=[by_id[i] for i in page if i in by_id])

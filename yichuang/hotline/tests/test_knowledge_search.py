"""Knowledge-base search: a word in the question outweighs the same word in the answer, only published and
current articles are offered, filters by category (with its subcategories) and department, the index
follows every revision, and a long intake text still finds the right article."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yichuang.core.errors import ApplicationError
from yichuang.hotline import knowledge
from yichuang.hotline.knowledge_search import (
    MAX_OFFSET,
    knowledge_index,
    knowledge_rebuild_index,
    knowledge_search,
    knowledge_terms,
)
from yichuang.hotline.models_knowledge import KnowledgeSearchEntry, KnowledgeStatus
from yichuang.hotline.tests.knowledge_setup import article, category

pytestmark = pytest.mark.django_db


def _titles(query: str, **filters: Any) -> list[str]:
    return [hit.article.title for hit in knowledge_search(query=query, **filters).hits]


@pytest.fixture
def editor(org: Any) -> Any:
    return org.user("operator")


def test_a_question_match_beats_an_answer_match(editor: Any) -> None:
    # Created first, so that it would win a tie; the query is not whole in either question.
    article(editor, question="供暖温度不达标", answer="小区停车场收费由物业公示。")
    article(editor, question="小区停车场收费标准", answer="按物价部门核定。")
    article(editor, question="路灯不亮", answer="由城管局负责维修。")
    assert _titles("收费 停车场") == ["小区停车场收费标准", "供暖温度不达标"]
    assert _titles("物业公示") == ["供暖温度不达标"]
    assert _titles("维修路灯") == ["路灯不亮"]


def test_the_whole_query_in_a_question_comes_first(editor: Any) -> None:
    article(editor, question="噪音扰民找谁", answer="夜间施工噪音由住建局处理。")
    article(
        editor,
        question="施工许可",
        answer="夜间施工须办理夜间施工许可，噪音扰民可举报。施工扰民由住建局处理。",
    )
    assert _titles("噪音扰民")[0] == "噪音扰民找谁"


def test_retired_drafts_and_expired_articles_are_not_offered(editor: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        live = article(editor, question="医保报销比例", valid_until=dt.date(2026, 12, 31))
        article(editor, question="医保报销草稿", publish=False)
        retired = article(editor, question="医保报销旧政策")
        knowledge.knowledge_retire(actor=editor, article=retired, reason="新政策已发布")
        article(editor, question="医保报销年度限额", valid_until=dt.date(2026, 3, 31))
        assert set(_titles("医保报销")) == {"医保报销比例", "医保报销年度限额"}
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        assert _titles("医保报销") == ["医保报销比例"]
        # The editors may look for all of them.
        everything = knowledge_search(
            query="医保报销", statuses=list(KnowledgeStatus.values), current_only=False
        )
        assert everything.total == 4
        retired_only = knowledge_search(
            query="医保报销", statuses=[KnowledgeStatus.RETIRED], current_only=False
        )
        assert [hit.article.pk for hit in retired_only.hits] == [retired.pk]
    assert live.pk in [
        hit.article.pk for hit in knowledge_search(query="医保", today=dt.date(2026, 6, 1)).hits
    ]


def test_category_and_department_filters(org: Any, editor: Any) -> None:
    fees = category("城乡建设/物业管理/物业收费")
    heating = category("城乡建设/供热/供热收费")
    schools = category("教育/学前教育/收费")
    article(editor, question="物业收费标准", category=fees, department=org.zjj)
    article(editor, question="供热收费标准", category=heating, department=org.zjj)
    article(editor, question="幼儿园收费标准", category=schools, department=org.wjw)
    city = heating.parent.parent  # type: ignore[union-attr]
    assert set(_titles("收费标准", category_id=city.pk)) == {"物业收费标准", "供热收费标准"}
    assert _titles("收费标准", category_id=heating.pk) == ["供热收费标准"]
    assert _titles("收费标准", department_id=org.wjw.pk) == ["幼儿园收费标准"]
    assert _titles("收费标准", category_id=999999) == []


def test_department_and_category_names_are_searchable(org: Any, editor: Any) -> None:
    article(editor, question="燃气开户", answer="带身份证到营业厅。", department=org.zjj)
    assert _titles("住建局") == ["燃气开户"]


def test_the_index_follows_revisions(org: Any, editor: Any) -> None:
    draft = article(editor, question="犬只登记", answer="到派出所办理。")
    assert _titles("派出所") == ["犬只登记"]
    knowledge.knowledge_revise(
        actor=editor, article=draft, question="养犬登记", answer="到畜牧兽医站办理养犬登记。"
    )
    assert _titles("派出所") == []
    assert _titles("兽医站") == ["养犬登记"]
    KnowledgeSearchEntry.objects.all().delete()
    assert _titles("兽医站") == []
    assert knowledge_rebuild_index(batch_size=1)[0] == 1
    assert _titles("兽医站") == ["养犬登记"]


def test_a_long_intake_text_with_fillers_finds_the_matter(editor: Any) -> None:
    article(editor, question="烧烤店油烟扰民", answer="餐饮油烟由生态环境局和城管局处理。")
    article(editor, question="怎么办理居住证", answer="到派出所办理，怎么办都可以咨询。")
    article(editor, question="楼下商铺噪音", answer="噪音问题请向有关部门反映。")
    text = "你好，请问我家楼下的烧烤店晚上油烟很大，怎么办？希望有关部门管一管。" * 3
    assert _titles(text)[0] == "烧烤店油烟扰民"


def test_hits_are_highlighted_with_an_excerpt_of_the_answer(editor: Any) -> None:
    answer = "前言" * 80 + "申请公租房需提供户口簿和收入证明。" + "结尾" * 80
    article(editor, question="公租房申请条件", answer=answer)
    hit = knowledge_search(query="公租房").hits[0]
    assert ("公租房", True) in hit.question_parts
    excerpt = "".join(text for text, _matched in hit.excerpt_parts)
    assert "申请公租房需提供户口簿" in excerpt and excerpt.startswith("…") and excerpt.endswith("…")


def test_empty_queries_paging_and_limits(editor: Any) -> None:
    for n in range(7):
        article(editor, question=f"社保卡补办第{n}问")
    assert knowledge_search(query="  ").total == 0
    page = knowledge_search(query="社保卡补办", limit=3, offset=3)
    assert page.total == 7 and len(page.hits) == 3 and page.has_previous and page.has_next
    assert knowledge_search(query="火星移民").hits == []
    with pytest.raises(ApplicationError) as caught:
        knowledge_search(query="社保", offset=MAX_OFFSET + 1)
    assert caught.value.code == "offset_too_large"


def test_a_search_is_a_handful_of_queries(editor: Any) -> None:
    for n in range(20):
        article(
            editor, question=f"不动产登记第{n}问", answer="带身份证和购房合同到不动产中心。", department=None
        )
    knowledge_terms("预热分词")
    with CaptureQueriesContext(connection) as queries:
        results = knowledge_search(query="不动产登记要带什么材料", limit=10)
    assert len(results.hits) == 10
    assert len(queries) <= 5


def test_postings_weigh_the_question_over_the_answer(editor: Any) -> None:
    created = article(editor, question="去哪办公积金提取", answer="公积金提取到公积金中心办理。")
    knowledge_index(article_ids=[created.pk])
    weights = dict(KnowledgeSearchEntry.objects.filter(article=created).values_list("term", "weight"))
    assert weights["提取"] == 7.0  # question 6 + answer 1
    assert weights["办理"] == 1.0
    assert weights["哪"] == 6.0  # single characters of the question only
    assert "到" not in weights

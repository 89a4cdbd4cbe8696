"""The knowledge base's writes and reads: every edit a version with its history and difference, the
draft → published → retired rules, the counts behind 采用率, and stale articles under frozen time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent
from yichuang.hotline import knowledge
from yichuang.hotline.models_knowledge import (
    KnowledgeArticle,
    KnowledgeSource,
    KnowledgeStatus,
    KnowledgeUse,
    KnowledgeVersion,
)
from yichuang.hotline.tests.knowledge_setup import article, category

pytestmark = pytest.mark.django_db

ANSWER_1 = "物业服务收费实行政府指导价。\n收费标准在小区公示栏公示。\n如有异议可向住建局反映。"
ANSWER_2 = (
    "物业服务收费实行政府指导价。\n收费标准在小区显著位置公示。\n如有异议可向住建局反映。\n投诉电话：12345。"
)


def _revise(org: Any, target: KnowledgeArticle, **changes: Any) -> KnowledgeArticle:
    content = {
        "question": target.question,
        "answer": target.answer,
        "category": target.category,
        "department": target.department,
        "source_kind": target.source_kind,
        "source_reference": target.source_reference,
        "valid_until": target.valid_until,
    }
    content.update(changes)
    return knowledge.knowledge_revise(actor=org.user("operator"), article=target, **content)


# ——— versions ———


def test_every_edit_is_a_new_version_with_its_author_and_note(org: Any) -> None:
    editor = org.user("operator")
    draft = knowledge.knowledge_create(
        actor=editor,
        question="物业费标准",
        answer=ANSWER_1,
        department=org.zjj,
        source_kind=KnowledgeSource.POLICY,
        source_reference="旗发改委〔2024〕3号",
    )
    assert (draft.status, draft.version) == (KnowledgeStatus.DRAFT, 1)
    revised = _revise(org, draft, answer=ANSWER_2, note="补充投诉电话")
    revised = _revise(org, revised, question="物业费收费标准怎么查", note="问法更口语")

    assert revised.version == 3
    versions = knowledge.knowledge_versions(revised)
    assert [v.number for v in versions] == [3, 2, 1]
    assert [v.note for v in versions] == ["问法更口语", "补充投诉电话", "新建"]
    assert all(v.edited_by == editor for v in versions)
    # Each version keeps its content as saved; the article holds the latest.
    assert versions[2].answer == ANSWER_1 and versions[1].answer == ANSWER_2
    assert versions[1].question == "物业费标准" and versions[0].question == "物业费收费标准怎么查"
    assert (revised.question, revised.answer) == ("物业费收费标准怎么查", ANSWER_2)
    assert versions[0].source_label == "政策文件 旗发改委〔2024〕3号"
    actions = list(
        AuditEvent.objects.filter(object_id=str(revised.pk), action__startswith="hotline.knowledge")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["hotline.knowledge_created", "hotline.knowledge_revised", "hotline.knowledge_revised"]


def test_an_unchanged_save_is_refused_and_adds_no_version(org: Any) -> None:
    draft = article(org.user("operator"), publish=False)
    with pytest.raises(ApplicationError) as caught:
        _revise(org, draft, answer=draft.answer + "\r\n")  # a re-saved form's line end is no change
    assert caught.value.code == "unchanged"
    assert KnowledgeVersion.objects.filter(article=draft).count() == 1


def test_an_edit_on_an_outdated_version_is_refused(org: Any) -> None:
    draft = article(org.user("operator"), publish=False)
    _revise(org, draft, answer="第二版答复")
    with pytest.raises(ConflictError) as caught:
        knowledge.knowledge_revise(
            actor=org.user("admin"),
            article=draft,
            question=draft.question,
            answer="在第一版上改的",
            base_version=1,
        )
    assert caught.value.code == "version_conflict"
    draft.refresh_from_db()
    assert (draft.version, draft.answer) == (2, "第二版答复")


def test_the_difference_from_the_previous_version_line_by_line(org: Any) -> None:
    draft = knowledge.knowledge_create(actor=org.user("operator"), question="物业费标准", answer=ANSWER_1)
    _revise(org, draft, answer=ANSWER_2, valid_until=timezone.localdate() + dt.timedelta(days=30))

    first = knowledge.knowledge_version_diff(draft, 1)
    assert first.previous is None
    assert {change.name for change in first.fields} == {"question", "answer", "source"}

    diff = knowledge.knowledge_version_diff(draft, 2)
    assert diff.previous is not None and diff.previous.number == 1
    assert [change.name for change in diff.fields] == ["answer", "valid_until"]
    lines = diff.fields[0].lines
    assert [line.op for line in lines] == [" ", "-", "+", " ", "+"]
    assert lines[0].text == "物业服务收费实行政府指导价。"
    # The changed line shows which characters changed.
    assert ("公示栏", True) in lines[1].parts and ("显著位置", True) in lines[2].parts
    assert lines[4].parts == [("投诉电话：12345。", True)]
    assert "- 收费标准在小区公示栏公示。" in diff.unified()
    assert "+ 投诉电话：12345。" in diff.unified()
    with pytest.raises(ApplicationError):
        knowledge.knowledge_version_diff(draft, 3)


# ——— publish and retire ———


def test_publish_then_revise_keeps_it_published_and_retire_is_final(org: Any) -> None:
    editor = org.user("operator")
    draft = article(editor, publish=False)
    published = knowledge.knowledge_publish(actor=editor, article=draft)
    assert published.status == KnowledgeStatus.PUBLISHED and published.published_at is not None
    with pytest.raises(ConflictError) as caught:
        knowledge.knowledge_publish(actor=editor, article=published)
    assert caught.value.code == "invalid_transition"

    revised = _revise(org, published, answer="新的答复口径")
    assert (revised.status, revised.version) == (KnowledgeStatus.PUBLISHED, 2)

    with pytest.raises(ApplicationError) as missing:
        knowledge.knowledge_retire(actor=editor, article=revised, reason=" ")
    assert missing.value.fields == {"reason": ["必填"]}
    retired = knowledge.knowledge_retire(actor=editor, article=revised, reason="政策已废止")
    assert retired.status == KnowledgeStatus.RETIRED and retired.retired_at is not None
    event = AuditEvent.objects.filter(action="hotline.knowledge_retired", object_id=str(retired.pk)).get()
    assert event.data["reason"] == "政策已废止"

    for step in (
        lambda: knowledge.knowledge_publish(actor=editor, article=retired),
        lambda: knowledge.knowledge_retire(actor=editor, article=retired, reason="再停用"),
        lambda: _revise(org, retired, answer="停用后再改"),
    ):
        with pytest.raises(ConflictError):
            step()


def test_a_draft_may_be_retired_unpublished(org: Any) -> None:
    draft = article(org.user("operator"), publish=False)
    retired = knowledge.knowledge_retire(actor=org.user("operator"), article=draft, reason="重复")
    assert retired.status == KnowledgeStatus.RETIRED and retired.published_at is None


def test_expired_or_orphaned_articles_are_not_published(org: Any) -> None:
    editor = org.user("operator")
    with time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False):
        draft = article(editor, publish=False, valid_until=dt.date(2026, 3, 31), department=org.zjj)
    with time_machine.travel(dt.datetime(2026, 4, 2, 10, tzinfo=dt.UTC), tick=False):
        with pytest.raises(ConflictError) as expired:
            knowledge.knowledge_publish(actor=editor, article=draft)
        assert expired.value.code == "expired"
        org.zjj.is_active = False
        org.zjj.save(update_fields=["is_active"])
        renewed = _revise(org, draft, valid_until=dt.date(2026, 12, 31), department=org.wjw)
        with pytest.raises(ApplicationError) as inactive:  # choosing a deactivated department is refused
            _revise(org, renewed, department=org.zjj)
        assert "department" in inactive.value.fields
        assert knowledge.knowledge_publish(actor=editor, article=renewed).status == KnowledgeStatus.PUBLISHED


def test_content_is_checked(org: Any) -> None:
    with pytest.raises(ApplicationError) as caught:
        knowledge.knowledge_create(
            actor=org.user("operator"),
            question=" ",
            answer="",
            source_kind="rumour",
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert set(caught.value.fields) == {"question", "answer", "source_kind", "valid_until"}
    assert not KnowledgeArticle.objects.exists()


@pytest.mark.parametrize("role", ["handler", "reviewer", "clerk", "applicant"])
def test_only_editors_write(org: Any, role: str) -> None:
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_create(actor=org.user(role), question="问", answer="答")
    published = article(org.user("admin"))
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_retire(actor=org.user(role), article=published, reason="不要了")
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_revise(actor=org.user(role), article=published, question="问", answer="改")


def test_staff_read_published_articles_editors_read_all(org: Any) -> None:
    editor = org.user("operator")
    published = article(editor)
    draft = article(editor, question="草稿问题", publish=False)
    assert set(knowledge.knowledge_visible(org.user("handler"))) == {published}
    assert set(knowledge.knowledge_visible(editor)) == {published, draft}
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_visible(org.user("applicant"))
    with pytest.raises(ApplicationError) as caught:
        knowledge.knowledge_get(user=org.user("handler"), article_id=draft.pk)
    assert caught.value.status == 404


def test_list_filters_by_category_including_subcategories(org: Any) -> None:
    editor = org.user("operator")
    property_fees = category("城乡建设/物业管理/物业收费")
    heating = category("城乡建设/供热/供热收费")
    pensions = category("劳动和社会保障/养老保险/待遇")
    a = article(editor, category=property_fees)
    b = article(editor, category=heating, question="暖气费")
    article(editor, category=pensions, question="养老金")
    top = property_fees.parent.parent  # type: ignore[union-attr]
    listed = knowledge.knowledge_list(user=editor, category_id=top.pk)
    assert set(listed) == {a, b}
    assert set(knowledge.knowledge_list(user=editor, category_id=heating.pk)) == {b}


# ——— counts and 采用率 ———


def test_shown_and_used_counts_and_the_adoption_rate(org: Any) -> None:
    operator = org.user("operator")
    fees = article(operator)
    heating = article(operator, question="供暖费怎么交")
    idle = article(operator, question="没人问的问题")

    assert knowledge.knowledge_shown([fees.pk, heating.pk, fees.pk]) == 2  # once per call
    knowledge.knowledge_shown([fees.pk, heating.pk])
    # One intake screen (offer key) counts each article once, however often typing offers it again.
    assert knowledge.knowledge_shown([fees.pk], actor=operator, offer_key="intake-1") == 1
    assert knowledge.knowledge_shown([fees.pk], actor=operator, offer_key="intake-1") == 0
    assert knowledge.knowledge_shown([fees.pk, heating.pk], actor=operator, offer_key="intake-2") == 2

    use = knowledge.knowledge_used(fees, operator, "12345-20261123-0001")
    assert (use.version, use.ticket_ref, use.used_by) == (1, "12345-20261123-0001", operator)
    knowledge.knowledge_used(article=fees, actor=operator)
    # Used without having been offered: counted as offered too, so the rate never exceeds 1.
    knowledge.knowledge_used(idle, operator)

    fees.refresh_from_db()
    heating.refresh_from_db()
    idle.refresh_from_db()
    assert (fees.shown_count, fees.use_count, fees.adoption_rate) == (4, 2, 0.5)
    assert (heating.shown_count, heating.use_count, heating.adoption_rate) == (3, 0, 0.0)
    assert (idle.shown_count, idle.use_count, idle.adoption_rate) == (1, 1, 1.0)
    overall = knowledge.knowledge_adoption()
    assert (overall.articles, overall.shown, overall.used) == (3, 8, 3)
    assert overall.rate == pytest.approx(3 / 8)
    assert KnowledgeUse.objects.filter(article=fees).count() == 2
    assert AuditEvent.objects.filter(action="hotline.knowledge_used").count() == 3


def test_adoption_before_any_offer_is_none(org: Any) -> None:
    fresh = article(org.user("operator"))
    assert fresh.adoption_rate is None
    assert knowledge.knowledge_adoption().rate is None


def test_only_published_current_articles_are_used_and_only_by_operators(org: Any) -> None:
    operator = org.user("operator")
    draft = article(operator, publish=False)
    with pytest.raises(ConflictError):
        knowledge.knowledge_used(draft, operator)
    published = article(operator)
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_used(published, org.user("handler"))
    retired = knowledge.knowledge_retire(actor=operator, article=published, reason="废止")
    with pytest.raises(ConflictError):
        knowledge.knowledge_used(retired, operator)
    assert not KnowledgeUse.objects.exists()


# ——— stale ———


def test_stale_articles_with_frozen_time(org: Any) -> None:
    editor = org.user("operator")
    start = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = article(editor, question="一年没改的")
        expiring = article(editor, question="有期限的", valid_until=dt.date(2025, 6, 30))
        orphan = article(editor, question="部门撤销的", department=org.zjj)
        article(editor, question="草稿不算", publish=False, valid_until=dt.date(2025, 2, 1))
    with time_machine.travel(start + dt.timedelta(days=200), tick=False):
        current = article(editor, question="新写的")
        # Revised, so no longer unrevised since the start.
        _revise(org, old, answer="复核后更新的答复")
    org.zjj.is_active = False
    org.zjj.save(update_fields=["is_active"])

    def stale_at(moment: dt.datetime) -> dict[int, list[str]]:
        with time_machine.travel(moment, tick=False):
            rows = knowledge.knowledge_stale_list(user=editor)
            return {a.pk: knowledge.knowledge_stale_reasons(a) for a in rows}

    # Day 100: only the deactivated department.
    assert stale_at(start + dt.timedelta(days=100)) == {orphan.pk: ["department_inactive"]}
    # Day 200: expiring is past 30 June.
    assert stale_at(start + dt.timedelta(days=200)) == {
        expiring.pk: ["expired"],
        orphan.pk: ["department_inactive"],
    }
    # Day 366: expiring and orphan are also unrevised for a year; old was revised on day 200.
    assert stale_at(start + dt.timedelta(days=366)) == {
        expiring.pk: ["expired", "unrevised"],
        orphan.pk: ["unrevised", "department_inactive"],
    }
    # Day 600: old (revised on day 200) and current (written on day 200) too.
    late = stale_at(start + dt.timedelta(days=600))
    assert late[old.pk] == ["unrevised"] and late[current.pk] == ["unrevised"]
    with pytest.raises(PermissionDeniedError):
        knowledge.knowledge_stale_list(user=org.user("handler"))

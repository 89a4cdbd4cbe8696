"""The knowledge base's screens: who may read and who may edit, the forms (a new version per save, the
service's message on the form), publish and retire, versions and their difference, the stale list, and the
live search the intake screen includes (counts what it offers an operator, records what he uses)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from yichuang.hotline import knowledge
from yichuang.hotline.models_knowledge import KnowledgeArticle, KnowledgeStatus, KnowledgeUse
from yichuang.hotline.tests.knowledge_setup import URLCONF, article, category

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLCONF)]


def url(name: str, *args: Any) -> str:
    return reverse(f"hotline:{name}", args=args)


def _form(target: KnowledgeArticle | None = None, **changes: Any) -> dict[str, Any]:
    data = {
        "question": target.question if target else "新生儿医保怎么办理",
        "answer": target.answer if target else "出生后三个月内到医保局窗口参保。",
        "category": target.category_id or "" if target else "",
        "department": target.department_id or "" if target else "",
        "source_kind": target.source_kind if target else "policy",
        "source_reference": target.source_reference if target else "旗医保局〔2025〕1号",
        "valid_until": "",
        "note": "",
        "base_version": target.version if target else "",
    }
    data.update(changes)
    return data


# ——— permissions ———


@pytest.mark.parametrize("name", ["knowledge_list", "knowledge_search"])
def test_any_staff_reads_applicants_do_not(org: Any, client_for: Any, name: str) -> None:
    article(org.user("operator"))
    assert client_for("handler").get(url(name), {"q": "物业费"}).status_code == 200
    assert client_for("applicant").get(url(name), {"q": "物业费"}).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client: Any) -> None:
    response = client.get(url("knowledge_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_other_staff_see_published_articles_only_and_no_editing(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    published = article(editor)
    draft = article(editor, question="草稿里的问题", publish=False)
    handler = client_for("handler")
    page = handler.get(url("knowledge_list")).content.decode()
    assert published.title in page and draft.title not in page
    assert 'data-testid="knowledge-new"' not in page
    detail = handler.get(url("knowledge_detail", published.pk)).content.decode()
    assert 'data-testid="knowledge-actions"' not in detail
    assert handler.get(url("knowledge_detail", draft.pk)).status_code == 404
    assert handler.get(url("knowledge_new")).status_code == 403
    assert handler.get(url("knowledge_edit", published.pk)).status_code == 403
    assert handler.post(url("knowledge_retire", published.pk), {"reason": "x"}).status_code == 403
    assert handler.post(url("knowledge_publish", draft.pk)).status_code == 403
    assert handler.get(url("knowledge_stale")).status_code == 403
    published.refresh_from_db()
    assert published.status == KnowledgeStatus.PUBLISHED


# ——— editing ———


def test_create_revise_publish_retire_on_screen(org: Any, client_for: Any) -> None:
    fees = category("城乡建设/物业管理/物业收费")
    editor = client_for("operator")
    response = editor.post(url("knowledge_new"), _form(category=fees.pk, department=org.zjj.pk))
    created = KnowledgeArticle.objects.get()
    assert response.status_code == 302 and response["Location"] == url("knowledge_detail", created.pk)
    assert (created.status, created.version, created.category, created.department) == (
        KnowledgeStatus.DRAFT,
        1,
        fees,
        org.zjj,
    )

    form = editor.get(url("knowledge_edit", created.pk)).content.decode()
    assert 'name="base_version" value="1"' in form
    response = editor.post(
        url("knowledge_edit", created.pk),
        _form(created, answer="出生后90天内参保，费用由财政补助。", note="补助"),
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.version == 2 and created.answer == "出生后90天内参保，费用由财政补助。"

    assert editor.post(url("knowledge_publish", created.pk)).status_code == 302
    detail = editor.get(url("knowledge_detail", created.pk)).content.decode()
    assert "已发布" in detail and 'data-version="2"' in detail and 'data-version="1"' in detail

    assert editor.post(url("knowledge_retire", created.pk), {"reason": ""}).status_code == 400
    assert editor.post(url("knowledge_retire", created.pk), {"reason": "政策调整"}).status_code == 302
    created.refresh_from_db()
    assert created.status == KnowledgeStatus.RETIRED
    refused = editor.post(url("knowledge_publish", created.pk))
    assert refused.status_code == 409 and "已停用的文章不能发布" in refused.content.decode()
    assert editor.get(url("knowledge_edit", created.pk)).status_code == 409


def test_the_form_shows_the_services_reasons(org: Any, client_for: Any) -> None:
    editor = client_for("operator")
    response = editor.post(url("knowledge_new"), _form(question=""))
    assert response.status_code == 400
    assert not KnowledgeArticle.objects.exists()
    existing = article(org.user("operator"))
    unchanged = editor.post(url("knowledge_edit", existing.pk), _form(existing))
    assert unchanged.status_code == 400 and "内容没有变化" in unchanged.content.decode()
    knowledge.knowledge_revise(
        actor=org.user("admin"), article=existing, question=existing.question, answer="别人先改了"
    )
    stale_form = editor.post(
        url("knowledge_edit", existing.pk), _form(existing, answer="我的修改", base_version=1)
    )
    assert stale_form.status_code == 409 and "已被修订为第2版" in stale_form.content.decode()
    existing.refresh_from_db()
    assert existing.answer == "别人先改了"


def test_a_version_and_its_difference(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    created = article(editor, answer="第一行\n旧的第二行")
    knowledge.knowledge_revise(
        actor=editor, article=created, question=created.question, answer="第一行\n新的第二行", note="改第二行"
    )
    page = client_for("handler").get(url("knowledge_version", created.pk, 2)).content.decode()
    assert 'data-field="answer"' in page and "<del>旧</del>" in page and "<ins>新</ins>" in page
    assert "与第 1 版相比" in page and "改第二行" in page
    assert client_for("handler").get(url("knowledge_version", created.pk, 9)).status_code == 404


def test_the_stale_list(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    with time_machine.travel(dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC), tick=False):
        old = article(editor, question="很久没改的")
    fresh = article(editor, question="刚写的")
    page = client_for("operator").get(url("knowledge_stale")).content.decode()
    assert f'data-article="{old.pk}"' in page and f'data-article="{fresh.pk}"' not in page
    assert "超过365天未修订" in page
    listing = client_for("operator").get(url("knowledge_list")).content.decode()
    assert "待复核 1 篇" in listing


def test_list_filters_and_search(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    fees = category("城乡建设/物业管理/物业收费")
    a = article(editor, question="物业费标准", category=fees)
    b = article(editor, question="暖气费标准")
    draft = article(editor, question="物业费草稿", publish=False)
    client = client_for("operator")
    filtered = client.get(url("knowledge_list"), {"category": fees.pk}).content.decode()
    assert f'data-article="{a.pk}"' in filtered and f'data-article="{b.pk}"' not in filtered
    drafts = client.get(url("knowledge_list"), {"status": "draft"}).content.decode()
    assert f'data-article="{draft.pk}"' in drafts and f'data-article="{a.pk}"' not in drafts
    found = client.get(url("knowledge_list"), {"q": "物业费"}, headers={"HX-Request": "true"})
    body = found.content.decode()
    assert "<html" not in body and "<mark>物业费</mark>" in body
    assert f'data-article="{a.pk}"' in body and f'data-article="{draft.pk}"' in body  # editors find drafts


# ——— the intake screen's live search ———


def test_live_search_counts_offers_once_per_intake_screen(org: Any, client_for: Any) -> None:
    editor = org.user("operator")
    fees = article(editor, question="物业费收费标准")
    article(editor, question="物业费草稿", publish=False)
    operator = client_for("operator")
    for typed in ("物业", "物业费", "物业费标准"):
        response = operator.get(url("knowledge_search"), {"q": typed, "offer": "intake-7"})
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-testid="knowledge-live"' in body and "物业费草稿" not in body
    fees.refresh_from_db()
    assert fees.shown_count == 1
    operator.get(url("knowledge_search"), {"q": "物业费", "offer": "intake-8"})
    # Staff who do not take calls are not "offered" anything.
    client_for("handler").get(url("knowledge_search"), {"q": "物业费", "offer": "x"})
    fees.refresh_from_db()
    assert fees.shown_count == 2
    empty = operator.get(url("knowledge_search"), {"q": ""}).content.decode()
    assert "输入来电内容" in empty


def test_using_an_answer_from_the_live_search(org: Any, client_for: Any) -> None:
    fees = article(org.user("operator"), question="物业费收费标准", answer="按政府指导价收取。")
    operator = client_for("operator")
    body = operator.get(url("knowledge_search"), {"q": "物业费"}).content.decode()
    assert url("knowledge_use", fees.pk) in body
    response = operator.post(
        url("knowledge_use", fees.pk), {"ticket_ref": "GD-1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "已采用" in response.content.decode()
    event = json.loads(response["HX-Trigger"])["knowledge-used"]
    assert event == {"id": fees.pk, "question": "物业费收费标准", "answer": "按政府指导价收取。"}
    use = KnowledgeUse.objects.get()
    assert (use.ticket_ref, use.used_by) == ("GD-1", org.user("operator"))
    # Not an operator: no button, and the post is refused.
    assert (
        url("knowledge_use", fees.pk)
        not in client_for("handler").get(url("knowledge_search"), {"q": "物业费"}).content.decode()
    )
    assert client_for("handler").post(url("knowledge_use", fees.pk)).status_code == 403
    fees.refresh_from_db()
    assert (fees.use_count, fees.shown_count) == (1, 1)  # offered once (by the search), used once

"""Seeding the knowledge base from replies.csv: published articles with their first version, searchable,
idempotent by 留言编号, personal data masked; checked on a slice of the real file and on crafted rows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from yichuang.core.models import AuditEvent
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline.knowledge_import import knowledge_import_replies, replies_read, reply_fields
from yichuang.hotline.knowledge_search import knowledge_search
from yichuang.hotline.models_knowledge import (
    KnowledgeArticle,
    KnowledgeSource,
    KnowledgeStatus,
    KnowledgeVersion,
)

pytestmark = pytest.mark.django_db

REPLIES = shared_data_file("hotline", "replies.csv") or Path("replies.csv")
needs_file = pytest.mark.skipif(not REPLIES.is_file(), reason="replies.csv is not on this machine")

HEADER = "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间\n"


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "replies.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8-sig")
    return path


@needs_file
def test_a_slice_of_the_real_file_imports_once(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("hotline_import_replies", str(REPLIES), "--limit", "40", stdout=out)
    assert "读取 40 条，新增 40 条，已导入过 0 条，跳过 0 条" in out.getvalue()
    assert KnowledgeArticle.objects.count() == 40
    assert KnowledgeVersion.objects.count() == 40
    assert set(KnowledgeArticle.objects.values_list("status", flat=True)) == {KnowledgeStatus.PUBLISHED}

    first = KnowledgeArticle.objects.get(import_key="replies:2549")
    assert first.title == "A2区景蓉华苑物业管理有问题"
    assert first.question.startswith("A2区景蓉华苑物业管理有问题\n2019年4月以来，位于A市A2区桂花坪街道")
    assert first.question.endswith("…") and len(first.question.split("\n")[1]) == 81
    assert first.answer.startswith("现将网友在平台《问政西地省》栏目向胡华衡书记留言反映")
    assert (first.source_kind, first.source_reference) == (KnowledgeSource.REPLY, "2019-05-10")
    assert first.source_label == "部门答复 2019-05-10"
    assert first.category is None and first.department is None and first.published_at is not None
    assert first.versions.get().note == "从部门答复导入"
    # The writer's platform name is not kept.
    road = KnowledgeArticle.objects.get(import_key="replies:2554")
    assert "A00023583" not in road.question + road.answer

    hits = knowledge_search(query="景蓉华苑物业").hits
    assert hits and hits[0].article == first

    again = io.StringIO()
    call_command("hotline_import_replies", str(REPLIES), "--limit", "50", stdout=again)
    assert "读取 50 条，新增 10 条，已导入过 40 条" in again.getvalue()
    assert KnowledgeArticle.objects.count() == 50
    assert AuditEvent.objects.filter(action="hotline.knowledge_imported").count() == 2


def test_rows_without_subject_or_answer_are_skipped_and_personal_data_masked(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        '9001,U1001,停车位乱收费,2024/3/1 9:00:00,"我的电话13912345678，身份证150824199003071234",'
        '"网友“U1001”：您好！已责成物业整改，联系人13800001111。",2024-03-05 10:00:00',
        "9002,U1002,,2024/3/1 9:00:00,没有主题,有答复,2024/3/5 10:00:00",
        "9003,U1003,没有答复,2024/3/1 9:00:00,详情,,2024/3/5 10:00:00",
        "9001,U1001,停车位乱收费,2024/3/1 9:00:00,重复一行,重复,2024/3/5 10:00:00",
    )
    report = knowledge_import_replies(rows=replies_read(path), batch_size=2)
    assert (report.read, report.created, report.existing, report.skipped) == (4, 1, 1, 2)
    assert len(report.problems) == 2
    imported = KnowledgeArticle.objects.get()
    assert imported.import_key == "replies:9001"
    assert "13912345678" not in imported.question and "139****5678" in imported.question
    assert "150824199003071234" not in imported.question
    assert imported.answer == "网友：您好！已责成物业整改，联系人138****1111。"
    assert imported.source_reference == "2024-03-05"


def test_reply_fields_keep_short_details_whole() -> None:
    fields = reply_fields(
        {
            "留言编号": "1",
            "留言用户": "",
            "留言主题": "路灯坏了",
            "留言详情": "小区门口路灯不亮",
            "答复意见": "已修复",
            "答复时间": "bad",
        }
    )
    assert fields is not None
    assert fields["question"] == "路灯坏了\n小区门口路灯不亮"
    assert fields["source_reference"] == ""


def test_the_command_refuses_a_missing_file_or_a_bad_limit(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("hotline_import_replies", str(tmp_path / "absent.csv"))
    path = _csv(tmp_path, "1,U,主题,2024/1/1 0:00:00,详情,答复,2024/1/2 0:00:00")
    with pytest.raises(CommandError):
        call_command("hotline_import_replies", str(path), "--limit", "0")
    bad: Any = tmp_path / "latin.csv"
    bad.write_bytes(HEADER.encode("gbk") + "1,U,主题,x,详情,答复,y\n".encode("gbk"))
    with pytest.raises(CommandError):
        call_command("hotline_import_replies", str(bad))
    assert not KnowledgeArticle.objects.exists()

"""Import of the three-level classification (taxonomy.csv) into HotlineCategory."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from yichuang.core.errors import ApplicationError
from yichuang.core.models import AuditEvent
from yichuang.core.shared_data import shared_data_file
from yichuang.hotline.models import HotlineCategory
from yichuang.hotline.taxonomy import category_ancestor_paths, taxonomy_import, taxonomy_read

TAXONOMY = shared_data_file("hotline", "taxonomy.csv")
needs_file = pytest.mark.skipif(TAXONOMY is None, reason="shared data taxonomy.csv not on this machine")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.csv"
    path.write_text(text, encoding="utf-8")
    return path


@needs_file
@pytest.mark.django_db
def test_the_real_file_gives_15_level_1_classes_and_517_leaves() -> None:
    assert TAXONOMY is not None
    rows = taxonomy_read(TAXONOMY)
    assert len(rows) == 517

    report = taxonomy_import(rows=rows)

    assert report.rows == 517
    assert HotlineCategory.objects.filter(level=1).count() == 15
    assert HotlineCategory.objects.filter(level=3).count() == 517
    assert report.created[1] == 15
    assert report.created[3] == 517
    assert report.created[2] == HotlineCategory.objects.filter(level=2).count() > 15
    assert HotlineCategory.objects.count() == report.created_total
    leaf = HotlineCategory.objects.get(path="城乡建设/安全生产/事故处理")
    assert (leaf.level, leaf.name, leaf.top) == (3, "事故处理", "城乡建设")
    assert leaf.parent is not None and leaf.parent.path == "城乡建设/安全生产"
    assert leaf.parent.parent is not None and leaf.parent.parent.path == "城乡建设"
    assert leaf.parent.parent.parent is None
    # Every node's path is its parent's path plus its own name.
    for node in HotlineCategory.objects.select_related("parent"):
        expected = f"{node.parent.path}/{node.name}" if node.parent else node.name
        assert node.path == expected
        assert node.level == expected.count("/") + 1


@needs_file
@pytest.mark.django_db
def test_importing_again_changes_nothing() -> None:
    assert TAXONOMY is not None
    taxonomy_import(rows=taxonomy_read(TAXONOMY))
    before = list(HotlineCategory.objects.values_list("pk", "path", "parent_id", "position"))

    again = taxonomy_import(rows=taxonomy_read(TAXONOMY))

    assert again.created_total == 0
    assert again.existing == len(before)
    assert list(HotlineCategory.objects.values_list("pk", "path", "parent_id", "position")) == before


@pytest.mark.django_db
def test_import_adds_only_what_is_missing_and_keeps_the_office_s_changes(tmp_path: Path) -> None:
    taxonomy_import(
        rows=taxonomy_read(_write(tmp_path, "一级分类,二级分类,三级分类\n环境保护,水污染,河道污染\n"))
    )
    river = HotlineCategory.objects.get(path="环境保护/水污染/河道污染")
    river.is_active = False
    river.save(update_fields=["is_active"])

    report = taxonomy_import(
        rows=taxonomy_read(
            _write(
                tmp_path,
                "\ufeff一级分类,二级分类,三级分类\n"
                "环境保护,水污染,河道污染\n环境保护,水污染,饮用水源\n环境保护,大气污染,扬尘\n"
                "环境保护,水污染,饮用水源\n",
            )
        )
    )

    assert report.rows == 4
    assert report.created == {1: 0, 2: 1, 3: 2}
    assert report.existing == 3  # 环境保护, 环境保护/水污染, 河道污染
    river.refresh_from_db()
    assert river.is_active is False  # a deactivated node stays deactivated
    water = HotlineCategory.objects.get(path="环境保护/水污染")
    assert sorted(water.children.values_list("name", flat=True)) == ["河道污染", "饮用水源"]
    assert water.children.get(name="饮用水源").position == 2  # after the sibling that was there


@pytest.mark.django_db
def test_shorter_paths_and_one_audit_event_per_import() -> None:
    events = AuditEvent.objects.filter(action="hotline.taxonomy_imported")
    report = taxonomy_import(rows=[("党务政务", "", ""), ("党务政务", "政务公开", "")])
    assert report.created == {1: 1, 2: 1, 3: 0}
    assert HotlineCategory.objects.get(path="党务政务/政务公开").level == 2
    assert events.count() == 1
    assert events.get().data["created"] == {"1": 1, "2": 1, "3": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("城乡建设", "", "事故处理"), "上级分类为空"),
        (("城乡建设", "房屋/物业", "维修"), "不能含“/”"),
    ],
)
def test_bad_rows_are_refused_and_nothing_is_written(row: tuple[str, ...], message: str) -> None:
    with pytest.raises(ApplicationError, match=message) as caught:
        taxonomy_import(rows=[("交通运输", "公路", "路况"), row])
    assert caught.value.extra == {"row": 3}
    assert not HotlineCategory.objects.exists()


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ApplicationError, match="缺少列"):
        taxonomy_read(_write(tmp_path, "分类1,分类2\n城乡建设,安全生产\n"))


def test_ancestor_paths_deepest_first() -> None:
    assert category_ancestor_paths("城乡建设/安全生产/事故处理") == [
        "城乡建设/安全生产/事故处理",
        "城乡建设/安全生产",
        "城乡建设",
    ]
    assert category_ancestor_paths("") == []


@pytest.mark.django_db
def test_the_command_imports_and_reports(tmp_path: Path) -> None:
    path = _write(tmp_path, "一级分类,二级分类,三级分类\n卫生计生,医疗服务,医患纠纷\n")
    out = StringIO()
    call_command("hotline_import_taxonomy", str(path), stdout=out)
    assert "新增一级 1、二级 1、三级 1 个分类" in out.getvalue()
    out = StringIO()
    call_command("hotline_import_taxonomy", str(path), stdout=out)
    assert "新增一级 0、二级 0、三级 0 个分类，已有 3 个未改动" in out.getvalue()


def test_the_command_refuses_a_missing_file(tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("hotline_import_taxonomy", str(tmp_path / "nope.csv"))

"""Mongolian texts of content kept by the admin: the services (audited, checked, stale when the Chinese
changes, carried over to new versions while it does not), the admin's screen and Excel round trip, and the
pages that show them (the guide's vertical panel, the bilingual board, the big screen)."""

from __future__ import annotations

import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from yichuang.catalog import services as catalog_services
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from yichuang.core.i18n import content, selectors, spreadsheet
from yichuang.core.i18n.models import ContentTranslation
from yichuang.core.i18n.services import (
    content_translation_set,
    content_translations_import,
    content_translations_save,
)
from yichuang.core.models import AuditEvent
from yichuang.hall.tests.helpers import MONDAY, at, make_hall

pytestmark = pytest.mark.django_db

MN_NAME = "ᠬᠦᠨᠡᠰᠦ ᠬᠣᠭᠣᠯᠠ\u202fᠶᠢᠨ ᠠᠵᠢᠯ ᠠᠬᠢᠯᠠᠬᠤ ᠵᠥᠪᠰᠢᠶᠡᠷᠡᠯ"
MN_CENTRE = "ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ\u202fᠨᠤ ᠵᠠᠰᠠᠭ\u202fᠤᠨ ᠠᠵᠢᠯ ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢᠨ ᠲᠥᠪ"
MN_CALLS = "ᠳ᠋ᠤᠭᠠᠷ ᠳᠠᠭᠤᠳᠠᠬᠤ ᠮᠡᠳᠡᠭᠡ"
MN_ACCEPTANCE = "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠮᠡᠳᠡᠭᠳᠡᠯ"


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


def _set(org, item, field, text, who="admin"):
    return content_translation_set(actor=org.user(who), kind="item", key=str(item.pk), field=field, text=text)


def _edit(org, item, **elements):
    change = catalog_services.change_request_propose_edit(
        actor=org.user("admin"), item=item, elements=elements, reason="调整事项要素"
    )
    return catalog_services.change_request_approve(actor=org.user("admin"), change_request=change)


def _guide(client: Client, item, language="mn-mong") -> str:
    return client.get(reverse("catalog:guide_detail", args=[item.pk]), {"lang": language}).content.decode()


# ---------------------------------------------------------------------------------------------------------
# Services


def test_the_admin_translates_a_field_of_an_item_with_an_audit_event(org, item) -> None:
    row = _set(org, item, "name", f"  {MN_NAME}\r\n")
    assert row is not None and row.text == MN_NAME  # trimmed, line ends unified
    assert row.source_hash == content.source_hash("食品经营许可（新办）")
    assert row.source_text == "食品经营许可（新办）" and row.updated_by == org.user("admin")
    event = AuditEvent.objects.filter(action="i18n.content.set").get()
    assert event.actor_id == org.user("admin").pk
    assert (
        event.data["kind"] == "item" and event.data["key"] == str(item.pk) and event.data["field"] == "name"
    )
    assert event.data["text"] == ["", MN_NAME]
    # The same text again changes nothing and leaves no second event; an empty text removes it, audited.
    assert _set(org, item, "name", MN_NAME).pk == row.pk
    assert AuditEvent.objects.filter(action="i18n.content.set").count() == 1
    assert _set(org, item, "name", "") is None
    assert not ContentTranslation.objects.exists()
    assert AuditEvent.objects.filter(action="i18n.content.clear").get().data["text"] == [MN_NAME, ""]


@pytest.mark.parametrize("who", ["clerk", "reviewer", "inspector", "applicant"])
def test_only_the_admin_may_translate(org, item, who) -> None:
    with pytest.raises(PermissionDeniedError):
        _set(org, item, "name", MN_NAME, who=who)
    with pytest.raises(PermissionDeniedError):
        content_translation_set(actor=None, kind="item", key=str(item.pk), field="name", text=MN_NAME)
    assert not ContentTranslation.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Хүнсний үйлдвэрлэлийн зөвшөөрөл", "不要使用西里尔字母"),
        ("食品经营许可", "没有蒙古文字母"),
        ("Food licence", "没有蒙古文字母"),
        ("ᠮᠣᠩᠭᠣᠯ\x07", "控制字符"),
        ("ᠮ" * 4001, "不能超过"),
    ],
)
def test_a_translation_must_be_traditional_mongolian(org, item, text, message) -> None:
    with pytest.raises(ApplicationError) as caught:
        _set(org, item, "name", text)
    assert message in caught.value.message and caught.value.fields["name"]
    assert not ContentTranslation.objects.exists()


def test_a_notice_sentence_keeps_its_placeholders(org) -> None:
    admin = org.user("admin")
    body = content.source("notice").get("acceptance").field("body.1")
    assert {"received_on", "item_name", "law"} <= body.parameters
    with pytest.raises(ApplicationError, match="占位符"):
        content_translation_set(
            actor=admin, kind="notice", key="acceptance", field="body.1", text="{received_on} ᠡᠳᠦᠷ {item}"
        )
    good = "{received_on} ᠡᠳᠦᠷ {item_name} {law} ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠪᠠ"
    row = content_translation_set(actor=admin, kind="notice", key="acceptance", field="body.1", text=good)
    assert row.text == good


def test_unknown_content_and_a_changed_chinese_are_refused(org, item) -> None:
    admin = org.user("admin")
    with pytest.raises(NotFoundError):
        content_translation_set(actor=admin, kind="item", key="999999", field="name", text=MN_NAME)
    with pytest.raises(NotFoundError):
        content_translation_set(actor=admin, kind="item", key=str(item.pk), field="nope", text=MN_NAME)
    with pytest.raises(NotFoundError):
        content_translation_set(actor=admin, kind="spaceship", key="1", field="name", text=MN_NAME)
    with pytest.raises(ConflictError) as caught:  # the translator saw another Chinese than there is now
        content_translation_set(
            actor=admin,
            kind="item",
            key=str(item.pk),
            field="name",
            text=MN_NAME,
            source_hash=content.source_hash("食品经营许可"),
        )
    assert caught.value.code == "source_changed"
    with pytest.raises(ApplicationError):
        content_translation_set(
            actor=admin, kind="item", key=str(item.pk), field="name", text=MN_NAME, language="zh-hans"
        )


def test_a_translation_carries_over_to_new_versions_and_goes_stale_when_the_chinese_changes(
    org, item
) -> None:
    _set(org, item, "name", MN_NAME)
    _set(org, item, "material.m-apply.name", "ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ")
    first = item.current_version
    # Version 2 changes the conditions only: the name's translation still stands, nothing else is touched.
    second = _edit(org, item, acceptance_conditions="申请人有固定经营场所。")
    mn = content.texts_for(content.describe("item", second), language="mn-mong")
    assert mn["name"].state == content.TRANSLATED and mn["name"].text == MN_NAME
    assert mn["acceptance_conditions"].state == content.MISSING
    # Version 3 renames the item: the translation is 待更新 and the page falls back to the Chinese, marked.
    third = _edit(org, item, name="食品经营许可（新办、延续）")
    mn = content.texts_for(content.describe("item", third), language="mn-mong")
    assert mn["name"].state == content.STALE and mn["name"].text == "食品经营许可（新办、延续）"
    assert 'data-state="stale"' in str(mn["name"]) and 'class="untranslated' in str(mn["name"])
    assert mn["material.m-apply.name"].state == content.TRANSLATED  # the material kept its Chinese
    # The published versions themselves never change, and an old version still matches its own Chinese.
    assert ItemVersion.objects.get(pk=first.pk).name == "食品经营许可（新办）"
    old = content.texts_for(content.describe("item", first), language="mn-mong")
    assert old["name"].state == content.TRANSLATED
    # The screen's reads agree.
    row = selectors.content_object(kind="item", key=str(item.pk), language="mn-mong")
    states = {each.field.field: each.state for each in row.fields}
    assert states["name"] == content.STALE and states["acceptance_conditions"] == content.MISSING
    assert row.state == content.MISSING


def test_saving_an_objects_form_is_all_or_nothing(org, item) -> None:
    obj = content.source("item").get(str(item.pk))
    name, place = obj.field("name"), obj.field("handling_place")
    with pytest.raises(ApplicationError) as caught:
        content_translations_save(
            actor=org.user("admin"),
            kind="item",
            key=str(item.pk),
            entries=[("name", MN_NAME, name.hash), ("handling_place", "Хүнс", place.hash)],
        )
    assert set(caught.value.fields) == {"handling_place"}
    assert not ContentTranslation.objects.exists()
    result = content_translations_save(
        actor=org.user("admin"),
        kind="item",
        key=str(item.pk),
        entries=[("name", MN_NAME, name.hash), ("handling_place", MN_CENTRE, place.hash)],
    )
    assert (result.changed, result.unchanged) == (2, 0)
    again = content_translations_save(
        actor=org.user("admin"),
        kind="item",
        key=str(item.pk),
        entries=[("name", MN_NAME, name.hash), ("handling_place", MN_CENTRE, place.hash)],
    )
    assert (again.changed, again.unchanged) == (0, 2)
    assert ContentTranslation.objects.count() == 2


def test_every_kind_of_content_is_listed_with_its_counts(org, item) -> None:
    make_hall(org)
    _set(org, item, "name", MN_NAME)
    objects = selectors.content_objects(language="mn-mong")
    summary = {row.kind: row for row in selectors.content_summary(objects)}
    assert list(summary) == ["item", "notice", "licence", "board", "hall", "screen"]
    assert summary["item"].objects == 1 and summary["item"].translated == 1
    assert summary["item"].missing == summary["item"].fields - 1
    assert summary["notice"].objects >= 8 and summary["licence"].objects > 10  # the licence catalogue
    hall = next(row for row in objects if row.obj.kind == "hall")
    assert {"name", "category.general.name", "window.01.name"} <= {each.field.field for each in hall.fields}
    found = selectors.filter_objects(objects, query="食品经营")
    assert {(row.obj.kind, row.obj.key) for row in found} == {
        ("item", str(item.pk)),
        ("licence", "11100000000013338W019"),
    }
    assert all(row.counts["missing"] for row in selectors.filter_objects(objects, state="missing"))


# ---------------------------------------------------------------------------------------------------------
# The admin's screen


def test_the_translation_screen_is_for_the_admin_only(org, item, client_for) -> None:
    url = reverse("core:i18n_content")
    for who in ("clerk", "reviewer", "inspector", "applicant"):
        client = client_for(who)
        assert client.get(url).status_code == 403
        edit = f"{reverse('core:i18n_content_edit')}?kind=item&key={item.pk}"
        assert client.get(edit).status_code == 403
        assert client.post(edit, {"kind": "item", "key": item.pk, "text-0": MN_NAME}).status_code == 403
        assert client.get(reverse("core:i18n_content_export")).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page
    assert not ContentTranslation.objects.exists()
    page = client_for("admin").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'data-testid="content-summary"' in html
        and "事项与办事指南" in html
        and "食品经营许可（新办）" in html
    )


def test_the_admin_translates_an_item_on_its_page(org, item, client_for) -> None:
    client = client_for("admin")
    url = f"{reverse('core:i18n_content_edit')}?kind=item&key={item.pk}"
    page = client.get(url)
    assert page.status_code == 200
    fields = page.context["fields"]
    index = {entry["row"].field.field: entry["index"] for entry in fields}
    hashes = {entry["row"].field.field: entry["row"].field.hash for entry in fields}
    html = page.content.decode()
    assert 'lang="mn-Mong"' in html and "食品经营许可申请书" in html  # a material's name to translate

    # A wrong field: the form comes back with the message next to it, nothing stored.
    bad = client.post(
        url,
        {
            "kind": "item",
            "key": item.pk,
            f"text-{index['name']}": "Хүнс",
            f"hash-{index['name']}": hashes["name"],
        },
    )
    assert bad.status_code == 400 and "西里尔字母" in bad.content.decode()
    assert 'aria-invalid="true"' in bad.content.decode() and "Хүнс" in bad.content.decode()
    assert not ContentTranslation.objects.exists()

    data = {
        "kind": "item",
        "key": item.pk,
        f"text-{index['name']}": MN_NAME,
        f"hash-{index['name']}": hashes["name"],
        f"text-{index['handling_place']}": MN_CENTRE,
        f"hash-{index['handling_place']}": hashes["handling_place"],
    }
    saved = client.post(url, data, follow=True)
    assert saved.status_code == 200 and "已保存 2 条译文" in saved.content.decode()
    client.post(url, data)  # a double submit: still one row per field
    assert ContentTranslation.objects.count() == 2
    assert AuditEvent.objects.filter(action="i18n.content.set").count() == 2
    page = client.get(url).content.decode()
    assert MN_NAME in page and 'data-field="name" data-state="translated"' in page

    # The Chinese changes: the screen marks it 待更新 and shows what the translation was made from.
    _edit(org, item, name="食品经营许可（新办、延续）")
    page = client.get(url).content.decode()
    assert 'data-field="name" data-state="stale"' in page and "待更新" in page
    assert "食品经营许可（新办）" in page  # the Chinese it was translated from
    listing = client.get(reverse("core:i18n_content"), {"kind": "item", "state": "stale"}).content.decode()
    assert f'data-key="item/{item.pk}"' in listing


def test_the_admin_navigation_links_the_translation_screens(org, client_for) -> None:
    admin = client_for("admin").get(reverse("accounts:home")).content.decode()
    assert (
        f'href="{reverse("core:i18n_content")}"' in admin
        and f'href="{reverse("core:i18n_missing")}"' in admin
    )
    clerk = client_for("clerk").get(reverse("accounts:home")).content.decode()
    assert reverse("core:i18n_content") not in clerk and reverse("core:i18n_missing") not in clerk


# ---------------------------------------------------------------------------------------------------------
# Excel for translators


def _export(client, **params) -> bytes:
    response = client.get(reverse("core:i18n_content_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def _fill(data: bytes, answers: dict[tuple[str, str], str]) -> bytes:
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[spreadsheet.SHEET]
    header = [cell.value for cell in sheet[1]]
    column = {spreadsheet._HEADER_CODE.search(value).group(1): index for index, value in enumerate(header)}
    for row in sheet.iter_rows(min_row=2):
        target = (row[column["key"]].value, row[column["field"]].value)
        if target in answers:
            row[column["mongolian"]].value = answers[target]
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_excel_round_trip(org, item, client_for) -> None:
    client = client_for("admin")
    data = _export(client, kind="item")
    sheet = load_workbook(io.BytesIO(data))[spreadsheet.SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "类别代码 (kind)" and len(rows) - 1 == len(
        content.source("item").get(str(item.pk)).fields
    )
    assert ("item", str(item.pk), "name") in {(row[0], row[1], row[2]) for row in rows[1:]}
    key = str(item.pk)
    filled = _fill(data, {(key, "name"): MN_NAME, (key, "handling_place"): MN_CENTRE})

    response = client.post(reverse("core:i18n_content_import"), {"file": io.BytesIO(filled)}, follow=True)
    assert "导入完成：更新 2 条" in response.content.decode()
    assert dict(ContentTranslation.objects.values_list("field", "text")) == {
        "name": MN_NAME,
        "handling_place": MN_CENTRE,
    }
    # The same file again: nothing changes (no duplicate, no event).
    events = AuditEvent.objects.filter(action="i18n.content.set").count()
    result = content_translations_import(actor=org.user("admin"), data=filled)
    assert (result.changed, result.unchanged) == (0, 2)
    assert AuditEvent.objects.filter(action="i18n.content.set").count() == events
    assert AuditEvent.objects.filter(action="i18n.content.import").count() == 2

    # The export now carries the translations and their state.
    again = load_workbook(io.BytesIO(_export(client, kind="item", state="translated")))[spreadsheet.SHEET]
    assert {row[2]: row[8] for row in again.iter_rows(min_row=2, values_only=True)} == {
        "name": MN_NAME,
        "handling_place": MN_CENTRE,
    }


def test_an_import_with_a_wrong_row_imports_nothing_and_names_the_row(org, item, client_for) -> None:
    client = client_for("admin")
    key = str(item.pk)
    filled = _fill(_export(client, kind="item"), {(key, "name"): MN_NAME, (key, "handling_place"): "Хүнс"})
    response = client.post(reverse("core:i18n_content_import"), {"file": io.BytesIO(filled)}, follow=True)
    html = response.content.decode()
    assert "未导入任何译文" in html and 'data-testid="import-errors"' in html and "西里尔字母" in html
    assert not ContentTranslation.objects.exists()


def test_an_import_skips_rows_whose_chinese_changed_since_the_export(org, item) -> None:
    objects = selectors.content_objects(language="mn-mong", kind="item")
    data = spreadsheet.content_workbook(objects, kind_labels=content.kind_labels())
    key = str(item.pk)
    filled = _fill(data, {(key, "name"): MN_NAME, (key, "handling_place"): MN_CENTRE})
    _edit(org, item, name="食品经营许可（新办、延续）")
    result = content_translations_import(actor=org.user("admin"), data=filled)
    assert result.changed == 1 and [label for _row, label in result.stale] == [
        "食品经营许可（新办、延续） · 事项名称"
    ]
    assert list(ContentTranslation.objects.values_list("field", flat=True)) == ["handling_place"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "请选择"),
        (b"not an excel file", "无法读取"),
        (b"PK\x03\x04broken", "无法读取"),
    ],
)
def test_an_import_of_something_else_says_so(org, data, message) -> None:
    with pytest.raises(ApplicationError, match=message):
        content_translations_import(actor=org.user("admin"), data=data)


def test_an_import_without_the_columns_says_which_are_missing(org) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["类别代码 (kind)", "对象标识 (key)", "蒙古文"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ApplicationError, match="表头缺少以下列") as caught:
        content_translations_import(actor=org.user("admin"), data=out.getvalue())
    assert "(mongolian)" in caught.value.message and "(field)" in caught.value.message
    with pytest.raises(PermissionDeniedError):
        content_translations_import(actor=org.user("clerk"), data=out.getvalue())


# ---------------------------------------------------------------------------------------------------------
# Pages


def test_the_guide_shows_the_mongolian_vertically_and_the_missing_as_marked_chinese(org, item) -> None:
    _set(org, item, "name", MN_NAME)
    _set(org, item, "handling_place", MN_CENTRE)
    client = Client()
    html = _guide(client, item)
    assert 'data-testid="guide-mongolian"' in html and 'class="mongol-vertical mongol-columns"' in html
    assert f'<span lang="mn-Mong" class="mongol-text">{MN_NAME}</span>' in html
    assert MN_CENTRE in html
    # 受理条件 has no translation: its Chinese, in a Chinese span, marked as missing.
    assert (
        '<span lang="zh-Hans" class="untranslated pre" data-state="missing">'
        "申请人具有与经营的食品品种、数量相适应的经营场所。</span>"
    ) in html
    # The plain version too; and in Chinese there is no panel at all.
    plain = client.get(reverse("catalog:guide_plain", args=[item.pk]), {"lang": "mn-mong"}).content.decode()
    assert 'data-testid="guide-mongolian"' in plain and MN_NAME in plain
    chinese = _guide(Client(), item, language="zh-hans")
    assert 'data-testid="guide-mongolian"' not in chinese and MN_NAME not in chinese


def test_the_guide_falls_back_visibly_when_the_translation_is_stale(org, item) -> None:
    _set(org, item, "name", MN_NAME)
    _edit(org, item, name="食品经营许可（新办、延续）")
    html = _guide(Client(), item)
    assert MN_NAME not in html
    assert (
        '<span lang="zh-Hans" class="untranslated" data-state="stale">食品经营许可（新办、延续）</span>'
        in html
    )


@pytest.fixture
def hall_setup(org):
    with time_machine.travel(at(MONDAY, 10), tick=False):
        yield make_hall(org)


def test_the_board_is_bilingual_in_mongolian(org, hall_setup) -> None:
    hall = hall_setup.hall
    admin = org.user("admin")
    content_translation_set(actor=admin, kind="hall", key=hall.code, field="name", text=MN_CENTRE)
    content_translation_set(actor=admin, kind="board", key="call_board", field="calls", text=MN_CALLS)
    with time_machine.travel(at(MONDAY, 10), tick=False):
        html = Client().get(reverse("hall:board"), {"hall": hall.code, "lang": "mn-mong"}).content.decode()
        partial = Client(HTTP_COOKIE="django_language=mn-mong")
        live = partial.get(reverse("hall:board_partial"), {"hall": hall.code}).content.decode()
        chinese = Client().get(reverse("hall:board"), {"hall": hall.code}).content.decode()
    assert '<html lang="mn-Mong">' in html and "board-bilingual" in html
    # The Chinese as on every board (not the interface's translation), the Mongolian beside it, vertical.
    assert "叫号信息" in html and "乌拉特中旗政务服务中心" in html
    assert '<span class="board-mn mongol-vertical" data-testid="board-mn-hall"><span lang="mn-Mong"' in html
    assert MN_CENTRE in html and MN_CALLS in html
    # A board text nobody translated yet: only the Chinese, not the same Chinese again beside it.
    assert html.count("各业务等候情况") == 1 and 'class="untranslated"' not in html
    assert '<span class="board-mn mongol-vertical" data-testid="board-mn-category-A"></span>' in html
    # The polled part keeps the Mongolian (the language comes from the cookie).
    assert MN_CALLS in live and "board-mn" in live
    assert '<html lang="zh-Hans">' in chinese and "board-mn" not in chinese and MN_CALLS not in chinese


def test_the_big_screen_follows_the_language(org, client_for) -> None:
    content_translation_set(
        actor=org.user("admin"),
        kind="screen",
        key="supervision",
        field="title",
        text="ᠬᠢᠨᠠᠨ ᠬᠢᠵᠠᠭᠠᠷᠯᠠᠬᠤ ᠳᠡᠯᠭᠡᠴᠡ",
    )
    client = client_for("inspector")
    mongolian = client.get(reverse("supervision:screen"), {"lang": "mn-mong"}).content.decode()
    chinese = client.get(reverse("supervision:screen"), {"lang": "zh-hans"}).content.decode()
    assert '<html lang="mn-Mong">' in mongolian and 'data-testid="screen-mongolian"' in mongolian
    assert "ᠬᠢᠨᠠᠨ ᠬᠢᠵᠠᠭᠠᠷᠯᠠᠬᠤ ᠳᠡᠯᠭᠡᠴᠡ" in mongolian
    assert '<html lang="zh-Hans">' in chinese and "screen-mongolian" not in chinese


# ---------------------------------------------------------------------------------------------------------
# API


def test_the_api_reads_and_writes_translations_with_the_one_error_shape(org, item, client_for) -> None:
    admin = client_for("admin")
    base = "/api/v1/i18n/content"
    summary = admin.get(f"{base}/summary").json()
    assert summary[0]["kind"] == "item" and summary[0]["missing"] == summary[0]["fields"]
    obj = admin.get(f"{base}/object", {"kind": "item", "key": item.pk}).json()
    name = next(field for field in obj["fields"] if field["field"] == "name")
    assert name["chinese"] == "食品经营许可（新办）" and name["state"] == "missing"
    put = admin.put(
        base,
        {
            "kind": "item",
            "key": str(item.pk),
            "field": "name",
            "text": MN_NAME,
            "source_hash": name["source_hash"],
        },
        content_type="application/json",
    )
    assert put.status_code == 200
    assert next(field for field in put.json()["fields"] if field["field"] == "name")["state"] == "translated"
    wrong = admin.put(
        base,
        {"kind": "item", "key": str(item.pk), "field": "name", "text": "Хүнс"},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["fields"]["name"]
    changed = admin.put(
        base,
        {"kind": "item", "key": str(item.pk), "field": "name", "text": MN_NAME, "source_hash": "0" * 64},
        content_type="application/json",
    )
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "source_changed"
    missing = admin.get(f"{base}/object", {"kind": "item", "key": "424242"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    clerk = client_for("clerk")
    assert clerk.get(f"{base}/summary").status_code == 403
    denied = clerk.put(
        base,
        {"kind": "item", "key": str(item.pk), "field": "name", "text": ""},
        content_type="application/json",
    )
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert ContentTranslation.objects.get().text == MN_NAME

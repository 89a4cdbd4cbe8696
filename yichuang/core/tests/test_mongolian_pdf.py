"""Mongolian in the PDF files: shaped with HarfBuzz (uharfbuzz), set vertically, embedded with the Noto Sans
Mongolian font and readable back through ActualText; a notice and a licence get their Mongolian page when
the reader or the applicant chose Mongolian, and stay the same Chinese document otherwise."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services as case_services
from yichuang.cases.models import CaseNotice
from yichuang.cases.notices import notice_mongolian, notice_pdf
from yichuang.cases.notices_pdf import register_font
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.i18n import pdf
from yichuang.core.i18n.services import content_translation_set
from yichuang.licences.rendering import licence_pdf
from yichuang.licences.tests.helpers import BUSINESS_LICENCE, issue_business_licence, make_company

pytestmark = pytest.mark.django_db

MN_TITLE = "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠭᠰᠠᠨ ᠮᠡᠳᠡᠭᠳᠡᠯ"
MN_ITEM = "ᠬᠦᠨᠡᠰᠦ ᠬᠣᠭᠣᠯᠠ\u202fᠶᠢᠨ ᠠᠵᠢᠯ ᠠᠬᠢᠯᠠᠬᠤ ᠵᠥᠪᠰᠢᠶᠡᠷᠡᠯ"
MN_BODY = "{received_on} ᠳᠤ ᠭᠠᠷᠭᠠᠭᠰᠠᠨ {item_name} ᠦᠨ ᠥᠷᠭᠡᠳᠬᠡᠯ ᠢ {law} ᠤᠨ ᠵᠦᠢᠯ ᠢᠶᠡᠷ ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠪᠠ᠃"
MN_LAW = "《ᠳᠤᠮᠳᠠᠳᠤ ᠠᠷᠠᠳ ᠤᠯᠤᠰ ᠤᠨ ᠵᠠᠰᠠᠭ ᠵᠠᠬᠢᠷᠭᠠᠨ ᠤ ᠵᠥᠪᠰᠢᠶᠡᠷᠡᠯ ᠤᠨ ᠬᠠᠤᠯᠢ》"
MN_LICENCE = "ᠠᠵᠤ ᠠᠬᠤᠢ\u202fᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠯ"


def fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def test_mongolian_is_shaped_set_vertically_and_extractable() -> None:
    assert pdf.has_shaping(), "uharfbuzz (requirements.txt) is needed to shape Mongolian"
    han = register_font()
    one = pdf.set_columns(pdf.VerticalParagraph(MN_ITEM, size=14), height=1000, han_font=han)[0]
    length = sum(run.length for run in one.runs)
    columns = pdf.set_columns(
        pdf.VerticalParagraph(MN_ITEM + " " + MN_ITEM, size=14), height=length * 1.05, han_font=han
    )
    assert len(columns) == 2 and all(column.text == MN_ITEM for column in columns)  # broken between words
    run = columns[0].runs[0]
    assert run.font == pdf.MONGOLIAN_FONT and run.shaped is not None
    # Shaping picks the positional forms, which have no code point of their own (reportlab maps them to the
    # private use area): the shaped string differs from the text, and is narrower than isolated letters.
    assert str(run.shaped) != run.text[: len(run.shaped)]
    assert any(0xE000 <= ord(char) <= 0xF8FF for char in run.shaped)
    # A word longer than a column is cut; Han stands upright, one square per character.
    long_word = pdf.set_columns(pdf.VerticalParagraph("ᠮ" * 80, size=14), height=100, han_font=han)
    assert len(long_word) > 1
    han_runs = pdf.set_columns(pdf.VerticalParagraph("乌拉特中旗", size=10), height=500, han_font=han)[0].runs
    assert all(run.upright for run in han_runs) and sum(run.length for run in han_runs) == 50


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), name="巴特尔", phone="13912345678")


@pytest.fixture
def accepted(org, applicant):
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    case = case_services.case_submit(
        actor=org.user("clerk"), item=item, applicant=applicant, channel="window"
    )
    case_services.case_check_materials(
        actor=org.user("clerk"),
        case=case,
        findings={row.pk: ("original_checked", "") for row in case.materials.all()},
    )
    case_services.case_accept(actor=org.user("clerk"), case=case)
    return case.notices.get(kind="acceptance")


def _translate_acceptance(org, item) -> None:
    admin = org.user("admin")
    content_translation_set(actor=admin, kind="notice", key="acceptance", field="title", text=MN_TITLE)
    content_translation_set(actor=admin, kind="notice", key="acceptance", field="body.1", text=MN_BODY)
    content_translation_set(actor=admin, kind="notice", key="common", field="law", text=MN_LAW)
    content_translation_set(actor=admin, kind="item", key=str(item.pk), field="name", text=MN_ITEM)


def test_a_notice_in_mongolian_carries_its_translation_after_the_chinese(org, accepted) -> None:
    _translate_acceptance(org, accepted.case.item_version.item)
    chinese = notice_pdf(accepted, language="zh-hans")
    assert page_count(chinese) == 1 and not any("NotoSansMongolian" in name for name in fonts(chinese))
    both = notice_pdf(accepted, language="mn-mong")
    assert page_count(both) == 2
    assert any("NotoSansMongolian" in name for name in fonts(both))  # the font is embedded (subset)
    texts = pdf.actual_texts(both)
    assert texts[0] == MN_TITLE
    # The translated sentence, its facts filled in: the date as numbers, the item and the law in Mongolian.
    body = next(
        text for text in texts if "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠪᠠ" in text or text.startswith("2026") or MN_ITEM[:5] in text
    )
    joined = " ".join(texts)
    assert MN_ITEM in joined and "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠤᠪᠠ᠃" in joined and "ᠵᠠᠰᠠᠭ ᠵᠠᠬᠢᠷᠭᠠᠨ" in joined
    assert "{" not in joined and body
    # The sentences nobody translated yet: the Chinese, on the Mongolian page (marked grey there).
    assert any("本机关将自受理之日起" in text for text in texts)
    assert any(accepted.case.number in text for text in texts)
    # The first page is the Chinese notice, unchanged; the cached PDF is the Chinese one.
    first_page = PdfReader(io.BytesIO(both)).pages[0].extract_text()
    assert "受理通知书" in first_page.replace(" ", "")
    assert bytes(CaseNotice.objects.get(pk=accepted.pk).pdf) == chinese


def test_a_notice_untranslated_still_gets_a_mongolian_page_in_chinese_marked(org, accepted) -> None:
    paragraphs = notice_mongolian(accepted)
    assert paragraphs[0].text == "受理通知书" and paragraphs[0].fallback
    assert all(paragraph.fallback for paragraph in paragraphs if "本机关" in paragraph.text)


def test_the_applicants_own_language_makes_the_notice_bilingual(org, accepted, client_for) -> None:
    _translate_acceptance(org, accepted.case.item_version.item)
    applicant_user = org.user("applicant")
    applicant_user.language = "mn-mong"
    applicant_user.save(update_fields=["language"])
    # The clerk's screen is in Chinese, and the notice he prints for this applicant is bilingual.
    url = reverse("cases:staff_notice_pdf", args=[accepted.case.pk, accepted.pk])
    response = client_for("clerk").get(url, {"lang": "zh-hans"})
    assert response.status_code == 200 and page_count(response.content) == 2
    assert MN_TITLE in pdf.actual_texts(response.content)


def test_a_licence_in_mongolian_has_its_translated_page(org) -> None:
    licence = issue_business_licence(org, make_company(org))
    admin = org.user("admin")
    content_translation_set(actor=admin, kind="licence", key=BUSINESS_LICENCE, field="name", text=MN_LICENCE)
    content_translation_set(actor=admin, kind="licence", key="common", field="number", text="ᠳ᠋ᠤᠭᠠᠷ")
    chinese = licence_pdf(licence, language="zh-hans")
    assert page_count(chinese) == 1
    both = licence_pdf(licence, language="mn-mong")
    assert page_count(both) == 2 and any("NotoSansMongolian" in name for name in fonts(both))
    texts = pdf.actual_texts(both)
    assert texts[0] == MN_LICENCE and f"ᠳ᠋ᠤᠭᠠᠷ：{licence.number}" in texts
    assert any(text.startswith("持证主体：") for text in texts)  # an untranslated label: its Chinese
    # The licence file is embedded either way: the PDF still verifies.
    assert PdfReader(io.BytesIO(both)).attachments.get("licence.json")

"""The admin's Mongolian texts in a real browser, in both languages: a guide (its vertical Mongolian panel)
and the display board (bilingual), drawn with the served fonts, the untranslated parts marked (on the board:
left out), and the axe
check at zero serious or critical violations. Screenshots go to test-artifacts/mongolian/ (not committed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from conftest import PASSWORD
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.i18n.services import content_translation_set
from yichuang.core.tests.a11y import assert_no_serious_violations
from yichuang.hall.tests.helpers import make_hall

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "mongolian"
MN_NAME = "ᠬᠦᠨᠡᠰᠦ ᠬᠣᠭᠣᠯᠠ\u202fᠶᠢᠨ ᠠᠵᠢᠯ ᠠᠬᠢᠯᠠᠬᠤ ᠵᠥᠪᠰᠢᠶᠡᠷᠡᠯ"
MN_CENTRE = "ᠤᠷᠠᠳ ᠳᠤᠮᠳᠠᠳᠤ ᠬᠣᠰᠢᠭᠤ\u202fᠨᠤ ᠵᠠᠰᠠᠭ\u202fᠤᠨ ᠠᠵᠢᠯ ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠦᠢᠯᠡᠴᠢᠯᠡᠭᠡ\u202fᠶᠢᠨ ᠲᠥᠪ"
MN_CALLS = "ᠳ᠋ᠤᠭᠠᠷ ᠳᠠᠭᠤᠳᠠᠬᠤ ᠮᠡᠳᠡᠭᠡ"
LANGUAGES = {"zh-hans": "zh-Hans", "mn-mong": "mn-Mong"}
CHINESE_FONT = "Noto Sans CJK SC"  # the served subset's own family name


def _fonts(page: Any, selector: str) -> set[tuple[bool, str]]:
    """The fonts Chromium really drew the element's text with (DevTools), once the served fonts are in:
    (served by the app, family); the served Chinese subset calls itself Noto Sans CJK SC."""
    page.evaluate(
        """async (selector) => {
            const text = document.querySelector(selector).textContent;
            await document.fonts.load('16px "Noto Sans SC"', text);
            await document.fonts.load('16px "Noto Sans Mongolian"', text);
            await document.fonts.ready;
        }""",
        selector,
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return {(font["isCustomFont"], font["familyName"]) for font in fonts}


def _style(page: Any, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"(e) => getComputedStyle(e).{prop}")


def test_a_guide_in_both_languages(org, page) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    admin = org.user("admin")
    for field, text in (
        ("name", MN_NAME),
        ("handling_place", MN_CENTRE),
        ("material.m-licence.name", "ᠠᠵᠤ ᠠᠬᠤᠢ\u202fᠶᠢᠨ ᠦᠨᠡᠮᠯᠡᠯ"),
    ):
        content_translation_set(actor=admin, kind="item", key=str(item.pk), field=field, text=text)

    for language, tag in LANGUAGES.items():
        page.goto(f"/guides/{item.pk}/?lang={language}")
        assert page.evaluate("document.documentElement.lang") == tag
        panel = page.get_by_test_id("guide-mongolian")
        if language == "zh-hans":
            assert panel.count() == 0 and MN_NAME not in page.content()
        else:
            text = page.get_by_test_id("guide-mongolian-text")
            assert _style(page, "[data-testid=guide-mongolian-text]", "writingMode") == "vertical-lr"
            name = text.locator('[data-field="name"] span[lang="mn-Mong"]')
            assert name.inner_text() == MN_NAME
            assert _fonts(page, '[data-field="name"] span[lang="mn-Mong"]') == {(True, "Noto Sans Mongolian")}
            # The conditions are not translated: Chinese, marked, in the Chinese font, upright in the column.
            fallback = text.locator('[data-field="acceptance_conditions"] span.untranslated')
            assert (
                fallback.get_attribute("lang") == "zh-Hans"
                and fallback.get_attribute("data-state") == "missing"
            )
            assert _fonts(page, '[data-field="acceptance_conditions"] span.untranslated') == {
                (True, CHINESE_FONT)
            }
            assert (
                _style(page, '[data-field="acceptance_conditions"] span.untranslated', "textOrientation")
                == "upright"
            )
            # The column box scrolls sideways by keyboard when the text is long (a focusable region).
            assert text.get_attribute("tabindex") == "0"
            box = text.bounding_box()
            assert box["height"] > box["width"] / 4  # laid out in columns, not one long line
        # The switcher's current language is drawn filled, not only announced (aria-pressed).
        pressed = page.locator('form.language-switcher button[aria-pressed="true"]')
        other = page.locator('form.language-switcher button[aria-pressed="false"]')
        assert pressed.get_attribute("value") == language
        assert pressed.evaluate("(e) => getComputedStyle(e).backgroundColor") != other.evaluate(
            "(e) => getComputedStyle(e).backgroundColor"
        )
        page.screenshot(path=SHOTS / f"guide-{tag}.png", full_page=True)
        assert_no_serious_violations(page, where=f"guide {tag}")

        page.goto(f"/guides/{item.pk}/plain/?lang={language}")
        assert (panel.count() == 1) == (language == "mn-mong")
        page.screenshot(path=SHOTS / f"guide-plain-{tag}.png", full_page=True)
        assert_no_serious_violations(page, where=f"plain guide {tag}")


def test_the_display_board_in_both_languages(org, page) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    setup = make_hall(org)
    hall = setup.hall
    admin = org.user("admin")
    content_translation_set(actor=admin, kind="hall", key=hall.code, field="name", text=MN_CENTRE)
    content_translation_set(actor=admin, kind="board", key="call_board", field="calls", text=MN_CALLS)

    for language, tag in LANGUAGES.items():
        page.goto(f"/hall/board/?hall={hall.code}&lang={language}")
        assert page.evaluate("document.documentElement.lang") == tag
        if language == "zh-hans":
            assert page.locator(".board-mn").count() == 0
        else:
            hall_name = page.get_by_test_id("board-mn-hall")
            assert hall_name.inner_text() == MN_CENTRE
            assert _style(page, "[data-testid=board-mn-hall]", "writingMode") == "vertical-lr"
            assert _fonts(page, '[data-testid=board-mn-hall] span[lang="mn-Mong"]') == {
                (True, "Noto Sans Mongolian")
            }
            assert page.locator(".board-mn", has_text=MN_CALLS).count() == 1
            # Chinese stands beside it, as on every board; a text nobody translated yet is not repeated.
            assert page.locator("#b-calls").inner_text().startswith("叫号信息")
            assert page.locator("#b-waiting").inner_text().strip() == "各业务等候情况"
            assert page.locator("#b-waiting .board-mn").is_hidden()
            assert page.locator(".board-bilingual span.untranslated").count() == 0
            # The live part is polled every two seconds: still bilingual after a refresh.
            page.wait_for_timeout(2500)
            assert page.locator(".board-mn", has_text=MN_CALLS).count() == 1
        page.screenshot(path=SHOTS / f"board-{tag}.png", full_page=True)
        assert_no_serious_violations(page, where=f"board {tag}")


def test_the_admin_translates_on_the_screen(org, page) -> None:
    """Menu → the item → type the Mongolian → save; the list then counts it as translated."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    page.goto("/home/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/home/")
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="蒙古文内容").click()
    page.wait_for_url("**/i18n/content/")
    assert page.get_by_test_id("content-summary").locator('tr[data-kind="item"]').count() == 1
    page.screenshot(path=SHOTS / "admin-content-list.png", full_page=True)
    assert_no_serious_violations(page, where="content list")
    page.get_by_role("link", name="食品经营许可（新办）").click()
    name = page.locator('fieldset[data-field="name"] textarea')
    name.fill(MN_NAME)
    page.get_by_role("button", name="保存译文").click()
    assert "已保存 1 条译文" in page.locator(".messages").inner_text()
    assert page.locator('fieldset[data-field="name"]').get_attribute("data-state") == "translated"
    assert page.locator('fieldset[data-field="name"] .mongol-preview').inner_text() == MN_NAME
    page.screenshot(path=SHOTS / "admin-content-edit.png", full_page=True)
    assert_no_serious_violations(page, where="content edit")
    page.goto(f"/guides/{item.pk}/?lang=mn-mong")
    assert page.locator('[data-field="name"] span[lang="mn-Mong"]').inner_text() == MN_NAME

"""Two languages in a real browser: the guide index in Chinese and in Mongolian, switched from the keyboard
with the topbar's language switcher; untranslated strings visibly marked.

Screenshots are kept under test-artifacts/i18n/ (not committed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.i18n.report import missing_translations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "i18n"
BRAND_MN = "ᠨᠢᠭᠡ ᠴᠣᠩᠬᠣ"


def _tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab from the top of the page until ``selector`` has the focus, as a keyboard user would."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_guide_index_in_both_languages_switched_by_keyboard(org, page, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    publish_item(actor=org.user("admin"), department=org.scjg, basic_code="000123456001")

    page.goto("/guides/")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.locator(".brand").inner_text().startswith("一窗")
    assert page.locator("span.untranslated").count() == 0
    switcher = page.get_by_role("form", name="选择语言")
    assert switcher.get_by_role("button", name="简体中文").get_attribute("aria-pressed") == "true"
    page.screenshot(path=SHOTS / "guides-zh-Hans.png", full_page=True)

    # Keyboard: Tab to the Mongolian button, Enter.
    _tab_to(page, 'form.language-switcher button[value="mn-mong"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/guides/"
    assert page.evaluate("document.documentElement.lang") == "mn-Mong"
    assert page.locator(".brand").inner_text().startswith(BRAND_MN)
    mongolian = page.get_by_role("form", name="ᠬᠡᠯᠡ ᠰᠣᠩᠭᠣᠬᠤ").get_by_role("button", name="ᠮᠣᠩᠭᠣᠯ")
    assert mongolian.get_attribute("aria-pressed") == "true"
    assert mongolian.get_attribute("lang") == "mn-Mong"
    # The public pages are translated (drafts awaiting native review): the search box's label is Mongolian.
    assert "搜索事项（可以用大白话，例如“开饭店”）" not in page.locator("span.untranslated").all_inner_texts()
    page.screenshot(path=SHOTS / "guides-mn-Mong.png", full_page=True)

    # The choice is remembered: another page, and a fresh visit, stay in Mongolian.
    page.goto("/search/")
    assert page.evaluate("document.documentElement.lang") == "mn-Mong"
    page.screenshot(path=SHOTS / "search-mn-Mong.png", full_page=True)

    # And back to Chinese the same way.
    page.goto("/guides/")
    _tab_to(page, 'form.language-switcher button[value="zh-hans"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.locator("span.untranslated").count() == 0


def test_untranslated_text_is_marked_in_the_browser(org, page, live_server) -> None:
    """A msgid the report lists as missing, on the screen that renders it (the admin's working calendar):
    Chinese, in a Chinese-language span, underlined with dots."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    template = "yichuang/core/templates/core/calendar.html"
    missing = {
        message.msgid
        for app in missing_translations(language="mn-mong").apps
        for message in app.missing
        if template in message.references
    }
    if not missing:
        pytest.skip("calendar.html is fully translated: pick another screen")
    client = Client()
    client.force_login(org.user("admin"))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page.goto("/calendar/?lang=mn-mong")
    assert page.evaluate("document.documentElement.lang") == "mn-Mong"
    texts = page.locator("span.untranslated").all_inner_texts()
    assert missing & set(texts)
    untranslated = page.locator("span.untranslated").first
    assert untranslated.get_attribute("lang") == "zh-Hans"
    assert untranslated.evaluate("(e) => getComputedStyle(e).textDecorationStyle") == "dotted"
    page.screenshot(path=SHOTS / "calendar-mn-Mong.png", full_page=True)


def test_lang_parameter_in_the_browser(page) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/track/?lang=mn-mong")
    assert page.evaluate("document.documentElement.lang") == "mn-Mong"
    assert page.get_by_role("button", name="ᠯᠠᠪᠯᠠᠬᠤ").count() == 1  # 查询, translated
    page.screenshot(path=SHOTS / "track-mn-Mong.png", full_page=True)
    page.goto("/track/?lang=zh-hans")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.get_by_role("button", name="查询").count() == 1

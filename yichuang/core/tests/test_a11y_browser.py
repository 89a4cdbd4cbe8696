"""适老化/无障碍 in a real browser: the public pages pass axe-core's WCAG 2.1 A/AA rules with no serious or
critical violation in the normal, 大字号 and 高对比度 looks; the skip link and the display switches work
from the keyboard; the app's own Chinese and Mongolian fonts load.

Screenshots are kept under test-artifacts/a11y/ (not committed)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from yichuang.catalog.lists import item_list_publish
from yichuang.catalog.models import ItemList, ListKind
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.accessibility import COOKIE_NAME
from yichuang.core.tests.a11y import describe_violations, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "a11y"
# look → (display modes in the cookie, language): Chinese in every mode, Mongolian plain and large + contrast.
LOOKS = {
    "normal": ("", "zh"),
    "large": ("large", "zh"),
    "contrast": ("contrast", "zh"),
    "large-contrast": ("large.contrast", "zh"),
    "mn": ("", "mn"),
    "mn-large-contrast": ("large.contrast", "mn"),
}


def _mongolian_code() -> str | None:
    return next((code for code, _name in settings.LANGUAGES if code.startswith("mn")), None)


@pytest.fixture
def public_data(org) -> dict[str, Any]:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    item_list_publish(
        actor=org.user("admin"),
        item_list=ItemList.objects.get(kind=ListKind.LICENSING),
        effective_date=datetime.date(2026, 3, 1),
    )
    return {"item": item}


def _set_look(page: Any, live_server: Any, look: str) -> None:
    modes, language = LOOKS[look]
    page.context.clear_cookies()
    cookies = []
    if modes:
        cookies.append({"name": COOKIE_NAME, "value": modes, "url": live_server.url})
    if language == "mn":
        code = _mongolian_code()
        if code is None:
            pytest.skip("no Mongolian in settings.LANGUAGES")
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": code, "url": live_server.url})
    page.context.add_cookies(cookies)


def _visit_public_pages(page: Any, item_id: int) -> Any:
    """Yield (name, page) for every public page, each in the state to be checked."""
    yield "home", page.goto("/")
    yield "guides", page.goto("/guides/")
    yield "guide", page.goto(f"/guides/{item_id}/")
    yield "search", page.goto("/search/?q=开饭店")
    yield "lists", page.goto("/lists/")
    yield "list", page.goto("/lists/licensing/")
    yield "track", page.goto("/track/")
    # Submitted empty: the field errors are shown next to their fields. (Selectors hold in both languages.)
    submit = "[data-testid=track-form] button[type=submit]"
    with page.expect_navigation():
        page.locator(submit).click()
    yield "track-errors", None
    page.locator("input[name=number]").fill("NOSUCHCASE0001")
    page.locator("input[name=id_number]").fill("150824199001011234")
    page.locator(submit).click()
    page.get_by_test_id("track-not-found").wait_for()
    yield "track-not-found", None
    yield "login", page.goto("/accounts/login/")
    yield "404", page.goto("/no-such-page/")


@pytest.mark.parametrize("look", list(LOOKS))
def test_public_pages_have_no_serious_violations(page, live_server, public_data, look) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    _set_look(page, live_server, look)
    failures = []
    checked = []
    for name, response in _visit_public_pages(page, public_data["item"].pk):
        if response is not None:
            expected = 404 if name == "404" else 200
            assert response.status == expected, f"{name}: {response.status} {page.url}"
        modes, language = LOOKS[look]
        classes = page.locator("body").get_attribute("class") or ""
        for mode in filter(None, modes.split(".")):
            assert f"a11y-{mode}" in classes, f"{name}: body lacks a11y-{mode}"
        assert (page.locator("html").get_attribute("lang") or "").lower().startswith(language), name
        page.evaluate("() => document.fonts.ready")
        page.screenshot(path=SHOTS / f"{look}-{name}.png", full_page=True)
        violations = serious_violations(page)
        if violations:
            failures.append(describe_violations(violations, where=f"{name} ({look}) {page.url}"))
        checked.append(name)
    assert len(checked) == 11
    assert not failures, "\n\n".join(failures)


def test_a_known_violation_is_reported(page, live_server) -> None:
    """The check can fail: an unlabelled field and light-grey text are caught and described."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<input id="bare"><p id="faint">看不清的字</p>');
            // Through the CSSOM: a style="" attribute would be refused by the content security policy.
            Object.assign(document.getElementById('faint').style, {color: '#bbb', background: '#fff'});
        }"""
    )
    violations = serious_violations(page)
    ids = {v["id"] for v in violations}
    assert {"label", "color-contrast"} <= ids
    message = describe_violations(violations, where="login")
    assert "label (critical)" in message and "#bare" in message


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const el = document.activeElement;
            return {tag: el.tagName, id: el.id, text: (el.innerText || '').trim(),
                    pressed: el.getAttribute('aria-pressed'), mode: el.dataset.mode || ''}; }"""
    )


def test_keyboard_skip_link_and_display_switches(page, live_server, public_data) -> None:
    page.goto("/guides/")
    page.keyboard.press("Tab")
    first = _focused(page)
    assert first["text"] == "跳到正文" and first["tag"] == "A"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0  # it shows when focused
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    # The switches come right after the skip link; Enter and Space both work and the state is announced.
    page.goto("/guides/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    large = _focused(page)
    assert (large["mode"], large["text"], large["pressed"]) == ("large", "大字号", "false")
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "16px"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "a11y-large" in page.locator("body").get_attribute("class")
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "20px"
    toggle = page.locator("[data-mode=large]")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert toggle.bounding_box()["height"] >= 44

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    contrast = _focused(page)
    assert (contrast["mode"], contrast["pressed"]) == ("contrast", "false")
    with page.expect_navigation():
        page.keyboard.press("Space")
    body = page.locator("body").get_attribute("class")
    assert "a11y-large" in body and "a11y-contrast" in body
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.topbar')).backgroundColor") == (
        "rgb(0, 0, 0)"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "keyboard-switched.png", full_page=True)

    # The choice follows the visitor to the next page, and switching off works the same way.
    page.goto("/track/")
    assert page.locator("[data-mode=contrast]").get_attribute("aria-pressed") == "true"
    page.locator("[data-mode=large]").focus()
    with page.expect_navigation(url="**/track/"):
        page.keyboard.press("Enter")
    assert page.locator("body").get_attribute("class") == "a11y-contrast"
    assert page.locator("[data-mode=large]").get_attribute("aria-pressed") == "false"


def _platform_fonts(page: Any, selector: str) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_served_fonts_load_for_chinese_and_mongolian(page, live_server) -> None:
    page.goto("/accounts/login/")
    assert page.evaluate("() => getComputedStyle(document.body).fontFamily").startswith('"Noto Sans SC"')
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<p lang="mn-Mong" class="mongol-vertical" id="mn">ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ</p>')"""
    )
    page.evaluate("() => document.fonts.ready")
    loaded = page.evaluate(
        """async () => {
            await document.fonts.load('16px "Noto Sans Mongolian"', 'ᠮᠣᠩᠭᠣᠯ');
            await document.fonts.load('bold 16px "Noto Sans SC"', '办理进度查询');
            await document.fonts.ready;
            return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family + ' ' + f.weight);
        }"""
    )
    assert {"Noto Sans SC 400", "Noto Sans SC 700", "Noto Sans Mongolian 400"} <= {
        name.replace('"', "") for name in loaded
    }
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.getElementById('mn'));
            return [s.writingMode, s.fontFamily]; }"""
    )
    assert style[0] == "vertical-lr" and style[1].startswith('"Noto Sans Mongolian"')
    # What Chromium really drew the glyphs with: the served web fonts, not a system font (or boxes).
    mongolian = _platform_fonts(page, "#mn")
    assert [(f["isCustomFont"], f["familyName"]) for f in mongolian] == [(True, "Noto Sans Mongolian")]
    chinese = _platform_fonts(page, "h1")
    assert [(f["isCustomFont"], f["familyName"]) for f in chinese] == [(True, "Noto Sans CJK SC")]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "fonts-login-mongolian.png", full_page=True)

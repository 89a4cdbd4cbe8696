"""掌上办 in a real browser: a 360×740 phone (mobile user agent, touch), in Chinese and in Mongolian. The
applicant finds a guide by search, applies with a photo taken by the camera input, finds the case under
我的办件, tracks it, rates it once it is closed, and shows a licence's QR code full screen.

On every page: no horizontal scrolling, touch targets of at least 44 px; on the public pages (guides,
search, track) the axe-core WCAG 2.1 A/AA check finds nothing serious or critical. Selectors never rely
on the words shown (most may be translated into Mongolian at any time). Screenshots are kept under
test-artifacts/mobile/ (not committed)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services as cases
from yichuang.cases.models import Case, CaseFile, CaseMaterialState
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.accessibility import COOKIE_NAME
from yichuang.core.models import Notification
from yichuang.core.tests.a11y import describe_violations, serious_violations
from yichuang.licences.tests.helpers import issue_marriage_certificate
from yichuang.ratings.models import Channel, Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "mobile"
PASSWORD = "pass-word-2026"
PHONE = "13912345678"
ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; HUAWEI P60) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36"
)
LANGUAGES = {"zh": "zh-hans", "mn": "mn-mong"}
# Everything a thumb presses: buttons, fields, the menu's links, tabs, pager, stars, the camera button.
TARGETS = (
    "main button, main .button, main select, main textarea, "
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not(.camera-input), "
    ".topbar button, .topbar-menu a, .access-toggle, nav.tabs a, .pager a, label.rating-star, label.camera-button"
)
SMALL_TARGETS_JS = """(selector) => Array.from(document.querySelectorAll(selector)).flatMap((el) => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') return [];
    if (box.height >= 44 && box.width >= 44) return [];
    return [`${el.tagName.toLowerCase()}.${el.className} ${Math.round(box.width)}×${Math.round(box.height)}`];
})"""
WIDE_JS = """() => {
    const root = document.documentElement;
    const over = Array.from(document.querySelectorAll('body *')).filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width && box.right > root.clientWidth + 1;
    }).slice(0, 8).map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`);
    return {scroll: root.scrollWidth, client: root.clientWidth, over};
}"""


def phone_photo(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    """A camera's JPEG lying on its side (EXIF orientation 6) with the phone's model and a GPS position."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((250, 250, 250), (0, 0, width // 3, height))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "HUAWEI"
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 30.0), 3: "E", 4: (108.0, 30.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


class Phone:
    """One phone in one language: checks every page it shows."""

    def __init__(self, page: Any, language: str) -> None:
        self.page = page
        self.language = language
        self.shots = 0
        self.checked: list[str] = []

    def check(self, name: str, *, axe: bool = False) -> None:
        page = self.page
        page.wait_for_load_state()
        page.evaluate("() => document.fonts.ready")
        lang = (page.locator("html").get_attribute("lang") or "").lower()
        assert lang.startswith(self.language), f"{name}: lang={lang}"
        wide = page.evaluate(WIDE_JS)
        assert wide["scroll"] <= wide["client"], f"{name}: scrolls sideways {wide}"
        small = page.evaluate(SMALL_TARGETS_JS, TARGETS)
        assert not small, f"{name}: touch targets under 44 px: {small}"
        self.shots += 1
        page.screenshot(path=SHOTS / f"{self.language}-{self.shots:02d}-{name}.png", full_page=True)
        if axe:
            violations = serious_violations(page)
            assert not violations, describe_violations(
                violations, where=f"{name} ({self.language}) {page.url}"
            )
        self.checked.append(name)

    def open_menu_and_follow(self, href: str) -> None:
        page = self.page
        toggle = page.locator(".topbar .menu-toggle")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.locator("#topbar-menu").is_hidden()
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        link = page.locator(f'#topbar-menu a[href="{href}"]')
        link.wait_for()
        with page.expect_navigation():
            link.click()


@pytest.fixture
def phone(browser: Any, live_server: Any, request: Any) -> Any:
    language = request.param
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 360, "height": 740},
        user_agent=ANDROID,
        has_touch=True,
        is_mobile=True,
        device_scale_factor=1,
    )
    if language == "mn":
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": LANGUAGES["mn"], "url": live_server.url}]
        )
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    tab.set_viewport_size({"width": 360, "height": 740})
    yield Phone(tab, language)
    context.close()


@pytest.mark.parametrize("phone", ["zh", "mn"], indirect=True)
def test_the_applicant_portal_on_a_phone(org, phone, live_server) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone.page
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    applicant = ApplicantFactory(user=org.user("applicant"), name="乌云其其格", phone=PHONE)
    licence = issue_marriage_certificate(org, applicant)

    # ——— find a guide: the index, the folded menu, search, the guide, its 白话版 ———
    page.goto("/guides/")
    phone.check("guides", axe=True)
    toggle = page.locator(".topbar .menu-toggle")
    assert toggle.get_attribute("aria-controls") == "topbar-menu"
    assert page.locator("#topbar-menu").is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert (
        toggle.get_attribute("aria-expanded") == "true"
        and page.locator("#topbar-menu nav a").first.is_visible()
    )
    phone.check("guides-menu-open")
    label = toggle.locator("span:not(.menu-icon)")
    if re.search(r"[\u4e00-\u9fff]", label.inner_text()) and phone.language != "zh":
        assert label.get_attribute("lang") == "zh-Hans"  # a Chinese fallback is marked, as in the templates
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and page.locator("#topbar-menu").is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('menu-toggle')")

    page.locator("#guide-q").fill("开饭店")
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    assert "/search/" in page.url
    hit = page.locator(f'.search-hit a[href="/guides/{item.pk}/"]')
    hit.wait_for()
    phone.check("search", axe=True)
    with page.expect_navigation():
        hit.click()
    materials = page.locator(".guide-body table.materials tbody tr").first
    assert materials.evaluate("(tr) => getComputedStyle(tr).display") == "block"  # a card, not a row
    phone.check("guide", axe=True)
    page.goto(f"/guides/{item.pk}/plain/")
    phone.check("guide-plain", axe=True)

    # ——— apply with photos: the camera input, previews with sizes, two photos for one material ———
    page.goto(f"/guides/{item.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("apply-online").click()
    page.locator("input[name=username]").fill("applicant")
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/my/cases/apply/{item.pk}/")
    row = page.locator('tr[data-material="m-apply"]')
    camera = row.locator("input.camera-input")
    assert camera.get_attribute("capture") == "environment" and camera.get_attribute("accept") == "image/*"
    picker = row.locator("input[type=file]:not(.camera-input)")
    assert picker.get_attribute("accept") == "image/*,application/pdf"
    first = phone_photo(2400, 1600, (200, 40, 40))
    camera.set_input_files(files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": first}])
    previews = row.locator(".upload-preview")
    previews.first.wait_for()
    assert previews.count() == 1 and row.locator(".upload-preview img").count() == 1
    assert re.search(r"\d+ KB|\d\.\d MB", previews.first.inner_text())
    # A second photo of the same material (the next page) joins the first instead of replacing it.
    second = phone_photo(1800, 1200, (40, 40, 200))
    picker.set_input_files(files=[{"name": "IMG_0002.jpg", "mimeType": "image/jpeg", "buffer": second}])
    row.locator(".upload-preview img").nth(1).wait_for()
    assert picker.evaluate("(input) => input.files.length") == 2
    assert row.locator(".upload-summary").count() == 1
    # A file that is not a photo is refused on the spot, with the reason.
    picker.set_input_files(files=[{"name": "说明.txt", "mimeType": "text/plain", "buffer": b"text"}])
    row.locator(".upload-preview.is-error").wait_for()
    assert picker.evaluate("(input) => input.files.length") == 2
    phone.check("apply")
    with page.expect_navigation():
        page.locator("[data-testid=apply-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/my/cases/\d+/$"))
    number = page.get_by_test_id("case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.channel == "mobile"
    stored = list(CaseFile.objects.filter(case=case).order_by("pk"))
    assert [f.name for f in stored] == ["IMG_0001.jpg", "IMG_0002.jpg"]
    for file, size in zip(stored, [(1333, 2000), (1200, 1800)], strict=True):
        photo = Image.open(io.BytesIO(bytes(file.data)))
        assert photo.size == size and len(photo.getexif()) == 0 and b"HUAWEI" not in bytes(file.data)
    assert page.locator("[data-testid=timeline] li").count() >= 1
    phone.check("case")

    # ——— 我的办件, reached through the folded menu ———
    phone.open_menu_and_follow("/my/cases/")
    card = page.locator(f'tr[data-case="{number}"]')
    assert card.evaluate("(tr) => getComputedStyle(tr).display") == "block"
    phone.check("my-cases")

    # ——— track: the public progress lookup ———
    page.goto("/track/")
    phone.check("track", axe=True)
    form = page.get_by_test_id("track-form")
    form.locator("input[name=number]").fill(number)
    form.locator("input[name=id_number]").fill(applicant.id_number)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.get_by_test_id("track-result").wait_for()
    assert page.get_by_test_id("track-timeline").locator("li").count() >= 1
    assert applicant.id_number not in page.content()
    phone.check("track-result", axe=True)

    # ——— the case is decided and delivered; the applicant rates it ———
    clerk, reviewer = org.user("clerk"), org.user("reviewer")
    cases.case_check_materials(
        actor=clerk,
        case=case,
        findings={row.pk: (CaseMaterialState.ORIGINAL_CHECKED, "") for row in case.materials.all()},
    )
    cases.case_accept(actor=clerk, case=case)
    cases.case_start_review(actor=reviewer, case=case)
    cases.case_decide(actor=reviewer, case=case, decision="approve")
    cases.case_result_ready(actor=reviewer, case=case)
    cases.case_deliver(actor=org.user("issuer"), case=case, method="pickup", recipient=applicant.name)
    if phone.language == "zh":
        # From the case page under 我的办件 (logged in).
        page.goto(f"/my/cases/{case.pk}/")
        phone.check("case-closed")
        with page.expect_navigation():
            page.get_by_test_id("rate-case").click()
        form_id = "case-rating-form"
    else:
        # From the link texted to the phone (no login needed).
        sms = Notification.objects.get(template="ratings.invitation", to=PHONE)
        page.goto(re.search(r"/ratings/r/[A-Za-z0-9_-]+/", sms.body).group(0))
        form_id = "invitation-rating-form"
    rating = page.get_by_test_id(form_id)
    stars = rating.locator("[data-testid=rating-levels] label.rating-star")
    assert stars.count() == 5 and rating.locator("input[type=radio]:checked").count() == 0
    for index in range(5):
        box = stars.nth(index).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 56, box
    phone.check("rate")
    stars.nth(3).tap()  # 满意 (4 of 5)
    assert rating.locator('[data-testid=rating-levels] input[value="4"]').is_checked()
    fills = [
        stars.nth(i).locator(".star").evaluate("(e) => getComputedStyle(e).backgroundColor") for i in range(5)
    ]
    assert fills[:4] == ["rgb(180, 83, 9)"] * 4 and fills[4] != fills[0]  # four stars lit, the fifth not
    page.screenshot(path=SHOTS / f"{phone.language}-{phone.shots:02d}-rate-chosen.png", full_page=True)
    with page.expect_navigation():
        rating.locator("button[type=submit]").click()
    evaluation = Evaluation.objects.get(subject_id=case.pk)
    assert evaluation.level == 4
    assert evaluation.channel == (Channel.MOBILE if phone.language == "zh" else Channel.ONLINE)
    phone.check("rated")

    # ——— my licences: the list, the licence, its QR large and full screen ———
    phone.open_menu_and_follow("/my/licences/")
    assert (
        page.locator(f'tr[data-licence="{licence.pk}"]').evaluate("(tr) => getComputedStyle(tr).display")
        == "block"
    )
    phone.check("licences")
    with page.expect_navigation():
        page.locator(f'a[href="/my/licences/{licence.pk}/"]').first.click()
    qr = page.locator("[data-testid=licence-qr] svg.qr-code")
    box = qr.bounding_box()
    assert box["width"] >= 200 and box["height"] >= 200, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    phone.check("licence")
    show = page.get_by_test_id("qr-show")
    assert show.is_visible()
    show.click()
    dialog = page.get_by_test_id("qr-full")
    assert dialog.evaluate("(d) => d.open") is True
    big = dialog.locator("svg.qr-code").bounding_box()
    assert big["width"] >= 300 and big["width"] <= 360, big
    page.screenshot(path=SHOTS / f"{phone.language}-{phone.shots + 1:02d}-licence-qr-full.png")
    page.keyboard.press("Escape")
    assert dialog.evaluate("(d) => d.open") is False
    assert page.evaluate("() => document.activeElement.dataset.testid") == "qr-show"
    assert len(phone.checked) == (15 if phone.language == "zh" else 14)


@pytest.mark.parametrize("phone", ["zh", "mn"], indirect=True)
def test_large_text_and_high_contrast_fit_the_phone_too(org, phone, live_server) -> None:
    """适老化 on a phone: 大字号 + 高对比度 (text a quarter larger) still never scrolls sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone.page
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    page.context.add_cookies([{"name": COOKIE_NAME, "value": "large.contrast", "url": live_server.url}])
    for name, path in (
        ("large-guides", f"/guides/?department={org.scjg.pk}"),
        ("large-search", "/search/?q=开饭店"),
        ("large-guide", f"/guides/{item.pk}/"),
        ("large-plain", f"/guides/{item.pk}/plain/"),
        ("large-track", "/track/"),
    ):
        page.goto(path)
        assert "a11y-large" in (page.locator("body").get_attribute("class") or "")
        phone.check(name, axe=True)
        if name == "large-guide":
            cards = page.locator(".guide-body table.materials tbody tr")
            assert (
                cards.count() == 2 and cards.first.evaluate("(tr) => getComputedStyle(tr).display") == "block"
            )


def test_wide_screens_keep_the_plain_topbar_and_tables(org, page, live_server) -> None:
    """The phone's rules stay on phones: at 1280 px no menu button, the navigation shown, tables as tables."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/guides/{item.pk}/")
    assert page.locator(".topbar .menu-toggle").is_hidden()
    assert page.locator(".topbar nav a").first.is_visible()
    row = page.locator(".guide-body table.materials tbody tr").first
    assert row.evaluate("(tr) => getComputedStyle(tr).display") == "table-row"
    page.screenshot(path=SHOTS / "wide-guide.png", full_page=True)

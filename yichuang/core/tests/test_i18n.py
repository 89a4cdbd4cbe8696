"""Two languages: zh-hans and mn-mong chosen per request, cookie and user; the visible fallback to Chinese;
the report of missing translations."""

from __future__ import annotations

import re
import struct
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import trans_real

from yichuang.accounts.models import User
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.i18n import marking
from yichuang.core.i18n.languages import ExactLocaleTranslation, bcp47, supported_language
from yichuang.core.i18n.report import app_of, missing_translations, parse_po, po_path
from yichuang.core.i18n.services import user_language_set
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

SPAN = '<span lang="zh-Hans" class="untranslated">'
BRAND_MN = "ᠨᠢᠭᠡ ᠴᠣᠩᠬᠣ"  # 一窗 in the real catalogue
GUIDES_MN = "ᠵᠢᠭᠠᠮᠵᠢ"  # what the test catalogue below calls 办事指南 (not a real translation)


# ---------------------------------------------------------------- helpers


def write_mo(path: Path, messages: dict[str | tuple[str, str], str | tuple[str, ...]]) -> None:
    """A GNU .mo catalogue: ``{msgid: text}``, ``{(msgid, msgid_plural): (form0, form1)}``."""
    entries = {"": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"}
    for key, value in messages.items():
        msgid = "\x00".join(key) if isinstance(key, tuple) else key
        entries[msgid] = "\x00".join(value) if isinstance(value, tuple) else value
    keys = sorted(entries, key=lambda k: k.encode())
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    start = 7 * 4 + 16 * len(keys)
    offsets: list[int] = []
    blob = b""
    for data in ids + strs:
        offsets += [len(data), start + len(blob)]
        blob += data + b"\x00"
    n = len(keys)
    header = struct.pack("<7I", 0x950412DE, 0, n, 28, 28 + 8 * n, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + struct.pack(f"<{4 * n}I", *offsets) + blob)


@pytest.fixture
def test_catalogue(tmp_path, settings):
    """Mongolian from a catalogue the test controls: 一窗 and 办事指南 translated, the rest not."""
    write_mo(
        tmp_path / "mn_Mong" / "LC_MESSAGES" / "django.mo",
        {"一窗": BRAND_MN, "办事指南": GUIDES_MN, ("%(n)s项", "%(n)s项"): ("%(n)s ᠵᠦᠢᠯ", "%(n)s ᠵᠦᠢᠯ")},
    )
    settings.LOCALE_PATHS = [tmp_path]  # Django drops its cached translations on this change
    yield tmp_path
    translation.activate(settings.LANGUAGE_CODE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[str] = []
        self.untranslated: list[str] = []
        self._depth = 0
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.attributes += [value or "" for _name, value in attrs]
        if self._depth:
            self._depth += 1 if tag == "span" else 0
        elif tag == "span" and ("class", "untranslated") in attrs:
            assert ("lang", "zh-Hans") in attrs
            self._depth, self._text = 1, []

    def handle_endtag(self, tag):
        if self._depth and tag == "span":
            self._depth -= 1
            if not self._depth:
                self.untranslated.append("".join(self._text))

    def handle_data(self, data):
        if self._depth:
            self._text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def html_lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def real_messages(*, draft: bool | None = None, translated: bool) -> list:
    """Plain msgids (no context, plural or placeholder) of the real catalogue, translated or not (and, if
    asked, draft or not), so the tests follow the catalogue as translators fill it."""
    return [
        message
        for message in parse_po(po_path("mn-mong").read_text(encoding="utf-8"))
        if message.translated == translated
        and (draft is None or message.draft == draft)
        and not (message.context or message.plural or "%" in message.msgid or "{" in message.msgid)
    ]


# ---------------------------------------------------------------- languages


def test_language_codes_and_tags() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "mn-mong"]
    assert bcp47("zh-hans") == "zh-Hans"
    assert bcp47("mn-mong") == "mn-Mong"
    assert bcp47("en-us") == "en-US"
    assert supported_language("mn-Mong") == "mn-mong"
    assert supported_language("mn_Mong") == "mn-mong"
    assert supported_language("zh-Hans") == "zh-hans"
    assert supported_language("fr") is None
    assert supported_language("") is None
    info = translation.get_language_info("mn-mong")
    assert info["name_local"] == "ᠮᠣᠩᠭᠣᠯ"
    assert info["bidi"] is False


def test_mongolian_reads_its_own_catalogue_and_falls_back_to_chinese_not_cyrillic() -> None:
    with translation.override("mn-mong"):
        assert isinstance(trans_real.translation("mn-mong"), ExactLocaleTranslation)
        assert translation.gettext("一窗") == BRAND_MN  # the project's catalogue
        untranslated = real_messages(translated=False)[0].msgid
        assert translation.gettext(untranslated) == untranslated  # untranslated: Chinese
        draft = real_messages(translated=True, draft=True)[0]
        assert translation.gettext(draft.msgid) == draft.translations[0]  # a draft is shown like any other
        # Django's own strings: Chinese (its zh_Hans catalogue), never its Cyrillic "mn" catalogue.
        with translation.override("zh-hans"):
            required_zh = translation.gettext("This field is required.")
        assert translation.gettext("This field is required.") == required_zh
        assert re.search("[\u4e00-\u9fff]", required_zh)
        assert not re.search("[\u0400-\u04ff]", translation.gettext("This field is required."))


def test_python_side_gettext_falls_back_plainly(test_catalogue) -> None:
    with translation.override("mn-mong"):
        assert translation.gettext("按部门浏览") == "按部门浏览"
        assert translation.gettext("办事指南") == GUIDES_MN


# ---------------------------------------------------------------- per request, cookie, user


def test_a_public_page_in_chinese_by_default() -> None:
    response = Client().get(reverse("catalog:guide_index"))
    html = response.content.decode()
    assert html_lang(html) == "zh-Hans"
    assert '<a class="brand" href="/">一窗<span>一体化政务服务平台</span></a>' in html
    assert SPAN not in html
    assert marking.OPEN not in html and marking.CLOSE not in html


def test_lang_parameter_shows_mongolian_and_the_cookie_remembers_it() -> None:
    client = Client()
    response = client.get(reverse("catalog:guide_index"), {"lang": "mn-mong"})
    html = response.content.decode()
    assert html_lang(html) == "mn-Mong"
    assert response["Content-Language"] == "mn-mong"
    assert BRAND_MN in html  # translated in the real catalogue
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "mn-mong"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == settings.LANGUAGE_COOKIE_AGE
    # The next request, with no parameter, keeps Mongolian through the cookie.
    again = client.get(reverse("catalog:search"))
    assert html_lang(again.content.decode()) == "mn-Mong"
    # ?lang=zh-hans switches back for everyone.
    back = client.get(reverse("catalog:guide_index"), {"lang": "zh-hans"})
    assert html_lang(back.content.decode()) == "zh-Hans"
    assert back.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_an_unknown_lang_parameter_is_ignored() -> None:
    response = Client().get(reverse("catalog:guide_index"), {"lang": "xx-evil"})
    assert html_lang(response.content.decode()) == "zh-Hans"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_cookie_alone_chooses_mongolian() -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "mn-mong"
    html = client.get(reverse("cases:track")).content.decode()
    assert html_lang(html) == "mn-Mong"
    assert BRAND_MN in html


def test_the_users_own_language_wins_over_the_cookie(org) -> None:
    applicant = org.user("applicant")
    user_language_set(actor=applicant, user=applicant, language="mn-mong")
    client = Client()
    client.force_login(applicant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get(reverse("catalog:guide_index")).content.decode()
    assert html_lang(html) == "mn-Mong"
    # ?lang= still shows one request in another language.
    html = client.get(reverse("catalog:guide_index"), {"lang": "zh-hans"}).content.decode()
    assert html_lang(html) == "zh-Hans"


def test_a_user_with_no_language_follows_the_request(org) -> None:
    client = Client()
    client.force_login(org.user("clerk"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "mn-mong"
    assert html_lang(client.get(reverse("catalog:guide_index")).content.decode()) == "mn-Mong"


def test_switching_while_logged_in_saves_the_users_language_with_an_audit_event(org) -> None:
    clerk = org.user("clerk")
    client = Client(enforce_csrf_checks=False)
    client.force_login(clerk)
    response = client.post(reverse("set_language"), {"language": "mn-mong", "next": "/guides/?q=1"})
    assert response.status_code == 302
    assert response["Location"] == "/guides/?q=1"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "mn-mong"
    clerk.refresh_from_db()
    assert clerk.language == "mn-mong"
    event = AuditEvent.objects.get(action="user.language")
    assert event.actor_id == clerk.pk
    assert event.object_id == str(clerk.pk)
    assert event.data == {"language": ["", "mn-mong"]}
    # The user's language wins on the next request, even with the cookie gone (another browser).
    fresh = Client()
    fresh.force_login(clerk)
    assert html_lang(fresh.get(reverse("catalog:guide_index")).content.decode()) == "mn-Mong"
    # Choosing the same language again changes nothing and records nothing.
    client.post(reverse("set_language"), {"language": "mn-mong", "next": "/guides/"})
    assert AuditEvent.objects.filter(action="user.language").count() == 1


def test_switching_anonymously_sets_only_the_cookie() -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "mn-mong", "next": "/track/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "mn-mong"
    assert html_lang(client.get("/track/").content.decode()) == "mn-Mong"
    assert not AuditEvent.objects.filter(action="user.language").exists()


def test_the_switch_needs_a_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "mn-mong"})
    assert response.status_code == 403


def test_a_user_sets_only_his_own_language_and_only_an_offered_one(org) -> None:
    clerk, admin = org.user("clerk"), org.user("admin")
    with pytest.raises(PermissionDeniedError):
        user_language_set(actor=admin, user=clerk, language="mn-mong")
    with pytest.raises(ApplicationError):
        user_language_set(actor=clerk, user=clerk, language="fr")
    assert user_language_set(actor=clerk, user=clerk, language="mn-mong") is True
    assert user_language_set(actor=clerk, user=clerk, language="") is True  # back to following the request
    assert User.objects.get(pk=clerk.pk).language == ""


def test_the_switcher_is_in_the_topbar_with_a_label_and_drops_lang_from_next() -> None:
    html = Client().get(reverse("catalog:search"), {"q": "开饭店", "lang": "zh-hans"}).content.decode()
    form = re.search(r'<form class="language-switcher"[^>]*>.*?</form>', html, re.DOTALL).group(0)
    assert 'action="/i18n/setlang/"' in form
    assert 'aria-label="选择语言"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/search/?q=%E5%BC%80%E9%A5%AD%E5%BA%97"' in form
    assert 'value="mn-mong" lang="mn-Mong" aria-pressed="false">ᠮᠣᠩᠭᠣᠯ</button>' in form
    assert 'value="zh-hans" lang="zh-Hans" aria-pressed="true">简体中文</button>' in form
    assert html.index(form) < html.index("</header>")


# ---------------------------------------------------------------- the visible fallback


def test_untranslated_text_is_marked_and_attributes_stay_plain(test_catalogue) -> None:
    client = Client()
    html = client.get(reverse("catalog:guide_index"), {"lang": "mn-mong"}).content.decode()
    page = parse(html)
    # Translated: Mongolian, unmarked.
    assert f'<a class="brand" href="/">{BRAND_MN}<span>' in html
    assert f"<h1>{GUIDES_MN}</h1>" in html
    # Untranslated text: Chinese inside the marked span.
    assert f"<h2>{SPAN}按部门浏览</span></h2>" in html
    assert "按部门浏览" in page.untranslated
    assert "一体化政务服务平台" in page.untranslated
    # The same msgid in an attribute, and in <title>, stays plain text.
    assert '<nav aria-label="按部门浏览">' in html
    assert '<nav aria-label="公共服务">' in html
    title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
    assert title == f"{GUIDES_MN} · 一体化政务服务平台"
    assert not any("<span" in value or "span>" in value for value in page.attributes)
    assert marking.OPEN not in html and marking.CLOSE not in html
    # Chinese, the source language, is never marked.
    assert SPAN not in client.get(reverse("catalog:guide_index"), {"lang": "zh-hans"}).content.decode()


def test_marked_text_is_escaped_once_and_keeps_its_markup(org, test_catalogue) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="000123456001")
    html = Client().get(reverse("catalog:guide_detail", args=[item.pk]), {"lang": "mn-mong"}).content.decode()
    # "原件%(o)s份<br>复印件%(c)s份" is a blocktranslate with markup of its own: the <br> stays an element.
    assert f"{SPAN}原件1份<br>复印件0份</span>" in html
    search = Client().get(reverse("catalog:search"), {"q": '<b>"&', "lang": "mn-mong"}).content.decode()
    assert f"{SPAN}没有找到与“&lt;b&gt;&quot;&amp;”相关的事项。</span>" in search
    assert "&amp;lt;" not in search and "&amp;amp;" not in search
    assert not any("<span" in value for value in parse(search).attributes)
    assert 'value="&lt;b&gt;&quot;&amp;"' in search  # the query, in its attribute, escaped once


def test_plural_blocktranslate_is_marked_only_when_untranslated(org, test_catalogue) -> None:
    publish_item(actor=org.user("admin"), department=org.scjg, basic_code="000123456001")
    html = Client().get(reverse("catalog:guide_index"), {"lang": "mn-mong"}).content.decode()
    assert '<span class="muted">1 ᠵᠦᠢᠯ</span>' in html  # translated plural in the test catalogue


def test_marked_strings_from_python_are_plain(org, test_catalogue) -> None:
    """Form errors come from Python gettext: Chinese, but never wrapped."""
    html = (
        Client()
        .post(reverse("accounts:login") + "?lang=mn-mong", {"username": "clerk", "password": "wrong"})
        .content.decode()
    )
    assert "用户名或密码不正确，请重新输入。" in html
    assert f"{SPAN}用户名或密码不正确" not in html


def test_markers_resolve_by_where_they_land() -> None:
    o, c = marking.OPEN, marking.CLOSE
    html = (
        f"<!doctype html><html><head><title>{o}标题{c}</title><style>/* {o}x{c} */</style></head>"
        f"<body><!-- {o}注释{c} --><p title=\"{o}提示{c}\" data-x='{o}数据{c}'>{o}正文 a &lt; b{c}</p>"
        f'<select><option value="1">{o}选项{c}</option></select><textarea>{o}文本{c}</textarea>'
        f'<script>var s = "{o}脚本{c}";</script><input placeholder="{o}占位{c}">{o}<b>粗</b>{c}</body></html>'
    )
    resolved = marking.resolve_markers(html)
    assert o not in resolved and c not in resolved
    assert f"<p title=\"提示\" data-x='数据'>{SPAN}正文 a &lt; b</span></p>" in resolved
    assert "<title>标题</title>" in resolved
    assert "<!-- 注释 -->" in resolved
    assert '<option value="1">选项</option>' in resolved
    assert "<textarea>文本</textarea>" in resolved
    assert 'var s = "脚本";' in resolved
    assert '<input placeholder="占位">' in resolved
    assert f"{SPAN}<b>粗</b></span>" in resolved
    assert parse(resolved).untranslated == ["正文 a < b", "粗"]


def test_the_server_error_page_renders_in_both_languages_without_a_request() -> None:
    with translation.override("mn-mong"):
        html = get_template("500.html").render()
        title, heading = translation.gettext("系统繁忙"), translation.gettext("系统暂时无法处理您的请求")
    assert '<html lang="mn-Mong">' in html
    assert re.search("[\u1820-\u18af]", title) and re.search("[\u1820-\u18af]", heading)
    assert f"<title>{title}</title>" in html
    assert f"<h1>{heading}</h1>" in html
    assert "ᠲᠡᠷᠢᠭᠦᠨ ᠨᠢᠭᠤᠷ\u202fᠲᠤ ᠪᠤᠴᠠᠬᠤ" in html  # 回到首页 (U+202F before the case suffix)
    with translation.override("zh-hans"):
        html = get_template("500.html").render()
    assert '<html lang="zh-Hans">' in html and "<h1>系统暂时无法处理您的请求</h1>" in html


def test_a_msgid_the_report_lists_as_missing_is_marked_on_the_page_that_renders_it(org, client_for) -> None:
    """The real catalogue, not a test one: the admin's working calendar (a staff screen translated last)."""
    template = "yichuang/core/templates/core/calendar.html"
    missing = [m.msgid for m in real_messages(translated=False) if template in m.references]
    translated = [m for m in real_messages(translated=True) if template in m.references]
    if not missing:
        pytest.skip("calendar.html is fully translated: pick another screen")
    client = client_for("admin")
    html = client.get(reverse("core:calendar"), {"lang": "mn-mong"}).content.decode()
    marked = parse(html).untranslated
    shown = [msgid for msgid in missing if msgid in marked]
    assert shown, f"none of {missing[:5]} is marked"
    for msgid in shown:
        assert f"{SPAN}{escape(msgid)}</span>" in html
    for message in translated:  # the translated ones (drafts too) appear in Mongolian, unmarked
        assert message.msgid not in marked
    assert marking.OPEN not in html and marking.CLOSE not in html


def test_only_chinese_text_is_marked() -> None:
    assert marking.mark("12345") == "12345"
    assert marking.mark("") == ""
    assert marking.mark("办事指南") == f"{marking.OPEN}办事指南{marking.CLOSE}"


def test_a_template_that_is_not_html_gets_plain_text(test_catalogue, tmp_path, settings) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "note.txt").write_text('{% load i18n %}{% translate "按部门浏览" %}')
    (tmp_path / "templates" / "note.html").write_text('{% load i18n %}<p>{% translate "按部门浏览" %}</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    with translation.override("mn-mong"):
        assert get_template("note.txt").render() == "按部门浏览"
        assert get_template("note.html").render() == f"<p>{SPAN}按部门浏览</span></p>"
    with translation.override("zh-hans"):
        assert get_template("note.html").render() == "<p>按部门浏览</p>"


# ---------------------------------------------------------------- the report


SAMPLE_PO = r"""# header comment
msgid ""
msgstr ""
"Language: mn_Mong\n"

#: yichuang/catalog/templates/catalog/guide_index.html templates/base.html
msgid "办事指南"
msgstr "ᠵᠢᠭᠠᠮᠵᠢ"

#: yichuang/catalog/views.py:12
#, python-format
msgid "%(n)s项"
msgid_plural "%(n)s项"
msgstr[0] "%(n)s ᠵᠦᠢᠯ"
msgstr[1] ""

#: yichuang/cases/views.py
#, fuzzy
msgid "查询"
msgstr "ᠯᠠᠪᠯᠠᠬᠤ"

# draft
#: yichuang/cases/templates/cases/track_form.html
msgid "办件编号"
msgstr "ᠠᠵᠢᠯ ᠬᠡᠷᠡᠭ ᠦᠨ ᠳ᠋ᠤᠭᠠᠷ"

# draft
#: yichuang/cases/views.py
#, fuzzy
msgid "受理"
msgstr "ᠬᠦᠯᠢᠶᠡᠨ ᠠᠪᠬᠤ"

#. a comment for translators from the code, not a draft mark
#: yichuang/cases/models.py
msgctxt "状态"
msgid ""
"受理"
"中"
msgstr ""

#~ msgid "旧的"
#~ msgstr "ᠬᠠᠭᠤᠴᠢᠨ"
"""


def test_the_po_parser_reads_plurals_contexts_fuzzy_and_continuations() -> None:
    messages = {message.msgid: message for message in parse_po(SAMPLE_PO)}
    assert set(messages) == {"办事指南", "%(n)s项", "查询", "办件编号", "受理", "受理中"}
    assert messages["办事指南"].translated
    assert not messages["办事指南"].draft and not messages["办事指南"].awaiting_review
    assert (
        messages["办件编号"].draft
        and messages["办件编号"].translated
        and messages["办件编号"].awaiting_review
    )
    assert messages["受理"].draft and not messages["受理"].awaiting_review  # fuzzy: missing, not a draft
    assert not messages["受理中"].draft
    assert messages["办事指南"].references == (
        "yichuang/catalog/templates/catalog/guide_index.html",
        "templates/base.html",
    )
    assert not messages["%(n)s项"].translated  # one plural form is empty
    assert messages["%(n)s项"].plural == "%(n)s项"
    assert not messages["查询"].translated  # fuzzy
    assert messages["受理中"].context == "状态"
    assert [app_of(ref) for ref in messages["办事指南"].references] == ["catalog", "templates"]


def test_the_report_counts_coverage_per_app(tmp_path) -> None:
    path = tmp_path / "django.po"
    path.write_text(SAMPLE_PO, encoding="utf-8")
    report = missing_translations(language="mn-mong", path=path)
    assert (report.translated, report.total, report.missing_count) == (2, 6, 4)
    assert (report.draft, report.reviewed) == (1, 1)
    apps = {app.app: app for app in report.apps}
    assert (apps["catalog"].translated, apps["catalog"].total, apps["catalog"].draft) == (1, 2, 0)
    assert [m.msgid for m in apps["catalog"].missing] == ["%(n)s项"]
    assert (apps["cases"].translated, apps["cases"].total, apps["cases"].draft) == (1, 4, 1)
    assert [m.msgid for m in apps["cases"].drafts] == ["办件编号"]
    assert [m.msgid for m in apps["cases"].missing] == ["查询", "受理", "受理中"]
    assert (apps["templates"].translated, apps["templates"].total) == (1, 1)
    assert apps["templates"].percent == 100.0


def test_the_report_of_the_real_catalogue_lists_missing_and_draft_msgids_apart() -> None:
    report = missing_translations(language="mn-mong")
    assert report.found
    missing = {m.msgid for app in report.apps for m in app.missing}
    drafts = {m.msgid for app in report.apps for m in app.drafts}
    assert real_messages(translated=False)[0].msgid in missing
    assert real_messages(translated=True, draft=True)[0].msgid in drafts
    assert not missing & drafts
    assert "一窗" not in missing | drafts  # translated and reviewed
    assert 0 < report.draft < report.translated < report.total
    assert report.reviewed == report.translated - report.draft
    assert sum(app.total for app in report.apps) >= report.total
    assert missing_translations(language="zh-hans").is_source


def test_the_command_prints_coverage_and_missing_msgids() -> None:
    out = StringIO()
    call_command("i18n_missing", "--language", "mn-mong", stdout=out)
    text = out.getvalue()
    report = missing_translations(language="mn-mong")
    assert text.startswith(f"mn-mong: {report.translated}/{report.total} (")
    assert f" · 待母语审校 {report.draft} 条 · " in text.splitlines()[0]
    templates = next(app for app in report.apps if app.app == "templates")
    assert f"[templates] {templates.translated}/{templates.total} (" in text
    assert f"    {real_messages(translated=False)[0].msgid}\n" in text
    draft = real_messages(translated=True, draft=True)[0].msgid
    assert f"    [待母语审校] {draft}\n" in text
    summary = StringIO()
    call_command("i18n_missing", "--summary", stdout=summary)
    assert "[templates]" in summary.getvalue() and "一体化政务服务平台" not in summary.getvalue()
    assert "[待母语审校]" not in summary.getvalue()
    no_drafts = StringIO()
    call_command("i18n_missing", "--no-drafts", stdout=no_drafts)
    assert "[待母语审校]" not in no_drafts.getvalue()
    assert f"    {real_messages(translated=False)[0].msgid}\n" in no_drafts.getvalue()


def test_the_report_screen_is_for_the_admin_only(org, client_for) -> None:
    url = reverse("core:i18n_missing")
    response = client_for("admin").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    report = missing_translations(language="mn-mong")
    assert f"已翻译 {report.translated} / {report.total} 条" in html
    assert f"其中初稿 {report.draft} 条待母语审校" in html
    assert "一体化政务服务平台" in html
    assert client_for("clerk").get(url).status_code == 403
    assert client_for("inspector").get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page


def test_the_report_screen_lists_missing_and_drafts_apart(client_for, settings, tmp_path) -> None:
    po = tmp_path / "mn_Mong" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(SAMPLE_PO, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    html = client_for("admin").get(reverse("core:i18n_missing")).content.decode()
    assert "已翻译 2 / 6 条" in html and "其中初稿 1 条待母语审校" in html
    section = re.search(r'<section id="app-cases" data-app="cases">.*?</section>', html, re.DOTALL).group(0)
    missing, drafts = section.split('<details data-testid="i18n-drafts-cases">')
    assert "缺 3 条" in missing and "待母语审校 1 条" in drafts
    assert '<li>查询 <span class="muted">(fuzzy)</span></li>' in missing
    assert '<li>受理 <span class="muted">(fuzzy)</span></li>' in missing  # fuzzy, though marked # draft
    assert '<li><span class="muted">[状态]</span> 受理中</li>' in missing
    assert "办件编号" in drafts and "办件编号" not in missing
    assert '<span lang="mn-Mong">ᠠᠵᠢᠯ ᠬᠡᠷᠡᠭ\u202fᠦᠨ ᠳ᠋ᠤᠭᠠᠷ</span>' in drafts
    catalog = re.search(r'<section id="app-catalog" data-app="catalog">.*?</section>', html, re.DOTALL).group(
        0
    )
    assert "i18n-drafts-catalog" not in catalog  # no drafts there: no list
    assert 'id="app-templates"' not in html  # nothing missing, no drafts: no section

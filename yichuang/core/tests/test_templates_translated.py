"""Every Chinese text in a template is marked for translation: what is left of a template once its
translate and blocktranslate tags, comments, variables and other tags are taken out has no Han character."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_REMOVED = re.compile(
    r"\{%-?\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}"  # {% comment %}…{% endcomment %}
    r"|\{%\s*(blocktrans(?:late)?)\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}"  # blocktranslate blocks
    r"|\{#.*?#\}"  # {# comment #}
    r"|\{\{.*?\}\}"  # variables
    r"|\{%.*?%\}",  # translate and every other tag
    re.DOTALL,
)


def _blank(match: re.Match[str]) -> str:
    """The match as spaces, keeping its line breaks so line numbers stay right."""
    return re.sub(r"[^\n]", " ", match.group(0))


def unmarked_lines(source: str) -> list[tuple[int, str]]:
    """(line number, text) of each line of a template with a Han character outside the translation tags."""
    remainder = _REMOVED.sub(_blank, source)
    return [
        (number, line.strip()) for number, line in enumerate(remainder.splitlines(), 1) if HAN.search(line)
    ]


def template_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = list((root / "yichuang").glob("**/templates/**/*.html")) + list(
        (root / "templates").glob("**/*.html")
    )
    return sorted(files)


def test_the_scanner_finds_an_unmarked_string_and_nothing_else() -> None:
    sample = (
        '{% load i18n %}<h1>{% translate "办事指南" %}</h1>\n'  # 1 marked
        "{# 注释 #}{% comment %}\n整段注释\n{% endcomment %}\n"  # 2-4 comments
        "{% blocktranslate with n=count %}共\n{{ n }} 项{% endblocktranslate %}\n"  # 5-6 marked, two lines
        '<p title="{% translate \'提示\' %}">{{ item.name|default:"无" }}</p>\n'  # 7 marked, a variable
        "<p>未标记的文字</p>\n"  # 8 NOT marked
        '<button aria-label="关闭">x</button>\n'  # 9 NOT marked (an attribute)
        "{% if x %}<span>ok</span>{% endif %}\n"  # 10 no Chinese
    )
    assert unmarked_lines(sample) == [(8, "<p>未标记的文字</p>"), (9, '<button aria-label="关闭">x</button>')]


def test_there_are_templates_to_scan() -> None:
    names = {path.name for path in template_files()}
    assert {"base.html", "guide_index.html", "login.html", "500.html"} <= names


def test_every_template_string_is_marked_for_translation() -> None:
    root = Path(settings.BASE_DIR)
    failures = [
        f"{path.relative_to(root)}:{number}: {text[:100]}"
        for path in template_files()
        for number, text in unmarked_lines(path.read_text(encoding="utf-8"))
    ]
    assert not failures, "界面文字未标记翻译 · template text not marked for translation:\n" + "\n".join(
        failures
    )

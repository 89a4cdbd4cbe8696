"""The fonts the app serves (static/vendor/fonts, built by scripts/fonts_build.py) are WOFF2 files with
their licences, and cover every Han character the UI texts use: a new word in a template whose character
the subset lacks fails here until the fonts are rebuilt."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

FONTS = Path(settings.BASE_DIR) / "static" / "vendor" / "fonts"
BUILT = ("NotoSansSC-Regular.woff2", "NotoSansSC-Bold.woff2", "NotoSansMongolian-Regular.woff2")


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fonts_build", settings.BASE_DIR / "scripts" / "fonts_build.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cmap(name: str) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    return TTFont(str(FONTS / name))["cmap"].getBestCmap()


@pytest.mark.parametrize("name", BUILT)
def test_fonts_are_woff2_and_small_enough(name) -> None:
    path = FONTS / name
    assert path.read_bytes()[:4] == b"wOF2"
    assert path.stat().st_size < 3 * 1024 * 1024


@pytest.mark.parametrize("name", ["OFL-NotoSansCJK.txt", "OFL-NotoSansMongolian.txt"])
def test_licences_travel_with_the_fonts(name) -> None:
    text = (FONTS / name).read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text
    assert "Copyright" in text or "©" in text


def test_chinese_subset_covers_gb2312_and_every_han_character_of_the_ui() -> None:
    build = _build_script()
    needed = {c for c in build.repository_characters() if build.is_han(c) or 0x3000 <= ord(c) <= 0x303F}
    needed |= build.gb2312_hanzi()
    assert len(build.gb2312_hanzi()) == 6763
    for name in BUILT[:2]:
        cmap = _cmap(name)
        missing = sorted(c for c in needed if ord(c) not in cmap)
        assert not missing, f"{name} lacks {''.join(missing)}: run .venv/bin/python scripts/fonts_build.py"
        assert all(ord(c) in cmap for c in "ABCxyz019，。、《》“”：；！？（）·—")


def test_mongolian_font_has_the_traditional_script_and_its_shaping() -> None:
    from fontTools.ttLib import TTFont

    cmap = _cmap(BUILT[2])
    assert all(code in cmap for code in range(0x1820, 0x1878))  # the basic letters ᠠ … ᡷ
    assert "GSUB" in TTFont(str(FONTS / BUILT[2]))  # joined initial/medial/final forms

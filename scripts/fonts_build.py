"""Build the web fonts the app serves from ``static/vendor/fonts/`` (Chinese and traditional Mongolian).

The machine that renders a page may have no CJK or Mongolian font (screenshots then show boxes), so the
app serves its own, as WOFF2:

* ``NotoSansSC-Regular.woff2`` / ``NotoSansSC-Bold.woff2`` — Noto Sans CJK SC, subset to GB 2312
  (all 6,763 Hanzi and its symbol rows), every character the repository's templates, Python sources,
  locale files and the shared catalog data use, ASCII, Latin-1, general and CJK punctuation and the
  full-width forms. All OpenType layout features are kept (``vert`` for vertical text, ``locl``...).
* ``NotoSansMongolian-Regular.woff2`` — Noto Sans Mongolian, whole (its shaping tables are needed for
  the joined forms of the traditional script), only re-packed as WOFF2.
* ``OFL-NotoSansCJK.txt`` / ``OFL-NotoSansMongolian.txt`` — each font's copyright notice and the SIL Open
  Font License 1.1 text, which must travel with the fonts.

The sources are Debian's packages; CI does not have them, so the built files are committed.

Usage (from the repository root; rerun when new characters appear in the UI texts)::

    apt-get install -y fonts-noto-core fonts-noto-cjk
    .venv/bin/pip install -r requirements-dev.txt        # fonttools + brotli
    .venv/bin/python scripts/fonts_build.py               # writes static/vendor/fonts/
    .venv/bin/python scripts/fonts_build.py --check       # only reports characters the built font lacks

The output is byte-for-byte the same for the same source fonts and texts (timestamps are kept).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "vendor" / "fonts"
SHARED_DATA = ROOT.parent / "shared" / "data"

CJK_SOURCES = {
    "Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
CJK_FAMILY = "Noto Sans CJK SC"  # the face inside the collection
MONGOLIAN_SOURCE = Path("/usr/share/fonts/truetype/noto/NotoSansMongolian-Regular.ttf")
CJK_COPYRIGHT_FILE = Path("/usr/share/doc/fonts-noto-cjk/copyright")

# Files whose text the UI shows: templates, Python (gettext strings, choices, messages), translations.
TEXT_GLOBS = ("templates/**/*.html", "yichuang/**/*.html", "yichuang/**/*.py", "config/**/*.py")
LOCALE_GLOBS = ("locale/**/*.po", "yichuang/**/locale/**/*.po")
# Names from the shared data that imports put on screen (catalog items, hotline categories).
SHARED_CSV_COLUMNS = {
    "catalog/guangan_district_items_by_dept.csv": ("department", "main_item", "name"),
    "hotline/taxonomy.csv": ("一级分类", "二级分类", "三级分类"),
}

RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ·, ×, °, ...
    (0x2010, 0x2027),  # dashes, quotes “”‘’, ellipsis
    (0x2030, 0x203B),  # ‰, ′, ※
    (0x2160, 0x216B),  # Roman numerals Ⅰ–Ⅻ
    (0x2460, 0x2473),  # ① – ⑳
    (0x25A0, 0x25FF),  # geometric shapes ■ □ ▲ ○ ●
    (0x2713, 0x2714),  # check marks ✓ ✔
    (0x3000, 0x303F),  # CJK symbols and punctuation 、。《》「」【】
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half- and full-width forms
)


def gb2312_characters() -> set[str]:
    """Every character of GB 2312: rows 1–9 (symbols) and 16–87 (the 6,763 Hanzi)."""
    chars: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def gb2312_hanzi() -> set[str]:
    return {c for c in gb2312_characters() if is_han(c)}


def is_han(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0x20000 <= code <= 0x3134F or 0xF900 <= code <= 0xFAFF


def _files(globs: Iterable[str]) -> Iterator[Path]:
    for pattern in globs:
        for path in sorted(ROOT.glob(pattern)):
            if ".venv" in path.parts or "node_modules" in path.parts:
                continue
            yield path


def repository_characters(*, include_shared_data: bool = True) -> set[str]:
    """Every non-ASCII character of the UI texts in the repository (and the shared data's names)."""
    chars: set[str] = set()
    for path in _files(TEXT_GLOBS + LOCALE_GLOBS):
        chars.update(path.read_text(encoding="utf-8", errors="ignore"))
    if include_shared_data:
        for relative, columns in SHARED_CSV_COLUMNS.items():
            path = SHARED_DATA / relative
            if not path.exists():
                continue
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    for column in columns:
                        chars.update(row.get(column) or "")
    return {c for c in chars if ord(c) > 0x7E}


def wanted_characters() -> set[str]:
    chars = gb2312_characters() | repository_characters()
    for first, last in RANGES:
        chars.update(chr(code) for code in range(first, last + 1))
    return chars


def _open_cjk(weight: str) -> TTFont:
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(CJK_SOURCES[weight]), lazy=False, recalcTimestamp=False)
    for font in collection.fonts:
        if font["name"].getDebugName(1) == CJK_FAMILY:
            return font
    raise SystemExit(f"{CJK_FAMILY} not found in {CJK_SOURCES[weight]}")


def build_cjk(weight: str, chars: set[str]) -> Path:
    from fontTools import subset

    font = _open_cjk(weight)
    cmap = font.getBestCmap()
    unicodes = sorted(ord(c) for c in chars if ord(c) in cmap)
    options = subset.Options()
    options.layout_features = ["*"]  # keep vert/vrt2 for vertical text, locl, halt/palt...
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep the copyright and licence records
    options.name_languages = [0x0409]
    options.hinting = False  # CJK hints cost a lot and browsers rasterise well without them
    options.desubroutinize = True  # compresses better under WOFF2
    options.flavor = "woff2"
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    target = OUT / f"NotoSansSC-{weight}.woff2"
    font.flavor = "woff2"
    font.save(str(target), reorderTables=False)
    return target


def build_mongolian() -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(str(MONGOLIAN_SOURCE), recalcTimestamp=False)
    font.flavor = "woff2"
    target = OUT / "NotoSansMongolian-Regular.woff2"
    font.save(str(target), reorderTables=False)
    return target


def ofl_text() -> str:
    """The SIL OFL 1.1 text as Debian's copyright file carries it (one space indent, ``.`` for blank)."""
    text = CJK_COPYRIGHT_FILE.read_text(encoding="utf-8")
    for paragraph in text.split("\n\n"):
        first, _, body = paragraph.partition("\n")
        if first.strip() == "License: SIL-1.1" and "SIL OPEN FONT LICENSE" in body:
            lines = ["" if line == " ." else line[1:] for line in body.splitlines()]
            return "\n".join(lines).strip("\n") + "\n"
    raise SystemExit(f"the SIL OFL 1.1 text was not found in {CJK_COPYRIGHT_FILE}")


def write_licence(name: str, source: Path, font_path: Path) -> Path:
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path))
    copyright_notice = font["name"].getDebugName(0) or ""
    version = font["name"].getDebugName(5) or ""
    target = OUT / f"OFL-{name}.txt"
    target.write_text(
        f"{font['name'].getDebugName(1)} — built by scripts/fonts_build.py from Debian's {source}\n"
        f"{version}\n\n{copyright_notice}\n\n{ofl_text()}",
        encoding="utf-8",
    )
    return target


def missing_from_built_font(font_path: Path, chars: Iterable[str]) -> list[str]:
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(font_path))["cmap"].getBestCmap()
    return sorted(c for c in chars if ord(c) not in cmap)


def check() -> int:
    needed = {c for c in repository_characters() if is_han(c) or 0x3000 <= ord(c) <= 0x303F}
    status = 0
    for weight in CJK_SOURCES:
        path = OUT / f"NotoSansSC-{weight}.woff2"
        missing = missing_from_built_font(path, needed)
        if missing:
            status = 1
            print(f"{path.name}: missing {len(missing)} characters: {''.join(missing)}")
    if status == 0:
        print("the built fonts cover every Han character the repository uses")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check the built fonts' coverage")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    for path in (*CJK_SOURCES.values(), MONGOLIAN_SOURCE, CJK_COPYRIGHT_FILE):
        if not path.exists():
            raise SystemExit(f"{path} is missing: apt-get install -y fonts-noto-core fonts-noto-cjk")
    OUT.mkdir(parents=True, exist_ok=True)
    chars = wanted_characters()
    built = [build_cjk(weight, chars) for weight in CJK_SOURCES]
    built.append(build_mongolian())
    built.append(write_licence("NotoSansCJK", CJK_SOURCES["Regular"], built[0]))
    built.append(write_licence("NotoSansMongolian", MONGOLIAN_SOURCE, built[2]))
    hanzi = sum(1 for c in chars if is_han(c))
    print(f"{len(chars)} characters wanted, {hanzi} of them Han")
    for path in built:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1024:,.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

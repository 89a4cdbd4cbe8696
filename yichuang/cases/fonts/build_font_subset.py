"""Rebuild the vendored notice font (NotoSerifSC-yichuang.ttf.xz) from Noto Serif CJK SC.

Not used at run time: the PDF notices load the finished .ttf. Run it by hand when the character set
below has to grow (see docs/notices.md):

    python -m venv /tmp/fontvenv && /tmp/fontvenv/bin/pip install fonttools==4.60.1
    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb /tmp/noto
    /tmp/fontvenv/bin/python yichuang/cases/fonts/build_font_subset.py \
        /tmp/noto/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
        yichuang/cases/fonts/NotoSerifSC-yichuang.ttf.xz

Why: Noto Serif CJK ships CFF (PostScript) outlines, which reportlab cannot embed; it embeds TrueType
outlines only. So the script keeps the characters official notices use, drops what reportlab never
reads (layout, vertical metrics, hinting), converts the curves to TrueType (cu2qu, max error 1 unit)
and xz-compresses the file (9.5 MB → 4.7 MB in the repository; decompressed once per process).
"""

from __future__ import annotations

import io
import lzma
import sys

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

# Unicode blocks kept: Latin, punctuation and symbols a notice may carry, every CJK Unified Ideograph of
# the basic block (names of people and places included: GB 2312 alone misses many of them), CJK
# symbols and punctuation, enclosed numbers (①, ㈠) and fullwidth forms.
KEPT_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2460, 0x24FF),
    (0x2500, 0x257F),
    (0x25A0, 0x25FF),
    (0x2600, 0x26FF),
    (0x2700, 0x27BF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0x4E00, 0x9FFF),
    (0xFF00, 0xFFEF),
)
DROPPED_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG", "MATH", "JSTF"]


def _simplified_chinese_face(path: str) -> TTFont:
    if path.lower().endswith((".ttc", ".otc")):
        for face in TTCollection(path).fonts:
            if "SC" in str(face["name"].getDebugName(1)).split():
                return face
        raise SystemExit(f"{path}: no SC face in the collection")
    return TTFont(path)


def _to_truetype(font: TTFont) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        width, _lsb = hmtx.metrics[name]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 1 if field == "maxZones" else 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\000\001\000\000"


def build(source: str, target: str) -> None:
    font = _simplified_chinese_face(source)
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.drop_tables += DROPPED_TABLES
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for low, high in KEPT_RANGES for cp in range(low, high + 1)])
    subsetter.subset(font)
    if "CFF " in font:
        # CID-keyed CFF: flatten to a plain font before conversion.
        font["CFF "].cff.desubroutinize()
        _to_truetype(font)
    if target.endswith(".xz"):
        buffer = io.BytesIO()
        font.save(buffer)
        with open(target, "wb") as out:
            out.write(lzma.compress(buffer.getvalue(), preset=9 | lzma.PRESET_EXTREME))
    else:
        font.save(target)


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2])

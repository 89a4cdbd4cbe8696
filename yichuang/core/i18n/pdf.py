"""Traditional Mongolian in PDF files (reportlab): shaped, set in vertical columns, and extractable.

Mongolian letters take a different form at the start, middle and end of a word; the font's OpenType tables
say which, and a shaping engine applies them. reportlab 4+ shapes with HarfBuzz when the ``uharfbuzz`` wheel
is installed (requirements.txt) and the font is registered as ``shapable``. Vertical text is drawn the way
fonts for Mongolian are made: shaped as a horizontal line, then turned 90° clockwise, so it reads top to
bottom and the columns run left to right. Chinese inside a Mongolian column (a name kept in Chinese, or the
fallback of a missing translation) stands upright, one character after the other, as in vertical Chinese.

Shaped glyphs without a Unicode value of their own (the positional forms) are encoded by reportlab in the
private-use area, so each column is wrapped in a ``/Span <</ActualText …>>`` marked-content sequence carrying
the real text: readers that honour it (Acrobat, pdf.js, screen readers) copy, search and read Mongolian.

The font is Noto Sans Mongolian (SIL OFL 1.1, ``fonts/OFL-NotoSansMongolian.txt``), the served
``static/vendor/fonts/NotoSansMongolian-Regular.woff2`` decompressed to TrueType (fontTools) and xz-packed.
"""

from __future__ import annotations

import functools
import io
import lzma
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable

try:  # shaping needs HarfBuzz; without it a Mongolian page is not drawn at all (see has_shaping)
    import uharfbuzz  # noqa: F401
    from reportlab.pdfbase.ttfonts import shapeStr
except ImportError:  # pragma: no cover - the wheel is a runtime requirement
    shapeStr = None

MONGOLIAN_FONT = "NotoSansMongolian"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSansMongolian-Regular.ttf.xz"
LINE_SPACING = 1.9  # a column's width in font sizes
FALLBACK_COLOUR = colors.HexColor("#555555")

_font_lock = threading.Lock()
# Han ideographs, CJK punctuation and full-width forms stand upright in a vertical column.
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_UPRIGHT = re.compile(f"[{_CJK}]")
# …except brackets and dashes, which turn with the line (as their vertical forms do), and the comma and the
# full stop, which sit in the upper right of their square.
_TURNED = frozenset("（）《》〈〉「」『』【】〔〕〖〗—…～－")
_CORNER = frozenset("，。、")
# Break opportunities: a line end, a space, either side of a Han character; a word is everything else.
# (U+202F, the narrow no-break space before a case suffix, belongs to the word.)
_TOKEN = re.compile(f"\n|[ \t\u00a0\u3000]+|[{_CJK}]|[^ \t\n\u00a0\u3000{_CJK}]+")


def has_shaping() -> bool:
    """Whether Mongolian can be shaped here (uharfbuzz importable)."""
    return shapeStr is not None


@functools.cache
def _font_bytes() -> bytes:
    return lzma.decompress(FONT_PATH.read_bytes())


def register_mongolian_font() -> str:
    """Register Noto Sans Mongolian (shapable) with reportlab once per process; return its name."""
    with _font_lock:
        if MONGOLIAN_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(MONGOLIAN_FONT, io.BytesIO(_font_bytes()), shapable=True))
    return MONGOLIAN_FONT


@functools.cache
def _mongolian_chars() -> frozenset[int]:
    font = pdfmetrics.getFont(register_mongolian_font())
    return frozenset(font.face.charToGlyph)


@dataclass(frozen=True)
class Run:
    """A piece of one column drawn in one way: ``upright`` (Han) or along the turned baseline."""

    text: str
    font: str
    upright: bool
    length: float  # along the column, in points
    shaped: Any = None  # reportlab's ShapedStr for Mongolian runs


@dataclass(frozen=True)
class Column:
    """One vertical line of text."""

    text: str
    runs: tuple[Run, ...]
    size: float
    width: float
    fallback: bool = False


@dataclass(frozen=True)
class VerticalParagraph:
    """A paragraph to set vertically: Mongolian text (``fallback``: the Chinese shown for lack of it)."""

    text: str
    size: float = 13.0
    fallback: bool = False
    space_before: float = 0.0  # points of extra room before its first column


def _runs(text: str, size: float, han_font: str) -> list[Run]:
    mongolian = _mongolian_chars()
    runs: list[Run] = []
    pieces: list[tuple[str, str, bool]] = []
    for char in text:
        upright = bool(_UPRIGHT.match(char)) and char not in _TURNED
        font = han_font if upright or ord(char) not in mongolian else MONGOLIAN_FONT
        if pieces and pieces[-1][1] == font and pieces[-1][2] == upright and not upright:
            pieces[-1] = (pieces[-1][0] + char, font, upright)
        else:
            pieces.append((char, font, upright))
    for piece, font, upright in pieces:
        if upright:
            runs.append(Run(piece, font, True, size))
        elif font == MONGOLIAN_FONT and shapeStr is not None:
            shaped = shapeStr(piece, font, size)
            data = getattr(shaped, "__shapeData__", None)
            if data is None:  # nothing for HarfBuzz to change: the plain string, measured plainly
                runs.append(Run(piece, font, False, pdfmetrics.stringWidth(piece, font, size)))
            else:
                runs.append(
                    Run(piece, font, False, sum(each.x_advance for each in data) * size / 1000, shaped)
                )
        else:
            runs.append(Run(piece, font, False, pdfmetrics.stringWidth(piece, font, size)))
    return runs


def _length(runs: list[Run]) -> float:
    return sum(run.length for run in runs)


def set_columns(paragraph: VerticalParagraph, *, height: float, han_font: str) -> list[Column]:
    """Break a paragraph into columns no longer than ``height`` points: at spaces between words, between
    two Han characters, and inside a word only when the word alone is longer than a column."""
    register_mongolian_font()
    size = paragraph.size
    width = size * LINE_SPACING
    columns: list[Column] = []
    line: list[str] = []

    def finish() -> None:
        text = "".join(line).strip()
        if text:
            columns.append(Column(text, tuple(_runs(text, size, han_font)), size, width, paragraph.fallback))
        line.clear()

    for token in _TOKEN.findall(paragraph.text):
        if token == "\n":
            finish()
            continue
        candidate = "".join(line) + token
        if _length(_runs(candidate.strip(), size, han_font)) <= height or not "".join(line).strip():
            line.append(token)
            if (
                _length(_runs("".join(line).strip(), size, han_font)) > height
            ):  # one word longer than a column
                word = "".join(line)
                line.clear()
                while word:
                    cut = len(word)
                    while cut > 1 and _length(_runs(word[:cut], size, han_font)) > height:
                        cut -= 1
                    line.append(word[:cut])
                    word = word[cut:]
                    if word:
                        finish()
            continue
        finish()
        if not token.isspace():
            line.append(token)
    finish()
    if columns and paragraph.space_before:
        first = columns[0]
        columns[0] = Column(
            first.text, first.runs, first.size, first.width + paragraph.space_before, first.fallback
        )
    return columns


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def draw_column(canvas: Any, column: Column, *, x: float, top: float) -> None:
    """Draw one column whose left edge is ``x`` and top ``top``: Mongolian and Latin turned 90° clockwise
    (their tops to the right), Han upright; a fallback column grey with a dotted line at its left."""
    size = column.size
    gap = column.width - size * LINE_SPACING  # the room asked for before the paragraph
    left = x + gap
    # Noto Sans Mongolian's glyphs reach 1.457 em above the baseline and 0.293 em below: centre that box.
    baseline = left + (size * LINE_SPACING - 1.75 * size) / 2 + 0.293 * size
    canvas.saveState()
    canvas.addLiteral(f"/Span <</ActualText <{_utf16_hex(column.text)}>>> BDC")
    if column.fallback:
        canvas.setFillColor(FALLBACK_COLOUR)
    position = 0.0
    for run in column.runs:
        if run.upright:
            for char in run.text:
                width = pdfmetrics.stringWidth(char, run.font, size)
                shift = 0.55 * size if char in _CORNER else 0.0
                canvas.setFont(run.font, size)
                canvas.drawString(
                    left + (size * LINE_SPACING - width) / 2 + shift,
                    top - position - 0.88 * size + shift,
                    char,
                )
                position += size
            continue
        canvas.saveState()
        canvas.translate(baseline, top - position)
        canvas.rotate(-90)
        canvas.setFont(run.font, size)
        canvas.drawString(0, 0, run.shaped if run.shaped is not None else run.text)
        canvas.restoreState()
        position += run.length
    canvas.addLiteral("EMC")
    if column.fallback:
        canvas.setStrokeColor(FALLBACK_COLOUR)
        canvas.setLineWidth(0.6)
        canvas.setDash(1, 2)
        canvas.line(left + 0.5, top, left + 0.5, top - position)
    canvas.restoreState()


class VerticalColumns(Flowable):
    """Paragraphs of Mongolian set top to bottom in columns from left to right, filling the frame's height;
    what does not fit across the frame goes on the next page (``split``)."""

    def __init__(
        self,
        paragraphs: list[VerticalParagraph] | None = None,
        *,
        han_font: str,
        columns: list[Column] | None = None,
        column_height: float | None = None,
    ) -> None:
        super().__init__()
        self.paragraphs = paragraphs or []
        self.han_font = han_font
        self._columns = columns
        self._column_height = column_height

    def _set(self, height: float) -> list[Column]:
        if self._columns is None or self._column_height != height:
            self._columns = [
                column
                for paragraph in self.paragraphs
                for column in set_columns(paragraph, height=height, han_font=self.han_font)
            ]
            self._column_height = height
        return self._columns

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        columns = self._set(avail_height - 2)
        self.width = min(sum(column.width for column in columns), avail_width)
        self.height = avail_height
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        columns = self._set(avail_height - 2)
        used, first = 0.0, list[Column]()
        for column in columns:
            if used + column.width > avail_width and first:
                break
            first.append(column)
            used += column.width
        rest = columns[len(first) :]
        if not rest:
            return [self]
        make = functools.partial(VerticalColumns, han_font=self.han_font, column_height=avail_height - 2)
        return [make(columns=first), make(columns=rest)]

    def draw(self) -> None:
        x = 0.0
        for column in self._columns or []:
            draw_column(self.canv, column, x=x, top=self.height - 1)
            x += column.width


def actual_texts(pdf: bytes) -> list[str]:
    """The ``ActualText`` strings of a PDF's pages, in order (what the Mongolian columns say)."""
    from pypdf import PdfReader

    texts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        data = page.get_contents()
        if data is None:
            continue
        for match in re.finditer(rb"/ActualText <FEFF([0-9A-F]*)>", data.get_data()):
            texts.append(bytes.fromhex(match.group(1).decode()).decode("utf-16-be"))
    return texts

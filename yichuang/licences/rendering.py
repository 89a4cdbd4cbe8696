"""What a licence looks like: the seal's picture (SVG for the screens, vector in the PDF) and the licence as
an A4 PDF that carries its own licence file.

The PDF embeds ``licence.json`` — the canonical ``licence_document`` (signed content, signature, public
key) — so the PDF itself can be presented for verification; ``licence_document_from_upload`` reads either
that PDF or the bare JSON back. The page's font, QR code and date wording are the written notices' own
(``cases.notices_pdf``).
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from yichuang.cases.notices_pdf import QrCode, chinese_date, register_font, text_width
from yichuang.core.i18n.content import Rendition, describe, showing_mongolian, texts_for
from yichuang.core.i18n.languages import MONGOLIAN
from yichuang.core.i18n.pdf import VerticalColumns, VerticalParagraph, has_shaping
from yichuang.licences import signing
from yichuang.licences.models import HolderKind, Licence, LicenceStatus, Seal
from yichuang.licences.verification import licence_document

SEAL_RED = "#d7141a"
SEAL_OPACITY = 0.88
# The PDF embeds Noto Serif SC; a screen uses it when installed, else a Song (serif) face like real seals.
SVG_FONT_FAMILY = "'Noto Serif SC', 'Noto Serif CJK SC', 'Source Han Serif SC', SimSun, serif"
ATTACHMENT_NAME = "licence.json"
MAX_UPLOAD_BYTES = 1024 * 1024
QR_CAPTION = "扫码核验"
WATERMARKS: dict[str, str] = {LicenceStatus.REVOKED: "已注销", LicenceStatus.SUPERSEDED: "已变更（旧版）"}

# ---------------------------------------------------------------------------------------------------------
# The seal's picture, laid out once in "seal units": a circle of radius 50 around the origin, y up. The SVG
# and the PDF renderers only map those units to their own coordinates.

_RING_RADIUS, _RING_WIDTH = 47.6, 3.4
_RING_INNER = _RING_RADIUS - _RING_WIDTH / 2
_ARC_TOP = _RING_INNER - 2.2  # where the tops of the name's characters reach
_ARC_MAX_SIZE = 12.5
_ARC_ADVANCE = 1.05  # a character's share of the arc, in ems: its width and a little air
_ARC_MAX_SPAN, _ARC_MIN_SPAN = 225.0, 150.0  # degrees of the upper arc the name may take
_NARROWEST = 0.62  # long names narrow their characters (as seal engravers do) before shrinking them
_STAR_RADIUS, _STAR_Y = 14.0, 1.5
_LINE_Y, _LINE_MAX_SIZE, _LINE_MAX_WIDTH = -23.5, 8.5, 50.0
_CODE_MAX_SIZE, _CODE_MAX_SPAN = 4.2, 84.0
_BASELINE_DROP = 0.38  # an ideograph's centre sits this many ems above its baseline


@dataclass(frozen=True)
class SealGlyph:
    char: str
    x: float  # centre, seal units
    y: float
    rotation: float  # degrees, anticlockwise
    size: float  # em height, seal units
    narrow: float = 1.0  # horizontal scale


@dataclass(frozen=True)
class SealLayout:
    name: str
    glyphs: tuple[SealGlyph, ...]
    star: tuple[tuple[float, float], ...]


def _name_parts(name: str, department_name: str) -> tuple[str, str]:
    """乌拉特中旗市场监督管理局电子证照专用章 → the department along the arc, the rest under the star."""
    name = name.strip()
    department_name = department_name.strip()
    if department_name and name.startswith(department_name) and len(name) > len(department_name):
        return department_name, name[len(department_name) :]
    return name, ""


def _arc_glyphs(text: str) -> list[SealGlyph]:
    """The name over the upper arc, left to right, each character's top towards the ring."""
    count = len(text)
    if count < 2:
        return [SealGlyph(text, 0.0, _ARC_TOP - 0.5 * _ARC_MAX_SIZE, 0.0, _ARC_MAX_SIZE)] if text else []
    # The span the name takes at full size, spread to a seal-like arc; past the largest span the
    # characters first narrow, then shrink.
    natural = math.degrees(_ARC_ADVANCE * _ARC_MAX_SIZE / (_ARC_TOP - 0.5 * _ARC_MAX_SIZE)) * (count - 1)
    span = min(max(natural, min(_ARC_MIN_SPAN, 40.0 * (count - 1))), _ARC_MAX_SPAN)
    step = span / (count - 1)
    size, narrow = _ARC_MAX_SIZE, 1.0
    for _ in range(3):  # the radius depends on the size and the size on the radius: settle both
        width = min(_ARC_MAX_SIZE, math.radians(step) * (_ARC_TOP - 0.5 * size) / _ARC_ADVANCE)
        size = min(_ARC_MAX_SIZE, width / _NARROWEST)
        narrow = width / size
    radius = _ARC_TOP - 0.5 * size
    glyphs = []
    for index, char in enumerate(text):
        angle = 90.0 + span / 2 - index * step
        x, y = radius * math.cos(math.radians(angle)), radius * math.sin(math.radians(angle))
        glyphs.append(SealGlyph(char, x, y, angle - 90.0, size, narrow))
    return glyphs


def _line_glyphs(text: str) -> list[SealGlyph]:
    if not text:
        return []
    size = min(_LINE_MAX_SIZE, _LINE_MAX_WIDTH / len(text))
    left = -size * (len(text) - 1) / 2
    return [SealGlyph(char, left + index * size, _LINE_Y, 0.0, size) for index, char in enumerate(text)]


def _advance(char: str) -> float:
    """A character's advance in ems (digits are narrow, capitals wide), enough to space it evenly."""
    return 0.56 if char.isdigit() else 0.8 if char.isascii() else 1.0


def _code_glyphs(code: str) -> list[SealGlyph]:
    """The code along the bottom arc, read left to right, the characters' tops towards the centre."""
    if not code:
        return []
    size = _CODE_MAX_SIZE
    radius = _RING_INNER - 1.0 - 0.5 * size
    length = sum(_advance(char) for char in code)  # in ems
    span = math.degrees(length * size / radius)
    if span > _CODE_MAX_SPAN:
        span, size = _CODE_MAX_SPAN, math.radians(_CODE_MAX_SPAN) * radius / length
    glyphs, at = [], 0.0
    for char in code:
        angle = 270.0 - span / 2 + span * (at + _advance(char) / 2) / length
        at += _advance(char)
        x, y = radius * math.cos(math.radians(angle)), radius * math.sin(math.radians(angle))
        glyphs.append(SealGlyph(char, x, y, angle + 90.0, size, narrow=0.88))
    return glyphs


def _star_points() -> tuple[tuple[float, float], ...]:
    inner = _STAR_RADIUS * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for index in range(10):
        radius = _STAR_RADIUS if index % 2 == 0 else inner
        angle = math.radians(90 + index * 36)
        points.append((radius * math.cos(angle), _STAR_Y + radius * math.sin(angle)))
    return tuple(points)


def seal_layout(seal: Seal) -> SealLayout:
    arc, line = _name_parts(seal.name, seal.department.name)
    glyphs = _arc_glyphs(arc) + _line_glyphs(line) + _code_glyphs(seal.code)
    return SealLayout(name=seal.name, glyphs=tuple(glyphs), star=_star_points())


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def seal_picture_svg(seal: Seal) -> str:
    """The seal as a standalone SVG (also fit to be inlined in a page): red ring, name, star and code."""
    layout = seal_layout(seal)
    texts = []
    for glyph in layout.glyphs:
        transform = (
            f"translate({_number(50 + glyph.x)} {_number(50 - glyph.y)}) rotate({_number(-glyph.rotation)})"
        )
        if glyph.narrow < 1:
            transform += f" scale({_number(glyph.narrow)} 1)"
        texts.append(
            f'<text transform="{transform}" y="{_number(_BASELINE_DROP * glyph.size)}" '
            f'font-size="{_number(glyph.size)}">{escape(glyph.char)}</text>'
        )
    star = " ".join(f"{_number(50 + x)},{_number(50 - y)}" for x, y in layout.star)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="160" height="160" '
        f'role="img" aria-label={quoteattr(layout.name)}>'
        f"<title>{escape(layout.name)}</title>"
        f'<g fill="{SEAL_RED}" opacity="{SEAL_OPACITY}">'
        f'<circle cx="50" cy="50" r="{_number(_RING_RADIUS)}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="{_number(_RING_WIDTH)}"/>'
        f'<polygon points="{star}"/>'
        f'<g font-family="{SVG_FONT_FAMILY}" text-anchor="middle" stroke="{SEAL_RED}" stroke-width="0.25">'
        f"{''.join(texts)}</g>"
        "</g></svg>"
    )


def draw_seal(canvas: Canvas, seal: Seal, *, x: float, y: float, size: float) -> None:
    """The seal in vector form on a reportlab canvas, its lower-left corner at (x, y), ``size`` across."""
    layout = seal_layout(seal)
    font = register_font()
    scale = size / 100
    canvas.saveState()
    canvas.translate(x + size / 2, y + size / 2)
    canvas.scale(scale, scale)
    red = colors.HexColor(SEAL_RED)
    canvas.setFillColor(red)
    canvas.setStrokeColor(red)
    canvas.setFillAlpha(SEAL_OPACITY)
    canvas.setStrokeAlpha(SEAL_OPACITY)
    canvas.setLineWidth(_RING_WIDTH)
    canvas.circle(0, 0, _RING_RADIUS, stroke=1, fill=0)
    star = canvas.beginPath()
    star.moveTo(*layout.star[0])
    for point in layout.star[1:]:
        star.lineTo(*point)
    star.close()
    canvas.drawPath(star, stroke=0, fill=1)
    canvas.setLineWidth(0.25)  # fill and stroke the characters: the weight of engraved strokes
    for glyph in layout.glyphs:
        canvas.saveState()
        canvas.translate(glyph.x, glyph.y)
        canvas.rotate(glyph.rotation)
        canvas.scale(glyph.narrow, 1)
        text = canvas.beginText()
        text.setTextRenderMode(2)
        text.setFont(font, glyph.size)
        text.setTextOrigin(-text_width(glyph.char, glyph.size) / 2, -_BASELINE_DROP * glyph.size)
        text.textOut(glyph.char)
        canvas.drawText(text)
        canvas.restoreState()
    canvas.restoreState()


class SealDrawing(Flowable):
    """The seal as a platypus flowable, ``size`` points across."""

    def __init__(self, seal: Seal, size: float = 40 * mm) -> None:
        super().__init__()
        self.seal = seal
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_seal(self.canv, self.seal, x=0, y=0, size=self.size)


# ---------------------------------------------------------------------------------------------------------
# The licence as a PDF

_MARGIN = 24 * mm
_TEXT_WIDTH = A4[0] - 2 * _MARGIN
_SEAL_SIZE = 40 * mm
_QR_SIZE = 28 * mm


def verify_url(licence: Licence) -> str:
    """What the QR code on the licence carries: the public verification page with the identifier filled in."""
    base = str(getattr(settings, "YICHUANG_PUBLIC_URL", "")).rstrip("/")
    return f"{base}/licences/verify/?{urlencode({'identifier': licence.identifier})}"


def _style(name: str, size: float, **more: Any) -> ParagraphStyle:
    more.setdefault("leading", size * 1.5)
    return ParagraphStyle(name, fontName=register_font(), fontSize=size, wordWrap="CJK", **more)


def _text(value: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(value).replace("\n", "<br/>"), style)


def _validity(licence: Licence) -> str:
    until = chinese_date(licence.valid_until) if licence.valid_until else "长期"
    return f"{chinese_date(licence.valid_from)} 至 {until}"


def _rows(licence: Licence) -> list[tuple[str, str]]:
    natural = licence.licence_type.holder_kind == HolderKind.NATURAL
    number = licence.number + (f"（第{licence.version}版）" if licence.version > 1 else "")
    rows = [("证照编号", number)]
    for field in licence.licence_type.schema:
        value = licence.data.get(field["key"])
        value = "" if value is None else str(value).strip()
        if value or field.get("required"):
            rows.append((str(field["label"]), value))
    rows += [
        ("持证人" if natural else "持证主体", licence.holder_name),
        ("公民身份号码" if natural else "统一社会信用代码", licence.holder_identifier),
        ("有效期限", _validity(licence)),
    ]
    return rows


def _facts_table(rows: list[tuple[str, str]]) -> Table:
    label, value = _style("label", 12, alignment=TA_CENTER), _style("value", 12)
    label_width = 38 * mm
    table = Table(
        [[_text(name, label), _text(text, value)] for name, text in rows],
        colWidths=[label_width, _TEXT_WIDTH - label_width],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f1ea")),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


class _ClosingBlock(Flowable):
    """The QR code and its caption on the left; the issuer and the date on the right, under the seal."""

    def __init__(self, licence: Licence) -> None:
        super().__init__()
        self.licence = licence
        self.height = max(_SEAL_SIZE, _QR_SIZE + 8 * mm)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.height

    def draw(self) -> None:
        canvas, font = self.canv, register_font()
        qr = QrCode(verify_url(self.licence), size=_QR_SIZE)
        qr.drawOn(canvas, 0, self.height - _QR_SIZE)
        canvas.setFont(font, 9)
        canvas.drawCentredString(_QR_SIZE / 2, self.height - _QR_SIZE - 5 * mm, QR_CAPTION)
        centre = self.width - _SEAL_SIZE / 2 - 6 * mm
        canvas.setFont(font, 13)
        lines = ("发证机关：" + self.licence.issuer_name, chinese_date(self.licence.issued_on))
        for index, line in enumerate(lines):
            right = min(self.width, centre + text_width(line, 13) / 2)
            canvas.drawRightString(right, self.height / 2 + 2 * mm - index * 9 * mm, line)
        # The seal goes on last, over the issuer and the date, as a stamp would.
        draw_seal(canvas, self.licence.seal, x=centre - _SEAL_SIZE / 2, y=0, size=_SEAL_SIZE)


def _draw_border(canvas: Canvas, _document: Any) -> None:
    width, height = A4
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#9a7b3c"))
    canvas.setLineWidth(1.6)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.5)
    canvas.rect(14 * mm, 14 * mm, width - 28 * mm, height - 28 * mm)
    canvas.restoreState()


def _watermark(text: str) -> Any:
    """已注销 / 已变更（旧版） across the page, over the content (a table's shading must not hide it)."""

    def draw(canvas: Canvas, _document: Any) -> None:
        if not text:
            return
        width, height = A4
        size = min(80.0, 0.5 * math.hypot(width, height) / text_width(text, 1))
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#c0392b"))
        canvas.setFillAlpha(0.25)
        canvas.setFont(register_font(), size)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        canvas.drawCentredString(0, -_BASELINE_DROP * size, text)
        canvas.restoreState()

    return draw


def _story(licence: Licence) -> list[Any]:
    small = _style("small", 7.5, textColor=colors.HexColor("#555555"))
    return [
        _text(licence.licence_type.name, _style("title", 26, alignment=TA_CENTER, leading=40)),
        _text(f"证照标识：{licence.identifier}", _style("identifier", 9, alignment=TA_CENTER)),
        Spacer(1, 8 * mm),
        _facts_table(_rows(licence)),
        Spacer(1, 12 * mm),
        _ClosingBlock(licence),
        Spacer(1, 10 * mm),
        _text(f"SM3 摘要：{licence.digest}", small),
        _text(f"电子印章：{licence.seal.code}（SM2 签名）", small),
        _text(
            f"本文件内嵌电子证照签名数据（{ATTACHMENT_NAME}），"
            f"可扫码或上传本文件至 {verify_url(licence)} 核验。",
            small,
        ),
    ]


def _with_attachment(pdf: bytes, name: str, data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    attachment = writer.add_attachment(name, data)
    attachment.subtype = NameObject("/application#2Fjson")
    attachment.description = TextStringObject("电子证照文件（签名内容、SM2 签名和印章公钥）")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def licence_mongolian_wanted(licence: Licence, *, language: str | None = None) -> bool:
    """Mongolian is added when the reader asked for it (``language``, else the request's) or the holder chose
    it for his own account."""
    if showing_mongolian(language):
        return True
    user = getattr(licence.holder, "user", None)
    return bool(user is not None and (user.language or "").lower() == MONGOLIAN)


def _mongolian_date(day: Any) -> str:
    return f"{day.year}.{day.month:02d}.{day.day:02d}"


def licence_mongolian(licence: Licence) -> list[VerticalParagraph]:
    """The licence's Mongolian page: the type's name and each field under its Mongolian label (the values are
    the licence's own, as issued); a label without a current translation shows its Chinese, marked. Empty when
    Mongolian cannot be shaped here."""
    if not has_shaping():
        return []
    common = texts_for(describe("licence", "common"), language=MONGOLIAN)
    own = texts_for(describe("licence", licence.licence_type), language=MONGOLIAN)

    def line(label: Rendition, value: str, **more: Any) -> VerticalParagraph:
        return VerticalParagraph(f"{label.text}：{value}", fallback=not label.translated, **more)

    natural = licence.licence_type.holder_kind == HolderKind.NATURAL
    number = licence.number
    if licence.version > 1:
        number += " " + common["edition"].format(version=licence.version).text
    paragraphs = [
        VerticalParagraph(own["name"].text, size=22, fallback=not own["name"].translated),
        line(common["number"], number, space_before=10),
    ]
    for field in licence.licence_type.schema:
        value = licence.data.get(field["key"])
        value = "" if value is None else str(value).strip()
        if value or field.get("required"):
            paragraphs.append(line(own[f"field.{field['key']}"], value))
    until = _mongolian_date(licence.valid_until) if licence.valid_until else common["permanent"].text
    paragraphs += [
        line(common["holder_natural" if natural else "holder_legal"], licence.holder_name),
        line(common["id_number" if natural else "credit_code"], licence.holder_identifier),
        line(common["validity"], f"{_mongolian_date(licence.valid_from)} — {until}"),
        line(common["issuer"], licence.issuer_name, space_before=10),
        VerticalParagraph(_mongolian_date(licence.issued_on)),
        VerticalParagraph(
            common["qr_caption"].text + "：" + verify_url(licence),
            size=9,
            fallback=not common["qr_caption"].translated,
            space_before=10,
        ),
        VerticalParagraph(
            common["translation_note"].text, size=11, fallback=not common["translation_note"].translated
        ),
    ]
    return paragraphs


def licence_pdf(licence: Licence, *, language: str | None = None) -> bytes:
    """The licence on an A4 page, its licence file (canonical ``licence_document``) embedded as
    licence.json. When Mongolian is wanted (``licence_mongolian_wanted``) a second page carries its Mongolian
    translation, set vertically; the signed content is the same either way."""
    register_font()
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=28 * mm,
        bottomMargin=22 * mm,
        title=f"{licence.licence_type.name} {licence.number}",
        author=licence.issuer_name,
        subject=licence.identifier,
        creator="yichuang 一窗",
        lang="zh-CN",
    )
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height, id="licence")
    watermark = _watermark(WATERMARKS.get(licence.status, ""))
    template.addPageTemplates(
        [PageTemplate(id="licence", frames=[frame], onPage=_draw_border, onPageEnd=watermark)]
    )
    story = _story(licence)
    if licence_mongolian_wanted(licence, language=language):
        mongolian = licence_mongolian(licence)
        if mongolian:
            story += [PageBreak(), VerticalColumns(mongolian, han_font=register_font())]
    template.build(story)
    return _with_attachment(buffer.getvalue(), ATTACHMENT_NAME, signing.canonical(licence_document(licence)))


# ---------------------------------------------------------------------------------------------------------
# Reading a presented licence file back


def _document(data: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("content"), dict):
        return None
    content, signature = document["content"], document.get("signature")
    # Only plain text goes on to the database lookups (PostgreSQL refuses a NUL in a query parameter).
    for value in (content.get("identifier", ""), content.get("seal", ""), signature):
        if not isinstance(value, str) or "\x00" in value or len(value) > 200:
            return None
    return document


def _embedded(data: bytes) -> bytes | None:
    try:
        files = PdfReader(io.BytesIO(data)).attachments.get(ATTACHMENT_NAME) or []
    except Exception:  # pypdf raises many kinds of error on a broken file; any of them means "not ours"
        return None
    return files[0] if files and len(files[0]) <= MAX_UPLOAD_BYTES else None


def licence_document_from_upload(data: bytes) -> dict[str, Any] | None:
    """The licence file in an upload — a JSON licence file or a licence PDF with licence.json embedded —
    or None when it is neither (never raises on garbage)."""
    if not data or len(data) > MAX_UPLOAD_BYTES:
        return None
    if data.lstrip().startswith((b"{", b"\xef\xbb\xbf")):
        return _document(data)
    if b"%PDF-" in data[:1024]:  # where PDF readers look for the header
        embedded = _embedded(data)
        return _document(embedded) if embedded is not None else None
    return None

"""Written notices of a case as PDF files (受理通知书, 一次性告知书, 决定书, 送达回证 …).

Pure rendering: it takes a composed `NoticeDocument` and returns the PDF bytes; it knows nothing of the
case models, so services build the document and decide where the bytes go. Only pip packages are used
(reportlab for layout, segno for the QR code) and the Chinese font ships with the repository
(`fonts/NotoSerifSC-yichuang.ttf.xz`, SIL OFL): the subset of the characters a notice uses is embedded
in every file, so any viewer shows it and the text stays extractable. See docs/notices.md.
"""

from __future__ import annotations

import datetime
import functools
import io
import lzma
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors
from reportlab.lib import textsplit as reportlab_textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as reportlab_paragraph

from yichuang.core.i18n.pdf import VerticalColumns

NOTICE_KINDS: dict[str, str] = {
    "acceptance": "受理通知书",
    "refusal": "不予受理通知书",
    "correction": "补正材料通知书（一次性告知书）",
    "deficiency": "容缺受理通知书",
    "special_procedure": "特别程序告知书",
    "decision_approve": "准予行政许可决定书",
    "decision_deny": "不予行政许可决定书",
    "delivery_receipt": "送达回证",
    # For a bundle (一件事) as a whole: the one 补正 notice and the list of results delivered together.
    "bundle_correction": "一件事补正材料通知书（一次性告知书）",
    "bundle_result": "一件事办理结果告知书",
}

FONT_NAME = "NotoSerifSC"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-yichuang.ttf.xz"
QR_CAPTION = "扫码查询办理进度"

PAGE_WIDTH, PAGE_HEIGHT = A4
# Margins close to GB/T 9704 (党政机关公文格式): 28 mm left, 26 mm right; a little less top and bottom
# to leave room for the continuation header and the page number.
LEFT_MARGIN = 28 * mm
RIGHT_MARGIN = 26 * mm
TOP_MARGIN = 30 * mm
BOTTOM_MARGIN = 28 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN

TITLE_SIZE = 22  # 二号
BODY_SIZE = 14  # 四号
SMALL_SIZE = 10.5  # 五号
QR_SIZE = 26 * mm

# reportlab hangs a character that may not start a line in the right margin instead of starting the next
# line with it, but its list only has ASCII and Japanese marks: add Chinese closing punctuation (GB/T 15834)
# so "，" "。" "》" never begin a line. Both wrapping paths read it (one text run: textsplit.wordSplit,
# several: paragraph.cjkFragSplit). Affects only reportlab's CJK wrapping in this process.
CHINESE_CANNOT_START = "，。、；：？！）》〉」』】〕〗”’…—·％"
_CANNOT_START = "".join(dict.fromkeys(reportlab_textsplit.ALL_CANNOT_START + CHINESE_CANNOT_START))
reportlab_textsplit.ALL_CANNOT_START = _CANNOT_START
reportlab_paragraph.ALL_CANNOT_START = _CANNOT_START

# Rows of the 送达回证 form, in order; values come from `NoticeDocument.lines` by label.
DELIVERY_RECEIPT_ROWS: tuple[str, ...] = (
    "送达文书名称及文号",
    "受送达人",
    "送达地点",
    "送达方式",
    "送达人",
    "受送达人签名或盖章",
    "代收人及代收理由",
    "备注",
)
# Rows left blank for a handwritten signature get room to write in (and a date line where one is due).
_SIGNATURE_ROWS = {"受送达人签名或盖章", "代收人及代收理由", "送达人"}
_DATED_SIGNATURE_ROWS = {"受送达人签名或盖章", "代收人及代收理由"}


@dataclass(frozen=True)
class NoticeDocument:
    """Everything printed on one notice; the caller composes the wording (see `default_body`)."""

    kind: str
    department_name: str
    document_number: str
    case_number: str
    applicant_name: str
    item_name: str
    issued_on: datetime.date
    body: list[str]
    lines: list[tuple[str, str]] = field(default_factory=list)
    listed: list[str] = field(default_factory=list)
    remedies: str = ""
    track_url: str = ""
    signature_block: str = ""

    @property
    def title(self) -> str:
        return NOTICE_KINDS[self.kind]


def chinese_date(day: datetime.date) -> str:
    """2026-11-21 → 2026年11月21日 (the form written on notices)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------------------------------------------------
# Font

_font_lock = threading.Lock()


@functools.cache
def _font_bytes() -> bytes:
    return lzma.decompress(FONT_PATH.read_bytes())


def register_font() -> str:
    """Register the embedded Chinese font with reportlab once per process; return its name."""
    with _font_lock:
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, io.BytesIO(_font_bytes())))
    return FONT_NAME


def text_width(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, register_font(), size))


# ---------------------------------------------------------------------------------------------------------
# Styles and flowables


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle(
        "notice",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.6,
        wordWrap="CJK",  # Chinese wraps at any character; ASCII runs are broken too rather than overflow
        alignment=TA_LEFT,
    )
    return {
        "number": ParagraphStyle("number", parent=base, fontSize=SMALL_SIZE + 1, alignment=TA_RIGHT),
        "addressee": ParagraphStyle("addressee", parent=base, spaceBefore=10),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=2 * BODY_SIZE, alignment=4),
        "listed": ParagraphStyle(
            "listed",
            parent=base,
            leftIndent=2 * BODY_SIZE,
            firstLineIndent=0,
            bulletIndent=0.5 * BODY_SIZE,
            bulletFontName=font,
            bulletFontSize=BODY_SIZE,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=12, leading=18),
        "label": ParagraphStyle("label", parent=base, fontSize=12, leading=18, alignment=TA_CENTER),
        "closing": ParagraphStyle("closing", parent=base, alignment=TA_RIGHT),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8, leading=10.5, alignment=TA_LEFT),
    }


def _paragraph(text: str, style: str, **kwargs: Any) -> Paragraph:
    # Paragraph reads mini-markup: escape what the caller wrote so "<" or "&" in a name print as such.
    return Paragraph(escape(text).replace("\n", "<br/>"), _styles()[style], **kwargs)


class _Title(Flowable):
    """Centred title drawn with a light stroke (faux bold: one font keeps the files small)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.size = float(TITLE_SIZE)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        while self.size > 12 and text_width(self.text, self.size) > avail_width:
            self.size -= 1
        return avail_width, self.size * 1.8

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setFont(register_font(), self.size)
        canvas.setLineWidth(0.45)
        text = canvas.beginText()
        text.setTextRenderMode(2)
        width = text_width(self.text, self.size)
        text.setTextOrigin((self.width - width) / 2, self.size * 0.5)
        text.textOut(self.text)
        canvas.drawText(text)
        canvas.restoreState()


class QrCode(Flowable):
    """The tracking URL as a vector QR code (one filled rectangle per run of dark modules).

    The rectangles sit inside a `/QRCode BMC … EMC` marked-content section so tools (and the tests) can
    read the matrix back from the page.
    """

    def __init__(self, url: str, size: float = QR_SIZE) -> None:
        super().__init__()
        self.matrix = qr_matrix(url)
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        canvas = self.canv
        count = len(self.matrix)
        module = self.size / count
        canvas.saveState()
        canvas.setFillColor(colors.black)
        canvas.addLiteral("/QRCode BMC")
        for row_index, row in enumerate(self.matrix):
            y = self.size - (row_index + 1) * module
            column = 0
            while column < count:
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < count and row[column]:
                    column += 1
                canvas.rect(start * module, y, (column - start) * module, module, stroke=0, fill=1)
        canvas.addLiteral("EMC")
        canvas.restoreState()


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code modules for `url` (True = dark), without the quiet zone (the layout leaves white)."""
    code = segno.make(url, error="m", micro=False)
    return [[bool(module) for module in row] for row in code.matrix]


class NumberedCanvas(Canvas):
    """Draws 第 x 页 共 N 页 and, from the second page on, a running header once the page count is known.
    A subclass sets the margins, the number's size and whether a single page is numbered too (the
    supervision report does; a one-page notice does not)."""

    right_margin, top_margin, bottom_margin = RIGHT_MARGIN, TOP_MARGIN, BOTTOM_MARGIN
    number_size = SMALL_SIZE
    number_single_page = False

    def __init__(self, *args: Any, running_header: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._running_header = running_header
        self._page_states: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            if total > 1 or self.number_single_page:
                self._draw_furniture(total)
            super().showPage()
        super().save()

    def _draw_furniture(self, total: int) -> None:
        font = register_font()
        number = self.getPageNumber()
        width, height = self._pagesize
        self.saveState()
        self.setFont(font, self.number_size)
        self.drawCentredString(width / 2, self.bottom_margin / 2, f"第 {number} 页 共 {total} 页")
        if number > 1 and self._running_header:
            self.setFont(font, 9)
            self.setFillColor(colors.grey)
            top = height - self.top_margin / 2
            self.drawRightString(width - self.right_margin, top, self._running_header)
        self.restoreState()


# ---------------------------------------------------------------------------------------------------------
# Layout


def _facts_table(rows: list[tuple[str, str]]) -> Table:
    label_width = 34 * mm
    table = Table(
        [[_paragraph(label, "label"), _paragraph(value, "cell")] for label, value in rows],
        colWidths=[label_width, TEXT_WIDTH - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _receipt_table(document: NoticeDocument) -> Table:
    given = dict(document.lines)
    given.setdefault("受送达人", document.applicant_name)
    rows: list[tuple[str, str]] = [(label, given.pop(label, "")) for label in DELIVERY_RECEIPT_ROWS]
    rows[-1:-1] = list(given.items())  # other facts the caller passed, before 备注
    label_width = 46 * mm
    data = []
    heights: list[float | None] = []
    for label, value in rows:
        cell: Any = _paragraph(value, "cell")
        if label in _DATED_SIGNATURE_ROWS and not value:
            cell = Table(
                [[""], [_paragraph("年    月    日", "closing")]],
                colWidths=[TEXT_WIDTH - label_width - 12],
                rowHeights=[14 * mm, None],
            )
        data.append([_paragraph(label, "label"), cell])
        if value or label in _DATED_SIGNATURE_ROWS:
            heights.append(None)
        else:
            heights.append(20 * mm if label in _SIGNATURE_ROWS else 12 * mm)
    table = Table(data, colWidths=[label_width, TEXT_WIDTH - label_width], rowHeights=heights, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _closing_block(document: NoticeDocument) -> Table:
    """QR code + case number on the left; department, date and seal area on the right."""
    left: list[Any] = []
    if document.track_url:
        left += [QrCode(document.track_url), Spacer(1, 2), _paragraph(QR_CAPTION, "caption")]
    left.append(_paragraph(f"办件编号：\n{document.case_number}", "caption"))
    right: list[Any] = [
        _paragraph(document.department_name, "closing"),
        _paragraph(chinese_date(document.issued_on), "closing"),
    ]
    if document.signature_block:
        right.append(_paragraph(document.signature_block, "closing"))
    left_width = 72 * mm
    table = Table([[left, right]], colWidths=[left_width, TEXT_WIDTH - left_width], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (0, 0), "BOTTOM"),
                ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _story(document: NoticeDocument) -> list[Any]:
    story: list[Any] = [_Title(document.title)]
    if document.document_number:
        story.append(_paragraph(document.document_number, "number"))
    if document.kind == "delivery_receipt":
        story.append(Spacer(1, 10))
        story += [_paragraph(text, "body") for text in document.body]
        story += [Spacer(1, 6), _receipt_table(document), Spacer(1, 6)]
        story += _listed(document.listed)
    else:
        story.append(_paragraph(f"{document.applicant_name}：", "addressee"))
        story += [_paragraph(text, "body") for text in document.body]
        labels = {label for label, _value in document.lines}
        rows = [(label, value) for label, value in (("申请事项", document.item_name),) if label not in labels]
        rows += [("办件编号", document.case_number)] if "办件编号" not in labels else []
        story += [Spacer(1, 6), _facts_table(rows + list(document.lines)), Spacer(1, 6)]
        story += _listed(document.listed)
        if document.remedies:
            story.append(_paragraph(document.remedies, "body"))
    story.append(KeepTogether([Spacer(1, 14), _closing_block(document)]))
    return story


def _listed(items: list[str]) -> list[Any]:
    return [_paragraph(text, "listed", bulletText=f"{number}.") for number, text in enumerate(items, start=1)]


def render_notice_pdf(document: NoticeDocument, *, mongolian: list[Any] | None = None) -> bytes:
    """The notice as an A4 PDF; several pages (numbered) when the lists are long. ``mongolian``: paragraphs
    (``core.i18n.pdf.VerticalParagraph``) of its Mongolian translation, set vertically on pages after the
    Chinese notice, which stays the same document (see docs/i18n.md)."""
    if document.kind not in NOTICE_KINDS:
        raise ValueError(f"未知的文书种类：{document.kind}")
    register_font()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{document.title} {document.document_number}".strip(),
        author=document.department_name,
        subject=f"办件编号 {document.case_number}",
        creator="yichuang 一窗",
        lang="zh-CN",
    )
    header = f"{document.title}　{document.document_number}".strip()
    story = _story(document)
    if mongolian:
        story += [PageBreak(), VerticalColumns(mongolian, han_font=register_font())]
    template.build(story, canvasmaker=functools.partial(NumberedCanvas, running_header=header))
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Standard wording (行政许可法 §32, §38, §44, §45; 容缺受理) — callers may use or replace it.

_LAW = "《中华人民共和国行政许可法》"

_BODY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "acceptance": (
        "你（单位）于{received_on}提出的{item_name}申请，申请材料齐全、符合法定形式。根据{law}第三十二条"
        "第一款第（五）项的规定，本机关决定予以受理。",
        "本机关将自受理之日起{promised_days}个工作日内作出决定。依法需要听证、招标、拍卖、检验、检测、检疫、"
        "鉴定和专家评审的，所需时间不计算在上述期限内，本机关将书面告知。",
        "请凭本通知书或扫描二维码查询办理进度、领取办理结果。",
    ),
    "refusal": (
        "你（单位）于{received_on}提出的{item_name}申请，因{reason}，根据{law}第三十二条第一款的规定，"
        "本机关决定不予受理。",
    ),
    "correction": (
        "你（单位）于{received_on}提出的{item_name}申请，经审查，申请材料不齐全或者不符合法定形式。根据{law}"
        "第三十二条第一款第（四）项的规定，现一次性告知你（单位）需要补正的全部内容（见下列清单）。",
        "请于{deadline}前补正后一并提交。补正的申请材料齐全、符合法定形式的，本机关将予以受理。",
    ),
    "deficiency": (
        "你（单位）于{received_on}提出的{item_name}申请，基本条件具备、主要申请材料齐全，下列次要材料尚有欠缺。"
        "根据容缺受理制度，本机关予以容缺受理。",
        "你（单位）已书面承诺于{deadline}前补齐下列材料。逾期未补齐或者补齐的材料不符合要求的，本机关将终止办理。",
    ),
    "special_procedure": (
        "你（单位）申请的{item_name}，依法需要进行{procedure}。根据{law}第四十五条的规定，{procedure}所需时间"
        "不计算在行政许可期限内，预计需要{days}个工作日。",
        "{procedure}结束后，本机关将继续办理并及时告知你（单位）。",
    ),
    "decision_approve": (
        "你（单位）于{received_on}提出的{item_name}申请，经审查，符合法定条件、标准。根据{law}第三十八条"
        "第一款的规定，本机关决定准予行政许可。",
        "根据{law}第四十四条的规定，本机关将自本决定作出之日起十个工作日内向你（单位）颁发、送达{result_name}。",
    ),
    "decision_deny": (
        "你（单位）于{received_on}提出的{item_name}申请，经审查，{reason}。根据{law}第三十八条第二款的规定，"
        "本机关决定不予行政许可。",
    ),
    "delivery_receipt": (
        "本机关依法向受送达人送达下列文书，请受送达人在本回证上签名或者盖章并注明签收日期。",
    ),
}

_OPTIONAL_SENTENCES: dict[str, tuple[str, str]] = {
    # kind → (fact, sentence added when the fact is given)
    "refusal": ("other_office", "该申请事项依法不属于本机关职权范围，请向{other_office}申请。"),
}


def _fact_text(value: object) -> str:
    return chinese_date(value) if isinstance(value, datetime.date) else str(value)


def default_body(kind: str, **facts: object) -> list[str]:
    """Standard paragraphs for a notice of `kind`, filled from `facts` (dates become 2026年11月21日).

    Facts by kind — acceptance: item_name, received_on, promised_days; refusal: item_name, received_on,
    reason (other_office optional); correction / deficiency: item_name, received_on, deadline;
    special_procedure: item_name, procedure, days; decision_approve: item_name, received_on, result_name;
    decision_deny: item_name, received_on, reason; delivery_receipt: none.
    """
    if kind not in _BODY_TEMPLATES:
        raise ValueError(f"未知的文书种类：{kind}")
    values = {name: _fact_text(value) for name, value in facts.items()}
    values["law"] = _LAW
    templates = list(_BODY_TEMPLATES[kind])
    optional = _OPTIONAL_SENTENCES.get(kind)
    if optional and values.get(optional[0]):
        templates.append(optional[1])
    try:
        return [template.format_map(values) for template in templates]
    except KeyError as missing:
        raise ValueError(f"文书“{NOTICE_KINDS[kind]}”缺少要素：{missing.args[0]}") from None


REMEDIES_TEMPLATE = (
    "如不服本决定，可以自收到本文书之日起六十日内向{reconsideration_body}申请行政复议，"
    "或者自收到本文书之日起六个月内依法向{court}提起行政诉讼。"
)


def default_remedies(*, reconsideration_body: str, court: str) -> str:
    """救济途径 for refusals and denials (行政复议法 §20: 60 days; 行政诉讼法 §46: six months)."""
    return REMEDIES_TEMPLATE.format(reconsideration_body=reconsideration_body, court=court)


def body_templates(kind: str) -> tuple[str, ...]:
    """The standard paragraphs of ``kind`` with their ``{fact}`` fields (the Mongolian page translates
    them)."""
    return _BODY_TEMPLATES.get(kind, ())


def optional_sentence(kind: str) -> tuple[str, str] | None:
    """``(fact, sentence)`` added to ``kind``'s paragraphs when the fact is given, if the kind has one."""
    return _OPTIONAL_SENTENCES.get(kind)


LAW = _LAW

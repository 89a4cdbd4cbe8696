"""PDF notices: read the generated files back (pypdf) and check what a reader of the paper would see."""

from __future__ import annotations

import datetime
import io
import re
import statistics
import time
from typing import Any

import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import ContentStream

from yichuang.cases.notices_pdf import (
    NOTICE_KINDS,
    PAGE_WIDTH,
    RIGHT_MARGIN,
    NoticeDocument,
    chinese_date,
    default_body,
    default_remedies,
    qr_matrix,
    render_notice_pdf,
    text_width,
)

CASE_NUMBER = "91150824MB1234567X4" + "150824001000" + "20261121" + "0012"
TRACK_URL = f"https://zwfw.wlzq.gov.cn/cases/track/{CASE_NUMBER}"
REMEDIES = default_remedies(reconsideration_body="乌拉特中旗人民政府", court="乌拉特中旗人民法院")
LISTED = [
    "营业执照副本复印件：未加盖公章，请加盖申请人公章后提交",
    "法定代表人身份证复印件：已过有效期，请提供有效期内的身份证明",
    "食品安全管理制度文本：缺少进货查验记录制度，请补充完整",
]


def notice(kind: str, **overrides: Any) -> NoticeDocument:
    fields: dict[str, Any] = {
        "kind": kind,
        "department_name": "乌拉特中旗市场监督管理局",
        "document_number": "乌中市监受〔2026〕0012号",
        "case_number": CASE_NUMBER,
        "applicant_name": "巴特尔（乌拉特中旗草原牧业有限公司）",
        "item_name": "食品经营许可（新办）",
        "issued_on": datetime.date(2026, 11, 21),
        "body": ["你（单位）提出的申请，本机关已依法审查。", "特此通知。"],
        "lines": [("受理日期", "2026年11月21日"), ("承诺办结时限", "10个工作日")],
        "listed": LISTED,
        "remedies": REMEDIES,
        "track_url": TRACK_URL,
        "signature_block": "（印章）",
    }
    fields.update(overrides)
    return NoticeDocument(**fields)


def pdf_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def compact(text: str) -> str:
    """Text without the line breaks and spaces wrapping inserted."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", list(NOTICE_KINDS))
def test_every_kind_prints_its_facts(kind: str) -> None:
    pdf = render_notice_pdf(notice(kind))

    assert pdf.startswith(b"%PDF")
    text = compact("".join(pdf_text(pdf)))
    for expected in [
        NOTICE_KINDS[kind],
        "乌拉特中旗市场监督管理局",
        CASE_NUMBER,
        "巴特尔（乌拉特中旗草原牧业有限公司）",
        "2026年11月21日",
        "乌中市监受〔2026〕0012号",
        "扫码查询办理进度",
        compact(REMEDIES) if kind != "delivery_receipt" else "受送达人签名或盖章",
        *LISTED,
    ]:
        assert compact(expected) in text, f"{kind}: {expected!r} missing"


def test_notice_texts_come_in_reading_order() -> None:
    text = compact("".join(pdf_text(render_notice_pdf(notice("correction")))))

    positions = [
        text.index(compact(part))
        for part in [
            "补正材料通知书（一次性告知书）",
            "乌中市监受〔2026〕0012号",
            "巴特尔（乌拉特中旗草原牧业有限公司）：",
            "你（单位）提出的申请",
            "承诺办结时限",
            "1." + LISTED[0],
            "3." + LISTED[2],
            compact(REMEDIES),
            "乌拉特中旗市场监督管理局2026年11月21日（印章）",
        ]
    ]
    assert positions == sorted(positions)


def test_delivery_receipt_is_a_form_with_the_given_values() -> None:
    pdf = render_notice_pdf(
        notice(
            "delivery_receipt",
            body=[],
            listed=[],
            remedies="",
            lines=[
                ("送达文书名称及文号", "准予行政许可决定书（乌中市监许〔2026〕0031号）"),
                ("送达地点", "乌拉特中旗政务服务中心综合出证窗口"),
                ("送达方式", "直接送达"),
                ("备注", "申请人委托代理人领取"),
            ],
        )
    )

    text = compact("".join(pdf_text(pdf)))
    for label, value in [
        ("送达文书名称及文号", "准予行政许可决定书（乌中市监许〔2026〕0031号）"),
        ("受送达人", "巴特尔（乌拉特中旗草原牧业有限公司）"),
        ("送达地点", "乌拉特中旗政务服务中心综合出证窗口"),
        ("送达方式", "直接送达"),
        ("送达人", ""),
        ("受送达人签名或盖章", "年月日"),
        ("代收人及代收理由", "年月日"),
        ("备注", "申请人委托代理人领取"),
    ]:
        assert compact(label + value) in text
    assert "申请事项" not in text  # the receipt has no addressee letter or facts table


def qr_modules_on_page(pdf: bytes, page_index: int = -1) -> list[list[bool]]:
    """Rebuild the QR module grid from the rectangles inside the page's /QRCode marked content."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[page_index]
    operations = ContentStream(page.get_contents(), reader).operations
    rects: list[tuple[float, float, float, float]] = []
    inside = False
    for operands, operator in operations:
        if operator == b"BMC" and operands[0] == "/QRCode":
            inside = True
        elif operator == b"EMC":
            inside = False
        elif inside and operator == b"re":
            x, y, width, height = (float(value) for value in operands)
            rects.append((x, y, width, height))
    assert rects, "no QR code drawn on the page"
    module = rects[0][3]
    top = max(y + height for _x, y, _width, height in rects)
    count = round(top / module)
    grid = [[False] * count for _row in range(count)]
    for x, y, width, height in rects:
        row = round((top - y - height) / module)
        for column in range(round(x / module), round((x + width) / module)):
            grid[row][column] = True
    return grid


def test_qr_code_on_the_page_encodes_the_tracking_url() -> None:
    pdf = render_notice_pdf(notice("acceptance"))

    expected = [[bool(module) for module in row] for row in segno.make(TRACK_URL, error="m").matrix]
    assert qr_matrix(TRACK_URL) == expected
    assert qr_modules_on_page(pdf) == expected
    assert qr_modules_on_page(render_notice_pdf(notice("acceptance", track_url=TRACK_URL + "x"))) != expected


def test_without_tracking_url_no_qr_code_but_the_case_number() -> None:
    pdf = render_notice_pdf(notice("acceptance", track_url=""))

    text = compact("".join(pdf_text(pdf)))
    assert "扫码查询办理进度" not in text
    assert f"办件编号：{CASE_NUMBER}" in text  # under the QR code place
    assert b"/QRCode" not in pdf


def test_sixty_materials_run_onto_numbered_pages() -> None:
    listed = [f"第{number}项材料：申请书第{number}页未签字，请申请人本人签字确认" for number in range(1, 61)]
    pdf = render_notice_pdf(notice("correction", listed=listed))

    pages = pdf_text(pdf)
    total = len(pages)
    assert total >= 3
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in page
    assert "补正材料通知书（一次性告知书）" in pages[1]  # continuation header
    text = compact("".join(pages))
    positions = [text.index(compact(f"{number}.{item}")) for number, item in enumerate(listed, start=1)]
    assert positions == sorted(positions)
    assert "乌拉特中旗市场监督管理局2026年11月21日（印章）" in compact(pages[-1])


def test_one_page_notice_has_no_page_number() -> None:
    pages = pdf_text(render_notice_pdf(notice("acceptance", listed=[])))

    assert len(pages) == 1
    assert "第 1 页" not in pages[0]


def text_runs(pdf: bytes) -> list[tuple[str, float, float]]:
    """(text, x where it starts, font size) for every text run pypdf reports."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            runs.append((text.rstrip("\n"), x, size * tm[0] * cm[0]))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return runs


def test_long_mixed_words_wrap_inside_the_page() -> None:
    long_word = "统一社会信用代码91150824MB1234567X" + "ABCDEFGHIJ" * 12 + "结束"
    url = "https://zwfw.wlzq.gov.cn/materials/" + "a1b2c3d4e5" * 10 + "/下载"
    pdf = render_notice_pdf(notice("correction", body=[long_word, url], listed=[url, long_word]))

    runs = text_runs(pdf)
    right_edge = PAGE_WIDTH - RIGHT_MARGIN
    hang = text_width("，", 14)  # closing punctuation may hang in the margin, nothing else
    checked = [run for run in runs if "ABCDEFGHIJ" in run[0] or "a1b2c3d4e5" in run[0]]
    assert len(checked) >= 8  # each long string broke into several lines
    for text, x, size in checked:
        assert x + text_width(text, size) <= right_edge + hang, text
    joined = compact("".join(pdf_text(pdf)))
    assert compact(long_word) in joined
    assert compact(url) in joined


def test_chinese_punctuation_never_starts_a_line() -> None:
    body = [
        "你（单位）于2026年11月20日提出的食品经营许可（新办）申请，经审查，申请材料不齐全或者不符合法定形式。"
        * 4
    ]
    pages = pdf_text(render_notice_pdf(notice("correction", body=body)))

    lines = [line.strip() for page in pages for line in page.splitlines()]
    assert not [line for line in lines if line[:1] in "，。、；：）》"]


def test_the_font_is_embedded_as_a_subset() -> None:
    pdf = render_notice_pdf(notice("decision_deny"))

    assert b"/FontFile2" in pdf  # TrueType program embedded: no viewer has to substitute a font
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSerifCJKsc-Regular", pdf)  # a subset, not the whole font
    assert b"STSong" not in pdf
    assert len(pdf) < 150_000


def test_markup_characters_in_names_print_as_written() -> None:
    pdf = render_notice_pdf(notice("acceptance", applicant_name="A&B <测试> 公司"))

    assert "A&B<测试>公司：" in compact("".join(pdf_text(pdf)))


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的文书种类"):
        render_notice_pdf(notice("warning"))


def test_default_body_fills_the_statutory_wording() -> None:
    paragraphs = default_body(
        "acceptance",
        item_name="食品经营许可（新办）",
        received_on=datetime.date(2026, 11, 20),
        promised_days=10,
    )

    text = "".join(paragraphs)
    assert "2026年11月20日提出的食品经营许可（新办）申请" in text
    assert "第三十二条第一款第（五）项" in text
    assert "10个工作日内作出决定" in text


def test_default_body_names_the_competent_office_when_given() -> None:
    facts = {
        "item_name": "建筑工程施工许可",
        "received_on": datetime.date(2026, 11, 20),
        "reason": "不属于本机关职权",
    }

    assert "请向乌拉特中旗住房和城乡建设局申请" in "".join(
        default_body("refusal", other_office="乌拉特中旗住房和城乡建设局", **facts)
    )
    assert "请向" not in "".join(default_body("refusal", **facts))


# A bundle's notices (一件事) compose their own body: every case notice has a standard one.
@pytest.mark.parametrize("kind", [kind for kind in NOTICE_KINDS if not kind.startswith("bundle_")])
def test_default_body_reports_a_missing_fact(kind: str) -> None:
    if kind == "delivery_receipt":
        assert default_body(kind)
        return
    with pytest.raises(ValueError, match="缺少要素"):
        default_body(kind)


def test_chinese_date_has_no_leading_zeros() -> None:
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"


def test_rendering_a_typical_notice_is_fast() -> None:
    document = notice(
        "acceptance",
        body=default_body(
            "acceptance",
            item_name="食品经营许可（新办）",
            received_on=datetime.date(2026, 11, 20),
            promised_days=10,
        ),
        listed=[],
        remedies="",
    )
    render_notice_pdf(document)  # warm-up: font loaded once per process

    durations = []
    for _attempt in range(10):
        started = time.perf_counter()
        render_notice_pdf(document)
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    print(f"typical notice rendered in {median * 1000:.1f} ms (median of 10)")
    assert median < 0.25  # measured ~20 ms; generous for slow CI machines

"""The licence PDF (its text, QR code, watermark and the embedded licence file) and the seal's picture."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import math
import xml.etree.ElementTree as ET

import pytest
import segno
import time_machine
from pypdf import PdfReader

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases.notices_pdf import render_notice_pdf
from yichuang.cases.tests.test_notices_pdf import compact, notice, pdf_text, qr_modules_on_page
from yichuang.licences import rendering, services, signing
from yichuang.licences.models import LicenceType
from yichuang.licences.rendering import (
    licence_document_from_upload,
    licence_pdf,
    seal_layout,
    seal_picture_svg,
    verify_url,
)
from yichuang.licences.verification import licence_document, licence_verify_document

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime(2026, 11, 2, 10, tzinfo=CST)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def licence(org, settings):
    settings.YICHUANG_PUBLIC_URL = "https://zwfw.example.cn/"
    kind = LicenceType.objects.create(
        code="11100000000013338W919",
        name="食品经营许可证",
        holder_kind="natural",
        validity_years=0,  # 长期
        schema=[
            {"key": "operator", "label": "经营者名称", "required": True},
            {"key": "address", "label": "经营场所", "required": True},
            {"key": "scope", "label": "经营项目", "required": False},
        ],
    )
    with time_machine.travel(TODAY, tick=False):
        services.seal_create(actor=org.user("admin"), department=org.scjg)
        return services.licence_issue(
            actor=org.user("reviewer"),
            licence_type=kind,
            holder=ApplicantFactory(name="王建国"),
            issuer=org.scjg,
            data={"operator": "草原牧歌小吃店", "address": "海流图镇团结路8号"},  # no 经营项目
        )


def _text(pdf: bytes) -> str:
    return compact("".join(pdf_text(pdf)))


def test_the_pdf_shows_the_licence_for_its_holder(licence) -> None:
    pdf = licence_pdf(licence)
    text = _text(pdf)
    for expected in (
        "食品经营许可证",
        licence.identifier,
        "经营者名称草原牧歌小吃店",
        "经营场所海流图镇团结路8号",
        "持证人王建国",
        f"公民身份号码{licence.holder_identifier}",  # in full: the PDF is the holder's own
        "2026年11月2日至长期",
        f"发证机关：{licence.issuer_name}",
        "扫码核验",
        licence.digest,
        "电子证照专用章",  # the seal, drawn in the page
    ):
        assert expected in text, expected
    assert "经营项目" not in text  # an optional item left empty
    assert "已注销" not in text and "已变更" not in text
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert (metadata.title, metadata.author) == (f"食品经营许可证 {licence.number}", licence.issuer_name)


def test_the_qr_code_opens_the_verification_page(licence) -> None:
    url = verify_url(licence)
    assert url == f"https://zwfw.example.cn/licences/verify/?identifier={licence.identifier}"
    expected = [[bool(module) for module in row] for row in segno.make(url, error="m").matrix]
    assert qr_modules_on_page(licence_pdf(licence)) == expected


def test_the_embedded_licence_file_round_trips_and_verifies(licence) -> None:
    pdf = licence_pdf(licence)
    embedded = PdfReader(io.BytesIO(pdf)).attachments["licence.json"]
    assert embedded == [signing.canonical(licence_document(licence))]
    document = licence_document_from_upload(pdf)
    assert document == licence_document(licence)
    with time_machine.travel(TODAY, tick=False):
        assert licence_verify_document(document).status == "valid"
    # The bare JSON file is accepted too, with or without a byte-order mark.
    as_json = json.dumps(licence_document(licence), ensure_ascii=False).encode()
    assert licence_document_from_upload(as_json) == document
    assert licence_document_from_upload(b"\xef\xbb\xbf" + as_json) == document


def test_a_changed_byte_in_the_embedded_file_reads_as_altered(licence) -> None:
    pdf = licence_pdf(licence)
    original, forged = '"holder":"王建国"'.encode(), '"holder":"王健国"'.encode()
    assert pdf.count(original) == 1 and len(original) == len(forged)
    document = licence_document_from_upload(pdf.replace(original, forged))
    assert document is not None and document["content"]["holder"] == "王健国"
    assert licence_verify_document(document).status == "altered"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"garbage \x00\xff",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF",
        b"[1, 2, 3]",
        b'{"content": "not an object", "signature": "00"}',
        b'{"content": {"identifier": "1.2.156", "seal": "a\\u0000b"}, "signature": "00"}',
        b'{"content": {"seal": 7}, "signature": "00"}',
        b"[" * 100_000,
        b"{" + b" " * rendering.MAX_UPLOAD_BYTES + b"}",
    ],
    ids=["empty", "binary", "pdf-shell", "list", "no-content", "nul", "wrong-type", "deep", "too-large"],
)
def test_what_is_not_a_licence_file_is_none(data: bytes) -> None:
    assert licence_document_from_upload(data) is None


def test_a_cut_pdf_or_one_without_the_file_is_none(licence) -> None:
    pdf = licence_pdf(licence)
    assert licence_document_from_upload(pdf[: len(pdf) // 2]) is None
    # A PDF of ours without licence.json: a written notice.
    assert licence_document_from_upload(render_notice_pdf(notice("acceptance"))) is None


@pytest.mark.parametrize(("status", "watermark"), [("revoked", "已注销"), ("superseded", "已变更（旧版）")])
def test_a_licence_no_longer_valid_is_watermarked(licence, status: str, watermark: str) -> None:
    licence.status = status
    assert watermark in _text(licence_pdf(licence))


def _svg_text(svg: str) -> str:
    return "".join(element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text"))


def test_the_seal_picture_is_svg_with_the_name_star_and_code(licence) -> None:
    seal = licence.seal
    svg = seal_picture_svg(seal)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 100 100"
    assert root.find(f"{SVG}title").text == seal.name  # type: ignore[union-attr]
    assert len(root.findall(f".//{SVG}polygon")) == 1 and root.find(f".//{SVG}circle") is not None
    # The department along the arc, the rest under the star, the code along the bottom.
    assert _svg_text(svg) == f"{seal.department.name}电子证照专用章{seal.code}"
    assert "Noto Serif" in svg and "serif" in svg


def test_a_long_or_odd_name_still_fits_inside_the_ring(licence) -> None:
    seal = licence.seal
    seal.department.name = "内蒙古自治区巴彦淖尔市乌拉特中旗市场监督管理局综合行政执法大队<&>"
    seal.name = seal.department.name + "电子证照专用章"
    svg = seal_picture_svg(seal)
    assert seal.department.name in _svg_text(svg)  # escaped and parsed back
    glyphs = seal_layout(seal).glyphs
    for glyph in glyphs:
        assert math.hypot(glyph.x, glyph.y) + glyph.size / 2 < 46, glyph
    arc = [glyph for glyph in glyphs if glyph.size > 5 and glyph.y > -10]
    assert min(glyph.size for glyph in arc) > 5  # narrowed, still legible
    centres = [(glyph.x, glyph.y) for glyph in arc]
    gaps = [math.dist(a, b) for a, b in itertools.pairwise(centres)]
    assert min(gaps) >= 0.9 * max(glyph.size * glyph.narrow for glyph in arc)  # no two overlap

"""Upload checks (docs/security.md, 上传文件): every refusal is a structured error in Chinese and stores nothing —
a body over the request cap (413, before it is read), a file whose content is not what its name says, a PDF
with too many pages, an Excel workbook that would unpack to too much or has too many parts (a zip bomb), for
catalog imports and translation imports alike; and a stored file's name is a plain label, never a path."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfWriter

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases.models import CaseFile
from yichuang.catalog import importing
from yichuang.catalog.models import CatalogImport
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError
from yichuang.core.i18n.spreadsheet import read_rows
from yichuang.core.uploads import safe_file_name, xlsx_check

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_with_pages(count: int) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


# A workbook-shaped ZIP whose one sheet unpacks to 3 MB of zeros (a few KB packed).
BOMB = zip_bytes(
    {"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\x00" * (3 * 1024 * 1024)}
)
MANY_PARTS = zip_bytes({f"xl/part{i}.xml": b"<a/>" for i in range(30)})


@pytest.fixture
def case_for_files(org: Any, client_for: Any) -> tuple[Client, dict[str, Any]]:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    applicant = ApplicantFactory(user=org.user("applicant"), name="王建国", phone="13912345678")
    clerk = client_for("clerk")
    case = clerk.post(
        f"{API}/",
        {"item_id": item.pk, "applicant_id": applicant.pk, "channel": "window"},
        content_type="application/json",
    ).json()
    return clerk, case


def _upload(clerk: Client, case: dict[str, Any], name: str, content: bytes) -> Any:
    return clerk.post(f"{API}/{case['id']}/files", {"file": SimpleUploadedFile(name, content)})


def _error(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def test_a_body_over_the_request_cap_is_refused_before_it_is_read(settings: Any, case_for_files: Any) -> None:
    settings.YICHUANG_MAX_REQUEST_BYTES = 4096
    clerk, case = case_for_files
    response = _upload(clerk, case, "scan.pdf", PDF + b"%" * 8192)
    assert response.status_code == 413
    assert _error(response) == {
        "code": "request_too_large",
        "message": "提交的内容过大（不能超过4KB），请减少或压缩文件后重试",
    }
    page = Client().post("/track/", {"number": "x" * 5000})
    assert page.status_code == 413 and "提交的内容过大" in page.content.decode()
    assert not CaseFile.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("scan.pdf", PNG, "file_type_not_allowed"),  # the content decides, not the name
        ("scan.exe", PDF, "file_type_not_allowed"),  # extension allow-list
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 64, "file_type_not_allowed"),
        ("scan.pdf", b"", "empty_file"),
    ],
)
def test_content_not_matching_an_allowed_type_is_refused(
    case_for_files: Any, name: str, content: bytes, code: str
) -> None:
    clerk, case = case_for_files
    response = _upload(clerk, case, name, content)
    assert response.status_code == 400 and _error(response)["code"] == code
    assert _error(response)["message"]
    assert not CaseFile.objects.exists()


def test_a_pdf_with_too_many_pages_is_refused(settings: Any, case_for_files: Any) -> None:
    settings.YICHUANG_PDF_MAX_PAGES = 2
    clerk, case = case_for_files
    response = _upload(clerk, case, "scan.pdf", pdf_with_pages(3))
    assert response.status_code == 400
    assert _error(response) == {
        "code": "pdf_too_many_pages",
        "message": "PDF 文件不能超过2页（本文件3页），请分成几份上传",
        "fields": {"file": ["页数过多"]},
    }
    assert not CaseFile.objects.exists()
    assert _upload(clerk, case, "scan.pdf", pdf_with_pages(2)).status_code == 201


def test_a_stored_name_is_a_label_not_a_path(case_for_files: Any) -> None:
    clerk, case = case_for_files
    response = _upload(clerk, case, "../../etc/申请书\x00.pdf", PDF)
    assert response.status_code == 201, response.content
    assert CaseFile.objects.get().name == "申请书.pdf"
    assert safe_file_name("..\\..\\windows\\.a.pdf") == "a.pdf"
    assert safe_file_name("/") == "file"
    assert safe_file_name("a" * 300 + ".pdf") == "a" * 196 + ".pdf"


def test_a_zip_bomb_catalog_import_is_refused_and_nothing_stored(settings: Any, org: Any) -> None:
    settings.YICHUANG_XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    with pytest.raises(ApplicationError) as refused:
        importing.catalog_import_start(actor=org.user("admin"), file_name="事项.xlsx", content=BOMB)
    assert refused.value.code == "xlsx_too_large"
    assert "工作簿解压后过大" in refused.value.message
    assert refused.value.fields == {"file": ["文件过大"]}
    assert not CatalogImport.objects.exists()


def test_a_workbook_with_too_many_parts_is_refused(settings: Any, org: Any, client_for: Any) -> None:
    settings.YICHUANG_XLSX_MAX_ENTRIES = 20
    response = client_for("admin").post(
        "/api/v1/catalog/imports", {"file": SimpleUploadedFile("事项.xlsx", MANY_PARTS)}
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "xlsx_too_large"
    assert not CatalogImport.objects.exists()


def test_a_zip_bomb_translation_workbook_is_refused(settings: Any) -> None:
    settings.YICHUANG_XLSX_MAX_UNPACKED_BYTES = 1024 * 1024
    with pytest.raises(ApplicationError) as refused:
        read_rows(BOMB)
    assert refused.value.code == "xlsx_too_large"


def test_an_encrypted_or_escaping_workbook_is_refused() -> None:
    escaping = zip_bytes({"../../evil.xml": b"<a/>"})
    with pytest.raises(ApplicationError) as refused:
        xlsx_check(escaping)
    assert refused.value.code == "xlsx_invalid"
    xlsx_check(zip_bytes({"xl/workbook.xml": b"<a/>"}))  # an ordinary one passes
    xlsx_check(b"not a zip at all")  # left to the reader, which refuses it in its own words

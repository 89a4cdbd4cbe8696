"""掌上办: photos taken with a phone's camera and sent with an online application. They are decoded (a file
that only looks like a picture is refused with a clear Chinese message and nothing is stored), turned
upright by their EXIF orientation, reduced to 2000 px on the longest side and kept without EXIF — no
camera model, no time, no GPS position. A second click stores nothing twice."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin

from yichuang.accounts.tests.factories import ApplicantFactory
from yichuang.cases import services, uploads
from yichuang.cases.forms_portal import CAMERA_ACCEPT
from yichuang.cases.models import Case, CaseFile
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.errors import ApplicationError
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS = {1: "N", 2: (41.0, 52.0, 30.0), 3: "E", 4: (108.0, 30.0, 0.0)}
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 14; HUAWEI P60) AppleWebKit/537.36 Mobile Safari/537.36"


def phone_photo(width: int = 3000, height: int = 1500, *, orientation: int = 6) -> bytes:
    """A phone's JPEG as the sensor wrote it: left half red, right half blue, lying on its side (EXIF
    orientation 6: "turn 90° clockwise to view"), with the camera's make, model, time and GPS position."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "HUAWEI"
    exif[0x0110] = "P60 Pro"
    exif[0x0132] = "2026:11:02 09:30:00"
    exif[0x8825] = GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=92)
    return out.getvalue()


def small_clean(kind: str = "JPEG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(out, format=kind)
    return out.getvalue()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(pixel: tuple[int, ...], colour: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel[:3], colour, strict=True))


@pytest.fixture
def item(org):
    return publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")


@pytest.fixture
def applicant(org):
    return ApplicantFactory(user=org.user("applicant"), name="乌云其其格")


@pytest.fixture
def portal(client_for, applicant):
    client = client_for("applicant")
    client.defaults["HTTP_USER_AGENT"] = PHONE_AGENT
    return client


def material_field(item, key: str) -> str:
    return f"material_{item.current_version.materials.get(key=key).pk}"


def apply(client, item, files: dict, key: str = "photo-key"):
    data = {"idempotency_key": key, "version": item.current_version_id, **files}
    return client.post(reverse("cases:portal_apply", args=[item.pk]), data)


# ——— the stored photo ———


def test_a_phone_photo_is_stored_upright_reduced_and_without_exif(portal, item) -> None:
    raw = phone_photo()
    assert b"HUAWEI" in raw and decoded(raw).getexif().get_ifd(0x8825)  # the camera did write them
    field = material_field(item, "m-apply")
    response = apply(portal, item, {field: SimpleUploadedFile("IMG_20261102_093000.jpg", raw, "image/jpeg")})
    assert response.status_code == 302, response.content.decode()[:500]
    stored = CaseFile.objects.get()
    data = bytes(stored.data)
    photo = decoded(data)
    # Upright: the sensor's 3000×1500 turned a quarter clockwise is 1500×3000, then reduced to 2000 high.
    assert photo.format == "JPEG" and photo.size == (1000, 2000)
    # The sensor's left half (red) is at the top once turned as the EXIF said.
    assert near(photo.getpixel((500, 300)), RED) and near(photo.getpixel((500, 1700)), BLUE)
    # No EXIF at all: no orientation left to apply twice, no camera, no time, no GPS.
    assert len(photo.getexif()) == 0 and b"Exif" not in data
    assert b"HUAWEI" not in data and b"P60" not in data and b"2026:11:02" not in data
    assert (stored.content_type, stored.size, stored.name) == (
        "image/jpeg",
        len(data),
        "IMG_20261102_093000.jpg",
    )
    assert stored.size < len(raw)
    assert Case.objects.get().channel == "mobile"
    event = AuditEvent.objects.filter(action="case.file.upload").get()
    assert event.data["original_size"] == len(raw) and event.data["size"] == len(data)


def test_a_clean_small_photo_is_kept_byte_for_byte(portal, item) -> None:
    clean = small_clean()
    field = material_field(item, "m-apply")
    assert apply(portal, item, {field: SimpleUploadedFile("签字页.jpg", clean)}).status_code == 302
    assert bytes(CaseFile.objects.get().data) == clean
    assert "original_size" not in AuditEvent.objects.get(action="case.file.upload").data


def test_preparing_a_prepared_photo_changes_nothing(settings) -> None:
    settings.YICHUANG_PHOTO_MAX_SIDE = 800
    once = uploads.case_file_prepare(name="a.jpg", content=phone_photo(1600, 900))
    assert decoded(once.content).size == (450, 800)
    twice = uploads.case_file_prepare(name="a.jpg", content=once.content)
    assert twice.content == once.content and twice.original_size == len(once.content)


def test_a_png_screenshot_loses_its_text_chunks_and_stays_a_png() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "乌云其其格 13800138000")
    out = io.BytesIO()
    Image.new("RGB", (40, 40), RED).save(out, format="PNG", pnginfo=info)
    prepared = uploads.case_file_prepare(name="截图.png", content=out.getvalue())
    assert prepared.content_type == "image/png"
    image = decoded(prepared.content)
    assert image.format == "PNG" and "Author" not in image.info
    assert b"13800138000" not in prepared.content


def test_the_window_and_the_api_store_photos_prepared_too(org, item, applicant) -> None:
    """The rule is in the service (case_file_upload), not only in the portal's form."""
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    stored = uploads.case_file_upload(
        actor=org.user("clerk"), case=case, name="现场.jpg", content=phone_photo()
    )
    photo = decoded(bytes(stored.data))
    assert photo.size == (1000, 2000) and len(photo.getexif()) == 0


# ——— refused, nothing stored ———


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "身份证.jpg",
            "这是一段文字，不是照片。".encode(),
            "只能上传 PDF、PNG、JPG 文件，且文件内容须与扩展名一致",
        ),
        (
            "身份证.png",
            b"\xff\xd8\xff\xe0" + b"\x00" * 200,
            "只能上传 PDF、PNG、JPG 文件，且文件内容须与扩展名一致",
        ),
        ("身份证.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"garbage" * 40, "图片无法识别"),
        ("身份证.jpg", phone_photo(600, 400)[:1500], "图片无法识别"),
        ("身份证.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "图片无法识别"),
        ("IMG_0001.jpg", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "HEIC"),
    ],
    ids=["text-named-jpg", "jpeg-named-png", "jpeg-header-only", "truncated-jpeg", "png-header-only", "heic"],
)
def test_a_file_that_is_not_a_real_photo_is_refused_and_nothing_is_stored(
    portal, item, name, content, message
):
    field = material_field(item, "m-apply")
    response = apply(portal, item, {field: SimpleUploadedFile(name, content, "image/jpeg")})
    assert response.status_code == 200
    error = response.context["form"].errors[field][0]
    assert error.startswith(f"{name}：") and message in error
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert Case.objects.count() == 0 and CaseFile.objects.count() == 0


def test_a_photo_with_too_many_pixels_is_refused_before_decoding(settings, portal, item) -> None:
    settings.YICHUANG_PHOTO_MAX_PIXELS = 1_000_000
    field = material_field(item, "m-apply")
    response = apply(portal, item, {field: SimpleUploadedFile("大.jpg", phone_photo(1600, 900))})
    assert "图片像素过多（超过100万像素）" in response.context["form"].errors[field][0]
    assert Case.objects.count() == 0


def test_a_photo_over_the_size_limit_is_refused_with_the_limit(settings, portal, item) -> None:
    settings.YICHUANG_CASE_UPLOAD_MAX_BYTES = 10 * 1024
    field = material_field(item, "m-apply")
    big = phone_photo(1200, 900)
    assert len(big) > 10 * 1024
    response = apply(portal, item, {field: SimpleUploadedFile("大.jpg", big)})
    assert response.context["form"].errors[field] == ["大.jpg：文件不能超过10KB"]
    assert CaseFile.objects.count() == 0


def test_the_service_refuses_a_broken_photo_with_a_structured_error(org, item, applicant) -> None:
    case = services.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")
    with pytest.raises(ApplicationError) as refused:
        uploads.case_file_upload(
            actor=org.user("clerk"), case=case, name="坏.jpg", content=phone_photo(600, 400)[:900]
        )
    assert refused.value.code == "image_invalid" and refused.value.fields == {"file": ["图片无法识别"]}
    assert CaseFile.objects.count() == 0


# ——— several photos, a double submit ———


def test_several_photos_for_one_material_and_a_double_submit_make_one_case(portal, item) -> None:
    field = material_field(item, "m-apply")
    front, back = phone_photo(), phone_photo(2400, 1800, orientation=1)

    def files():
        return {
            field: [
                SimpleUploadedFile("page-1.jpg", front, "image/jpeg"),
                SimpleUploadedFile("page-2.jpg", back, "image/jpeg"),
                SimpleUploadedFile("page-1-again.jpg", front, "image/jpeg"),  # chosen twice: stored once
            ]
        }

    first = apply(portal, item, files(), key="double")
    second = apply(portal, item, files(), key="double")
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("cases:portal_detail", args=[case.pk])
    stored = list(CaseFile.objects.order_by("pk"))
    assert [f.name for f in stored] == ["page-1.jpg", "page-2.jpg"]
    assert decoded(bytes(stored[1].data)).size == (2000, 1500)


# ——— the page ———


def test_each_paper_material_offers_the_camera_and_the_files(org, portal) -> None:
    item = publish_item(
        actor=org.user("admin"),
        department=org.scjg,
        basic_code="11A000100002",
        materials=[
            {"key": "paper", "name": "身份证", "media": "paper", "originals": 1, "copies": 1},
            {"key": "online", "name": "电子表格", "media": "electronic", "originals": 0, "copies": 0},
        ],
    )
    page = portal.get(reverse("cases:portal_apply", args=[item.pk])).content.decode()
    paper, online = material_field(item, "paper"), material_field(item, "online")
    camera = (
        f'<input type="file" class="camera-input" name="{paper}" id="id_{paper}_camera" '
        f'accept="{CAMERA_ACCEPT}" capture="environment"'
    )
    assert camera in page
    assert f'name="{online}" accept="image/*,application/pdf"' in page
    assert f'id="id_{online}_camera"' not in page and page.count('capture="environment"') == 1
    # Several files per material, the size limit for the script, a place for the previews.
    assert page.count("multiple") >= 2 and 'data-max-bytes="10485760"' in page
    assert f'data-previews-for="id_{paper}"' in page and "拍照" in page


def test_the_progress_lookup_fields_suit_a_phone_keyboard(client) -> None:
    page = client.get(reverse("cases:track")).content.decode()
    for name in ("number", "id_number"):
        field = page.split(f'name="{name}"', 1)[1].split(">", 1)[0]
        for attribute in ('autocomplete="off"', 'autocapitalize="characters"', 'spellcheck="false"'):
            assert attribute in field, (name, attribute)

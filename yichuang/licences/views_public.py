"""电子证照核验, the public page (no sign-in): by identifier — what the QR code on a licence opens — or by an
uploaded licence file (the JSON or the licence PDF, which embeds it); and the published seals with their
pictures and public keys.

The answer shows the holder's name and ID number masked, as the API does, and lookups share the per-address
limit of the public progress lookup.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from yichuang.cases import views_track
from yichuang.core.masking import mask_id_number, mask_name
from yichuang.licences.identifiers import identifier_valid
from yichuang.licences.models import Seal
from yichuang.licences.rendering import MAX_UPLOAD_BYTES, licence_document_from_upload, seal_picture_svg
from yichuang.licences.verification import Verdict, licence_verify_document, licence_verify_identifier

VERDICT_EXPLANATIONS = {
    "valid": gettext_lazy("签名与签发机关的电子印章相符，内容未被改动，证照在有效期内。"),
    "expired": gettext_lazy("签名相符、内容未被改动，但证照已超过有效期。"),
    "not_yet_valid": gettext_lazy("签名相符、内容未被改动，但证照尚未到有效期起始日期。"),
    "revoked": gettext_lazy("该证照已被签发机关注销，不再有效。"),
    "superseded": gettext_lazy("该证照已变更，这是旧版本，不再有效；请以持证人出示的新版本为准。"),
    "altered": gettext_lazy("证照内容与签发时签名的内容不一致，可能被篡改，不能作为有效证照使用。"),
    "unknown_issuer": gettext_lazy("签名与所列电子印章不符，无法确认签发机关，不能作为有效证照使用。"),
    "unknown": gettext_lazy("本平台没有这个证照标识对应的电子证照，请核对后重试。"),
}
# Green for a licence that holds, amber for one that was genuine but no longer (or not yet) holds, red else.
VERDICT_TONES = {
    "valid": "success",
    "expired": "warning",
    "not_yet_valid": "warning",
    "superseded": "warning",
}


class IdentifierForm(forms.Form):
    identifier = forms.CharField(
        label=gettext_lazy("证照标识"),
        max_length=120,
        help_text=gettext_lazy(
            "形如 1.2.156.3005.2.……，见证照上的“证照标识”；扫描证照上的二维码可直接核验。"
        ),
        error_messages={"required": gettext_lazy("请填写证照标识")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_identifier(self) -> str:
        identifier = "".join(self.cleaned_data["identifier"].split()).upper()
        if not identifier_valid(identifier):
            raise forms.ValidationError(_("证照标识格式不正确或校验位不符，请核对后重新填写"))
        return identifier


class LicenceFileForm(forms.Form):
    document = forms.FileField(
        label=gettext_lazy("电子证照文件"),
        help_text=gettext_lazy("本平台下载的电子证照 PDF 或 JSON 文件，不超过 1 MB"),
        error_messages={
            "required": gettext_lazy("请选择要核验的电子证照文件"),
            "empty": gettext_lazy("上传的文件是空的"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.json,application/pdf,application/json"}),
    )

    def clean_document(self) -> dict[str, Any]:
        upload = self.cleaned_data["document"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大：电子证照文件不超过 1 MB"))
        document = licence_document_from_upload(upload.read(MAX_UPLOAD_BYTES + 1))
        if document is None:
            raise forms.ValidationError(_("无法识别该文件：请上传本平台签发的电子证照 PDF 或 JSON 文件"))
        return document


def _result(verdict: Verdict) -> dict[str, Any]:
    licence = verdict.licence
    return {
        "status": verdict.status,
        "label": verdict.label,
        "explanation": VERDICT_EXPLANATIONS[verdict.status],
        "tone": VERDICT_TONES.get(verdict.status, "retired"),
        "licence": licence,
        "holder": mask_name(licence.holder_name) if licence else "",
        "holder_identifier": mask_id_number(licence.holder_identifier) if licence else "",
    }


def _page(
    request: HttpRequest,
    *,
    identifier_form: IdentifierForm | None = None,
    file_form: LicenceFileForm | None = None,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context["identifier_form"] = identifier_form or IdentifierForm()
    context["file_form"] = file_form or LicenceFileForm()
    return render(request, "licences/verify.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and "identifier" not in request.GET:
        return _page(request)
    if not views_track.lookup_allowed(request):
        refused = _(views_track.RATE_LIMITED_MESSAGE) % {"n": views_track.lookups_per_minute()}
        return _page(request, refused=refused, status=429)
    if request.method == "POST":
        file_form = LicenceFileForm(request.POST, request.FILES)
        if not file_form.is_valid():
            return _page(request, file_form=file_form, status=400)
        return _page(request, result=_result(licence_verify_document(file_form.cleaned_data["document"])))
    identifier_form = IdentifierForm(request.GET)
    if not identifier_form.is_valid():
        return _page(request, identifier_form=identifier_form, status=400)
    verdict = licence_verify_identifier(identifier_form.cleaned_data["identifier"])
    return _page(request, identifier_form=identifier_form, result=_result(verdict))


def _seal_state(seal: Seal, today: dt.date) -> str:
    if seal.retired_at is not None:
        return _("已停用")
    if seal.valid_until < today:
        return _("已过期")
    return _("使用中")


@require_GET
def seal_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    seals = Seal.objects.select_related("department").order_by("department__path", "-valid_from", "-pk")
    rows = [
        # The picture is built by seal_picture_svg, which escapes every name and code it writes.
        {
            "seal": seal,
            "state": _seal_state(seal, today),
            "in_use": seal.retired_at is None and seal.valid_until >= today,
            "picture": mark_safe(seal_picture_svg(seal)),
        }
        for seal in seals
    ]
    return render(request, "licences/verify_seals.html", {"rows": rows})


@require_GET
def seal_svg(request: HttpRequest, seal_id: int) -> HttpResponse:
    seal = get_object_or_404(Seal.objects.select_related("department"), pk=seal_id)
    response = HttpResponse(seal_picture_svg(seal), content_type="image/svg+xml; charset=utf-8")
    # Opened on its own, an SVG is a document: let it run and fetch nothing.
    response["Content-Security-Policy"] = "default-src 'none'"
    return response

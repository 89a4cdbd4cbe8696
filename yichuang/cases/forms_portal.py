"""Forms of the applicant portal and the public progress lookup.

Material files are checked here, by content (``uploads.case_file_prepare``), before anything is written:
a form with one refused file is shown again with the reason next to that material and no case exists.
Photos come out of the check upright, reduced and without their EXIF data, as they will be stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from yichuang.accounts.forms import ServiceErrorFormMixin
from yichuang.cases.uploads import case_file_prepare, max_upload_bytes
from yichuang.catalog.models import Material, MaterialNecessity
from yichuang.core.errors import ApplicationError
from yichuang.core.uploads import size_text

MAX_FILES_PER_MATERIAL = 10
# "image/*" lets a phone offer its camera and photo album next to its files; the server still takes only
# JPG, PNG and PDF (checked by content), and the page's script says so as soon as another kind is chosen.
SCAN_ACCEPT = "image/*,application/pdf"
# The extra input a phone opens its rear camera with (掌上办), for materials that are paper documents.
CAMERA_ACCEPT = "image/*"


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content passed the check: what the service will store."""

    name: str
    content: bytes
    original_size: int | None = None  # what the browser sent, when a photo was reduced or stripped


class MultipleScanInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": SCAN_ACCEPT, **(attrs or {})})


class ScanFilesField(forms.FileField):
    """Zero or more PDF/JPG/PNG files, each checked by its content and size."""

    widget = MultipleScanInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # The page's script warns of a too-large file (or reduces a photo) before it is sent.
        return {**super().widget_attrs(widget), "data-max-bytes": str(max_upload_bytes())}

    def clean(self, data: Any, initial: Any = None) -> list[CheckedFile]:
        uploads = [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > MAX_FILES_PER_MATERIAL:
            raise ValidationError(_("每项材料最多上传%(n)d个文件") % {"n": MAX_FILES_PER_MATERIAL})
        checked = []
        limit = max_upload_bytes()
        for upload in uploads:
            checked.append(_checked(upload, limit))
        return checked


def _checked(upload: UploadedFile, limit: int) -> CheckedFile:
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "file"
    try:
        if upload.size is not None and upload.size > limit:
            # Said without reading a huge file into memory; the service checks the size again anyway.
            raise ApplicationError(f"文件不能超过{size_text(limit)}", code="file_too_large")
        prepared = case_file_prepare(name=name, content=upload.read())
    except ApplicationError as error:
        raise ValidationError(f"{name}：{error.message}", code=error.code) from None
    return CheckedFile(name=name, content=prepared.content, original_size=prepared.original_size)


def material_field_name(material: Material) -> str:
    return f"material_{material.pk}"


def upload_required(material: Material, *, committed: bool) -> bool:
    """Online, a required material needs a file — unless an e-licence can replace it (免证办: the window
    fetches it) or the applicant commits (告知承诺) in its place."""
    if material.necessity != MaterialNecessity.REQUIRED or material.licence_type_code:
        return False
    return not (committed and material.commitment_replaceable)


class MaterialFilesMixin:
    """One file input per material, named ``material_<pk>``."""

    materials: list[Material]

    def _add_material_fields(self, materials: list[Material]) -> None:
        self.materials = materials
        for material in materials:
            self.fields[material_field_name(material)] = ScanFilesField(label=material.name)  # type: ignore[attr-defined]

    def material_files(self) -> list[tuple[Material, list[CheckedFile]]]:
        data = self.cleaned_data  # type: ignore[attr-defined]
        return [(material, data.get(material_field_name(material)) or []) for material in self.materials]

    def material_rows(self) -> list[dict[str, Any]]:
        return [
            {"material": material, "field": self[material_field_name(material)]}  # type: ignore[index]
            for material in self.materials
        ]


class ApplyForm(MaterialFilesMixin, ServiceErrorFormMixin, forms.Form):
    """在线申请: the item's materials with a file input each, an optional 告知承诺, and a hidden key that
    makes a double click one case."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    version = forms.IntegerField(widget=forms.HiddenInput)
    commit = forms.BooleanField(
        label=_("我已阅读上述告知内容，自愿作出承诺，并承担不实承诺的法律责任"), required=False
    )
    use_licences = forms.BooleanField(
        label=_("同意调取我（本单位）持有的有效电子证照替代相应材料（免证办），并授权本次办件使用"),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        *args: Any,
        materials: list[Material],
        version_id: int,
        commitment_offered: bool,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        kwargs["initial"].setdefault("version", version_id)
        super().__init__(*args, **kwargs)
        self.version_id = version_id
        self.commitment_offered = commitment_offered
        if not commitment_offered:
            del self.fields["commit"]
        self.licences_offered = any(material.licence_type_code for material in materials)
        if not self.licences_offered:
            del self.fields["use_licences"]
        self._add_material_fields(materials)

    def clean_idempotency_key(self) -> str:
        key = self.cleaned_data["idempotency_key"].strip()
        if not key.replace("-", "").isalnum():
            raise ValidationError(_("页面已过期，请刷新后重新提交"))
        return key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("version") is not None and data["version"] != self.version_id:
            raise ValidationError(_("该事项的办事指南刚刚更新，申请材料可能有变化，请核对后重新选择文件提交"))
        committed = bool(data.get("commit"))
        for material in self.materials:
            name = material_field_name(material)
            if name in data and not data[name] and upload_required(material, committed=committed):
                self.add_error(name, _("请上传“%(name)s”") % {"name": material.name})
        return data


class SupplyForm(MaterialFilesMixin, ServiceErrorFormMixin, forms.Form):
    """补正 (or 容缺补交): files for the materials the office named, and a note to the window."""

    note = forms.CharField(
        label=_("补正说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, materials: list[Material], with_note: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_note:
            del self.fields["note"]
        self._add_material_fields(materials)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(files for _material, files in self.material_files()):
            raise ValidationError(_("请至少上传一份材料；也可以携带材料到政务服务中心窗口提交"))
        return data


class WithdrawForm(ServiceErrorFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}), required=True
    )
    confirm = forms.BooleanField(
        label=_("我确认撤回该申请。撤回后本办件终止办理，如需办理须重新申请"), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("请填写撤回原因")
        self.fields["confirm"].error_messages["required"] = _("请勾选确认撤回")


class TrackForm(forms.Form):
    number = forms.CharField(label=_("办件编号"), max_length=43)
    id_number = forms.CharField(
        label=_("身份证号码或统一社会信用代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].error_messages["required"] = _("请填写办件编号")
        self.fields["id_number"].error_messages["required"] = _("请填写申请人的身份证号码或统一社会信用代码")
        # Both hold capital letters (a credit code, an ID number's final X): a text keyboard that starts in
        # capitals, no spelling correction; never remembered by the browser (a shared phone, a kiosk).
        for name in ("number", "id_number"):
            self.fields[name].widget.attrs.update(
                {
                    "autocomplete": "off",
                    "inputmode": "text",
                    "autocapitalize": "characters",
                    "spellcheck": "false",
                    "enterkeyhint": "search",
                }
            )

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()

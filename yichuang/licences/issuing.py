"""The licence a case's approval issues: for an item whose result is a licence (result type 10) of a type
the platform knows, ``case_decide(decision="approve", result={"licence": {...}})`` signs it in the same
transaction — missing data refuses the whole decision, nothing is half-written.

``result["replaces"]`` names the identifier of the applicant's licence this one changes (变更, 延续):
the new licence is its next version and the old one reads as superseded.
"""

from __future__ import annotations

from typing import Any

from yichuang.accounts.models import Applicant
from yichuang.cases import hooks
from yichuang.cases.models import Case
from yichuang.catalog.models import ItemVersion, ResultType
from yichuang.core.errors import ApplicationError
from yichuang.licences.models import Licence, LicenceStatus, LicenceType
from yichuang.licences.services import licence_issue_for_case

# Schema labels that name the holder, and those that name where he lives or does business.
_NAME_LABELS = (
    "名称",
    "姓名",
    "持证人",
    "权利人",
    "经营者",
    "业户",
    "使用单位",
    "建设单位",
    "单位名称",
    "企业名称",
)
_ADDRESS_LABELS = ("住所", "住址", "地址", "经营场所", "坐落")


def result_licence_type(version: ItemVersion) -> LicenceType | None:
    """The licence type an item version's result is, when the platform issues it."""
    if version.result_type != ResultType.LICENCE or not version.result_licence_type_code:
        return None
    return LicenceType.objects.filter(code=version.result_licence_type_code).first()


def licence_data_initial(case: Case, licence_type: LicenceType) -> dict[str, str]:
    """What the decision form starts with: the holder's name and address where the schema asks for them,
    and what the applicant already gave for the case elsewhere (a bundle's one form), by the item's label."""
    initial = holder_data_initial(case.applicant, licence_type)
    given = hooks.case_data(case)
    for item in licence_type.schema:
        if given.get(item["label"]):
            initial[item["key"]] = given[item["label"]]
    return initial


def holder_data_initial(applicant: Applicant, licence_type: LicenceType) -> dict[str, str]:
    """The data items a licence of the type takes from its holder: name, legal representative, address."""
    initial: dict[str, str] = {}
    for item in licence_type.schema:
        label = item["label"]
        if label.startswith("法定代表人") and applicant.legal_representative:
            initial[item["key"]] = applicant.legal_representative
        elif any(label.startswith(prefix) for prefix in _NAME_LABELS):
            initial[item["key"]] = applicant.name
        elif applicant.address and any(prefix in label for prefix in _ADDRESS_LABELS):
            initial[item["key"]] = applicant.address
    return initial


def replaceable_licences(case: Case, licence_type: LicenceType) -> list[Licence]:
    """The applicant's valid licences of the type, which a 变更 decision may replace."""
    return list(
        Licence.objects.filter(holder=case.applicant, licence_type=licence_type, status=LicenceStatus.VALID)
        .select_related("licence_type")
        .order_by("-issued_on", "-pk")
    )


def on_approved(*, case: Case, actor: Any, options: dict[str, Any]) -> None:
    licence_type = result_licence_type(case.item_version)
    if licence_type is None:
        return
    result = options.get("result") or {}
    data = result.get("licence")
    if not isinstance(data, dict):
        raise ApplicationError(
            f"准予决定须填写{licence_type.name}的照面信息",
            fields={"licence": ["必填"]},
            code="licence_data_missing",
        )
    previous = None
    if replaces := str(result.get("replaces") or "").strip():
        previous = next(
            (row for row in replaceable_licences(case, licence_type) if row.identifier == replaces), None
        )
        if previous is None:
            raise ApplicationError(
                "要变更的原证照不是申请人持有的有效同类证照",
                fields={"replaces": ["无效"]},
                code="wrong_previous",
            )
    licence_issue_for_case(actor=actor, case=case, licence_type=licence_type, data=data, previous=previous)


def result_form(case: Case) -> dict[str, Any] | None:
    """What the decision form asks when approving ``case`` issues a licence (``hooks.on_result_form``)."""
    licence_type = result_licence_type(case.item_version)
    if licence_type is None:
        return None
    initial = licence_data_initial(case, licence_type)
    return {
        "title": f"{licence_type.name}照面信息",
        "fields": [{**item, "initial": initial.get(item["key"], "")} for item in licence_type.schema],
        "replaces": [
            (
                row.identifier,
                f"{row.licence_type.name} {row.number}（第{row.version}版，{row.issued_on:%Y-%m-%d}）",
            )
            for row in replaceable_licences(case, licence_type)
        ],
    }

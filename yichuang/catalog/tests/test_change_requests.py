"""Change management: a department proposes, the admin decides, approval publishes an immutable version."""

from __future__ import annotations

import pytest

from yichuang.catalog import selectors, services
from yichuang.catalog.elements import version_elements
from yichuang.catalog.models import (
    ChangeRequest,
    ImmutableVersionError,
    ItemStatus,
    ItemVersion,
    Material,
    ReviewPoint,
    ServiceItem,
)
from yichuang.catalog.tests.helpers import elements, publish_item
from yichuang.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from yichuang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _propose_edit(org, item, **changes):
    return services.change_request_propose_edit(
        actor=org.user("reviewer"), item=item, elements=changes, reason="压缩承诺时限"
    )


def test_department_proposes_a_new_item_and_approval_publishes_version_one(org) -> None:
    reviewer, admin = org.user("reviewer"), org.user("admin")
    request = services.change_request_propose_create(
        actor=reviewer,
        department=org.scjg,
        item_kind="handling",
        level="4",
        basic_code="11a000100001",
        elements=elements(),
        reason="新设事项",
    )
    assert request.status == "submitted"
    assert not ServiceItem.objects.exists()  # nothing is public before approval

    version = services.change_request_approve(actor=admin, change_request=request, reason="同意")
    item = ServiceItem.objects.get()
    assert version.number == 1
    assert item.current_version == version
    assert item.basic_code == "11A000100001"
    assert item.implementation_code == f"{org.scjg.credit_code}411A000100001"
    assert version.implementation_code == item.implementation_code
    assert [m.code for m in version.materials.all()] == [
        item.implementation_code + "001",
        item.implementation_code + "002",
    ]
    assert [p.text for p in version.materials.get(key="m-apply").review_points.all()] == [
        "申请人签字或盖章",
        "经营项目与经营场所一致",
    ]
    request.refresh_from_db()
    assert (request.status, request.item, request.decided_by, request.decision_reason) == (
        "approved",
        item,
        admin,
        "同意",
    )
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "catalog.change_request.submit" in actions
    assert "catalog.item.publish" in actions
    assert "catalog.change_request.approved" in actions


def test_edit_publishes_a_new_version_and_keeps_the_old_one_readable(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    first = item.current_version
    request = _propose_edit(org, item, promised_days=3, keywords="开饭店 餐馆")
    assert request.base_version == first
    second = services.change_request_approve(actor=org.user("admin"), change_request=request)
    item.refresh_from_db()
    assert (second.number, item.current_version, second.promised_days) == (2, second, 3)
    old = selectors.item_version_get(item=item, number=1)
    assert old.promised_days == 5
    assert old.materials.count() == 2  # the old version keeps its own materials
    diff = selectors.versions_diff(item=item, from_number=1, to_number=2)
    assert {c.name: (c.old, c.new) for c in diff.fields} == {
        "promised_days": ("5", "3"),
        "keywords": ("开饭店 开餐馆 小吃店 餐饮", "开饭店 餐馆"),
    }
    assert diff.materials == []


def test_material_changes_are_matched_by_key_across_versions(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    materials = version_elements(item.current_version)["materials"]
    materials[0]["review_points"].append("申请书填写日期在30日内")
    materials[1]["necessity"] = "3"
    del materials[1]["key"]  # a material without its key is a new material …
    materials[1]["name"] = "营业执照（副本）"
    request = _propose_edit(org, item, materials=materials)
    diff = selectors.change_request_diff(change_request=request)
    statuses = {(m.name, m.status) for m in diff.materials}
    assert statuses == {
        ("食品经营许可申请书", "changed"),
        ("营业执照（副本）", "added"),
        ("营业执照", "removed"),
    }
    changed = next(m for m in diff.materials if m.status == "changed")
    assert [c.name for c in changed.changes] == ["review_points"]


def test_published_versions_materials_and_review_points_cannot_change(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    version = ItemVersion.objects.get(item=item)
    version.promised_days = 1
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    material = Material.objects.filter(version=version).first()
    material.name = "改名"
    with pytest.raises(ImmutableVersionError):
        material.save()
    point = ReviewPoint.objects.filter(material__version=version).first()
    with pytest.raises(ImmutableVersionError):
        point.delete()
    version.refresh_from_db()
    assert version.promised_days == 5


def test_reject_needs_a_reason_and_publishes_nothing(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    request = _propose_edit(org, item, promised_days=1)
    with pytest.raises(ApplicationError) as caught:
        services.change_request_reject(actor=org.user("admin"), change_request=request, reason="  ")
    assert caught.value.fields == {"reason": ["必填"]}
    rejected = services.change_request_reject(
        actor=org.user("admin"), change_request=request, reason="时限压缩依据不足"
    )
    assert (rejected.status, rejected.decision_reason) == ("rejected", "时限压缩依据不足")
    assert item.versions.count() == 1
    with pytest.raises(ConflictError):
        services.change_request_approve(actor=org.user("admin"), change_request=request)


def test_one_open_request_per_item_so_a_double_submit_creates_nothing(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    _propose_edit(org, item, promised_days=3)
    with pytest.raises(ConflictError) as caught:
        _propose_edit(org, item, promised_days=3)
    assert caught.value.code == "duplicate_request"
    assert ChangeRequest.objects.filter(item=item, kind="edit").count() == 1


def test_double_submitted_create_is_refused(org) -> None:
    kwargs = {
        "actor": org.user("reviewer"),
        "department": org.scjg,
        "item_kind": "handling",
        "level": "4",
        "basic_code": "11A000100009",
        "elements": elements(),
        "reason": "新设",
    }
    services.change_request_propose_create(**kwargs)
    with pytest.raises(ConflictError):
        services.change_request_propose_create(**kwargs)
    assert ChangeRequest.objects.count() == 1


def test_approving_a_stale_proposal_is_refused(org) -> None:
    admin = org.user("admin")
    item = publish_item(actor=admin, department=org.scjg, basic_code="11A000100001")
    stale = _propose_edit(org, item, promised_days=3)
    services.change_request_withdraw(actor=org.user("reviewer"), change_request=stale)
    newer = services.change_request_propose_edit(
        actor=org.user("chief_rep"), item=item, elements={"promised_days": 4}, reason="另一处修改"
    )
    services.change_request_approve(actor=admin, change_request=newer)
    # Re-open the stale one as if it had been submitted before the newer approval.
    ChangeRequest.objects.filter(pk=stale.pk).update(status="submitted")
    with pytest.raises(ConflictError) as caught:
        services.change_request_approve(actor=admin, change_request=stale)
    assert caught.value.code == "stale_base_version"
    assert item.versions.count() == 2


def test_an_edit_that_changes_nothing_is_refused(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    with pytest.raises(ApplicationError) as caught:
        _propose_edit(org, item, promised_days=5)
    assert caught.value.code == "no_change"


def test_invalid_proposal_is_refused_whole(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    with pytest.raises(ApplicationError) as caught:
        _propose_edit(org, item, promised_days=30)
    assert "promised_days" in caught.value.fields
    assert not ChangeRequest.objects.filter(item=item, status="submitted").exists()


def test_retirement_publishes_a_final_version_and_hides_nothing_of_the_history(org) -> None:
    admin = org.user("admin")
    item = publish_item(actor=admin, department=org.scjg, basic_code="11A000100001")
    request = services.change_request_propose_retire(
        actor=org.user("reviewer"), item=item, reason="上级取消该事项"
    )
    version = services.change_request_approve(actor=admin, change_request=request)
    item.refresh_from_db()
    assert (item.status, version.number, version.change_kind) == (ItemStatus.RETIRED, 2, "retire")
    assert version.materials.count() == 2
    with pytest.raises(ConflictError):
        _propose_edit(org, item, promised_days=3)


def test_main_item_with_active_children_cannot_be_retired(org) -> None:
    admin = org.user("admin")
    main = publish_item(
        actor=admin, department=org.scjg, basic_code="11A000100000", kind="main", name="食品经营许可"
    )
    publish_item(actor=admin, department=org.scjg, basic_code="11A000100001", parent=main)
    with pytest.raises(ConflictError) as caught:
        services.change_request_propose_retire(actor=admin, item=main, reason="合并")
    assert caught.value.code == "has_children"


def test_tree_rules_are_enforced(org) -> None:
    admin = org.user("admin")
    handling = publish_item(actor=admin, department=org.scjg, basic_code="11A000100001")
    with pytest.raises(ApplicationError) as caught:
        publish_item(actor=admin, department=org.scjg, basic_code="11A000100002", parent=handling)
    assert "parent" in caught.value.fields
    main = publish_item(
        actor=admin, department=org.scjg, basic_code="11A000100000", kind="main", name="食品经营许可"
    )
    with pytest.raises(ApplicationError) as caught:
        publish_item(actor=admin, department=org.wjw, basic_code="11A000100003", parent=main)
    assert "parent" in caught.value.fields
    with pytest.raises(ApplicationError) as caught:
        publish_item(actor=admin, department=org.scjg, basic_code="", name="无编码")
    assert "basic_code" in caught.value.fields


def test_duplicate_code_in_the_same_department_and_level_is_refused(org) -> None:
    admin = org.user("admin")
    publish_item(actor=admin, department=org.scjg, basic_code="11A000100001")
    with pytest.raises(ConflictError):
        publish_item(actor=admin, department=org.scjg, basic_code="11A000100001", name="另一个事项")
    # Another department may use the same basic code: its 实施编码 differs by the credit code.
    other = publish_item(actor=admin, department=org.wjw, basic_code="11A000100001")
    assert other.implementation_code.startswith(org.wjw.credit_code)


def test_departments_propose_only_for_their_own_items(org) -> None:
    admin = org.user("admin")
    item = publish_item(actor=admin, department=org.scjg, basic_code="11A000100001")
    with pytest.raises(PermissionDeniedError):
        services.change_request_propose_edit(
            actor=org.user("reviewer_wjw"), item=item, elements={"promised_days": 3}, reason="越权"
        )
    for role in ("clerk", "operator", "applicant", "inspector"):
        with pytest.raises(PermissionDeniedError):
            services.change_request_propose_edit(
                actor=org.user(role), item=item, elements={"promised_days": 3}, reason="越权"
            )
    # 自然资源局's reviewer may propose for 不动产中心 below it, not the other way round.
    services.change_request_propose_create(
        actor=org.user("reviewer_zrzy"),
        department=org.bdc,
        item_kind="handling",
        level="4",
        basic_code="11B000100001",
        elements=elements(name="不动产转移登记"),
        reason="新设",
    )
    with pytest.raises(PermissionDeniedError):
        services.change_request_propose_create(
            actor=org.user("reviewer_bdc"),
            department=org.zrzy,
            item_kind="handling",
            level="4",
            basic_code="11B000100002",
            elements=elements(name="建设用地规划许可"),
            reason="新设",
        )


def test_only_the_admin_decides(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    request = _propose_edit(org, item, promised_days=3)
    for role in ("reviewer", "chief_rep", "clerk", "inspector"):
        with pytest.raises(PermissionDeniedError):
            services.change_request_approve(actor=org.user(role), change_request=request)
        with pytest.raises(PermissionDeniedError):
            services.change_request_reject(actor=org.user(role), change_request=request, reason="x")
    request.refresh_from_db()
    assert request.status == "submitted"


def test_change_requests_are_visible_to_their_department_and_the_admin(org) -> None:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100001")
    request = _propose_edit(org, item, promised_days=3)
    open_only = {"status": "submitted"}
    assert list(selectors.change_request_list(actor=org.user("chief_rep"), **open_only)) == [request]
    assert list(selectors.change_request_list(actor=org.user("admin"), **open_only)) == [request]
    assert selectors.change_request_list(actor=org.user("chief_rep")).count() == 2  # with the approved create
    assert list(selectors.change_request_list(actor=org.user("reviewer_wjw"))) == []
    assert list(selectors.change_request_list(actor=org.user("applicant"))) == []

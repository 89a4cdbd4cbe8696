"""Every read of a person's full data is logged (``personal_data.read``): once per detail, reveal, API detail
asked in full or admin form; never for a list (which shows masked values); never for who is refused."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yichuang.accounts.models import Applicant
from yichuang.accounts.tests.factories import ApplicantFactory, valid_id_number
from yichuang.cases import services as cases
from yichuang.catalog.tests.helpers import publish_item
from yichuang.core.audit import audit_verify_chain
from yichuang.core.masking import mask_id_number, mask_phone
from yichuang.core.models import AuditEvent
from yichuang.core.personal_data import (
    EXPORT,
    READ,
    mask_address,
    personal_data_export,
    personal_data_read,
)
from yichuang.hotline import tickets as hotline
from yichuang.ratings import services as ratings
from yichuang.ratings.models import Channel
from yichuang.ratings.subjects import served_case
from yichuang.ratings.tests.helpers import APPLICANT_PHONE, closed_case

pytestmark = pytest.mark.django_db

PHONE = "13900001111"
ADDRESS = "海流图镇团结路8号3单元"


def _reads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=READ).order_by("seq"))


def _person(**extra: Any) -> Applicant:
    return ApplicantFactory(name="苏和", phone=PHONE, address=ADDRESS, **extra)


# ——— the service ———


def test_a_read_names_who_whose_which_fields_where_and_why_and_never_the_values(org: Any) -> None:
    applicant = _person()
    event = personal_data_read(
        actor=org.user("clerk"),
        obj=applicant,
        fields=["phone", "id_number", "phone"],
        screen="cases:staff_case",
        purpose="  核验身份  ",
        person="applicant",
    )
    assert event is not None
    event.refresh_from_db()
    assert (event.action, event.actor_label, event.object_type, event.object_id) == (
        READ,
        "clerk",
        "accounts.applicant",
        str(applicant.pk),
    )
    assert event.data == {
        "fields": ["id_number", "phone"],
        "screen": "cases:staff_case",
        "purpose": "核验身份",
        "person": "applicant",
    }
    assert applicant.id_number not in str(event.data) and PHONE not in str(event.data)
    assert audit_verify_chain().ok


def test_nothing_is_logged_when_no_field_holds_a_value(org: Any) -> None:
    assert (
        personal_data_read(actor=org.user("clerk"), fields=[], screen="x", subject_type="t", subject_id=1)
        is None
    )
    assert not AuditEvent.objects.filter(action=READ).exists()


def test_an_export_is_one_event_with_the_count_and_the_subjects(org: Any) -> None:
    event = personal_data_export(
        actor=org.user("admin"),
        subject_type="accounts.applicant",
        subject_ids=[3, 1, 2],
        fields=["phone", "id_number"],
        screen="export",
        query="kind=natural",
    )
    event.refresh_from_db()
    assert event.action == EXPORT and AuditEvent.objects.filter(action=EXPORT).count() == 1
    assert event.data["count"] == 3 and event.data["subject_ids"] == ["3", "1", "2"]
    assert event.data["fields"] == ["id_number", "phone"] and event.data["query"] == "kind=natural"


def test_an_address_is_masked_after_its_first_third() -> None:
    masked = mask_address(ADDRESS)
    assert masked.startswith("海流图") and "团结路8号" not in masked and "*" in masked
    assert mask_address("") == ""


# ——— the case page: masked, with 显示完整信息 for one case ———


def _case(org: Any, applicant: Applicant) -> Any:
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000100091")
    return cases.case_submit(actor=org.user("clerk"), item=item, applicant=applicant, channel="window")


def test_the_case_page_is_masked_and_a_reveal_is_logged_once(org: Any, client_for: Any) -> None:
    applicant = _person()
    case = _case(org, applicant)
    reviewer = client_for("reviewer")
    page = reviewer.get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert applicant.id_number not in page and PHONE not in page
    assert mask_id_number(applicant.id_number) in page and mask_phone(PHONE) in page
    assert 'data-testid="reveal-applicant"' in page
    assert _reads() == []  # the masked page reads nothing

    url = reverse("cases:staff_applicant_full", args=[case.pk])
    response = reviewer.post(url, {"purpose": "电话联系补正"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert applicant.id_number in fragment and PHONE in fragment and ADDRESS in fragment
    assert "<html" not in fragment  # the htmx fragment, not a page
    (event,) = _reads()
    assert (event.actor_label, event.object_type, event.object_id) == (
        "reviewer",
        "accounts.applicant",
        str(applicant.pk),
    )
    assert event.data == {
        "fields": ["address", "id_number", "phone"],
        "screen": "cases:staff_applicant_full",
        "purpose": "电话联系补正",
        "person": "applicant",
    }
    # Without htmx the same reveal is a page of its own, and logged again.
    assert "<html" in reviewer.post(url).content.decode()
    assert len(_reads()) == 2


def test_opening_a_material_file_is_logged_per_file(org: Any, client_for: Any) -> None:
    from yichuang.cases.uploads import case_file_upload

    applicant = _person()
    case = _case(org, applicant)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    stored = case_file_upload(actor=org.user("clerk"), case=case, name="身份证.pdf", content=pdf)
    url = reverse("cases:staff_file", args=[case.pk, stored.pk])
    response = client_for("reviewer").get(url, {"purpose": "核对身份"})
    assert response.status_code == 200 and bytes(response.content) == bytes(stored.data)
    (event,) = _reads()
    assert (event.object_type, event.object_id) == ("accounts.applicant", str(applicant.pk))
    assert event.data == {
        "fields": [f"case_file:{stored.pk}"],
        "screen": "cases:staff_file",
        "purpose": "核对身份",
        "person": "applicant",
    }
    # Someone who may not see the case gets nothing, and nothing is logged.
    assert client_for("reviewer_wjw").get(url).status_code in (403, 404)
    assert len(_reads()) == 1


def test_a_reveal_outside_the_scope_or_by_get_is_refused_and_logs_nothing(org: Any, client_for: Any) -> None:
    case = _case(org, _person())
    url = reverse("cases:staff_applicant_full", args=[case.pk])
    assert client_for("reviewer_wjw").post(url).status_code == 404  # another department's case
    assert client_for("applicant").post(url).status_code == 403
    assert client_for("reviewer").get(url).status_code == 405
    assert Client().post(url).status_code == 302  # to the login page
    assert _reads() == []


# ——— the hotline ticket: the caller as the job needs him ———


def _ticket(org: Any, **extra: Any) -> Any:
    ticket = hotline.ticket_intake(
        actor=org.user("operator"),
        channel="phone",
        nature="complaint",
        content="幸福里小区3号楼电梯停运两周，物业一直不修。",
        caller_name="王秀兰",
        caller_phone=PHONE,
        division_code="150824",
        **extra,
    )
    return hotline.ticket_dispatch(ticket=ticket, actor=org.user("operator"), lead=org.zjj)


def test_the_hotline_ticket_logs_the_caller_shown_in_full(org: Any, client_for: Any) -> None:
    ticket = _ticket(org)
    url = reverse("hotline:ticket_detail", args=[ticket.pk])
    assert client_for("operator").get(url).status_code == 200
    (office,) = _reads()
    assert (office.actor_label, office.object_type, office.object_id) == (
        "operator",
        "hotline.hotlineticket",
        str(ticket.pk),
    )
    assert office.data["fields"] == ["caller_name", "caller_phone"] and office.data["person"] == "caller"
    # The lead department sees the phone (to call back) but the name masked: only the phone is read.
    page = client_for("handler").get(url).content.decode()
    assert PHONE in page and "王秀兰" not in page
    assert [event.data["fields"] for event in _reads()] == [["caller_name", "caller_phone"], ["caller_phone"]]
    # The office's lists show no caller and log nothing.
    client_for("operator").get(reverse("hotline:office"))
    assert len(_reads()) == 2


def test_a_confidential_caller_is_masked_and_not_logged_for_the_department(org: Any, client_for: Any) -> None:
    ticket = _ticket(org, confidential=True)
    page = client_for("handler").get(reverse("hotline:ticket_detail", args=[ticket.pk])).content.decode()
    assert PHONE not in page and mask_phone(PHONE) in page
    assert _reads() == []


# ——— the rater of a bad rating ———


def test_the_rater_is_logged_only_when_shown_in_full(org: Any, client_for: Any) -> None:
    case = closed_case(org)
    evaluation = ratings.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=1)
    url = reverse("ratings:rectification_detail", args=[evaluation.rectification.pk])
    assert client_for("inspector").get(url).status_code == 200  # masked for the inspector
    assert client_for("reviewer_wjw").get(url).status_code == 404
    assert _reads() == []
    page = client_for("reviewer").get(url).content.decode()
    assert APPLICANT_PHONE in page
    (event,) = _reads()
    assert (event.object_type, event.object_id) == ("ratings.evaluation", str(evaluation.pk))
    assert event.data["person"] == "rater" and "rater_phone" in event.data["fields"]
    # The API detail logs the same way.
    api = client_for("reviewer").get(f"/api/v1/ratings/rectifications/{evaluation.rectification.pk}")
    assert api.status_code == 200 and api.json()["rater"]["full"] is True
    assert len(_reads()) == 2


# ——— the applicant API: lists masked, a detail in full only when asked ———


def test_the_applicant_api_masks_lists_and_logs_a_full_detail(org: Any, client_for: Any) -> None:
    applicant = _person()
    clerk = client_for("clerk")
    rows = clerk.get("/api/v1/applicants").json()
    (row,) = [r for r in rows if r["id"] == applicant.pk]
    assert row["identifier"] == mask_id_number(applicant.id_number) and row["phone"] == mask_phone(PHONE)
    assert row["address"] == mask_address(ADDRESS) and row["full"] is False
    detail = clerk.get(f"/api/v1/applicants/{applicant.pk}").json()
    assert detail["identifier"] == mask_id_number(applicant.id_number)
    assert _reads() == []

    full = clerk.get(f"/api/v1/applicants/{applicant.pk}?full=true&purpose=窗口核验").json()
    assert (full["identifier"], full["phone"], full["address"], full["full"]) == (
        applicant.id_number,
        PHONE,
        ADDRESS,
        True,
    )
    (event,) = _reads()
    assert (event.actor_label, event.object_id) == ("clerk", str(applicant.pk))
    assert event.data["fields"] == ["address", "id_number", "phone"] and event.data["purpose"] == "窗口核验"

    # The hotline operator may not see applicants at all: out of scope reads as not found.
    assert client_for("operator").get(f"/api/v1/applicants/{applicant.pk}?full=true").status_code == 404
    assert len(_reads()) == 1


def test_an_applicant_reading_his_own_record_in_full_is_not_a_staff_read(org: Any, client_for: Any) -> None:
    applicant = _person(user=org.user("applicant"))
    response = client_for("applicant").get(f"/api/v1/applicants/{applicant.pk}?full=true")
    assert response.status_code == 200 and response.json()["identifier"] == applicant.id_number
    assert _reads() == []


# ——— the Django admin ———


def test_opening_an_applicant_in_the_admin_is_logged_and_the_list_is_not(org: Any, client_for: Any) -> None:
    applicant = _person()
    admin = client_for("admin")
    assert admin.get(reverse("admin:accounts_applicant_changelist")).status_code == 200
    assert _reads() == []
    response = admin.get(reverse("admin:accounts_applicant_change", args=[applicant.pk]))
    assert response.status_code == 200
    (event,) = _reads()
    assert (event.actor_label, event.object_type, event.object_id) == (
        "admin",
        "accounts.applicant",
        str(applicant.pk),
    )
    assert event.data["fields"] == ["address", "id_number", "phone"]
    assert event.data["screen"] == "admin:accounts_applicant_change"
    # Not the admin role: redirected to the admin login, nothing read.
    assert (
        client_for("clerk").get(reverse("admin:accounts_applicant_change", args=[applicant.pk])).status_code
        == 302
    )
    assert len(_reads()) == 1


# ——— a licence of a natural person ———


def test_a_natural_holders_licence_detail_and_pdf_are_logged(org: Any, client_for: Any) -> None:
    from yichuang.licences.tests.helpers import issue_marriage_certificate

    holder = _person(id_number=valid_id_number(birth="19900101"))
    with time_machine.travel("2026-06-01 10:00+08:00", tick=False):
        licence = issue_marriage_certificate(org, holder)
    reviewer = client_for("reviewer")
    assert reviewer.get(reverse("licences:staff_detail", args=[licence.pk])).status_code == 200
    assert reviewer.get(reverse("licences:staff_pdf", args=[licence.pk])).status_code == 200
    events = _reads()
    assert [(e.object_type, e.object_id, e.data["fields"]) for e in events] == [
        ("licences.licence", str(licence.pk), ["holder_identifier"])
    ] * 2
    assert [e.data["screen"] for e in events] == ["licences:staff_detail", "licences:staff_pdf"]


# ——— who read whose data: the audit screen ———


def test_the_audit_screen_filters_reads_by_action_actor_and_subject(org: Any, client_for: Any) -> None:
    first, second = _person(), _person(id_number=valid_id_number(birth="19850505"))
    for applicant in (first, second):
        personal_data_read(
            actor=org.user("clerk"), obj=applicant, fields=["id_number"], screen="s", purpose="核验身份"
        )
    personal_data_read(actor=org.user("reviewer"), obj=first, fields=["phone"], screen="s")
    inspector = client_for("inspector")
    page = inspector.get(
        "/audit/", {"action": "personal_data.", "object_type": "accounts.applicant", "object_id": first.pk}
    ).content.decode()
    assert page.count('data-testid="personal-data-read"') == 2 and "核验身份" in page
    page = inspector.get("/audit/", {"action": "personal_data.", "actor": "reviewer"}).content.decode()
    assert page.count('data-testid="personal-data-read"') == 1
    assert client_for("clerk").get("/audit/").status_code == 403


# ——— a bundle's one form ———


def test_the_bundle_desk_logs_the_personal_fields_of_the_one_form(org: Any, client_for: Any) -> None:
    from yichuang.bundles.tests.helpers import FORM, MONDAY, apply, citizen, restaurant

    with time_machine.travel(MONDAY, tick=False):
        bundle, _items = restaurant(org)
        application = apply(org, bundle, citizen(org))
        url = reverse("bundles:desk_detail", args=[application.pk])
        assert client_for("applicant").get(url).status_code == 404
        # A department none of whose items is in the bundle sees none of the form's fields: nothing read.
        wjw = client_for("reviewer_wjw").get(url).content.decode()
        assert FORM["applicant_id_number"] not in wjw
        assert _reads() == []
        page = client_for("clerk").get(url).content.decode()
    assert FORM["applicant_id_number"] in page and FORM["applicant_phone"] in page
    (event,) = _reads()
    assert (event.object_type, event.object_id) == ("bundles.bundleapplication", str(application.pk))
    # The shop's business address is not a person's: only the ID number and the phone count.
    assert event.data["fields"] == ["applicant_id_number", "applicant_phone"]

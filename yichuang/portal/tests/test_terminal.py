"""The self-service terminal on the server: taking a number, the case lookup (number + ID number, one answer
for every miss, failures limited per terminal, reads audited), printing (audited, the case closed behind it,
the PDF only in the print view), booking, and the end of a visit (end, timeout, expiry, start screen)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.audit import audit_verify_chain
from yichuang.core.errors import ApplicationError, NotFoundError
from yichuang.core.masking import mask_id_number
from yichuang.core.models import AuditEvent
from yichuang.hall import selectors as hall_selectors
from yichuang.hall.models import Appointment, AppointmentStatus, Hall, Ticket, TicketSource
from yichuang.hall.tests.helpers import MONDAY
from yichuang.licences.rendering import licence_document_from_upload
from yichuang.portal import services
from yichuang.portal import session as terminal_session
from yichuang.portal.services import TerminalActor
from yichuang.portal.tests.helpers import PERSON_NAME, PERSON_PHONE

pytestmark = pytest.mark.django_db

NOT_FOUND = "未找到与办件编号和证件号码相符的办件，请核对后重试"
CODE = "150824-ZWFWZX"


def url(name: str, *args: Any) -> str:
    return reverse(f"portal:{name}", args=[CODE, *args])


def lookup(client: Client, number: str, identifier: str, **extra: Any) -> Any:
    return client.post(url("terminal_lookup"), {"number": number, "id_number": identifier, **extra})


def no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


# ——— the start screen and the hall ———


def test_the_terminal_root_opens_the_only_hall(client: Client, setup: Any) -> None:
    response = client.get("/terminal/")
    assert response.status_code == 302 and response.url == url("terminal_start")


def test_several_halls_are_listed_to_choose_from(client: Client, setup: Any, org: Any) -> None:
    Hall.objects.create(
        code="150824-HLTZ",
        name="海流图镇便民服务中心",
        department=org.centre,
        opens_at="09:00",
        closes_at="17:00",
    )
    page = client.get("/terminal/").content.decode()
    assert url("terminal_start") in page and "/terminal/150824-HLTZ/" in page
    assert client.get("/terminal/no-such-hall/").status_code == 404


def test_the_start_screen_offers_the_four_services_and_both_languages(client: Client, setup: Any) -> None:
    response = client.get(url("terminal_start"))
    page = response.content.decode()
    assert response.status_code == 200 and no_store(response)
    assert '<html lang="zh-Hans"' in page
    for name in ("terminal_ticket", "terminal_lookup", "terminal_appointment"):
        assert f'href="{url(name)}' in page
    assert f'href="{url("terminal_lookup")}?purpose=print"' in page
    assert 'href="?lang=zh-hans"' in page and 'href="?lang=mn-mong"' in page
    assert 'lang="mn-Mong"' in page and "ᠮᠣᠩᠭᠣᠯ" in page
    assert 'data-idle="off"' in page  # nothing to time out on the start screen

    mongolian = client.get(url("terminal_start") + "?lang=mn-mong")
    assert '<html lang="mn-Mong"' in mongolian.content.decode()
    assert 'aria-current="true"' in mongolian.content.decode().split("terminal-lang-mn-mong")[1][:40]
    # The language sticks to the terminal's following screens.
    assert '<html lang="mn-Mong"' in client.get(url("terminal_lookup")).content.decode()


# ——— 取号 ———


def test_a_number_is_taken_and_its_slip_shown_to_this_terminal_only(client: Client, setup: Any) -> None:
    form = client.get(url("terminal_ticket"))
    assert form.status_code == 200 and no_store(form)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', form.content.decode()).group(1)
    data = {"category": setup.general.pk, "idempotency_key": key, "priority": ""}
    response = client.post(url("terminal_ticket"), data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == url("terminal_ticket_done", ticket.pk)
    assert (ticket.number, ticket.source, ticket.user_id) == ("A001", TicketSource.KIOSK, None)

    # A double tap sends the same form again: the same ticket, no second number.
    again = client.post(url("terminal_ticket"), data)
    assert again.url == url("terminal_ticket_done", ticket.pk) and Ticket.objects.count() == 1

    slip = client.get(response.url)
    page = slip.content.decode()
    assert slip.status_code == 200 and no_store(slip)
    assert 'data-testid="terminal-ticket-number">A001<' in page and "<svg" in page
    token = hall_selectors.ticket_token(ticket.pk)
    assert slip.context["status_url"].endswith(reverse("hall:ticket_status", args=[ticket.pk, token]))

    # Another terminal (session) does not see it.
    other = Client().get(response.url)
    assert other.status_code == 302 and other.url == url("terminal_ticket")


def test_a_refused_number_is_explained_on_the_terminal(client: Client, setup: Any) -> None:
    data = {"category": setup.general.pk, "phone": "12345", "idempotency_key": "k-1"}
    response = client.post(url("terminal_ticket"), data)
    page = response.content.decode()
    assert response.status_code == 400 and "请输入11位手机号码" in page and not Ticket.objects.exists()
    assert 'autocomplete="off"' in page.split('name="phone"')[1].split(">")[0]


# ——— 办件进度查询 ———


def test_the_lookup_form_keeps_nothing_for_the_next_person(client: Client, setup: Any) -> None:
    response = client.get(url("terminal_lookup"))
    page = response.content.decode()
    assert response.status_code == 200 and no_store(response)
    assert '<form method="post"' in page and 'autocomplete="off" novalidate' in page
    for name in ("number", "id_number"):
        tag = page.split(f'name="{name}"')[1].split(">")[0]
        assert 'autocomplete="off"' in tag and "data-osk" in tag


def test_a_matching_number_and_id_show_the_progress_in_plain_words(
    client: Client, setup: Any, cases: Any, org: Any
) -> None:
    case, person = cases.accepted, cases.person
    response = lookup(client, case.number.lower(), person.id_number.lower())
    assert response.status_code == 302 and response.url == url("terminal_case")
    assert client.session[terminal_session.CASE_KEY]["case"] == case.pk

    shown = client.get(response.url)
    page = shown.content.decode()
    assert shown.status_code == 200 and no_store(shown)
    assert case.number in page and "已受理" in page and "已受理，等待主管部门审查" in page
    assert "您的申请已收到" in page and "窗口已受理，开始计算办理时限" in page
    assert "乌****" in page and PERSON_NAME not in page
    assert person.id_number not in page and PERSON_PHONE not in page
    assert "市场监管局" in page and "食品经营许可" in page
    assert org.user("clerk").full_name not in page  # staff are never named
    # The documents it may print: its 受理通知书.
    notice = case.notices.get()
    assert f'data-testid="terminal-print-notice-{notice.pk}"' in page and "受理通知书" in page

    viewed = events("terminal.case_viewed")
    assert len(viewed) == 1 and viewed[0].object_id == str(case.pk) and viewed[0].actor_id is None
    assert viewed[0].actor_label.startswith(f"自助终端 {CODE}") and viewed[0].data["number"] == case.number


def test_a_company_is_looked_up_by_its_credit_code_and_a_scanned_qr_works(
    client: Client, setup: Any, cases: Any
) -> None:
    scanned = f"http://127.0.0.1:8000/track/?number={cases.approved.number}"
    response = lookup(client, scanned, cases.company.credit_code)
    assert response.url == url("terminal_case")
    page = client.get(response.url).content.decode()
    assert "审查通过，正在制作办理结果" in page and "草*********" in page
    licence = cases.approved.licences.get()
    assert f'data-testid="terminal-print-licence-{licence.pk}"' in page and "食品经营许可证" in page


def test_a_wrong_id_and_an_unknown_number_get_the_same_neutral_answer(
    client: Client, setup: Any, cases: Any
) -> None:
    other_id = cases.company.credit_code
    wrong_id = lookup(client, cases.accepted.number, other_id)
    unknown = lookup(client, cases.accepted.number[:-4] + "9999", cases.person.id_number)
    for response in (wrong_id, unknown):
        page = response.content.decode()
        assert response.status_code == 200 and NOT_FOUND in page
        assert 'data-testid="terminal-not-found"' in page
        assert terminal_session.CASE_KEY not in client.session
    # The typed ID number is not sent back into the page; the number is kept for a retry.
    assert other_id not in wrong_id.content.decode() and cases.accepted.number in wrong_id.content.decode()
    failed = events("terminal.case_lookup_failed")
    assert [event.data["failures"] for event in failed] == [1, 2]
    assert not events("terminal.case_viewed")


def test_failures_are_limited_per_terminal(client: Client, setup: Any, cases: Any, clock: Any) -> None:
    for _ in range(5):
        assert lookup(client, cases.accepted.number, "110101199003077777").status_code == 200
    # Now even the right answer is refused, at this terminal; another terminal is not affected.
    refused = lookup(client, cases.accepted.number, cases.person.id_number)
    page = refused.content.decode()
    assert refused.status_code == 429 and "请稍后再试" in page and "约10分钟" in page
    assert terminal_session.CASE_KEY not in client.session
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert lookup(elsewhere, cases.accepted.number, cases.person.id_number).status_code == 302
    assert len(events("terminal.case_lookup_failed")) == 5  # refusals are not even checked

    clock.shift(9 * 60)
    assert "约1分钟" in lookup(client, cases.accepted.number, cases.person.id_number).content.decode()
    clock.shift(61)
    assert lookup(client, cases.accepted.number, cases.person.id_number).status_code == 302


def test_an_incomplete_lookup_is_explained_and_not_counted(client: Client, setup: Any) -> None:
    response = lookup(client, "", "")
    page = response.content.decode()
    assert response.status_code == 400 and "请输入办件编号" in page and "请输入申请人的身份证号码" in page
    assert not events("terminal.case_lookup_failed")


# ——— 打印 ———


def test_printing_a_notice_is_audited_and_ends_the_case_view(client: Client, setup: Any, cases: Any) -> None:
    lookup(client, cases.accepted.number, cases.person.id_number)
    notice = cases.accepted.notices.get()
    opened = client.post(url("terminal_print_open"), {"kind": "notice", "pk": notice.pk})
    assert opened.status_code == 302 and opened.url == url("terminal_print")
    printed = events("terminal.print")
    assert len(printed) == 1
    assert (printed[0].object_type, printed[0].object_id) == ("cases.casenotice", str(notice.pk))
    assert printed[0].data["case"] == cases.accepted.number and printed[0].data["title"] == "受理通知书"

    # The case is closed behind the print: its page and its other documents are no longer reachable.
    assert client.get(url("terminal_case")).url == url("terminal_lookup") + "?expired=1"
    assert terminal_session.CASE_KEY not in client.session

    view = client.get(url("terminal_print"))
    page = view.content.decode()
    assert view.status_code == 200 and no_store(view)
    assert (
        f'src="{url("terminal_print_pdf")}#toolbar=0&amp;navpanes=0&amp;view=FitH"' in page
        and "data-print-document" in page
    )
    pdf = client.get(url("terminal_print_pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and no_store(pdf)
    assert pdf.content.startswith(b"%PDF") and pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert pdf["Content-Disposition"].startswith("inline")

    # A second tap on the same button: the same print view, not a second print.
    again = client.post(url("terminal_print_open"), {"kind": "notice", "pk": notice.pk})
    assert again.url == url("terminal_print") and len(events("terminal.print")) == 1

    # After printing the script ends the visit: the PDF is gone too.
    ended = client.post(url("terminal_end"), {"reason": "printed"}, HTTP_X_TERMINAL="fetch")
    assert ended.status_code == 204
    assert client.get(url("terminal_print_pdf")).status_code == 404
    assert client.get(url("terminal_print")).url == url("terminal_lookup") + "?expired=1"
    assert events("terminal.session_ended")[-1].data["reason"] == "printed"
    assert audit_verify_chain().ok


def test_printing_the_cases_licence(client: Client, setup: Any, cases: Any) -> None:
    lookup(client, cases.approved.number, cases.company.credit_code)
    licence = cases.approved.licences.get()
    client.post(url("terminal_print_open"), {"kind": "licence", "pk": licence.pk})
    event = events("terminal.print")[-1]
    assert (event.object_type, event.object_id) == ("licences.licence", str(licence.pk))
    assert event.data["reference"] == licence.number
    pdf = client.get(url("terminal_print_pdf"))
    assert pdf.content.startswith(b"%PDF")
    embedded = licence_document_from_upload(pdf.content)  # the licence file travels inside its PDF
    assert embedded is not None and embedded["digest"] == licence.digest


def test_only_the_verified_cases_documents_print(client: Client, setup: Any, cases: Any) -> None:
    lookup(client, cases.accepted.number, cases.person.id_number)
    others = cases.approved.notices.first()
    licence = cases.approved.licences.get()
    refused = client.post(url("terminal_print_open"), {"kind": "notice", "pk": others.pk})
    page = refused.content.decode()
    assert refused.status_code == 404 and no_store(refused)
    # On a terminal screen (the way back and the idle timeout), not the site's error page.
    assert 'data-testid="terminal-error">未找到该文书或证照<' in page and 'data-idle="on"' in page
    assert 'data-testid="terminal-end"' in page
    assert client.post(url("terminal_print_open"), {"kind": "licence", "pk": licence.pk}).status_code == 404
    assert client.post(url("terminal_print_open"), {"kind": "other", "pk": "x"}).status_code == 404
    assert not events("terminal.print")
    # Without a verified case nothing opens at all.
    fresh = Client()
    response = fresh.post(url("terminal_print_open"), {"kind": "notice", "pk": others.pk})
    assert response.url == url("terminal_lookup") + "?expired=1"
    assert fresh.get(url("terminal_print_pdf")).status_code == 404


# ——— the end of a visit ———


def test_the_verified_case_expires_on_its_own(client: Client, setup: Any, cases: Any, clock: Any) -> None:
    lookup(client, cases.accepted.number, cases.person.id_number)
    clock.shift(179)
    assert client.get(url("terminal_case")).status_code == 200
    clock.shift(2)
    response = client.get(url("terminal_case"))
    assert response.url == url("terminal_lookup") + "?expired=1"
    assert "上次查询已结束" in client.get(response.url).content.decode()


def test_the_timeout_endpoint_clears_the_session(client: Client, setup: Any, cases: Any) -> None:
    lookup(client, cases.accepted.number, cases.person.id_number)
    response = client.post(url("terminal_end"), {"reason": "timeout"}, HTTP_X_TERMINAL="fetch")
    assert response.status_code == 204
    assert not terminal_session.state_held(client.session)
    assert client.get(url("terminal_case")).url == url("terminal_lookup") + "?expired=1"
    ended = events("terminal.session_ended")
    assert len(ended) == 1 and ended[0].data["reason"] == "timeout"
    assert ended[0].data["held"] == [terminal_session.CASE_KEY]
    # 结束 without script: back to the start; an empty visit leaves no event.
    assert client.post(url("terminal_end")).url == url("terminal_start") + "?lang=zh-hans&visit=new"
    assert len(events("terminal.session_ended")) == 1


def test_the_next_visit_starts_in_the_terminals_language_and_look(
    client: Client, setup: Any, settings: Any
) -> None:
    client.get(url("terminal_start") + "?lang=mn-mong")
    client.cookies["yichuang_a11y"] = "large.contrast"
    page = client.get(url("terminal_lookup")).content.decode()
    assert '<html lang="mn-Mong"' in page and "a11y-large" in page
    # Every screen's way home (完成, the idle timeout, 结束) is the start of a new visit.
    start = url("terminal_start") + "?lang=zh-hans&amp;visit=new"
    assert f'data-start-url="{start}"' in page
    response = client.get(url("terminal_start"), {"lang": "zh-hans", "visit": "new"})
    page = response.content.decode()
    assert '<html lang="zh-Hans"' in page and "a11y-large" not in page and "a11y-contrast" not in page
    assert (
        response.cookies["yichuang_a11y"].value == ""
        and response.cookies["django_language"].value == "zh-hans"
    )
    assert '<html lang="zh-Hans"' in client.get(url("terminal_lookup")).content.decode()
    # A terminal set up for Mongolian starts every visit in Mongolian; choosing a language keeps the look.
    settings.YICHUANG_TERMINAL_LANGUAGE = "mn-mong"
    client.cookies["yichuang_a11y"] = "large"
    page = client.get(url("terminal_start") + "?lang=zh-hans").content.decode()
    assert "a11y-large" in page and "?lang=mn-mong&amp;visit=new" in page


def test_the_start_screen_forgets_the_last_visit(client: Client, setup: Any, cases: Any) -> None:
    lookup(client, cases.accepted.number, cases.person.id_number)
    client.get(url("terminal_start"))
    assert not terminal_session.state_held(client.session)
    assert events("terminal.session_ended")[-1].data["reason"] == "start"


def test_the_end_needs_a_post_and_csrf(setup: Any) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(url("terminal_end")).status_code == 405
    assert strict.post(url("terminal_end")).status_code == 403


# ——— 预约 ———


def test_booking_step_by_step(client: Client, setup: Any) -> None:
    base = url("terminal_appointment")
    page = client.get(base).content.decode()
    assert f'href="?category={setup.general.pk}"' in page and "请选择要预约的业务" in page
    page = client.get(f"{base}?category={setup.general.pk}").content.decode()
    assert "请选择日期" in page and f"day={MONDAY.isoformat()}" in page and "11月23日 周一" in page
    page = client.get(f"{base}?category={setup.general.pk}&day={MONDAY.isoformat()}").content.decode()
    assert "请选择时段" in page and "09:00—10:00" in page and "starts_at=10%3A00" in page
    details = client.get(f"{base}?category={setup.general.pk}&day={MONDAY.isoformat()}&starts_at=10:00")
    page = details.content.decode()
    assert "请填写预约人信息" in page and "综合受理 · 11月23日 周一 · 10:00—11:00" in page
    for name in ("holder_name", "id_number", "phone"):
        assert 'autocomplete="off"' in page.split(f'name="{name}"')[1].split(">")[0]
    # Another hall's category is not offered here.
    assert "请选择要预约的业务" in client.get(f"{base}?category=999999").content.decode()


ID_NUMBER = valid_id_number()


def booking(setup: Any, **extra: Any) -> dict[str, Any]:
    data = {
        "category": setup.general.pk,
        "day": MONDAY.isoformat(),
        "starts_at": "10:00",
        "holder_name": "张三丰",
        "id_number": ID_NUMBER,
        "phone": "13812345678",
        "idempotency_key": "terminal-key-1",
    }
    return {**data, **extra}


def test_a_booking_is_made_once_and_shown_with_its_code_and_qr(client: Client, setup: Any) -> None:
    response = client.post(url("terminal_appointment"), booking(setup))
    assert response.status_code == 302 and response.url == url("terminal_appointment_done")
    again = client.post(url("terminal_appointment"), booking(setup))  # a double tap
    assert again.url == url("terminal_appointment_done")
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.user_id is None
    assert appointment.slot.booked == 1
    booked = events("hall.appointment_booked")
    assert (
        len(booked) == 1 and booked[0].actor_label.startswith("自助终端") and booked[0].data["by"] == "desk"
    )

    done = client.get(response.url)
    page = done.content.decode()
    assert done.status_code == 200 and no_store(done)
    assert f'data-testid="terminal-booking-code">{appointment.code}<' in page and "<svg" in page
    assert mask_id_number(ID_NUMBER) in page and "138****5678" in page and "张**" in page
    assert ID_NUMBER not in page and "13812345678" not in page
    # Only the terminal session that booked sees it.
    assert Client().get(response.url).url == url("terminal_appointment")


def test_a_refused_booking_is_explained_and_books_nothing(client: Client, setup: Any) -> None:
    response = client.post(url("terminal_appointment"), booking(setup, id_number=ID_NUMBER[:-1] + "Y"))
    assert response.status_code == 400 and not Appointment.objects.exists()
    assert 'data-field="id_number"' in response.content.decode()
    client.post(url("terminal_appointment"), booking(setup, starts_at="09:00", idempotency_key="a"))
    full = client.post(
        url("terminal_appointment"),
        booking(setup, starts_at="09:00", idempotency_key="b", id_number=valid_id_number()),
    )
    page = full.content.decode()
    assert (
        full.status_code == 400
        and "该时段不可预约" in page
        and 'data-testid="terminal-booking-error"' in page
    )
    assert Appointment.objects.count() == 1


# ——— the services on their own ———


def test_the_terminal_actor_may_book_for_others_and_nothing_else() -> None:
    terminal = TerminalActor(hall_code=CODE, address="10.1.2.3")
    assert terminal.has_capability("hall.issue")
    for capability in ("hall.book", "hall.serve", "case.intake", "applicant.view", "licence.issue"):
        assert not terminal.has_capability(capability)
    assert terminal.pk is None and str(terminal) == f"自助终端 {CODE} 10.1.2.3"


def test_verification_is_refused_while_the_terminal_is_locked(setup: Any, cases: Any, settings: Any) -> None:
    settings.YICHUANG_TERMINAL_LOOKUP_FAILURES = 2
    terminal = TerminalActor(hall_code=CODE, address="10.1.2.3")
    for _ in range(2):
        with pytest.raises(NotFoundError) as caught:
            services.terminal_case_verify(terminal=terminal, number="X", identifier=cases.person.id_number)
        assert caught.value.message == NOT_FOUND
    with pytest.raises(services.LookupLockedError) as locked:
        services.terminal_case_verify(
            terminal=terminal, number=cases.accepted.number, identifier=cases.person.id_number
        )
    assert locked.value.status == 429 and locked.value.code == "terminal_lookup_locked"
    assert 0 < locked.value.wait_seconds <= 600
    other = TerminalActor(hall_code=CODE, address="10.1.2.4")
    found = services.terminal_case_verify(
        terminal=other, number=cases.accepted.number, identifier=cases.person.id_number
    )
    assert found == cases.accepted


def test_a_terminal_books_only_in_its_own_hall(setup: Any, org: Any) -> None:
    other = Hall.objects.create(
        code="150824-HLTZ",
        name="海流图镇便民服务中心",
        department=org.centre,
        opens_at="09:00",
        closes_at="17:00",
    )
    terminal = TerminalActor(hall_code=other.code, address="10.1.2.3")
    with pytest.raises(ApplicationError) as caught:
        services.terminal_appointment_book(
            terminal=terminal,
            hall=other,
            category=setup.general,
            day=MONDAY,
            starts_at="10:00",
            holder_name="张三丰",
            id_number=ID_NUMBER,
            phone="13812345678",
            idempotency_key=None,
        )
    assert caught.value.fields == {"category": ["请选择本大厅的业务"]} and not Appointment.objects.exists()

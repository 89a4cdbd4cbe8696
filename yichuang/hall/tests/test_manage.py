"""大厅管理: the admin sees halls, queues, windows and tidal rules; the window log lists the tidal changes;
edits in the system admin are audited; nobody else gets in."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from yichuang.core.models import AuditEvent
from yichuang.hall import tickets
from yichuang.hall.models import TicketSource
from yichuang.hall.tests.helpers import MONDAY, at, make_hall
from yichuang.hall.tidal import tidal_evaluate

pytestmark = pytest.mark.django_db


def test_admin_sees_the_hall_and_the_tidal_log(org: Any, client_for: Any) -> None:
    setup = make_hall(org)
    with time_machine.travel(at(MONDAY, 9, 0), tick=False):
        for _ in range(6):
            tickets.ticket_issue(hall=setup.hall, category=setup.general, source=TicketSource.KIOSK)
        tidal_evaluate(hall_id=setup.hall.pk)
        admin = client_for("admin")
        page = admin.get("/hall/manage/")
        log = admin.get("/hall/manage/log/?kind=tidal")
    assert page.status_code == 200
    text = page.content.decode()
    assert "乌拉特中旗政务服务中心" in text and "延时服务至" in text and "潮汐开放" in text
    assert "≥6人或≥30分钟开放" in text
    assert log.status_code == 200 and 'data-kind="tidal_opened"' in log.content.decode()
    assert "达到开放阈值" in log.content.decode()


def test_others_are_refused(org: Any, client_for: Any) -> None:
    make_hall(org)
    assert client_for("clerk").get("/hall/manage/").status_code == 403
    assert client_for("applicant").get("/hall/manage/log/").status_code == 403


def test_admin_edits_are_audited(org: Any, client_for: Any) -> None:
    setup = make_hall(org)
    admin = client_for("admin")
    response = admin.post(
        f"/admin/hall/tidalrule/{setup.general.tidal_rule.pk}/change/",
        {
            "category": setup.general.pk,
            "open_waiting": 10,
            "open_wait_minutes": 40,
            "close_waiting": 2,
            "close_wait_minutes": 10,
            "min_open_minutes": 30,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="hall.tidalrule_changed")
    assert event.data["fields"] == ["open_wait_minutes", "open_waiting", "close_waiting"] or set(
        event.data["fields"]
    ) == {
        "open_waiting",
        "open_wait_minutes",
        "close_waiting",
    }

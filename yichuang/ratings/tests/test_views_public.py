"""The rater's screens: the window's rating page (一次一评), the texted one-time link (一事一评 and the
rectification's rating) and the kiosk; the form never suggests a level and bad input loses nothing."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from yichuang.accounts.tests.factories import valid_id_number
from yichuang.core.models import Notification
from yichuang.hall.models import Window
from yichuang.hall.tests.helpers import MONDAY, at, make_hall
from yichuang.ratings import services
from yichuang.ratings.models import Channel, Evaluation, Rectification, RectificationStatus
from yichuang.ratings.subjects import served_case
from yichuang.ratings.tests.helpers import closed_case, served_ticket

pytestmark = pytest.mark.django_db


def _token(template: str) -> str:
    body = Notification.objects.filter(template=template).latest("pk").body
    return body.split("/ratings/r/")[1].split("/")[0]


def test_the_window_rating_page_rates_the_number_just_finished(org: Any) -> None:
    setup = make_hall(org, tidal=False)
    ticket = served_ticket(org, setup)
    client = Client()
    page_url = reverse("hall:counter_rating", args=[setup.w1.pk])
    with time_machine.travel(at(MONDAY, 9, 21), tick=False):
        page = client.get(page_url).content.decode()
        assert 'data-testid="counter-rating-form"' in page and "非常不满意" in page
        assert "checked" not in page  # no level suggested
        post_url = reverse("ratings:counter_rate", args=[setup.w1.pk])
        empty = client.post(post_url, {"ticket": ticket.pk, "idempotency_key": "a1"})
        assert empty.status_code == 400 and "请选择评价等级" in empty.content.decode()
        assert not Evaluation.objects.exists()
        done = client.post(
            post_url,
            {
                "ticket": ticket.pk,
                "level": 1,
                "score_attitude": 1,
                "comment": "态度生硬",
                "idempotency_key": "a1",
            },
        )
        assert done.status_code == 302 and done["Location"].endswith("?rated=1")
        thanks = client.get(done["Location"]).content.decode()
        assert 'data-testid="rating-thanks"' in thanks
        again = client.post(post_url, {"ticket": ticket.pk, "level": 5, "idempotency_key": "a2"})
    assert again.status_code == 400 and "没有待评价的服务" in again.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.channel, evaluation.level, evaluation.scores) == (Channel.WINDOW, 1, {"attitude": 1})
    assert evaluation.department == org.centre and evaluation.window_number == "01"
    assert Window.objects.get(pk=setup.w1.pk).rating_ticket_id is None
    rectification = Rectification.objects.get()
    # The clerk who served may not rectify: the centre's rectifying staff take it from their list.
    assert rectification.department == org.centre and rectification.assignee is None


def test_the_texted_link_rates_a_case_once(org: Any) -> None:
    case = closed_case(org, channel="online")
    url = reverse("ratings:invitation", args=[_token("ratings.invitation")])
    client = Client()
    page = client.get(url).content.decode()
    assert case.number in page and "办事指南准确性" in page  # online service: the online indicators
    assert "checked" not in page
    assert client.post(url, {"comment": "x"}).status_code == 400
    done = client.post(url, {"level": 4, "score_guide_accuracy": 5})
    assert done.status_code == 200 and 'data-testid="rating-thanks"' in done.content.decode()
    evaluation = Evaluation.objects.get()
    assert (evaluation.channel, evaluation.level, evaluation.service_mode) == (Channel.ONLINE, 4, "online")
    assert client.get(url).status_code == 404  # used


def test_the_rater_rates_the_rectification_through_his_link(org: Any) -> None:
    case = closed_case(org)
    evaluation = services.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=1)
    rectification = evaluation.rectification
    reviewer = org.user("reviewer")
    services.rectification_call_back(
        rectification=rectification, actor=reviewer, reached=True, facts_confirmed=True
    )
    services.rectification_answer(
        rectification=rectification, actor=reviewer, measure="窗口培训", answer="已对窗口人员批评教育并培训"
    )
    url = reverse("ratings:invitation", args=[_token("ratings.rectification_answer")])
    client = Client()
    page = client.get(url).content.decode()
    assert "已对窗口人员批评教育并培训" in page
    assert client.post(url, {"level": 5, "comment": "满意"}).status_code == 200
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED and rectification.rater_level == 5


def test_the_kiosk_finds_a_case_or_todays_number_then_rates_it(org: Any) -> None:
    case = closed_case(org)
    client = Client()
    url = reverse("ratings:kiosk")
    wrong = client.post(url, {"kind": "case", "number": case.number, "id_number": valid_id_number()})
    assert wrong.status_code == 404 and "未找到" in wrong.content.decode()
    found = client.post(url, {"kind": "case", "number": case.number, "id_number": case.applicant.id_number})
    page = found.content.decode()
    assert found.status_code == 200 and case.number in page and case.applicant.id_number not in page
    subject = page.split('name="subject" value="')[1].split('"')[0]
    tampered = client.post(url, {"subject": subject + "x", "level": 1})
    assert tampered.status_code == 400 and not Evaluation.objects.exists()
    done = client.post(url, {"subject": subject, "level": 3})
    assert 'data-testid="rating-thanks"' in done.content.decode()
    assert Evaluation.objects.get().channel == Channel.KIOSK

    setup = make_hall(org, tidal=False)
    id_number = valid_id_number(birth="19850505")
    ticket = served_ticket(org, setup, holder_name="张三", id_number=id_number)
    with time_machine.travel(at(MONDAY, 10, 0), tick=False):
        found = client.post(url, {"kind": "hall_ticket", "number": ticket.number, "id_number": id_number})
        assert found.status_code == 200, found.content.decode()[:500]
        subject = found.content.decode().split('name="subject" value="')[1].split('"')[0]
        client.post(url, {"subject": subject, "level": 5})
    assert Evaluation.objects.filter(
        subject_kind="hall_ticket", subject_id=ticket.pk, channel="kiosk"
    ).exists()

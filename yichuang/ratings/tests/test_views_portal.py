"""掌上办 · 一事一评 from the case page: the applicant rates his own closed case once, with five large stars,
none preselected; a phone's rating is recorded as 掌上办; a second click records nothing twice; another's
case is not found; a case still running cannot be rated yet."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from yichuang.cases import services as cases
from yichuang.catalog.tests.helpers import publish_item
from yichuang.ratings.models import Channel, Evaluation
from yichuang.ratings.tests.helpers import closed_case

pytestmark = pytest.mark.django_db

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def rate_url(case) -> str:
    return reverse("ratings:case_rate", args=[case.pk])


def test_the_closed_case_page_offers_the_rating_and_the_form_has_five_stars(org, client_for) -> None:
    case = closed_case(org, channel="online")
    portal = client_for("applicant")
    detail = portal.get(reverse("cases:portal_detail", args=[case.pk])).content.decode()
    assert rate_url(case) in detail and "评价本次服务" in detail
    page = portal.get(rate_url(case)).content.decode()
    assert page.count('class="rating-star"') == 5 + 3 * 5  # the level and the three online indicators
    assert 'type="radio"' in page and "checked" not in page  # no level is suggested
    # 非常不满意 at the left, 非常满意 at the right.
    stars = page.split('data-testid="rating-levels"', 1)[1]
    assert stars.index("非常不满意") < stars.index("基本满意") < stars.index("非常满意")


def test_a_phone_rates_its_case_once_and_a_second_click_changes_nothing(org, client_for) -> None:
    case = closed_case(org, channel="online")
    portal = client_for("applicant")
    portal.defaults["HTTP_USER_AGENT"] = PHONE
    data = {"level": "4", "score_efficiency": "5", "comment": "手机上办很方便", "idempotency_key": "k-1"}
    first = portal.post(rate_url(case), data)
    second = portal.post(rate_url(case), data)
    detail = reverse("cases:portal_detail", args=[case.pk])
    assert (
        first.status_code == second.status_code == 302 and first["Location"] == second["Location"] == detail
    )
    rating = Evaluation.objects.get()
    assert (rating.level, rating.channel, rating.scores, rating.comment) == (
        4,
        Channel.MOBILE,
        {"efficiency": 5},
        "手机上办很方便",
    )
    assert rating.rater_user == org.user("applicant") and rating.case_number == case.number
    again = portal.get(rate_url(case)).content.decode()
    assert (
        'data-testid="already-rated"' in again
        and "满意" in again
        and "<form" not in again.split("<main", 1)[1]
    )


def test_a_computer_rating_is_online_and_a_missing_level_is_asked_for(org, client_for) -> None:
    case = closed_case(org, channel="online")
    portal = client_for("applicant")
    refused = portal.post(rate_url(case), {"comment": "", "idempotency_key": "k-2"})
    assert refused.status_code == 400 and "请选择评价等级" in refused.content.decode()
    assert not Evaluation.objects.exists()
    portal.post(rate_url(case), {"level": "2", "comment": "等太久", "idempotency_key": "k-2"})
    rating = Evaluation.objects.get()
    assert rating.channel == Channel.ONLINE and rating.is_bad  # a 差评 opens its rectification
    assert rating.rectification is not None


def test_another_applicants_case_is_not_found(org, client_for) -> None:
    case = closed_case(org, channel="online")
    assert client_for("clerk").get(rate_url(case)).status_code == 404
    assert client_for("clerk").post(rate_url(case), {"level": "5"}).status_code == 404
    assert not Evaluation.objects.exists()


def test_a_running_case_cannot_be_rated_yet(org, client_for) -> None:
    applicant = closed_case(org, channel="online").applicant
    item = publish_item(actor=org.user("admin"), department=org.scjg, basic_code="11A000199999")
    running = cases.case_submit(actor=org.user("applicant"), item=item, applicant=applicant, channel="online")
    portal = client_for("applicant")
    detail = portal.get(reverse("cases:portal_detail", args=[running.pk])).content.decode()
    assert rate_url(running) not in detail
    response = portal.post(rate_url(running), {"level": "5"}, follow=True)
    assert "办件办结后才能评价" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_after_the_rating_period_the_page_says_so(org, client_for) -> None:
    case = closed_case(org, channel="online")
    with time_machine.travel(case.closed_at + dt.timedelta(days=16)):
        page = client_for("applicant").get(rate_url(case)).content.decode()
    assert "评价期已过" in page and 'data-testid="case-rating-form"' not in page

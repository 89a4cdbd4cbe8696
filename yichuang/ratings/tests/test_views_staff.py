"""The staff screens of 好差评: the rectification of a bad rating from the list through the call-back and the
answer to the rater's rating of it, the rater's identity shown only to who must call back, the ratings of
a department, an appeal with its evidence, the admin's decision, and the admin site."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yichuang.accounts.roles import Role
from yichuang.accounts.tests.factories import UserFactory
from yichuang.core.models import AuditEvent
from yichuang.ratings import services
from yichuang.ratings.models import (
    Appeal,
    AppealStatus,
    Channel,
    Evaluation,
    EvaluationStatus,
    RatingPolicy,
    Rectification,
    RectificationStatus,
)
from yichuang.ratings.subjects import served_case
from yichuang.ratings.tests.helpers import APPLICANT_PHONE, closed_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MASKED_PHONE = "138****8000"
DAY = dt.date(2026, 11, 23)  # a Monday


def _local(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


def _rate_case(org: Any, level: int, **extra: Any) -> Evaluation:
    case = closed_case(org)
    return services.evaluation_submit(served=served_case(case), channel=Channel.ONLINE, level=level, **extra)


def _text(response: Any) -> str:
    return response.content.decode()


def _last_event(rectification: Rectification) -> int:
    return rectification.events.order_by("-at", "-pk").values_list("pk", flat=True)[0]


def _detail(rectification: Rectification) -> str:
    return reverse("ratings:rectification_detail", args=[rectification.pk])


# ——— the rectification list and the rater's identity ———


def test_rectifications_are_listed_for_the_department_without_the_rater(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 1, comment="材料被要求重复提交")
    url = reverse("ratings:rectification_list")
    for user in ("reviewer", "chief_rep", "admin", "inspector"):
        response = client_for(user).get(url)
        page = _text(response)
        assert response.status_code == 200, user
        assert evaluation.subject_label in page and "市场监管局" in page, user
        assert "实名" in page and "非常不满意" in page, user
        assert APPLICANT_PHONE not in page and MASKED_PHONE not in page and "王建国" not in page, user
    # Another department's reviewer sees an empty list; who holds no ratings capability is refused.
    other = _text(client_for("reviewer_wjw").get(url))
    assert evaluation.subject_label not in other and "暂无差评整改" in other
    for user in ("clerk", "handler", "operator", "applicant"):
        assert client_for(user).get(url).status_code == 403, user
    assert Client().get(url).status_code == 302  # to the login page


def test_the_raters_identity_is_shown_in_full_only_to_who_must_call_back(org: Any, client_for: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    url = _detail(rectification)
    for user in ("reviewer", "chief_rep"):
        page = _text(client_for(user).get(url))
        assert f'href="tel:{APPLICANT_PHONE}"' in page and "王建国" in page, user
        assert 'data-full="1"' in page and 'data-action="call_back"' in page, user
    for user in ("inspector", "admin"):
        response = client_for(user).get(url)
        page = _text(response)
        assert response.status_code == 200, user
        assert APPLICANT_PHONE not in page and "王建国" not in page, user
        assert MASKED_PHONE in page and "王**" in page, user
        assert 'data-action="call_back"' not in page, user  # not theirs to call back (not escalated)
    assert client_for("reviewer_wjw").get(url).status_code == 404
    assert client_for("clerk").get(url).status_code == 403


def test_the_whole_rectification_through_the_screens(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 2, scores={"efficiency": 1, "attitude": 2}, comment="网上办理很慢")
    rectification = evaluation.rectification
    reviewer = client_for("reviewer")
    url = _detail(rectification)
    page = _text(reviewer.get(url))
    assert "网上办理很慢" in page and "办事效率：1" in page and "服务态度：2" in page
    assert 'data-action="answer"' not in page
    call_back = reverse("ratings:rectification_call_back", args=[rectification.pk])
    answer = reverse("ratings:rectification_answer", args=[rectification.pk])

    # Not reached: the service wants a note, said on the form.
    first = _last_event(rectification)
    refused = reviewer.post(call_back, {"call-reached": "0", "call-last_event": first})
    assert refused.status_code == 400 and "请说明未联系上的情况" in _text(refused)
    attempt = {"call-reached": "0", "call-note": "上午两次无人接听", "call-last_event": first}
    done = reviewer.post(call_back, attempt)
    assert done.status_code == 302 and done["Location"] == url
    # The same form sent again (a double click) records no second attempt.
    again = reviewer.post(call_back, attempt)
    assert again.status_code == 409 and "请勿重复提交" in _text(again)
    assert rectification.events.filter(kind="call_attempt").count() == 1

    # Reached: whether the facts are confirmed is required.
    latest = _last_event(rectification)
    missing = reviewer.post(call_back, {"call-reached": "1", "call-last_event": latest})
    assert missing.status_code == 400 and "请选择是否属实" in _text(missing)
    reached = {
        "call-reached": "1",
        "call-facts_confirmed": "1",
        "call-note": "情况属实",
        "call-last_event": latest,
    }
    assert reviewer.post(call_back, reached).status_code == 302
    assert reviewer.post(call_back, reached).status_code == 409
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.RECTIFYING and rectification.facts_confirmed is True
    assert rectification.events.filter(kind="called_back").count() == 1

    page = _text(reviewer.get(url))
    assert 'data-action="answer"' in page and 'data-action="call_back"' not in page
    latest = _last_event(rectification)
    empty = reviewer.post(answer, {"answer-measure": "", "answer-answer": "", "answer-last_event": latest})
    assert empty.status_code == 400 and "请填写整改措施" in _text(empty)
    given = {
        "answer-measure": "优化网上申报页面，材料一次告知",
        "answer-answer": "已整改，感谢您的监督",
        "answer-last_event": latest,
    }
    assert reviewer.post(answer, given).status_code == 302
    assert reviewer.post(answer, given).status_code == 409
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.ANSWERED
    assert rectification.events.filter(kind="answered").count() == 1

    # The rater rates the rectification (through his texted link); the department sees it.
    services.rectification_rate(rectification=rectification, level=4, comment="处理及时")
    page = _text(reviewer.get(url))
    assert 'data-testid="rater-rating"' in page and "满意" in page and "处理及时" in page
    assert "已整改，感谢您的监督" in page and "上午两次无人接听" in page
    timeline = re.findall(r'data-kind="(\w+)"', page)
    assert timeline == ["opened", "call_attempt", "called_back", "answered", "rated"]
    assert 'data-action="answer"' not in page and 'data-action="call_back"' not in page


def test_only_who_may_rectify_posts_a_step(org: Any, client_for: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    call_back = reverse("ratings:rectification_call_back", args=[rectification.pk])
    data = {"call-reached": "1", "call-facts_confirmed": "0", "call-note": "核实"}
    assert client_for("inspector").post(call_back, data).status_code == 403
    assert client_for("admin").post(call_back, data).status_code == 403  # not escalated
    assert client_for("reviewer_wjw").post(call_back, data).status_code == 404
    assert client_for("clerk").post(call_back, data).status_code == 403
    assert client_for("chief_rep").post(call_back, data).status_code == 302
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.RECTIFYING and rectification.facts_confirmed is False


def test_overdue_rectifications_are_red_and_escalated_ones_marked(org: Any, client_for: Any) -> None:
    with time_machine.travel(_local(DAY), tick=False):
        late = _rate_case(org, 1).rectification
        on_time = _rate_case(org, 2).rectification
        services.rectification_call_back(
            rectification=on_time, actor=org.user("reviewer"), reached=True, facts_confirmed=True
        )
        services.rectification_answer(
            rectification=on_time, actor=org.user("reviewer"), measure="整改", answer="已整改"
        )
    assert late.due_date == dt.date(2026, 12, 7)
    url = reverse("ratings:rectification_list")
    with time_machine.travel(_local(dt.date(2026, 12, 8), 9), tick=False):
        chief = client_for("chief_rep")
        page = _text(chief.get(url))
        row = re.search(rf'data-rectification="{late.pk}">.*?</tr>', page, re.S)
        assert row and 'class="deadline-overdue"' in page and "tag deadline-overdue" in row.group(0)
        assert 'data-testid="escalated"' not in page
        overdue = _text(chief.get(url, {"overdue": "on"}))
        assert f'data-rectification="{late.pk}"' in overdue
        assert f'data-rectification="{on_time.pk}"' not in overdue
        services.ratings_sweep()
        page = _text(chief.get(url))
        assert 'data-testid="escalated"' in page and "已上报" in page
        # Escalated: the admin now takes it over, and must call the rater back.
        admin_page = _text(client_for("admin").get(_detail(late)))
        assert f'href="tel:{APPLICANT_PHONE}"' in admin_page and 'data-action="call_back"' in admin_page
        assert APPLICANT_PHONE not in _text(client_for("inspector").get(_detail(late)))


def test_rectification_filters(org: Any, client_for: Any) -> None:
    rectification = _rate_case(org, 1).rectification
    url = reverse("ratings:rectification_list")
    admin = client_for("admin")
    marker = f'data-rectification="{rectification.pk}"'
    assert marker in _text(admin.get(url, {"department": org.scjg.pk}))
    assert marker not in _text(admin.get(url, {"department": org.wjw.pk}))
    assert marker in _text(admin.get(url, {"status": "call_back"}))
    assert marker not in _text(admin.get(url, {"status": "rectifying"}))
    # A department's staff has no department filter (his own department anyway).
    page = _text(client_for("chief_rep").get(url, {"department": org.wjw.pk}))
    assert 'name="department"' not in page and marker in page


# ——— the ratings of a department ———


def test_ratings_are_listed_by_department_with_the_rater_masked(org: Any, client_for: Any) -> None:
    bad = _rate_case(org, 1, comment="态度差")
    good = _rate_case(org, 5, comment="很好")
    url = reverse("ratings:evaluation_list")
    chief = client_for("chief_rep")
    page = _text(chief.get(url))
    assert f'data-evaluation="{bad.pk}"' in page and f'data-evaluation="{good.pk}"' in page
    assert "王**" in page and "王建国" not in page and APPLICANT_PHONE not in page
    # The chief representative may appeal, within the period; a reviewer may not.
    assert reverse("ratings:appeal_new", args=[bad.pk]) in page
    reviewer_page = _text(client_for("reviewer").get(url))
    assert f'data-evaluation="{bad.pk}"' in reviewer_page and 'data-testid="appeal-link"' not in reviewer_page
    # Filters.
    only_bad = _text(chief.get(url, {"bad": "on"}))
    assert f'data-evaluation="{bad.pk}"' in only_bad and f'data-evaluation="{good.pk}"' not in only_bad
    five = _text(chief.get(url, {"level": "5"}))
    assert f'data-evaluation="{good.pk}"' in five and f'data-evaluation="{bad.pk}"' not in five
    assert "暂无评价" in _text(chief.get(url, {"channel": "window"}))
    today = timezone.localdate()
    assert f'data-evaluation="{bad.pk}"' in _text(chief.get(url, {"start": today, "end": today}))
    later = today + dt.timedelta(days=1)
    assert "暂无评价" in _text(chief.get(url, {"start": later}))
    admin = client_for("admin")
    assert f'data-evaluation="{bad.pk}"' in _text(admin.get(url, {"department": org.scjg.pk}))
    assert "暂无评价" in _text(admin.get(url, {"department": org.wjw.pk}))
    # Scope.
    assert f'data-evaluation="{bad.pk}"' not in _text(client_for("reviewer_wjw").get(url))
    for user in ("clerk", "applicant", "handler"):
        assert client_for(user).get(url).status_code == 403, user


def test_no_appeal_link_after_the_appeal_period(org: Any, client_for: Any) -> None:
    RatingPolicy.objects.create(appeal_days=3)
    with time_machine.travel(_local(DAY), tick=False):
        evaluation = _rate_case(org, 1)
    url = reverse("ratings:evaluation_list")
    with time_machine.travel(_local(DAY + dt.timedelta(days=3), 9), tick=False):
        assert reverse("ratings:appeal_new", args=[evaluation.pk]) in _text(client_for("chief_rep").get(url))
    with time_machine.travel(_local(DAY + dt.timedelta(days=3), 11), tick=False):
        chief = client_for("chief_rep")
        assert 'data-testid="appeal-link"' not in _text(chief.get(url))
        late = chief.post(
            reverse("ratings:appeal_new", args=[evaluation.pk]), {"ground": "malicious", "reason": "恶意差评"}
        )
        assert late.status_code == 400 and "已超过申诉期" in _text(late)
    assert not Appeal.objects.exists()


# ——— appeals ———


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_an_appeal_with_its_evidence(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 1)
    url = reverse("ratings:appeal_new", args=[evaluation.pk])
    chief = client_for("chief_rep")
    form = _text(chief.get(url))
    assert 'name="evidence"' in form and 'accept=".pdf,.jpg,.jpeg,.png"' in form
    reason = "评价人当天未到本部门窗口办理，系误评"
    for name, content, message in (
        ("说明.txt", b"plain text", "只能上传 PDF、PNG、JPG 文件"),
        ("伪装.pdf", b"MZ\x90\x00 not a pdf", "只能上传 PDF、PNG、JPG 文件"),
        ("扫描件.png", PDF, "只能上传 PDF、PNG、JPG 文件"),  # the name must agree with the content
        ("很大.pdf", PDF + b"0" * (5 * 1024 * 1024), "证明材料不能超过5MB"),
    ):
        refused = chief.post(
            url, {"ground": "mistaken", "reason": reason, "evidence": _upload(name, content)}
        )
        assert refused.status_code == 400 and message in _text(refused), name
    missing = chief.post(url, {"ground": "mistaken", "reason": ""})
    assert missing.status_code == 400 and "请写明申诉理由和事实" in _text(missing)
    assert not Appeal.objects.exists()

    done = chief.post(url, {"ground": "mistaken", "reason": reason, "evidence": _upload("情况说明.pdf", PDF)})
    appeal = Appeal.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("ratings:appeal_detail", args=[appeal.pk])
    assert appeal.evidence_name == "情况说明.pdf" and bytes(appeal.evidence) == PDF
    # A second appeal while one is under review is refused; so is the link.
    again = chief.post(url, {"ground": "malicious", "reason": "再次申诉"})
    assert again.status_code == 409 and "待复核的申诉" in _text(again)
    listed = _text(chief.get(reverse("ratings:evaluation_list")))
    assert url not in listed and "待复核" in listed

    # The evidence is served by a view that checks who asks, never by a public media URL.
    evidence = reverse("ratings:appeal_evidence", args=[appeal.pk])
    page = _text(client_for("admin").get(reverse("ratings:appeal_detail", args=[appeal.pk])))
    assert evidence in page and "/media/" not in page
    for user in ("admin", "chief_rep", "inspector"):
        response = client_for(user).get(evidence)
        assert response.status_code == 200, user
        assert response.content == PDF and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
    for user in ("reviewer", "reviewer_wjw", "clerk", "applicant"):
        assert client_for(user).get(evidence).status_code == 403, user
    other_chief = UserFactory(username="chief_wjw", role=Role.CHIEF_REP, department=org.wjw)
    other = Client()
    other.force_login(other_chief)
    assert other.get(evidence).status_code == 404
    assert other.get(reverse("ratings:appeal_detail", args=[appeal.pk])).status_code == 404
    assert other.get(url).status_code == 404  # another department's rating


def test_an_image_is_accepted_as_evidence(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 2)
    response = client_for("chief_rep").post(
        reverse("ratings:appeal_new", args=[evaluation.pk]),
        {"ground": "malicious", "reason": "恶意差评", "evidence": _upload("截图.png", PNG)},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    download = client_for("admin").get(reverse("ratings:appeal_evidence", args=[appeal.pk]))
    assert download.content == PNG and download["Content-Type"] == "image/png"


def test_who_may_appeal(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 1)
    url = reverse("ratings:appeal_new", args=[evaluation.pk])
    for user in ("reviewer", "inspector", "clerk", "reviewer_wjw"):
        assert client_for(user).get(url).status_code == 403, user
    assert client_for("chief_rep").get(url).status_code == 200
    missing = reverse("ratings:appeal_new", args=[evaluation.pk + 100])
    assert client_for("chief_rep").get(missing).status_code == 404


def test_the_admin_decides_and_the_removed_rating_leaves_the_list(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 1)
    kept = _rate_case(org, 2)
    appeal = services.appeal_file(
        evaluation=evaluation, actor=org.user("chief_rep"), ground="malicious", reason="恶意差评"
    )
    admin = client_for("admin")
    chief = client_for("chief_rep")
    listing = _text(admin.get(reverse("ratings:appeal_list"), {"status": "pending"}))
    assert f'data-appeal="{appeal.pk}"' in listing
    detail = reverse("ratings:appeal_detail", args=[appeal.pk])
    page = _text(admin.get(detail))
    assert 'data-action="decide"' in page and "恶意差评" in page and APPLICANT_PHONE not in page
    assert 'data-action="decide"' not in _text(chief.get(detail))
    decide = reverse("ratings:appeal_decide", args=[appeal.pk])
    assert chief.post(decide, {"decision": "uphold", "note": "自己批准"}).status_code == 403
    incomplete = admin.post(decide, {"decision": "uphold", "note": ""})
    assert incomplete.status_code == 400 and "请填写复核意见" in _text(incomplete)
    assert admin.post(decide, {"decision": "uphold", "note": "经核实为恶意差评"}).status_code == 302
    repeated = admin.post(decide, {"decision": "reject", "note": "再议"})
    assert repeated.status_code == 409 and "该申诉已复核" in _text(repeated)
    appeal.refresh_from_db()
    evaluation.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and evaluation.status == EvaluationStatus.REMOVED

    # The department sees the decision; the rating leaves the lists, its rectification is withdrawn.
    page = _text(chief.get(detail))
    assert "经核实为恶意差评" in page and "申诉成立" in page
    url = reverse("ratings:evaluation_list")
    for client in (chief, admin, client_for("inspector")):
        page = _text(client.get(url))
        assert f'data-evaluation="{evaluation.pk}"' not in page and f'data-evaluation="{kept.pk}"' in page
    # Only the admin lists the removed ones, with the filter 已删除.
    removed = _text(admin.get(url, {"removed": "on"}))
    assert f'data-evaluation="{evaluation.pk}"' in removed and f'data-evaluation="{kept.pk}"' not in removed
    assert f'data-evaluation="{evaluation.pk}"' not in _text(chief.get(url, {"removed": "on"}))
    assert "评价已删除" in _text(admin.get(_detail(evaluation.rectification)))
    assert AuditEvent.objects.filter(
        action="ratings.evaluation_removed", object_id=str(evaluation.pk)
    ).exists()


def test_the_department_sees_its_own_appeals_and_the_decisions(org: Any, client_for: Any) -> None:
    appeal = services.appeal_file(
        evaluation=_rate_case(org, 2), actor=org.user("chief_rep"), ground="mistaken", reason="误评"
    )
    services.appeal_decide(appeal=appeal, actor=org.user("admin"), uphold=False, note="证据不足，维持评价")
    url = reverse("ratings:appeal_list")
    page = _text(client_for("chief_rep").get(url))
    assert f'data-appeal="{appeal.pk}"' in page and "申诉不成立" in page
    detail = _text(client_for("chief_rep").get(reverse("ratings:appeal_detail", args=[appeal.pk])))
    assert "证据不足，维持评价" in detail
    assert f'data-appeal="{appeal.pk}"' in _text(client_for("inspector").get(url))
    for user in ("reviewer", "reviewer_wjw", "clerk", "applicant"):
        assert client_for(user).get(url).status_code == 403, user
    other_chief = UserFactory(username="chief_wjw", role=Role.CHIEF_REP, department=org.wjw)
    other = Client()
    other.force_login(other_chief)
    assert f'data-appeal="{appeal.pk}"' not in _text(other.get(url))


# ——— the admin site ———


def test_the_admin_site(org: Any, client_for: Any) -> None:
    evaluation = _rate_case(org, 1)
    appeal = services.appeal_file(
        evaluation=evaluation, actor=org.user("chief_rep"), ground="malicious", reason="恶意差评"
    )
    admin = client_for("admin")
    for path in (
        "/admin/ratings/ratingpolicy/",
        "/admin/ratings/ratingpolicy/add/",
        "/admin/ratings/evaluation/",
        f"/admin/ratings/evaluation/{evaluation.pk}/change/",
        "/admin/ratings/rectification/",
        f"/admin/ratings/rectification/{evaluation.rectification.pk}/change/",
        "/admin/ratings/appeal/",
        f"/admin/ratings/appeal/{appeal.pk}/change/",
        "/admin/ratings/publication/",
    ):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert APPLICANT_PHONE not in _text(response) and "王建国" not in _text(response), path
    # Ratings, rectifications, appeals and publications are the services' to write.
    for path in (
        "/admin/ratings/evaluation/add/",
        "/admin/ratings/appeal/add/",
        "/admin/ratings/publication/add/",
    ):
        assert admin.get(path).status_code == 403, path
    # The rules are edited here, in the audit log; one row only.
    added = admin.post(
        "/admin/ratings/ratingpolicy/add/",
        {
            "rating_period_days": 15,
            "rectification_working_days": 5,
            "appeal_days": 10,
            "rectification_rating_days": 15,
        },
    )
    assert added.status_code == 302
    assert services.rating_policy().rectification_working_days == 5
    assert AuditEvent.objects.filter(action="ratings.ratingpolicy_created").exists()
    assert admin.get("/admin/ratings/ratingpolicy/add/").status_code == 403
    assert client_for("chief_rep").get("/admin/ratings/ratingpolicy/").status_code == 302


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_lists_cost_the_same_queries_however_many_rows(org: Any, client_for: Any) -> None:
    chief = org.user("chief_rep")
    for level in (1, 2):
        evaluation = _rate_case(org, level)
        services.appeal_file(evaluation=evaluation, actor=chief, ground="mistaken", reason="误评")
    urls = [
        reverse(name)
        for name in ("ratings:rectification_list", "ratings:evaluation_list", "ratings:appeal_list")
    ]
    few = {url: _queries(client_for("chief_rep"), url) for url in urls}
    for level in (1, 2, 5):
        evaluation = _rate_case(org, level)
        services.appeal_file(evaluation=evaluation, actor=chief, ground="mistaken", reason="误评")
    many = {url: _queries(client_for("chief_rep"), url) for url in urls}
    assert many == few

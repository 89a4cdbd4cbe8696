"""The declared access table: every URL → who may use it (vocabulary in ``rules.py``), one line per endpoint.

Keys: screens by route, API operations by ``METHOD /route`` (see ``endpoints.py``). Each line was drafted
from the observed matrix (``python -m tests.security.draft``) and reviewed against the view; a comment says
why where the rule is an explicit role set or the world lacks the record (then only refusals are checked).
``scoped=True``: the reviewer of another department (民政局) is refused. Change a line only together with
the view it describes.

ninja validates an operation's input before its handler checks the capability, so an operation that needs
a body or query parameters is sent a valid one from ``bodies.py`` (an empty body would answer 422 to every
signed-in user and prove nothing); an allowed principal answering 422 there is reported as a problem.
"""

from __future__ import annotations

from tests.security.rules import ABSENT, AUTHENTICATED, OWN, PUBLIC, STAFF, Rule, cap, roles

ADMIN_RULE = roles("admin", note="the Django admin: the admin role only (accounts/admin.py)")

# fmt: off
ACCESS: dict[str, Rule] = {
    '/': AUTHENTICATED,
    '/^open311/discovery\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,
    '/^open311/v2/request/(?P<service_request_id>[^/]+?)\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,
    '/^open311/v2/requests/(?P<service_request_id>[^/]+?)\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,
    '/^open311/v2/requests\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,
    '/^open311/v2/services/(?P<service_code>[^/]+?)\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,  # Open311 (no such service code here: 404 accepted)
    '/^open311/v2/services\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,
    '/^open311/v2/tokens/(?P<token>[^/]+?)\\.(?P<fmt>[A-Za-z0-9]+)$': PUBLIC,  # Open311 token lookup (no such token here: 404 accepted)
    '/a11y/': PUBLIC,
    '/accounts/login/': PUBLIC,
    '/accounts/logout/': PUBLIC,  # signing out ends on the login page, for everyone
    '/api/v1/': ABSENT,  # ninja's root pattern has no page
    '/api/v1/docs': PUBLIC,
    '/api/v1/openapi.json': PUBLIC,
    '/applicants/': cap("applicant.view"),
    '/applicants/new/': cap("applicant.manage"),
    '/audit/': cap("audit.view"),
    '/bundles/': PUBLIC,
    '/bundles/<slug:code>/': PUBLIC,
    '/bundles/<slug:code>/apply/': cap("applicant.self"),
    '/bundles/desk/': cap("applicant.view"),
    '/bundles/desk/<int:pk>/': roles("admin", "clerk", "helper", "inspector", "issuer"),  # the window and centre-wide staff; a department's staff only for applications with a case of theirs (none here)
    '/bundles/desk/<int:pk>/check/': roles("admin", "clerk", "helper", "inspector", "issuer"),  # as /bundles/desk/<pk>/ (the POST then needs case.accept)
    '/bundles/desk/<int:pk>/deliver/': cap("case.deliver"),
    '/bundles/desk/<int:pk>/notices/<int:notice_id>/pdf/': roles("admin", "clerk", "helper", "inspector", "issuer"),  # as /bundles/desk/<pk>/
    '/bundles/desk/<int:pk>/supply/': cap("applicant.manage"),
    '/bundles/desk/applicants/': cap("case.intake"),
    '/bundles/desk/applicants/new/': cap("applicant.manage"),
    '/bundles/desk/new/': cap("case.intake"),
    '/bundles/figures/': STAFF,
    '/bundles/manage/': cap("bundle.manage"),
    '/bundles/manage/<int:pk>/edit/': cap("bundle.manage"),
    '/bundles/manage/<int:pk>/publish/': cap("bundle.manage"),
    '/bundles/manage/<int:pk>/retire/': cap("bundle.manage"),
    '/bundles/manage/new/': cap("bundle.manage"),
    '/bundles/track/': PUBLIC,
    '/calendar/': cap("calendar.view"),
    '/calendar/day/': cap("calendar.view"),
    '/calendar/year/': cap("calendar.view"),
    '/cases/<int:case_id>/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/applicant/full/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/check/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/deliver/': cap("case.deliver"),
    '/cases/<int:case_id>/files/<int:file_id>/': cap("applicant.view", scoped=True),  # no case file in the world: refusals only
    '/cases/<int:case_id>/licences/<str:reference>/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/licences/fetch/': cap("case.accept"),
    '/cases/<int:case_id>/notices/<int:notice_id>/pdf/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/refuse/': cap("case.accept"),
    '/cases/<int:case_id>/review/decide/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/extension/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/extension/<int:extension_id>/decide/': cap("case.extend"),
    '/cases/<int:case_id>/review/procedure/finish/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/procedure/start/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/result-ready/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/revoke/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/start/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/terminate/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/review/verify/': cap("case.review", scoped=True),
    '/cases/<int:case_id>/scan/': cap("applicant.view", scoped=True),
    '/cases/<int:case_id>/supply/': cap("case.intake"),
    '/cases/<int:case_id>/withdraw/': cap("case.intake"),
    '/cases/issue/': cap("case.deliver"),
    '/cases/review/': cap("case.review"),
    '/cases/window/': cap("case.intake"),
    '/cases/window/applicants/': cap("case.intake"),
    '/cases/window/applicants/new/': cap("applicant.manage"),
    '/cases/window/intake/': cap("case.intake"),
    '/cases/window/items/': cap("case.intake"),
    '/catalog/': cap("catalog.view"),
    '/catalog/changes/': cap("catalog.view"),
    '/catalog/changes/<int:change_request_id>/': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # catalog.propose of the department, and centre-wide staff
    '/catalog/changes/<int:change_request_id>/approve/': cap("catalog.approve"),
    '/catalog/changes/<int:change_request_id>/reject/': cap("catalog.approve"),
    '/catalog/changes/<int:change_request_id>/withdraw/': cap("catalog.propose", scoped=True),
    '/catalog/export.xlsx': cap("catalog.view"),
    '/catalog/import/': cap("catalog.approve"),
    '/catalog/import/<int:import_id>/': cap("catalog.approve"),  # no import in the world: refusals only
    '/catalog/items/<int:item_id>/': cap("catalog.view", scoped=True),
    '/catalog/items/<int:item_id>/edit/': cap("catalog.propose", scoped=True),
    '/catalog/items/<int:item_id>/retire/': cap("catalog.propose", scoped=True),
    '/catalog/items/new/': cap("catalog.propose"),
    '/catalog/lists/': cap("catalog.approve"),
    '/catalog/lists/<slug:kind>/': cap("catalog.approve"),
    '/catalog/lists/<slug:kind>/adjust': cap("catalog.approve"),
    '/catalog/lists/<slug:kind>/adjustments/<int:item_id>/remove': roles(),  # catalog.approve; the item is not adjusted on the list here, so the admin gets 404
    '/catalog/lists/<slug:kind>/publish': cap("catalog.approve"),
    '/catalog/lists/<slug:kind>/settings': cap("catalog.approve"),
    '/catalog/search/': cap("catalog.view"),
    '/departments/': cap("department.view"),
    '/departments/<int:department_id>/': cap("department.view"),
    '/departments/new/': cap("department.manage"),
    '/guides/': PUBLIC,
    '/guides/<int:item_id>/': PUBLIC,
    '/guides/<int:item_id>/diff/': PUBLIC,
    '/guides/<int:item_id>/plain/': PUBLIC,
    '/guides/<int:item_id>/v/<int:number>/': PUBLIC,
    '/guides/<int:item_id>/versions/': PUBLIC,
    '/guides/files/<str:sha256>/': PUBLIC,  # no catalogue file in the world: 404 accepted
    '/hall/<slug:hall_code>/board/': PUBLIC,
    '/hall/<slug:hall_code>/kiosk/': PUBLIC,
    '/hall/appointments/': roles("admin", "applicant", "chief_rep", "clerk", "helper", "issuer", "other_applicant"),  # hall.book (own) or hall.issue
    '/hall/appointments/<str:code>/': OWN,  # no appointment in the world: refusals only
    '/hall/appointments/<str:code>/cancel/': OWN,  # no appointment in the world: refusals only
    '/hall/appointments/desk/': cap("hall.issue"),
    '/hall/appointments/slots/': roles("admin", "applicant", "chief_rep", "clerk", "helper", "issuer", "other_applicant"),  # hall.book or hall.issue
    '/hall/board/': PUBLIC,
    '/hall/board/partial/': PUBLIC,
    '/hall/counter/<int:window_id>/': PUBLIC,
    '/hall/counter/<int:window_id>/partial/': PUBLIC,
    '/hall/counter/<int:window_id>/rating/': PUBLIC,
    '/hall/desk/': cap("hall.serve"),
    '/hall/desk/<slug:action>/': cap("hall.serve"),  # at one's own window; 409 when not signed in at one
    '/hall/desk/issue/': cap("hall.issue"),
    '/hall/desk/partial/': cap("hall.serve"),
    '/hall/desk/sign-in/': cap("hall.serve"),
    '/hall/figures.xlsx': cap("hall.figures"),
    '/hall/figures/': cap("hall.figures"),
    '/hall/kiosk/': PUBLIC,
    '/hall/kiosk/check-in/': PUBLIC,
    '/hall/kiosk/partial/': PUBLIC,
    '/hall/manage/': cap("hall.manage"),
    '/hall/manage/log/': cap("hall.manage"),
    '/hall/my/ticket/': cap("hall.book"),
    '/hall/my/tickets/': cap("hall.book"),
    '/hall/my/tickets/<int:pk>/cancel/': roles(),  # the holder only; the waiting number here was taken at the kiosk (nobody's)
    '/hall/tickets/<int:pk>/<str:token>/': PUBLIC,
    '/hall/tickets/<int:pk>/print/': cap("hall.serve"),
    '/healthz': PUBLIC,
    '/home/': AUTHENTICATED,
    '/hotline/classifier/': cap("hotline.dispatch"),
    '/hotline/classifier/<int:classifier_id>/activate/': cap("hotline.dispatch"),
    '/hotline/classifier/train/': cap("hotline.dispatch"),
    '/hotline/classifier/try/': cap("hotline.dispatch"),
    '/hotline/directory/': cap("hotline.dispatch"),
    '/hotline/directory/<int:entry_id>/activate/': cap("hotline.dispatch"),
    '/hotline/directory/<int:entry_id>/deactivate/': cap("hotline.dispatch"),
    '/hotline/directory/<int:entry_id>/edit/': cap("hotline.dispatch"),
    '/hotline/directory/new/': cap("hotline.dispatch"),
    '/hotline/figures.xlsx': cap("hotline.view"),
    '/hotline/figures/': cap("hotline.view"),
    '/hotline/inbox/': cap("hotline.handle"),
    '/hotline/intake/': cap("hotline.dispatch"),
    '/hotline/intake/assist/': cap("hotline.dispatch"),
    '/hotline/knowledge/': STAFF,
    '/hotline/knowledge/<int:article_id>/': STAFF,
    '/hotline/knowledge/<int:article_id>/edit/': cap("hotline.dispatch"),
    '/hotline/knowledge/<int:article_id>/publish/': cap("hotline.dispatch"),
    '/hotline/knowledge/<int:article_id>/retire/': cap("hotline.dispatch"),
    '/hotline/knowledge/<int:article_id>/use/': cap("hotline.dispatch"),
    '/hotline/knowledge/<int:article_id>/versions/<int:number>/': STAFF,
    '/hotline/knowledge/new/': cap("hotline.dispatch"),
    '/hotline/knowledge/search/': STAFF,
    '/hotline/knowledge/stale/': cap("hotline.dispatch"),
    '/hotline/office/': cap("hotline.dispatch"),
    '/hotline/tickets/<int:ticket_id>/': roles("admin", "chief_rep", "inspector", "operator"),  # hotline.dispatch, centre-wide, and the lead department's chief_rep (hotline.view)
    '/hotline/tickets/<int:ticket_id>/<slug:action>/': cap("case.extend"),
    '/i18n/content/': cap("i18n.report"),
    '/i18n/content/edit/': roles(),  # i18n.translate; without ?kind=&key= the admin gets 404
    '/i18n/content/export.xlsx': cap("i18n.report"),
    '/i18n/content/import/': cap("i18n.report"),
    '/i18n/missing/': cap("i18n.report"),
    '/i18n/setlang/': PUBLIC,
    '/licences/': roles("admin", "chief_rep", "inspector", "reviewer"),  # licence.issue (own department's list) and centre-wide staff
    '/licences/<int:licence_id>/': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # licence.issue of the issuing department, centre-wide staff
    '/licences/<int:licence_id>/change/': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # as /licences/<id>/ (the POST then needs licence.issue)
    '/licences/<int:licence_id>/pdf/': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # as /licences/<id>/
    '/licences/<int:licence_id>/revoke/': cap("licence.revoke"),
    '/licences/exemptions/': PUBLIC,
    '/licences/seals/': PUBLIC,
    '/licences/seals/<int:seal_id>.svg': PUBLIC,
    '/licences/seals/manage/': cap("seal.manage"),
    '/licences/seals/manage/<int:department_id>/': cap("department.manage"),
    '/licences/verify/': PUBLIC,
    '/lists/': PUBLIC,
    '/lists/<slug:kind>/': PUBLIC,
    '/lists/<slug:kind>/v/<int:number>.xlsx': PUBLIC,  # no list version in the world: 404 accepted
    '/lists/<slug:kind>/v/<int:number>/': PUBLIC,  # no list version in the world: 404 accepted
    '/metrics': PUBLIC,
    '/my/bundles/': cap("applicant.self"),
    '/my/bundles/<int:pk>/': OWN,
    '/my/bundles/<int:pk>/notices/<int:notice_id>/pdf/': OWN,
    '/my/bundles/<int:pk>/supply/': OWN,
    '/my/bundles/<int:pk>/withdraw/': OWN,
    '/my/cases/': cap("case.apply"),
    '/my/cases/<int:case_id>/': OWN,
    '/my/cases/<int:case_id>/deferred/': OWN,
    '/my/cases/<int:case_id>/files/<int:file_id>/': OWN,  # no case file in the world: refusals only
    '/my/cases/<int:case_id>/notices/<int:notice_id>/pdf/': OWN,
    '/my/cases/<int:case_id>/rate/': OWN,
    '/my/cases/<int:case_id>/supply/': OWN,
    '/my/cases/<int:case_id>/withdraw/': OWN,
    '/my/cases/apply/<int:item_id>/': cap("case.apply"),
    '/my/licences/': cap("applicant.self"),
    '/my/licences/<int:licence_id>/': OWN,
    '/my/licences/<int:licence_id>/authorisations/<str:reference>/withdraw/': roles(),  # the holder only; the authorisation here is not of the demo applicant's licence
    '/my/licences/<int:licence_id>/authorise/': OWN,
    '/my/licences/<int:licence_id>/pdf/': OWN,
    '/notifications/': cap("audit.view"),
    '/ratings/appeals/': cap("ratings.view"),
    '/ratings/appeals/<int:appeal_id>/': cap("ratings.view"),
    '/ratings/appeals/<int:appeal_id>/decide/': cap("ratings.decide"),
    '/ratings/appeals/<int:appeal_id>/evidence/': roles(),  # ratings.appeal/decide; the appeal here has no evidence file (404)
    '/ratings/counter/<int:window_id>/': PUBLIC,
    '/ratings/evaluations/': roles("admin", "chief_rep", "inspector", "reviewer"),  # ratings.view or ratings.rectify (own department's)
    '/ratings/evaluations/<int:evaluation_id>/appeal/': cap("ratings.appeal"),
    '/ratings/figures.xlsx': cap("ratings.view"),
    '/ratings/figures/': cap("ratings.view"),
    '/ratings/kiosk/': PUBLIC,
    '/ratings/public/': PUBLIC,
    '/ratings/publish/': cap("ratings.decide"),
    '/ratings/r/<str:token>/': PUBLIC,  # a rating invitation link (no such token here: 404 accepted)
    '/ratings/rectifications/': roles("admin", "chief_rep", "inspector", "reviewer"),  # ratings.view or ratings.rectify (own department's)
    '/ratings/rectifications/<int:rectification_id>/': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # the rectified department and centre-wide staff
    '/ratings/rectifications/<int:rectification_id>/answer/': roles("chief_rep", "reviewer", scoped=True),  # ratings.rectify of the department
    '/ratings/rectifications/<int:rectification_id>/call-back/': roles("chief_rep", "reviewer", scoped=True),  # ratings.rectify of the department
    '/readyz': PUBLIC,
    '/search/': PUBLIC,
    '/supervision/': cap("supervision.view"),
    '/supervision/cards/': roles("admin", "chief_rep", "handler", "inspector"),  # supervision.card, or supervision.answer (own department's cards)
    '/supervision/cards/<int:card_id>/': cap("supervision.view"),
    '/supervision/cards/<int:card_id>/answer/': cap("case.extend"),
    '/supervision/cards/<int:card_id>/review/': cap("supervision.view"),
    '/supervision/cards/sweep/': cap("supervision.card"),
    '/supervision/cases/': cap("supervision.view"),
    '/supervision/ranking/': cap("supervision.view"),
    '/supervision/ranking/honours/': cap("supervision.rank"),
    '/supervision/reports/': cap("supervision.view"),
    '/supervision/reports/<int:year>-<int:month>.<report_format:fmt>': cap("supervision.view"),
    '/supervision/sampling/': cap("supervision.view"),
    '/supervision/sampling/<int:draw_id>/': cap("supervision.view"),
    '/supervision/sampling/draw/': cap("supervision.card"),
    '/supervision/sampling/items/<int:sampled_item_id>/': cap("supervision.view"),
    '/supervision/screen/': cap("supervision.view"),
    '/supervision/screen/data/': cap("supervision.view"),
    '/terminal/': PUBLIC,
    '/terminal/<slug:hall_code>/': PUBLIC,
    '/terminal/<slug:hall_code>/appointment/': PUBLIC,
    '/terminal/<slug:hall_code>/appointment/done/': PUBLIC,
    '/terminal/<slug:hall_code>/end/': PUBLIC,
    '/terminal/<slug:hall_code>/print/': PUBLIC,
    '/terminal/<slug:hall_code>/print/document.pdf': ABSENT,  # only after choosing a document at the terminal (session): 404
    '/terminal/<slug:hall_code>/print/open/': PUBLIC,
    '/terminal/<slug:hall_code>/progress/': PUBLIC,
    '/terminal/<slug:hall_code>/progress/case/': PUBLIC,
    '/terminal/<slug:hall_code>/ticket/': PUBLIC,
    '/terminal/<slug:hall_code>/ticket/<int:pk>/': PUBLIC,
    '/track/': PUBLIC,
    'DELETE /api/v1/calendar/overrides/<date>': roles(),  # calendar.manage; no override on that date, so the admin gets 404
    'DELETE /api/v1/catalog/lists/<kind>/adjustments/<item_id>': roles(),  # catalog.approve; the item is not adjusted here, so the admin gets 404
    'GET /api/v1/applicants': cap("applicant.view"),
    'GET /api/v1/applicants/<applicant_id>': cap("applicant.view", extra=("applicant",)),  # every applicant.view holder (masked; full reads logged) and the applicant himself
    'GET /api/v1/audit/verify': cap("audit.view"),
    'GET /api/v1/bundles/': PUBLIC,
    'GET /api/v1/bundles/<code>': PUBLIC,
    'GET /api/v1/bundles/applications/': AUTHENTICATED,
    'GET /api/v1/bundles/applications/<pk>': roles("admin", "applicant", "clerk", "helper", "inspector", "issuer"),  # the applicant (own), the window and centre-wide staff
    'GET /api/v1/bundles/definitions/<code>': cap("bundle.manage"),
    'GET /api/v1/calendar/<year>': cap("calendar.view"),
    'GET /api/v1/calendar/add-working-days': cap("calendar.view"),
    'GET /api/v1/calendar/working-days-between': cap("calendar.view"),
    'GET /api/v1/cases/': AUTHENTICATED,
    'GET /api/v1/cases/<case_id>': roles("admin", "applicant", "chief_rep", "clerk", "helper", "inspector", "issuer", "reviewer", scoped=True),  # applicant.view of the department or the centre, the applicant (own)
    'GET /api/v1/cases/<case_id>/files/<file_id>': roles("admin", "applicant", "chief_rep", "clerk", "helper", "inspector", "issuer", "reviewer", scoped=True),  # as the case; no case file in the world: refusals only
    'GET /api/v1/cases/<case_id>/notices/<notice_id>.pdf': roles("admin", "applicant", "chief_rep", "clerk", "helper", "inspector", "issuer", "reviewer", scoped=True),  # as the case
    'GET /api/v1/cases/by-number/<number>': roles("admin", "applicant", "chief_rep", "clerk", "helper", "inspector", "issuer", "reviewer", scoped=True),  # as the case
    'GET /api/v1/cases/track': ABSENT,  # public tracking: without a matching number and ID, 404 for every caller
    'GET /api/v1/catalog/change-requests': AUTHENTICATED,
    'GET /api/v1/catalog/change-requests/<change_request_id>': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # catalog.propose of the department, centre-wide staff
    'GET /api/v1/catalog/export.xlsx': cap("catalog.view"),
    'GET /api/v1/catalog/guides/<item_id>': PUBLIC,
    'GET /api/v1/catalog/imports': cap("catalog.approve"),
    'GET /api/v1/catalog/imports/<import_id>': cap("catalog.approve"),  # no import in the world: refusals only
    'GET /api/v1/catalog/items': PUBLIC,
    'GET /api/v1/catalog/items/<item_id>': PUBLIC,
    'GET /api/v1/catalog/items/<item_id>/diff': PUBLIC,
    'GET /api/v1/catalog/items/<item_id>/versions': PUBLIC,
    'GET /api/v1/catalog/items/<item_id>/versions/<number>': PUBLIC,
    'GET /api/v1/catalog/lists': PUBLIC,
    'GET /api/v1/catalog/lists/<kind>': PUBLIC,
    'GET /api/v1/catalog/lists/<kind>/preview': cap("catalog.approve"),
    'GET /api/v1/catalog/lists/<kind>/versions/<number>': PUBLIC,
    'GET /api/v1/catalog/search': PUBLIC,
    'GET /api/v1/departments': cap("department.view"),
    'GET /api/v1/departments/<department_id>': cap("department.view"),
    'GET /api/v1/departments/<department_id>/staff': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # staff.view of that department, centre-wide staff
    'GET /api/v1/hall/appointments': cap("hall.book"),
    'GET /api/v1/hall/appointments/slots': PUBLIC,
    'GET /api/v1/hall/figures': cap("hall.figures"),
    'GET /api/v1/hall/halls': PUBLIC,
    'GET /api/v1/hall/halls/<code>/queue': PUBLIC,  # the display board's queue
    'GET /api/v1/hall/tickets/mine': AUTHENTICATED,
    'GET /api/v1/hall/windows': AUTHENTICATED,
    'GET /api/v1/hall/windows/<window_id>/queue': roles("admin", "clerk", "helper", "issuer"),  # hall.serve of the window's department (the centre)
    'GET /api/v1/hotline/classifiers': cap("hotline.dispatch"),
    'GET /api/v1/hotline/directory': cap("hotline.view"),
    'GET /api/v1/hotline/directory/lookup': cap("hotline.view"),  # hotline.view, .dispatch or .intake (every holder of the last two holds the first)
    'GET /api/v1/hotline/figures': cap("hotline.view"),
    'GET /api/v1/hotline/knowledge': STAFF,
    'GET /api/v1/hotline/knowledge/<article_id>': STAFF,
    'GET /api/v1/hotline/knowledge/<article_id>/versions/<number>': STAFF,
    'GET /api/v1/hotline/knowledge/adoption': STAFF,
    'GET /api/v1/hotline/knowledge/stale': cap("hotline.dispatch"),
    'GET /api/v1/hotline/topics': cap("hotline.view"),
    'GET /api/v1/i18n/content/object': cap("i18n.translate"),
    'GET /api/v1/i18n/content/summary': cap("i18n.report"),
    'GET /api/v1/licences/exemptions': PUBLIC,
    'GET /api/v1/licences/issued': roles("admin", "chief_rep", "inspector", "reviewer"),  # licence.issue (own department's) and centre-wide staff
    'GET /api/v1/licences/issued/<int:licence_id>': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # the issuing department and centre-wide staff
    'GET /api/v1/licences/mine': cap("applicant.self"),
    'GET /api/v1/licences/mine/<int:licence_id>': OWN,
    'GET /api/v1/licences/seals': PUBLIC,
    'GET /api/v1/licences/verify': PUBLIC,
    'GET /api/v1/me': AUTHENTICATED,
    'GET /api/v1/notifications': cap("audit.view"),
    'GET /api/v1/ratings/appeals': cap("ratings.view"),
    'GET /api/v1/ratings/evaluations': roles("admin", "chief_rep", "inspector", "reviewer"),  # ratings.view or ratings.rectify (own department's)
    'GET /api/v1/ratings/export': roles("admin", "inspector"),  # ratings.view, centre-wide staff only (the provincial exchange)
    'GET /api/v1/ratings/figures': cap("ratings.view"),
    'GET /api/v1/ratings/public': PUBLIC,
    'GET /api/v1/ratings/rectifications': roles("admin", "chief_rep", "inspector", "reviewer"),  # ratings.view or ratings.rectify (own department's)
    'GET /api/v1/ratings/rectifications/<rectification_id>': roles("admin", "chief_rep", "inspector", "reviewer", scoped=True),  # the rectified department and centre-wide staff
    'GET /api/v1/supervision/cards': roles("admin", "chief_rep", "handler", "inspector"),  # supervision.card, or supervision.answer (own department's cards)
    'GET /api/v1/supervision/cards/<int:card_id>': cap("supervision.view"),
    'GET /api/v1/supervision/figures': cap("supervision.view"),
    'GET /api/v1/supervision/figures/cases': cap("supervision.view"),
    'GET /api/v1/supervision/sampling/coverage': cap("supervision.view"),
    'GET /api/v1/supervision/sampling/draws': cap("supervision.view"),
    'GET /api/v1/supervision/sampling/draws/<draw_id>': cap("supervision.view"),
    'POST /api/v1/applicants': cap("applicant.manage"),
    'POST /api/v1/bundles/<code>/selection': PUBLIC,
    'POST /api/v1/bundles/applications/': roles("admin", "applicant", "chief_rep", "clerk", "helper"),  # the applicant (own) or case.intake for him
    'POST /api/v1/bundles/applications/<pk>/accept': roles("admin", "clerk"),  # the comprehensive window (case.accept, centre-wide)
    'POST /api/v1/bundles/applications/<pk>/check-materials': roles("admin", "clerk"),  # the comprehensive window (case.accept, centre-wide)
    'POST /api/v1/bundles/applications/<pk>/deliver': cap("case.deliver"),
    'POST /api/v1/bundles/applications/<pk>/request-correction': roles("admin", "clerk"),  # the comprehensive window (case.accept, centre-wide)
    'POST /api/v1/bundles/applications/<pk>/supply-correction': roles("admin", "applicant", "clerk", "helper"),  # the applicant (own) or the window for him
    'POST /api/v1/bundles/applications/<pk>/withdraw': roles("admin", "applicant", "clerk", "helper"),  # the applicant (own) or the window for him
    'POST /api/v1/bundles/definitions/': cap("bundle.manage"),
    'POST /api/v1/bundles/definitions/<code>/publish': cap("bundle.manage"),
    'POST /api/v1/bundles/definitions/<code>/retire': cap("bundle.manage"),
    'POST /api/v1/calendar/years/<year>': cap("calendar.view"),
    'POST /api/v1/cases/': roles("admin", "applicant", "chief_rep", "clerk", "helper"),  # the applicant (own) or case.intake for him
    'POST /api/v1/cases/<case_id>/accept': cap("case.accept"),
    'POST /api/v1/cases/<case_id>/correction': cap("case.accept"),
    'POST /api/v1/cases/<case_id>/decide': roles("reviewer", scoped=True),  # case.review, and only the reviewer handling the case (not the chief_rep, not the admin)
    'POST /api/v1/cases/<case_id>/deliver': cap("case.deliver"),
    'POST /api/v1/cases/<case_id>/extensions': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/files': roles("admin", "applicant", "chief_rep", "clerk", "helper"),  # the applicant (own) or case.intake for him
    'POST /api/v1/cases/<case_id>/materials': cap("case.accept"),
    'POST /api/v1/cases/<case_id>/refuse': cap("case.accept"),
    'POST /api/v1/cases/<case_id>/result-ready': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/review': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/revoke': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/special-procedures': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/special-procedures/finish': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/supply': roles("admin", "applicant", "chief_rep", "clerk", "helper"),  # the applicant (own) or case.intake for him
    'POST /api/v1/cases/<case_id>/terminate': cap("case.review", scoped=True),
    'POST /api/v1/cases/<case_id>/withdraw': roles("admin", "applicant", "chief_rep", "clerk", "helper"),  # the applicant (own) or case.intake for him
    'POST /api/v1/cases/credit-marks/<mark_id>/clear': cap("credit.clear"),
    'POST /api/v1/cases/extensions/<extension_id>/decide': cap("case.extend"),
    'POST /api/v1/cases/verifications/<verification_id>': cap("case.review", scoped=True),
    'POST /api/v1/catalog/change-requests': cap("catalog.propose", scoped=True),
    'POST /api/v1/catalog/change-requests/<change_request_id>/approve': cap("catalog.approve"),
    'POST /api/v1/catalog/change-requests/<change_request_id>/reject': cap("catalog.approve"),
    'POST /api/v1/catalog/change-requests/<change_request_id>/withdraw': cap("catalog.propose", scoped=True),
    'POST /api/v1/catalog/imports': cap("catalog.manage"),
    'POST /api/v1/catalog/lists/<kind>/adjustments': cap("catalog.manage"),
    'POST /api/v1/catalog/lists/<kind>/publish': cap("catalog.approve"),
    'POST /api/v1/departments': cap("department.manage"),
    'POST /api/v1/hall/appointments': roles("admin", "applicant", "chief_rep", "clerk", "helper", "issuer", "other_applicant"),  # hall.book (own) or hall.issue
    'POST /api/v1/hall/appointments/<code>/cancel': OWN,  # no appointment in the world: refusals only
    'POST /api/v1/hall/appointments/<code>/check-in': PUBLIC,
    'POST /api/v1/hall/tickets': PUBLIC,
    'POST /api/v1/hall/tickets/<ticket_id>/cancel': cap("hall.issue"),  # staff who issue numbers, or the holder (this one was taken at the kiosk)
    'POST /api/v1/hall/windows/<window_id>/call-next': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hall/windows/<window_id>/close': cap("hall.manage"),
    'POST /api/v1/hall/windows/<window_id>/finish': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hall/windows/<window_id>/hand-over': roles("admin"),  # the clerk signed in at the window (here nobody is) or the admin role (windows._require_own)
    'POST /api/v1/hall/windows/<window_id>/pause': cap("hall.manage"),
    'POST /api/v1/hall/windows/<window_id>/recall': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hall/windows/<window_id>/resume': cap("hall.manage"),
    'POST /api/v1/hall/windows/<window_id>/sign-in': roles("admin", "clerk", "helper", "issuer"),  # hall.serve of the window's department (the centre)
    'POST /api/v1/hall/windows/<window_id>/skip': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hall/windows/<window_id>/start': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hall/windows/<window_id>/transfer': roles(),  # only the clerk signed in at the window (here nobody is)
    'POST /api/v1/hotline/classifiers/<classifier_id>/activate': cap("hotline.dispatch"),
    'POST /api/v1/hotline/classifiers/train-from-tickets': cap("hotline.dispatch"),
    'POST /api/v1/hotline/directory': cap("hotline.dispatch"),
    'POST /api/v1/hotline/directory/<entry_id>/activate': cap("hotline.dispatch"),
    'POST /api/v1/hotline/directory/<entry_id>/deactivate': cap("hotline.dispatch"),
    'POST /api/v1/hotline/knowledge': cap("hotline.knowledge"),
    'POST /api/v1/hotline/knowledge/<article_id>/publish': cap("hotline.dispatch"),
    'POST /api/v1/hotline/knowledge/<article_id>/retire': cap("hotline.knowledge"),
    'POST /api/v1/hotline/knowledge/<article_id>/use': cap("hotline.dispatch"),
    'POST /api/v1/hotline/knowledge/<article_id>/versions': cap("hotline.knowledge"),
    'POST /api/v1/hotline/suggest': cap("hotline.intake"),  # hotline.intake or .dispatch (the same holders)
    'POST /api/v1/licences/<int:licence_id>/change': cap("licence.issue", scoped=True),
    'POST /api/v1/licences/<int:licence_id>/revoke': cap("licence.revoke"),
    'POST /api/v1/licences/authorisations/<reference>/withdraw': roles(),  # the holder only; the authorisation here is not of the demo applicant's licence
    'POST /api/v1/licences/mine/<int:licence_id>/authorisations': OWN,
    'POST /api/v1/licences/seals': cap("seal.manage"),
    'POST /api/v1/licences/verify': PUBLIC,
    'POST /api/v1/ratings/appeals/<appeal_id>/decide': cap("ratings.decide"),
    'POST /api/v1/ratings/evaluations': OWN,  # the rater's own served case; anyone else reads it as absent
    'POST /api/v1/ratings/evaluations/<evaluation_id>/appeal': cap("ratings.appeal"),
    'POST /api/v1/ratings/rectifications/<rectification_id>/answer': roles("chief_rep", "reviewer", scoped=True),  # ratings.rectify of the department
    'POST /api/v1/ratings/rectifications/<rectification_id>/call-back': roles("chief_rep", "reviewer", scoped=True),  # ratings.rectify of the department
    'POST /api/v1/supervision/cards/<int:card_id>/answer': cap("supervision.answer", deny=("handler",)),  # of the carded department; the handler is of 住建局
    'POST /api/v1/supervision/cards/<int:card_id>/review': cap("supervision.card"),
    'POST /api/v1/supervision/cards/sweep': cap("supervision.card"),
    'POST /api/v1/supervision/sampling/draws': cap("supervision.sample"),
    'POST /api/v1/supervision/sampling/items/<sampled_item_id>/inspection': cap("supervision.sample"),
    'PUT /api/v1/calendar/overrides/<date>': cap("calendar.view"),
    'PUT /api/v1/hotline/directory/<entry_id>': cap("hotline.dispatch"),
    'PUT /api/v1/i18n/content': cap("i18n.translate"),

}
# fmt: on

"""The hall's big screen (大屏, /supervision/screen/) and its data (/supervision/screen/data/, JSON).

A 1920×1080 dark page for the hall's large display; ``static/supervision/screen.js`` scales it to the
display and fetches the data again every minute (``?refresh=<seconds>`` changes that), redrawing figures and
charts in place — no reload, the layout never moves. Figures only, no personal data (``screen.py``).

Who opens it:

- a logged-in user holding ``supervision.view``: the admin and the inspector see the whole centre, a chief
  representative his departments;
- the display in the hall, without logging in (like the hall's display board, which is public): the
  address carries a display key (``?key=…``, an HMAC of the site's secret), which the admin and the
  inspector find on the screen itself (「大屏地址」). With the key the screen shows the whole centre; a wrong
  key is refused.

``?hall=<code>`` limits the hall panel to one hall (as the board's ``hall`` code); default: every active hall.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from yichuang.accounts.models import Department
from yichuang.accounts.policies import department_scope
from yichuang.accounts.roles import CENTRE_WIDE_ROLES
from yichuang.core.errors import ApplicationError, PermissionDeniedError
from yichuang.core.permissions import require_capability
from yichuang.hall import selectors as hall_selectors
from yichuang.hall.models import Hall
from yichuang.supervision.charts import chart_context
from yichuang.supervision.screen import CHART_IDS, screen_payload

REFRESH_SECONDS = 60
KEY_SALT = "yichuang.supervision.screen"
CHART_HEIGHTS = {
    "screen-trend": 300,
    "screen-departments": 330,
    "screen-department-on-time": 330,
    "screen-satisfaction": 220,
}


def screen_key() -> str:
    """The display key of the big screen's address (derived from SECRET_KEY: changing it changes the key)."""
    return salted_hmac(KEY_SALT, "big-screen", algorithm="sha256").hexdigest()[:32]


class _Access:
    def __init__(
        self, departments: QuerySet[Department] | None, scope: str, key: str, may_share: bool
    ) -> None:
        self.departments = departments
        self.scope = scope
        self.key = key
        self.may_share = may_share


def _access(request: HttpRequest) -> _Access | None:
    """Who sees what; None: an anonymous visitor without a key (log in first)."""
    key = request.GET.get("key", "")
    if key:
        if not constant_time_compare(key, screen_key()):
            raise PermissionDeniedError(_("大屏地址无效，请向管理员索取新的地址"))
        return _Access(None, "", key, may_share=False)
    user = request.user
    if not user.is_authenticated:
        return None
    require_capability(user, "supervision.view", _("您没有查看效能监察大屏的权限"))
    if getattr(user, "role", None) in CENTRE_WIDE_ROLES:
        return _Access(None, "", "", may_share=True)
    department = getattr(user, "department", None)
    return _Access(department_scope(user), department.name if department else "", "", may_share=False)


def _hall(request: HttpRequest) -> Hall | None:
    code = request.GET.get("hall", "").strip()
    return hall_selectors.hall_for_screen(code) if code else None


def _refresh_seconds(request: HttpRequest) -> int:
    try:
        seconds = int(request.GET.get("refresh", REFRESH_SECONDS))
    except ValueError:
        return REFRESH_SECONDS
    return min(max(seconds, 1), 3600)


def _payload(access: _Access, hall: Hall | None) -> dict[str, Any]:
    now = timezone.now()
    return screen_payload(
        timezone.localdate(now), now, departments=access.departments, hall=hall, scope=access.scope
    )


def _query(**params: str) -> str:
    kept = {name: value for name, value in params.items() if value}
    return f"?{urlencode(kept)}" if kept else ""


@never_cache
@require_GET
def screen(request: HttpRequest) -> HttpResponse:
    access = _access(request)
    if access is None:
        return redirect_to_login(request.get_full_path())
    hall = _hall(request)
    payload = _payload(access, hall)
    hall_code = hall.code if hall else ""
    display_url = ""
    if access.may_share:
        display_url = request.build_absolute_uri(
            reverse("supervision:screen") + _query(key=screen_key(), hall=hall_code)
        )
    context = {
        "payload": payload,
        "figures": payload["figures"],
        "charts": {
            chart_id.replace("-", "_"): chart_context(
                chart_id, payload["charts"][chart_id], height=CHART_HEIGHTS[chart_id]
            )
            for chart_id in CHART_IDS
        },
        "hall": hall,
        "data_url": reverse("supervision:screen_data") + _query(key=access.key, hall=hall_code),
        "refresh_seconds": _refresh_seconds(request),
        "display_url": display_url,
    }
    return render(request, "supervision/screen.html", context)


@never_cache
@require_GET
def screen_data(request: HttpRequest) -> HttpResponse:
    try:
        access = _access(request)
        if access is None:
            raise PermissionDeniedError(_("请先登录"))
        payload = _payload(access, _hall(request))
    except ApplicationError as error:
        return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})

"""The clerk's calling desk (叫号工作台, /hall/desk/): sign in at a window, call the next number, recall,
start, skip, transfer, finish, pause, resume, hand over, sign out — and take a number for a walk-in.

Every button is a POST form that works without JavaScript (post, then back to the desk); htmx swaps only
the page's main part. The services in ``calling`` and ``windows`` decide whether a move is allowed: a
refusal (a double click included) comes back on the desk in their own Chinese words, never as a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import User
from yichuang.core.errors import ApplicationError, ConflictError, NotFoundError
from yichuang.core.masking import mask_id_number, mask_name, mask_phone
from yichuang.core.permissions import has_capability, require_capability
from yichuang.hall import calling, selectors, windows
from yichuang.hall.forms_screens import DeskIssueForm
from yichuang.hall.models import Hall, Ticket, TicketSource, TicketStatus, Window
from yichuang.hall.views_screens import issue_ticket


def _require_serve(request: HttpRequest) -> None:
    require_capability(request.user, "hall.serve", _("只有窗口工作人员可以使用叫号工作台"))


def _render_desk(request: HttpRequest, *, error: ApplicationError | None = None) -> HttpResponse:
    state = selectors.desk_state(request.user)
    status = 200
    if error is not None and not getattr(request, "htmx", False):
        status = error.status  # htmx swaps only 2xx answers; a plain form post shows the page either way
    current = state.current
    holder = (
        {
            "name": mask_name(current.holder_name),
            "id_number": mask_id_number(current.id_number),
            "phone": mask_phone(current.phone),
        }
        if current is not None
        else {}
    )
    context = {
        "state": state,
        "error": error,
        "holder": holder,
        "perms_issue": has_capability(request.user, "hall.issue"),
    }
    return render(request, "hall/desk.html", context, status=status)


@never_cache
@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    _require_serve(request)
    return _render_desk(request)


@never_cache
@login_required
@require_GET
def desk_partial(request: HttpRequest) -> HttpResponse:
    """The waiting queue and the day's counts, polled while the desk is open."""
    _require_serve(request)
    return render(request, "hall/partials/desk_queue.html", {"state": selectors.desk_state(request.user)})


@login_required
@require_POST
def desk_sign_in(request: HttpRequest) -> HttpResponse:
    _require_serve(request)
    window = Window.objects.filter(pk=_int(request.POST.get("window")), is_active=True).first()
    if window is None:
        return _render_desk(request, error=ApplicationError(_("请选择要签到的窗口"), code="invalid"))
    try:
        windows.window_sign_in(window=window, actor=request.user)
    except ApplicationError as error:
        return _render_desk(request, error=error)
    messages.success(request, _("已在%(window)s签到，开始服务") % {"window": window})
    return redirect("hall:desk")


def _int(value: Any) -> int:
    """A posted id, 0 (no row has it) when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _own_window(user: Any) -> Window:
    window = Window.objects.select_related("hall").filter(clerk=user).first()
    if window is None:
        raise ConflictError(_("您当前未在任何窗口签到，请先签到"), code="not_signed_in")
    return window


def _call(window: Window, user: Any, post: Any) -> str:
    ticket = calling.ticket_call_next(window=window, actor=user)
    if ticket is None:
        return _("当前没有等候本窗口的号码")
    return _("已叫号：请 %(number)s 号到 %(window)s 号窗口") % {
        "number": ticket.number,
        "window": window.number,
    }


def _recall(window: Window, user: Any, post: Any) -> str:
    ticket = calling.ticket_recall(window=window, actor=user)
    return _("已重呼 %(number)s") % {"number": ticket.number}


def _start(window: Window, user: Any, post: Any) -> str:
    ticket = calling.ticket_start(window=window, actor=user)
    return _("%(number)s 开始办理") % {"number": ticket.number}


def _skip(window: Window, user: Any, post: Any) -> str:
    ticket = calling.ticket_skip(window=window, actor=user)
    if ticket.status == TicketStatus.WAITING:
        return _("%(number)s 过号，已重新排队") % {"number": ticket.number}
    return _("%(number)s 再次过号，号码作废") % {"number": ticket.number}


def _transfer(window: Window, user: Any, post: Any) -> str:
    target = Window.objects.filter(pk=_int(post.get("to_window"))).first()
    if target is None:
        raise ApplicationError(
            _("请选择要转入的窗口"), code="invalid", fields={"to_window": [_("请选择要转入的窗口")]}
        )
    ticket = calling.ticket_transfer(window=window, actor=user, to_window=target, note=post.get("note", ""))
    return _("%(number)s 已转至%(window)s") % {"number": ticket.number, "window": target}


def _finish(window: Window, user: Any, post: Any) -> str:
    ticket = calling.ticket_finish(window=window, actor=user)
    return _("%(number)s 已办结，窗口屏已显示评价页") % {"number": ticket.number}


def _pause(window: Window, user: Any, post: Any) -> str:
    windows.window_pause(window=window, actor=user, reason=post.get("reason", ""))
    return _("窗口已暂停服务")


def _resume(window: Window, user: Any, post: Any) -> str:
    windows.window_resume(window=window, actor=user)
    return _("窗口已恢复服务")


def _hand_over(window: Window, user: Any, post: Any) -> str:
    to_clerk = User.objects.select_related("department").filter(pk=_int(post.get("to_clerk"))).first()
    if to_clerk is None:
        raise ApplicationError(
            _("请选择接班人员"), code="invalid", fields={"to_clerk": [_("请选择接班人员")]}
        )
    windows.window_hand_over(window=window, actor=user, to_clerk=to_clerk)
    return _("窗口已移交给%(clerk)s") % {"clerk": to_clerk}


def _sign_out(window: Window, user: Any, post: Any) -> str:
    windows.window_close(window=window, actor=user)
    return _("已签退，%(window)s已关闭") % {"window": window}


ACTIONS: dict[str, Callable[[Window, Any, Any], str]] = {
    "call": _call,
    "recall": _recall,
    "start": _start,
    "skip": _skip,
    "transfer": _transfer,
    "finish": _finish,
    "pause": _pause,
    "resume": _resume,
    "hand_over": _hand_over,
    "sign_out": _sign_out,
}


@login_required
@require_POST
def desk_action(request: HttpRequest, action: str) -> HttpResponse:
    _require_serve(request)
    act = ACTIONS.get(action)
    if act is None:
        raise NotFoundError(_("未找到该操作"))
    try:
        done = act(_own_window(request.user), request.user, request.POST)
    except ApplicationError as error:
        return _render_desk(request, error=error)
    messages.success(request, done)
    return redirect("hall:desk")


# ——— 取号 for a walk-in ———


def _issuing_hall(request: HttpRequest) -> Hall | None:
    own = Window.objects.select_related("hall").filter(clerk_id=request.user.pk).first()
    if own is not None:
        return own.hall
    return selectors.hall_for_screen(request.GET.get("hall") or request.POST.get("hall") or None)


@login_required
@require_http_methods(["GET", "POST"])
def desk_issue(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, "hall.issue", _("您没有为来访群众取号的权限"))
    hall = _issuing_hall(request)
    if hall is None:
        halls = [
            {"hall": h, "url": f"{reverse('hall:desk_issue')}?hall={h.code}"}
            for h in selectors.halls_active()
        ]
        return render(request, "hall/kiosk_choose.html", {"halls": halls, "title": _("窗口取号")})
    form = DeskIssueForm(request.POST if request.method == "POST" else None, hall=hall)
    if request.method == "POST" and form.is_valid():
        ticket: Ticket | None = issue_ticket(
            form,
            hall=hall,
            source=TicketSource.DESK,
            actor=request.user,
            holder_name=form.cleaned_data.get("holder_name") or "",
        )
        if ticket is not None:
            return redirect("hall:ticket_print", pk=ticket.pk)
    is_open, label = selectors.hall_hours(hall)
    return render(
        request,
        "hall/desk_issue.html",
        {"form": form, "hall": hall, "is_open": is_open, "hours_label": label},
        status=400 if form.errors else 200,
    )

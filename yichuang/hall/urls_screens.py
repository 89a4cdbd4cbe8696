"""URL patterns of the hall's screens (namespace "hall"): the kiosk and the printed ticket with its status
page, the display board, the counter screens, the clerk's calling desk and the applicant's 网上取号."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.hall import views_desk, views_screens

urlpatterns: list[URLPattern] = [
    # 自助取号 (public)
    path("hall/kiosk/", views_screens.kiosk, name="kiosk"),
    path("hall/kiosk/partial/", views_screens.kiosk_partial, name="kiosk_partial"),
    path("hall/<slug:hall_code>/kiosk/", views_screens.kiosk, name="kiosk_for"),
    path("hall/tickets/<int:pk>/print/", views_screens.ticket_print, name="ticket_print"),
    path("hall/tickets/<int:pk>/<str:token>/", views_screens.ticket_status, name="ticket_status"),
    # 叫号显示屏 and 窗口屏 (public)
    path("hall/board/", views_screens.board, name="board"),
    path("hall/board/partial/", views_screens.board_partial, name="board_partial"),
    path("hall/<slug:hall_code>/board/", views_screens.board, name="board_for"),
    path("hall/counter/<int:window_id>/", views_screens.counter, name="counter"),
    path("hall/counter/<int:window_id>/partial/", views_screens.counter_partial, name="counter_partial"),
    path("hall/counter/<int:window_id>/rating/", views_screens.counter_rating, name="counter_rating"),
    # 网上取号 (applicant)
    path("hall/my/ticket/", views_screens.portal_ticket, name="portal_ticket"),
    path("hall/my/tickets/", views_screens.portal_tickets, name="portal_tickets"),
    path("hall/my/tickets/<int:pk>/cancel/", views_screens.portal_ticket_cancel, name="portal_ticket_cancel"),
    # 叫号工作台 (staff)
    path("hall/desk/", views_desk.desk, name="desk"),
    path("hall/desk/partial/", views_desk.desk_partial, name="desk_partial"),
    path("hall/desk/sign-in/", views_desk.desk_sign_in, name="desk_sign_in"),
    path("hall/desk/issue/", views_desk.desk_issue, name="desk_issue"),
    path("hall/desk/<slug:action>/", views_desk.desk_action, name="desk_action"),
]

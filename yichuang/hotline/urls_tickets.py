"""The screens of 12345 tickets (included by ``yichuang.hotline.urls``, namespace ``hotline``)."""

from django.urls import path

from yichuang.hotline import views_tickets

urlpatterns = [
    path("hotline/intake/", views_tickets.intake, name="intake"),
    path("hotline/intake/assist/", views_tickets.intake_assist, name="intake_assist"),
    path("hotline/office/", views_tickets.office, name="office"),
    path("hotline/inbox/", views_tickets.inbox, name="inbox"),
    path("hotline/tickets/<int:ticket_id>/", views_tickets.ticket_detail, name="ticket_detail"),
    path(
        "hotline/tickets/<int:ticket_id>/<slug:action>/",
        views_tickets.ticket_action,
        name="ticket_action",
    ),
]

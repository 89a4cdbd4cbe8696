"""The card screens (included by ``yichuang.supervision.urls``, namespace ``supervision``)."""

from django.urls import path

from yichuang.supervision import views_cards

urlpatterns = [
    path("supervision/cards/", views_cards.card_list, name="card_list"),
    path("supervision/cards/sweep/", views_cards.card_sweep, name="card_sweep"),
    path("supervision/cards/<int:card_id>/", views_cards.card_detail, name="card_detail"),
    path("supervision/cards/<int:card_id>/answer/", views_cards.card_answer, name="card_answer"),
    path("supervision/cards/<int:card_id>/review/", views_cards.card_review, name="card_review"),
]

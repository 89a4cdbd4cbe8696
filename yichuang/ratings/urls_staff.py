"""The staff screens of 好差评 (included by ``yichuang.ratings.urls``, namespace ``ratings``)."""

from django.urls import path

from yichuang.ratings import views_staff

urlpatterns = [
    path("ratings/rectifications/", views_staff.rectification_list, name="rectification_list"),
    path(
        "ratings/rectifications/<int:rectification_id>/",
        views_staff.rectification_detail,
        name="rectification_detail",
    ),
    path(
        "ratings/rectifications/<int:rectification_id>/call-back/",
        views_staff.rectification_call_back,
        name="rectification_call_back",
    ),
    path(
        "ratings/rectifications/<int:rectification_id>/answer/",
        views_staff.rectification_answer,
        name="rectification_answer",
    ),
    path("ratings/evaluations/", views_staff.evaluation_list, name="evaluation_list"),
    path("ratings/evaluations/<int:evaluation_id>/appeal/", views_staff.appeal_new, name="appeal_new"),
    path("ratings/appeals/", views_staff.appeal_list, name="appeal_list"),
    path("ratings/appeals/<int:appeal_id>/", views_staff.appeal_detail, name="appeal_detail"),
    path("ratings/appeals/<int:appeal_id>/decide/", views_staff.appeal_decide, name="appeal_decide"),
    path("ratings/appeals/<int:appeal_id>/evidence/", views_staff.appeal_evidence, name="appeal_evidence"),
]

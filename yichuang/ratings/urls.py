from django.urls import include, path

from yichuang.ratings import views_kiosk, views_portal, views_public

app_name = "ratings"

urlpatterns = [
    # One-time links texted to the rater (一事一评 of a case; the rating of a rectification).
    path("ratings/r/<str:token>/", views_public.invitation, name="invitation"),
    # The rating form on a window's rating page posts here (一次一评).
    path("ratings/counter/<int:window_id>/", views_public.counter_rate, name="counter_rate"),
    # 掌上办: the applicant rates his own closed case from its page under 我的办件.
    path("my/cases/<int:case_id>/rate/", views_portal.case_rate, name="case_rate"),
    # 自助终端评价: find one's case or today's number, then rate it.
    path("ratings/kiosk/", views_kiosk.kiosk, name="kiosk"),
    path("", include("yichuang.ratings.urls_staff")),
    path("", include("yichuang.ratings.urls_figures")),
]

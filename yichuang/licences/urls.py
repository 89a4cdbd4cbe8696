"""E-licence screens, namespace "licences": public verification (what the QR code on a licence opens), the
published seals and the 免证办清单; the holder's library (我的证照, /my/licences/); the issuing departments'
list, licence page, 注销 and 变更 (/licences/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from yichuang.licences import urls_case, views_library, views_public, views_seals, views_staff

app_name = "licences"

urlpatterns: list[URLPattern] = [
    path("licences/verify/", views_public.verify, name="verify"),
    path("licences/seals/", views_public.seal_list, name="seals"),
    path("licences/seals/<int:seal_id>.svg", views_public.seal_svg, name="seal_svg"),
    path("licences/exemptions/", views_staff.exemptions, name="exemptions"),
    path("licences/seals/manage/", views_seals.seal_manage, name="seal_manage"),
    path("licences/seals/manage/<int:department_id>/", views_seals.seal_make, name="seal_make"),
    # 我的证照 (the holder)
    path("my/licences/", views_library.library, name="library"),
    path("my/licences/<int:licence_id>/", views_library.library_detail, name="library_detail"),
    path("my/licences/<int:licence_id>/pdf/", views_library.library_pdf, name="library_pdf"),
    path(
        "my/licences/<int:licence_id>/authorise/", views_library.library_authorise, name="library_authorise"
    ),
    path(
        "my/licences/<int:licence_id>/authorisations/<str:reference>/withdraw/",
        views_library.library_withdraw,
        name="library_withdraw",
    ),
    # 电子证照 (the issuing departments)
    path("licences/", views_staff.staff_list, name="staff_list"),
    path("licences/<int:licence_id>/", views_staff.staff_detail, name="staff_detail"),
    path("licences/<int:licence_id>/pdf/", views_staff.staff_pdf, name="staff_pdf"),
    path("licences/<int:licence_id>/revoke/", views_staff.staff_revoke, name="staff_revoke"),
    path("licences/<int:licence_id>/change/", views_staff.staff_change, name="staff_change"),
]
urlpatterns += urls_case.urlpatterns

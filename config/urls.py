from django.contrib import admin
from django.urls import include, path

from config.api import api
from yichuang.accounts import views as account_views
from yichuang.core.i18n import views as i18n_views

admin.site.site_header = "一窗 · 系统管理"
admin.site.site_title = "一窗系统管理"
admin.site.index_title = "政数局管理员"

urlpatterns = [
    path("", account_views.root, name="root"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # /healthz, /readyz, /metrics (answered earlier by yichuang.core.ops.middleware.OpsEndpointsMiddleware).
    path("", include("yichuang.core.ops.urls")),
    # Django's set_language (language cookie, back to ``next``), which also stores a logged-in user's choice.
    path("i18n/setlang/", i18n_views.language_set, name="set_language"),
    path("", include("yichuang.accounts.urls")),
    path("", include("yichuang.core.urls")),
    path("", include("yichuang.core.urls_a11y")),
    path("", include("yichuang.catalog.urls")),
    path("", include("yichuang.cases.urls")),
    path("", include("yichuang.licences.urls")),
    path("", include("yichuang.bundles.urls")),
    path("", include("yichuang.hall.urls")),
    path("", include("yichuang.ratings.urls")),
    path("", include("yichuang.hotline.urls")),
    path("", include("yichuang.supervision.urls")),
    path("", include("yichuang.portal.urls")),
]

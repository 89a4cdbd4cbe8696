"""The dispatch directory's and the dispatch classifier's screens, to be included in the ``hotline``
namespace (``hotline:directory_*``, ``hotline:classifier_*``)."""

from django.urls import path

from yichuang.hotline import views_directory

urlpatterns = [
    path("hotline/directory/", views_directory.directory_list, name="directory_list"),
    path("hotline/directory/new/", views_directory.directory_new, name="directory_new"),
    path("hotline/directory/<int:entry_id>/edit/", views_directory.directory_edit, name="directory_edit"),
    path(
        "hotline/directory/<int:entry_id>/deactivate/",
        views_directory.directory_deactivate,
        name="directory_deactivate",
    ),
    path(
        "hotline/directory/<int:entry_id>/activate/",
        views_directory.directory_activate,
        name="directory_activate",
    ),
    path("hotline/classifier/", views_directory.classifier_list, name="classifier_list"),
    path("hotline/classifier/train/", views_directory.classifier_train, name="classifier_train"),
    path("hotline/classifier/try/", views_directory.classifier_try, name="classifier_try"),
    path(
        "hotline/classifier/<int:classifier_id>/activate/",
        views_directory.classifier_activate,
        name="classifier_activate",
    ),
]

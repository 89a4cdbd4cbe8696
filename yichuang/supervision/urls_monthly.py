"""The monthly report."""

from django.urls import path, register_converter

from yichuang.supervision import views_reports


class _Format:
    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(_Format, "report_format")

urlpatterns = [
    path("supervision/reports/", views_reports.report_list, name="reports"),
    path(
        "supervision/reports/<int:year>-<int:month>.<report_format:fmt>",
        views_reports.report_file,
        name="report_file",
    ),
]

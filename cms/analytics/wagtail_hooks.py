"""Site analytics in the admin: one menu item 「アクセス解析」 for prefecture staff,
leading to the dashboard, its CSV export, the monthly report and the GA4 import."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.core.permissions import can_view_site_analytics

from . import views


class AnalyticsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_site_analytics(request.user)


@hooks.register("register_admin_menu_item")
def analytics_menu_item():
    return AnalyticsMenuItem(
        "アクセス解析",
        "/admin/analytics/",
        icon_name="table",
        order=240,
        name="analytics",
    )


@hooks.register("register_admin_urls")
def analytics_admin_urls():
    return [
        path("analytics/", views.DashboardView.as_view(), name="analytics_dashboard"),
        path(
            "analytics/csv/<str:table>.csv",
            views.CsvExportView.as_view(),
            name="analytics_csv",
        ),
        path(
            "analytics/report/<str:month>.<str:fmt>",
            views.MonthlyReportView.as_view(),
            name="analytics_report",
        ),
        path(
            "analytics/ga4/", views.Ga4ImportView.as_view(), name="analytics_ga4_import"
        ),
    ]

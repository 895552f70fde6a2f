"""The admin menu item 「サイトの公開」: the build history (read-only, Wagtail's
index and inspect views), the deploy target in use and 「サイトを再構築」."""

from django.contrib.auth.models import Permission
from django.urls import path
from wagtail import hooks
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.core.permissions import SiteBuildPolicy

from .models import BuildRun
from .views import (
    INSPECT_FIELDS,
    PAGE_TITLE,
    BuildRunIndexView,
    BuildRunInspectView,
    BuildStatusColumn,
    RebuildSiteView,
    duration_text,
    local_time,
    trigger_with_user,
)

# Registered here, where the admin first needs it: runs are written by builds
# only, so the policy grants "view" and nothing else.
register_permission_policy(BuildRun, SiteBuildPolicy(BuildRun))


class BuildRunViewSet(ModelViewSet):
    model = BuildRun
    name = "publishing"
    icon = "site"
    menu_label = PAGE_TITLE
    menu_order = 170
    add_to_admin_menu = True
    index_view_class = BuildRunIndexView
    inspect_view_class = BuildRunInspectView
    inspect_view_enabled = True
    inspect_view_fields = INSPECT_FIELDS
    copy_view_enabled = False
    index_template_name = "publishing/build_index.html"
    inspect_template_name = "publishing/build_inspect.html"
    list_per_page = 30
    list_filter = ["status", "trigger"]
    list_display = [
        TitleColumn(
            "created_at",
            label="受付日時",
            url_name="publishing:inspect",
            accessor=lambda run: local_time(run.created_at),
        ),
        Column("started_at", label="開始", accessor=lambda r: local_time(r.started_at)),
        Column("trigger", label="きっかけ", accessor=trigger_with_user),
        Column(
            "full",
            label="範囲",
            accessor=lambda r: "全体" if r.full else "変更分",
            classname="w-whitespace-nowrap",
        ),
        BuildStatusColumn(classname="w-whitespace-nowrap"),
        Column("duration", label="所要時間", accessor=duration_text),
        Column(
            "pages",
            label="描画／ページ数",
            accessor=lambda r: f"{r.pages_rendered} / {r.pages_total}",
        ),
        Column("files_written", label="書き込み"),
        Column("files_unchanged", label="変更なし"),
        Column("files_deleted", label="削除"),
        Column("files_uploaded", label="公開先へ送信"),
    ]

    def get_urlpatterns(self):
        # Only the read-only views: no add, edit, delete, history or usage pages.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("rebuild/", RebuildSiteView.as_view(), name="rebuild"),
        ]

    def get_permissions_to_register(self):
        # SiteBuildPolicy ignores model permissions; offering them in the group
        # editor would suggest otherwise.
        return Permission.objects.none()


@hooks.register("register_admin_viewset")
def register_build_run_viewset():
    return BuildRunViewSet()

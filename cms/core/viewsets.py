"""Admin screens for municipalities and consultation desks, built from Wagtail's own
snippet viewsets so they look and behave like the rest of the admin."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import ConsultationDesk, Municipality


class MunicipalityViewSet(SnippetViewSet):
    model = Municipality
    icon = "globe"
    menu_label = "市町村"
    list_display = ["name", "kana", "code", "kind", Column("slug", label="URL用の名前")]
    list_filter = ["kind"]
    search_fields = ["name", "kana", "code"]
    ordering = ["sort_order", "code"]
    list_per_page = 50
    list_export = ["code", "code5", "name", "kana", "slug", "kind", "website"]
    export_filename = "municipalities"


class ScopedObjectMixin:
    """Refuse objects outside the user's municipalities even when the URL is typed in."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, ["change", "delete", "view"], obj
        ):
            raise PermissionDenied
        return obj


class ScopedIndexView(snippet_views.IndexView):
    def get_base_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["change", "delete", "view"]
        ).select_related("municipality")


class ConsultationDeskViewSet(SnippetViewSet):
    model = ConsultationDesk
    icon = "user"
    menu_label = "相談窓口"
    list_display = ["name", "municipality", "department", "phone"]
    list_filter = ["municipality"]
    search_fields = ["name", "department"]
    list_export = [
        "municipality",
        "name",
        "department",
        "phone",
        "email",
        "postal_code",
        "address",
        "opening_hours",
        "url",
    ]
    export_filename = "consultation_desks"
    index_view_class = ScopedIndexView
    edit_view_class = type("EditView", (ScopedObjectMixin, snippet_views.EditView), {})
    delete_view_class = type(
        "DeleteView", (ScopedObjectMixin, snippet_views.DeleteView), {}
    )
    usage_view_class = type(
        "UsageView", (ScopedObjectMixin, snippet_views.UsageView), {}
    )
    history_view_class = type(
        "HistoryView", (ScopedObjectMixin, snippet_views.HistoryView), {}
    )


class MunicipalityGroup(SnippetViewSetGroup):
    items = (MunicipalityViewSet, ConsultationDeskViewSet)
    menu_icon = "globe"
    menu_label = "市町村と窓口"
    menu_name = "municipalities"
    menu_order = 210

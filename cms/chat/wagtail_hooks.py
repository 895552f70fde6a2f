"""The chatbot's place in the admin: one menu 「チャットボット」 with the answers
(municipality editors see their own town's), categories, synonyms, the
conversation log, CSV import and the analytics page (staff)."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.core.permissions import can_run_chatbot
from cms.core.viewsets import ScopedIndexView, ScopedObjectMixin

from . import views
from .models import ChatTurn, FaqAnswer, FaqCategory, FaqSynonym


class FaqAnswerIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("category")


class FaqAnswerViewSet(SnippetViewSet):
    model = FaqAnswer
    icon = "help"
    menu_label = "FAQ回答"
    list_display = [
        "question",
        "key",
        "category",
        "municipality",
        "active",
        "updated_at",
    ]
    list_filter = ["category", "municipality", "active"]
    search_fields = ["question", "alternatives", "key"]
    list_per_page = 50
    index_view_class = FaqAnswerIndexView
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


class FaqCategoryViewSet(SnippetViewSet):
    model = FaqCategory
    icon = "folder-open-inverse"
    menu_label = "FAQカテゴリ"
    list_display = ["name", "button_label", "sort_order", "show_button"]


class FaqSynonymViewSet(SnippetViewSet):
    model = FaqSynonym
    icon = "list-ul"
    menu_label = "同義語"
    list_display = ["term", Column("variants", label="同じ意味の言葉"), "active"]
    search_fields = ["term", "variants"]


class ChatTurnViewSet(SnippetViewSet):
    """The conversation log, read-only: what was asked and what was shown."""

    model = ChatTurn
    icon = "comment"
    menu_label = "会話ログ"
    list_display = [
        "query",
        "outcome",
        "answer_key",
        "confidence",
        "feedback",
        "created_at",
    ]
    list_filter = ["outcome", "feedback"]
    search_fields = ["query"]
    inspect_view_enabled = True
    list_per_page = 100
    list_export = [
        "created_at",
        "query",
        "outcome",
        "answer_key",
        "confidence",
        "suggestions",
        "feedback",
    ]
    export_filename = "chat_log"


class ChatbotGroup(SnippetViewSetGroup):
    items = (FaqAnswerViewSet, FaqCategoryViewSet, FaqSynonymViewSet, ChatTurnViewSet)
    menu_icon = "comment"
    menu_label = "チャットボット"
    menu_name = "chatbot"
    menu_order = 220
    submenu_hook = "register_chat_menu_item"


register_snippet(ChatbotGroup)


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_run_chatbot(request.user)


@hooks.register("register_chat_menu_item")
def chat_import_menu_item():
    return StaffMenuItem(
        "CSVの取り込み", "/admin/chat/import/", icon_name="upload", order=10
    )


@hooks.register("register_chat_menu_item")
def chat_analytics_menu_item():
    return StaffMenuItem(
        "分析と月次報告", "/admin/chat/analytics/", icon_name="table", order=11
    )


@hooks.register("register_admin_urls")
def chat_admin_urls():
    return [
        path("chat/import/", views.FaqImportView.as_view(), name="chat_faq_import"),
        path("chat/export.csv", views.FaqExportView.as_view(), name="chat_faq_export"),
        path("chat/analytics/", views.AnalyticsView.as_view(), name="chat_analytics"),
        path(
            "chat/analytics/log.csv",
            views.AnalyticsCsvView.as_view(),
            name="chat_analytics_csv",
        ),
        path(
            "chat/analytics/add-phrasing/",
            views.AddPhrasingView.as_view(),
            name="chat_add_phrasing",
        ),
        path(
            "chat/report/<str:month>.<str:fmt>",
            views.MonthlyReportView.as_view(),
            name="chat_report",
        ),
    ]

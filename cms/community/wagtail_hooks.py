"""The admin's 「コミュニティ」 menu (community managers and prefecture staff):
rooms, posts and comments (filter held or reported ones; a status change is a
moderation action with its reason, notification and log entry), reports, NG words,
blocks, 炎上 alerts, members, the monthly report; staff alone edit stamps and the
rules, where saving makes a new version members must accept."""

from django import forms
from django.conf import settings
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.japanese import PREFECTURE_NAMES
from cms.core.permissions import is_community_manager
from cms.mailing.models import AgeBand

from . import admin_views, oplog, services
from .models import (
    Comment,
    FlameAlert,
    MemberBlock,
    MemberProfile,
    NgWord,
    Post,
    Relation,
    Report,
    Room,
    RulesVersion,
    Stamp,
    Status,
    Survey,
)

STATUS_ACTIONS = {
    Status.HIDDEN: "hide",
    Status.DELETED: "delete",
    Status.PUBLISHED: "restore",
}


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_community_manager(request.user)


class RoomCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        return instance


class RoomViewSet(ModelViewSet):
    model = Room
    icon = "group"
    menu_label = "部屋"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = [
        "name",
        "slug",
        "description",
        "visibility",
        "municipality",
        "is_open",
        "sort_order",
    ]
    list_display = [
        "name",
        Column("visibility", label="公開範囲", accessor="get_visibility_display"),
        "is_open",
        "sort_order",
    ]
    list_filter = ["visibility", "is_open"]
    search_fields = ["name", "description"]
    search_backend_name = None
    add_view_class = RoomCreateView


class ModerationEditView(EditView):
    """Saving a new status moderates through ``services`` (reason to the author,
    reports resolved, operation log); the plain fields save as usual."""

    def save_instance(self):
        changed = self.form.changed_data
        new_status = self.form.cleaned_data.get("status")
        reason = self.form.cleaned_data.get("moderation_reason") or ""
        instance = self.form.save(commit=False)
        if "status" in changed:
            old = type(instance).objects.get(pk=instance.pk)
            action = STATUS_ACTIONS.get(new_status)
            if old.status == Status.HELD and new_status == Status.PUBLISHED:
                action = "approve"
            instance.status = old.status
            if "is_pinned" in changed:
                type(instance).objects.filter(pk=instance.pk).update(
                    is_pinned=instance.is_pinned
                )
            if action:
                services.moderate(old, action, reason, self.request.user)
            return type(instance).objects.get(pk=instance.pk)
        instance.save()
        return instance


class PostViewSet(ModelViewSet):
    model = Post
    icon = "comment"
    menu_label = "投稿"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["status", "moderation_reason", "is_pinned"]
    list_display = [
        "title",
        Column("room", label="部屋"),
        Column("status", label="状態", accessor="get_status_display"),
        "report_count",
        "comment_count",
        "reaction_count",
        DateColumn("created_at", label="投稿日時"),
    ]
    list_filter = ["status", "room", "is_pinned"]
    search_fields = ["title", "body"]
    search_backend_name = None
    ordering = ["-report_count", "-created_at"]
    edit_view_class = ModerationEditView
    inspect_view_fields = [
        "room",
        "title",
        "body",
        "shared_page",
        "municipalities",
        "author",
        "voice",
        "status",
        "held_words",
        "moderation_reason",
        "moderated_by",
        "moderated_at",
        "report_count",
        "created_at",
    ]

    def get_queryset(self, request):
        return Post.objects.select_related("room")


class CommentViewSet(ModelViewSet):
    model = Comment
    icon = "comment"
    menu_label = "コメント"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["status", "moderation_reason"]
    list_display = [
        Column("body", label="本文", accessor="__str__"),
        Column("post", label="投稿"),
        Column("status", label="状態", accessor="get_status_display"),
        "report_count",
        DateColumn("created_at", label="投稿日時"),
    ]
    list_filter = ["status"]
    search_fields = ["body"]
    search_backend_name = None
    ordering = ["-report_count", "-created_at"]
    edit_view_class = ModerationEditView

    def get_queryset(self, request):
        return Comment.objects.select_related("post")


class ReportViewSet(ModelViewSet):
    model = Report
    icon = "warning"
    menu_label = "通報"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["note"]
    list_display = [
        Column("target", label="対象"),
        Column("reason", label="理由", accessor="get_reason_display"),
        DateColumn("created_at", label="通報日時"),
        DateColumn("resolved_at", label="対応日時"),
    ]
    list_filter = ["reason"]
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return Report.objects.select_related("post", "comment")


class NgWordViewSet(ModelViewSet):
    model = NgWord
    icon = "cross"
    menu_label = "NGワード"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["word", "is_active", "note"]
    list_display = ["word", "is_active", "note"]
    search_fields = ["word"]
    search_backend_name = None


class BlockEditView(EditView):
    """Lifting a block here is the same act as on the public page: the time and
    who did it come from ``services.unblock``, with its log entry. A lifted
    block stays lifted (a new block is a new row)."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        old = MemberBlock.objects.get(pk=instance.pk)
        MemberBlock.objects.filter(pk=old.pk).update(reason=instance.reason)
        if old.lifted_at is None and instance.lifted_at is not None:
            services.unblock(old, self.request.user)
        return MemberBlock.objects.get(pk=old.pk)


class AlertEditView(EditView):
    """Acknowledging an alert here records who did it and logs it, as the
    public 対応待ち page does."""

    def save_instance(self):
        old = FlameAlert.objects.get(pk=self.object.pk)
        if self.form.cleaned_data.get("acknowledged_at"):
            services.acknowledge_alert(old, self.request.user)
        return FlameAlert.objects.get(pk=old.pk)


class MemberBlockViewSet(ModelViewSet):
    model = MemberBlock
    icon = "lock"
    menu_label = "利用停止"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["reason", "lifted_at"]
    list_display = [
        Column("member", label="メンバー"),
        "reason",
        DateColumn("created_at", label="開始"),
        DateColumn("lifted_at", label="解除"),
    ]
    edit_view_class = BlockEditView


class FlameAlertViewSet(ModelViewSet):
    model = FlameAlert
    icon = "warning"
    menu_label = "炎上アラート"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["acknowledged_at"]
    list_display = [
        Column("post", label="投稿"),
        "cause",
        DateColumn("created_at", label="発生"),
        DateColumn("acknowledged_at", label="確認"),
    ]
    edit_view_class = AlertEditView


def public_url(name: str, *args) -> str:
    """A community page on the public side (not in the admin's URLs)."""
    return settings.PORTAL_SITE_URL + reverse(
        f"community:{name}", args=args, urlconf=settings.ROOT_URLCONF
    )


class MemberColumns:
    @staticmethod
    def block(profile):
        return format_html(
            '<a href="{}">利用停止・解除（公開画面）</a>',
            public_url("block", profile.user_id),
        )


class MemberViewSet(ModelViewSet):
    model = MemberProfile
    icon = "user"
    menu_label = "メンバー"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    form_fields = ["nickname", "bio"]
    list_display = [
        "nickname",
        Column("relation", label="地域との関わり", accessor="get_relation_display"),
        Column("confirmed", label="確認済み", accessor="is_confirmed"),
        DateColumn("created_at", label="登録日"),
        Column("block", label="利用停止", accessor=MemberColumns.block),
    ]
    list_filter = ["relation"]
    search_fields = ["nickname"]
    search_backend_name = None


class StampViewSet(ModelViewSet):
    model = Stamp
    icon = "pick"
    menu_label = "スタンプ"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["symbol", "label", "is_active", "sort_order"]
    list_display = ["symbol", "label", "is_active", "sort_order"]


class RulesEditView(EditView):
    """Editing the rules publishes a new version; the accepted one stays as it was."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.pk = None
        instance.published_at = timezone.now()
        instance.created_by = self.request.user
        instance.save()
        _log_rules(instance, self.request.user)
        return instance


class RulesCreateView(CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        _log_rules(instance, self.request.user)
        return instance


def _log_rules(instance, user):
    oplog.record(instance, oplog.RULES_PUBLISHED, user=user, label=str(instance))


class RulesViewSet(ModelViewSet):
    model = RulesVersion
    icon = "doc-full"
    menu_label = "利用規約"
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["title", "body"]
    list_display = ["title", DateColumn("published_at", label="施行日時")]
    edit_view_class = RulesEditView
    add_view_class = RulesCreateView


class SurveyForm(WagtailAdminModelForm):
    """Targets as check boxes (kept as lists): empty means everyone."""

    target_relations = forms.MultipleChoiceField(
        label="対象の地域との関わり（選ばなければ全員）",
        choices=Relation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_age_bands = forms.MultipleChoiceField(
        label="対象の年代（選ばなければ全員）",
        choices=AgeBand.choices[1:],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_prefectures = forms.MultipleChoiceField(
        label="対象のお住まい（選ばなければ全員）",
        choices=[(name, name) for name in PREFECTURE_NAMES],
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


Survey.base_form_class = SurveyForm


class SurveyColumns:
    @staticmethod
    def results(survey):
        return format_html(
            '<a href="{}">結果（{}件）</a>',
            reverse("community_survey_results:index", args=[survey.pk]),
            survey.responses.count(),
        )


class SurveyViewSet(ModelViewSet):
    model = Survey
    icon = "list-ul"
    menu_label = "アンケート"
    add_to_admin_menu = False
    copy_view_enabled = True
    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("room"),
                FieldPanel("target_relations"),
                FieldPanel("target_age_bands"),
                FieldPanel("target_prefectures"),
            ],
            heading="対象",
        ),
        MultiFieldPanel(
            [
                FieldPanel("opens_at"),
                FieldPanel("closes_at"),
                FieldPanel("is_published"),
            ],
            heading="受付",
        ),
        InlinePanel("questions", heading="質問", label="質問", min_num=1),
    ]
    list_display = [
        "title",
        Column("room", label="対象の部屋"),
        "is_published",
        DateColumn("opens_at", label="受付開始"),
        DateColumn("closes_at", label="受付終了"),
        Column("results", label="結果", accessor=SurveyColumns.results),
    ]


class SurveyResultsViewSet(ViewSet):
    name = "community_survey_results"
    url_prefix = "community_survey_results"

    def get_urlpatterns(self):
        return [
            path("<int:pk>/", admin_views.SurveyResultsView.as_view(), name="index")
        ]


def manager_view(name, label, icon, view, order):
    class ManagerViewSet(ViewSet):
        menu_item_class = ManagerMenuItem

        def get_urlpatterns(self):
            return [path("", view.as_view(), name="index")]

    return ManagerViewSet(name=name, menu_label=label, icon=icon, menu_order=order)


class PublicQueueLink(ViewSet):
    """The managers' 対応待ち page lives on the public side (it is their phone's
    tool too); the admin links to it on the public site."""

    menu_item_class = ManagerMenuItem

    @property
    def menu_url(self):
        return public_url("moderation")

    def get_urlpatterns(self):
        return []


class CommunityMenu(ViewSetGroup):
    menu_label = "コミュニティ"
    menu_icon = "group"
    menu_order = 260
    items = (
        PublicQueueLink(
            "community_queue", menu_label="対応待ち（公開画面）", icon="warning"
        ),
        manager_view(
            "community_report",
            "月次レポート",
            "table",
            admin_views.MonthlyReportView,
            1,
        ),
        RoomViewSet("community_rooms"),
        PostViewSet("community_posts"),
        CommentViewSet("community_comments"),
        ReportViewSet("community_reports"),
        FlameAlertViewSet("community_alerts"),
        NgWordViewSet("community_ngwords"),
        MemberBlockViewSet("community_blocks"),
        MemberViewSet("community_members"),
        StampViewSet("community_stamps"),
        RulesViewSet("community_rules"),
        SurveyViewSet("community_surveys"),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: is_community_manager(request.user)
        return item


@hooks.register("register_admin_viewset")
def register_community_menu():
    return [CommunityMenu(), SurveyResultsViewSet()]


@hooks.register("register_log_actions")
def register_community_log_actions(actions):
    for action, (label, message) in oplog.ACTIONS.items():
        actions.register_action(action, label, message)

"""The admin's 「メール配信」 menu (prefecture staff and 「メール配信担当」): campaigns,
subscribers, segments with a rule builder and live count, templates, bounces,
CSV import/export, the deliverability check and the monthly summary."""

import json

from django import forms
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.permissions import can_manage_mailing

from . import admin_views, oplog
from .models import (
    AttributeDefinition,
    Bounce,
    Campaign,
    Interest,
    MailTemplate,
    Segment,
    Subscriber,
)


class RuleBuilderWidget(forms.Widget):
    """Edits a segment's rule tree: conditions joined by すべて/いずれか, groups
    one level deep (each can be negated), and the live count of matching people.
    The LINE friend segments use it too, with their own field set and count URL
    (``fields``, ``count_url``, ``count_text``)."""

    def __init__(
        self,
        attrs=None,
        fields=None,
        count_url="mailing_segment_count",
        count_text="配信中の該当者: {count}人（停止中を含め {all}人）",
    ):
        super().__init__(attrs)
        self.fields, self.count_url, self.count_text = fields, count_url, count_text

    def render(self, name, value, attrs=None, renderer=None):
        from .segments import field_catalogue

        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                value = None
        return render_to_string(
            "mailing/admin/rule_builder.html",
            {
                "name": name,
                "id": (attrs or {}).get("id", f"id_{name}"),
                "value": json.dumps(
                    value or {"op": "and", "rules": []}, ensure_ascii=False
                ),
                "catalogue": json.dumps(
                    field_catalogue(self.fields() if self.fields else None),
                    ensure_ascii=False,
                ),
                "count_url": reverse(self.count_url),
                "count_text": self.count_text,
            },
        )

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class MailingMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_mailing(request.user)


def staff_viewset(name, label, icon, view, order):
    class StaffViewSet(ViewSet):
        menu_item_class = MailingMenuItem

        def get_urlpatterns(self):
            return [path("", view.as_view(), name="index")]

    return StaffViewSet(name=name, menu_label=label, icon=icon, menu_order=order)


class CampaignEditView(EditView):
    def dispatch(self, request, *args, **kwargs):
        campaign = self.model.objects.filter(pk=kwargs.get("pk")).first()
        if campaign is not None and not campaign.is_editable:
            return redirect("mailing_campaign_detail", pk=campaign.pk)
        return super().dispatch(request, *args, **kwargs)


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = "キャンペーン"
    add_to_admin_menu = False
    copy_view_enabled = True
    edit_view_class = CampaignEditView
    list_display = [
        Column(
            "name",
            label="名前",
            accessor=lambda c: format_html(
                '<a href="{}">{}</a>',
                reverse("mailing_campaign_detail", args=[c.pk]),
                c.name,
            ),
        ),
        "subject",
        Column("segment", label="送信先", accessor=lambda c: c.segment or "全員"),
        Column("status", label="状態", accessor="get_status_display"),
        DateColumn("scheduled_at", label="送信予定"),
        DateColumn("finished_at", label="送信完了"),
    ]
    list_filter = ["status"]
    search_fields = ["name", "subject"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldPanel("subject"),
        MultiFieldPanel(
            [FieldPanel("from_name"), FieldPanel("reply_to")], heading="差出人"
        ),
        FieldPanel("segment"),
        FieldPanel("template"),
        FieldPanel("body_format"),
        FieldPanel("body_markdown"),
        FieldPanel("body_richtext"),
        FieldPanel("track_opens"),
        FieldPanel("throttle_per_second"),
    ]

    def get_queryset(self, request):
        return Campaign.objects.select_related("segment")


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "user"
    menu_label = "配信先"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "email",
        "name",
        "prefecture",
        Column(
            "age",
            label="年代",
            accessor=lambda s: (
                s.get_age_band_display() if not s.birth_year else f"{s.birth_year}年生"
            ),
        ),
        Column("status", label="状態", accessor="get_status_display"),
        DateColumn("created_at", label="登録日"),
    ]
    list_filter = ["status", "prefecture", "gender", "consent_method", "interests"]
    search_fields = ["email", "name", "municipality", "source_event"]
    search_backend_name = None
    list_per_page = 100
    panels = [
        FieldPanel("email"),
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("prefecture"),
                FieldPanel("municipality"),
                FieldPanel("birth_year"),
                FieldPanel("age_band"),
                FieldPanel("gender"),
                FieldPanel("interests", widget=forms.CheckboxSelectMultiple),
                FieldPanel("source_event"),
                FieldPanel("attributes"),
            ],
            heading="属性",
        ),
        FieldPanel("status"),
        MultiFieldPanel(
            [
                FieldPanel("consent_at"),
                FieldPanel("consent_method"),
                FieldPanel("consent_ip"),
                FieldPanel("consent_note"),
            ],
            heading="同意の記録（特定電子メール法）",
        ),
    ]


class SegmentViewSet(ModelViewSet):
    model = Segment
    icon = "filter"
    menu_label = "セグメント"
    add_to_admin_menu = False
    list_display = [
        "name",
        Column("rules", label="条件", accessor="describe"),
        Column(
            "count",
            label="配信中の人数",
            accessor=lambda s: s.subscribers().filter(status="active").count(),
        ),
    ]
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("rules", widget=RuleBuilderWidget),
    ]


class MailTemplateViewSet(ModelViewSet):
    model = MailTemplate
    icon = "doc-full"
    menu_label = "テンプレート"
    add_to_admin_menu = False
    list_display = ["name", "is_default"]
    form_fields = ["name", "header", "footer", "is_default"]


class BounceViewSet(ModelViewSet):
    model = Bounce
    icon = "warning"
    menu_label = "不達・苦情"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        "email",
        Column("kind", label="種類", accessor="get_kind_display"),
        "status_code",
        Column("reason", label="理由", accessor="reason"),
        DateColumn("received_at", label="受信日時"),
    ]
    list_filter = ["kind", "source"]
    search_fields = ["email", "diagnostic"]
    search_backend_name = None
    form_fields = ["email", "kind", "status_code", "diagnostic"]


class InterestViewSet(ModelViewSet):
    model = Interest
    icon = "tag"
    menu_label = "関心の選択肢"
    add_to_admin_menu = False
    form_fields = ["name", "sort_order"]
    list_display = ["name", "sort_order"]


class AttributeDefinitionViewSet(ModelViewSet):
    model = AttributeDefinition
    icon = "list-ul"
    menu_label = "独自属性"
    add_to_admin_menu = False
    form_fields = ["key", "label", "kind", "choices"]
    list_display = ["label", "key", "kind"]


class MailingMenu(ViewSetGroup):
    menu_label = "メール配信"
    menu_icon = "mail"
    menu_order = 260
    items = (
        CampaignViewSet("mailing_campaigns"),
        SubscriberViewSet("mailing_subscribers"),
        SegmentViewSet("mailing_segments"),
        MailTemplateViewSet("mailing_templates"),
        BounceViewSet("mailing_bounces"),
        staff_viewset("mailing_import", "CSV取込", "upload", admin_views.ImportView, 6),
        staff_viewset(
            "mailing_export", "CSV出力", "download", admin_views.ExportView, 7
        ),
        staff_viewset(
            "mailing_deliverability",
            "到達性チェック",
            "success",
            admin_views.DeliverabilityView,
            8,
        ),
        staff_viewset(
            "mailing_monthly", "月次集計", "table", admin_views.MonthlySummaryView, 9
        ),
        InterestViewSet("mailing_interests"),
        AttributeDefinitionViewSet("mailing_attributes"),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: can_manage_mailing(request.user)
        return item


@hooks.register("register_admin_viewset")
def register_mailing_menu():
    return MailingMenu()


@hooks.register("register_admin_urls")
def register_mailing_urls():
    return [
        path(
            "mailing/segment-count/",
            admin_views.SegmentCountView.as_view(),
            name="mailing_segment_count",
        ),
        path(
            "mailing/campaign/<int:pk>/",
            admin_views.CampaignDetailView.as_view(),
            name="mailing_campaign_detail",
        ),
        path(
            "mailing/campaign/<int:pk>/preview/",
            admin_views.CampaignPreviewView.as_view(),
            name="mailing_campaign_preview",
        ),
        path(
            "mailing/campaign/<int:pk>/progress/",
            admin_views.CampaignProgressView.as_view(),
            name="mailing_campaign_progress",
        ),
        path(
            "mailing/campaign/<int:pk>/report/",
            admin_views.CampaignReportView.as_view(),
            name="mailing_campaign_report",
        ),
    ]


@hooks.register("register_log_actions")
def register_mailing_log_actions(actions):
    for action, (label, message) in oplog.ACTIONS.items():
        actions.register_action(action, label, message)

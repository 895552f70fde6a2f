"""The admin's 「関係人口」 menu (関係人口担当 and prefecture staff): members,
host organisations, programs, applications, exchange meetings with attendance,
transport-subsidy review, SNS follower counts, and the KPI page with the
handover exports. Hosts do not use the admin: their pages are /ties/host/."""

from django import forms
from django.forms import modelform_factory
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import PageStatusColumn, PageTitleColumn
from wagtail.admin.views.generic import EditView
from wagtail.admin.views.pages.listing import IndexView as PageIndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageListingViewSet

from cms.core.permissions import (
    is_ties_host_only,
    is_ties_staff,
    ties_programs_for_user,
)

from . import admin_views, members, services
from .fields import TagsField
from .models import (
    Application,
    ExchangeMeeting,
    HostOrganisation,
    Involvement,
    MeetingRegistration,
    ProgramPage,
    SnsFollowerCount,
    SubsidyApplication,
    TiesMember,
)


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_ties_staff(request.user)


class TiesViewSet(ModelViewSet):
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True

    def formfield_for_dbfield(self, db_field, **kwargs):
        # Lists of words are typed as 「農業、デザイン」, not as JSON.
        if db_field.name in ("skills", "skills_wanted", "interests"):
            return TagsField(label=db_field.verbose_name)
        if db_field.name == "involvements":
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                choices=Involvement.choices,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        return super().formfield_for_dbfield(db_field, **kwargs)


class MemberEditView(EditView):
    """Staff changes (status, profile) keep the mail segment in step."""

    def save_instance(self):
        instance = super().save_instance()
        members.sync_subscriber(instance)
        return instance


class MemberViewSet(TiesViewSet):
    model = TiesMember
    edit_view_class = MemberEditView
    icon = "user"
    menu_label = "メンバー"
    form_fields = [
        "name",
        "prefecture",
        "skills",
        "interests",
        "regions",
        "involvements",
        "availability",
        "status",
    ]
    list_display = [
        "name",
        "prefecture",
        Column("status", label="状態", accessor="get_status_display"),
        DateColumn("created_at", label="登録日時"),
    ]
    list_filter = ["status"]
    search_fields = ["name"]


class HostViewSet(TiesViewSet):
    model = HostOrganisation
    icon = "group"
    menu_label = "受入団体"
    form_fields = ["name", "municipality", "contact_email", "description", "users"]
    list_display = ["name", "municipality", "contact_email"]


class ProgramListingView(PageIndexView):
    """Every program page (drafts too) for 関係人口担当; a host's user sees their
    own organisations' only."""

    def get_base_queryset(self):
        return ties_programs_for_user(self.request.user, super().get_base_queryset())


class ProgramListingViewSet(PageListingViewSet):
    """受入プログラム are pages (cms.ties.models.ProgramPage): this is their flat
    list; adding asks for the municipality's folder, editing is the page editor."""

    model = ProgramPage
    index_view_class = ProgramListingView
    icon = "doc-full"
    menu_label = "受入プログラム"
    add_to_admin_menu = False
    list_display = [
        # Wagtail's page title cell: the title links to the page editor.
        PageTitleColumn("title", label="タイトル", sort_key="title", classname="title"),
        Column("municipality", label="市町村"),
        Column("host", label="受入団体"),
        Column("status", label="募集の状態", accessor="get_status_display"),
        DateColumn("deadline", label="申込締切"),
        PageStatusColumn("live_status", label="公開"),
    ]
    list_filter = ["status", "host"]


class HostProgramsMenuItem(MenuItem):
    def is_shown(self, request):
        return is_ties_host_only(request.user)


class ApplicationViewSet(TiesViewSet):
    model = Application
    icon = "mail"
    menu_label = "申込み"
    form_fields = ["status"]
    list_display = [
        Column("program", label="プログラム"),
        Column("member", label="メンバー"),
        Column("status", label="状態", accessor="get_status_display"),
        "is_repeat",
        DateColumn("created_at", label="申込日時"),
    ]
    list_filter = ["status", "is_repeat"]


class MeetingViewSet(TiesViewSet):
    model = ExchangeMeeting
    icon = "date"
    menu_label = "交流会"
    form_fields = [
        "title",
        "description",
        "municipality",
        "starts_at",
        "online",
        "place",
        "capacity",
        "is_open",
    ]
    list_display = ["title", DateColumn("starts_at", label="開始日時"), "capacity"]


class RegistrationViewSet(TiesViewSet):
    model = MeetingRegistration
    icon = "tick"
    menu_label = "交流会の出欠"
    form_fields = ["attended"]
    list_display = [
        Column("meeting", label="交流会"),
        Column("member", label="メンバー"),
        "attended",
    ]
    list_filter = ["meeting", "attended"]


class SubsidyReviewForm(WagtailAdminModelForm):
    """A result the applicant is mailed must say why when it is not a yes."""

    def clean(self):
        data = super().clean()
        if (
            data.get("status") in ("returned", "rejected")
            and not (data.get("review_note") or "").strip()
        ):
            self.add_error(
                "review_note",
                "審査のメモ: 差し戻し・不交付の理由を入力してください"
                "（申請者へのメールに載ります）。",
            )
        return data


class SubsidyReviewView(EditView):
    """Saving a review records who reviewed and when, and mails a decision to
    the applicant (``services.review_subsidy``)."""

    def save_instance(self):
        instance = self.form.save(commit=False)
        return services.review_subsidy(
            instance, instance.status, self.request.user, instance.review_note
        )


class SubsidyViewSet(TiesViewSet):
    model = SubsidyApplication
    edit_view_class = SubsidyReviewView
    icon = "form"
    menu_label = "交通費補助の審査"
    form_fields = ["status", "amount_yen", "review_note"]
    list_display = [
        Column("member", label="メンバー"),
        DateColumn("trip_date", label="来県日"),
        "cost_yen",
        "amount_yen",
        Column("status", label="状態", accessor="get_status_display"),
    ]
    list_filter = ["status"]

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=SubsidyReviewForm,
            fields=self.form_fields,
            formfield_callback=self.formfield_for_dbfield,
        )


class SnsViewSet(TiesViewSet):
    model = SnsFollowerCount
    icon = "pick"
    menu_label = "SNSフォロワー数"
    form_fields = ["month", "platform", "followers"]
    list_display = ["platform", "month", "followers"]


class KpiViewSet(ViewSet):
    menu_item_class = StaffMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.KpiView.as_view(), name="index"),
            path(
                "export/<str:name>.<str:fmt>",
                admin_views.ExportView.as_view(),
                name="export",
            ),
        ]


class TiesMenu(ViewSetGroup):
    menu_label = "関係人口"
    menu_icon = "site"
    menu_order = 270
    items = (
        KpiViewSet("ties_kpis", menu_label="KPI・エクスポート", icon="table"),
        MemberViewSet("ties_members"),
        HostViewSet("ties_hosts"),
        ProgramListingViewSet("ties_programs"),
        ApplicationViewSet("ties_applications"),
        MeetingViewSet("ties_meetings"),
        RegistrationViewSet("ties_registrations"),
        SubsidyViewSet("ties_subsidies"),
        SnsViewSet("ties_sns"),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: is_ties_staff(request.user)
        return item


@hooks.register("register_admin_viewset")
def register_ties_menu():
    return TiesMenu()


@hooks.register("register_admin_menu_item")
def register_host_programs_menu_item():
    # A host's user has no 関係人口 menu: only their programs.
    return HostProgramsMenuItem(
        "受入プログラム",
        reverse("ties_programs:index"),
        icon_name="doc-full",
        order=271,
    )


@hooks.register("construct_explorer_page_queryset")
def hide_other_hosts_programs(parent_page, pages, request):
    return ties_programs_for_user(request.user, pages)

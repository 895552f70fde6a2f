"""The admin's 「施設予約」 menu, for 「施設予約担当」 only: the staff screens of
``admin_views`` and Wagtail viewsets for facilities, units, equipment, purposes,
opening calendars, bookings and residents; and the operation log's action names."""

from django.urls import path
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import DeleteView, EditView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.permissions import can_manage_reservations

from . import admin_views, oplog
from .models import (
    Booking,
    BookingUnit,
    CalendarDay,
    Equipment,
    Facility,
    LotteryDraw,
    LotteryEntry,
    Resident,
    UsagePurpose,
)
from .services import delete_resident


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_reservations(request.user)


def staff_viewset(name, label, icon, view, order):
    class StaffViewSet(ViewSet):
        menu_item_class = StaffMenuItem

        def get_urlpatterns(self):
            return [path("", view.as_view(), name="index")]

    return StaffViewSet(name=name, menu_label=label, icon=icon, menu_order=order)


class BookingIndexColumns:
    @staticmethod
    def actions(booking):
        if not booking.is_active:
            return "—"
        return format_html(
            '<a href="{}">変更</a> ／ <a href="{}">取消</a>',
            f"/admin/reservations/booking-actions/{booking.pk}/change/",
            f"/admin/reservations/booking-actions/{booking.pk}/cancel/",
        )


class BookingViewSet(ModelViewSet):
    """予約一覧: search and filter every booking; changes and cancellations go
    through ``services`` (the screens of ``admin_views``), never a plain edit."""

    model = Booking
    icon = "list-ul"
    menu_label = "予約一覧"
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "number",
        Column("facility", label="施設"),
        Column("unit", label="室場・面", accessor="unit.name"),
        Column("period", label="日時", accessor="period_label"),
        Column("who", label="申請者・理由", accessor="who"),
        Column("kind", label="受付", accessor="get_kind_display"),
        Column("status", label="状態", accessor="get_status_display"),
        Column("fee_yen", label="使用料"),
        Column("actions", label="操作", accessor=BookingIndexColumns.actions),
    ]
    list_filter = ["facility", "status", "kind", "category"]
    search_fields = ["number", "applicant_name", "organisation", "applicant_phone"]
    search_backend_name = None
    ordering = ["-starts_at"]
    list_per_page = 50
    inspect_view_fields = [
        "number",
        "status",
        "kind",
        "facility",
        "unit",
        "starts_at",
        "ends_at",
        "applicant_name",
        "organisation",
        "applicant_phone",
        "applicant_email",
        "category",
        "purpose",
        "headcount",
        "activity",
        "fee_yen",
        "block_reason",
        "note",
        "created_at",
        "created_by",
        "cancelled_at",
        "cancelled_by",
        "cancel_reason",
    ]
    form_fields = ["note"]  # the plain edit view only keeps the staff memo

    def get_queryset(self, request):
        return Booking.objects.select_related("facility", "unit")


class ResidentEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        oplog.record(
            instance,
            oplog.RESIDENT_CHANGED,
            user=self.request.user,
            data={"fields": self.form.changed_data},
            label=f"利用者 #{instance.pk}",
        )
        return instance


class ResidentDeleteView(DeleteView):
    def delete_action(self):
        # Cancels upcoming bookings and strips personal data from past ones first.
        delete_resident(self.object, staff=self.request.user)


class ResidentViewSet(ModelViewSet):
    model = Resident
    icon = "user"
    menu_label = "利用者"
    add_to_admin_menu = False
    copy_view_enabled = False
    list_display = [
        "name",
        "email",
        "phone",
        Column("category", label="利用者区分", accessor="get_category_display"),
        "is_active",
        DateColumn("created_at", label="登録日"),
    ]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "name_kana", "email", "phone", "organisation"]
    search_backend_name = None
    form_fields = [
        "email",
        "name",
        "name_kana",
        "phone",
        "postal_code",
        "address",
        "organisation",
        "category",
        "is_active",
    ]
    edit_view_class = ResidentEditView
    delete_view_class = ResidentDeleteView


class FacilityViewSet(ModelViewSet):
    model = Facility
    icon = "home"
    menu_label = "施設"
    add_to_admin_menu = False
    list_display = ["name", "group", "slot_minutes", "is_public"]
    search_fields = ["name", "group"]
    search_backend_name = None


class BookingUnitViewSet(ModelViewSet):
    model = BookingUnit
    icon = "grip"
    menu_label = "室場・面"
    add_to_admin_menu = False
    list_display = [
        Column("facility", label="施設"),
        "name",
        Column("part_of", label="含まれる面", accessor="part_of.name"),
        Column("visibility", label="公開設定", accessor="get_visibility_display"),
        "fee_resident",
        "fee_outside",
    ]
    list_filter = ["facility", "visibility"]
    search_fields = ["name"]
    search_backend_name = None


class EquipmentViewSet(ModelViewSet):
    model = Equipment
    icon = "cogs"
    menu_label = "備品・附属設備"
    add_to_admin_menu = False
    list_display = [
        Column("facility", label="施設"),
        "name",
        "stock",
        "price_yen",
        "pricing",
    ]
    list_filter = ["facility"]
    form_fields = [
        "facility",
        "unit",
        "name",
        "counter",
        "stock",
        "price_yen",
        "pricing",
        "is_public",
        "sort_order",
    ]
    search_fields = ["name"]
    search_backend_name = None


class UsagePurposeViewSet(ModelViewSet):
    model = UsagePurpose
    icon = "tag"
    menu_label = "利用目的"
    add_to_admin_menu = False
    form_fields = ["name", "sort_order"]
    list_display = ["name", "sort_order"]


class CalendarDayViewSet(ModelViewSet):
    model = CalendarDay
    icon = "calendar-alt"
    menu_label = "開館カレンダー"
    add_to_admin_menu = False
    form_fields = ["facility", "date", "is_closed", "opens", "closes", "note"]
    list_display = [
        Column("facility", label="施設"),
        "date",
        "is_closed",
        "opens",
        "closes",
        "note",
    ]
    list_filter = ["facility", "is_closed"]
    ordering = ["-date"]


class LotteryEntryViewSet(ModelViewSet):
    model = LotteryEntry
    icon = "list-ol"
    menu_label = "抽選の申込"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("facility", label="施設"),
        Column("unit", label="室場・面", accessor="unit.name"),
        DateColumn("starts_at", label="日時"),
        Column("resident", label="利用者"),
        Column("status", label="状態", accessor="get_status_display"),
    ]
    list_filter = ["facility", "status"]
    form_fields = ["status"]
    ordering = ["starts_at"]


class LotteryDrawViewSet(ModelViewSet):
    model = LotteryDraw
    icon = "pick"
    menu_label = "抽選の結果"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        Column("facility", label="施設"),
        DateColumn("month", label="対象月"),
        DateColumn("drawn_at", label="抽選日時"),
        "entries",
        "won",
        "seed",
    ]
    list_filter = ["facility"]
    form_fields = []


class BookingActionsViewSet(ViewSet):
    """Change and cancel (linked from the calendar and the booking list)."""

    name = "reservations_booking_actions"
    url_prefix = "reservations/booking-actions"

    def get_urlpatterns(self):
        return [
            path(
                "<int:pk>/change/",
                admin_views.ChangeBookingView.as_view(),
                name="change",
            ),
            path(
                "<int:pk>/cancel/",
                admin_views.CancelBookingView.as_view(),
                name="cancel",
            ),
        ]


class ReservationsMenu(ViewSetGroup):
    menu_label = "施設予約"
    menu_icon = "date"
    menu_order = 250
    items = (
        staff_viewset(
            "reservations_calendar",
            "予約カレンダー",
            "date",
            admin_views.CalendarView,
            1,
        ),
        staff_viewset(
            "reservations_counter",
            "窓口受付",
            "form",
            admin_views.CounterBookingView,
            2,
        ),
        BookingViewSet("reservations_bookings"),
        staff_viewset(
            "reservations_block", "利用不可の設定", "lock", admin_views.BlockView, 4
        ),
        staff_viewset(
            "reservations_print",
            "帳票（日報・月報）",
            "doc-full",
            admin_views.PrintListView,
            5,
        ),
        staff_viewset(
            "reservations_counts", "予約件数", "table", admin_views.YearlyCountsView, 6
        ),
        staff_viewset(
            "reservations_export", "CSV出力", "download", admin_views.ExportView, 7
        ),
        staff_viewset(
            "reservations_calendar_import",
            "開館カレンダー取込",
            "upload",
            admin_views.CalendarImportView,
            8,
        ),
        staff_viewset(
            "reservations_oplog", "操作ログ", "history", admin_views.OperationLogView, 9
        ),
        FacilityViewSet("reservations_facilities"),
        BookingUnitViewSet("reservations_units"),
        EquipmentViewSet("reservations_equipment"),
        UsagePurposeViewSet("reservations_purposes"),
        CalendarDayViewSet("reservations_calendar_days"),
        ResidentViewSet("reservations_residents"),
        LotteryEntryViewSet("reservations_lottery_entries"),
        LotteryDrawViewSet("reservations_lottery_draws"),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: can_manage_reservations(request.user)
        return item


@hooks.register("register_admin_viewset")
def register_reservations_menu():
    return [ReservationsMenu(), BookingActionsViewSet()]


@hooks.register("register_log_actions")
def register_reservation_log_actions(actions):
    for action, (label, message) in oplog.ACTIONS.items():
        actions.register_action(action, label, message)

"""Admin screens of the LINE menu that are not plain model forms: statistics and
CSV exports, a delivery's preview / test send / schedule / cancel, the rich menu
preview and publishing, and the CSV bulk registration of recurring deliveries."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.permissions import (
    can_edit_line,
    can_manage_line,
    can_send_line,
    line_channel_ids_for_user,
)

from . import csv_io, delivery, oplog, richmenus, schedule, stats
from .client import ChannelNotConfigured
from .models import LineChannel, LineMessage, RichMenu, ScheduleKind


def channels_for(user):
    allowed = line_channel_ids_for_user(user)
    channels = LineChannel.objects.all()
    return channels if allowed is None else channels.filter(pk__in=allowed)


def _check_channel(user, channel):
    if not can_manage_line(user, channel):
        raise PermissionDenied


def _download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class LineView(WagtailAdminTemplateMixin, TemplateView):
    header_icon = "mobile-alt"

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_line(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# Exports with friends' personal data: not for 「LINE閲覧のみ」.
PERSONAL_TABLES = {"friends", "talk"}


class StatsView(LineView):
    page_title = "LINE 統計・CSV"
    template_name = "line/admin/stats.html"

    def get(self, request, *args, **kwargs):
        channels = channels_for(request.user)
        channel = (
            channels.filter(pk=request.GET.get("channel") or 0).first()
            or channels.first()
        )
        if channel is None:
            return self.render_to_response(self.get_context_data(channel=None))
        download = request.GET.get("download")
        if download in PERSONAL_TABLES and not can_edit_line(request.user, channel):
            raise PermissionDenied
        if download:
            oplog.record(
                channel, oplog.EXPORTED, user=request.user, data={"table": download}
            )
            if download == "runs":
                return _download(
                    stats.runs_csv(channel), f"line-deliveries-{channel.slug}.csv"
                )
            if download == "daily":
                return _download(
                    stats.daily_csv(channel), f"line-friends-{channel.slug}.csv"
                )
            tables = {
                "friends": (stats.friends_csv, "line-friends-attributes"),
                "segments": (stats.segments_csv, "line-segments"),
                "messages": (stats.messages_csv, "line-messages"),
                "richmenus": (stats.rich_menus_csv, "line-rich-menus"),
            }
            if download in tables:
                make, name = tables[download]
                return _download(make(channel), f"{name}-{channel.slug}.csv")
            if download == "talk":
                return _download(
                    stats.talk_log_csv(channel), f"line-talk-log-{channel.slug}.csv"
                )
            if download == "oplog":
                entries = oplog.entries_for(channel)
                rows = [
                    [
                        f"{e.timestamp:%Y-%m-%d %H:%M:%S}",
                        oplog.ACTIONS.get(e.action, (e.action,))[0],
                        str(e.user or ""),
                        e.label,
                        e.object_id,
                    ]
                    for e in entries
                ]
                return _download(
                    stats.csv_bytes(["日時", "操作", "操作者", "対象", "対象ID"], rows),
                    f"line-operation-log-{channel.slug}.csv",
                )
            raise Http404
        return self.render_to_response(
            self.get_context_data(
                channel=channel,
                channels=channels,
                totals=stats.friend_totals(channel),
                daily=stats.daily_follows(channel),
                runs=[
                    (r, stats.click_rate(r), stats.open_rate(r))
                    for r in stats.delivery_rows(channel, 50)
                ],
                segments=stats.per_segment(channel),
                taps=stats.menu_taps(channel),
            )
        )


class MessageActionsView(LineView):
    """Preview, recipient count, test send, schedule (or change), cancel, send now."""

    template_name = "line/admin/message.html"

    def get_message(self):
        message = get_object_or_404(
            LineMessage.objects.select_related("channel", "segment"),
            pk=self.kwargs["pk"],
        )
        _check_channel(self.request.user, message.channel)
        return message

    @property
    def page_title(self):
        return "配信のプレビューと操作"

    def get(self, request, *args, **kwargs):
        message = self.get_message()
        problems = delivery.check(message)
        try:
            count = delivery.audience_friends(message, timezone.localdate()).count()
        except ValueError:
            count = None
        upcoming = []
        if message.schedule == ScheduleKind.RECURRING and not problems:
            upcoming = schedule.occurrences(message.recurrence, timezone.now(), limit=5)
        return self.render_to_response(
            self.get_context_data(
                message=message,
                problems=problems,
                count=count,
                items=delivery.preview_items(message),
                upcoming=upcoming,
                rule_text=schedule.describe_rule(message.recurrence or {}),
                runs=message.runs.all()[:20],
                can_edit=can_edit_line(request.user, message.channel),
                can_send=can_send_line(request.user, message.channel),
            )
        )

    def post(self, request, *args, **kwargs):
        message = self.get_message()
        action = request.POST.get("action")
        allowed = (
            can_edit_line(request.user, message.channel)
            if action == "test"
            else can_send_line(request.user, message.channel)
        )
        if not allowed:
            raise PermissionDenied
        try:
            if action == "test":
                run = delivery.send_test(message)
                oplog.record(
                    message,
                    oplog.TEST_SENT,
                    user=request.user,
                    data={"to": run.target_count},
                )
                messages.success(
                    request,
                    f"テスト送信しました（{run.sent_count}件成功、{run.failed_count}件失敗）。",
                )
            elif action == "schedule":
                delivery.schedule_message(message)
                oplog.record(
                    message,
                    oplog.MESSAGE_SCHEDULED,
                    user=request.user,
                    data={"next_run_at": str(message.next_run_at)},
                )
                if message.schedule == ScheduleKind.NOW:
                    from .tasks import send_due_deliveries

                    send_due_deliveries.enqueue()
                messages.success(
                    request,
                    "配信を予約しました。"
                    if message.schedule != ScheduleKind.NOW
                    else "配信を開始しました。",
                )
            elif action == "cancel":
                delivery.cancel(message)
                oplog.record(message, oplog.MESSAGE_CANCELLED, user=request.user)
                messages.success(request, "配信の予約を取り消しました。")
            else:
                raise Http404
        except (
            delivery.DeliveryError,
            schedule.RuleError,
            ChannelNotConfigured,
        ) as error:
            messages.error(request, str(error))
        return redirect(reverse("line_message_actions", args=[message.pk]))


class SegmentCountView(LineView):
    """The live count for the segment rule builder: POST {"rules", "channel"} →
    friends of that account matching (and with blocked ones), and the rules in
    words. Only for accounts the user manages."""

    def post(self, request, *args, **kwargs):
        from . import segments as friend_segments
        from .models import LineFriend

        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse(
                {"errors": ["条件の形式が正しくありません。"]}, status=400
            )
        channel = LineChannel.objects.filter(pk=data.get("channel") or 0).first()
        if channel is None:
            return JsonResponse(
                {"errors": ["アカウントを選ぶと人数を表示します。"]}, status=400
            )
        _check_channel(request.user, channel)
        rules = data.get("rules") or {"op": "and", "rules": []}
        problems = friend_segments.validate(rules)
        if problems:
            return JsonResponse({"errors": problems}, status=400)
        try:
            friends = friend_segments.friends_matching(channel, rules)
            everyone = LineFriend.objects.filter(channel=channel).filter(
                friend_segments.engine.to_q(
                    rules, friend_segments.friend_fields(), timezone.localdate()
                )
            )
            counts = {"count": friends.count(), "all": everyone.count()}
        except ValueError as error:
            return JsonResponse({"errors": [str(error)]}, status=400)
        return JsonResponse({**counts, "description": friend_segments.describe(rules)})


class FormResultsView(LineView):
    """The answers of a named attribute form (a survey) in numbers, and as CSV."""

    template_name = "line/admin/form_results.html"

    @property
    def page_title(self):
        return "属性フォームの集計"

    def get(self, request, *args, **kwargs):
        from .models import AttributeForm

        attribute_form = get_object_or_404(AttributeForm, pk=kwargs["pk"])
        _check_channel(request.user, attribute_form.channel)
        if request.GET.get("download") == "csv":
            oplog.record(
                attribute_form.channel,
                oplog.EXPORTED,
                user=request.user,
                data={"table": "form", "form": attribute_form.pk},
            )
            return _download(
                stats.form_tallies_csv(attribute_form),
                f"line-form-{attribute_form.pk}.csv",
            )
        return self.render_to_response(
            self.get_context_data(
                attribute_form=attribute_form,
                tallies=stats.form_tallies(attribute_form),
            )
        )


class MenuPreviewView(LineView):
    template_name = "line/admin/menu.html"
    page_title = "リッチメニューの確認"

    def get(self, request, *args, **kwargs):
        menu = get_object_or_404(RichMenu, pk=kwargs["pk"])
        _check_channel(request.user, menu.channel)
        width, height = menu.width_height
        return self.render_to_response(
            self.get_context_data(
                menu=menu,
                width=width,
                height=height,
                problems=richmenus.validate_rich_menu(richmenus.menu_request(menu))
                + richmenus.validate_alias(menu.alias_id),
                areas=[
                    {
                        **a,
                        "pct": {
                            k: 100
                            * a["bounds"][k]
                            / (width if k in ("x", "width") else height)
                            for k in ("x", "y", "width", "height")
                        },
                    }
                    for a in menu.areas or []
                ],
            )
        )


def menu_image(request, pk):
    menu = get_object_or_404(RichMenu, pk=pk)
    if not can_manage_line(request.user, menu.channel):
        raise PermissionDenied
    data, content_type = richmenus.menu_image(menu)
    return HttpResponse(data, content_type=content_type)


class PublishMenusView(LineView):
    template_name = "line/admin/menu.html"

    def post(self, request, *args, **kwargs):
        channel = get_object_or_404(LineChannel, pk=kwargs["pk"])
        if not can_send_line(request.user, channel):
            raise PermissionDenied
        try:
            ids = richmenus.publish_channel_menus(channel)
        except (richmenus.PublishError, ChannelNotConfigured) as error:
            messages.error(request, str(error))
        except Exception as error:  # LINE refused: show staff, keep the old menus
            messages.error(request, f"LINEへの反映に失敗しました: {error}")
        else:
            oplog.record(
                channel, oplog.MENU_PUBLISHED, user=request.user, data={"menus": ids}
            )
            messages.success(
                request, f"リッチメニュー{len(ids)}件をLINEに反映しました。"
            )
        return redirect(request.POST.get("next") or reverse("line_richmenus:index"))


class RecurrenceImportView(LineView):
    page_title = "繰り返し配信の一括登録（CSV）"
    template_name = "line/admin/recurrence_import.html"

    def dispatch(self, request, *args, **kwargs):
        # The imported patterns are scheduled at once: a sending function.
        if not can_send_line(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(columns=csv_io.COLUMNS))

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        errors, created = [], []
        if upload is None:
            errors = ["CSVファイルを選んでください。"]
        else:
            result = csv_io.parse(upload.read())
            if not result.errors:
                created = csv_io.import_rows(
                    result, channels_for(request.user), user=request.user
                )
            errors = result.errors
        if created:
            oplog.record(
                created[0].channel,
                oplog.PATTERNS_IMPORTED,
                user=request.user,
                data={"count": len(created)},
            )
        return self.render_to_response(
            self.get_context_data(
                columns=csv_io.COLUMNS, errors=errors, created=created
            )
        )

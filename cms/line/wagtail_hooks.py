"""The admin's 「LINE」 menu: accounts (prefecture staff), friends and their
attributes, spots, segments, rich menus (tabs), deliveries with preview / test
send / schedule / cancel, and statistics with CSV exports. A municipality's editors
see only their own municipality's channels (cms/core/permissions.py)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from cms.core.permissions import (
    can_configure_line_channels,
    can_manage_line,
    is_prefecture_staff,
    line_channel_ids_for_user,
)

from . import admin_views, oplog
from . import segments as friend_segments
from .models import (
    AttributeForm,
    FriendSegment,
    LineChannel,
    LineFriend,
    LineMessage,
    MailRelayRule,
    RichMenu,
    Spot,
)


def scoped(queryset, user, field="channel_id"):
    allowed = line_channel_ids_for_user(user)
    if allowed is None:
        return queryset
    return queryset.filter(**{f"{field}__in": allowed})


class ChannelScopedForm(WagtailAdminModelForm):
    """Offers only the channels the user manages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        for name in ("channel",):
            if name in self.fields and user is not None:
                self.fields[name].queryset = scoped(
                    LineChannel.objects.all(), user, "pk"
                )


class SegmentForm(ChannelScopedForm):
    """Rules through the mail tool's rule builder, with the friend field set and
    a live count of the chosen account's friends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cms.mailing.wagtail_hooks import RuleBuilderWidget

        if "rules" in self.fields:
            self.fields["rules"].widget = RuleBuilderWidget(
                fields=friend_segments.friend_fields,
                count_url="line_segment_count",
                count_text="該当する友だち: {count}人（ブロック中を含め {all}人）",
            )

    def clean_rules(self):
        rules = self.cleaned_data.get("rules") or {"op": "and", "rules": []}
        problems = friend_segments.validate(rules)
        if problems:
            raise forms.ValidationError(problems)
        return rules


class ScopedObjectMixin:
    """Edit/delete only objects of the user's channels (404 otherwise)."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        allowed = line_channel_ids_for_user(self.request.user)
        channel_id = obj.pk if isinstance(obj, LineChannel) else obj.channel_id
        if allowed is not None and channel_id not in allowed:
            raise PermissionDenied
        return obj


class ScopedEditView(ScopedObjectMixin, EditView):
    pass


class ScopedDeleteView(ScopedObjectMixin, DeleteView):
    pass


class ChannelSettingsMixin:
    """Channel settings (credentials' names, webhook slug): prefecture staff only."""

    def dispatch(self, request, *args, **kwargs):
        if not can_configure_line_channels(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ChannelEditView(ChannelSettingsMixin, ScopedEditView):
    pass


class ChannelDeleteView(ChannelSettingsMixin, ScopedDeleteView):
    pass


class ScopedIndexView(IndexView):
    """Lists only objects of the user's channels."""

    def get_base_queryset(self):
        field = "pk" if self.model is LineChannel else "channel_id"
        return scoped(super().get_base_queryset(), self.request.user, field)


class FriendEditView(ScopedEditView):
    def save_instance(self):
        from .tasks import relink_friend_menu

        instance = super().save_instance()
        relink_friend_menu.enqueue(instance.pk)
        oplog.record(
            instance,
            oplog.FRIEND_CHANGED,
            user=self.request.user,
            data={"fields": self.form.changed_data},
        )
        return instance


class ScopedViewSet(ModelViewSet):
    add_to_admin_menu = False
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    form_fields = "__all__"

    scoped_form = ChannelScopedForm

    def get_form_class(self, for_update=False):
        from django.forms import modelform_factory

        return modelform_factory(
            self.model,
            form=self.scoped_form,
            formfield_callback=self.formfield_for_dbfield,
            fields=self.form_fields,
        )


class ChannelViewSet(ScopedViewSet):
    model = LineChannel
    icon = "globe"
    menu_label = "LINEアカウント"
    edit_view_class = ChannelEditView
    delete_view_class = ChannelDeleteView
    list_display = ["name", "role", "municipality", "slug", "is_active"]
    form_fields = [
        "name",
        "slug",
        "role",
        "municipality",
        "test_channel",
        "channel_id",
        "basic_id",
        "follow_message",
        "spot_keywords",
        "is_active",
    ]


class FriendForm(ChannelScopedForm):
    """Children's birth dates and custom attributes as labelled inputs (stored as
    JSON), checked like the friend's own form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .widgets import ChildrenDatesWidget, CustomAttributesWidget

        if "children_birth_dates" in self.fields:
            self.fields["children_birth_dates"].widget = ChildrenDatesWidget()
            self.fields["children_birth_dates"].help_text = ""
        if "attributes" in self.fields:
            self.fields["attributes"].widget = CustomAttributesWidget()

    def clean_children_birth_dates(self):
        import datetime as dt

        from django.utils import timezone

        dates = self.cleaned_data.get("children_birth_dates") or []
        if not isinstance(dates, list):
            raise forms.ValidationError("お子さまの生年月日の形式が正しくありません。")
        for i, text in enumerate(dates, 1):
            try:
                born = dt.date.fromisoformat(str(text))
            except ValueError:
                raise forms.ValidationError(
                    f"{i}人目の生年月日「{text}」は日付ではありません。"
                ) from None
            if born > timezone.localdate():
                raise forms.ValidationError(f"{i}人目の生年月日が未来の日付です。")
        return sorted(str(d) for d in dates)

    def clean_attributes(self):
        import datetime as dt

        from cms.mailing.models import AttributeDefinition, AttributeKind

        values = self.cleaned_data.get("attributes") or {}
        if not isinstance(values, dict):
            raise forms.ValidationError("独自属性の形式が正しくありません。")
        problems = []
        for d in AttributeDefinition.objects.filter(key__in=list(values)):
            value = values[d.key]
            if d.kind == AttributeKind.NUMBER and not isinstance(value, int | float):
                problems.append(f"「{d.label}」には数値を入れてください。")
            if d.kind == AttributeKind.DATE:
                try:
                    dt.date.fromisoformat(str(value))
                except ValueError:
                    problems.append(f"「{d.label}」には日付を入れてください。")
            if d.kind == AttributeKind.CHOICE and value not in d.choice_list():
                problems.append(f"「{d.label}」の「{value}」は選択肢にありません。")
        if problems:
            raise forms.ValidationError(problems)
        return values


class FriendViewSet(ScopedViewSet):
    model = LineFriend
    icon = "user"
    menu_label = "友だち"
    edit_view_class = FriendEditView
    scoped_form = FriendForm
    list_display = [
        "display_name",
        "channel",
        "status",
        "age_band",
        "residence",
        DateColumn("followed_at", label="友だち追加"),
        "is_tester",
    ]
    list_filter = ["channel", "status", "age_band", "gender", "is_tester"]
    search_fields = ["display_name", "user_id"]
    form_fields = [
        "is_tester",
        "age_band",
        "gender",
        "birth_date",
        "residence",
        "residence_outside",
        "interests",
        "children_birth_dates",
        "attributes",
        "subscriber",
    ]


class SpotViewSet(ScopedViewSet):
    model = Spot
    icon = "site"
    menu_label = "スポット"
    list_display = ["name", "channel", "facility", "sort_order", "is_active"]
    form_fields = [
        "channel",
        "name",
        "description",
        "image",
        "image_url",
        "latitude",
        "longitude",
        "address",
        "url",
        "keywords",
        "facility",
        "sort_order",
        "is_active",
    ]


def segment_description(segment):
    return friend_segments.describe(segment.rules)


def segment_count(segment):
    try:
        return friend_segments.friends_matching(segment.channel, segment.rules).count()
    except ValueError:
        return "—"


class SegmentViewSet(ScopedViewSet):
    model = FriendSegment
    icon = "group"
    menu_label = "友だちセグメント"
    list_display = [
        "name",
        "channel",
        Column("describe", label="条件", accessor=segment_description),
        Column("count", label="人数", accessor=segment_count),
    ]
    form_fields = ["channel", "name", "description", "rules"]
    scoped_form = SegmentForm


class AreasEditorWidget(forms.Textarea):
    """The areas JSON with a drawing surface over the menu image (static JS)."""

    class Media:
        js = ["line/menu_editor.js"]

    def __init__(self, image_url="", attrs=None, size="", max_areas=20, actions=""):
        super().__init__(attrs={"rows": 8, **(attrs or {})})
        self.image_url = image_url
        self.size, self.max_areas, self.actions = size, max_areas, actions

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id", f"id_{name}")
        return format_html(
            '<div data-line-menu-editor data-target="{}" data-image="{}" '
            'data-size="{}" data-max="{}" data-actions="{}">'
            "<p>画像の上をドラッグしてタップ領域を追加します（最大{}）。"
            "下のJSONを直接編集することもできます。</p></div>{}",
            target,
            self.image_url,
            self.size,
            self.max_areas,
            self.actions,
            self.max_areas,
            textarea,
        )


class RichMenuForm(ChannelScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "areas" in self.fields:
            image = (
                reverse("line_menu_image", args=[self.instance.pk])
                if self.instance.pk
                else ""
            )
            self.fields["areas"].widget = AreasEditorWidget(image_url=image)

    def clean(self):
        from .richmenus import menu_request, validate_alias, validate_rich_menu

        data = super().clean()
        if not self.errors:
            menu = RichMenu(
                name=data.get("name", ""),
                chat_bar_text=data.get("chat_bar_text", ""),
                size=data.get("size") or "2500x1686",
                areas=data.get("areas") or [],
            )
            try:
                problems = validate_rich_menu(menu_request(menu))
            except (KeyError, TypeError, AttributeError):
                problems = [
                    "タップ領域のJSONは bounds と action を持つ配列にしてください。"
                ]
            problems += validate_alias(data.get("alias_id", ""))
            if problems:
                raise forms.ValidationError(problems)
        return data


class RichMenuDeleteView(ScopedDeleteView):
    """Deleting a menu here removes it (and its alias) from LINE first; when LINE
    refuses, the menu is kept and staff see why, so nothing stays live unseen."""

    def form_valid(self, form):
        from django.contrib import messages as flash
        from django.shortcuts import redirect

        from cms.core.permissions import can_send_line

        from .client import ChannelNotConfigured
        from .richmenus import unpublish_menu

        if self.object.line_rich_menu_id and not can_send_line(
            self.request.user, self.object.channel
        ):
            raise PermissionDenied

        try:
            unpublish_menu(self.object)
        except ChannelNotConfigured as error:
            flash.error(self.request, str(error))
            return redirect(reverse("line_richmenus:index"))
        except Exception as error:  # LINE refused: keep ours, say so
            flash.error(
                self.request,
                f"LINEからリッチメニューを削除できなかったため、削除を中止しました: {error}",
            )
            return redirect(reverse("line_richmenus:index"))
        oplog.record(
            self.object.channel,
            oplog.MENU_DELETED,
            user=self.request.user,
            data={"menu": self.object.name, "line_id": self.object.line_rich_menu_id},
        )
        return super().form_valid(form)


def menu_preview_link(menu):
    return format_html(
        '<a href="{}">画像と領域</a>', reverse("line_menu_preview", args=[menu.pk])
    )


class RichMenuViewSet(ScopedViewSet):
    model = RichMenu
    icon = "grip"
    menu_label = "リッチメニュー"
    list_display = [
        "name",
        "channel",
        "alias_id",
        "is_default",
        "segment",
        DateColumn("published_at", label="反映"),
        Column("preview", label="確認", accessor=menu_preview_link),
    ]
    form_fields = [
        "channel",
        "name",
        "alias_id",
        "tab_label",
        "chat_bar_text",
        "size",
        "image",
        "areas",
        "is_default",
        "segment",
        "sort_order",
    ]
    scoped_form = RichMenuForm
    delete_view_class = RichMenuDeleteView


class MessageForm(ChannelScopedForm):
    """The delivery form: the imagemap's tap areas are drawn over the chosen image
    (after saving once, like a rich menu); the built message and any Flex JSON are
    checked against LINE's rules before saving."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "reminder_date" in self.fields:
            from .models import reminder_date_choices

            self.fields["reminder_date"] = forms.ChoiceField(
                label="リマインドの基準日",
                required=False,
                choices=[("", "---------"), *reminder_date_choices()],
                help_text="日付の独自属性（メール配信 → 独自属性、種類「日付」）も選べます。",
            )
        image = self.instance.image if self.instance.pk else None
        if "imagemap_areas" in self.fields:
            from .media import IMAGEMAP_BASE, IMAGEMAP_MAX_ACTIONS, base_height

            self.fields["imagemap_areas"].widget = AreasEditorWidget(
                image_url=image.get_rendition("width-1040").url if image else "",
                size=f"{IMAGEMAP_BASE}x{base_height(image)}" if image else "",
                max_areas=IMAGEMAP_MAX_ACTIONS,
                actions="動作: uri（リンク） / message（テキストを送る）",
            )

    def clean(self):
        from . import delivery, media

        data = super().clean()
        if self.errors:
            return data
        draft = LineMessage(
            title=data.get("title", ""),
            text=data.get("text", ""),
            emojis=data.get("emojis") or [],
            media_kind=data.get("media_kind", ""),
            image=data.get("image"),
            video=data.get("video"),
            imagemap_areas=data.get("imagemap_areas") or [],
            alt_text=data.get("alt_text", ""),
            messages_json=data.get("messages_json") or [],
        )
        problems = media.problems(draft)
        if draft.media_kind == "imagemap" and not self.instance.pk and problems:
            # The areas are drawn after the first save, over the chosen image.
            problems = [p for p in problems if "タップ領域" not in p]
        if not problems and (draft.text.strip() or draft.messages_json):
            problems = [
                p
                for p in delivery.validate_messages(delivery.build_messages(draft))
                if "https" not in p  # the public URL is checked when sending
            ]
        if problems:
            raise forms.ValidationError(problems)
        return data


def message_actions_link(message):
    return format_html(
        '<a href="{}">プレビュー・配信</a>',
        reverse("line_message_actions", args=[message.pk]),
    )


class MessageCreateView(CreateView):
    def save_instance(self):
        # Wagtail's own create action (saved and written to the operation log),
        # with the author recorded on the message.
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def get_success_url(self):
        return reverse("line_message_actions", args=[self.object.pk])


class MessageEditView(ScopedEditView):
    """A scheduled message changed by someone who may not send (「LINE作成担当」)
    goes back to a draft: what reaches the public is always what a sender saw."""

    def save_instance(self):
        from django.contrib import messages as flash

        from cms.core.permissions import can_send_line

        from .models import MessageStatus

        instance = self.form.instance
        if instance.status == MessageStatus.SCHEDULED and not can_send_line(
            self.request.user, instance.channel
        ):
            instance.status = MessageStatus.DRAFT
            instance.next_run_at = None
            flash.warning(
                self.request,
                "内容を変えたため配信の予約を取り消しました。配信担当に予約を依頼してください。",
            )
        return super().save_instance()


class MessageViewSet(ScopedViewSet):
    model = LineMessage
    icon = "mail"
    menu_label = "配信メッセージ"
    add_view_class = MessageCreateView
    edit_view_class = MessageEditView
    scoped_form = MessageForm
    list_display = [
        "title",
        "channel",
        "audience",
        "schedule",
        "status",
        DateColumn("next_run_at", label="次の配信"),
        Column("actions", label="操作", accessor=message_actions_link),
    ]
    list_filter = ["channel", "status", "schedule"]
    form_fields = [
        "channel",
        "title",
        "text",
        "emojis",
        "media_kind",
        "image",
        "video",
        "alt_text",
        "imagemap_areas",
        "messages_json",
        "audience",
        "segment",
        "send_method",
        "schedule",
        "send_at",
        "recurrence",
        "reminder_date",
        "reminder_offset_days",
    ]


class MailRelayForm(ChannelScopedForm):
    def clean_send_without_review(self):
        from cms.core.permissions import can_send_line

        value = self.cleaned_data.get("send_without_review")
        user = getattr(self, "for_user", None)
        if value and user is not None and not can_send_line(user):
            raise forms.ValidationError(
                "「確認せずにすぐ配信する」は配信担当だけが設定できます。"
            )
        return value


class MailRelayViewSet(ScopedViewSet):
    model = MailRelayRule
    icon = "mail"
    menu_label = "メール再配信ルール"
    scoped_form = MailRelayForm
    list_display = [
        "name",
        "channel",
        "sender_contains",
        "subject_contains",
        "segment",
        "send_without_review",
        "is_active",
    ]
    form_fields = [
        "channel",
        "name",
        "sender_contains",
        "subject_contains",
        "segment",
        "rewrites",
        "header",
        "footer",
        "include_subject",
        "send_without_review",
        "is_active",
    ]


def form_results_link(attribute_form):
    return format_html(
        '<a href="{}">集計</a>', reverse("line_form_results", args=[attribute_form.pk])
    )


def form_how_to_open(attribute_form):
    words = []
    if attribute_form.keyword:
        words.append(f"「{attribute_form.keyword}」と送る")
    words.append(f"ポストバック action=form&form={attribute_form.pk}")
    return " / ".join(words)


class AttributeFormViewSet(ScopedViewSet):
    model = AttributeForm
    icon = "form"
    menu_label = "属性フォーム"
    list_display = [
        "name",
        "channel",
        "include_profile",
        "segment",
        Column("open", label="開き方", accessor=form_how_to_open),
        "is_active",
        Column("results", label="回答", accessor=form_results_link),
    ]
    form_fields = [
        "channel",
        "name",
        "description",
        "definitions",
        "include_profile",
        "keyword",
        "segment",
        "is_active",
    ]


class LineMenuItem(MenuItem):
    def is_shown(self, request):
        return can_manage_line(request.user)


class LineSenderMenuItem(MenuItem):
    def is_shown(self, request):
        from cms.core.permissions import can_send_line

        return can_send_line(request.user)


class StaffOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return is_prefecture_staff(request.user)


def line_viewset(name, label, icon, view, order, item_class=LineMenuItem):
    class LineViewSet(ViewSet):
        menu_item_class = item_class

        def get_urlpatterns(self):
            return [path("", view.as_view(), name="index")]

    return LineViewSet(name=name, menu_label=label, icon=icon, menu_order=order)


class LineMenu(ViewSetGroup):
    menu_label = "LINE"
    menu_icon = "mobile-alt"
    menu_order = 460
    items = (
        line_viewset("line_stats", "統計・CSV", "table", admin_views.StatsView, 0),
        MessageViewSet("line_messages", menu_order=1),
        line_viewset(
            "line_recurrence_import",
            "繰り返し配信の一括登録",
            "upload",
            admin_views.RecurrenceImportView,
            2,
            LineSenderMenuItem,
        ),
        SegmentViewSet("line_segments", menu_order=3),
        FriendViewSet("line_friends", menu_order=4),
        RichMenuViewSet("line_richmenus", menu_order=5),
        SpotViewSet("line_spots", menu_order=6),
        AttributeFormViewSet("line_attribute_forms", menu_order=6),
        MailRelayViewSet("line_mail_relay", menu_order=7),
        ChannelViewSet("line_channels", menu_order=8),
    )

    def get_menu_item(self, order=None):
        item = super().get_menu_item(order)
        item.is_shown = lambda request: can_manage_line(request.user)
        return item


@hooks.register("register_admin_viewset")
def register_line_menu():
    return LineMenu()


@hooks.register("register_admin_urls")
def register_line_urls():
    return [
        path(
            "line/message/<int:pk>/",
            admin_views.MessageActionsView.as_view(),
            name="line_message_actions",
        ),
        path(
            "line/form/<int:pk>/results/",
            admin_views.FormResultsView.as_view(),
            name="line_form_results",
        ),
        path(
            "line/segment-count/",
            admin_views.SegmentCountView.as_view(),
            name="line_segment_count",
        ),
        path(
            "line/richmenu/<int:pk>/",
            admin_views.MenuPreviewView.as_view(),
            name="line_menu_preview",
        ),
        path(
            "line/richmenu/<int:pk>/image.png",
            admin_views.menu_image,
            name="line_menu_image",
        ),
        path(
            "line/channel/<int:pk>/publish-menus/",
            admin_views.PublishMenusView.as_view(),
            name="line_publish_menus",
        ),
    ]


@hooks.register("register_log_actions")
def register_line_log_actions(actions):
    for action, (label, message) in oplog.ACTIONS.items():
        actions.register_action(action, label, message)

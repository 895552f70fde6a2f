"""The LINE operation log (操作ログ): staff actions on channels, friends, rich
menus and deliveries, written to Wagtail's audit log like cms/reservations/oplog.py,
so they also appear in サイト履歴 and the ops log export."""

from wagtail.log_actions import log

FRIEND_CHANGED = "line.friend_change"
MENU_PUBLISHED = "line.menu_publish"
MENU_DELETED = "line.menu_delete"
MESSAGE_SCHEDULED = "line.message_schedule"
MESSAGE_CANCELLED = "line.message_cancel"
MESSAGE_SENT = "line.message_send"
TEST_SENT = "line.message_test"
PATTERNS_IMPORTED = "line.recurrence_import"
EXPORTED = "line.export"

ACTIONS = {
    FRIEND_CHANGED: ("友だち属性変更", "友だちの属性を変更"),
    MENU_PUBLISHED: ("リッチメニュー反映", "リッチメニューをLINEに反映"),
    MENU_DELETED: ("リッチメニュー削除", "リッチメニューをLINEから削除"),
    MESSAGE_SCHEDULED: ("配信予約", "配信を予約"),
    MESSAGE_CANCELLED: ("配信取消", "配信予約を取消"),
    MESSAGE_SENT: ("配信実行", "メッセージを配信"),
    TEST_SENT: ("テスト送信", "テスト送信"),
    PATTERNS_IMPORTED: ("繰り返し配信取込", "繰り返し配信をCSVで取込"),
    EXPORTED: ("LINE CSV出力", "LINEのCSVを出力"),
}


def channel_of(instance) -> int | None:
    """The LINE account an object belongs to (the account itself for a channel)."""
    if instance._meta.model_name == "linechannel":
        return instance.pk
    return getattr(instance, "channel_id", None)


def record(instance, action: str, *, user=None, data=None):
    # The account goes into every entry, so an export keeps to one account (a
    # municipality's staff see their own account's log, not the prefecture's).
    data = {**(data or {}), "channel": channel_of(instance)}
    log(instance=instance, action=action, user=user, data=data)


def entries_for(channel):
    """The account's LINE actions, oldest first."""
    from wagtail.models import ModelLogEntry

    return ModelLogEntry.objects.filter(
        action__startswith="line.", data__channel=channel.pk
    ).order_by("timestamp")

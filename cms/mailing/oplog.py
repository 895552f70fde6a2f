"""The mail tool's operation log, in Wagtail's audit log (like the reservations
app): scheduling, sending, cancelling, test sends, imports and exports."""

from wagtail.log_actions import log

SCHEDULED = "mailing.schedule"
CANCELLED = "mailing.cancel"
RESUMED = "mailing.resume"
TEST_SENT = "mailing.test_send"
IMPORTED = "mailing.import"
EXPORTED = "mailing.export"

ACTIONS = {
    SCHEDULED: ("配信開始・予約", "キャンペーンの送信を開始または予約"),
    CANCELLED: ("配信中止", "キャンペーンを中止"),
    RESUMED: ("配信再開", "キャンペーンの送信を再開"),
    TEST_SENT: ("テスト送信", "キャンペーンをテスト送信"),
    IMPORTED: ("配信先CSV取込", "配信先をCSVで取込"),
    EXPORTED: ("CSV出力", "配信先・レポートをCSVで出力"),
}


def record(instance, action: str, *, user=None, data=None):
    log(instance=instance, action=action, user=user, data=dict(data or {}))


def record_user(user, action: str, *, data=None):
    """Actions on the list as a whole are logged against the staff user."""
    log(instance=user, action=action, user=user, data=dict(data or {}))

"""Community actions in the operation log (Wagtail's audit log, cms.ops): every
moderation action, rooms, rules versions and account deletions, so 「操作ログ
（全体）」 shows who hid what and why."""

from cms.ops.oplog import record as _record

HELD = "community.held"
HIDDEN = "community.hide"
DELETED = "community.delete"
RESTORED = "community.restore"
APPROVED = "community.approve"
BLOCKED = "community.block"
UNBLOCKED = "community.unblock"
REPORTED = "community.report"
ALERT = "community.alert"
ALERT_ACKNOWLEDGED = "community.alert_ack"
RULES_PUBLISHED = "community.rules"
MEMBER_DELETED = "community.member_delete"

ACTIONS = {
    HELD: ("NGワードで保留", "NGワードを含む投稿を確認待ちに"),
    HIDDEN: ("投稿の非表示", "コミュニティの投稿・コメントを非表示に"),
    DELETED: ("投稿の削除", "コミュニティの投稿・コメントを削除"),
    RESTORED: ("投稿の再表示", "非表示・削除した投稿・コメントを元に戻す"),
    APPROVED: ("保留の承認", "確認待ちの投稿・コメントを公開"),
    BLOCKED: ("メンバーの利用停止", "メンバーの投稿・コメントを停止"),
    UNBLOCKED: ("利用停止の解除", "メンバーの利用停止を解除"),
    REPORTED: ("通報", "メンバーが投稿・コメントを通報"),
    ALERT: ("炎上アラート", "通報・コメントの急増を検知"),
    ALERT_ACKNOWLEDGED: ("炎上アラートの確認", "炎上アラートを確認済みに"),
    RULES_PUBLISHED: ("利用規約の改定", "コミュニティ利用規約の新しい版を施行"),
    MEMBER_DELETED: ("メンバーの退会", "メンバーが退会（アカウント削除）"),
}


def record(instance, action: str, *, user=None, data=None, label: str = "") -> None:
    _record(instance, action, user=user, data=data, label=label)

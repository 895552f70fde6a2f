"""The national akiya bank link (全国版空き家・空き地バンク連携): the feed as sent,
sync history, push targets and pull consumers.

* ``FeedState`` + ``FeedListing``: the feed as the bank knows it. Every change
  (a listing added, updated or removed) raises the feed version; each listing row
  keeps the record sent, its content hash and the version it last changed in. Rows of
  removed listings stay (with ``removed_at``) so their deletion records can still go
  to a target that was down.
* ``PushTarget``: an SFTP or HTTPS destination. It remembers the last feed version it
  received, so after an outage the next attempt sends everything since.
* ``SyncRun`` / ``Delivery``: history shown to prefecture staff.
* ``FeedConsumer``: who may pull ``/api/akiya/feed/<format>``, by token (stored hashed).
"""

import hashlib
import os
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .writers import FORMAT_CHOICES


class FeedState(models.Model):
    """The one row that versions the feed and debounces publish-triggered syncs."""

    version = models.PositiveBigIntegerField("フィードの版", default=0)
    changed_at = models.DateTimeField("最終変更日時", null=True, blank=True)
    sync_due_at = models.DateTimeField(
        "次の連携予定", null=True, blank=True, help_text="公開のたびに後ろへずれます。"
    )
    sync_queued_for = models.DateTimeField(
        "キュー投入済みの連携", null=True, blank=True
    )

    class Meta:
        verbose_name = "フィードの状態"

    def __str__(self):
        return f"v{self.version}"

    @classmethod
    def current(cls) -> "FeedState":
        state, _ = cls.objects.get_or_create(pk=1)
        return state

    @classmethod
    def locked(cls) -> "FeedState":
        """The state row, locked until the end of the transaction: syncs and
        snapshots take it so they never interleave."""
        cls.objects.get_or_create(pk=1)
        return cls.objects.select_for_update().get(pk=1)


class FeedListing(models.Model):
    """One listing as last put in the feed."""

    page_id = models.PositiveIntegerField("ページID", unique=True)
    listing_id = models.CharField("物件ID", max_length=40)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    municipality_code = models.CharField("団体コード", max_length=6, blank=True)
    title = models.CharField("物件名", max_length=255)
    content_hash = models.CharField("内容のハッシュ", max_length=64)
    record = models.JSONField("送信した内容")
    changed_version = models.PositiveBigIntegerField("変更された版", db_index=True)
    changed_at = models.DateTimeField("変更日時")
    removed_at = models.DateTimeField("掲載終了日時", null=True, blank=True)

    class Meta:
        verbose_name = "フィード掲載物件"
        verbose_name_plural = "フィード掲載物件"
        ordering = ["municipality_code", "page_id"]

    def __str__(self):
        return f"{self.listing_id} {self.title}"


class SyncTrigger(models.TextChoices):
    PUBLISH = "publish", "公開・変更"
    SCHEDULE = "schedule", "定期実行"
    MANUAL = "manual", "管理画面から"
    CLI = "cli", "コマンド"
    RETRY = "retry", "再送"


class SyncStatus(models.TextChoices):
    RUNNING = "running", "実行中"
    NO_CHANGE = "no_change", "変更なし"
    SUCCESS = "success", "成功"
    PARTIAL = "partial", "一部失敗"
    FAILED = "failed", "失敗"


class SyncRun(models.Model):
    """One sync: what changed in the feed and how its deliveries went."""

    started_at = models.DateTimeField("開始日時", default=timezone.now, db_index=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    trigger = models.CharField("きっかけ", max_length=10, choices=SyncTrigger.choices)
    status = models.CharField(
        "結果", max_length=10, choices=SyncStatus.choices, default=SyncStatus.RUNNING
    )
    feed_version = models.PositiveBigIntegerField("フィードの版", default=0)
    added = models.PositiveIntegerField("追加", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    removed = models.PositiveIntegerField("削除", default=0)
    unchanged = models.PositiveIntegerField("変更なし", default=0)
    held = models.PositiveIntegerField(
        "保留", default=0, help_text="修正が必要なため前回の内容のまま残した物件"
    )
    invalid = models.PositiveIntegerField("送信不可", default=0)
    details = models.JSONField(
        "詳細",
        default=dict,
        blank=True,
        help_text="追加・更新・削除・送信不可の物件（各200件まで）。",
    )
    error = models.TextField("エラー", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行者",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "連携履歴"
        verbose_name_plural = "連携履歴"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        started = timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M")
        return f"{started} {self.get_trigger_display()}（{self.get_status_display()}）"

    @property
    def changes_label(self) -> str:
        return f"追加 {self.added}・更新 {self.updated}・削除 {self.removed}"


class PushProtocol(models.TextChoices):
    SFTP = "sftp", "SFTP"
    HTTPS = "https", "HTTPS"


class DeliveryMode(models.TextChoices):
    FULL = "full", "全件"
    CHANGES = "changes", "差分"


def _is_local_host(host: str) -> bool:
    return host in ("localhost", "127.0.0.1", "::1")


class PushTarget(models.Model):
    """Where the feed is uploaded (the national bank's SFTP server, an open-data
    portal's HTTPS endpoint …), in which format, and how far it has got."""

    name = models.CharField("名称", max_length=80, unique=True)
    is_active = models.BooleanField("送信する", default=True)
    protocol = models.CharField("方式", max_length=8, choices=PushProtocol.choices)
    format = models.CharField("形式", max_length=20, choices=FORMAT_CHOICES)
    mode = models.CharField(
        "送信内容",
        max_length=8,
        choices=DeliveryMode.choices,
        default=DeliveryMode.FULL,
    )
    host = models.CharField("ホスト（SFTP）", max_length=255, blank=True)
    port = models.PositiveIntegerField("ポート（SFTP）", default=22)
    username = models.CharField("ユーザー名（SFTP）", max_length=120, blank=True)
    remote_dir = models.CharField(
        "送信先フォルダ（SFTP）",
        max_length=255,
        blank=True,
        help_text="例: /upload/akiya 。空欄ならログイン直後のフォルダ。",
    )
    host_key = models.TextField(
        "ホスト公開鍵（SFTP）",
        blank=True,
        help_text="サーバーの公開鍵（例: ssh-ed25519 AAAA…）。なりすまし防止のため必須です。",
    )
    private_key = models.TextField(
        "秘密鍵（SFTP）",
        blank=True,
        help_text="鍵認証の場合のOpenSSH形式の秘密鍵。「env:変数名」と書くと環境変数から読みます。",
    )
    url = models.URLField("送信先URL（HTTPS）", max_length=500, blank=True)
    secret = models.CharField(
        "パスワード／トークン",
        max_length=500,
        blank=True,
        help_text="SFTPのパスワード、またはHTTPSのBearerトークン。"
        "「env:変数名」と書くと環境変数から読みます（データベースに秘密を置かない場合）。",
    )

    delivered_version = models.PositiveBigIntegerField("送信済みの版", default=0)
    last_attempt_at = models.DateTimeField("最終試行", null=True, blank=True)
    last_success_at = models.DateTimeField("最終成功", null=True, blank=True)
    failure_count = models.PositiveIntegerField("連続失敗回数", default=0)
    next_attempt_at = models.DateTimeField("次の再送", null=True, blank=True)
    last_error = models.TextField("直近のエラー", blank=True)

    class Meta:
        verbose_name = "送信先"
        verbose_name_plural = "送信先"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.protocol == PushProtocol.SFTP:
            for name in ("host", "username", "host_key"):
                if not getattr(self, name):
                    label = self._meta.get_field(name).verbose_name
                    errors[name] = f"SFTPでは{label}を入力してください。"
            if not (self.secret or self.private_key):
                errors["secret"] = "パスワードか秘密鍵のどちらかを入力してください。"
            if self.host_key and not _looks_like_public_key(self.host_key):
                errors["host_key"] = (
                    "「ssh-ed25519 AAAA…」のような公開鍵の1行を貼り付けてください。"
                )
        if self.protocol == PushProtocol.HTTPS:
            if not self.url:
                errors["url"] = "送信先URLを入力してください。"
            else:
                parts = urlsplit(self.url)
                if parts.scheme != "https" and not _is_local_host(parts.hostname or ""):
                    errors["url"] = (
                        "https:// で始まるURLを入力してください（暗号化のため）。"
                    )
        if errors:
            raise ValidationError(errors)

    def resolved(self, value: str) -> str:
        """``value``, or the environment variable it names as ``env:NAME``."""
        if value.startswith("env:"):
            return os.environ.get(value[4:], "")
        return value

    @property
    def state_label(self) -> str:
        if not self.is_active:
            return "停止中"
        if self.failure_count:
            return f"失敗中（{self.failure_count}回連続）"
        if self.last_success_at:
            return "正常"
        return "未送信"


def _looks_like_public_key(text: str) -> bool:
    parts = text.split()
    return len(parts) >= 2 and parts[0].startswith(("ssh-", "ecdsa-", "sk-"))


class DeliveryStatus(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILED = "failed", "失敗"


class Delivery(models.Model):
    """One attempt to send the feed to one target."""

    run = models.ForeignKey(
        SyncRun,
        verbose_name="連携",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    target = models.ForeignKey(
        PushTarget,
        verbose_name="送信先",
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    started_at = models.DateTimeField("開始日時", default=timezone.now)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    status = models.CharField("結果", max_length=8, choices=DeliveryStatus.choices)
    from_version = models.PositiveBigIntegerField("前回送信した版", default=0)
    feed_version = models.PositiveBigIntegerField("送信した版", default=0)
    listings = models.PositiveIntegerField("物件数", default=0)
    deletions = models.PositiveIntegerField("削除数", default=0)
    files = models.PositiveIntegerField("ファイル数", default=0)
    bytes = models.PositiveBigIntegerField("バイト数", default=0)
    error = models.TextField("エラー", blank=True)

    class Meta:
        verbose_name = "送信"
        verbose_name_plural = "送信"
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.target} {self.get_status_display()}"


class FeedConsumer(models.Model):
    """Someone allowed to pull the feed (the national bank, an open-data portal …).

    Only a SHA-256 of the token is stored: the token itself is shown once, when it
    is issued. Tokens are 256-bit random strings, so a plain hash cannot be
    reversed by guessing; a slow password hash would only slow every request.
    """

    name = models.CharField("名称", max_length=120, unique=True)
    contact = models.CharField(
        "連絡先", max_length=200, blank=True, help_text="担当者名やメールアドレス。"
    )
    is_active = models.BooleanField("利用を許可", default=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField("トークンの先頭", max_length=12, editable=False)
    created_at = models.DateTimeField("発行日時", default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(
        "最終利用", null=True, blank=True, editable=False
    )
    request_count = models.PositiveIntegerField("取得回数", default=0, editable=False)

    TOKEN_PREFIX = "akiya_"

    class Meta:
        verbose_name = "フィード利用者"
        verbose_name_plural = "フィード利用者"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """Give the consumer a new token (the old one stops working) and return it;
        the caller shows it once and it is never stored."""
        token = self.TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        self.token_hint = token[: len(self.TOKEN_PREFIX) + 4]
        return token

    @classmethod
    def for_token(cls, token: str) -> "FeedConsumer | None":
        return cls.objects.filter(token_hash=cls.hash_token(token)).first()

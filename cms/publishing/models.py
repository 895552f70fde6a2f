"""Build runs of the static site, and the one row that debounces publishes.

* ``BuildRun``: one build (and its deploy) as staff see it in the admin's
  「サイトの公開」: what started it and who, its status, duration, how many pages
  were rendered and files written, unchanged and deleted, the deploy target, the
  log and the errors.
* ``PublishState``: when the next publish-triggered build is due; every publish
  moves it a few seconds ahead, so a burst of publishes makes one build.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class BuildRun(models.Model):
    class Trigger(models.TextChoices):
        PUBLISH = "publish", "公開・非公開の操作"
        MANUAL = "manual", "管理画面から再構築"
        COMMAND = "command", "コマンド（portal build）"

    class Status(models.TextChoices):
        QUEUED = "queued", "待機中"
        RUNNING = "running", "実行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失敗"

    trigger = models.CharField("きっかけ", max_length=10, choices=Trigger.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="実行した人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    full = models.BooleanField("全体の再構築", default=False)
    status = models.CharField(
        "状態", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    deploy_target = models.CharField("公開先", max_length=20, blank=True)
    created_at = models.DateTimeField("受付日時", default=timezone.now, db_index=True)
    started_at = models.DateTimeField("開始日時", null=True, blank=True)
    finished_at = models.DateTimeField("終了日時", null=True, blank=True)
    pages_rendered = models.PositiveIntegerField("描画したページ", default=0)
    pages_total = models.PositiveIntegerField("ページ数", default=0)
    files_written = models.PositiveIntegerField("書き込んだファイル", default=0)
    files_unchanged = models.PositiveIntegerField("変更なしのファイル", default=0)
    files_deleted = models.PositiveIntegerField("削除したファイル", default=0)
    files_uploaded = models.PositiveIntegerField("公開先へ送ったファイル", default=0)
    log = models.TextField("ログ", blank=True)
    errors = models.TextField("エラー", blank=True)
    summary = models.JSONField("集計", default=dict, blank=True)

    class Meta:
        verbose_name = "サイトの構築"
        verbose_name_plural = "サイトの構築"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"構築 #{self.pk}（{self.get_status_display()}）"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class PublishState(models.Model):
    """The single row behind the debounce (see ``cms.publishing.tasks``)."""

    build_due_at = models.DateTimeField("次の構築予定", null=True, blank=True)
    build_queued_for = models.DateTimeField(
        "キュー投入済みの構築", null=True, blank=True
    )

    class Meta:
        verbose_name = "公開の状態"

    def __str__(self):
        return f"次の構築予定: {self.build_due_at or 'なし'}"

    @classmethod
    def locked(cls) -> "PublishState":
        cls.objects.get_or_create(pk=1)
        return cls.objects.select_for_update().get(pk=1)

"""What the public site lost or regained without a page's own publish date saying
so: a page unpublished, deleted, moved, renamed or made private (and its subtree
with it). The builder asks for these changes since its last build
(``removedPages(since:)``, ``updatedSince``) and deletes or re-renders the files."""

from django.db import models
from django.utils import timezone


class PublicPageChange(models.Model):
    """One page entering or leaving the public site at a path.

    ``page_id`` is not a foreign key: the page may be deleted, and the record has
    to outlive it. ``path`` is the public path (relative to the site root, e.g.
    ``/towns/mito/akiya/uchihara/``) the static site had or now has."""

    class Change(models.TextChoices):
        REMOVED = "removed", "公開サイトから削除"
        ADDED = "added", "公開サイトに再掲載"

    class Reason(models.TextChoices):
        UNPUBLISHED = "unpublished", "非公開にした"
        DELETED = "deleted", "削除した"
        MOVED = "moved", "移動・URL変更"
        PRIVATE = "private", "閲覧制限をかけた"
        RESTRICTION_REMOVED = "restriction_removed", "閲覧制限を外した"
        REPUBLISHED = "republished", "上位ページを再公開した"

    page_id = models.PositiveBigIntegerField("ページID", db_index=True)
    path = models.CharField("公開パス", max_length=1024)
    change = models.CharField("変化", max_length=8, choices=Change.choices)
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    changed_at = models.DateTimeField("日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "公開状態の変化"
        verbose_name_plural = "公開状態の変化"
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.get_change_display()} {self.path} ({self.get_reason_display()})"

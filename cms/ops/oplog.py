"""The operation log (操作ログ, spec 002 表3 No.26) is Wagtail's audit log: Wagtail
records page, snippet, image, document, user and viewset actions itself, apps record
their own (``cms.reservations.oplog``), and this module adds what no model save
shows: logins and lockouts, two-factor changes, downloads from the admin, site
builds, akiya feed syncs, backups and the retention job.

Events that concern no single object (a backup, the retention job) are logged
against the default ``Site``, so they live in the same table as everything else.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.db.models.signals import post_save, pre_save
from django.utils.functional import LazyObject, empty
from wagtail.log_actions import log

logger = logging.getLogger(__name__)

LOGIN = "ops.login"
LOGOUT = "ops.logout"
LOGIN_FAILED = "ops.login_failed"
LOCKED_OUT = "ops.locked_out"
TWO_FACTOR_ENABLED = "ops.2fa_enabled"
TWO_FACTOR_DISABLED = "ops.2fa_disabled"
TWO_FACTOR_RESET = "ops.2fa_reset"
TWO_FACTOR_FAILED = "ops.2fa_failed"
DOWNLOAD = "ops.download"
BUILD_REQUESTED = "ops.build_requested"
BUILD_FINISHED = "ops.build_finished"
FEED_SYNC = "ops.feed_sync"
BACKUP = "ops.backup"
RESTORE = "ops.restore"
LOG_PURGED = "ops.log_purged"

ACTIONS = {
    LOGIN: ("ログイン", "管理画面にログイン"),
    LOGOUT: ("ログアウト", "管理画面からログアウト"),
    LOGIN_FAILED: ("ログイン失敗", "パスワードが一致せずログインに失敗"),
    LOCKED_OUT: ("ログイン停止", "失敗が続いたためログインを一時停止"),
    TWO_FACTOR_ENABLED: ("二要素認証の設定", "二要素認証を設定"),
    TWO_FACTOR_DISABLED: ("二要素認証の解除", "二要素認証を解除"),
    TWO_FACTOR_RESET: ("二要素認証のリセット", "管理者が二要素認証をリセット"),
    TWO_FACTOR_FAILED: ("確認コードの誤り", "二要素認証の確認コードが不一致"),
    DOWNLOAD: ("ファイル出力", "管理画面からファイルを出力（CSV・Excel・PDF）"),
    BUILD_REQUESTED: ("サイト構築の受付", "公開サイトの構築を受付"),
    BUILD_FINISHED: ("サイト構築の終了", "公開サイトの構築が終了"),
    FEED_SYNC: ("空き家バンク連携", "全国版空き家バンクとの連携を実行"),
    BACKUP: ("バックアップ", "バックアップを作成"),
    RESTORE: ("復元", "バックアップから復元"),
    LOG_PURGED: ("操作ログの整理", "保存期間を過ぎた操作ログを削除"),
}


def system_subject():
    """What system-wide events are logged against: the default site."""
    from wagtail.models import Site

    return Site.objects.filter(is_default_site=True).first() or Site.objects.first()


def unwrap(value):
    """``request.user`` is a lazy object, twice over with django-otp; Wagtail's log
    registry looks at the real type, so hand it the real user."""
    while isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        value = value._wrapped
    return value


def record(instance, action: str, *, user=None, data=None, label: str = "") -> None:
    """Log ``action`` on ``instance``; never lets a logging failure break the
    operation being logged."""
    instance, user = unwrap(instance), unwrap(user)
    if instance is None:
        instance = system_subject()
        if instance is None:
            logger.warning("operation log: no site to log %s against", action)
            return
    kwargs = {"title": label[:255]} if label else {}
    try:
        log(instance=instance, action=action, user=user, data=data or {}, **kwargs)
    except Exception:
        logger.exception("operation log: could not record %s", action)


def record_user_event(subject_user, action: str, *, user="self", data=None) -> None:
    """An event about an account (login, 2FA); ``user`` is who did it, the account
    itself unless given."""
    record(
        subject_user,
        action,
        user=subject_user if user == "self" else user,
        data=data,
        label=subject_user.get_username(),
    )


def record_download(request, response) -> None:
    disposition = response.get("Content-Disposition", "")
    filename = ""
    if "filename=" in disposition:
        filename = disposition.split("filename=", 1)[1].strip('"; ')
    record(
        request.user,
        DOWNLOAD,
        user=request.user,
        label=filename or request.path,
        data={
            "path": request.path,
            "query": request.META.get("QUERY_STRING", "")[:500],
            "file": filename,
            "content_type": response.get("Content-Type", ""),
        },
    )


# --- Receivers ----------------------------------------------------------------------


def _request_ip(request) -> str:
    from cms.core.ratelimit import client_ip

    return client_ip(request) if request is not None else ""


def _on_login(sender, request, user, **kwargs):
    record_user_event(user, LOGIN, data={"ip": _request_ip(request)})


def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_user_event(user, LOGOUT, data={"ip": _request_ip(request)})


def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username") or ""
    account = get_user_model().objects.filter(username=username).first()
    if account is None or request is None:
        return  # unknown names are counted by django-axes, not logged per account
    record(
        account,
        LOGIN_FAILED,
        user=None,
        label=username,
        data={"ip": _request_ip(request)},
    )


def _on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    account = get_user_model().objects.filter(username=username or "").first()
    record(
        account,
        LOCKED_OUT,
        label=username or "",
        data={"username": username or "", "ip": ip_address or ""},
    )


def _remember_finished(sender, instance, **kwargs):
    if instance.pk:
        previous = sender.objects.filter(pk=instance.pk).values_list(
            "finished_at", flat=True
        )
        instance._ops_was_finished = bool(previous and previous[0])
    else:
        instance._ops_was_finished = False


def _on_build_saved(sender, instance, created, **kwargs):
    user = getattr(instance, "user", None)
    data = {"run": instance.pk, "trigger": instance.trigger, "full": instance.full}
    if created:
        record(instance, BUILD_REQUESTED, user=user, data=data, label=str(instance))
    elif instance.finished_at and not getattr(instance, "_ops_was_finished", True):
        data.update(
            status=instance.status,
            pages_rendered=instance.pages_rendered,
            files_uploaded=instance.files_uploaded,
            errors=(instance.errors or "")[:500],
        )
        record(instance, BUILD_FINISHED, user=user, data=data, label=str(instance))


def _on_sync_saved(sender, instance, created, **kwargs):
    if instance.finished_at and not getattr(instance, "_ops_was_finished", True):
        record(
            instance,
            FEED_SYNC,
            user=getattr(instance, "requested_by", None),
            label=str(instance),
            data={
                "run": instance.pk,
                "trigger": instance.trigger,
                "status": instance.status,
                "added": instance.added,
                "updated": instance.updated,
                "removed": instance.removed,
                "error": (instance.error or "")[:500],
            },
        )


def connect() -> None:
    from axes.signals import user_locked_out
    from django.apps import apps

    user_logged_in.connect(_on_login, dispatch_uid="ops-login")
    user_logged_out.connect(_on_logout, dispatch_uid="ops-logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="ops-login-failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="ops-locked-out")
    for label, receiver in (
        ("publishing.BuildRun", _on_build_saved),
        ("akiya_bank.SyncRun", _on_sync_saved),
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        pre_save.connect(_remember_finished, sender=model, dispatch_uid=f"ops-{label}")
        post_save.connect(receiver, sender=model, dispatch_uid=f"ops-{label}")

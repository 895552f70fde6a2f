"""Admin wiring of cms.ops: the two-factor pages, 操作ログ in the Reports menu,
the account page's link to two-factor settings, and the operation log's actions."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.core.permissions import can_view_operation_log

from . import oplog, twofactor
from .views import OperationLogView


@hooks.register("register_admin_urls")
def register_ops_urls():
    return [
        path("two-factor/", twofactor.SetupView.as_view(), name="ops_2fa_setup"),
        path(
            "two-factor/verify/", twofactor.VerifyView.as_view(), name="ops_2fa_verify"
        ),
        path(
            "two-factor/reset/<int:user_id>/",
            twofactor.reset_view,
            name="ops_2fa_reset",
        ),
        path("operation-log/", OperationLogView.as_view(), name="ops_oplog"),
        path(
            "operation-log/results/",
            OperationLogView.as_view(results_only=True),
            name="ops_oplog_results",
        ),
    ]


class OperationLogMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_operation_log(request.user)


@hooks.register("register_reports_menu_item")
def register_operation_log_menu_item():
    return OperationLogMenuItem(
        "操作ログ（全体）",
        reverse("ops_oplog"),
        name="operation-log",
        icon_name="history",
        order=1010,
    )


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    enabled = twofactor.has_device(request.user)
    return {
        "url": reverse("ops_2fa_setup"),
        "label": "二要素認証",
        "help_text": (
            "認証アプリによる二要素認証を設定済みです。スマートフォンを替えたときはここで設定し直します。"
            if enabled
            else "ログイン時にスマートフォンの認証アプリの確認コードも求め、パスワードが漏れても不正にログインされないようにします。"
        ),
    }


@hooks.register("register_log_actions")
def register_ops_log_actions(actions):
    for action, (label, message) in oplog.ACTIONS.items():
        actions.register_action(action, label, message)

from django.apps import AppConfig


class LineConfig(AppConfig):
    name = "cms.line"
    label = "line"
    verbose_name = "LINE公式アカウント"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import LineChannelScopedPolicy

        from . import models

        for model in (
            models.LineChannel,
            models.LineFriend,
            models.Spot,
            models.FriendSegment,
            models.RichMenu,
            models.LineMessage,
            models.MailRelayRule,
        ):
            register_permission_policy(model, LineChannelScopedPolicy(model))

from django.apps import AppConfig
from django.db.models.signals import post_migrate


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
            models.AttributeForm,
        ):
            register_permission_policy(model, LineChannelScopedPolicy(model))
        post_migrate.connect(_sync_groups_after_migrate, sender=self)


def _sync_groups_after_migrate(sender, using=None, **kwargs):
    from django.contrib.auth.management import create_permissions

    from cms.core.permissions import sync_line_role_groups

    # Our receiver may run before auth's, which creates this app's permissions.
    create_permissions(sender, verbosity=0, using=using)
    sync_line_role_groups()

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "cms.chat"
    label = "chat"
    verbose_name = "移住相談チャットボット"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import MunicipalityScopedPolicy

        from . import signals  # noqa: F401
        from .models import FaqAnswer

        register_permission_policy(FaqAnswer, MunicipalityScopedPolicy(FaqAnswer))
        post_migrate.connect(_sync_permissions_after_migrate, sender=self)


def _sync_permissions_after_migrate(sender, **kwargs):
    from cms.core.permissions import sync_chat_permissions

    sync_chat_permissions()

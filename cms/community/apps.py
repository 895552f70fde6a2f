from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "cms.community"
    label = "community"
    verbose_name = "オンラインコミュニティ"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import CommunityPolicy

        from . import models

        for model, who in models.ADMIN_MODELS.items():
            addable = model not in models.MADE_ON_THE_PUBLIC_SIDE
            register_permission_policy(model, CommunityPolicy(model, who, addable))
        post_migrate.connect(_sync_group_after_migrate, sender=self)


def _sync_group_after_migrate(sender, using=None, **kwargs):
    from django.contrib.auth.management import create_permissions

    from cms.core.permissions import sync_community_manager_group

    # Our receiver may run before auth's, which creates this app's permissions.
    create_permissions(sender, verbosity=0, using=using)
    sync_community_manager_group()

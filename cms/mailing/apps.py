from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "cms.mailing"
    label = "mailing"
    verbose_name = "メール配信"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import MailingStaffPolicy

        from . import models

        for model in models.STAFF_MODELS:
            register_permission_policy(model, MailingStaffPolicy(model))
        post_migrate.connect(_sync_group_after_migrate, sender=self)


def _sync_group_after_migrate(sender, using=None, **kwargs):
    from django.contrib.auth.management import create_permissions

    from cms.core.permissions import sync_mailing_staff_group

    # Our receiver may run before auth's, which creates this app's permissions.
    create_permissions(sender, verbosity=0, using=using)
    sync_mailing_staff_group()

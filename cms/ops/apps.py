from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "cms.ops"
    label = "ops"
    verbose_name = "運用とセキュリティ"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import checks, oplog  # noqa: F401  (registers the system checks)

        oplog.connect()
        post_migrate.connect(_after_migrate, sender=self)


def _after_migrate(using="default", **kwargs):
    """The auditors' group, and the cache table when the cache is the database."""
    from django.conf import settings
    from django.core.management import call_command

    from cms.core.permissions import sync_auditor_group

    sync_auditor_group()
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("DatabaseCache"):
        call_command("createcachetable", database=using, verbosity=0)

from django.apps import AppConfig

ADMIN_MODEL_NAMES = (
    "TiesMember",
    "HostOrganisation",
    "Application",
    "ExchangeMeeting",
    "MeetingRegistration",
    "SubsidyApplication",
    "SnsFollowerCount",
)


class TiesConfig(AppConfig):
    name = "cms.ties"
    label = "ties"
    verbose_name = "関係人口"

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import TiesStaffPolicy

        for name in ADMIN_MODEL_NAMES:
            model = self.get_model(name)
            register_permission_policy(model, TiesStaffPolicy(model))
        post_migrate.connect(_sync_group_after_migrate, sender=self)
        from . import signals  # noqa: F401 - connects the receivers


def _sync_group_after_migrate(sender, using=None, **kwargs):
    from django.contrib.auth.management import create_permissions

    from cms.core.permissions import sync_ties_program_access, sync_ties_staff_group

    create_permissions(sender, verbosity=0, using=using)
    sync_ties_staff_group()
    sync_ties_program_access()

from django.apps import AppConfig


class AkiyaBankConfig(AppConfig):
    name = "cms.akiya_bank"
    label = "akiya_bank"
    verbose_name = "全国版空き家バンク連携"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from cms.core.permissions import PrefectureStaffOnlyPolicy

        from . import signals  # noqa: F401
        from .models import FeedConsumer, PushTarget, SyncRun

        register_permission_policy(PushTarget, PrefectureStaffOnlyPolicy(PushTarget))
        register_permission_policy(
            FeedConsumer, PrefectureStaffOnlyPolicy(FeedConsumer)
        )
        # The history is written by syncs only: staff read it, nobody edits it.
        register_permission_policy(
            SyncRun, PrefectureStaffOnlyPolicy(SyncRun, actions=("view",))
        )

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cms.core"
    label = "core"
    verbose_name = "基本設定"

    def ready(self):
        from wagtail.permissions import register_permission_policy

        from . import signals  # noqa: F401
        from .models import ConsultationDesk
        from .permissions import MunicipalityScopedPolicy

        register_permission_policy(
            ConsultationDesk, MunicipalityScopedPolicy(ConsultationDesk)
        )

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cms.api"
    label = "api"
    verbose_name = "コンテンツAPI"

    def ready(self):
        from . import changes, checks  # noqa: F401 - checks registers

        changes.connect_receivers()

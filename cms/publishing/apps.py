from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "cms.publishing"
    label = "publishing"
    verbose_name = "サイトの公開"

    def ready(self):
        from . import signals  # noqa: F401

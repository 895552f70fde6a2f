from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "cms.analytics"
    label = "analytics"
    verbose_name = "アクセス解析と月次報告"

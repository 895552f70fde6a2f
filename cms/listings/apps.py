from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "cms.listings"
    label = "listings"
    verbose_name = "市町村の掲載情報"

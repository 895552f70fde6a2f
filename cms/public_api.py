"""The public side's JSON API (``/api/…``): one django-ninja API, one OpenAPI
description, with a router per app.

An app offers endpoints by having a ``public_api`` module with a ninja ``router`` and
a ``PREFIX`` (e.g. ``"chat"``); they are collected here, so apps never edit this file.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from ninja import NinjaAPI

api = NinjaAPI(
    title="移住ポータル 公開API",
    version="1",
    description="チャットボット、施設予約、メール登録、空き家フィードなど、公開サイトから呼ばれるAPI。",
    urls_namespace="public_api",
)


def _collect_routers() -> None:
    for config in apps.get_app_configs():
        module_name = f"{config.name}.public_api"
        if not config.name.startswith("cms.") or find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        api.add_router(f"/{module.PREFIX}/", module.router)


_collect_routers()

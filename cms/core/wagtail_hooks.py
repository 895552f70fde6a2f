from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .panels import MunicipalitySummaryPanel
from .viewsets import MunicipalityGroup

register_snippet(MunicipalityGroup)


@hooks.register("construct_homepage_panels")
def add_municipality_summary(request, panels):
    panels.append(MunicipalitySummaryPanel(request.user))

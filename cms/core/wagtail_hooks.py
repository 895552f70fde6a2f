from wagtail.snippets.models import register_snippet

from .viewsets import MunicipalityGroup

register_snippet(MunicipalityGroup)

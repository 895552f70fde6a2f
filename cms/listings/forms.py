"""Admin form for listing pages: checks that need to know where the page sits."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from cms.pages.forms import MunicipalityContentPageForm


class ListingPageForm(MunicipalityContentPageForm):
    """Offers only the listing's own municipality's desks and the prefecture's, and
    keeps akiya registration numbers unique within a municipality."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        municipality = self.municipality
        desk_field = self.fields.get("contact_desk")
        if desk_field is not None:
            scope = Q(municipality__isnull=True)
            if municipality is not None:
                scope |= Q(municipality=municipality)
            desk_field.queryset = desk_field.queryset.filter(scope)

    def clean_registration_number(self):
        number = self.cleaned_data["registration_number"].strip()
        municipality = self.municipality
        if municipality is not None:
            clash = (
                type(self.instance)
                .objects.filter(municipality=municipality, registration_number=number)
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash is not None:
                raise ValidationError(
                    f"登録番号「{number}」は{municipality.name}の「{clash.title}」で"
                    "使われています。別の番号にしてください。"
                )
        return number

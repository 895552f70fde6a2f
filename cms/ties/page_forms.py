"""The admin form of a program page: who may be named as its host, and dates that
make sense. Kept apart from ``forms`` (the public pages' forms), which imports the
models this form is attached to."""

from cms.core.permissions import (
    is_ties_staff,
    municipality_ids_for_user,
    ties_host_ids_for_user,
)
from cms.pages.forms import MunicipalityContentPageForm


class ProgramPageForm(MunicipalityContentPageForm):
    """Offers as host only organisations of the page's municipality, and of those
    only the user's own unless they are 関係人口担当 or edit that municipality."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("host")
        if field is None:
            return
        municipality = self.municipality
        hosts = field.queryset
        if municipality is not None:
            hosts = hosts.filter(municipality=municipality)
        user = self.for_user
        if user is not None and not (
            is_ties_staff(user)
            or (municipality and municipality.pk in municipality_ids_for_user(user))
        ):
            hosts = hosts.filter(pk__in=ties_host_ids_for_user(user))
        field.queryset = hosts
        field.empty_label = None if hosts.count() == 1 else field.empty_label

    def clean(self):
        data = super().clean()
        starts, ends, deadline = (
            data.get("starts_on"),
            data.get("ends_on"),
            data.get("deadline"),
        )
        if starts and ends and ends < starts:
            self.add_error("ends_on", "終了日: 開始日より後の日付にしてください。")
        if starts and deadline and deadline > starts:
            self.add_error("deadline", "申込締切: 開始日までの日付にしてください。")
        return data

"""Admin forms shared by the page types of several apps."""

from wagtail.admin.forms import WagtailAdminPageForm


class MunicipalityContentPageForm(WagtailAdminPageForm):
    """The form of a page that belongs to the municipality it sits under
    (``MunicipalityContentPage``): ``municipality`` is known while the page is
    edited, and for a new page from the page it is being added under."""

    @property
    def municipality(self):
        anchor = self.instance if self.instance.path else self.parent_page
        if anchor is None:
            return None
        municipality_page = anchor.specific.get_municipality_page()
        return municipality_page.municipality if municipality_page else None

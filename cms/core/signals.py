"""Keep groups, collections, section pages and derived municipality fields in step
with the content, whoever changes it (admin, loader or shell)."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.signals import page_published, post_page_move

from cms.pages.models import MunicipalityContentPage, MunicipalityPage

from .models import Municipality
from .permissions import sync_municipality_access


@receiver(post_save, sender=Municipality)
def municipality_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        sync_municipality_access(instance)


@receiver(post_save, sender=MunicipalityPage)
def municipality_page_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        instance.ensure_sections()
    sync_municipality_access(instance.municipality)


@receiver(page_published, sender=MunicipalityPage)
def municipality_page_published(sender, instance, **kwargs):
    """Sections created while the municipality page was a draft go live with it."""
    for section in instance.get_children().not_live().specific():
        if getattr(section, "structural", False):
            section.save_revision(log_action=False).publish(log_action=False)


@receiver(post_page_move)
def page_moved_to_other_municipality(sender, instance, **kwargs):
    """A listing moved under another municipality now belongs to it."""
    for page in instance.get_descendants(inclusive=True).specific().iterator():
        if isinstance(page, MunicipalityContentPage):
            municipality = page.resolve_municipality()
            if page.municipality_id != getattr(municipality, "pk", None):
                type(page).objects.filter(pk=page.pk).update(municipality=municipality)

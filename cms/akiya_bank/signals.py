"""Anything that can change what the national bank should show asks for a
(debounced) sync: publishing, unpublishing, deleting or moving an akiya listing,
and view restrictions that hide or reveal pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.listings.models import AkiyaListingPage

from .tasks import request_sync


@receiver(page_published, sender=AkiyaListingPage)
@receiver(page_unpublished, sender=AkiyaListingPage)
def akiya_published_or_unpublished(sender, instance, **kwargs):
    request_sync()


@receiver(post_delete, sender=AkiyaListingPage)
def akiya_deleted(sender, instance, **kwargs):
    request_sync()


@receiver(post_page_move)
def page_moved(sender, instance, **kwargs):
    if (
        issubclass(sender, AkiyaListingPage)
        or instance.get_descendants().type(AkiyaListingPage).exists()
    ):
        request_sync()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def view_restriction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        request_sync()

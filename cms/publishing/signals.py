"""What changes the public site asks for a (debounced) build: publishing,
unpublishing, deleting or moving a page, view restrictions, the site data every
page shows (portal settings, municipalities, consultation desks) and the chatbot's
answers (the static FAQ page)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.chat.models import FaqAnswer, FaqCategory
from cms.core.models import ConsultationDesk, Municipality, PortalSettings

from .tasks import request_build


@receiver(page_published)
@receiver(page_unpublished)
def page_published_or_unpublished(sender, instance, **kwargs):
    request_build()


@receiver(post_delete, sender=Page)
def page_deleted(sender, instance, **kwargs):
    if instance.live:
        request_build()


@receiver(post_page_move)
def page_moved(sender, instance, **kwargs):
    request_build()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=ConsultationDesk)
@receiver(post_delete, sender=ConsultationDesk)
@receiver(post_save, sender=Municipality)
@receiver(post_save, sender=FaqAnswer)
@receiver(post_delete, sender=FaqAnswer)
@receiver(post_save, sender=FaqCategory)
@receiver(post_delete, sender=FaqCategory)
def site_data_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        request_build()


@receiver(post_save, sender=PortalSettings)
def portal_settings_changed(sender, instance, created=False, raw=False, **kwargs):
    # The API creates the defaults on first read (during a build): nothing to show.
    if not (raw or created):
        request_build()

"""Keeping hosts' admin rights in step: a registered host organisation gets its
municipality's program folder, and the group 「受入団体」 follows the
organisations' users (``cms.core.permissions``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import HostOrganisation, ProgramIndexPage


@receiver(post_save, sender=HostOrganisation)
def host_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        ProgramIndexPage.ensure_for(instance.municipality)


@receiver(m2m_changed, sender=HostOrganisation.users.through)
def host_users_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        from cms.core.permissions import sync_ties_host_users

        sync_ties_host_users()


@receiver(post_delete, sender=HostOrganisation)
def host_deleted(sender, **kwargs):
    from cms.core.permissions import sync_ties_host_users

    sync_ties_host_users()

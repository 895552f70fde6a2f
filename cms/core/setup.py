"""Bootstrapping a portal: the fixed part of the page tree, the Wagtail site, the
prefecture staff group and the approval workflow. Idempotent, so ``portal setup_site``
and the loaders can run any number of times."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.pages.models import (
    ArticleIndexPage,
    HomePage,
    MunicipalityIndexPage,
    SupportMeasureIndexPage,
)

from .models import PortalSettings
from .permissions import APPROVAL_WORKFLOW, sync_prefecture_staff_group


def _publish(page: Page) -> Page:
    page.save_revision(log_action=False).publish(log_action=False)
    return page


def _child(parent: Page, page_class, slug: str, **fields) -> Page:
    existing = page_class.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = page_class(slug=slug, **fields)
    parent.add_child(instance=page)
    return _publish(page)


@transaction.atomic
def ensure_site_structure(portal_name: str | None = None) -> HomePage:
    """Create (or find) the home page, its fixed index pages and the site record."""
    root = Page.get_first_root_node()
    home = HomePage.objects.first()
    if home is None:
        # Wagtail's initial migration leaves a welcome page (and a site pointing at
        # it); neither has a place in the portal.
        Page.objects.filter(depth=2, content_type__model="page").delete()
        home = HomePage(
            title=portal_name or settings.WAGTAIL_SITE_NAME,
            slug="home",
            hero_title=portal_name or settings.WAGTAIL_SITE_NAME,
        )
        root.add_child(instance=home)
        _publish(home)

    url = urlsplit(settings.PORTAL_SITE_URL)
    site = Site.objects.filter(is_default_site=True).first() or Site(
        is_default_site=True
    )
    site.hostname = url.hostname or "localhost"
    site.port = url.port or (443 if url.scheme == "https" else 80)
    site.root_page = home
    site.site_name = portal_name or site.site_name or settings.WAGTAIL_SITE_NAME
    site.save()
    if portal_name:
        portal_settings = PortalSettings.for_site(site)
        portal_settings.portal_name = portal_name
        portal_settings.save()

    _child(home, MunicipalityIndexPage, "towns", title="市町村の紹介")
    _child(home, SupportMeasureIndexPage, "support", title="県の移住支援策")
    _child(home, ArticleIndexPage, "articles", title="特集・コラム")

    staff_group = sync_prefecture_staff_group()
    remove_wagtail_defaults()
    ensure_approval_workflow(staff_group, home)
    return home


def remove_wagtail_defaults() -> None:
    """Wagtail's initial migrations create groups 「Editors」「Moderators」 with rights
    on the whole tree and a 「Moderators approval」 workflow on the root page. The portal
    has its own groups and workflow, so the defaults would only confuse (and an
    editor added to 「Editors」 by mistake could edit every municipality)."""
    from django.contrib.auth.models import Group
    from wagtail.models import Task

    default_workflow = Workflow.objects.filter(name="Moderators approval").first()
    if default_workflow is not None:
        task_ids = list(
            default_workflow.workflow_tasks.values_list("task_id", flat=True)
        )
        WorkflowPage.objects.filter(workflow=default_workflow).delete()
        if not default_workflow.workflow_states.exists():
            default_workflow.delete()
            Task.objects.filter(pk__in=task_ids, name="Moderators approval").delete()
        else:
            default_workflow.deactivate()
    Group.objects.filter(name__in=["Editors", "Moderators"], user__isnull=True).delete()


def ensure_approval_workflow(staff_group, home: HomePage) -> Workflow:
    """「県の承認」: prefecture staff review what municipalities publish.

    Created switched off; staff switch it on or off in 設定 → ワークフロー. While it is
    on, ``PortalPagePermissionTester`` turns a municipality editor's 公開 into
    承認を申請."""
    workflow = Workflow.objects.filter(name=APPROVAL_WORKFLOW).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=APPROVAL_WORKFLOW, active=False)
        task = GroupApprovalTask.objects.create(name="県による内容確認")
        task.groups.set([staff_group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    municipality_index = MunicipalityIndexPage.objects.descendant_of(home).first()
    if (
        municipality_index
        and not WorkflowPage.objects.filter(page=municipality_index).exists()
    ):
        WorkflowPage.objects.create(page=municipality_index, workflow=workflow)
    return workflow

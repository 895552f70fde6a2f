"""Who may do what: the one place that decides permissions.

Everything is expressed with Wagtail's own machinery:

* **Prefecture staff** (group 「県職員」) hold page permissions on the root page, image
  and document permissions on the root collection and the model permissions of the
  portal's own models.
* **Each municipality** gets a group 「市町村編集者: 水戸市」 holding add/change/publish/
  lock on its ``MunicipalityPage`` subtree and add/change/choose on its own collection
  (plus choose on the shared collection 「共通素材」). Wagtail's explorer, image library
  and choosers then show an editor nothing of other municipalities.
* ``PortalPagePermissionTester`` narrows two things Wagtail's group permissions cannot
  say: the page structure (municipality pages and their section pages) is changed only
  by staff, and while the approval workflow is active a municipality editor submits for
  moderation instead of publishing.
* A host organisation's users (group 「受入団体」, ``cms.ties``) hold add/change/
  publish on the municipalities' program folders; outside a user's own
  municipalities (as an editor) the tester narrows that to adding programs in
  their organisations' municipalities and changing their organisations' programs.
  A program with applications is deleted only by staff (others unpublish it).
* ``MunicipalityScopedPolicy`` limits snippets that belong to a municipality (相談窓口)
  to that municipality's editors.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils.functional import cached_property
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PagePermissionTester,
    Workflow,
)
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.base import BasePermissionPolicy

PREFECTURE_STAFF_GROUP = "県職員"
MUNICIPALITY_GROUP_PREFIX = "市町村編集者: "
MUNICIPALITIES_COLLECTION = "市町村"
SHARED_COLLECTION = "共通素材"
APPROVAL_WORKFLOW = "県の承認"

# Page actions a municipality editor holds on its own subtree. No bulk_delete: an
# editor removes listings one by one, never a whole section.
MUNICIPALITY_PAGE_ACTIONS = ("add", "change", "publish", "lock")
STAFF_PAGE_ACTIONS = ("add", "change", "publish", "bulk_delete", "lock", "unlock")
MEDIA_ACTIONS = ("add", "change", "choose")
STAFF_MEDIA_ACTIONS = ("add", "change", "delete", "choose")

# Model permissions (app_label.codename).
MUNICIPALITY_MODEL_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "core.add_consultationdesk",
    "core.change_consultationdesk",
    "core.view_consultationdesk",
)
STAFF_MODEL_PERMISSIONS = (
    "wagtailadmin.access_admin",
    "core.add_municipality",
    "core.change_municipality",
    "core.delete_municipality",
    "core.view_municipality",
    "core.add_consultationdesk",
    "core.change_consultationdesk",
    "core.delete_consultationdesk",
    "core.view_consultationdesk",
    "core.change_portalsettings",
    "wagtailcore.add_collection",
    "wagtailcore.change_collection",
    "wagtailcore.delete_collection",
    "wagtailcore.add_workflow",
    "wagtailcore.change_workflow",
    "wagtailcore.add_task",
    "wagtailcore.change_task",
    "wagtailredirects.add_redirect",
    "wagtailredirects.change_redirect",
    "wagtailredirects.delete_redirect",
    "auth.add_user",
    "auth.change_user",
    "auth.view_user",
)


# --- Who is who ------------------------------------------------------------


def is_prefecture_staff(user) -> bool:
    """Prefecture staff see and change everything."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_portal_is_staff"):
        user._portal_is_staff = user.groups.filter(name=PREFECTURE_STAFF_GROUP).exists()
    return user._portal_is_staff


def municipality_ids_for_user(user) -> set[int]:
    """The municipalities whose content the user may edit (all, for staff)."""
    from .models import Municipality

    if not hasattr(user, "_portal_municipality_ids"):
        if is_prefecture_staff(user):
            ids = Municipality.objects.values_list("pk", flat=True)
        elif user.is_authenticated:
            ids = Municipality.objects.filter(editor_group__user=user).values_list(
                "pk", flat=True
            )
        else:
            ids = []
        user._portal_municipality_ids = set(ids)
    return user._portal_municipality_ids


# --- Setting up groups, collections and page permissions -----------------------


def _permissions(labels) -> list[Permission]:
    wanted = [label.split(".", 1) for label in labels]
    query = Q()
    for app_label, codename in wanted:
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query).select_related("content_type"))
    missing = {tuple(w) for w in wanted} - {
        (p.content_type.app_label, p.codename) for p in found
    }
    if missing:
        raise LookupError(
            f"permissions not found (run migrate first?): {sorted(missing)}"
        )
    return found


def _page_permission(action: str) -> Permission:
    return Permission.objects.get(
        content_type=ContentType.objects.get_for_model(Page), codename=f"{action}_page"
    )


def _media_permissions(actions) -> list[Permission]:
    # Wagtail checks custom image and document models against the permissions of
    # its own Image and Document models.
    labels = []
    for auth_model in ("wagtailimages.image", "wagtaildocs.document"):
        app_label, name = auth_model.split(".")
        labels += [f"{app_label}.{action}_{name}" for action in actions]
    return _permissions(labels)


def _grant_pages(group: Group, page: Page, actions) -> None:
    for action in actions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(action)
        )


def _grant_collection(group: Group, collection: Collection, permissions) -> None:
    for permission in permissions:
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def _child_collection(parent: Collection, name: str) -> Collection:
    existing = parent.get_children().filter(name=name).first()
    return existing or parent.add_child(name=name)


def shared_collection() -> Collection:
    return _child_collection(Collection.get_first_root_node(), SHARED_COLLECTION)


def municipalities_collection() -> Collection:
    return _child_collection(
        Collection.get_first_root_node(), MUNICIPALITIES_COLLECTION
    )


@transaction.atomic
def sync_prefecture_staff_group() -> Group:
    """Create or complete the prefecture staff group (idempotent)."""
    group, _ = Group.objects.get_or_create(name=PREFECTURE_STAFF_GROUP)
    group.permissions.add(*_permissions(STAFF_MODEL_PERMISSIONS))
    _grant_pages(group, Page.get_first_root_node(), STAFF_PAGE_ACTIONS)
    _grant_collection(
        group, Collection.get_first_root_node(), _media_permissions(STAFF_MEDIA_ACTIONS)
    )
    shared_collection()
    return group


@transaction.atomic
def sync_municipality_access(municipality) -> None:
    """Give a municipality its editor group, its collection and rights on its pages.

    Idempotent: it runs whenever a municipality or its page is saved, and again from
    ``portal load_municipalities``. Rights are only ever added here; removing a right
    by hand in the admin is left alone until the next sync re-adds the standard set.
    """
    from cms.pages.models import MunicipalityPage

    group_name = f"{MUNICIPALITY_GROUP_PREFIX}{municipality.name}"
    group = municipality.editor_group
    if group is None:
        group, _ = Group.objects.get_or_create(name=group_name)
    elif group.name != group_name:
        group.name = group_name
        group.save(update_fields=["name"])
    group.permissions.add(*_permissions(MUNICIPALITY_MODEL_PERMISSIONS))

    collection = municipality.collection
    if collection is None:
        collection = _child_collection(municipalities_collection(), municipality.name)
    elif collection.name != municipality.name:
        collection.name = municipality.name
        collection.save(update_fields=["name"])
    _grant_collection(group, collection, _media_permissions(MEDIA_ACTIONS))
    _grant_collection(group, shared_collection(), _media_permissions(["choose"]))

    if (municipality.editor_group_id, municipality.collection_id) != (
        group.pk,
        collection.pk,
    ):
        type(municipality).objects.filter(pk=municipality.pk).update(
            editor_group=group, collection=collection
        )
        municipality.editor_group, municipality.collection = group, collection

    for page in MunicipalityPage.objects.filter(municipality=municipality):
        _grant_pages(group, page, MUNICIPALITY_PAGE_ACTIONS)


def approval_workflow() -> Workflow | None:
    return Workflow.objects.filter(name=APPROVAL_WORKFLOW).first()


# --- Pages -----------------------------------------------------------------


class PortalPagePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, narrowed for municipality editors.

    * Structural pages (home, the municipality index, municipality pages and their
      section pages) are deleted, moved, copied or unpublished only by staff.
    * While an approval workflow applies to a page, only staff publish it directly;
      a municipality editor gets 「承認を申請」 (submit for moderation) instead.
    """

    @cached_property
    def is_staff(self) -> bool:
        return is_prefecture_staff(self.user)

    @cached_property
    def is_structural(self) -> bool:
        specific_class = self.page.specific_class
        return bool(specific_class and getattr(specific_class, "structural", False))

    @cached_property
    def approval_required(self) -> bool:
        return not self.is_staff and self.page.get_workflow() is not None

    def __init__(self, user, page):
        super().__init__(user, page)
        if not user.is_superuser and user.is_active and self.rights_from_hosts_only:
            self.permissions = self._host_permissions()

    @cached_property
    def rights_from_hosts_only(self) -> bool:
        """A program folder or program outside the user's own municipalities, for
        anyone but staff and 関係人口担当: whatever rights they have there come
        from 「受入団体」 and are narrowed to their organisations' programs."""
        from cms.ties.models import ProgramIndexPage, ProgramPage

        if self.page.specific_class not in (ProgramIndexPage, ProgramPage):
            return False
        if self.is_staff or is_ties_staff(self.user):
            return False
        return not any(
            self.page.path.startswith(path)
            for path in _municipality_page_paths(municipality_ids_for_user(self.user))
        )

    def _host_permissions(self) -> set[str]:
        from cms.ties.models import HostOrganisation, ProgramIndexPage, ProgramPage

        hosts = ties_host_ids_for_user(self.user)
        specific_class = self.page.specific_class
        if specific_class is ProgramPage:
            host_id = getattr(self.page, "host_id", None)
            if host_id is None:
                host_id = (
                    ProgramPage.objects.filter(pk=self.page.pk)
                    .values_list("host_id", flat=True)
                    .first()
                )
            return set(self.permissions) if host_id in hosts else set()
        if specific_class is ProgramIndexPage:
            towns = HostOrganisation.objects.filter(pk__in=hosts).values_list(
                "municipality__page__path", flat=True
            )
            mine = any(t and self.page.path.startswith(t) for t in towns)
            # Add programs and publish them (Wagtail asks the parent for
            # "publish" when a new page is published); never edit the folder.
            return set(self.permissions) & {"add", "publish"} if mine else set()
        return set()

    def can_delete(self, ignore_bulk=False):
        if self.is_structural and not self.is_staff:
            return False
        if self.has_applications and not self.is_staff:
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)

    @cached_property
    def has_applications(self) -> bool:
        """A program people applied to: deleting it would delete their
        applications and threads, so only staff may; hosts unpublish it."""
        from cms.ties.models import Application, ProgramPage

        return (
            self.page.specific_class is ProgramPage
            and Application.objects.filter(program_id=self.page.pk).exists()
        )

    def can_unpublish(self):
        if self.is_structural and not self.is_staff:
            return False
        return super().can_unpublish()

    def can_copy(self):
        if self.is_structural and not self.is_staff:
            return False
        return super().can_copy()

    def can_publish(self):
        return super().can_publish() and not self.approval_required

    def can_publish_subpage(self):
        return super().can_publish_subpage() and not self.approval_required


def _municipality_page_paths(municipality_ids) -> list[str]:
    from cms.pages.models import MunicipalityPage

    if not municipality_ids:
        return []
    return list(
        MunicipalityPage.objects.filter(
            municipality_id__in=municipality_ids
        ).values_list("path", flat=True)
    )


# --- Snippets that belong to a municipality ---------------------------------


class MunicipalityScopedPolicy(ModelPermissionPolicy):
    """Model permissions from the user's groups, limited for municipality editors to
    objects of their own municipalities. Objects without a municipality (the
    prefecture's own) are staff-only."""

    def __init__(self, model, field="municipality"):
        super().__init__(model)
        self.field = field

    def _visible(self, user, queryset):
        if is_prefecture_staff(user):
            return queryset
        return queryset.filter(**{f"{self.field}__in": municipality_ids_for_user(user)})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not self.user_has_any_permission(user, actions):
            return False
        if is_prefecture_staff(user):
            return True
        return getattr(instance, f"{self.field}_id") in municipality_ids_for_user(user)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        return self._visible(user, queryset)


class MunicipalityScopedForm(WagtailAdminModelForm):
    """Admin form that offers a municipality editor only their own municipalities."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("municipality")
        user = getattr(self, "for_user", None)
        if field is None or user is None or is_prefecture_staff(user):
            return
        field.queryset = field.queryset.filter(pk__in=municipality_ids_for_user(user))
        field.required = True
        field.empty_label = None


# --- Chatbot knowledge base (cms.chat) ---------------------------------------
# Prefecture staff run the whole chatbot: answers, categories, synonyms, settings,
# conversation logs, analytics and reports. A municipality editor maintains the
# answers about their own town (FaqAnswer.municipality, through
# MunicipalityScopedPolicy) and nothing else of the chatbot.

CHAT_MUNICIPALITY_PERMISSIONS = (
    "chat.add_faqanswer",
    "chat.change_faqanswer",
    "chat.delete_faqanswer",
    "chat.view_faqanswer",
)
CHAT_STAFF_PERMISSIONS = (
    *CHAT_MUNICIPALITY_PERMISSIONS,
    "chat.add_faqcategory",
    "chat.change_faqcategory",
    "chat.delete_faqcategory",
    "chat.view_faqcategory",
    "chat.add_faqsynonym",
    "chat.change_faqsynonym",
    "chat.delete_faqsynonym",
    "chat.view_faqsynonym",
    "chat.change_chatsettings",
    "chat.view_chatturn",
)


def can_run_chatbot(user) -> bool:
    """Analytics, logs, imports, synonyms and reports of the chatbot: staff only."""
    return is_prefecture_staff(user)


def sync_chat_permissions(municipality=None) -> None:
    """Give the staff group (and one municipality's group, or all of them) their
    chatbot rights. Idempotent; runs after migrate and when a municipality is saved."""
    from .models import Municipality

    if not Permission.objects.filter(content_type__app_label="chat").exists():
        return  # chat not migrated yet
    staff = Group.objects.filter(name=PREFECTURE_STAFF_GROUP).first()
    if staff is not None:
        staff.permissions.add(*_permissions(CHAT_STAFF_PERMISSIONS))
    municipalities = (
        [municipality]
        if municipality is not None
        else Municipality.objects.exclude(editor_group=None)
    )
    town_permissions = _permissions(CHAT_MUNICIPALITY_PERMISSIONS)
    for town in municipalities:
        if town.editor_group_id:
            town.editor_group.permissions.add(*town_permissions)


# --- Akiya bank integration (cms.akiya_bank) -----------------------------------
# Push targets, feed tokens, the sync history and 「今すぐ連携」 are the prefecture's;
# a municipality editor sees the validation report and the CSV export for their own
# municipalities only (``municipality_ids_for_user``).


class PrefectureStaffOnlyPolicy(BasePermissionPolicy):
    """A model only prefecture staff manage. ``actions`` narrows what even staff may
    do (a history written by the system is view-only)."""

    def __init__(self, model, actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.actions = tuple(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and is_prefecture_staff(user)

    def users_with_any_permission(self, actions):
        users = users_in_groups([PREFECTURE_STAFF_GROUP])
        return users if set(actions) & set(self.actions) else users.none()


def can_manage_akiya_feed(user) -> bool:
    """Run a sync now, manage push targets and pull tokens: prefecture staff."""
    return is_prefecture_staff(user)


def can_view_akiya_report(user, municipality_id: int | None = None) -> bool:
    """The akiya validation report and CSV export: staff for every municipality,
    an editor for their own (``municipality_id`` None: for at least one)."""
    if is_prefecture_staff(user):
        return True
    ids = municipality_ids_for_user(user)
    return bool(ids) if municipality_id is None else municipality_id in ids


# --- Facility reservations (cms.reservations) -----------------------------------
# The town's facility booking is run by the group 「施設予約担当」: facilities, units,
# equipment, opening calendars, bookings (窓口受付, changes, cancellations, blocked
# times), residents, printed lists, counts, CSV exports and the operation log.
# Prefecture staff and municipality editors get none of it, so residents' personal
# data is seen only by the staff who handle bookings (superusers keep everything).
# Residents themselves are not Django users at all (cms.reservations.models.Resident).

RESERVATION_STAFF_GROUP = "施設予約担当"
RESERVATION_MODEL_NAMES = (
    "facility",
    "bookingunit",
    "equipment",
    "usagepurpose",
    "calendarday",
    "booking",
    "resident",
    "lotteryentry",
    "lotterydraw",
)


def can_manage_reservations(user) -> bool:
    """Everything in the admin's 施設予約 menu: the group 「施設予約担当」."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_portal_is_reservation_staff"):
        user._portal_is_reservation_staff = user.groups.filter(
            name=RESERVATION_STAFF_GROUP
        ).exists()
    return user._portal_is_reservation_staff


def users_in_groups(groups: list[str]):
    """Active users in any of ``groups``, and superusers: whom a policy's
    ``users_with_any_permission`` names."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=groups))
        .distinct()
    )


def sync_admin_group(name: str, app_label: str, labels=()) -> Group | None:
    """Create or complete the group ``name`` with admin access and ``labels``
    (idempotent; runs after migrate, and does nothing before ``app_label`` is)."""
    if not Permission.objects.filter(content_type__app_label=app_label).exists():
        return None
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.add(*_permissions(["wagtailadmin.access_admin", *labels]))
    return group


class ReservationStaffPolicy(BasePermissionPolicy):
    """Reservation models are managed by reservation staff only. ``actions`` narrows
    what even they may do (bookings are cancelled, never deleted)."""

    def __init__(self, model, actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.actions = tuple(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and can_manage_reservations(user)

    def users_with_any_permission(self, actions):
        users = users_in_groups([RESERVATION_STAFF_GROUP])
        return users if set(actions) & set(self.actions) else users.none()


def sync_reservation_staff_group() -> Group | None:
    """Create or complete 「施設予約担当」 (idempotent; runs after migrate)."""
    return sync_admin_group(
        RESERVATION_STAFF_GROUP,
        "reservations",
        [
            f"reservations.{action}_{name}"
            for name in RESERVATION_MODEL_NAMES
            for action in ("add", "change", "delete", "view")
        ],
    )


# --- Mail distribution (cms.mailing) ---------------------------------------------
# The prefecture's mail tool (subscribers, segments, campaigns, bounces, reports) is
# run by prefecture staff and by the group 「メール配信担当」 (for a contractor who
# runs the mailings but edits no content). Municipality editors get none of it:
# the subscriber list is personal data of about 20,000 people.

MAILING_STAFF_GROUP = "メール配信担当"


def can_manage_mailing(user) -> bool:
    """Everything in the admin's メール配信 menu."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_prefecture_staff(user):
        return True
    if not hasattr(user, "_portal_is_mailing_staff"):
        user._portal_is_mailing_staff = user.groups.filter(
            name=MAILING_STAFF_GROUP
        ).exists()
    return user._portal_is_mailing_staff


class MailingStaffPolicy(BasePermissionPolicy):
    """Mailing models are managed by mailing staff (and prefecture staff) only."""

    def user_has_permission(self, user, action):
        return can_manage_mailing(user)

    def users_with_any_permission(self, actions):
        return users_in_groups([MAILING_STAFF_GROUP, PREFECTURE_STAFF_GROUP])


def sync_mailing_staff_group() -> Group | None:
    """Create 「メール配信担当」 with admin access (idempotent; runs after migrate)."""
    return sync_admin_group(MAILING_STAFF_GROUP, "mailing")


# --- Site analytics and the monthly report (cms.analytics) ----------------------
# Visitor numbers of the whole portal, the CSV export, the GA4 import and the
# monthly report are the prefecture's: prefecture staff only.


def can_view_site_analytics(user) -> bool:
    """The analytics dashboard, its CSV export, GA4 import and monthly reports."""
    return is_prefecture_staff(user)


# --- Operations and security (cms.ops) --------------------------------------------
# The operation log (Wagtail's audit log of every admin action, plus logins,
# downloads, builds, feed syncs and backups) is read and exported by prefecture staff
# and by the group 「監査担当」 (an auditor who changes nothing). Entries about
# bookings show their details only to those who may see residents' data.
# Two-factor authentication is required (PORTAL_2FA_REQUIRED) for everyone who sees
# personal data or the whole site; for municipality editors it is their choice.

AUDITOR_GROUP = "監査担当"


def can_view_operation_log(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return is_prefecture_staff(user) or user.groups.filter(name=AUDITOR_GROUP).exists()


def must_use_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    return (
        is_prefecture_staff(user)
        or can_manage_reservations(user)
        or user.groups.filter(
            name__in=[
                AUDITOR_GROUP,
                MAILING_STAFF_GROUP,
                # They see members' attributes, reports and applications.
                COMMUNITY_MANAGER_GROUP,
                TIES_STAFF_GROUP,
            ]
        ).exists()
    )


def can_reset_two_factor(user) -> bool:
    """Removing another user's authenticator device: superusers only."""
    return user.is_authenticated and user.is_active and user.is_superuser


def sync_auditor_group() -> Group:
    """Create 「監査担当」 with admin access only (idempotent; runs after migrate)."""
    group, _ = Group.objects.get_or_create(name=AUDITOR_GROUP)
    group.permissions.add(*_permissions(["wagtailadmin.access_admin"]))
    return group


# --- LINE official account (cms.line) ----------------------------------------------
# Channels are modelled per owner: the prefecture's accounts (no municipality) and
# each municipality's own. Prefecture staff manage every channel and create channels;
# a municipality's editors manage the friends, spots, segments, rich menus and
# deliveries of their own municipality's channels only (friends' attributes are
# personal data of that municipality's residents).
#
# Per-function roles narrow what someone does on the channels they may manage
# (seed 002 9(2)(ウ)⑤): 「LINE閲覧のみ」 sees lists, previews and statistics;
# 「LINE作成担当」 also writes messages, segments, menus and spots and test-sends to
# the testers, but reaches no public audience; 「LINE配信担当」 also sends,
# schedules and cancels deliveries and publishes or deletes menus on LINE. Someone
# in none of these groups keeps every function (how the accounts worked before the
# roles); in several, the widest applies. The roles never add channels.

LINE_VIEW_GROUP = "LINE閲覧のみ"
LINE_EDIT_GROUP = "LINE作成担当"
LINE_SEND_GROUP = "LINE配信担当"
LINE_VIEW, LINE_EDIT, LINE_SEND = 1, 2, 3
LINE_ROLE_LEVELS = {
    LINE_VIEW_GROUP: LINE_VIEW,
    LINE_EDIT_GROUP: LINE_EDIT,
    LINE_SEND_GROUP: LINE_SEND,
}


def line_channel_ids_for_user(user) -> set[int] | None:
    """The channels ``user`` may manage: None means all (prefecture staff)."""
    from cms.line.models import LineChannel

    if not user.is_authenticated or not user.is_active:
        return set()
    if is_prefecture_staff(user):
        return None
    municipality_ids = municipality_ids_for_user(user)
    if not municipality_ids:
        return set()
    return set(
        LineChannel.objects.filter(municipality_id__in=municipality_ids).values_list(
            "pk", flat=True
        )
    )


def can_manage_line(user, channel=None) -> bool:
    """The admin's LINE menu; with ``channel``, that channel's data."""
    allowed = line_channel_ids_for_user(user)
    if allowed is None:
        return True
    if channel is None:
        return bool(allowed)
    return channel.pk in allowed


def line_function_level(user) -> int:
    """What ``user`` may do in LINE: 0 nothing, LINE_VIEW, LINE_EDIT or LINE_SEND
    (the widest LINE role held; every function when none is held)."""
    if not can_manage_line(user):
        return 0
    if user.is_superuser:
        return LINE_SEND
    if not hasattr(user, "_portal_line_level"):
        held = user.groups.filter(name__in=LINE_ROLE_LEVELS).values_list(
            "name", flat=True
        )
        user._portal_line_level = max(
            (LINE_ROLE_LEVELS[name] for name in held), default=LINE_SEND
        )
    return user._portal_line_level


def can_edit_line(user, channel=None) -> bool:
    """Write messages, segments, rich menus, spots, relay rules and friends'
    attributes; test-send to the testers; export personal data (friends, talk log)."""
    return can_manage_line(user, channel) and line_function_level(user) >= LINE_EDIT


def can_send_line(user, channel=None) -> bool:
    """Reach the public audience: send, schedule and cancel deliveries, import
    recurring deliveries, publish and delete rich menus on LINE."""
    return can_manage_line(user, channel) and line_function_level(user) >= LINE_SEND


def sync_line_role_groups() -> list[Group]:
    """Create the three LINE role groups with admin access (idempotent; runs after
    migrate). They hold no model permissions: the policy above decides."""
    groups = []
    for name in LINE_ROLE_LEVELS:
        group = sync_admin_group(name, "line")
        if group is not None:
            groups.append(group)
    return groups


def can_configure_line_channels(user) -> bool:
    """Adding channels and changing their settings: prefecture staff."""
    return is_prefecture_staff(user) and line_function_level(user) >= LINE_SEND


class LineChannelScopedPolicy(BasePermissionPolicy):
    """LINE models: prefecture staff everything; municipality editors the objects of
    their own municipality's channels; channels themselves only by staff."""

    def _channel_id(self, instance):
        from cms.line.models import LineChannel

        if isinstance(instance, LineChannel):
            return instance.pk
        return instance.channel_id

    def user_has_permission(self, user, action):
        from cms.line.models import LineChannel

        if self.model is LineChannel and action in ("add", "delete"):
            return can_configure_line_channels(user)
        if action == "view":
            return can_manage_line(user)
        return can_edit_line(user)

    def user_has_permission_for_instance(self, user, action, instance):
        from cms.line.models import LineChannel

        if self.model is LineChannel and action != "view":
            return can_configure_line_channels(user)
        if action != "view" and not can_edit_line(user):
            return False
        allowed = line_channel_ids_for_user(user)
        return allowed is None or self._channel_id(instance) in allowed

    def instances_user_has_any_permission_for(self, user, actions):
        allowed = line_channel_ids_for_user(user)
        qs = self.model._default_manager.all()
        if "view" not in actions and not can_edit_line(user):
            return qs.none()
        if allowed is None:
            return qs
        from cms.line.models import LineChannel

        if self.model is LineChannel:
            return qs.filter(pk__in=allowed)
        return qs.filter(channel_id__in=allowed)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(groups__name=PREFECTURE_STAFF_GROUP)
                | Q(groups__name__startswith=MUNICIPALITY_GROUP_PREFIX)
            )
            .distinct()
        )


# --- Site builds and deploys (cms.publishing) -------------------------------------
# 「サイトの公開」: a full rebuild rewrites and redeploys the whole public site, so
# only prefecture staff start one. Municipality editors may read the build history
# (status, log, errors) to see when their publish has reached the public site and
# why a build failed; their publishes already queue builds, so they start none.
# Runs are written by builds only: nobody adds, edits or deletes them in the admin.


def can_rebuild_site(user) -> bool:
    """「サイトを再構築」 (a full build and deploy): prefecture staff."""
    return is_prefecture_staff(user)


def can_view_site_builds(user) -> bool:
    """The build history and each run's log: staff and municipality editors."""
    if not user.is_authenticated or not user.is_active:
        return False
    return is_prefecture_staff(user) or bool(municipality_ids_for_user(user))


class SiteBuildPolicy(BasePermissionPolicy):
    """BuildRun in the admin: viewed (``can_view_site_builds``), never changed."""

    def user_has_permission(self, user, action):
        return action == "view" and can_view_site_builds(user)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(is_active=True)
        if "view" not in actions:
            return users.none()
        return users.filter(
            Q(is_superuser=True)
            | Q(groups__name=PREFECTURE_STAFF_GROUP)
            | Q(groups__municipality__isnull=False)
        ).distinct()


# --- Online community (cms.community) ----------------------------------------------
# Members are Django users with a community profile and no admin permission. The
# group 「コミュニティマネージャー」 (for the contractor who runs the community) posts
# as the manager, creates rooms, moderates and sees reports; prefecture staff do
# everything, and alone edit the community rules (規約) and the reaction stamps.
# Municipality editors post as their municipality. Members-only rooms are read by
# confirmed members and by all of the above; guests see only public rooms.

COMMUNITY_MANAGER_GROUP = "コミュニティマネージャー"


def is_community_manager(user) -> bool:
    """Moderation, rooms, reports, NG words, blocks and alerts: managers and staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_prefecture_staff(user):
        return True
    if not hasattr(user, "_portal_is_community_manager"):
        user._portal_is_community_manager = user.groups.filter(
            name=COMMUNITY_MANAGER_GROUP
        ).exists()
    return user._portal_is_community_manager


def can_edit_community_rules(user) -> bool:
    """The community rules and the reaction stamps: prefecture staff."""
    return is_prefecture_staff(user)


def is_community_member(user) -> bool:
    """Reads members-only rooms and may take part: a confirmed member, or anyone
    who speaks for the community (managers, staff, municipality editors)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if is_community_manager(user) or municipality_ids_for_user(user):
        return True
    profile = getattr(user, "community_profile", None)
    return profile is not None and profile.email_confirmed_at is not None


def can_view_community_room(user, room) -> bool:
    return room.is_public or is_community_member(user)


def community_voices(user) -> list[tuple[str, int | None]]:
    """The names ``user`` may post under, as (voice, municipality id) pairs: their
    own (with a profile), the manager's, the prefecture's, their municipalities'."""
    from cms.community.models import Voice

    voices = []
    if getattr(user, "community_profile", None) is not None:
        voices.append((Voice.MEMBER, None))
    if is_prefecture_staff(user):
        voices.append((Voice.PREFECTURE, None))
    if is_community_manager(user):
        voices.append((Voice.MANAGER, None))
    if not is_prefecture_staff(user):
        voices += [
            (Voice.MUNICIPALITY, pk) for pk in sorted(municipality_ids_for_user(user))
        ]
    return voices


class CommunityPolicy(BasePermissionPolicy):
    """Community models in the admin: ``who`` is "manager" (community managers and
    staff) or "staff" (prefecture staff only). ``addable`` is False for what only
    the community's pages make (posts, comments, reports, blocks, alerts,
    members): the admin reviews and changes those, it never creates them."""

    def __init__(self, model, who="manager", addable=True):
        super().__init__(model)
        self.who = who
        self.addable = addable

    def user_has_permission(self, user, action):
        if action == "add" and not self.addable:
            return False
        if self.who == "staff":
            return can_edit_community_rules(user)
        return is_community_manager(user)

    def users_with_any_permission(self, actions):
        groups = [PREFECTURE_STAFF_GROUP]
        if self.who != "staff":
            groups.append(COMMUNITY_MANAGER_GROUP)
        return users_in_groups(groups)


def sync_community_manager_group() -> Group | None:
    """Create 「コミュニティマネージャー」 with admin access (idempotent; after migrate)."""
    return sync_admin_group(COMMUNITY_MANAGER_GROUP, "community")


# --- People with ties to the region (cms.ties) -----------------------------------
# Prefecture staff and 「関係人口担当」 run the register, programs, meetings and the
# subsidy review. A host organisation's users see and change only their own
# programs and those programs' applicants. A member sees only their own
# applications and their threads.

TIES_STAFF_GROUP = "関係人口担当"


def is_ties_staff(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_prefecture_staff(user):
        return True
    if not hasattr(user, "_portal_is_ties_staff"):
        user._portal_is_ties_staff = user.groups.filter(name=TIES_STAFF_GROUP).exists()
    return user._portal_is_ties_staff


def ties_host_ids_for_user(user) -> set[int]:
    """The host organisations whose programs the user runs (staff: all)."""
    from cms.ties.models import HostOrganisation

    if not user.is_authenticated or not user.is_active:
        return set()
    if not hasattr(user, "_portal_ties_host_ids"):
        hosts = HostOrganisation.objects.all()
        if not is_ties_staff(user):
            hosts = hosts.filter(users=user)
        user._portal_ties_host_ids = set(hosts.values_list("pk", flat=True))
    return user._portal_ties_host_ids


def is_ties_host_only(user) -> bool:
    """A host organisation's user with no wider role: staff, 関係人口担当 and
    municipality editors keep their group rights on program pages; this user
    changes only their own organisations' programs."""
    return bool(
        user.is_authenticated
        and not is_ties_staff(user)
        and not municipality_ids_for_user(user)
        and ties_host_ids_for_user(user)
    )


def ties_programs_for_user(user, pages):
    """``pages`` (any page queryset) without other organisations' programs, for
    a host-only user (the admin's explorer and program list); unchanged for
    everyone else."""
    if not is_ties_host_only(user):
        return pages
    from cms.ties.models import ProgramPage

    others = ProgramPage.objects.exclude(host_id__in=ties_host_ids_for_user(user))
    return pages.exclude(pk__in=others.values("pk"))


def can_manage_ties_program(user, program) -> bool:
    """Edit a program, see its applicants and decide on them."""
    return is_ties_staff(user) or program.host_id in ties_host_ids_for_user(user)


def can_view_ties_application(user, application) -> bool:
    """The applicant themself, or whoever manages the program."""
    if not user.is_authenticated:
        return False
    if application.member.user_id == user.pk:
        return True
    return can_manage_ties_program(user, application.program)


class TiesStaffPolicy(BasePermissionPolicy):
    """Ties models in the admin: 関係人口担当 and prefecture staff."""

    def user_has_permission(self, user, action):
        return is_ties_staff(user)

    def users_with_any_permission(self, actions):
        return users_in_groups([PREFECTURE_STAFF_GROUP, TIES_STAFF_GROUP])


def sync_ties_staff_group() -> Group | None:
    """Create 「関係人口担当」 with admin access (idempotent; after migrate)."""
    return sync_admin_group(TIES_STAFF_GROUP, "ties")


# Programs (受入プログラム) are pages in the municipalities' program folders.
# 「受入団体」 holds add/change/publish on every folder and
# ``PortalPagePermissionTester`` narrows it per organisation (see the module doc);
# 関係人口担当 edit every program. Municipality editors edit their own town's
# programs through their subtree rights.

TIES_HOST_GROUP = "受入団体"
PROGRAM_PAGE_ACTIONS = ("add", "change", "publish")


def sync_ties_program_access(index_page=None) -> None:
    """Rights of 「受入団体」 and 「関係人口担当」 on one program folder, or on all
    (idempotent; runs when a folder is made and after migrate)."""
    from cms.ties.models import ProgramIndexPage

    hosts = sync_admin_group(TIES_HOST_GROUP, "ties")
    staff = sync_ties_staff_group()
    if hosts is None or staff is None:
        return
    folders = [index_page] if index_page is not None else ProgramIndexPage.objects.all()
    for folder in folders:
        for group in (hosts, staff):
            _grant_pages(group, folder, PROGRAM_PAGE_ACTIONS)


def sync_ties_host_users() -> None:
    """「受入団体」 holds exactly the users of some host organisation (runs when an
    organisation's users change or an organisation is deleted)."""
    from django.contrib.auth import get_user_model

    group = sync_admin_group(TIES_HOST_GROUP, "ties")
    if group is not None:
        group.user_set.set(
            get_user_model().objects.filter(ties_hosts__isnull=False).distinct()
        )

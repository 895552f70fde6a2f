"""What changes state in the ties app: applying, the application's lifecycle
(applied → accepted/declined → participated → reported; the member may withdraw
and the host cancel an acceptance, each with a reason) with its messages and
mails, repeat tracking, meeting registration with capacity, and the subsidy
application. Views call these; rules live in ``rules``."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import notify, rules
from .models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    ExchangeMeeting,
    MeetingRegistration,
    SubsidyApplication,
    SubsidyReceipt,
)

S = ApplicationStatus
# action → (allowed from, new status, timestamp field, mail event). The host
# decides the first four; "withdraw" is the member's own.
TRANSITIONS = {
    "accept": ({S.APPLIED, S.DECLINED}, S.ACCEPTED, "decided_at", "accepted"),
    "decline": ({S.APPLIED}, S.DECLINED, "decided_at", "declined"),
    "cancel": ({S.ACCEPTED}, S.CANCELLED, "decided_at", "cancelled"),
    "participated": ({S.ACCEPTED}, S.PARTICIPATED, "participated_at", None),
    "withdraw": ({S.APPLIED, S.ACCEPTED}, S.WITHDRAWN, "decided_at", "withdrawn"),
}
HOST_ACTIONS = ("accept", "decline", "cancel", "participated")
MEMBER_ACTIONS = ("withdraw",)
#: Actions that must say why (the reason goes into the thread and the mail).
NEEDS_REASON = {"cancel": "取り消しの理由", "withdraw": None}
SUBSIDY_APPLICATION_STATES = (S.ACCEPTED, S.PARTICIPATED, S.REPORTED)
PARTICIPATED_STATES = (S.PARTICIPATED, S.REPORTED)


class TransitionError(ValueError):
    """A status change that is not allowed now (Japanese message)."""


@transaction.atomic
def apply(member, program, message: str) -> Application:
    """Raises IntegrityError when the member already applied."""
    is_repeat = member.applications.filter(status__in=PARTICIPATED_STATES).exists()
    with transaction.atomic():
        application = Application.objects.create(
            program=program, member=member, message=message, is_repeat=is_repeat
        )
    ApplicationMessage.objects.create(
        application=application, author=member.user, body=message
    )
    notify.application_event(application, "applied", message)
    return application


@transaction.atomic
def post_message(application, author, body: str, from_host=False):
    message = ApplicationMessage.objects.create(
        application=application, author=author, body=body, from_host=from_host
    )
    notify.application_event(
        application, "message_to_member" if from_host else "message_to_host", body
    )
    return message


@transaction.atomic
def decide(
    application, action: str, user, reason: str = "", as_host: bool = True
) -> Application:
    """Change the status by ``action`` (the host's, or with ``as_host`` False the
    member's). A reason, when given or required, is posted to the thread and
    quoted in the mail."""
    if action not in (HOST_ACTIONS if as_host else MEMBER_ACTIONS):
        raise TransitionError("操作: その操作はできません。")
    allowed, new, stamp, event = TRANSITIONS[action]
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in allowed:
        raise TransitionError(
            f"状態: 「{application.get_status_display()}」からは変更できません。"
        )
    reason = reason.strip()
    label = NEEDS_REASON.get(action)
    if label and not reason:
        raise TransitionError(f"{label}: 理由を入力してください。")
    application.status = new
    setattr(application, stamp, timezone.now())
    application.save(update_fields=["status", stamp])
    if reason:
        ApplicationMessage.objects.create(
            application=application, author=user, body=reason, from_host=as_host
        )
    if event:
        notify.application_event(application, event, reason)
    return application


@transaction.atomic
def report(application, text: str) -> Application:
    if application.status not in PARTICIPATED_STATES:
        raise TransitionError("参加の報告は、参加済みになってから送れます。")
    application.report = text
    application.status = S.REPORTED
    application.reported_at = timezone.now()
    application.save(update_fields=["report", "status", "reported_at"])
    notify.application_event(application, "reported", text)
    return application


@transaction.atomic
def register_for_meeting(member, meeting: ExchangeMeeting) -> tuple[bool, str]:
    """Register within capacity; the meeting row is locked so two people cannot
    take the last seat."""
    meeting = ExchangeMeeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting.is_open or meeting.starts_at < timezone.now():
        return False, f"「{meeting.title}」は申込みを受け付けていません。"
    if meeting.registrations.filter(member=member).exists():
        return True, f"「{meeting.title}」には申込み済みです。"
    if meeting.registrations.count() >= meeting.capacity:
        return False, f"「{meeting.title}」は定員に達しました。"
    MeetingRegistration.objects.create(meeting=meeting, member=member)
    return True, f"「{meeting.title}」に申し込みました。"


def eligibility(member, prefecture: str, cost_yen: int) -> rules.Eligibility:
    conf = settings.TIES
    today = timezone.localdate()
    used = 0
    has_program = False
    if member is not None:
        used = (
            member.subsidy_applications.filter(
                trip_date__gte=rules.fiscal_year_start(today)
            )
            .exclude(status="rejected")
            .count()
        )
        has_program = member.applications.filter(
            status__in=SUBSIDY_APPLICATION_STATES
        ).exists()
    return rules.check_eligibility(
        home_prefecture=prefecture,
        host_prefecture=conf["HOME_PREFECTURE"],
        member_active=member is not None and member.is_active,
        has_program=has_program,
        cost_yen=cost_yen,
        used_this_year=used,
        per_year=conf["SUBSIDY_PER_YEAR"],
        rate=conf["SUBSIDY_RATE"],
        cap_yen=conf["SUBSIDY_CAP_YEN"],
    )


@transaction.atomic
def apply_for_subsidy(member, data: dict, amount_yen: int) -> SubsidyApplication:
    subsidy = SubsidyApplication.objects.create(
        member=member,
        application=data["application"],
        trip_date=data["trip_date"],
        origin=data["origin"],
        cost_yen=data["cost_yen"],
        amount_yen=amount_yen,
    )
    SubsidyReceipt.objects.create(subsidy=subsidy, file=data["receipts"])
    return subsidy


@transaction.atomic
def review_subsidy(subsidy, status: str, user, note: str = "") -> SubsidyApplication:
    """Record a review; a decision (approved, returned, rejected) is mailed to
    the applicant with the note as the reason and a signed link back."""
    previous = (
        SubsidyApplication.objects.filter(pk=subsidy.pk)
        .values_list("status", flat=True)
        .first()
    )
    subsidy.status = status
    subsidy.review_note = note
    subsidy.reviewed_by = user
    subsidy.reviewed_at = timezone.now()
    subsidy.save()
    if status != previous and status in MAILED_SUBSIDY_RESULTS:
        notify.subsidy_reviewed(subsidy)
    return subsidy


MAILED_SUBSIDY_RESULTS = ("approved", "returned", "rejected")


@transaction.atomic
def resubmit_subsidy(subsidy, receipt) -> SubsidyApplication:
    """The applicant sends a returned application again with a new receipt."""
    subsidy = SubsidyApplication.objects.select_for_update().get(pk=subsidy.pk)
    if subsidy.status != "returned":
        raise TransitionError("この申請は差し戻されていないため、再提出できません。")
    SubsidyReceipt.objects.create(subsidy=subsidy, file=receipt)
    subsidy.status = "submitted"
    subsidy.save(update_fields=["status"])
    return subsidy

"""The public ties pages under ``/ties/`` (same origin as the static site):
registration with double opt-in, the member's my page (update, pause, delete,
recommended programs), programs with applying, the application thread, the
hosts' pages (their programs and applicants only), exchange meetings, and the
transport subsidy (information, eligibility check, application with receipts).

Server-rendered, usable without JavaScript; every change is a POST with CSRF."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cms.core.permissions import (
    can_manage_ties_program,
    can_view_ties_application,
    ties_host_ids_for_user,
)
from cms.core.ratelimit import client_ip, hit

from . import matching, members, notify, rules, services, tokens
from .forms import (
    ApplyForm,
    DeleteForm,
    EligibilityForm,
    MessageForm,
    ProfileFields,
    ReasonForm,
    RegistrationForm,
    ReportForm,
    ResubmitForm,
    SubsidyForm,
)
from .models import (
    Application,
    ApplicationStatus,
    ExchangeMeeting,
    HostOrganisation,
    ProgramIndexPage,
    ProgramPage,
    ProgramStatus,
    TiesMember,
    public_programs,
)

JOIN_LIMIT = (5, 3600)


def _render(request, template, context=None, status=200):
    context = dict(context or {})
    user = request.user
    context.setdefault("user_member", _member(request))
    context.setdefault(
        "is_host", user.is_authenticated and bool(ties_host_ids_for_user(user))
    )
    return render(request, f"ties/{template}", context, status=status)


def _member(request) -> TiesMember | None:
    if not request.user.is_authenticated:
        return None
    member = getattr(request.user, "ties_member", None)
    if member is None or member.email_confirmed_at is None:
        return None
    return member


def _login_url(request) -> str:
    query = urlencode({"next": request.get_full_path()})
    return f"{reverse('community:login')}?{query}"


def member_required(view):
    """A confirmed ties member (logged in)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        member = _member(request)
        if member is None:
            messages.info(request, "関係人口登録をするとご利用いただけます。")
            return redirect("ties:join")
        return view(request, member, *args, **kwargs)

    return wrapper


def host_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        if not ties_host_ids_for_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- Programs and meetings -------------------------------------------------------


def index(request):
    programs = (
        public_programs()
        .filter(status=ProgramStatus.OPEN)
        .select_related("municipality", "host")
        .order_by("deadline", "pk")
    )
    municipality = request.GET.get("municipality") or ""
    if municipality.isdigit():
        programs = programs.filter(municipality_id=int(municipality))
    meetings = ExchangeMeeting.objects.filter(
        is_open=True, starts_at__gte=timezone.now()
    ).annotate(registered=Count("registrations"))
    return _render(
        request,
        "index.html",
        {"programs": programs, "meetings": meetings, "municipality": municipality},
    )


def program_detail(request, pk):
    program = get_object_or_404(
        ProgramPage.objects.select_related("municipality", "host"), pk=pk
    )
    # A draft, scheduled or restricted program is seen only by who runs it.
    if not public_programs().filter(pk=pk).exists() and not (
        request.user.is_authenticated and can_manage_ties_program(request.user, program)
    ):
        raise Http404
    member = _member(request)
    application = None
    explanation = None
    if member is not None:
        application = program.applications.filter(member=member).first()
        found = rules.match(
            matching.member_profile(member),
            matching.program_profile(program),
            matching.LABELS,
        )
        explanation = found.explanation
    return _render(
        request,
        "program.html",
        {
            "program": program,
            "application": application,
            "explanation": explanation,
            "form": ApplyForm(),
            "accepting": program.accepts_applications(),
        },
    )


@require_POST
@member_required
def apply(request, member, pk):
    program = get_object_or_404(public_programs(), pk=pk)
    form = ApplyForm(request.POST)
    if not program.accepts_applications():
        messages.error(request, "このプログラムは申込みを受け付けていません。")
        return redirect("ties:program", pk=pk)
    if not member.is_active:
        messages.error(
            request, "休止中は申し込めません。マイページで再開してください。"
        )
        return redirect("ties:program", pk=pk)
    if not form.is_valid():
        return _render(
            request,
            "program.html",
            {"program": program, "form": form, "accepting": True},
            status=400,
        )
    try:
        application = services.apply(member, program, form.cleaned_data["message"])
    except IntegrityError:
        messages.info(request, "このプログラムには申込み済みです。")
        return redirect("ties:program", pk=pk)
    messages.success(request, "申し込みました。受入団体からの連絡をお待ちください。")
    return redirect("ties:application", pk=application.pk)


@require_POST
@member_required
def meeting_register(request, member, pk):
    meeting = get_object_or_404(ExchangeMeeting, pk=pk)
    ok, message = services.register_for_meeting(member, meeting)
    (messages.success if ok else messages.error)(request, message)
    return redirect("ties:index")


# --- Registration and my page ----------------------------------------------------


def join(request):
    user = request.user if request.user.is_authenticated else None
    existing = getattr(user, "ties_member", None) if user else None
    if existing is not None and existing.email_confirmed_at is not None:
        return redirect("ties:mypage")
    form = RegistrationForm(request.POST or None, user=user)
    if request.method == "POST":
        if not hit("ties:join", client_ip(request), *JOIN_LIMIT).allowed:
            form.add_error(
                None, "登録の申込みが続いています。しばらくしてからお試しください。"
            )
        elif form.is_valid():
            with transaction.atomic():
                if existing is not None:
                    existing.delete()
                member = members.register(form.cleaned_data, client_ip(request), user)
                notify.registration_mail(member, members.confirmation_token(member))
            return _render(request, "join_sent.html", {"email": member.user.email})
    return _render(request, "join.html", {"form": form})


def confirm(request, token):
    member = members.member_for_confirmation(token)
    if member is None:
        return _render(request, "confirm_failed.html", status=400)
    members.confirm(member)
    login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, "登録が完了しました。おすすめのプログラムを見てみましょう。"
    )
    return redirect("ties:mypage")


@member_required
def mypage(request, member):
    initial = {
        "name": member.name,
        "prefecture": member.prefecture,
        "skills": member.skills,
        "interests": member.interests,
        "regions": list(member.regions.all()),
        "involvements": member.involvements,
        "availability": member.availability,
        "availability_note": member.availability_note,
        "newsletter": member.newsletter,
    }
    form = ProfileFields(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        members.update(member, form.cleaned_data)
        messages.success(request, "登録内容を保存しました。")
        return redirect("ties:mypage")
    return _render(
        request,
        "mypage.html",
        {
            "member": member,
            "form": form,
            "recommended": matching.programs_for(member) if member.is_active else [],
            "applications": member.applications.select_related("program"),
            "registrations": member.meeting_registrations.select_related("meeting"),
            "subsidies": member.subsidy_applications.all(),
        },
    )


@require_POST
@member_required
def pause(request, member):
    paused = request.POST.get("paused") == "1"
    members.set_paused(member, paused)
    messages.success(
        request,
        "登録を休止しました。情報メールも止まります。"
        if paused
        else "登録を再開しました。",
    )
    return redirect("ties:mypage")


@member_required
def delete(request, member):
    form = DeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        logout(request)
        members.delete_member(member)
        return _render(request, "deleted.html", {"user_member": None})
    return _render(request, "delete.html", {"form": form})


# --- Application thread ----------------------------------------------------------


def _application(request, pk) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("program__host", "member__user"), pk=pk
    )
    if not can_view_ties_application(request.user, application):
        raise PermissionDenied
    return application


def _thread(request, application, as_host, form=None, status=200):
    return _render(
        request,
        "application.html",
        {
            "application": application,
            "program": application.program,
            "thread": application.messages.select_related("author"),
            "form": form or MessageForm(),
            "report_form": ReportForm(),
            "reason_form": ReasonForm(),
            "as_host": as_host,
            "Status": ApplicationStatus,
        },
        status=status,
    )


@member_required
def application_detail(request, member, pk):
    application = _application(request, pk)
    if application.member_id != member.pk:
        raise PermissionDenied
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _thread(request, application, False, form, status=400)
        services.post_message(application, request.user, form.cleaned_data["body"])
        return redirect("ties:application", pk=pk)
    return _thread(request, application, False)


@require_POST
@member_required
def application_withdraw(request, member, pk):
    """The member takes back an application (applied or accepted), optionally
    saying why; the host is told by mail."""
    application = _application(request, pk)
    if application.member_id != member.pk:
        raise PermissionDenied
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decide(application, "withdraw", request.user, reason, as_host=False)
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "申込みを取り下げました。受入団体にお知らせしました。"
        )
    return redirect("ties:application", pk=pk)


@require_POST
@member_required
def application_report(request, member, pk):
    application = _application(request, pk)
    if application.member_id != member.pk:
        raise PermissionDenied
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _thread(request, application, False, status=400)
    try:
        services.report(application, form.cleaned_data["report"])
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "参加の報告をありがとうございました。")
    return redirect("ties:application", pk=pk)


# --- Hosts --------------------------------------------------------------------------


@host_required
def host_home(request):
    programs = (
        ProgramPage.objects.filter(host_id__in=ties_host_ids_for_user(request.user))
        .select_related("municipality")
        .annotate(
            applied=Count("applications"),
            waiting=Count(
                "applications",
                filter=Q(applications__status=ApplicationStatus.APPLIED),
            ),
        )
    )
    hosts = HostOrganisation.objects.filter(
        pk__in=ties_host_ids_for_user(request.user)
    ).select_related("municipality")
    # Programs are written in the CMS (drafts, approval, scheduled publishing):
    # one 「作成」 link per municipality the user's organisations work in.
    new_program_links = []
    for municipality in sorted({h.municipality for h in hosts}, key=lambda m: m.pk):
        folder = ProgramIndexPage.ensure_for(municipality)
        if folder is not None:
            new_program_links.append(
                (
                    municipality,
                    reverse(
                        "wagtailadmin_pages:add",
                        args=("ties", "programpage", folder.pk),
                    ),
                )
            )
    return _render(
        request,
        "host_home.html",
        {"programs": programs, "new_program_links": new_program_links},
    )


@host_required
def host_program(request, pk):
    program = get_object_or_404(
        ProgramPage.objects.select_related("municipality"), pk=pk
    )
    if not can_manage_ties_program(request.user, program):
        raise PermissionDenied
    return _render(
        request,
        "host_program.html",
        {
            "program": program,
            "applications": program.applications.select_related("member__user"),
            "suggested": matching.members_for(program),
        },
    )


@host_required
def host_application(request, pk):
    application = _application(request, pk)
    if not can_manage_ties_program(request.user, application.program):
        raise PermissionDenied
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        action = request.POST.get("action", "message")
        if action == "message":
            if not form.is_valid():
                return _thread(request, application, True, form, status=400)
            services.post_message(
                application, request.user, form.cleaned_data["body"], from_host=True
            )
        else:
            reason = ReasonForm(request.POST)
            try:
                services.decide(
                    application,
                    action,
                    request.user,
                    reason.cleaned_data["reason"] if reason.is_valid() else "",
                )
            except services.TransitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "申込みの状態を更新しました。")
        return redirect("ties:host_application", pk=pk)
    return _thread(request, application, True)


# --- Transport subsidy ------------------------------------------------------------


def subsidy_result(request, token):
    """The review result a mail links to (signed, expiring; no log-in needed, the
    link is for one application). A returned application is sent again here."""
    subsidy = tokens.subsidy_for_token(token)
    if subsidy is None:
        return _render(request, "subsidy_link_failed.html", status=400)
    form = ResubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_subsidy(subsidy, form.cleaned_data["receipts"])
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, "再提出しました。審査の結果はメールでお知らせします。"
            )
        return redirect("ties:subsidy_result", token=token)
    return _render(
        request,
        "subsidy_result.html",
        {"subsidy": subsidy, "form": form},
        status=400 if form.errors else 200,
    )


def subsidy(request):
    """Information and the eligibility check (GET, no login needed)."""
    member = _member(request)
    form = EligibilityForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        result = services.eligibility(
            member, form.cleaned_data["prefecture"], form.cleaned_data["cost_yen"]
        )
    return _render(
        request,
        "subsidy.html",
        {
            "form": form,
            "result": result,
            "conf": settings.TIES,
            "rate_percent": int(settings.TIES["SUBSIDY_RATE"] * 100),
        },
    )


@member_required
def subsidy_apply(request, member):
    applications = member.applications.filter(
        status__in=services.SUBSIDY_APPLICATION_STATES
    ).select_related("program")
    form = SubsidyForm(
        request.POST or None, request.FILES or None, applications=applications
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        check = services.eligibility(member, data["origin"], data["cost_yen"])
        if not check.eligible:
            for reason in check.reasons:
                form.add_error(None, reason)
        else:
            services.apply_for_subsidy(member, data, check.amount_yen)
            messages.success(
                request,
                "交通費補助を申請しました。審査の結果はマイページでお知らせします。",
            )
            return redirect("ties:mypage")
    return _render(request, "subsidy_apply.html", {"form": form})

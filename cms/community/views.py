"""The community's pages under ``/community/`` (public side, same origin as the
static site): rooms, posts with comments and stamps, joining and the member's own
pages, reports, and the community managers' moderation pages.

Server-rendered and usable without JavaScript: every change is a POST form with
CSRF. ``community.js`` submits the same forms with fetch and asks for JSON
(``X-Requested-With: fetch``); the views then answer with the HTML fragment to put
on the page instead of redirecting."""

import contextlib
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from cms.core.models import Municipality
from cms.core.permissions import (
    can_view_community_room,
    community_voices,
    is_community_manager,
    is_community_member,
)
from cms.core.ratelimit import client_ip, hit

from . import members, notify, rules, services, sharing, surveys
from .forms import (
    BlockForm,
    CommentForm,
    DeleteAccountForm,
    LoginForm,
    MemberPasswordResetForm,
    ModerationForm,
    PostForm,
    ProfileForm,
    RegistrationForm,
    ReportForm,
)
from .models import (
    Comment,
    FlameAlert,
    MemberProfile,
    Notification,
    Post,
    Report,
    Room,
    Stamp,
    Status,
    Survey,
    SurveyResponse,
    Visibility,
    Voice,
)
from .tasks import send_registration_mail

LOGIN_LIMIT = (10, 300)  # failed log-ins per address per 5 minutes
JOIN_LIMIT = (5, 3600)  # registrations per address per hour
RESET_LIMIT = (5, 3600)  # password-reset mails asked for per address per hour


# --- Helpers ----------------------------------------------------------------


def wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _layout_context(request, context) -> dict:
    """What every community page's layout reads, added to ``context``."""
    user = request.user
    context.setdefault("member", user if user.is_authenticated else None)
    context.setdefault("profile", getattr(user, "community_profile", None))
    context.setdefault("is_manager", is_community_manager(user))
    context.setdefault("unread", notify.unread_count(user))
    return context


def _render(request, template, context=None, status=200):
    context = _layout_context(request, dict(context or {}))
    return render(request, f"community/{template}", context, status=status)


def _fragment(request, template, context) -> str:
    return render_to_string(f"community/{template}", context, request=request)


def _login_url(request) -> str:
    return (
        f"{reverse('community:login')}?{urlencode({'next': request.get_full_path()})}"
    )


def member_required(view):
    """Logged in as a confirmed member (or someone who speaks for the community)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if wants_json(request):
                return JsonResponse(
                    {"error": "ログインしてください。", "login": _login_url(request)},
                    status=401,
                )
            return redirect(_login_url(request))
        if not is_community_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def participant_required(view):
    """A member who may write now: rules accepted and not blocked."""

    @wraps(view)
    @member_required
    def wrapper(request, *args, **kwargs):
        if not members.has_accepted_current_rules(request.user):
            message = "利用規約が改定されました。内容を確認して同意してください。"
            if wants_json(request):
                return JsonResponse(
                    {"error": message, "login": reverse("community:rules")}, status=403
                )
            messages.info(request, message)
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('community:rules')}?{query}")
        block = members.active_block(request.user)
        if block is not None:
            message = f"運営により投稿・コメントを停止しています。理由: {block.reason}"
            if wants_json(request):
                return JsonResponse({"error": message}, status=403)
            messages.error(request, message)
            return redirect(
                request.META.get("HTTP_REFERER") or reverse("community:rooms")
            )
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        if not is_community_manager(request.user):
            return _render(
                request,
                "forbidden.html",
                {
                    "detail": "この操作はコミュニティマネージャーと県職員だけができます。"
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _visible_room(request, slug) -> Room:
    room = get_object_or_404(Room, slug=slug)
    if not can_view_community_room(request.user, room):
        raise Http404  # members-only rooms do not exist for guests
    return room


def _post_queryset():
    return Post.objects.select_related(
        "room", "author__community_profile", "as_municipality"
    )


def _viewable_post(request, pk) -> Post:
    """A post the user may see: published, or their own, or any for managers."""
    post = get_object_or_404(_post_queryset(), pk=pk)
    if not can_view_community_room(request.user, post.room):
        raise Http404
    if post.is_published or is_community_manager(request.user):
        return post
    if request.user.is_authenticated and post.author_id == request.user.pk:
        return post
    raise Http404


def _voice_from(request, form) -> tuple[str, Municipality | None]:
    voice, municipality_id = form.chosen_voice()
    allowed = community_voices(request.user)
    if (voice, municipality_id) not in allowed:
        # A name the user may not use (a tampered form): their own first name.
        voice, municipality_id = allowed[0] if allowed else (Voice.MEMBER, None)
    municipality = (
        Municipality.objects.get(pk=municipality_id) if municipality_id else None
    )
    return voice, municipality


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _limited(request, scope, limit) -> bool:
    return not hit(f"community:{scope}", client_ip(request), *limit).allowed


# --- Rooms and posts -----------------------------------------------------------


def room_list(request):
    rooms = Room.objects.all()
    if not is_community_member(request.user):
        rooms = rooms.filter(visibility=Visibility.PUBLIC)
    return _render(request, "rooms.html", {"rooms": rooms})


def room_detail(request, slug):
    room = _visible_room(request, slug)
    posts = (
        _post_queryset()
        .filter(room=room, status=Status.PUBLISHED)
        .prefetch_related("municipalities")
        .order_by("-is_pinned", "-last_activity_at", "-pk")
    )
    paginator = Paginator(posts, settings.COMMUNITY["POSTS_PER_PAGE"])
    page = paginator.get_page(request.GET.get("page"))
    sharing.attach_cards(page.object_list)
    form = None
    if request.user.is_authenticated and is_community_member(request.user):
        form = _post_form(request, initial=_share_initial(request))
    return _render(
        request,
        "room.html",
        {
            "room": room,
            "page": page,
            "pages": rules.page_range(page.number, paginator.num_pages),
            "form": form,
            "surveys": surveys.open_surveys_for(request.user, room=room),
        },
    )


def _share_initial(request) -> dict:
    """The compose form filled in from 「コミュニティで話題にする」
    (``?share=`` the page's path): the page to share and its title."""
    text = (request.GET.get("share") or "").strip()[:500]
    if not text:
        return {}
    page = sharing.page_for_url(text, [request.get_host()])
    return {"share": text, "title": page.title[:80] if page else ""}


def _post_form(request, *args, **kwargs) -> PostForm:
    return PostForm(
        *args,
        voices=community_voices(request.user),
        hosts=[request.get_host()],
        can_pin=is_community_manager(request.user),
        **kwargs,
    )


@participant_required
@require_POST
def post_create(request, slug):
    room = _visible_room(request, slug)
    form = _post_form(request, request.POST, request.FILES)
    if not room.is_open and not is_community_manager(request.user):
        form.add_error(None, "この部屋は現在、投稿を受け付けていません。")
    per_hour = settings.COMMUNITY["POSTS_PER_HOUR"]
    if not hit("community:post", str(request.user.pk), per_hour, 3600).allowed:
        form.add_error(
            None, "短い時間に投稿が続いています。しばらくしてからお試しください。"
        )
    if not form.errors and form.is_valid():
        voice, municipality = _voice_from(request, form)
        try:
            post = services.create_post(
                room,
                request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                voice=voice,
                as_municipality=municipality,
                image=form.cleaned_data.get("image"),
                image_alt=form.cleaned_data.get("image_alt") or "",
                link_url=form.cleaned_data.get("link_url") or "",
                municipalities=form.cleaned_data.get("municipalities") or (),
                shared_page=form.cleaned_data.get("shared_page"),
                is_pinned=bool(form.cleaned_data.get("is_pinned")),
            )
        except services.NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            message = _posted_message(post.status)
            if wants_json(request):
                html = ""
                if post.is_published:
                    post = _post_queryset().get(pk=post.pk)
                    sharing.attach_cards([post])
                    html = _fragment(request, "parts/post_card.html", {"post": post})
                return JsonResponse(
                    {
                        "message": message,
                        "html": html,
                        "form": _fragment(
                            request,
                            "parts/post_form.html",
                            {
                                "room": room,
                                "form": _post_form(request),
                            },
                        ),
                    }
                )
            messages.success(request, message)
            if post.is_published:
                return redirect(post.get_absolute_url())
            return redirect(room_url(room))
    if wants_json(request):
        return JsonResponse(
            {
                "error": "入力内容を確認してください。",
                "form": _fragment(
                    request, "parts/post_form.html", {"room": room, "form": form}
                ),
            },
            status=400,
        )
    return _render(
        request, "post_form_page.html", {"room": room, "form": form}, status=400
    )


def room_url(room) -> str:
    return reverse("community:room", args=[room.slug])


def _posted_message(status) -> str:
    if status == Status.HELD:
        return (
            "投稿を受け付けました。運営が内容を確認してから公開します"
            "（利用規約に関わる言葉が含まれていたため）。"
        )
    return "投稿しました。"


def _comment_tree(post: Post, user):
    """Top-level comments with their replies; the viewer's own held comments are
    shown to them (marked), everyone else's only when published."""
    visible = Q(status=Status.PUBLISHED)
    if user.is_authenticated:
        visible |= Q(author=user, status=Status.HELD)
    if is_community_manager(user):
        visible = Q()
    comments = list(
        Comment.objects.filter(visible, post=post)
        .select_related("author__community_profile", "as_municipality")
        .order_by("created_at", "pk")[:500]
    )
    replies: dict[int, list] = {}
    top = []
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            top.append(comment)
    for comment in top:
        comment.reply_list = replies.get(comment.pk, [])
    return top


def post_detail(request, pk):
    post = _viewable_post(request, pk)
    sharing.attach_cards([post])
    user = request.user
    can_write = (
        user.is_authenticated and is_community_member(user) and post.is_published
    )
    context = {
        "post": post,
        "room": post.room,
        "comments": _comment_tree(post, user),
        "reactions": services.reaction_summary(post, user),
        "comment_form": CommentForm(voices=community_voices(user))
        if can_write
        else None,
        "municipalities": post.municipalities.all(),
        "alerts": post.alerts.filter(acknowledged_at__isnull=True)
        if is_community_manager(user)
        else [],
    }
    return _render(request, "post.html", context)


@participant_required
@require_POST
def comment_create(request, pk):
    post = _viewable_post(request, pk)
    form = CommentForm(request.POST, voices=community_voices(request.user))
    per_hour = settings.COMMUNITY["COMMENTS_PER_HOUR"]
    if not hit("community:comment", str(request.user.pk), per_hour, 3600).allowed:
        form.add_error(
            None, "短い時間にコメントが続いています。しばらくしてからお試しください。"
        )
    if not form.errors and form.is_valid():
        parent = None
        if form.cleaned_data.get("parent"):
            parent = Comment.objects.filter(
                pk=form.cleaned_data["parent"], post=post
            ).first()
        voice, municipality = _voice_from(request, form)
        try:
            comment = services.create_comment(
                post,
                request.user,
                body=form.cleaned_data["body"],
                parent=parent,
                voice=voice,
                as_municipality=municipality,
            )
        except services.NotAllowed as refused:
            form.add_error(None, str(refused))
        else:
            message = (
                "コメントしました。"
                if comment.is_published
                else "コメントを受け付けました。運営が内容を確認してから公開します。"
            )
            if wants_json(request):
                comment = Comment.objects.select_related(
                    "author__community_profile", "as_municipality", "post"
                ).get(pk=comment.pk)
                comment.reply_list = []
                return JsonResponse(
                    {
                        "message": message,
                        "html": _fragment(
                            request,
                            "parts/comment.html",
                            {"comment": comment, "post": post, "can_reply": False},
                        ),
                        "parent": comment.parent_id,
                    }
                )
            messages.success(request, message)
            return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")
    if wants_json(request):
        errors = [str(e) for errors in form.errors.values() for e in errors]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(f"{post.get_absolute_url()}#comment-form")


@participant_required
@require_POST
def react(request, pk):
    post = _viewable_post(request, pk)
    stamp = get_object_or_404(Stamp, pk=request.POST.get("stamp") or 0)
    try:
        services.toggle_reaction(post, request.user, stamp)
    except services.NotAllowed as refused:
        if wants_json(request):
            return JsonResponse({"error": str(refused)}, status=403)
        messages.error(request, str(refused))
        return redirect(post.get_absolute_url())
    if wants_json(request):
        return JsonResponse(
            {
                "html": _fragment(
                    request,
                    "parts/reactions.html",
                    {
                        "post": post,
                        "reactions": services.reaction_summary(post, request.user),
                        "can_react": True,
                    },
                )
            }
        )
    return redirect(f"{post.get_absolute_url()}#reactions")


@participant_required
@require_http_methods(["GET", "POST"])
def report(request, pk, kind="post"):
    if kind == "post":
        target = _viewable_post(request, pk)
        post = target
    else:
        target = get_object_or_404(
            Comment.objects.select_related("post__room"),
            pk=pk,
            status=Status.PUBLISHED,
        )
        post = _viewable_post(request, target.post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report(
            request.user, target, form.cleaned_data["reason"], form.cleaned_data["note"]
        )
        messages.success(
            request,
            "通報を受け付けました。運営が確認します。ご協力ありがとうございます。",
        )
        return redirect(post.get_absolute_url())
    return _render(
        request,
        "report.html",
        {"form": form, "target": target, "post": post, "kind": kind},
    )


@member_required
def share(request):
    """「コミュニティで話題にする」: the portal's event and article pages send
    their path here (``?url=``); the member sees the card and picks the room,
    whose compose form opens filled in. Without a page, a search of public events
    and articles by title (``?q=``)."""
    text = (request.GET.get("url") or request.GET.get("q") or "").strip()[:500]
    page = card = None
    results = []
    if text and sharing.looks_like_url(text):
        page = sharing.page_for_url(text, [request.get_host()])
    elif text:
        results = sharing.cards(sharing.search(text))
    if page is not None:
        (card,) = sharing.cards([page])
    rooms = Room.objects.all()
    if not is_community_manager(request.user):
        rooms = rooms.filter(is_open=True)
    return _render(
        request,
        "share.html",
        {
            "text": text,
            "card": card,
            "results": results,
            "rooms": rooms if card is not None else [],
            "not_found": bool(text) and card is None and not results,
        },
    )


# --- Managers' pages ---------------------------------------------------------------


@manager_required
def moderation_queue(request):
    """対応待ち: held posts and comments, open reports, open 炎上 alerts."""
    held_posts = _post_queryset().filter(status=Status.HELD).order_by("created_at")
    held_comments = (
        Comment.objects.filter(status=Status.HELD)
        .select_related("post", "author__community_profile")
        .order_by("created_at")
    )
    reports = (
        Report.objects.filter(resolved_at__isnull=True)
        .select_related("post", "comment__post", "reporter__community_profile")
        .order_by("-created_at")[:100]
    )
    alerts = (
        FlameAlert.objects.filter(acknowledged_at__isnull=True)
        .select_related("post")
        .order_by("-created_at")
    )
    return _render(
        request,
        "moderation.html",
        {
            "held_posts": held_posts,
            "held_comments": held_comments,
            "reports": reports,
            "alerts": alerts,
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def moderate(request, pk, kind="post"):
    if kind == "post":
        target = get_object_or_404(_post_queryset(), pk=pk)
        post = target
    else:
        target = get_object_or_404(
            Comment.objects.select_related("post", "author__community_profile"), pk=pk
        )
        post = target.post
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.moderate(
                target,
                form.cleaned_data["action"],
                form.cleaned_data["reason"],
                request.user,
            )
        except services.NotAllowed as refused:
            form.add_error("reason", str(refused))
        else:
            messages.success(request, "対応を記録し、投稿者に知らせました。")
            return redirect(_safe_next(request, reverse("community:moderation")))
    return _render(
        request,
        "moderate.html",
        {"form": form, "target": target, "post": post, "kind": kind},
    )


@manager_required
@require_http_methods(["GET", "POST"])
def block_member(request, user_id):
    member = get_object_or_404(
        get_user_model().objects.select_related("community_profile"), pk=user_id
    )
    if is_community_manager(member):
        return _render(
            request,
            "forbidden.html",
            {"detail": "運営側のアカウントは利用停止にできません。"},
            status=403,
        )
    current = members.active_block(member)
    form = BlockForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("lift") and current is not None:
            services.unblock(current, request.user)
            messages.success(request, "利用停止を解除しました。")
            return redirect(reverse("community:moderation"))
        if form.is_valid():
            services.block(member, form.cleaned_data["reason"], request.user)
            messages.success(request, "このメンバーの投稿・コメントを停止しました。")
            return redirect(reverse("community:moderation"))
    return _render(
        request,
        "block.html",
        {
            "form": form,
            "target_member": member,
            "name": members.display_name(member),
            "current": current,
        },
    )


@manager_required
@require_POST
def acknowledge_alert(request, pk):
    alert = get_object_or_404(FlameAlert, pk=pk)
    services.acknowledge_alert(alert, request.user)
    messages.success(request, "アラートを確認済みにしました。")
    return redirect(_safe_next(request, reverse("community:moderation")))


# --- Joining and the member's own pages ------------------------------------------------


def rules_page(request):
    current = members.current_rules()
    accepted = request.user.is_authenticated and members.has_accepted_current_rules(
        request.user
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_login_url(request))
        if request.POST.get("agree") and current is not None:
            members.accept_rules(request.user, current)
            messages.success(request, "利用規約に同意しました。")
            return redirect(_safe_next(request, reverse("community:rooms")))
        messages.error(request, "同意のチェックを入れてください。")
    return _render(
        request,
        "rules.html",
        {"rules": current, "accepted": accepted, "next": request.GET.get("next", "")},
    )


@require_http_methods(["GET", "POST"])
def join(request):
    if request.user.is_authenticated and is_community_member(request.user):
        return redirect("community:rooms")
    current = members.current_rules()
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if _limited(request, "join", JOIN_LIMIT):
            form.add_error(
                None, "登録の申込みが続いています。しばらくしてからお試しください。"
            )
        elif form.is_valid():
            profile = members.register(form.cleaned_data, current)
            token = members.confirmation_token(profile.user)
            user_id = profile.user_id
            transaction.on_commit(
                lambda: send_registration_mail.enqueue(user_id, token)
            )
            return _render(request, "join_sent.html", {"email": profile.user.email})
    return _render(request, "join.html", {"form": form, "rules": current})


def confirm(request, token):
    user = members.user_for_confirmation(token)
    if user is None or not hasattr(user, "community_profile"):
        return _render(request, "confirm_failed.html", status=400)
    members.confirm(user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(
        request, "登録が完了しました。ようこそ！ まずは部屋をのぞいてみましょう。"
    )
    return redirect("community:rooms")


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, reverse("community:rooms"))
    if request.method == "POST" and form.is_valid():
        if _limited(request, "login", LOGIN_LIMIT):
            form.add_error(
                None, "ログインの失敗が続いています。しばらくしてからお試しください。"
            )
        else:
            username = members.login_name_for(form.cleaned_data["email"])
            user = authenticate(
                request, username=username, password=form.cleaned_data["password"]
            )
            if user is not None:
                login(request, user)
                return redirect(next_url)
            pending = (
                get_user_model()
                .objects.filter(username=username, is_active=False)
                .exclude(community_profile=None)
                .first()
            )
            if pending is not None and pending.check_password(
                form.cleaned_data["password"]
            ):
                form.add_error(
                    None,
                    "登録がまだ完了していません。確認メールのリンクを開いてください。",
                )
            else:
                form.add_error(None, "メールアドレスまたはパスワードが違います。")
    return _render(request, "login.html", {"form": form, "next": next_url})


class _CommunityPage:
    """Django's class-based views with the community layout's context."""

    def get_context_data(self, **kwargs):
        return _layout_context(self.request, super().get_context_data(**kwargs))


class PasswordResetView(_CommunityPage, auth_views.PasswordResetView):
    form_class = MemberPasswordResetForm
    template_name = "community/password_reset.html"
    success_url = reverse_lazy("community:password_reset_done")

    def form_valid(self, form):
        # The same answer either way: the page never says whether an address is a
        # member; past the limit, no more mails go out from this address.
        if _limited(self.request, "reset", RESET_LIMIT):
            return redirect(self.success_url)
        return super().form_valid(form)


class PasswordResetDoneView(_CommunityPage, auth_views.PasswordResetDoneView):
    template_name = "community/password_reset_sent.html"


class PasswordResetConfirmView(_CommunityPage, auth_views.PasswordResetConfirmView):
    template_name = "community/password_reset_confirm.html"
    success_url = reverse_lazy("community:password_reset_complete")


class PasswordResetCompleteView(_CommunityPage, auth_views.PasswordResetCompleteView):
    template_name = "community/password_reset_complete.html"


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, "ログアウトしました。")
    return redirect("community:rooms")


@member_required
@require_http_methods(["GET", "POST"])
def profile(request):
    profile = getattr(request.user, "community_profile", None)
    if profile is None:
        profile = MemberProfile.objects.create(
            user=request.user,
            nickname=_free_nickname(request.user),
            email_confirmed_at=timezone.now(),
        )
    initial = {
        "nickname": profile.nickname,
        "bio": profile.bio,
        "relation": profile.relation,
        "notify_in_site": profile.notify_in_site,
        "digest_mail": profile.digest_mail,
        "moderation_mail": profile.moderation_mail,
        **members.attributes(profile),
    }
    form = ProfileForm(
        request.POST or None, request.FILES or None, profile=profile, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        for name in (
            "nickname",
            "bio",
            "relation",
            "notify_in_site",
            "digest_mail",
            "moderation_mail",
        ):
            setattr(profile, name, data[name])
        if data.get("avatar"):
            if profile.avatar:
                profile.avatar.delete(save=False)
            profile.avatar.save(data["avatar"].name, data["avatar"], save=False)
        profile.save()
        members.save_attributes(profile, data)
        messages.success(request, "プロフィールを保存しました。")
        return redirect("community:profile")
    return _render(
        request,
        "profile.html",
        {"form": form, "profile": profile, "shared": bool(profile.subscriber_id)},
    )


def _free_nickname(user) -> str:
    base = (user.get_full_name() or user.get_username()).replace(" ", "")[:24]
    name, n = base, 1
    while MemberProfile.objects.filter(nickname__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


@member_required
def my_posts(request):
    posts = (
        Post.objects.filter(author=request.user)
        .select_related("room")
        .order_by("-created_at")[:100]
    )
    comments = (
        Comment.objects.filter(author=request.user)
        .select_related("post")
        .order_by("-created_at")[:100]
    )
    return _render(request, "my_posts.html", {"posts": posts, "comments": comments})


@member_required
def notifications(request):
    items = list(Notification.objects.filter(recipient=request.user)[:100])
    unread_ids = [n.pk for n in items if n.read_at is None]
    if unread_ids:
        Notification.objects.filter(pk__in=unread_ids).update(read_at=timezone.now())
    return _render(
        request,
        "notifications.html",
        {"items": items, "unread_ids": set(unread_ids), "unread": 0},
    )


@member_required
@require_http_methods(["GET", "POST"])
def account_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_member(user)
        return _render(request, "deleted.html")
    return _render(
        request,
        "delete.html",
        {"form": form, "whole_account": members.can_be_deleted_by_self(request.user)},
    )


# --- Surveys ----------------------------------------------------------------------


@member_required
def survey_list(request):
    return _render(
        request, "surveys.html", {"surveys": surveys.open_surveys_for(request.user)}
    )


@participant_required
@require_http_methods(["GET", "POST"])
def survey_answer(request, pk):
    survey = get_object_or_404(Survey, pk=pk)
    if not surveys.is_asked(survey, request.user):
        raise Http404
    if SurveyResponse.objects.filter(survey=survey, member=request.user).exists():
        return _render(request, "survey_done.html", {"survey": survey})
    form = surveys.answer_form(survey, request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A double submit saves once; both see the thank-you page.
        with contextlib.suppress(surveys.AlreadyAnswered):
            surveys.save_answers(survey, request.user, form.cleaned_data)
        messages.success(request, "回答ありがとうございました。")
        return _render(request, "survey_done.html", {"survey": survey})
    return _render(request, "survey.html", {"survey": survey, "form": form})

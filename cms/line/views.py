"""Public pages of the LINE account: the signed attribute form (/line/attributes/…)."""

from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect

from .attributes import (
    FriendAttributeForm,
    LinkError,
    form_may_open,
    read_form_id,
    read_token,
)
from .models import AttributeForm, FriendStatus, LineFriend


@csrf_protect
def attribute_form(request, token):
    try:
        channel_id, user_id = read_token(token)
    except LinkError as error:
        return render(
            request, "line/attributes_error.html", {"error": str(error)}, status=403
        )
    friend = (
        LineFriend.objects.filter(channel_id=channel_id, user_id=user_id)
        .select_related("channel")
        .first()
    )
    if friend is None or friend.status != FriendStatus.FRIEND:
        return render(
            request,
            "line/attributes_error.html",
            {
                "error": "友だち登録が見つかりません。LINEで友だち追加してからお試しください。"
            },
            status=404,
        )
    named = None
    form_id = read_form_id(token)
    if form_id:
        named = AttributeForm.objects.filter(pk=form_id, channel_id=channel_id).first()
        if named is None or not form_may_open(named, friend):
            return render(
                request,
                "line/attributes_error.html",
                {"error": "このフォームは今は開けません。"},
                status=403,
            )
    saved = False
    if request.method == "POST":
        form = FriendAttributeForm(request.POST, friend=friend, attribute_form=named)
        if form.is_valid():
            form.apply(friend)
            saved = True
            from .tasks import relink_friend_menu

            relink_friend_menu.enqueue(friend.pk)
    else:
        form = FriendAttributeForm(friend=friend, attribute_form=named)
    return render(
        request,
        "line/attributes.html",
        {
            "form": form,
            "friend": friend,
            "channel": friend.channel,
            "saved": saved,
            "named": named,
        },
    )


def menu_link(request, token):
    """Count a tap on a rich menu's link area (as a menu tap) and go on."""
    from . import tracking
    from .models import EventKind, LineEvent, RichMenu

    try:
        menu_id, url, label = tracking.read_menu_link(token)
    except signing.BadSignature:
        raise Http404 from None
    if not url.startswith(("https://", "http://")):
        raise Http404
    menu = RichMenu.objects.filter(pk=menu_id).only("channel_id").first()
    if menu is not None:
        LineEvent.objects.create(
            channel_id=menu.channel_id,
            kind=EventKind.MENU_LINK,
            text=f"リンク: {label or url}"[:500],
            data={"menu": menu_id, "url": url[:1000]},
        )
    return HttpResponseRedirect(url)


def click(request, token):
    """Count a tap on a delivered link and go on to the link."""
    from . import tracking
    from .models import DeliveryRun, LinkClick

    try:
        run_id, url = tracking.read(token)
    except signing.BadSignature:
        raise Http404 from None
    if not url.startswith(("https://", "http://")):
        raise Http404
    if DeliveryRun.objects.filter(pk=run_id).exists():
        LinkClick.objects.create(run_id=run_id, url=url[:1000])
    return HttpResponseRedirect(url)

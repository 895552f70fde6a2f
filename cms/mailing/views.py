"""The public mail pages (``/mail/…``).

Unsubscribing follows RFC 8058: a POST to the List-Unsubscribe URL (mail clients send
``List-Unsubscribe=One-Click``; our page's button sends the same) unsubscribes and
answers 200 without a redirect; a GET only shows the page with the button, so link
scanners that fetch every URL in a message unsubscribe no one. The same holds for
the sign-up confirmation link.
"""

import base64

from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.core.ratelimit import client_ip, hit

from . import conf, subscriptions, tokens
from .forms import PreferencesForm, SignupForm
from .models import CampaignLink, Delivery, SubscriberStatus

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _render(request, template, context=None, status=200):
    context = {"list_name": conf.get("FROM_NAME"), **(context or {})}
    response = render(request, f"mailing/public/{template}", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    """A plain HTML sign-up form (the static site may post to the JSON API)."""
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        limit, window = conf.get("SIGNUP_RATE_LIMIT")
        if not hit("mailing:signup", client_ip(request), limit, window).allowed:
            return _render(request, "limited.html", status=429)
        if form.is_valid():
            subscriptions.sign_up(
                form.cleaned_data,
                client_ip(request),
                request.META.get("HTTP_USER_AGENT", ""),
            )
            return _render(request, "subscribe_sent.html")
    return _render(request, "subscribe.html", {"form": form})


@never_cache
@csrf_exempt  # the signed token is the credential
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscriber = subscriptions.subscriber_for_confirmation(token)
    if subscriber is None:
        return _render(request, "link_invalid.html", status=400)
    if request.method == "POST":
        subscriptions.confirm(subscriber)
        return _render(request, "confirmed.html", {"subscriber": subscriber})
    return _render(request, "confirm.html", {"subscriber": subscriber})


@never_cache
@csrf_exempt  # mail clients POST here (RFC 8058); the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = subscriptions.subscriber_for_token(token)
    if found is None:
        return _render(request, "link_invalid.html", status=400)
    subscriber, delivery_id = found
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        subscriptions.unsubscribe(
            subscriber,
            delivery_id,
            "ワンクリック配信停止" if one_click else "配信停止ページ",
        )
        return _render(request, "unsubscribed.html", {"token": token})
    return _render(
        request,
        "unsubscribe.html",
        {
            "subscriber": subscriber,
            "token": token,
            "already": subscriber.status != SubscriberStatus.ACTIVE,
        },
    )


@never_cache
@csrf_exempt  # the signed token is the credential
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    found = subscriptions.subscriber_for_token(token)
    if found is None:
        return _render(request, "link_invalid.html", status=400)
    subscriber, _ = found
    form = PreferencesForm(request.POST or None, subscriber=subscriber)
    saved = False
    if request.method == "POST" and form.is_valid():
        subscriptions.update_preferences(subscriber, form.cleaned_data)
        saved = True
    return _render(
        request,
        "preferences.html",
        {"form": form, "saved": saved, "token": token, "subscriber": subscriber},
    )


def open_pixel(request, token):
    delivery_id = tokens.read_open_token(token)
    if delivery_id is not None:
        now = timezone.now()
        Delivery.objects.filter(pk=delivery_id).update(open_count=F("open_count") + 1)
        Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(
            opened_at=now
        )
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response


def click(request, token):
    found = tokens.read_click_token(token)
    if found is None:
        raise Http404("リンクが正しくありません。")
    delivery_id, link_id = found
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    link = CampaignLink.objects.filter(pk=link_id).first()
    if delivery is None or link is None or link.campaign_id != delivery.campaign_id:
        raise Http404("リンクが正しくありません。")
    now = timezone.now()
    link.clicks.create(delivery=delivery, at=now)
    Delivery.objects.filter(pk=delivery_id).update(click_count=F("click_count") + 1)
    Delivery.objects.filter(pk=delivery_id, clicked_at__isnull=True).update(
        clicked_at=now
    )
    # A click is also proof the message was opened (images may be blocked).
    Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(
        opened_at=now
    )
    return HttpResponseRedirect(link.url)

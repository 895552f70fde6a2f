"""Two-factor authentication (TOTP, RFC 6238) for the admin, on django-otp.

A user sets up an authenticator app by scanning a QR code and entering one code;
from then on every admin session asks for a code after the password. Prefecture
staff (and whoever ``must_use_two_factor`` names) cannot use the admin without it
when ``PORTAL_2FA_REQUIRED`` is on; for editors it is their choice. A superuser
resets a user's device when a phone is lost.
"""

from functools import cache

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from cms.core.permissions import can_reset_two_factor, must_use_two_factor

from . import oplog


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def is_required_for(user) -> bool:
    from django.conf import settings

    return settings.PORTAL_2FA_REQUIRED and must_use_two_factor(user)


@cache
def exempt_paths() -> tuple[str, ...]:
    """Admin paths a signed-in but unverified user may still open."""
    from django.conf import settings

    names = (
        "ops_2fa_verify",
        "ops_2fa_setup",
        "wagtailadmin_login",
        "wagtailadmin_logout",
        "wagtailadmin_password_reset",
        "wagtailadmin_javascript_catalog",
    )
    return tuple(reverse(name, urlconf=settings.ROOT_URLCONF) for name in names)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


class CodeForm(forms.Form):
    code = forms.CharField(
        label="確認コード（6桁）",
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        code = code.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(
                "認証アプリに表示された6桁の数字を入力してください。"
            )
        return code


class VerifyView(TemplateView):
    """After the password: enter the code from the authenticator app."""

    template_name = "ops/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("wagtailadmin_login")
        if not has_device(request.user):
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('ops_2fa_setup')}?{query}")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            "form": kwargs.get("form") or CodeForm(),
            "next": _next_url(self.request),
            **super().get_context_data(**kwargs),
        }

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            for device in TOTPDevice.objects.devices_for_user(
                request.user, confirmed=True
            ):
                if device.verify_token(form.cleaned_data["code"]):
                    otp_login(request, device)
                    return redirect(_next_url(request))
            form.add_error(
                "code",
                "コードが正しくありません。認証アプリの最新の6桁を入力してください（続けて間違えると、しばらく入力できなくなります）。",
            )
            oplog.record_user_event(request.user, oplog.TWO_FACTOR_FAILED)
        return self.render_to_response(self.get_context_data(form=form))


class SetupView(WagtailAdminTemplateMixin, TemplateView):
    """Set up (or replace) the authenticator app: a QR code and one code to confirm."""

    template_name = "ops/two_factor_setup.html"
    page_title = "二要素認証"
    header_icon = "key"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("wagtailadmin_login")
        # Replacing a device already in use needs this session to be verified.
        if has_device(request.user) and not request.user.is_verified():
            query = urlencode({"next": request.path})
            return redirect(f"{reverse('ops_2fa_verify')}?{query}")
        return super().dispatch(request, *args, **kwargs)

    def _pending_device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(
            user=self.request.user, confirmed=False
        ).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=self.request.user, name="認証アプリ", confirmed=False
            )
        return device

    def get_context_data(self, **kwargs):
        user = self.request.user
        device = self._pending_device()
        qr = segno.make(device.config_url, error="m")
        return {
            **super().get_context_data(**kwargs),
            "form": kwargs.get("form") or CodeForm(),
            "qr_svg": mark_safe(qr.svg_inline(scale=4, dark="#000", light="#fff")),
            "secret": _grouped_secret(device),
            "enabled": has_device(user),
            "required": is_required_for(user),
            "next": _next_url(self.request),
        }

    def post(self, request):
        if request.POST.get("action") == "disable":
            return self._disable(request)
        form = CodeForm(request.POST)
        device = self._pending_device()
        if form.is_valid() and device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            oplog.record_user_event(request.user, oplog.TWO_FACTOR_ENABLED)
            messages.success(
                request,
                "二要素認証を設定しました。次回のログインから確認コードを入力します。",
            )
            return redirect(_next_url(request))
        if form.is_valid():
            form.add_error(
                "code",
                "コードが一致しません。QRコードを読み取った認証アプリの最新の6桁を入力してください（スマートフォンの時刻が正しいかもご確認ください）。",
            )
        return self.render_to_response(self.get_context_data(form=form))

    def _disable(self, request):
        if is_required_for(request.user):
            messages.error(request, "県職員は二要素認証を解除できません。")
            return redirect("ops_2fa_setup")
        TOTPDevice.objects.filter(user=request.user).delete()
        oplog.record_user_event(request.user, oplog.TWO_FACTOR_DISABLED)
        messages.success(request, "二要素認証を解除しました。")
        return redirect("wagtailadmin_home")


def _grouped_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def reset_view(request, user_id: int):
    """A superuser removes another user's device (lost phone); the user sets up a
    new one at the next login. GET asks for confirmation, POST resets."""
    if not can_reset_two_factor(request.user):
        raise PermissionDenied
    target = get_object_or_404(get_user_model(), pk=user_id)
    if request.method != "POST":
        return TemplateResponse(
            request,
            "ops/two_factor_reset.html",
            {
                "target": target,
                "page_title": "二要素認証のリセット",
                "header_icon": "key",
            },
        )
    removed, _ = TOTPDevice.objects.filter(user=target).delete()
    oplog.record_user_event(target, oplog.TWO_FACTOR_RESET, user=request.user)
    messages.success(
        request,
        f"{target.get_full_name() or target.get_username()} さんの二要素認証をリセットしました（{removed}台）。",
    )
    return redirect("wagtailusers_users:index")

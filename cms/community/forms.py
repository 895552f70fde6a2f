"""The community's forms: joining, logging in, the profile, posts, comments,
reports, account deletion, and the managers' moderation and block forms. Messages
say in Japanese what to fix."""

import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db.models import Q

from cms.core.japanese import PREFECTURE_NAMES
from cms.core.models import Municipality
from cms.mailing.models import AgeBand

from . import sharing
from .images import normalise_image
from .models import MemberProfile, Relation, ReportReason, Voice

PREFECTURE_CHOICES = [("", "選んでください")] + [(n, n) for n in PREFECTURE_NAMES]
NICKNAME_HELP = (
    "ほかのメンバーに表示されます。記号は「・」「ー」「-」「_」だけ使えます。"
)
VOICE_LABELS = dict(Voice.choices)


def _nickname(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "").strip()
    if not value:
        raise ValidationError("ニックネームを入力してください。")
    if any(not (ch.isalnum() or ch in "・ー-_") for ch in value):
        raise ValidationError(
            "ニックネームに使えるのは文字・数字と「・」「ー」「-」「_」です。"
        )
    return value


class AttributeFields(forms.Form):
    age_band = forms.ChoiceField(
        label="年代", choices=[("", "答えない"), *AgeBand.choices[1:]], required=False
    )
    prefecture = forms.ChoiceField(
        label="お住まいの都道府県", choices=PREFECTURE_CHOICES, required=False
    )
    municipality_name = forms.CharField(
        label="お住まいの市区町村", max_length=50, required=False
    )
    relation = forms.ChoiceField(
        label="地域との関わり",
        choices=[("", "選んでください"), *Relation.choices],
        required=False,
    )


class RegistrationForm(AttributeFields):
    email = forms.EmailField(label="メールアドレス", max_length=254)
    nickname = forms.CharField(
        label="ニックネーム", max_length=30, help_text=NICKNAME_HELP
    )
    password1 = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8文字以上。ほかのサイトと同じものは避けてください。",
    )
    password2 = forms.CharField(
        label="パスワード（確認）",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    agree = forms.BooleanField(
        label="コミュニティ利用規約に同意します",
        error_messages={"required": "利用規約に同意いただくと登録できます。"},
    )
    field_order = [
        "email",
        "nickname",
        "password1",
        "password2",
        "age_band",
        "prefecture",
        "municipality_name",
        "relation",
        "agree",
    ]

    def clean_email(self):
        from .members import is_stale_registration, username_for

        email = self.cleaned_data["email"]
        # An address whose registration was never confirmed may register again
        # (members.register replaces the stale account).
        same = get_user_model().objects.filter(
            Q(username=username_for(email)) | Q(email__iexact=email)
        )
        if any(not is_stale_registration(user) for user in same):
            raise ValidationError(
                "このメールアドレスはすでに登録されています。ログインしてください。"
            )
        return email

    def clean_nickname(self):
        value = _nickname(self.cleaned_data["nickname"])
        if MemberProfile.objects.filter(nickname__iexact=value).exists():
            raise ValidationError("このニックネームはすでに使われています。")
        return value

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "確認用のパスワードが一致しません。")
        elif one:
            try:
                password_validation.validate_password(one)
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class LoginForm(forms.Form):
    email = forms.EmailField(label="メールアドレス")
    password = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ProfileForm(AttributeFields):
    nickname = forms.CharField(
        label="ニックネーム", max_length=30, help_text=NICKNAME_HELP
    )
    bio = forms.CharField(label="ひとこと", max_length=200, required=False)
    avatar = forms.ImageField(
        label="アイコン画像",
        required=False,
        help_text="正方形に切り抜き、位置情報などの撮影情報は消して保存します。",
    )
    notify_in_site = forms.BooleanField(
        label="コメントや返信をサイト内のお知らせで受け取る", required=False
    )
    digest_mail = forms.BooleanField(
        label="新着のまとめメール（1日1回）を受け取る", required=False
    )
    moderation_mail = forms.BooleanField(
        label="自分の投稿への運営の対応をメールで受け取る", required=False
    )
    field_order = ["nickname", "bio", "avatar"]

    def __init__(self, *args, profile: MemberProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile

    def clean_nickname(self):
        value = _nickname(self.cleaned_data["nickname"])
        if (
            MemberProfile.objects.filter(nickname__iexact=value)
            .exclude(pk=self.profile.pk)
            .exists()
        ):
            raise ValidationError("このニックネームはすでに使われています。")
        return value

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if not upload:
            return None
        return normalise_image(upload, settings.COMMUNITY["AVATAR_PIXELS"], square=True)


def voice_choices(voices) -> list[tuple[str, str]]:
    names = {
        m.pk: m.name
        for m in Municipality.objects.filter(
            pk__in=[pk for _, pk in voices if pk is not None]
        )
    }
    choices = []
    for voice, pk in voices:
        key = f"{voice}:{pk}" if pk else voice
        label = names.get(pk, "") if pk else VOICE_LABELS[voice]
        if voice == Voice.MEMBER:
            label = "自分（ニックネーム）"
        choices.append((key, label))
    return choices


def parse_voice(value: str) -> tuple[str, int | None]:
    voice, _, pk = (value or Voice.MEMBER).partition(":")
    return voice, int(pk) if pk.isdigit() else None


class VoiceMixin:
    """Adds 「投稿の名義」 when the user may speak for more than themselves."""

    def add_voice(self, voices):
        self.voices = voices
        # Shown whenever the user speaks for more than themselves.
        if len(voices) > 1 or (voices and voices[0][0] != Voice.MEMBER):
            choices = voice_choices(voices)
            self.fields["voice"] = forms.ChoiceField(
                label="投稿の名義",
                choices=choices,
                required=False,
                initial=choices[0][0],
            )

    def chosen_voice(self) -> tuple[str, int | None]:
        if self.cleaned_data.get("voice"):
            return parse_voice(self.cleaned_data["voice"])
        return self.voices[0] if self.voices else (Voice.MEMBER, None)


class PostForm(VoiceMixin, forms.Form):
    title = forms.CharField(label="タイトル", max_length=80)
    body = forms.CharField(
        label="本文", max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    image = forms.ImageField(
        label="写真",
        required=False,
        help_text="位置情報などの撮影情報は消して保存します。",
    )
    image_alt = forms.CharField(
        label="写真の説明（読み上げ用）", max_length=120, required=False
    )
    link_url = forms.URLField(
        label="リンク", required=False, assume_scheme="https", max_length=500
    )
    share = forms.CharField(
        label="紹介するイベント・記事",
        max_length=500,
        required=False,
        help_text=(
            "ポータルのイベントや記事のURLを貼り付けるか、題名の一部を入力して"
            "ください。日付とリンクのついたカードになります。"
        ),
    )
    municipalities = forms.ModelMultipleChoiceField(
        label="関係する市町村",
        queryset=Municipality.objects.order_by("sort_order", "code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, voices=(), hosts=(), can_pin=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_voice(list(voices))
        if can_pin:
            self.fields["is_pinned"] = forms.BooleanField(
                label="部屋の一番上に固定する（ピン留め）", required=False
            )
        self.hosts = tuple(hosts)
        self.shared = None
        # Words (not a URL) in 「紹介するイベント・記事」 are searched; when they
        # fit several pages the member picks one from the list shown under it.
        words = (self.data.get("share") or "").strip() if self.is_bound else ""
        self.candidates = []
        if words and not sharing.looks_like_url(words):
            self.candidates = sharing.search(words)
        if len(self.candidates) > 1:
            self.fields["shared_page"] = forms.TypedChoiceField(
                label="どれを紹介しますか",
                choices=[(p.pk, _candidate_label(p)) for p in self.candidates],
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
            )
            order = list(self.fields)
            order.remove("shared_page")
            order.insert(order.index("share") + 1, "shared_page")
            self.order_fields(order)

    def clean_share(self):
        text = self.cleaned_data.get("share", "").strip()
        if text and sharing.looks_like_url(text):
            self.shared = sharing.page_for_url(text, self.hosts)
            if self.shared is None:
                raise ValidationError(
                    "このURLはポータルで公開中のイベント・記事のページではありません。"
                    "イベントか記事のページのURLを貼り付けてください。"
                )
        elif text and not self.candidates:
            raise ValidationError(
                f"「{text}」に当たる公開中のイベント・記事が見つかりません。"
                "題名の別のことばか、ページのURLでお試しください。"
            )
        elif len(self.candidates) == 1:
            self.shared = self.candidates[0]
        return text

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        return normalise_image(upload, settings.COMMUNITY["IMAGE_MAX_PIXELS"])

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", "写真に何が写っているかを短く書いてください。")
        if len(self.candidates) > 1 and "share" not in self.errors:
            chosen = data.get("shared_page")
            self.shared = next((p for p in self.candidates if p.pk == chosen), None)
            if self.shared is None:
                self.add_error(
                    "shared_page",
                    f"「{data.get('share')}」に当たるものが{len(self.candidates)}件"
                    "あります。紹介するものを選んでください。",
                )
        data["shared_page"] = self.shared
        return data


def _candidate_label(page) -> str:
    card = sharing.card_for(page, "")
    details = "・".join(
        part for part in (card.kind, card.date_text, card.place) if part
    )
    return f"{card.title}（{details}）"


class CommentForm(VoiceMixin, forms.Form):
    body = forms.CharField(
        label="コメント", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, voices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_voice(list(voices))


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="通報の理由", choices=ReportReason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="詳しく（任意）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="退会すると元に戻せないことを理解しました",
        error_messages={"required": "確認のチェックを入れてください。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError("パスワードが違います。")
        return password


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label="対応",
        choices=[
            ("hide", "非表示にする"),
            ("delete", "削除する"),
            ("restore", "再び表示する"),
            ("approve", "公開する（確認待ちを承認）"),
        ],
    )
    reason = forms.CharField(
        label="理由（投稿者に伝わります）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class BlockForm(forms.Form):
    reason = forms.CharField(
        label="利用停止の理由（メンバーに伝わります）",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MemberPasswordResetForm(PasswordResetForm):
    """「パスワードを忘れた」: a signed, expiring link (Django's token generator,
    PASSWORD_RESET_TIMEOUT) mailed to a member. Accounts that can use the admin
    are left out: their passwords are reset in the admin, behind its two-factor
    login, not from a public page."""

    email = forms.EmailField(label="メールアドレス", max_length=254)

    def get_users(self, email):
        for user in super().get_users(email):
            if hasattr(user, "community_profile") and not user.has_perm(
                "wagtailadmin.access_admin"
            ):
                yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from . import notify

        notify.send_password_reset_mail(
            context["user"], context["uid"], context["token"]
        )

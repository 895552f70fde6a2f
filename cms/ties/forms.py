"""Forms of the public ties pages. Errors name the field in Japanese."""

from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password

from cms.core.japanese import PREFECTURE_NAMES
from cms.core.models import Municipality

from . import members
from .fields import TagsField
from .models import Availability, Involvement

PREFECTURES = [("", "選んでください")] + [(p, p) for p in PREFECTURE_NAMES]


class ProfileFields(forms.Form):
    name = forms.CharField(
        label="お名前",
        max_length=60,
        error_messages={"required": "お名前を入力してください。"},
    )
    prefecture = forms.ChoiceField(
        label="お住まいの都道府県",
        choices=PREFECTURES,
        error_messages={"required": "お住まいの都道府県を選んでください。"},
    )
    skills = TagsField(label="スキル・経験")
    interests = TagsField(label="関心のあること")
    regions = forms.ModelMultipleChoiceField(
        label="関心のある地域",
        queryset=Municipality.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    involvements = forms.MultipleChoiceField(
        label="関わり方",
        choices=Involvement.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "関わり方を1つ以上選んでください。"},
    )
    availability = forms.ChoiceField(
        label="参加できる時期",
        choices=[("", "選んでください"), *list(Availability.choices)],
        required=False,
    )
    availability_note = forms.CharField(
        label="時期の補足", max_length=200, required=False
    )
    newsletter = forms.BooleanField(
        label="月1回以上の情報メール（プログラム・交流会のお知らせ）を受け取る",
        required=False,
        initial=True,
    )


class RegistrationForm(ProfileFields):
    email = forms.EmailField(
        label="メールアドレス",
        error_messages={
            "required": "メールアドレスを入力してください。",
            "invalid": "メールアドレスの形式が正しくありません。",
        },
    )
    password1 = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput,
        error_messages={"required": "パスワードを入力してください。"},
    )
    password2 = forms.CharField(
        label="パスワード（確認）",
        widget=forms.PasswordInput,
        error_messages={"required": "パスワード（確認）を入力してください。"},
    )
    agree = forms.BooleanField(
        label="個人情報の取扱いに同意する",
        error_messages={"required": "個人情報の取扱いに同意いただくと登録できます。"},
    )

    field_order = ["email", "password1", "password2", "name", "prefecture"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:  # logged in: the account exists already
            for name in ("email", "password1", "password2"):
                del self.fields[name]

    def clean_email(self):
        email = self.cleaned_data["email"]
        if members.email_taken(email):
            raise forms.ValidationError(
                "メールアドレス: このアドレスは登録済みです。ログインしてから登録してください。"
            )
        return email

    def clean(self):
        data = super().clean()
        if self.user is None and data.get("password1"):
            if data["password1"] != data.get("password2"):
                self.add_error("password2", "パスワード（確認）が一致しません。")
            else:
                try:
                    validate_password(data["password1"])
                except forms.ValidationError as error:
                    self.add_error(
                        "password1", [f"パスワード: {m}" for m in error.messages]
                    )
        return data


class ApplyForm(forms.Form):
    message = forms.CharField(
        label="受入団体へのメッセージ",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "メッセージを入力してください。"},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="メッセージ",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "メッセージを入力してください。"},
    )


class ReportForm(forms.Form):
    report = forms.CharField(
        label="参加の報告（感想・次にしたいこと）",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "参加の報告を入力してください。"},
    )


class EligibilityForm(forms.Form):
    prefecture = forms.ChoiceField(
        label="お住まいの都道府県",
        choices=PREFECTURES,
        error_messages={"required": "お住まいの都道府県を選んでください。"},
    )
    cost_yen = forms.IntegerField(
        label="往復の交通費（円）",
        min_value=1,
        max_value=1_000_000,
        error_messages={
            "required": "往復の交通費（円）を入力してください。",
            "invalid": "往復の交通費（円）は数字で入力してください。",
            "min_value": "往復の交通費（円）は1円以上で入力してください。",
            "max_value": "往復の交通費（円）が大きすぎます。",
        },
    )


class SubsidyForm(forms.Form):
    application = forms.ModelChoiceField(
        label="参加するプログラム",
        queryset=None,
        empty_label="選んでください",
        error_messages={"required": "参加するプログラムを選んでください。"},
    )
    trip_date = forms.DateField(
        label="来県日",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "来県日を入力してください。",
            "invalid": "来県日の形式が正しくありません（例: 2026-05-01）。",
        },
    )
    origin = forms.ChoiceField(
        label="出発地（都道府県）",
        choices=PREFECTURES,
        error_messages={"required": "出発地（都道府県）を選んでください。"},
    )
    cost_yen = EligibilityForm.base_fields["cost_yen"]
    receipts = forms.FileField(
        label="領収書（画像またはPDF）",
        error_messages={"required": "領収書のファイルを選んでください。"},
    )

    ALLOWED = (".pdf", ".jpg", ".jpeg", ".png", ".heic")

    def __init__(self, *args, applications=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda a: a.program.title

    def clean_receipts(self):
        return checked_receipt(self.cleaned_data["receipts"], self.ALLOWED)


def checked_receipt(upload, allowed):
    """A receipt upload of an allowed kind and size, or a message naming it."""
    if not upload.name.lower().endswith(allowed):
        raise forms.ValidationError(
            "領収書: PDF・JPEG・PNG・HEICのファイルを選んでください。"
        )
    if upload.size > settings.TIES["RECEIPT_MAX_BYTES"]:
        limit = settings.TIES["RECEIPT_MAX_BYTES"] // (1024 * 1024)
        raise forms.ValidationError(f"領収書: {limit}MBまでのファイルにしてください。")
    return upload


class ResubmitForm(forms.Form):
    """A returned subsidy application sent again with a corrected receipt."""

    receipts = SubsidyForm.base_fields["receipts"]

    def clean_receipts(self):
        return checked_receipt(self.cleaned_data["receipts"], SubsidyForm.ALLOWED)


class ReasonForm(forms.Form):
    """Why a member withdraws (optional) or a host cancels (required)."""

    reason = forms.CharField(
        label="理由",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeleteForm(forms.Form):
    confirm = forms.BooleanField(
        label="登録を削除します（元に戻せません）",
        error_messages={"required": "削除の確認にチェックを入れてください。"},
    )

"""Forms of the resident pages (registration, log-in, profile, booking) and the staff
screens (counter booking, change, block, calendar import)."""

import datetime as dt

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from cms.core.japanese import normalize_width

from .models import BookingUnit, Equipment, Facility, Resident, UsagePurpose
from .rules import JST, UserCategory


class ResidentFieldsMixin:
    def clean_phone(self):
        return normalize_width(self.cleaned_data["phone"])

    def clean_postal_code(self):
        value = normalize_width(self.cleaned_data.get("postal_code", "")).replace(
            "ー", "-"
        )
        if value and not (
            len(value.replace("-", "")) == 7 and value.replace("-", "").isdigit()
        ):
            raise ValidationError(
                "郵便番号は7桁の数字で入力してください（例: 880-1192）。"
            )
        return value


def _check_new_password(form, first="password1", second="password2", resident=None):
    one, two = form.cleaned_data.get(first), form.cleaned_data.get(second)
    if one and two and one != two:
        form.add_error(second, "確認用のパスワードが一致しません。")
        return
    if one:
        user_like = resident or Resident(
            email=form.cleaned_data.get("email", ""),
            name=form.cleaned_data.get("name", ""),
        )
        try:
            password_validation.validate_password(one, user_like)
        except ValidationError as error:
            form.add_error(first, error)


class RegistrationForm(ResidentFieldsMixin, forms.ModelForm):
    password1 = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="8文字以上。数字だけ、よくある語句は使えません。",
    )
    password2 = forms.CharField(
        label="パスワード（確認）",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    agree = forms.BooleanField(
        label="個人情報の取り扱いに同意します",
        error_messages={"required": "登録には同意が必要です。"},
    )

    class Meta:
        model = Resident
        fields = [
            "email",
            "name",
            "name_kana",
            "phone",
            "postal_code",
            "address",
            "organisation",
            "category",
        ]
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "postal_code": forms.TextInput(
                attrs={"autocomplete": "postal-code", "inputmode": "numeric"}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "category": forms.RadioSelect,
        }

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if Resident.objects.filter(email=email).exists():
            raise ValidationError(
                "このメールアドレスはすでに登録されています。"
                "パスワードを忘れた場合は再設定してください。"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        _check_new_password(self)
        return cleaned

    def save(self, commit=True):
        resident = super().save(commit=False)
        resident.set_password(self.cleaned_data["password1"])
        if commit:
            resident.save()
        return resident


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="メールアドレス", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="パスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="登録したメールアドレス",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label="新しいパスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="新しいパスワード（確認）",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, resident=None, **kwargs):
        self.resident = resident
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        _check_new_password(self, resident=self.resident)
        return cleaned


class PasswordChangeForm(SetPasswordForm):
    current = forms.CharField(
        label="今のパスワード",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["current", "password1", "password2"]

    def clean_current(self):
        if not self.resident.check_password(self.cleaned_data["current"]):
            raise ValidationError("今のパスワードが正しくありません。")
        return self.cleaned_data["current"]


class ProfileForm(ResidentFieldsMixin, forms.ModelForm):
    class Meta:
        model = Resident
        fields = [
            "name",
            "name_kana",
            "phone",
            "postal_code",
            "address",
            "organisation",
            "category",
        ]
        widgets = {"category": forms.RadioSelect}


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="確認のためパスワードを入力してください",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, resident=None, **kwargs):
        self.resident = resident
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.resident.check_password(self.cleaned_data["password"]):
            raise ValidationError("パスワードが正しくありません。")
        return self.cleaned_data["password"]


# --- Booking -------------------------------------------------------------------


def equipment_field_name(item: Equipment) -> str:
    return f"equipment_{item.pk}"


class BookingForm(forms.Form):
    """What a resident (or the counter) fills in for one booking. The unit and start
    come from the slot the person picked; the end is chosen among the slots that
    follow."""

    unit = forms.ModelChoiceField(
        label="室場・面", queryset=BookingUnit.objects.none(), widget=forms.HiddenInput
    )
    start = forms.DateTimeField(label="開始", widget=forms.HiddenInput)
    end = forms.TypedChoiceField(label="終了時刻", choices=(), coerce=str)
    purpose = forms.ModelChoiceField(
        label="利用目的", queryset=UsagePurpose.objects.none(), required=False
    )
    headcount = forms.IntegerField(
        label="利用人数",
        min_value=1,
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    activity = forms.CharField(
        label="活動内容",
        max_length=200,
        required=False,
        help_text="例: 少年団の練習、町民大会の準備",
    )
    accept_rules = forms.BooleanField(label="遵守事項に同意します", required=False)

    def __init__(
        self, *args, facility: Facility, units, end_choices, equipment, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.facility = facility
        self.fields["unit"].queryset = units
        self.fields["end"].choices = end_choices
        self.fields["purpose"].queryset = UsagePurpose.objects.filter(
            units__in=units
        ).distinct()
        self.equipment = list(equipment)
        for item in self.equipment:
            self.fields[equipment_field_name(item)] = forms.IntegerField(
                label=f"{item.name}（{item.price_label}・最大{item.stock}{item.counter}）",
                min_value=0,
                max_value=item.stock,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
        if not facility.rules_text:
            del self.fields["accept_rules"]

    def clean_end(self):
        value = self.cleaned_data["end"]
        try:
            return dt.datetime.fromisoformat(value).astimezone(JST)
        except ValueError as error:
            raise ValidationError("終了時刻を選んでください。") from error

    def equipment_quantities(self) -> dict[int, int]:
        quantities = {}
        for item in self.equipment:
            quantity = self.cleaned_data.get(equipment_field_name(item)) or 0
            if quantity:
                quantities[item.pk] = quantity
        return quantities

    def equipment_fields(self):
        return [self[equipment_field_name(item)] for item in self.equipment]


class CounterApplicantForm(forms.Form):
    """The applicant at the counter: a registered resident, or name and phone."""

    resident_email = forms.EmailField(
        label="登録利用者のメールアドレス",
        required=False,
        help_text="登録済みの方は入力すると、確認メールが届きます。",
    )
    applicant_name = forms.CharField(label="申請者氏名", max_length=60, required=False)
    applicant_phone = forms.CharField(label="電話番号", max_length=20, required=False)
    organisation = forms.CharField(label="団体名", max_length=80, required=False)
    category = forms.ChoiceField(label="利用者区分", choices=UserCategory.choices)
    note = forms.CharField(
        label="職員メモ", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("resident_email") or "").strip().lower()
        cleaned["resident"] = None
        if email:
            resident = Resident.objects.filter(email=email).first()
            if resident is None:
                self.add_error(
                    "resident_email", "このメールアドレスの利用者は登録されていません。"
                )
            else:
                cleaned["resident"] = resident
        elif not cleaned.get("applicant_name"):
            self.add_error(
                "applicant_name",
                "登録利用者でない場合は、申請者氏名を入力してください。",
            )
        return cleaned


class BlockForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label="室場・面",
        queryset=BookingUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label="開始", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="終了", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(
        label="理由", max_length=100, help_text="例: 床の補修工事、町民体育大会"
    )

    def __init__(self, *args, facility: Facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = facility.units.all()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "終了は開始より後にしてください。")
        return cleaned


class ChangeBookingForm(forms.Form):
    unit = forms.ModelChoiceField(label="室場・面", queryset=BookingUnit.objects.none())
    starts_at = forms.DateTimeField(
        label="開始", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="終了", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purpose = forms.ModelChoiceField(
        label="利用目的", queryset=UsagePurpose.objects.all(), required=False
    )
    headcount = forms.IntegerField(label="利用人数", min_value=1, required=False)
    activity = forms.CharField(label="活動内容", max_length=200, required=False)
    note = forms.CharField(
        label="職員メモ", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, facility: Facility, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = facility.units.all()


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消理由", max_length=200, required=False)


class CalendarImportForm(forms.Form):
    facility = forms.ModelChoiceField(label="施設", queryset=Facility.objects.all())
    file = forms.FileField(
        label="CSVファイル",
        help_text="列: 日付, 区分（開館／休館）, 開館時刻, 閉館時刻, 備考。UTF-8 または Shift_JIS。",
    )
    dry_run = forms.BooleanField(
        label="確認のみ（保存しない）", required=False, initial=True
    )

"""Forms of the public mail pages and the admin screens."""

from django import forms
from django.utils import timezone

from .models import AgeBand, Gender, Interest, Segment
from .segments import PREFECTURES


def _interest_choices():
    return [(name, name) for name in Interest.objects.values_list("name", flat=True)]


class ProfileFields(forms.Form):
    name = forms.CharField(label="お名前", max_length=100, required=False)
    prefecture = forms.ChoiceField(
        label="お住まいの都道府県",
        choices=[("", "選択してください"), *PREFECTURES],
        required=False,
    )
    municipality = forms.CharField(label="市区町村", max_length=50, required=False)
    birth_year = forms.IntegerField(
        label="生まれ年（西暦）", min_value=1900, required=False
    )
    age_band = forms.ChoiceField(label="年代", choices=AgeBand.choices, required=False)
    gender = forms.ChoiceField(label="性別", choices=Gender.choices, required=False)
    interests = forms.MultipleChoiceField(
        label="関心のあること",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = _interest_choices()

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year and year > timezone.localdate().year:
            raise forms.ValidationError("生まれ年は西暦4桁で入れてください。")
        return year


class SignupForm(ProfileFields):
    email = forms.EmailField(label="メールアドレス", max_length=254)
    consent = forms.BooleanField(
        label="移住に関するお知らせをメールで受け取ることに同意します",
        required=True,
        error_messages={"required": "受け取りへの同意が必要です。"},
    )
    field_order = ["email", "name", "prefecture", "municipality", "birth_year"]


class PreferencesForm(ProfileFields):
    def __init__(self, *args, subscriber, **kwargs):
        initial = {
            "name": subscriber.name,
            "prefecture": subscriber.prefecture,
            "municipality": subscriber.municipality,
            "birth_year": subscriber.birth_year,
            "age_band": subscriber.age_band,
            "gender": subscriber.gender,
            "interests": list(subscriber.interests.values_list("name", flat=True)),
        }
        super().__init__(*args, initial=initial, **kwargs)


class SegmentForm(forms.ModelForm):
    """The rule tree is edited by the admin's rule builder (a hidden JSON field)."""

    class Meta:
        model = Segment
        fields = ["name", "description", "rules"]
        widgets = {"rules": forms.HiddenInput}

    def clean_rules(self):
        from .segments import subscriber_fields, validate

        rules = self.cleaned_data.get("rules") or {"op": "and", "rules": []}
        problems = validate(rules, subscriber_fields())
        if problems:
            raise forms.ValidationError(problems)
        return rules


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="CSVファイル（UTF-8 または Shift_JIS）")
    consent_note = forms.CharField(
        label="同意の記録",
        max_length=500,
        help_text="この名簿の同意をいつ・どのように得たか（例: 2025年移住フェア申込書の同意欄）。",
    )


class CampaignActionForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label="送信予定日時",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="空欄ならすぐに送信します。",
    )


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label="テスト送信先",
        help_text="1行に1アドレス（5件まで）。",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_addresses(self):
        from django.core.validators import validate_email

        addresses = [
            a.strip() for a in self.cleaned_data["addresses"].split() if a.strip()
        ]
        if not addresses or len(addresses) > 5:
            raise forms.ValidationError("1〜5件のアドレスを入れてください。")
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"「{address}」はメールアドレスの形式ではありません。"
                ) from None
        return addresses

"""The attribute form friends open from LINE (属性登録): a signed link names the
channel and the LINE user, so no LINE login is needed and nobody can edit someone
else's attributes. The form has the built-in attributes and every custom
attribute defined in the mail tool (cms.mailing.AttributeDefinition). Named
forms (``AttributeForm``: a survey, a staff-only form) show only their chosen
definitions (and the built-in ones if asked); the link then names the form too."""

from django import forms
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cms.core.models import Municipality
from cms.mailing.models import (
    AgeBand,
    AttributeDefinition,
    AttributeKind,
    Gender,
    Interest,
)
from cms.mailing.segments import PREFECTURES

SALT = "line-attributes"
MAX_CHILDREN = 5


class LinkError(ValueError):
    """A link that cannot be used; the message says what to do (Japanese)."""


def make_token(channel, user_id: str, form_id: int | None = None) -> str:
    data = {"c": channel.pk, "u": user_id}
    if form_id:
        data["f"] = form_id
    return signing.dumps(data, salt=SALT, compress=True)


def read_form_id(token: str) -> int | None:
    """The named form a (valid) link opens; None for the standard form."""
    data = signing.loads(token, salt=SALT)
    return int(data["f"]) if data.get("f") else None


def read_token(token: str, max_age: int | None = None) -> tuple[int, str]:
    max_age = (
        max_age if max_age is not None else settings.LINE["ATTRIBUTE_LINK_MAX_AGE"]
    )
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkError(
            "このリンクは有効期限が切れています。LINEで「属性」と送ると新しいリンクが届きます。"
        ) from None
    except signing.BadSignature:
        raise LinkError(
            "このリンクは正しくありません。LINEのメッセージから開き直してください。"
        ) from None
    return int(data["c"]), str(data["u"])


def signed_form_url(channel, user_id: str, form_id: int | None = None) -> str:
    return settings.LINE["PUBLIC_URL"] + reverse(
        "line:attributes", args=[make_token(channel, user_id, form_id)]
    )


PROFILE_FIELDS = ("age_band", "gender", "birth_date", "residence")
PROFILE_FIELDS += ("residence_outside", "interests")


def form_may_open(attribute_form, friend) -> bool:
    """A named form is open, and (with a segment) the friend is in it."""
    from .segments import friends_matching

    if not attribute_form.is_active:
        return False
    if attribute_form.segment_id is None:
        return True
    return (
        friends_matching(friend.channel, attribute_form.segment.rules)
        .filter(pk=friend.pk)
        .exists()
    )


class FriendAttributeForm(forms.Form):
    """Built-in attributes plus one field per custom attribute definition."""

    age_band = forms.ChoiceField(label="年代", choices=AgeBand.choices, required=False)
    gender = forms.ChoiceField(label="性別", choices=Gender.choices, required=False)
    birth_date = forms.DateField(
        label="生年月日", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    residence = forms.ModelChoiceField(
        label="お住まいの市町村",
        queryset=Municipality.objects.order_by("code"),
        required=False,
        empty_label="県外・未回答",
    )
    residence_outside = forms.ChoiceField(
        label="県外の方は都道府県",
        choices=[("", "―"), *list(PREFECTURES)],
        required=False,
    )
    interests = forms.ModelMultipleChoiceField(
        label="関心のある分野",
        queryset=Interest.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, friend=None, attribute_form=None, **kwargs):
        self.attribute_form = attribute_form
        initial = kwargs.setdefault("initial", {})
        if friend is not None:
            initial.update(
                age_band=friend.age_band,
                gender=friend.gender,
                birth_date=friend.birth_date,
                residence=friend.residence_id,
                residence_outside=friend.residence_outside,
                interests=list(friend.interests.all()) if friend.pk else [],
            )
            for i, value in enumerate(
                (friend.children_birth_dates or [])[:MAX_CHILDREN]
            ):
                initial[f"child_{i + 1}"] = value
            for key, value in (friend.attributes or {}).items():
                initial[f"attr_{key}"] = value
        super().__init__(*args, **kwargs)
        profile = attribute_form is None or attribute_form.include_profile
        definitions = (
            AttributeDefinition.objects.all()
            if attribute_form is None
            else attribute_form.definitions.all()
        )
        if not profile:
            for name in PROFILE_FIELDS:
                del self.fields[name]
        for i in range(1, MAX_CHILDREN + 1 if profile else 1):
            self.fields[f"child_{i}"] = forms.DateField(
                label=f"お子さま{i}人目の生年月日",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        for definition in definitions:
            name = f"attr_{definition.key}"
            if definition.kind == AttributeKind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=definition.label,
                    required=False,
                    choices=[("", "―")] + [(c, c) for c in definition.choice_list()],
                )
            elif definition.kind == AttributeKind.DATE:
                self.fields[name] = forms.DateField(
                    label=definition.label,
                    required=False,
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif definition.kind == AttributeKind.NUMBER:
                self.fields[name] = forms.DecimalField(
                    label=definition.label, required=False
                )
            else:
                self.fields[name] = forms.CharField(
                    label=definition.label, required=False, max_length=200
                )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ["birth_date"] + [f"child_{i}" for i in range(1, MAX_CHILDREN + 1)]:
            if name not in self.fields:
                continue
            value = data.get(name)
            if value and value > today:
                self.add_error(name, "未来の日付は入れられません。")
        return data

    def apply(self, friend) -> None:
        data = self.cleaned_data
        profile = "age_band" in self.fields
        if profile:
            friend.age_band = data["age_band"]
            friend.gender = data["gender"]
            friend.birth_date = data["birth_date"]
            friend.residence = data["residence"]
            friend.residence_outside = (
                "" if data["residence"] else data["residence_outside"]
            )
            friend.children_birth_dates = sorted(
                data[f"child_{i}"].isoformat()
                for i in range(1, MAX_CHILDREN + 1)
                if data.get(f"child_{i}")
            )
        attributes = dict(friend.attributes or {})
        for name, value in data.items():
            if name.startswith("attr_"):
                key = name.removeprefix("attr_")
                if value in (None, ""):
                    attributes.pop(key, None)
                else:
                    if hasattr(value, "as_tuple"):  # Decimal
                        value = float(value)
                    elif hasattr(value, "isoformat"):  # date: "YYYY-MM-DD"
                        value = value.isoformat()
                    attributes[key] = value
        friend.attributes = attributes
        friend.attributes_updated_at = timezone.now()
        friend.save()
        if profile:
            friend.interests.set(data["interests"])


def attribute_count() -> int:
    """How many attributes a friend can register (spec: at least 25)."""
    built_in = 6 + MAX_CHILDREN  # age, gender, birth date, residence ×2, interests
    return built_in + AttributeDefinition.objects.count()

"""Model and form fields for Japanese listings: amounts in yen, areas in m², and the
year-month of construction typed in 和暦 or 西暦.

Validation messages name the field so the editor knows what to fix."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property

from .japanese import JapaneseFormatError, format_wareki_year, parse_year_month


def _label(verbose_name: str) -> str:
    """「売買価格（円）」 → 「売買価格」: the unit is said again in the message."""
    return str(verbose_name).split("（")[0]


class _NamedBoundsMixin:
    """Adds range validators whose messages name the field. They are derived from
    the field, not passed in, so rewording a message needs no migration."""

    minimum = 0
    maximum = None
    unit_hint = ""

    @cached_property
    def validators(self):
        label = _label(self.verbose_name)
        if self.maximum is None:
            message = (
                f"{label}は{self.minimum}以上の{self.unit_hint}で入力してください。"
            )
        else:
            message = f"{label}は{self.minimum}〜{self.maximum}{self.unit_hint}で入力してください。"
        bounds = [MinValueValidator(self.minimum, message)]
        if self.maximum is not None:
            bounds.append(MaxValueValidator(self.maximum, message))
        return [*super().validators, *bounds]

    def formfield(self, **kwargs):
        # Leave the bounds to the model validators and their clearer messages.
        return super().formfield(**{"min_value": None, "max_value": None, **kwargs})


class YenField(_NamedBoundsMixin, models.PositiveIntegerField):
    """An amount in yen, optional, never negative."""

    unit_hint = "金額（円）"

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)


class AreaField(_NamedBoundsMixin, models.DecimalField):
    """An area in square metres (two decimals), optional, never negative."""

    minimum = Decimal("0")
    unit_hint = "数値（㎡）"

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("max_digits", 10)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)


class PercentField(_NamedBoundsMixin, models.PositiveSmallIntegerField):
    """A ratio in percent, such as 建ぺい率 (≤ 100) or 容積率 (≤ 1300)."""

    unit_hint = "％"

    def __init__(self, verbose_name=None, maximum=100, **kwargs):
        self.maximum = maximum
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["maximum"] = self.maximum
        return name, path, args, kwargs


def image_field(verbose_name: str = "メイン画像", **kwargs) -> models.ForeignKey:
    """An optional image chosen from the library (its alt text comes with it)."""
    return models.ForeignKey(
        "core.PortalImage",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **kwargs,
    )


def year_month_label(value: str) -> str:
    """「1980年4月（昭和55年4月）」 for a stored 'YYYY-MM' or 'YYYY'."""
    if not value:
        return ""
    year, _, month = value.partition("-")
    year_i, month_i = int(year), int(month) if month else None
    western = f"{year_i}年" + (f"{month_i}月" if month_i else "")
    return f"{western}（{format_wareki_year(year_i, month_i)}）"


class YearMonthFormField(forms.CharField):
    """Accepts 「昭和55年4月」「S55.4」「1980年4月」「1980-04」… and cleans to 'YYYY-MM'."""

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(max_length=20, **kwargs)
        self.widget.attrs.setdefault("placeholder", "例: 昭和55年4月 / 1980年4月")

    def prepare_value(self, value):
        if value and len(value) in (4, 7) and value[:4].isdigit():
            year, _, month = value.partition("-")
            return format_wareki_year(int(year), int(month) if month else None)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return ""
        try:
            parsed = parse_year_month(value)
        except JapaneseFormatError as error:
            raise ValidationError(str(error)) from error
        return (
            f"{parsed.year:04d}-{parsed.month:02d}"
            if parsed.month
            else f"{parsed.year:04d}"
        )


class YearMonthField(models.CharField):
    """Stored as 'YYYY-MM' (or 'YYYY' when the month is unknown), so it sorts and
    compares as a date would; entered and shown in 和暦 or 西暦."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = 7
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": YearMonthFormField, **kwargs})


class ChoiceListField(models.JSONField):
    """A list of choice keys (特記事項, 設備 …), edited as checkboxes and stored as a
    JSON list so it works the same on SQLite and PostgreSQL."""

    def __init__(self, verbose_name=None, options=(), **kwargs):
        self.options = list(options)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["options"] = self.options
        return name, path, args, kwargs

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        known = {key for key, _ in self.options}
        if not isinstance(value, list) or not set(value) <= known:
            raise ValidationError(f"{self.verbose_name}は一覧から選んでください。")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.options,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name,
            help_text=self.help_text,
        )

    def labels(self, value) -> list[str]:
        names = dict(self.options)
        return [names.get(key, key) for key in value or []]

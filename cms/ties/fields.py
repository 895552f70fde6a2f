"""Fields for lists of words (スキル, 関心): typed as 「農業、デザイン」 in forms and
kept as a JSON list, so matching and exports read plain lists on SQLite and
PostgreSQL alike."""

from django import forms
from django.db import models

from . import rules


class TagsField(forms.CharField):
    """Comma- or 「、」-separated words → a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault(
            "help_text", "「、」かカンマで区切って入力（例: 農業、デザイン）"
        )
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def clean(self, value):
        return rules.parse_tags(super().clean(value))


class TagListField(models.JSONField):
    """A JSON list of words, edited with ``TagsField`` (in the Wagtail page editor
    too, without a form class of its own)."""

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)

    def formfield(self, **kwargs):
        return TagsField(label=self.verbose_name, help_text=self.help_text or None)

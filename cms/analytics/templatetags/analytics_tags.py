"""Small formatting filters of the analytics dashboard and report."""

from django import template

register = template.Library()


@register.filter
def split(value: str):
    return value.split()


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.filter
def percent(value):
    return "—" if value is None else f"{value:.1%}"


@register.filter
def signed_percent(value):
    return "—" if value is None else f"{value:+.1%}"


@register.filter
def duration(seconds):
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}分{rest:02d}秒"

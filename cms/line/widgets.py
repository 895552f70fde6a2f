"""Form widgets for the staff's friend form: the children's birth dates and the
custom attributes are stored as JSON (``LineFriend.children_birth_dates``,
``attributes``) but edited as ordinary labelled inputs, one per child and one per
attribute definition (date, number, choice or text), like the friend's own form.
A raw JSON value posted under the field's own name still works (scripts)."""

import json

from django import forms
from django.utils.html import format_html, format_html_join

from .attributes import MAX_CHILDREN


def _loads(value, default):
    if isinstance(value, str):
        try:
            return json.loads(value or "null") or default
        except ValueError:
            return default
    return value or default


class ChildrenDatesWidget(forms.Widget):
    def render(self, name, value, attrs=None, renderer=None):
        dates = list(_loads(value, []))[:MAX_CHILDREN]
        dates += [""] * (MAX_CHILDREN - len(dates))
        return format_html(
            '<div class="line-children">{}</div>',
            format_html_join(
                "",
                '<p><label for="id_{0}_{1}">{1}人目</label> '
                '<input type="date" name="{0}_{1}" id="id_{0}_{1}" value="{2}"></p>',
                ((name, i, date) for i, date in enumerate(dates, 1)),
            ),
        )

    def value_from_datadict(self, data, files, name):
        if name in data:
            return data[name]
        dates = sorted(
            data.get(f"{name}_{i}", "").strip()
            for i in range(1, MAX_CHILDREN + 1)
            if data.get(f"{name}_{i}", "").strip()
        )
        return json.dumps(dates)

    def value_omitted_from_data(self, data, files, name):
        return False


class CustomAttributesWidget(forms.Widget):
    """One input per ``mailing.AttributeDefinition``; values of keys without a
    definition are kept (a hidden copy of the stored JSON)."""

    def render(self, name, value, attrs=None, renderer=None):
        from cms.mailing.models import AttributeDefinition, AttributeKind

        values = dict(_loads(value, {}))
        rows = []
        for d in AttributeDefinition.objects.all():
            field_id = f"id_{name}__{d.key}"
            current = values.get(d.key, "")
            if d.kind == AttributeKind.CHOICE:
                options = format_html_join(
                    "",
                    '<option value="{0}"{1}>{0}</option>',
                    (
                        (c, " selected" if c == current else "")
                        for c in ["", *d.choice_list()]
                    ),
                )
                control = format_html(
                    '<select name="{}__{}" id="{}">{}</select>',
                    name,
                    d.key,
                    field_id,
                    options,
                )
            else:
                kind = {"date": "date", "number": "number"}.get(d.kind, "text")
                control = format_html(
                    '<input type="{}" step="any" name="{}__{}" id="{}" value="{}">',
                    kind,
                    name,
                    d.key,
                    field_id,
                    current,
                )
            rows.append(
                format_html(
                    '<p><label for="{}">{}</label> {}</p>', field_id, d.label, control
                )
            )
        hidden = format_html(
            '<input type="hidden" name="{}__stored" value="{}">',
            name,
            json.dumps(values, ensure_ascii=False),
        )
        if not rows:
            rows.append(
                format_html(
                    "<p>{}</p>", "独自属性はまだありません（メール配信 → 独自属性）。"
                )
            )
        return format_html(
            '<div class="line-attributes">{}{}</div>',
            format_html_join("", "{}", ((r,) for r in rows)),
            hidden,
        )

    def value_from_datadict(self, data, files, name):
        from cms.mailing.models import AttributeDefinition, AttributeKind

        if name in data:
            return data[name]
        values = dict(_loads(data.get(f"{name}__stored", ""), {}))
        for d in AttributeDefinition.objects.all():
            key = f"{name}__{d.key}"
            if key not in data:
                continue
            raw = data[key].strip()
            if not raw:
                values.pop(d.key, None)
            elif d.kind == AttributeKind.NUMBER:
                try:
                    values[d.key] = float(raw) if "." in raw else int(raw)
                except ValueError:
                    values[d.key] = raw  # the JSON field keeps it; staff see it
            else:
                values[d.key] = raw
        return json.dumps(values, ensure_ascii=False)

    def value_omitted_from_data(self, data, files, name):
        return False

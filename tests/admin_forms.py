"""Driving the Wagtail admin page editor over HTTP as an editor would: load the
form, change fields, submit it."""

from wagtail.test.utils.form_data import querydict_from_html


def page_form(client, url: str, stream_fields=("body",), **changes):
    """The editor form at ``url`` as the browser would submit it, with ``changes``.

    StreamFields are drawn by JavaScript, so the HTML holds no inputs for them; an
    empty stream (``body-count=0``) is what the browser sends for an untouched one."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    for name in stream_fields:
        if f'data-contentpath="{name}"' in html and f"{name}-count" not in data:
            data[f"{name}-count"] = "0"
    for name, value in changes.items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = "" if value is None else str(value)
    return data


def add_url(page_class, parent) -> str:
    meta = page_class._meta
    return f"/admin/pages/add/{meta.app_label}/{meta.model_name}/{parent.pk}/"


def edit_url(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


AKIYA_FORM = {
    "title": "水戸市内原の二階建て",
    "slug": "uchihara-house",
    "registration_number": "水戸-2026-101",
    "registered_on": "2026-04-01",
    "status": "open",
    "transaction_type": "sale",
    "property_type": "house",
    "summary": "内原駅から車で5分。日当たりのよい二階建てです。",
    "price_yen": "4800000",
    "address": "茨城県水戸市内原町",
    "land_area_sqm": "280.50",
    "land_area_method": "registered",
    "building_area_sqm": "105.3",
    "building_area_method": "surveyed",
    "layout": "5DK",
    "built_year_month": "昭和55年4月",
    "structure": "wood",
    "transaction_method": "owner",
}


def field_errors(response, field: str) -> list[str]:
    """The error messages the admin shows under ``field``."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.content, "html.parser")
    wrapper = soup.find(attrs={"data-contentpath": field})
    if wrapper is None:
        return []
    return [p.get_text(" ", strip=True) for p in wrapper.select(".error-message")]


def denied(response) -> bool:
    """Wagtail answers a forbidden admin action with 403 or a redirect to the
    dashboard (with a 「権限がありません」 message)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )

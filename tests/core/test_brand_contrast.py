"""The brand colours of 設定 → ポータル設定 keep 4.5:1 contrast against white
(the theme writes links, prices and button labels in them): the WCAG ratio as a
pure function, the settings model's rule, and the admin form over HTTP."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Site
from wagtail.test.utils.form_data import querydict_from_html

from cms.core.models import PortalSettings, contrast_ratio
from tests.admin_forms import denied, field_errors

# --- The ratio (pure) --------------------------------------------------------------


def test_black_on_white_is_21_and_a_colour_on_itself_is_1():
    assert contrast_ratio("#000000") == pytest.approx(21)
    assert contrast_ratio("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#1a5fb4", "#1a5fb4") == pytest.approx(1)


def test_ratio_is_the_same_whichever_colour_comes_first():
    assert contrast_ratio("#c64600", "#ffffff") == contrast_ratio("#ffffff", "#c64600")


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        # Reference values (WebAIM contrast checker, against white).
        ("#767676", 4.54),  # the lightest grey that passes AA
        ("#777777", 4.48),  # one step lighter: fails
        ("#1a5fb4", 6.29),  # the default main colour
        ("#c64600", 4.91),  # the default accent colour
        ("#FF0000", 4.00),  # upper-case hex is read too
    ],
)
def test_ratio_matches_reference_values(colour, expected):
    assert contrast_ratio(colour) == pytest.approx(expected, abs=0.01)


# --- The settings model ---------------------------------------------------------------


def test_settings_accept_colours_of_at_least_4_5_to_1():
    PortalSettings(primary_colour="#767676", accent_colour="#c64600").clean()


def test_settings_reject_a_light_colour_naming_the_field_and_the_ratio():
    settings = PortalSettings(primary_colour="#1a5fb4", accent_colour="#ffcc00")
    with pytest.raises(ValidationError) as caught:
        settings.clean()
    errors = caught.value.message_dict
    assert set(errors) == {"accent_colour"}
    (message,) = errors["accent_colour"]
    assert "アクセントカラー（#ffcc00）" in message
    assert "1.51:1" in message and "4.5:1 以上" in message


def test_ratio_just_below_the_limit_is_not_shown_rounded_up_to_it():
    with pytest.raises(ValidationError) as caught:
        PortalSettings(primary_colour="#777777", accent_colour="#c64600").clean()
    (message,) = caught.value.message_dict["primary_colour"]
    assert "メインカラー（#777777）" in message and "4.47:1" in message


def test_a_malformed_colour_is_left_to_the_format_check():
    # clean() must not crash on what the field's validator already reports.
    PortalSettings(primary_colour="blue", accent_colour="#c64600").clean()


# --- The admin form over HTTP ---------------------------------------------------------

SETTINGS_URL = "/admin/settings/core/portalsettings/"


def settings_form(client) -> tuple[str, dict]:
    response = client.get(SETTINGS_URL, follow=True)
    assert response.status_code == 200
    url = response.redirect_chain[-1][0] if response.redirect_chain else SETTINGS_URL
    return url, querydict_from_html(response.content.decode(), form_id="w-editor-form")


@pytest.mark.django_db
def test_staff_save_a_dark_enough_brand_colour_in_the_admin(portal, login):
    client = login("pref-admin")
    url, data = settings_form(client)
    data["primary_colour"] = "#0b4f6c"  # 8.9:1
    data["accent_colour"] = "#b33c00"
    response = client.post(url, data)
    assert response.status_code == 302, field_errors(response, "primary_colour")
    saved = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    assert (saved.primary_colour, saved.accent_colour) == ("#0b4f6c", "#b33c00")


@pytest.mark.django_db
def test_admin_refuses_a_brand_colour_below_4_5_to_1_and_keeps_the_old_one(
    portal, login
):
    client = login("pref-admin")
    site = Site.objects.get(is_default_site=True)
    before = PortalSettings.for_site(site).primary_colour
    url, data = settings_form(client)
    data["primary_colour"] = "#7fb2e5"  # a pale blue: 2.2:1
    response = client.post(url, data)
    assert response.status_code == 200
    (message,) = field_errors(response, "primary_colour")
    assert "メインカラー（#7fb2e5）" in message and "コントラスト比が 2." in message
    assert PortalSettings.for_site(site).primary_colour == before


@pytest.mark.django_db
def test_municipality_editors_cannot_reach_the_colour_settings(portal, login):
    client = login("mito-editor")
    assert denied(client.get(SETTINGS_URL))
    url = f"{SETTINGS_URL}{Site.objects.get(is_default_site=True).pk}/"
    assert denied(client.post(url, {"primary_colour": "#000000"}))

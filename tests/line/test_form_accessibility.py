"""The attribute form friends open from LINE, as served (Django test client),
checked by axe-core in Chromium on a phone-sized page: no serious or critical
findings, the interests are a group with a legend, errors are shown by field."""

import pytest

from cms.line.attributes import make_token
from cms.mailing.models import AttributeDefinition, AttributeKind, Interest
from tests.real_parts import axe_violations

from .conftest import make_friend, user_id

pytestmark = pytest.mark.django_db


def test_attribute_form_passes_axe_on_a_phone(client, channel, phone_page, axe_source):
    Interest.objects.get_or_create(name="子育て")
    Interest.objects.get_or_create(name="就農")
    AttributeDefinition.objects.create(
        key="move_in", label="転入日", kind=AttributeKind.DATE
    )
    AttributeDefinition.objects.create(
        key="job", label="職業", kind=AttributeKind.CHOICE, choices="会社員\n自営業"
    )
    make_friend(channel, 1)
    url = f"/line/attributes/{make_token(channel, user_id(1))}/"
    html = client.post(url, {"birth_date": "2999-01-01"}).content.decode()
    assert "未来の日付は入れられません。" in html
    phone_page.set_content(html)
    assert phone_page.get_by_role("group", name="関心のある分野").count() == 1
    assert phone_page.get_by_label("子育て").count() == 1
    assert axe_violations(phone_page, axe_source) == []

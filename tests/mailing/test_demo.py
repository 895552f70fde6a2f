"""The demo loader: subscribers, segments and a sendable draft, loaded twice."""

from collections import Counter

from cms.mailing import sending
from cms.mailing.demo import DEMO_COUNT, load_mailing_demo
from cms.mailing.models import Campaign, Segment, Subscriber


def test_demo_loads_once_and_its_campaign_can_be_sent(db):
    created = Counter()
    assert load_mailing_demo(created) == DEMO_COUNT
    assert load_mailing_demo(created) == 0
    assert created["メール配信の登録者"] == DEMO_COUNT
    assert Subscriber.objects.count() == DEMO_COUNT
    for segment in Segment.objects.all():
        assert 0 < segment.subscribers().filter(status="active").count() < DEMO_COUNT
    campaign = Campaign.objects.get()
    assert sending.check_sendable(campaign) == []

"""What the backup round trip writes into a fresh portal before the backup and
checks in the restored one: an account, a page, a booking and a media file. Run
inside ``portal shell`` of the instance concerned (tests/ops/test_backup.py)."""

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.reservations.conftest import at, make_gym, make_resident

MARKER_TITLE = "バックアップ確認用の記事"


def seed() -> None:
    from wagtail.models import Collection, Page

    from cms.pages.models import StandardPage
    from cms.reservations.services import BookingDraft, place_booking
    from tests import factories

    get_user_model().objects.create_user(
        "restore-check", "restore@example.jp", "restore-pass-2026", first_name="復元"
    )
    root = Page.get_first_root_node()
    page = StandardPage(title=MARKER_TITLE, slug="backup-check")
    root.add_child(instance=page)
    page.save_revision().publish()
    factories.make_image(Collection.get_first_root_node(), "復元確認の写真")
    gym = make_gym("backup-gym")
    resident = make_resident("restore@example.jp")
    day = timezone.localdate() + dt.timedelta(days=7)
    place_booking(
        BookingDraft.for_resident(
            resident,
            gym.whole,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            purpose=gym.volleyball,
            headcount=10,
            rules_accepted=True,
        )
    )


def report() -> None:
    """Print what survived, as JSON, for the test to compare."""
    from wagtail.models import Page

    from cms.core.models import PortalImage
    from cms.reservations.models import Booking

    user = get_user_model().objects.get(username="restore-check")
    image = PortalImage.objects.get(title="復元確認の写真")
    booking = Booking.objects.get(unit__facility__slug="backup-gym")
    print(
        json.dumps(
            {
                "password_ok": user.check_password("restore-pass-2026"),
                "page_live": Page.objects.get(title=MARKER_TITLE).live,
                "booking": [booking.number, booking.resident.email, booking.fee_yen],
                "image_bytes": len(image.file.read()),
            },
            ensure_ascii=False,
        )
    )

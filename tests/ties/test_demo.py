"""`portal load_demo`'s 関係人口 part: host organisations and open programs in
at least five regions for about ten people each, members, applications, an
exchange meeting and a subsidy example; loading twice adds nothing."""

from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth import authenticate

from cms.core.municipality_import import (
    apply_municipality_rows,
    parse_municipality_table,
)
from cms.ties.demo import HOSTS, load_ties_demo
from cms.ties.models import (
    Application,
    ExchangeMeeting,
    HostOrganisation,
    ProgramStatus,
    SubsidyApplication,
    TiesMember,
    public_programs,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def counts():
    return {
        "hosts": HostOrganisation.objects.count(),
        "programs": public_programs().count(),
        "members": TiesMember.objects.count(),
        "applications": Application.objects.count(),
        "meetings": ExchangeMeeting.objects.count(),
        "subsidies": SubsidyApplication.objects.count(),
    }


def add_demo_towns():
    """The demo's towns the test portal (水戸・つくば・大子) lacks, from the real
    municipality table."""
    table = ROOT / "cms" / "core" / "demo" / "data" / "ibaraki_municipalities.tsv"
    lines = table.read_text(encoding="utf-8").splitlines()
    wanted = {slug for slug, *_ in HOSTS}
    rows = [lines[0]] + [line for line in lines[1:] if line.split("\t")[4] in wanted]
    report = apply_municipality_rows(parse_municipality_table("\n".join(rows) + "\n"))
    assert report.ok, report.errors


def test_demo_has_programs_in_five_regions_and_loads_once(portal, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    add_demo_towns()
    created = Counter()
    load_ties_demo(created)
    first = counts()
    programs = public_programs().filter(status=ProgramStatus.OPEN)
    assert programs.values("municipality").distinct().count() >= 5
    assert all(p.capacity >= 10 for p in programs)
    assert all(p.url_path.startswith("/home/towns/") for p in programs)
    assert first["members"] >= 10 and first["applications"] >= 3
    assert first["meetings"] == 1 and first["subsidies"] == 1
    assert SubsidyApplication.objects.get().receipts.count() == 1
    assert created["受入プログラム"] == first["programs"]
    # Every host can log in with the demo password and runs its own program.
    host = HostOrganisation.objects.get(name="笠間焼の里づくり協議会")
    user = authenticate(username="host-kasama", password=settings.PORTAL_DEMO_PASSWORD)
    assert user is not None and host.users.filter(pk=user.pk).exists()
    assert host.programs.get().live

    again = Counter()
    load_ties_demo(again)
    assert sum(again.values()) == 0
    assert counts() == first

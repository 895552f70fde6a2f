"""Handover exports (seed 003: the operation can move to another party): every
table of the app as CSV (UTF-8 with BOM, for Excel) or JSON, with readable
values (labels, names) next to the raw ones."""

import csv
import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import (
    Application,
    ApplicationMessage,
    ExchangeMeeting,
    HostOrganisation,
    MeetingRegistration,
    ProgramPage,
    SnsFollowerCount,
    SubsidyApplication,
    TiesMember,
)


def _members():
    for m in TiesMember.objects.select_related("user").prefetch_related("regions"):
        yield {
            "id": m.pk,
            "email": m.user.email,
            "name": m.name,
            "prefecture": m.prefecture,
            "skills": "、".join(m.skills),
            "interests": "、".join(m.interests),
            "regions": "、".join(r.name for r in m.regions.all()),
            "involvements": "、".join(m.involvement_labels()),
            "availability": m.get_availability_display(),
            "availability_note": m.availability_note,
            "status": m.status,
            "newsletter": m.newsletter,
            "consent_at": m.consent_at,
            "email_confirmed_at": m.email_confirmed_at,
            "created_at": m.created_at,
        }


def _hosts():
    for h in HostOrganisation.objects.select_related("municipality"):
        yield {
            "id": h.pk,
            "name": h.name,
            "municipality": h.municipality.name,
            "contact_email": h.contact_email,
            "description": h.description,
            "users": "、".join(u.email or u.username for u in h.users.all()),
        }


def _programs():
    for p in ProgramPage.objects.select_related("host", "municipality").order_by(
        "path"
    ):
        yield {
            "id": p.pk,
            "title": p.title,
            "url_path": p.url_path,
            "live": p.live,
            "summary": p.summary,
            "host": p.host.name,
            "municipality": p.municipality.name if p.municipality else "",
            "purpose": p.purpose,
            "local_issue": p.local_issue,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "capacity": p.capacity,
            "skills_wanted": "、".join(p.skills_wanted),
            "interests": "、".join(p.interests),
            "involvements": "、".join(p.involvements),
            "costs_covered": p.costs_covered,
            "deadline": p.deadline,
            "status": p.status,
        }


def _applications():
    for a in Application.objects.select_related("program", "member"):
        yield {
            "id": a.pk,
            "program_id": a.program_id,
            "program": a.program.title,
            "member_id": a.member_id,
            "member": a.member.name,
            "status": a.status,
            "status_label": a.get_status_display(),
            "is_repeat": a.is_repeat,
            "message": a.message,
            "report": a.report,
            "created_at": a.created_at,
            "decided_at": a.decided_at,
            "participated_at": a.participated_at,
            "reported_at": a.reported_at,
        }


def _messages():
    for m in ApplicationMessage.objects.all():
        yield {
            "id": m.pk,
            "application_id": m.application_id,
            "from_host": m.from_host,
            "body": m.body,
            "created_at": m.created_at,
        }


def _meetings():
    for m in ExchangeMeeting.objects.select_related("municipality"):
        yield {
            "id": m.pk,
            "title": m.title,
            "municipality": m.municipality.name if m.municipality else "",
            "starts_at": m.starts_at,
            "online": m.online,
            "place": m.place,
            "capacity": m.capacity,
            "registered": m.registrations.count(),
            "attended": m.registrations.filter(attended=True).count(),
        }


def _registrations():
    for r in MeetingRegistration.objects.all():
        yield {
            "id": r.pk,
            "meeting_id": r.meeting_id,
            "member_id": r.member_id,
            "attended": r.attended,
            "created_at": r.created_at,
        }


def _subsidies():
    for s in SubsidyApplication.objects.select_related("member").prefetch_related(
        "receipts"
    ):
        yield {
            "id": s.pk,
            "member_id": s.member_id,
            "member": s.member.name,
            "application_id": s.application_id,
            "trip_date": s.trip_date,
            "origin": s.origin,
            "cost_yen": s.cost_yen,
            "amount_yen": s.amount_yen,
            "status": s.status,
            "review_note": s.review_note,
            "receipts": " ".join(r.file.name for r in s.receipts.all()),
            "created_at": s.created_at,
        }


def _sns():
    for row in SnsFollowerCount.objects.all():
        yield {"month": row.month, "platform": row.platform, "followers": row.followers}


DATASETS = {
    "members": ("関係人口メンバー", _members),
    "hosts": ("受入団体", _hosts),
    "programs": ("受入プログラム", _programs),
    "applications": ("申込み", _applications),
    "messages": ("メッセージ", _messages),
    "meetings": ("交流会", _meetings),
    "registrations": ("交流会の申込み", _registrations),
    "subsidies": ("交通費補助の申請", _subsidies),
    "sns": ("SNSフォロワー数", _sns),
}


def rows(name: str) -> list[dict]:
    return list(DATASETS[name][1]())


def to_csv(name: str) -> str:
    data = rows(name)
    out = io.StringIO()
    out.write("\ufeff")
    if data:
        writer = csv.DictWriter(out, fieldnames=list(data[0]))
        writer.writeheader()
        for row in data:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()


def to_json(name: str | None = None) -> str:
    """One dataset, or every dataset (the whole handover) when ``name`` is None."""
    payload = rows(name) if name is not None else {key: rows(key) for key in DATASETS}
    return json.dumps(payload, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder)

"""Changing course: a member withdraws an application and the host hears of it;
a host cancels an acceptance, with a reason the member is mailed; the subsidy
review result (approved, returned, rejected) reaches the applicant by mail with
the reason and a signed, expiring link, where a returned application is sent
again. Mails go over real SMTP (aiosmtpd)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cms.ties import tokens
from cms.ties.models import (
    Application,
    ApplicationStatus,
    SubsidyApplication,
    SubsidyReceipt,
)
from tests.admin_forms import field_errors

from .conftest import client_for
from .test_applications import bodies

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def application_of(ties, status=S.APPLIED, member=None, program=None):
    return Application.objects.create(
        program=program or ties.farm,
        member=member or ties.hanako,
        message="参加したいです。",
        status=status,
    )


def test_a_member_withdraws_and_the_host_is_mailed(
    ties, smtp_server, django_capture_on_commit_callbacks
):
    application = application_of(ties, S.ACCEPTED)
    url = f"/ties/applications/{application.pk}/withdraw/"
    # Deny: another member, and the host (who is no member) cannot withdraw it.
    assert client_for(ties.jiro.user).post(url, {"reason": "x"}).status_code == 403
    assert client_for(ties.mito_host_user).post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == S.ACCEPTED

    member = client_for(ties.hanako.user)
    page = member.get(f"/ties/applications/{application.pk}/").content.decode()
    assert "申込みを取り下げる" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(url, {"reason": "仕事の都合で行けなくなりました。"})
    assert response["Location"] == f"/ties/applications/{application.pk}/"
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert application.messages.last().body == "仕事の都合で行けなくなりました。"
    mails = bodies(smtp_server)
    assert sorted(to for to, _, _ in mails) == [
        "farm@example.jp",
        "mito-farm@example.jp",
    ]
    assert all("申込みが取り下げられました" in s for _, s, _ in mails)
    assert all("仕事の都合で行けなくなりました。" in b for _, _, b in mails)

    # Withdrawn is final for the member: a second try is refused with a message.
    response = member.post(url, {"reason": ""}, follow=True)
    assert "「取り下げ」からは変更できません。" in response.content.decode()


def test_a_host_cancels_an_acceptance_with_a_reason_the_member_is_mailed(
    ties, smtp_server, django_capture_on_commit_callbacks
):
    application = application_of(ties, S.ACCEPTED)
    url = f"/ties/host/applications/{application.pk}/"
    host = client_for(ties.mito_host_user)
    response = host.post(url, {"action": "cancel", "reason": ""}, follow=True)
    assert "取り消しの理由: 理由を入力してください。" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    # Deny: another organisation's user, and a member posting the host's action.
    other = client_for(ties.tsukuba_host_user)
    assert other.post(url, {"action": "cancel", "reason": "x"}).status_code == 403
    member = client_for(ties.hanako.user)
    assert member.post(url, {"action": "cancel", "reason": "x"}).status_code == 403
    application.refresh_from_db()
    assert application.status == S.ACCEPTED

    with django_capture_on_commit_callbacks(execute=True):
        host.post(url, {"action": "cancel", "reason": "台風のため中止になりました。"})
    application.refresh_from_db()
    assert application.status == S.CANCELLED
    ((to, subject, body),) = bodies(smtp_server)
    assert to == "hanako@example.jp"
    assert subject == "【関係人口】受入が取り消されました: 農園の収穫と直売所づくり"
    assert "台風のため中止になりました。" in body
    assert f"/ties/applications/{application.pk}/" in body
    thread = member.get(f"/ties/applications/{application.pk}/").content.decode()
    assert "台風のため中止になりました。" in thread and "受入の取り消し" in thread


def test_a_host_declines_before_accepting_and_cancels_after(ties):
    accepted = application_of(ties, S.ACCEPTED)
    host = client_for(ties.mito_host_user)
    host.post(f"/ties/host/applications/{accepted.pk}/", {"action": "decline"})
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED
    # A member cannot use the host's actions on their own application either.
    member = client_for(ties.hanako.user)
    member.post(f"/ties/applications/{accepted.pk}/", {"action": "accept"})
    accepted.refresh_from_db()
    assert accepted.status == S.ACCEPTED


def receipt(name="receipt.png"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n-demo-", "image/png")


def test_subsidy_result_is_mailed_with_the_reason_and_a_signed_link(
    ties, smtp_server, django_capture_on_commit_callbacks
):
    subsidy = SubsidyApplication.objects.create(
        member=ties.hanako,
        application=application_of(ties, S.ACCEPTED),
        trip_date=timezone.localdate(),
        origin="東京都",
        cost_yen=8000,
        amount_yen=4000,
    )
    SubsidyReceipt.objects.create(subsidy=subsidy, file=receipt())
    officer = client_for(ties.officer)
    url = f"/admin/ties_subsidies/edit/{subsidy.pk}/"
    response = officer.post(
        url, {"status": "returned", "amount_yen": "4000", "review_note": ""}
    )
    assert response.status_code == 200
    assert field_errors(response, "review_note") == [
        "審査のメモ: 差し戻し・不交付の理由を入力してください（申請者へのメールに載ります）。"
    ]
    assert not bodies(smtp_server)

    note = "領収書の日付が読めません。撮り直してください。"
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            url, {"status": "returned", "amount_yen": "4000", "review_note": note}
        )
    assert response.status_code == 302
    ((to, subject, body),) = bodies(smtp_server)
    assert to == "hanako@example.jp"
    assert subject == "【関係人口】交通費補助の審査結果（差し戻し）"
    assert note in body and "再提出してください" in body
    link = next(line for line in body.splitlines() if "/ties/subsidy/result/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]

    # The link works without logging in, for this application only.
    visitor = Client()
    page = visitor.get(f"/{path}").content.decode()
    assert "差し戻し" in page and note in page and "再提出する" in page
    response = visitor.post(f"/{path}", {"receipts": receipt("retake.jpg")})
    assert response.status_code == 302
    subsidy.refresh_from_db()
    assert subsidy.status == "submitted" and subsidy.receipts.count() == 2
    # Sent again once: the form is gone and a second post is refused.
    assert "再提出する" not in visitor.get(f"/{path}").content.decode()
    visitor.post(f"/{path}", {"receipts": receipt("again.png")})
    assert subsidy.receipts.count() == 2

    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            url, {"status": "approved", "amount_yen": "4000", "review_note": ""}
        )
    ((to, subject, body),) = bodies(smtp_server)
    assert subject == "【関係人口】交通費補助の審査結果（交付決定）"
    assert "補助額: 4000円" in body
    # Saving the same result again mails nothing.
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(
            url, {"status": "approved", "amount_yen": "4000", "review_note": "確認済"}
        )
    assert not bodies(smtp_server)


def test_subsidy_links_that_are_forged_expired_or_stale_are_refused(ties, settings):
    subsidy = SubsidyApplication.objects.create(
        member=ties.hanako,
        trip_date=timezone.localdate(),
        origin="東京都",
        cost_yen=8000,
        status="returned",
        review_note="理由",
    )
    token = tokens.subsidy_token(subsidy)
    client = Client()
    assert client.get(f"/ties/subsidy/result/{token}/").status_code == 200
    assert client.get(f"/ties/subsidy/result/{token}x/").status_code == 400
    response = client.post(f"/ties/subsidy/result/{token}x/", {"receipts": receipt()})
    assert response.status_code == 400 and not subsidy.receipts.exists()
    # After the member changes their address, the old link stops working.
    user = ties.hanako.user
    user.email = "hanako-new@example.jp"
    user.save()
    assert client.get(f"/ties/subsidy/result/{token}/").status_code == 400
    # And every link expires.
    fresh = tokens.subsidy_token(subsidy)
    settings.TIES = {**settings.TIES, "SUBSIDY_LINK_MAX_AGE_SECONDS": -1}
    assert client.get(f"/ties/subsidy/result/{fresh}/").status_code == 400

"""Applying and the application's life over HTTP with real mail: the member
applies with a message, the host is mailed, they exchange messages (each mailed),
the host accepts, marks participation, the member reports; a second program
counts them as a repeater. Host rights are decided per program: allow/deny."""

import pytest

from cms.ties.models import Application, ApplicationStatus, ProgramStatus

from .conftest import client_for, make_member, make_program

pytestmark = pytest.mark.django_db


def bodies(smtp_server):
    return [
        (m["To"], m["Subject"].strip(), m.get_body(("plain",)).get_content())
        for m in smtp_server.parsed()
    ]


def test_member_applies_exchanges_messages_and_joins_the_program(
    ties, smtp_server, django_capture_on_commit_callbacks
):
    member = client_for(ties.hanako.user)
    host = client_for(ties.mito_host_user)
    farm = ties.farm

    # Finding: the program page says what they have in common.
    page = member.get(f"/ties/programs/{farm.pk}/").content.decode()
    assert "あなたとの共通点: スキル: 農業" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            f"/ties/programs/{farm.pk}/apply/",
            {"message": "週末に収穫を手伝えます。写真も撮れます。"},
        )
    application = Application.objects.get(program=farm, member=ties.hanako)
    assert response["Location"] == f"/ties/applications/{application.pk}/"
    assert application.status == ApplicationStatus.APPLIED
    assert not application.is_repeat
    mails = bodies(smtp_server)
    # The host organisation's address and its user both get the news.
    assert sorted(to for to, _, _ in mails) == [
        "farm@example.jp",
        "mito-farm@example.jp",
    ]
    assert all("新しい申込み: 農園の収穫と直売所づくり" in s for _, s, _ in mails)
    assert all("週末に収穫を手伝えます" in b for _, _, b in mails)
    assert all(f"/ties/host/applications/{application.pk}/" in b for _, _, b in mails)

    # Applying twice does not make a second application.
    member.post(f"/ties/programs/{farm.pk}/apply/", {"message": "もう一度"})
    assert Application.objects.filter(program=farm).count() == 1

    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        host.post(
            f"/ties/host/applications/{application.pk}/",
            {
                "action": "message",
                "body": "ありがとうございます。長靴をお持ちください。",
            },
        )
    ((to, subject, body),) = bodies(smtp_server)
    assert to == "hanako@example.jp" and "メッセージが届きました" in subject
    assert "長靴" in body and f"/ties/applications/{application.pk}/" in body

    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member.post(
            f"/ties/applications/{application.pk}/",
            {"action": "message", "body": "承知しました！"},
        )
        host.post(f"/ties/host/applications/{application.pk}/", {"action": "accept"})
    mails = bodies(smtp_server)
    assert (
        "hanako@example.jp",
        "【関係人口】受入が決まりました: 農園の収穫と直売所づくり",
    ) in [(to, subject) for to, subject, _ in mails]
    thread = member.get(f"/ties/applications/{application.pk}/").content.decode()
    assert (
        thread.index("週末に収穫") < thread.index("長靴") < thread.index("承知しました")
    )
    assert "受入決定" in thread

    # The report comes after participation, not before.
    refused = member.post(
        f"/ties/applications/{application.pk}/report/", {"report": "楽しかった"}
    )
    assert refused.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED

    host.post(f"/ties/host/applications/{application.pk}/", {"action": "participated"})
    smtp_server.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member.post(
            f"/ties/applications/{application.pk}/report/",
            {"report": "直売所のポップを作りました。また行きます。"},
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REPORTED
    assert application.participated_at and application.reported_at
    assert {to for to, _, _ in bodies(smtp_server)} == {
        "farm@example.jp",
        "mito-farm@example.jp",
    }

    # A later program: the member now counts as a repeater.
    second = make_program(ties.mito_host, "秋の収穫祭", skills_wanted=["農業"])
    member.post(f"/ties/programs/{second.pk}/apply/", {"message": "また参加します"})
    assert Application.objects.get(program=second).is_repeat
    host_page = host.get(f"/ties/host/programs/{second.pk}/").content.decode()
    assert "リピーター" in host_page


def test_a_decision_not_allowed_now_is_refused(ties):
    application = Application.objects.create(
        program=ties.farm, member=ties.hanako, message="よろしく"
    )
    host = client_for(ties.mito_host_user)
    host.post(f"/ties/host/applications/{application.pk}/", {"action": "participated"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED


def test_an_empty_message_names_the_field(ties):
    member = client_for(ties.hanako.user)
    response = member.post(f"/ties/programs/{ties.farm.pk}/apply/", {"message": ""})
    assert response.status_code == 400
    assert "メッセージを入力してください。" in response.content.decode()


def test_closed_and_draft_programs_take_no_applications(ties):
    ties.farm.status = ProgramStatus.CLOSED
    ties.farm.save_revision().publish()
    member = client_for(ties.hanako.user)
    member.post(f"/ties/programs/{ties.farm.pk}/apply/", {"message": "参加したい"})
    assert not Application.objects.exists()
    # A draft page (never published): hidden from members, seen by its host.
    draft = make_program(ties.mito_host, "準備中", publish=False)
    assert member.get(f"/ties/programs/{draft.pk}/").status_code == 404
    response = member.post(f"/ties/programs/{draft.pk}/apply/", {"message": "参加"})
    assert response.status_code == 404
    assert not Application.objects.exists()
    assert (
        client_for(ties.mito_host_user).get(f"/ties/programs/{draft.pk}/").status_code
        == 200
    )
    # Unpublishing a program stops applications at once.
    ties.lab.unpublish()
    response = client_for(ties.jiro.user).post(
        f"/ties/programs/{ties.lab.pk}/apply/", {"message": "参加したい"}
    )
    assert response.status_code == 404 and not Application.objects.exists()


def test_hosts_see_only_their_own_programs_and_applicants(ties):
    mine = Application.objects.create(
        program=ties.farm, member=ties.hanako, message="農園へ"
    )
    theirs = Application.objects.create(
        program=ties.lab, member=ties.jiro, message="教室へ"
    )
    mito = client_for(ties.mito_host_user)
    home = mito.get("/ties/host/").content.decode()
    assert "農園の収穫と直売所づくり" in home and "子ども科学教室の企画" not in home
    assert mito.get(f"/ties/host/programs/{ties.farm.pk}/").status_code == 200
    assert mito.get(f"/ties/host/applications/{mine.pk}/").status_code == 200
    # Deny: another host's program and applicant, by reading or by deciding.
    assert mito.get(f"/ties/host/programs/{ties.lab.pk}/").status_code == 403
    assert mito.get(f"/ties/host/applications/{theirs.pk}/").status_code == 403
    response = mito.post(f"/ties/host/applications/{theirs.pk}/", {"action": "accept"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == ApplicationStatus.APPLIED
    # Members are not hosts; and cannot read someone else's application.
    hanako = client_for(ties.hanako.user)
    assert hanako.get("/ties/host/").status_code == 403
    assert hanako.get(f"/ties/host/applications/{mine.pk}/").status_code == 403
    assert hanako.get(f"/ties/applications/{theirs.pk}/").status_code == 403
    assert (
        client_for(ties.jiro.user).get(f"/ties/applications/{mine.pk}/").status_code
        == 403
    )
    # Staff (関係人口担当) see every program.
    officer = client_for(ties.officer)
    assert officer.get(f"/ties/host/programs/{ties.lab.pk}/").status_code == 200


def test_hosts_are_suggested_matching_members_with_the_reason(ties):
    make_member("Kenta", skills=["デザイン"], regions=[ties.tsukuba])
    page = (
        client_for(ties.mito_host_user)
        .get(f"/ties/host/programs/{ties.farm.pk}/")
        .content.decode()
    )
    assert "Hanako（東京都）— スキル: 農業 / 関心の地域: 水戸市" in page
    assert "Kenta（東京都）— スキル: デザイン" in page
    assert page.index("Hanako") < page.index("Kenta")  # the better match first
    assert "Jiro" not in page

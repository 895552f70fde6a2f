"""The knowledge base and analytics in the admin, over HTTP: who may edit which
answers, edits answered at once, CSV import with row errors, one-click phrasing,
the log export and the monthly report."""

import pytest
from wagtail.test.utils.form_data import querydict_from_html

from cms.chat.models import ChatTurn, FaqAnswer

from ..admin_forms import denied
from .conftest import ask, make_answer

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/chat/faqanswer/"


def edit_url(answer):
    return f"{LIST_URL}edit/{answer.pk}/"


def snippet_form(client, url, **changes):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form")
    # As a browser sends them: a ticked box as "on", the multi-select as chosen.
    if data.get("active") == "":
        data["active"] = "on"
    data.setlist("follow_ups", [])
    for name, value in changes.items():
        data[name] = value
    return data


@pytest.fixture
def town_answers(portal):
    return {
        "mito": make_answer(
            "mito-desk", "水戸市の移住相談窓口はどこですか", municipality=portal.mito
        ),
        "tsukuba": make_answer(
            "tsukuba-desk",
            "つくば市の移住相談窓口はどこですか",
            municipality=portal.tsukuba,
        ),
        "prefecture": make_answer("pref", "県の移住支援金について教えてください"),
    }


def test_staff_edit_is_answered_at_once(
    login, client, faq, django_capture_on_commit_callbacks
):
    staff = login("pref-admin")
    assert ask(client, "移住支援金はいくら").json()["answer"]["id"] == "shienkin"
    answer = faq["shienkin"]
    data = snippet_form(
        staff,
        edit_url(answer),
        alternatives="引っ越しの補助金の金額\nUIJターンの給付金の額",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(edit_url(answer), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    reply = ask(client, "UIJターンの給付金の額").json()
    assert reply["outcome"] == "answered"
    assert reply["answer"]["id"] == "shienkin"


def test_deactivated_answer_disappears_at_once(login, client, faq):
    staff = login("pref-admin")
    answer = faq["hoikuen"]
    data = snippet_form(staff, edit_url(answer))
    data.pop("active", None)  # unticked checkbox
    assert staff.post(edit_url(answer), data).status_code == 302
    reply = ask(client, "保育園に入れますか").json()
    assert not reply["answer"] or reply["answer"]["id"] != "hoikuen"


def test_municipality_editor_edits_own_town_answer(login, town_answers):
    editor = login("mito-editor")
    answer = town_answers["mito"]
    data = snippet_form(
        editor, edit_url(answer), question="水戸市の移住の窓口を教えてください"
    )
    assert editor.post(edit_url(answer), data).status_code == 302
    answer.refresh_from_db()
    assert answer.question == "水戸市の移住の窓口を教えてください"


def test_municipality_editor_cannot_edit_other_town_answer(login, town_answers):
    editor = login("mito-editor")
    assert denied(editor.get(edit_url(town_answers["tsukuba"])))
    assert denied(editor.post(edit_url(town_answers["tsukuba"]), {"question": "x"}))
    town_answers["tsukuba"].refresh_from_db()
    assert town_answers["tsukuba"].question == "つくば市の移住相談窓口はどこですか"


def test_municipality_editor_cannot_edit_prefecture_answer(login, town_answers):
    editor = login("mito-editor")
    assert denied(editor.get(edit_url(town_answers["prefecture"])))


def test_municipality_editor_lists_only_own_town_answers(login, town_answers):
    html = login("mito-editor").get(LIST_URL).content.decode()
    assert "水戸市の移住相談窓口" in html
    assert "つくば市の移住相談窓口" not in html
    assert "県の移住支援金" not in html


def test_municipality_editor_adds_answer_only_for_own_town(login, portal, town_answers):
    editor = login("mito-editor")
    add_url = f"{LIST_URL}add/"
    data = snippet_form(editor, add_url, question="水戸市のお試し住宅はありますか")
    data["body"] = (
        '{"blocks":[{"key":"a","type":"unstyled","text":"あります。","depth":0,"inlineStyleRanges":[],"entityRanges":[]}],"entityMap":{}}'
    )
    data["municipality"] = str(portal.tsukuba.pk)
    response = editor.post(add_url, data)
    assert response.status_code == 200  # the form comes back with an error
    assert not FaqAnswer.objects.filter(
        question="水戸市のお試し住宅はありますか"
    ).exists()
    data["municipality"] = str(portal.mito.pk)
    assert editor.post(add_url, data).status_code == 302
    created = FaqAnswer.objects.get(question="水戸市のお試し住宅はありますか")
    assert created.municipality == portal.mito


def test_staff_sees_every_answer(login, town_answers):
    html = login("pref-admin").get(LIST_URL).content.decode()
    for text in ("水戸市の移住相談窓口", "つくば市の移住相談窓口", "県の移住支援金"):
        assert text in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/chat/import/",
        "/admin/chat/analytics/",
        "/admin/chat/analytics/log.csv",
        "/admin/chat/export.csv",
        "/admin/snippets/chat/faqsynonym/",
        "/admin/snippets/chat/chatturn/",
        "/admin/snippets/chat/faqcategory/add/",
        "/admin/settings/chat/chatsettings/",
    ],
)
def test_municipality_editor_cannot_run_the_chatbot(login, url):
    editor = login("mito-editor")
    response = editor.get(url)
    if response.status_code == 302 and response["Location"].startswith(url):
        response = editor.get(response["Location"])  # settings: /…/chatsettings/1/
    assert denied(response)


def test_staff_imports_csv_with_row_errors_and_nothing_is_saved(login, faq):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = login("pref-admin")
    csv_text = (
        "id,question,alternatives,answer,category,url\n"
        "new-1,新しい質問です,,新しい回答,住まい,/towns/\n"
        "new-2,,,回答だけ,住まい,\n"
        "new-3,URLが変,,回答,住まい,ftp://example.jp/\n"
    )
    response = staff.post(
        "/admin/chat/import/",
        {"file": SimpleUploadedFile("faq.csv", csv_text.encode()), "dry_run": ""},
    )
    html = response.content.decode()
    assert "3行目のquestion（質問）: 質問が空です。" in html
    assert "4行目のurl" in html
    assert not FaqAnswer.objects.filter(key="new-1").exists()


def test_staff_import_dry_run_then_real(login, client, faq):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = login("pref-admin")
    csv_text = "id,question,alternatives,answer,category,url\nnew-1,ペットと暮らせる家はありますか,犬と住める家,あります。,住まい,\n"
    upload = lambda: SimpleUploadedFile("faq.csv", csv_text.encode())  # noqa: E731
    staff.post("/admin/chat/import/", {"file": upload(), "dry_run": "on"})
    assert not FaqAnswer.objects.filter(key="new-1").exists()
    response = staff.post("/admin/chat/import/", {"file": upload()})
    assert "追加 1件" in response.content.decode()
    assert ask(client, "犬と住める家").json()["answer"]["id"] == "new-1"


def test_analytics_groups_unanswered_questions_and_adds_a_phrasing(login, client, faq):
    for question in ["ゴミの出し方", "ごみのだしかた", "ゴミの出しかた"]:
        ask(client, question)
    staff = login("pref-admin")
    html = staff.get("/admin/chat/analytics/").content.decode()
    assert "回答できなかった" in html
    assert html.count("言い換えとして追加") >= 1
    # The three wordings are one group.
    assert "（3件）" in html
    response = staff.post(
        "/admin/chat/analytics/add-phrasing/",
        {"answer": "akiya", "phrase": "ゴミの出し方", "next": "/admin/chat/analytics/"},
    )
    assert response.status_code == 302
    assert "ゴミの出し方" in FaqAnswer.objects.get(key="akiya").alternatives
    assert ask(client, "ゴミの出し方").json()["answer"]["id"] == "akiya"


def test_log_export_is_csv_with_the_questions(login, client, faq):
    ask(client, "移住支援金はいくら")
    response = login("pref-admin").get("/admin/chat/analytics/log.csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("日時,会話,質問,結果")
    assert "移住支援金はいくら" in text


def test_faq_export_has_the_import_header(login, faq):
    text = login("pref-admin").get("/admin/chat/export.csv").content.decode()
    assert text.splitlines()[0] == "id,question,alternatives,answer,category,url"
    assert "shienkin,移住支援金はいくらもらえますか,引っ越しの補助金の金額" in text


def test_monthly_report_html_and_pdf(login, client, faq):
    from django.utils import timezone

    data = ask(client, "移住支援金はいくら").json()
    client.post(
        "/api/chat/feedback",
        {"session_id": data["session_id"], "turn_id": data["turn_id"], "helpful": True},
        content_type="application/json",
    )
    ask(client, "ラーメンのおいしい店")
    month = timezone.localdate().strftime("%Y-%m")
    staff = login("pref-admin")
    html = staff.get(f"/admin/chat/report/{month}.html").content.decode()
    assert "チャットボット月次報告" in html
    assert "data:image/png;base64," in html
    assert "移住支援金はいくらもらえますか" in html
    pdf = staff.get(f"/admin/chat/report/{month}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(pdf.content) > 20_000  # charts and the embedded Japanese font
    assert ChatTurn.objects.count() == 2


def test_bad_report_month_is_explained(login):
    response = login("pref-admin").get("/admin/chat/report/2026-13.pdf")
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/chat/import/",
        "/admin/chat/analytics/",
        "/admin/snippets/chat/faqsynonym/",
        "/admin/snippets/chat/faqcategory/",
        "/admin/snippets/chat/chatturn/",
        "/admin/settings/chat/chatsettings/",
    ],
)
def test_staff_runs_the_chatbot(login, client, faq, url):
    ask(client, "移住支援金はいくら")
    assert login("pref-admin").get(url, follow=True).status_code == 200


def test_staff_synonym_is_used_at_once(login, client, faq):
    staff = login("pref-admin")
    response = staff.post(
        "/admin/snippets/chat/faqsynonym/add/",
        {"term": "お試し居住", "variants": "ちょい住み", "active": "on"},
    )
    assert response.status_code == 302
    assert ask(client, "ちょい住みの施設").json()["answer"]["id"] == "otameshi"

"""`portal chat import / export / rank / eval` as a person or a script runs them."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from cms.chat.models import FaqAnswer, FaqCategory

pytestmark = pytest.mark.django_db

HEADER = "id,question,alternatives,answer,category,url\n"
GOOD = (
    HEADER
    + "q1,移住支援金はいくらもらえますか,支援金の金額|いくらもらえる,世帯で最大100万円です。,支援金,/support/\n"
    + 'q2,空き家バンクとは何ですか,,"市町村が空き家を紹介する仕組みです。\n\n見学もできます。",住まい,https://example.jp/akiya\n'
    + "q3,保育園に入れますか,保育所の空き,待機児童のいない市町村が多いです。,子育て,\n"
)


def write(tmp_path, text, name="faq.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(*args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("chat", *args, stdout=out, stderr=err, verbosity=0)
    return out.getvalue(), err.getvalue()


def test_import_creates_answers_and_categories(tmp_path):
    out, _ = run("import", write(tmp_path, GOOD))
    assert "追加 3件" in out
    answer = FaqAnswer.objects.get(key="q2")
    assert (
        answer.body
        == "<p>市町村が空き家を紹介する仕組みです。</p><p>見学もできます。</p>"
    )
    assert answer.link_url == "https://example.jp/akiya"
    assert FaqAnswer.objects.get(key="q1").phrasings == [
        "移住支援金はいくらもらえますか",
        "支援金の金額",
        "いくらもらえる",
    ]
    assert set(FaqCategory.objects.values_list("name", flat=True)) == {
        "支援金",
        "住まい",
        "子育て",
    }


def test_import_with_errors_names_rows_and_saves_nothing(tmp_path):
    bad = (
        HEADER
        + "q1,移住支援金はいくら,,最大100万円,支援金,\n"
        + "q1,重複したid,,回答,支援金,\n"
        + "q3,,,回答,支援金,\n"
        + "q4,URLが変,,回答,支援金,javascript:alert(1)\n"
        + "q5,回答がない,,,支援金,\n"
    )
    with pytest.raises(CommandError, match="4件の誤り"):
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("chat", "import", write(tmp_path, bad), stdout=out, stderr=err)
        finally:
            messages = err.getvalue()
    assert "3行目のid: 「q1」は2行目と重複しています。" in messages
    assert "4行目のquestion（質問）: 質問が空です。" in messages
    assert "5行目のurl" in messages
    assert "6行目のanswer（回答）: 回答が空です。" in messages
    assert FaqAnswer.objects.count() == 0


def test_import_without_the_required_columns_explains_the_header(tmp_path):
    with pytest.raises(CommandError):
        err = io.StringIO()
        try:
            call_command(
                "chat", "import", write(tmp_path, "質問,回答\na,b\n"), stderr=err
            )
        finally:
            assert "1行目（見出し）" in err.getvalue()


def test_dry_run_saves_nothing(tmp_path):
    out, _ = run("import", write(tmp_path, GOOD), "--dry-run")
    assert "保存していません" in out
    assert FaqAnswer.objects.count() == 0


def test_reimport_updates_and_replace_deletes(tmp_path):
    run("import", write(tmp_path, GOOD))
    changed = (
        HEADER
        + "q1,移住支援金はいくらもらえますか,,単身は最大60万円です。,支援金,/support/\n"
    )
    out, _ = run("import", write(tmp_path, changed, "changed.csv"))
    assert "更新 1件" in out
    assert FaqAnswer.objects.count() == 3
    assert "60万円" in FaqAnswer.objects.get(key="q1").body
    out, _ = run("import", write(tmp_path, changed, "changed.csv"), "--replace")
    assert "削除 2件" in out
    assert list(FaqAnswer.objects.values_list("key", flat=True)) == ["q1"]


def test_shift_jis_file_from_excel_is_accepted(tmp_path):
    run("import", write(tmp_path, GOOD, encoding="cp932"))
    assert FaqAnswer.objects.count() == 3


def test_rank_prints_one_json_line_per_question(tmp_path, monkeypatch):
    run("import", write(tmp_path, GOOD))
    out, _ = run(
        "rank",
        "--top",
        "2",
        stdin="いじゅうしえんきん いくら\n\nほいくしょの空き\n",
        monkeypatch=monkeypatch,
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == [
        "いじゅうしえんきん いくら",
        "ほいくしょの空き",
    ]
    assert lines[0]["results"][0]["id"] == "q1"
    assert lines[1]["results"][0]["id"] == "q3"
    assert len(lines[0]["results"]) == 2
    assert set(lines[0]["results"][0]) == {"id", "score"}
    assert isinstance(lines[0]["results"][0]["score"], float)


def test_eval_prints_hit_rates_and_json(tmp_path):
    run("import", write(tmp_path, GOOD))
    cases = (
        "query\texpected_id\tvariation\n"
        "支援金はいくら\tq1\tplain\n"
        "あきやばんく\tq2\thiragana\n"
        "ﾎｲｸｴﾝ\tq3\thalfwidth\n"
        "今日の天気\t-\tout_of_scope\n"
    )
    out, _ = run("eval", write(tmp_path, cases, "eval.tsv"))
    assert "Hit@1 1.000" in out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["n"] == 3
    assert result["hit@5"] == 1.0
    assert set(result["by_variation"]) == {"plain", "hiragana", "halfwidth"}
    assert result["out_of_scope"] == 1


def test_export_round_trips_through_import(tmp_path):
    run("import", write(tmp_path, GOOD))
    exported = tmp_path / "out.csv"
    run("export", str(exported))
    text = exported.read_text(encoding="utf-8")
    assert text.startswith(HEADER)
    FaqAnswer.objects.all().delete()
    run("import", str(exported))
    assert FaqAnswer.objects.get(key="q1").phrasings[1] == "支援金の金額"
    assert FaqAnswer.objects.get(key="q2").link_url == "https://example.jp/akiya"


def test_static_faq_page_lists_every_answer_without_javascript(tmp_path):
    run("import", write(tmp_path, GOOD))
    target = tmp_path / "faq.html"
    run("faq-page", str(target))
    html = target.read_text(encoding="utf-8")
    assert "<summary>移住支援金はいくらもらえますか</summary>" in html
    assert '"@type": "FAQPage"' in html
    assert "<script src" not in html


def test_purge_deletes_conversations_past_retention(client):
    import datetime

    from django.utils import timezone

    from cms.chat.models import ChatSettings, ChatTurn, Conversation

    old = Conversation.objects.create(
        session_id="o" * 20, last_seen_at=timezone.now() - datetime.timedelta(days=500)
    )
    ChatTurn.objects.create(conversation=old, query="古い質問", outcome="no_match")
    recent = Conversation.objects.create(session_id="r" * 20)
    ChatTurn.objects.create(conversation=recent, query="新しい質問", outcome="no_match")
    settings = ChatSettings.load()
    settings.log_retention_days = 400
    settings.save()
    out, _ = run("purge")
    assert "（1件）" in out
    assert list(ChatTurn.objects.values_list("query", flat=True)) == ["新しい質問"]

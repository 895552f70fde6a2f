"""CSV import (UTF-8 and Excel's CP932, per-row errors, dedupe, dry run, column
mapping) and export of everything, through the functions, the CLI and the admin."""

import csv
import io

from django.core.management import call_command

from cms.mailing import csv_io
from cms.mailing.models import AttributeDefinition, Subscriber

HEADER = "メールアドレス,氏名,都道府県,年代,性別,関心,イベント,移住希望時期\n"
ROWS = (
    "taro@example.jp,山田 太郎,東京都,30代,男性,就農、子育て,移住フェア2025,1年以内\n"
    "not-an-address,誤り 一郎,東京都,30代,男性,,移住フェア2025,\n"
    "TARO@EXAMPLE.JP,重複 太郎,東京都,,,,,\n"
    "ｓａｔｏ@example.jp,佐藤 花子,神奈川県,四十代,女性,空き家,移住フェア2025,未定\n"
    "kana@example.jp,髙橋 かな,千葉県,40代,その他,,,そのうち\n"
)


def setup_attribute():
    AttributeDefinition.objects.create(
        key="move_when",
        label="移住希望時期",
        kind="choice",
        choices="1年以内\n1〜3年\n未定",
    )


def test_utf8_import_reports_bad_address_duplicate_and_bad_values_per_row(db):
    setup_attribute()
    data = (HEADER + ROWS).encode("utf-8-sig")
    report = csv_io.import_subscribers(data, dry_run=False)

    messages = [str(e) for e in report.errors]
    assert report.encoding == "utf-8"
    assert (
        "3行目 メールアドレス: 「not-an-address」はメールアドレスの形式ではありません。"
        in messages
    )
    assert (
        "4行目 メールアドレス: 2行目と同じアドレスです（後の行は取り込みません）。"
        in messages
    )
    assert "5行目 年代: 「四十代」は年代（20代、30代…）ではありません。" in messages
    assert (
        "6行目 移住希望時期: 「そのうち」は選択肢にありません（1年以内・1〜3年・未定）。"
        in messages
    )
    assert (report.created, report.duplicates, report.error_rows) == (1, 1, 4)

    taro = Subscriber.objects.get(email="taro@example.jp")
    assert (taro.name, taro.prefecture, taro.age_band, taro.gender) == (
        "山田 太郎",
        "東京都",
        "30s",
        "male",
    )
    assert sorted(taro.interests.values_list("name", flat=True)) == ["子育て", "就農"]
    assert taro.attributes == {"move_when": "1年以内"}
    assert taro.consent_method == "import" and taro.consent_at is not None


def test_cp932_file_from_excel_is_read(db):
    setup_attribute()
    rows = "髙橋 かな,kana@example.jp,千葉県,1〜3年\n①丸数字 さん,maru@example.jp,茨城県,未定\n"
    data = ("氏名,メールアドレス,都道府県,移住希望時期\n" + rows).encode("cp932")
    report = csv_io.import_subscribers(data, dry_run=False)
    assert report.encoding == "cp932" and report.errors == []
    kana = Subscriber.objects.get(email="kana@example.jp")
    assert kana.name == "髙橋 かな"
    # CP932 has no U+301C: Excel's 〜 comes back as ～ and still matches the choice.
    assert kana.attributes == {"move_when": "1〜3年"}
    assert Subscriber.objects.get(email="maru@example.jp").attributes == {
        "move_when": "未定"
    }


def test_dry_run_writes_nothing_and_previews(db):
    report = csv_io.import_subscribers((HEADER + ROWS).encode(), dry_run=True)
    assert report.created == 2  # taro and kana; sato's row has a bad 年代
    assert report.preview[0]["email"] == "taro@example.jp"
    assert not Subscriber.objects.exists()


def test_column_mapping_can_be_chosen(db):
    data = "連絡先,呼び名\nx@example.jp,エックス\n".encode()
    report = csv_io.import_subscribers(data, dry_run=True)
    assert "メールアドレスの列がありません" in str(report.errors[0])
    report = csv_io.import_subscribers(data, mapping=["email", "name"], dry_run=False)
    assert Subscriber.objects.get(email="x@example.jp").name == "エックス"


def test_import_never_reactivates_someone_who_left(audience):
    data = "メールアドレス,状態,都道府県\nleft@example.jp,配信中,茨城県\n".encode()
    report = csv_io.import_subscribers(data, dry_run=False)
    assert report.updated == 1
    left = Subscriber.objects.get(email="left@example.jp")
    assert (left.status, left.prefecture) == ("unsubscribed", "茨城県")


def test_existing_addresses_match_case_insensitively(audience):
    data = "メールアドレス,氏名\ntaro.farm@example.jp,新しい名前\n".encode()
    report = csv_io.import_subscribers(data, dry_run=False)
    assert (report.created, report.updated) == (0, 1)
    assert Subscriber.objects.get(email="Taro.Farm@example.jp").name == "新しい名前"


def test_unreadable_file_says_what_to_do(db):
    try:
        csv_io.import_subscribers(b"\xff\xfe\x00\x81\x00", dry_run=True)
    except csv_io.ImportFileError as error:
        assert "UTF-8 か Shift_JIS" in str(error)
    else:
        raise AssertionError("expected ImportFileError")


def test_export_includes_status_attributes_consent_and_round_trips(audience, tmp_path):
    path = tmp_path / "out.csv"
    call_command("mail_export", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    assert header[:3] == ["メールアドレス", "氏名", "状態"]
    assert set(header[-2:]) == {"移住希望時期", "世帯人数"}
    by_email = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert len(by_email) == 8
    assert by_email["left@example.jp"]["状態"] == "配信停止"
    assert by_email["Taro.Farm@example.jp"]["移住希望時期"] == "1年以内"
    assert by_email["both@example.jp"]["関心"] == "就農、子育て"
    # The export can be imported again without changes or errors.
    report = csv_io.import_subscribers(path.read_bytes(), dry_run=True)
    assert report.errors == [] and report.updated == 8


def test_cli_import_dry_run_then_import(db, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes("メールアドレス,氏名\na@example.jp,A\nbad,B\n".encode("cp932"))
    call_command("mail_import", str(path), "--dry-run")
    assert not Subscriber.objects.exists()
    assert "新規 1人" in capsys.readouterr().out
    call_command("mail_import", str(path), "--consent-note", "2025年フェア申込書")
    assert Subscriber.objects.get().consent_note == "2025年フェア申込書"

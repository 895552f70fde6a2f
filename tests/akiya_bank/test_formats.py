"""The feed formats: canonical JSON and CSV read back to the same data and follow
the JSON Schema; the LIFULL CSV is Shift_JIS with a header record, every field
quoted, a constant column count, at most 30 photos and the ``sent`` file; characters
outside Shift_JIS are replaced and reported, never a crash."""

import datetime
import re

import jsonschema
import pytest

from cms.akiya_bank.canonical import MAX_PHOTOS, Deletion, Feed, json_schema
from cms.akiya_bank.sync import current_checks, planned_feed
from cms.akiya_bank.writers import get_writer
from cms.akiya_bank.writers.canonical import csv_columns, read_csv, read_json
from cms.akiya_bank.writers.lifull import COLUMNS, HEADER, read_rows
from cms.listings.models import AkiyaListingPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(add_listing):
    add_listing("mito", photos=3, price_note="敷金なし、礼金なし")
    add_listing(
        "tsukuba",
        photos=1,
        transaction_type="rent",
        price_yen=None,
        rent_yen=45_000,
        special_notes=["needs_repair", "farmland"],
        description="<p>南向きの庭。</p><p>畑&amp;井戸あり</p>",
        built_year_month="1975",
    )
    add_listing(
        "daigo",
        photos=0,
        property_type="land",
        building_area_sqm=None,
        building_area_method="",
        layout="",
        built_year_month="",
    )
    feed, _ = planned_feed()
    feed.deletions = [Deletion("akiya-999999", "2026-05-01T10:00:00+09:00")]
    feed.mode = "changes"
    return feed


def validate(document_bytes):
    import json

    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(json.loads(document_bytes)), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_planned_feed_holds_only_the_consenting_live_listings(feed):
    titles = {record["title"] for record in feed.records}
    assert len(feed.records) == 3
    assert not any("公開物件" in title for title in titles)  # no consent in conftest


def test_canonical_json_validates_against_the_schema_and_reads_back_equal(feed):
    package = get_writer("canonical-json").write(feed)
    validate(package.main.content())
    parsed = read_json(package.main.content())
    assert parsed.records == feed.records
    assert parsed.deletions == feed.deletions
    assert parsed.mode == "changes"


def test_canonical_json_record_carries_codes_dates_photos_and_plain_text(feed):
    rent = next(r for r in feed.records if r["transaction_type"] == "rent")
    assert rent["rent_yen"] == 45_000 and rent["price_yen"] is None
    assert rent["special_notes"] == ["needs_repair", "farmland"]
    assert rent["description"] == "南向きの庭。\n畑&井戸あり"
    assert rent["municipality_code"] == "082201"
    assert rent["url"].startswith("http") and "/towns/tsukuba/akiya/" in rent["url"]
    assert rent["photos"][0]["url"].startswith("https://cms.example.jp/media/")
    assert rent["consent_on"] == "2026-04-01"
    datetime.datetime.fromisoformat(rent["modified_at"])


def test_schema_rejects_a_record_missing_a_required_field(feed):
    import json

    document = json.loads(get_writer("canonical-json").write(feed).main.content())
    del document["listings"][0]["address"]
    validator = jsonschema.Draft202012Validator(json_schema())
    assert any("address" in e.message for e in validator.iter_errors(document))


def test_canonical_csv_reads_back_equal_with_the_same_columns_on_every_row(feed):
    package = get_writer("canonical-csv").write(feed)
    data = package.main.content()
    parsed = read_csv(data)
    assert parsed.records == feed.records
    assert parsed.deletions == feed.deletions
    import csv
    import io

    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == csv_columns()
    assert {len(row) for row in rows} == {len(csv_columns())}
    assert rows[-1][:2] == ["akiya-999999", "delete"]


def test_lifull_csv_is_shift_jis_with_header_record_and_constant_columns(feed):
    package = get_writer("lifull-csv").write(feed)
    data = package.main.content()
    rows = read_rows(data)  # decodes as cp932 (Shift_JIS) or fails
    header = rows[0]
    assert header[: len(HEADER)] == [
        "header",
        "4.2.5",
        "2",
        "A1234567",
        "SJIS",
        "images/",
        "0",
        "0",
        "1",
    ]
    assert {len(row) for row in rows} == {len(COLUMNS)}
    assert len(rows) == 1 + len(feed.records) + len(feed.deletions)
    # Every field double-quoted, records separated by CRLF.
    for line in data.split(b"\r\n")[:-1]:
        if line:
            assert line.startswith(b'"') and line.endswith(b'"')
    first = rows[1]
    assert first[0] == feed.records[0]["id"]
    assert first[1].count("/") == 2 and ":" in first[1]  # 物件更新日時
    assert (
        first[COLUMNS.index(next(c for c in COLUMNS if c.label == "所在地コード"))]
        == "08201"
    )


def test_lifull_deletion_record_and_control_file(feed):
    package = get_writer("lifull-csv").write(feed)
    rows = read_rows(package.main.content())
    assert rows[-1][:3] == ["akiya-999999", "2026/05/01 10:00:00", "9"]
    assert set(rows[-1][3:]) == {""}
    sent = [f for f in package.files if f.name == "sent"]
    assert len(sent) == 1 and sent[0].content() == b""
    assert package.delivery_order()[-1].name == "sent"
    photo_files = [f.name for f in package.files if f.name.startswith("images/")]
    assert len(photo_files) == 4  # 3 + 1 + 0
    assert all(name.endswith(".png") for name in photo_files)
    assert package.files[1].content().startswith(b"\x89PNG")


def test_lifull_sends_at_most_30_photos_per_listing(add_listing):
    page = add_listing("mito", photos=32)
    feed, checks = planned_feed(AkiyaListingPage.objects.filter(pk=page.pk))
    assert len(feed.records[0]["photos"]) == MAX_PHOTOS
    rows = read_rows(get_writer("lifull-csv").write(feed).main.content())
    labels = [c.label for c in COLUMNS]
    assert re.fullmatch(
        rf"akiya-{page.pk}_30_[0-9a-f]{{8}}\.png",
        rows[1][labels.index("画像30ファイル名")],
    )
    assert "画像31ファイル名" not in labels
    warning = [p.message for p in checks[0].warnings if p.field == "photos"]
    assert warning == [
        "写真が32枚あります。全国版バンクには先頭の30枚だけが送られます。"
    ]


def test_characters_outside_shift_jis_are_replaced_and_reported(add_listing):
    page = add_listing(
        "mito",
        title="髙橋さんの宮﨑風古民家🏡",
        summary="眺めの良い家です😀",
        access="鄧バス停から徒歩5分",
    )
    feed, _ = planned_feed(AkiyaListingPage.objects.filter(pk=page.pk))
    checks = current_checks(AkiyaListingPage.objects.filter(pk=page.pk))
    package = get_writer("lifull-csv").write(feed)
    rows = read_rows(package.main.content())
    labels = [c.label for c in COLUMNS]
    assert rows[1][labels.index("物件名")] == "高橋さんの宮崎風古民家"
    assert rows[1][labels.index("キャッチコピー")] == "眺めの良い家です"
    assert rows[1][labels.index("交通")] == "〓バス停から徒歩5分"
    messages = [issue.message for issue in package.issues]
    assert any("「髙」→「高」" in m and "「﨑」→「崎」" in m for m in messages)
    assert any("「🏡」→（削除）" in m for m in messages)
    # The editor sees the same, on the right form field, as a warning (still sent).
    warnings = {p.field: p.message for p in checks[0].warnings}
    assert "「髙」→「高」" in warnings["title"]
    assert "「鄧」→「〓」" in warnings["access"]
    assert checks[0].sendable
    # The canonical formats are UTF-8 and keep every character.
    assert feed.records[0]["title"] == "髙橋さんの宮﨑風古民家🏡"


def test_text_longer_than_a_lifull_column_is_cut_and_reported(add_listing):
    long_title = "あ" * 120
    page = add_listing("mito", title=long_title)
    feed, _ = planned_feed(AkiyaListingPage.objects.filter(pk=page.pk))
    checks = current_checks(AkiyaListingPage.objects.filter(pk=page.pk))
    rows = read_rows(get_writer("lifull-csv").write(feed).main.content())
    assert rows[1][[c.label for c in COLUMNS].index("物件名")] == "あ" * 100
    assert any("100文字を超える" in p.message for p in checks[0].warnings)


def test_unknown_format_name_is_refused():
    with pytest.raises(ValueError, match="canonical-json"):
        get_writer("xml")


def test_empty_feed_still_writes_valid_files():
    empty = Feed(records=[], mode="full")
    validate(get_writer("canonical-json").write(empty).main.content())
    assert (
        read_csv(get_writer("canonical-csv").write(empty).main.content()).records == []
    )
    rows = read_rows(get_writer("lifull-csv").write(empty).main.content())
    assert len(rows) == 1 and rows[0][0] == "header" and rows[0][2] == "1"

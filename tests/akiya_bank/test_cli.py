"""``portal akiya export`` and ``portal akiya validate`` as an operator runs them."""

import json

import pytest
from django.core.management import CommandError, call_command

from cms.akiya_bank.writers.lifull import read_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("format_name", "main_file"),
    [
        ("canonical-json", "akiya-feed.json"),
        ("canonical-csv", "akiya-feed.csv"),
        ("lifull-csv", "akiya.csv"),
    ],
)
def test_export_writes_the_feed_in_each_format(
    add_listing, tmp_path, capsys, format_name, main_file
):
    add_listing("mito")
    add_listing("daigo")
    out = tmp_path / "out"
    call_command("akiya", "export", "--format", format_name, "--out", str(out))
    assert (out / main_file).exists()
    assert "2件を" in capsys.readouterr().out
    if format_name == "canonical-json":
        assert len(json.loads((out / main_file).read_text())["listings"]) == 2
    if format_name == "lifull-csv":
        assert len(read_rows((out / main_file).read_bytes())) == 3
        assert (out / "sent").read_bytes() == b""
        assert len(list((out / "images").iterdir())) == 4


def test_export_of_one_municipality_without_photos(add_listing, tmp_path):
    add_listing("mito")
    add_listing("daigo")
    out = tmp_path / "daigo"
    call_command(
        "akiya",
        "export",
        "--format",
        "lifull-csv",
        "--out",
        str(out),
        "--municipality",
        "083640",
        "--no-photos",
    )
    rows = read_rows((out / "akiya.csv").read_bytes())
    assert [row[8] for row in rows[1:]] == ["08364"]
    assert not (out / "images").exists()


def test_export_names_an_unknown_municipality(tmp_path):
    with pytest.raises(CommandError, match="見つかりません"):
        call_command(
            "akiya",
            "export",
            "--format",
            "canonical-json",
            "--out",
            str(tmp_path),
            "--municipality",
            "nowhere",
        )


def test_validate_passes_when_every_consenting_listing_is_complete(add_listing, capsys):
    add_listing(photos=0)  # a warning only
    call_command("akiya", "validate")
    out = capsys.readouterr().out
    assert "（注意）写真" in out
    assert "送信される 1件" in out


def test_validate_fails_listing_each_problem(add_listing, capsys):
    page = add_listing("tsukuba", land_area_sqm=None, land_area_method="")
    with pytest.raises(CommandError) as error:
        call_command("akiya", "validate")
    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert f"つくば市 「{page.title}」" in out
    assert "- 土地面積（㎡）: 土地面積を入力してください" in out


def test_validate_strict_fails_on_warnings(add_listing):
    add_listing(photos=0)
    with pytest.raises(CommandError):
        call_command("akiya", "validate", "--strict")


def test_consumer_add_prints_a_token_that_opens_the_feed(client, capsys):
    call_command("akiya", "consumer", "add", "県オープンデータ")
    token = capsys.readouterr().out.split(": ")[1].strip()
    response = client.get(
        "/api/akiya/feed/canonical-json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200


def test_schema_command_prints_the_schema(capsys):
    call_command("akiya", "schema")
    assert json.loads(capsys.readouterr().out)["$id"].startswith("urn:")

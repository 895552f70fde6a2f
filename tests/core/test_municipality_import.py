from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cms.core.models import Municipality
from cms.core.municipality_import import (
    apply_municipality_rows,
    decode,
    parse_municipality_table,
)
from cms.pages.models import MunicipalityPage

HEADER = "code\tcode5\tname\tkana\tslug\tkind\n"


def test_parser_reports_each_bad_row_with_line_and_column():
    text = HEADER + (
        "082015\t08201\t水戸市\tみとし\tmito\tcity\n"
        "082016\t08201\t偽市\tにせし\tnise\tcity\n"
        "082023\t08202\t日立市\tひたちし\tHitachi City\tcity\n"
        "082031\t08203\t土浦市\tつちうらし\ttsuchiura\tmetropolis\n"
        "082015\t08201\t水戸市\tみとし\tmito\tcity\n"
    )
    report = parse_municipality_table(text)
    assert not report.ok
    assert any(e.startswith("3行目: code:") and "検査数字" in e for e in report.errors)
    assert any(e.startswith("4行目: slug:") for e in report.errors)
    assert any(e.startswith("5行目: kind:") for e in report.errors)
    assert any(
        e.startswith("6行目: code:") and "2行目と重複" in e for e in report.errors
    )


def test_parser_names_missing_columns():
    report = parse_municipality_table("code,name\n082015,水戸市\n")
    assert report.errors == ["1行目: 見出しに kana, slug, kind の列がありません。"]


def test_parser_accepts_csv_japanese_kind_and_full_width_digits():
    report = parse_municipality_table(
        "code,code5,name,kana,slug,kind\n０８２０１５,08201,水戸市,みとし,mito,市\n"
    )
    assert report.ok
    assert report.rows[0].code == "082015"
    assert report.rows[0].kind == "city"


def test_shift_jis_file_is_decoded():
    data = (HEADER + "082015\t08201\t水戸市\tみとし\tmito\tcity\n").encode("cp932")
    assert "水戸市" in decode(data)


@pytest.mark.django_db
def test_a_file_with_one_bad_row_saves_nothing(tmp_path: Path):
    path = tmp_path / "list.tsv"
    path.write_text(
        HEADER
        + "082023\t08202\t日立市\tひたちし\thitachi\tcity\n"
        + "082032\t08203\t土浦市\tつちうらし\ttsuchiura\tcity\n",
        encoding="utf-8",
    )
    errors = StringIO()
    with pytest.raises(CommandError, match="1件の誤り"):
        call_command("load_municipalities", str(path), stderr=errors, verbosity=0)
    assert "3行目: code:" in errors.getvalue()
    assert not Municipality.objects.filter(code="082023").exists()


@pytest.mark.django_db
def test_loading_creates_municipality_page_group_and_collection_and_is_idempotent():
    text = HEADER + "082023\t08202\t日立市\tひたちし\thitachi\tcity\n"
    first = apply_municipality_rows(parse_municipality_table(text))
    assert (first.created, first.updated) == (1, 0)
    hitachi = Municipality.objects.get(code="082023")
    assert hitachi.code5 == "08202"
    assert hitachi.editor_group.name == "市町村編集者: 日立市"
    assert hitachi.collection.name == "日立市"
    page = MunicipalityPage.objects.get(municipality=hitachi)
    assert page.url_path == "/home/towns/hitachi/"
    sections = [child.slug for child in page.get_children()]
    assert sections == ["support", "events", "akiya", "trial-stays", "recruitment"]
    assert all(child.live for child in page.get_children())

    second = apply_municipality_rows(parse_municipality_table(text))
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert MunicipalityPage.objects.filter(municipality=hitachi).count() == 1


@pytest.mark.django_db
def test_a_slug_taken_by_another_municipality_is_reported(portal):
    text = HEADER + "082023\t08202\t日立市\tひたちし\tmito\tcity\n"
    report = apply_municipality_rows(parse_municipality_table(text))
    assert any(e.startswith("2行目: slug:") for e in report.errors)
    assert not Municipality.objects.filter(code="082023").exists()


def test_invalid_municipality_code_is_refused_by_the_model():
    from django.core.exceptions import ValidationError

    municipality = Municipality(
        code="082016", name="偽市", kana="にせし", slug="nise", kind="city"
    )
    with pytest.raises(ValidationError) as error:
        municipality.full_clean(validate_unique=False)
    assert "検査数字" in error.value.message_dict["code"][0]

"""Programs reach visitors as the other content does: through the content API
(GraphQL) into the static build, as a page under their municipality, a list per
municipality and one for the prefecture, in the sitemap; each links to its
apply form on the public side (/ties/programs/<id>/), and pass axe-core on a
phone. Drafts reach none of it."""

from urllib.parse import quote

import pytest

from cms.api.schema import execute
from cms.ties.models import ProgramStatus
from tests.built_site import build_into, serve_folder
from tests.real_parts import axe_violations, fits_the_screen

from .conftest import make_program

pytestmark = pytest.mark.django_db

PROGRAM_QUERY = """
query ($path: String!) {
  page(path: $path) {
    __typename
    title
    path
    ... on ProgramPage {
      summary
      purpose
      deadline
      capacity
      costsCovered
      skillsWanted
      involvements { value label }
      status { value label }
      host { name }
      applyPath
    }
  }
}
"""


def read(tmp_path, url_path) -> str:
    path = tmp_path / "output" / url_path.strip("/") / "index.html"
    return path.read_text(encoding="utf-8")


def public_path(page) -> str:
    return page.url_path.removeprefix("/home")


def test_program_pages_are_in_the_content_api_and_drafts_are_not(ties):
    draft = make_program(ties.mito_host, "準備中の草刈り", publish=False)
    found = execute(PROGRAM_QUERY, {"path": public_path(ties.farm)})["page"]
    assert found["__typename"] == "ProgramPage"
    assert found["path"] == f"/towns/mito/ties/{ties.farm.slug}/"
    assert found["host"] == {"name": "水戸のみらい農園"}
    assert found["skillsWanted"] == ["農業", "デザイン"]
    assert found["involvements"] == [{"value": "volunteer", "label": "ボランティア"}]
    assert found["status"] == {"value": "open", "label": "募集中"}
    assert found["applyPath"] == f"/ties/programs/{ties.farm.pk}/"
    assert execute(PROGRAM_QUERY, {"path": public_path(draft)})["page"] is None
    folder = execute(PROGRAM_QUERY, {"path": "/towns/mito/ties/"})["page"]
    assert folder["__typename"] == "ProgramIndexPage"


def test_the_build_has_program_pages_lists_and_sitemap_entries(tmp_path, ties):
    draft = make_program(ties.mito_host, "準備中の草刈り", publish=False)
    closed = make_program(
        ties.mito_host, "去年の稲刈り", status=ProgramStatus.DONE, publish=True
    )
    summary = build_into(tmp_path)
    farm_path = public_path(ties.farm)

    page = read(tmp_path, farm_path)
    assert '<h1 class="page-title">農園の収穫と直売所づくり</h1>' in page
    assert "水戸のみらい農園" in page and "農業、デザイン" in page
    assert f'href="/ties/programs/{ties.farm.pk}/"' in page  # the apply form
    assert 'href="/ties/join/"' in page
    # A program that is over says so instead of offering the form.
    done = read(tmp_path, public_path(closed))
    assert f"/ties/programs/{closed.pk}/" not in done
    assert "申込みを受け付けていません" in done

    town_list = read(tmp_path, "/towns/mito/ties/")
    assert "農園の収穫と直売所づくり" in town_list
    assert "子ども科学教室の企画" not in town_list
    assert 'href="/programs/"' in town_list  # to the prefecture's list
    prefecture_list = read(tmp_path, "/programs/")
    assert "農園の収穫と直売所づくり" in prefecture_list
    assert "子ども科学教室の企画" in prefecture_list
    # Recruiting programs come before those that are over.
    assert prefecture_list.index("農園の収穫") < prefecture_list.index("去年の稲刈り")
    town = read(tmp_path, "/towns/mito/")
    assert "関係人口の受入プログラム" in town and farm_path in town

    output = tmp_path / "output"
    everything = "".join(
        p.read_text(encoding="utf-8", errors="ignore")
        for p in output.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml", ".json", ".atom")
    )
    assert "準備中の草刈り" not in everything
    assert not (output / public_path(draft).strip("/")).exists()
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    for path in (farm_path, "/towns/mito/ties/", "/programs/"):
        assert f"{quote(path)}</loc>" in sitemap, path
    assert summary.pages_total > 0


def test_publishing_a_program_rebuilds_its_page_and_lists_only(tmp_path, ties):
    build_into(tmp_path)
    farm_file = public_path(ties.farm).strip("/") + "/index.html"
    ties.farm.capacity = 4  # not on the cards: the page alone changes
    ties.farm.save_revision().publish()
    written = set(build_into(tmp_path, full=False).written_paths)
    assert farm_file in written and "programs/index.html" not in written
    assert "4名" in read(tmp_path, public_path(ties.farm))
    ties.farm.deadline = ties.farm.starts_on  # on the cards: the lists too
    ties.farm.save_revision().publish()
    written = set(build_into(tmp_path, full=False).written_paths)
    assert farm_file in written
    assert {"towns/mito/ties/index.html", "programs/index.html"} <= written
    assert not any(p.startswith("towns/tsukuba/") for p in written), written


def test_built_program_pages_pass_axe_on_a_phone(
    tmp_path, ties, phone_page, axe_source
):
    build_into(tmp_path)
    server = serve_folder(tmp_path / "output")
    host, port = server.server_address
    found = {}
    try:
        for path in (public_path(ties.farm), "/towns/mito/ties/", "/programs/"):
            phone_page.goto(f"http://{host}:{port}{quote(path)}")
            assert fits_the_screen(phone_page), path
            found[path] = axe_violations(phone_page, axe_source)
    finally:
        server.shutdown()
        server.server_close()
    assert {path: v for path, v in found.items() if v} == {}

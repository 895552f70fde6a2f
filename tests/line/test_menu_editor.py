"""The rich menu area editor in Chromium: staff drag over the menu image and the
area (bounds in image pixels, action from the prompts) lands in the JSON field.
The page is the widget's own HTML, loaded without a server."""

import json
from pathlib import Path

import pytest

from cms.line.wagtail_hooks import AreasEditorWidget

SCRIPT = Path(__file__).resolve().parents[2] / "cms/line/static/line/menu_editor.js"


def test_dragging_over_the_image_adds_a_tap_area(desktop_page):
    widget = AreasEditorWidget().render("areas", "[]", {"id": "id_areas"})
    desktop_page.set_content(
        '<form style="width:1000px"><select name="size">'
        '<option value="2500x1686" selected>大</option></select>'
        f"{widget}</form>"
    )
    desktop_page.add_script_tag(path=str(SCRIPT))
    answers = iter(["子育て", "postback", "ask=子育て"])
    desktop_page.on("dialog", lambda dialog: dialog.accept(next(answers)))
    stage = desktop_page.locator("[data-line-menu-editor] > div")
    box = stage.bounding_box()
    assert box["width"] == pytest.approx(800, abs=2)  # max-width 50rem
    # From (10%, 20%) to (40%, 60%) of the stage.
    desktop_page.mouse.move(
        box["x"] + 0.1 * box["width"], box["y"] + 0.2 * box["height"]
    )
    desktop_page.mouse.down()
    desktop_page.mouse.move(
        box["x"] + 0.4 * box["width"], box["y"] + 0.6 * box["height"], steps=5
    )
    desktop_page.mouse.up()
    areas = json.loads(desktop_page.locator("#id_areas").input_value())
    assert len(areas) == 1
    bounds = areas[0]["bounds"]
    assert bounds["x"] == pytest.approx(250, abs=5)
    assert bounds["y"] == pytest.approx(337, abs=5)
    assert bounds["width"] == pytest.approx(750, abs=5)
    assert bounds["height"] == pytest.approx(674, abs=5)
    assert areas[0]["action"] == {
        "type": "postback",
        "label": "子育て",
        "data": "ask=子育て",
        "displayText": "子育て",
    }
    assert desktop_page.get_by_text("1. 子育て").is_visible()
    desktop_page.get_by_role("button", name="領域1を削除").click()
    assert json.loads(desktop_page.locator("#id_areas").input_value()) == []


def test_imagemap_areas_are_drawn_in_1040_wide_coordinates(desktop_page):
    widget = AreasEditorWidget(
        size="1040x520", max_areas=50, actions="動作: uri（リンク） / message"
    ).render("imagemap_areas", "[]", {"id": "id_imagemap_areas"})
    desktop_page.set_content(f'<form style="width:1000px">{widget}</form>')
    desktop_page.add_script_tag(path=str(SCRIPT))
    prompts = []

    def answer(dialog):
        prompts.append(dialog.message)
        dialog.accept(
            ["フェア", "uri", "https://iju.example.jp/fair"][len(prompts) - 1]
        )

    desktop_page.on("dialog", answer)
    stage = desktop_page.locator("[data-line-menu-editor] > div")
    box = stage.bounding_box()
    assert box["height"] == pytest.approx(box["width"] / 2, abs=2)  # 1040×520
    desktop_page.mouse.move(box["x"], box["y"])
    desktop_page.mouse.down()
    desktop_page.mouse.move(
        box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"], steps=5
    )
    desktop_page.mouse.up()
    (area,) = json.loads(desktop_page.locator("#id_imagemap_areas").input_value())
    assert area["bounds"]["width"] == pytest.approx(520, abs=5)
    assert area["bounds"]["height"] == pytest.approx(260, abs=5)
    assert area["action"] == {
        "type": "uri",
        "label": "フェア",
        "uri": "https://iju.example.jp/fair",
    }
    assert prompts[1].startswith("動作: uri（リンク） / message")
    assert "最大50" in desktop_page.locator("[data-line-menu-editor] p").inner_text()

"""attn_lib.views._html: the builders every view draws with, read back as a tree."""

import base64
import io

import numpy as np
import pytest
from _html_tree import parse, read_table
from matplotlib import colormaps
from matplotlib.image import imread

from attn_lib.views import _html


def one_table(markup):
    return read_table(parse(markup).one("table"))


# ----- colours -----------------------------------------------------------------------------------
def test_cividis_is_matplotlibs_cividis_in_256_steps():
    expected = colormaps["cividis"](np.linspace(0, 1, 256))[:, :3]
    got = np.array([[int(c[k:k + 2], 16) for k in (1, 3, 5)] for c in _html.CIVIDIS]) / 255
    np.testing.assert_allclose(got, expected, atol=1 / 255)


@pytest.mark.parametrize("v, lo, hi, index", [(0.0, 0, 1, 0), (1.0, 0, 1, 255), (0.5, 0, 1, 127), (-3.0, 0, 1, 0),
                                              (7.0, 0, 1, 255), (0.0, -1, 1, 127), (-1.0, -1, 1, 0)])
def test_shade_maps_the_range_onto_the_colour_table(v, lo, hi, index):
    assert _html.shade(v, lo, hi) == _html.CIVIDIS[index]


def test_ink_is_white_on_dark_cividis_and_black_on_light():
    assert [_html.ink(v) for v in (0.0, 0.3, 0.7, 1.0)] == ["#fff", "#fff", "#000", "#000"]


def test_ink_reaches_aa_contrast_on_every_cividis_colour():
    """WCAG AA asks 4.5:1 for small text; the old rule (black above 0.5) gave 4.25:1 just below 0.5."""
    worst = min(_html.contrast(_html.shade(v), _html.ink(v).replace("#fff", "#ffffff").replace("#000", "#000000"))
                for v in np.linspace(0, 1, 1001))
    assert worst >= 4.5


# ----- tables ------------------------------------------------------------------------------------
def test_table_has_a_caption_scoped_headers_and_the_cells_given():
    markup = _html.table_html([[_html.number_td(1.234), _html.td("x")], [_html.number_td(-0.5), _html.td("y")]],
                              ["r0", "r1"], ["c0", "c1"], "My caption", "mine", row_classes={1: "picked"})
    panel = parse(markup).one("div", "attn-view")
    assert panel["data-view"] == "mine"
    table = read_table(panel.one("table", "attn-table"))
    assert table.caption == "My caption"
    assert (table.columns, table.rows) == (["c0", "c1"], ["r0", "r1"])
    assert [[c.text for c in row] for row in table.cells] == [["1.23", "x"], ["-0.50", "y"]]
    trs = panel.one("tbody").find_all("tr")
    assert [tr.get("class") for tr in trs] == [None, "picked"]


def test_table_view_defaults_to_the_caption_and_may_have_no_header_row():
    panel = parse(_html.table_html([[_html.number_td(2.0)]], ["only"], None, "Lonely")).one("div", "attn-view")
    assert panel["data-view"] == "Lonely"
    assert panel.find_all("thead") == []
    assert read_table(panel.one("table")).rows == ["only"]


def test_mark_outlines_the_header_cells_of_one_row_and_one_column():
    markup = _html.matrix_html(np.eye(3), list("abc"), list("abc"), "t", mark=1)
    marked = parse(markup).find_all("th", "attn-mark")
    assert [(th.text, th["scope"]) for th in marked] == [("b", "col"), ("b", "row")]


def test_colored_matrix_cells_carry_their_value_and_its_colour():
    values = np.array([[0.0, 0.25], [0.75, 1.0]])
    table = one_table(_html.matrix_html(values, ["a", "b"], ["x", "y"], "heat", colored=True, highlight_row=1))
    np.testing.assert_array_equal(table.values(), values)
    for row, numbers in zip(table.cells, values):
        for cell, v in zip(row, numbers):
            assert cell["style"] == f"background:{_html.shade(v)};color:{_html.ink(v)}"
    plain = one_table(_html.matrix_html(values, ["a", "b"], ["x", "y"], "plain"))
    assert all("style" not in cell.attrs for row in plain.cells for cell in row)


def test_highlight_row_is_the_query_row():
    tree = parse(_html.matrix_html(np.zeros((3, 2)), list("abc"), ["x", "y"], "t", highlight_row=2))
    assert [tr.one("th").text for tr in tree.find_all("tr", "attn-query")] == ["c"]


def test_text_is_escaped_everywhere():
    evil = "<script>alert('x')</script>"
    markup = (_html.matrix_html([[1.0]], [evil], [evil], evil, view=evil)
              + _html.bars_html([evil], [0.5], title=evil) + _html.text_div("note", evil)
              + _html.signed_bars_html([evil], [0.5], 1.0, evil, evil))
    tree = parse(markup)
    assert tree.find_all("script") == []
    assert tree.text.count(evil) == 8               # caption, column, row, bar, bars' title, note, title, label
    assert [node["data-view"] for node in tree.find_all("div", "attn-view")] == [evil, evil]
    assert tree.one("div", "attn-signed-bar")["data-label"] == evil


def test_a_cell_can_span_columns():
    cell = parse(_html.td("all of them", "attn-error", colspan=4)).one("td")
    assert (cell["colspan"], cell.classes, cell.text) == ("4", {"attn-error"}, "all of them")


# ----- bars --------------------------------------------------------------------------------------
def test_bars_are_300_px_per_unit_with_the_highlight_in_orange():
    tree = parse(_html.bars_html(["a", "b", "c"], [0.2, 0.5, 0.3], highlight=1, title="T"))
    box = tree.one("div", "attn-bars")
    assert box.elements[0].text == "T"
    rows = box.elements[1:]
    assert [r.elements[0].text for r in rows] == ["a", "b", "c"]
    assert [r.one("span", "attn-value").text for r in rows] == ["0.20", "0.50", "0.30"]
    bars = [r.elements[1]["style"] for r in rows]
    assert [b.split("width:")[1].split("px")[0] for b in bars] == ["60.0", "150.0", "90.0"]
    assert [b.rsplit("background:", 1)[1] for b in bars] == [_html.BLUE, _html.ORANGE, _html.BLUE]


def test_signed_bars_grow_from_the_centre_and_stop_at_the_limit():
    tree = parse(_html.signed_bars_html(["up", "down", "huge"], [1.0, -0.5, -9.0], 2.0, "T", "scores", half=100))
    panel = tree.one("div", "attn-view", data_view="scores")
    assert panel.one("div", "attn-title").text == "T"
    rows = panel.find_all("div", "attn-signed-bar")
    assert [(r["data-label"], float(r["data-value"])) for r in rows] == [("up", 1.0), ("down", -0.5), ("huge", -9.0)]
    assert [r.one("span", "attn-value").text for r in rows] == ["+1.00", "-0.50", "-9.00"]

    def fill(row):
        style = dict(part.split(":") for part in row.one("span", "attn-fill")["style"].split(";"))
        return float(style["left"][:-2]), float(style["width"][:-2]), style["background"]
    assert fill(rows[0]) == (100.0, 50.0, _html.BLUE)             # right of the axis, half of a half-bar
    assert fill(rows[1]) == (75.0, 25.0, _html.VERMILLION)        # left of the axis
    assert fill(rows[2]) == (0.0, 100.0, _html.VERMILLION)        # cut at the limit


# ----- SVG and images ----------------------------------------------------------------------------
@pytest.mark.parametrize("x, y", [(100.0, 0.0), (-30.0, 40.0), (0.0, -80.0)])
def test_arrow_ends_at_its_tip(x, y):
    group = parse(_html.arrow_svg(x, y, "#123456", 3.0, "arrow", {"word": "w"})).one("g", "arrow")
    assert group["data-word"] == "w"
    tip = group.one("polygon")["points"].split()[0]
    assert tuple(float(v) for v in tip.split(",")) == (x, y)
    line = group.one("line")
    assert np.hypot(float(line["x2"]), float(line["y2"])) < np.hypot(x, y)      # the shaft stops at the head


def test_svg_is_well_formed_and_sized():
    svg = parse(_html.svg_html("plot", 120, 80, _html.svg_text(1, 2, "a < b", "end"), font_size=13)).one("svg")
    assert (svg["class"], svg["width"], svg["height"], svg["font-size"]) == ("plot", "120", "80", "13")
    assert svg.one("text").text == "a < b" and svg.one("text")["text-anchor"] == "end"


@pytest.mark.parametrize("image", [np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10,
                                   np.linspace(-0.5, 1.5, 18).reshape(2, 3, 3)])
def test_png_data_uri_round_trips_uint8_and_clips_floats(image):
    uri = _html.png_data_uri(image)
    assert uri.startswith("data:image/png;base64,")
    back = imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))[..., :3]        # floats in [0, 1]
    expected = image / 255 if image.dtype == np.uint8 else np.clip(image, 0, 1)
    np.testing.assert_allclose(back, expected, atol=1 / 255)


# ----- style sheets and the tree helper ----------------------------------------------------------
@pytest.mark.parametrize("name", ["LIVE_STYLE", "EXPLORER_STYLE", "MASK_EDITOR_STYLE", "HEAD_VIEWER_STYLE",
                                  "POSITION_STYLE", "SCALING_STYLE", "QUERY_ROTATION_STYLE",
                                  "PATCH_ATTENTION_STYLE", "ATTENTION_VIEWER_STYLE"])
def test_each_style_sheet_is_one_style_element(name):
    tree = parse(getattr(_html, name))
    assert [node.tag for node in tree.elements] == ["style"]
    css = tree.one("style").text
    assert css.count("{") == css.count("}") > 0


@pytest.mark.parametrize("markup", ["<div><span></div>", "<div>", "<table><tr></table>"])
def test_the_tree_helper_refuses_markup_that_is_not_well_formed(markup):
    with pytest.raises(AssertionError):
        parse(markup)


def test_the_tree_helper_refuses_unlabelled_header_cells():
    with pytest.raises(AssertionError, match="scope"):
        read_table(parse("<table><caption>c</caption><thead><tr><th></th><th>x</th></tr></thead>"
                         "<tbody><tr><th scope='row'>r</th><td>1</td></tr></tbody></table>").one("table"))

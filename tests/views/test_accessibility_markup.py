"""Accessibility of every live view, read from Python (the browser checks are in tests/browser).

- every control has an accessible name (a description, or a checkbox's tooltip, which ipywidgets
  puts on the box as its title);
- every number a view draws is also text: tables with a caption and scoped header cells, bars
  with their value printed and the bar itself hidden from screen readers, SVGs either named
  images (``role='img'`` and a summary with the numbers) or hidden beside a text equivalent;
- text colours come from theme variables that reach 4.5:1 on JupyterLab's Light and Dark pages;
- snapshots (matplotlib) have an opaque white background even where the inline backend makes
  figures transparent, so they read on a dark page;
- the presenter switch.
"""

from __future__ import annotations

import io
import re
import tempfile

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from _html_tree import parse
from _tiny_bert import write_tiny_checkpoint
from matplotlib.image import imread

import attn_lib as al
from attn_lib.plots.charts import figure_png
from attn_lib.views import _html
from attn_lib.views import presenter as presenter_module

CONTROLS = (widgets.widgets.widget_description.DescriptionWidget,)
LIGHT_PAGE, DARK_PAGES = "#ffffff", ("#111111", "#212121")      # jp-layout-color0/1 of each theme


@pytest.fixture(scope="module")
def views():
    """One of every live view, as small as the constructors allow."""
    from attn_lib import views as V
    from attn_lib.lessons import lesson10, lesson11
    from attn_lib.model.checkpoint import load_pretrained
    model = load_pretrained(write_tiny_checkpoint(tempfile.mkdtemp() + "/ckpt"))
    return {
        "ScoreSliders": V.ScoreSliders("The cat sat on the mat", [0.0, 1.0, -1.0, 0.5, 0.0, 1.5]),
        "AttentionExplorer": V.AttentionExplorer(),
        "ScalingExplorer": V.ScalingExplorer(d=64),
        "QueryRotation": V.QueryRotation(),
        "MaskEditor": V.MaskEditor(),
        "PermutationView": V.PermutationView(),
        "PositionEncodingView": V.PositionEncodingView(),
        "HeadViewer": V.HeadViewer(),
        "PatchAttentionView": V.PatchAttentionView(),
        "AttentionViewer": V.AttentionViewer(model, "the cat sat on the mat"),
        "TrainingReplay": V.TrainingReplay(lesson10.train(steps=20, save_every=5)),
        "SamplingView": V.SamplingView(lesson11.train(steps=20)[0]),
        "OnlineSoftmaxView": V.OnlineSoftmaxView(),
    }


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def accessible_name(control) -> str:
    """What a screen reader announces for an ipywidgets control, as ipywidgets 8 renders it."""
    name = control.description or ""
    if isinstance(control, widgets.Checkbox) and not name:
        name = control.tooltip or ""                      # becomes the checkbox's title
    if isinstance(control, widgets.Button) and not name:
        name = control.tooltip or ""
    return name.strip()


def html_of(view) -> str:
    return "".join(w.value for w in walk(view) if isinstance(w, widgets.HTML))


# ----- names ---------------------------------------------------------------------------------------
def test_every_control_of_every_view_has_an_accessible_name(views):
    nameless = [f"{name}: {type(w).__name__}" for name, view in views.items() for w in walk(view)
                if isinstance(w, CONTROLS) and not isinstance(w, (widgets.HTML, widgets.Label))
                and not accessible_name(w)]
    assert nameless == []


def test_the_explorer_weight_cells_say_which_matrix_row_and_column(views):
    cell = views["AttentionExplorer"].cells["W_K"][1][2]
    assert cell.description == "W_K row 'object', column d3"
    assert cell.style.description_width == "0px"           # the grid's own labels show it on screen


def test_the_mask_editor_boxes_say_which_query_may_see_which_key(views):
    editor = views["MaskEditor"]
    name = f"'{editor.tokens[1]}' may attend to '{editor.tokens[5]}'"
    assert editor.boxes[1][5].description == editor.boxes[1][5].tooltip == name
    assert "label > span {position: absolute" in editor.STYLE          # shown to screen readers only


# ----- numbers as text -----------------------------------------------------------------------------
def test_every_table_has_a_caption_and_scoped_headers(views):
    for name, view in views.items():
        for table in parse(html_of(view)).find_all("table"):
            assert table.find_all("caption") and table.find_all("caption")[0].text.strip(), name
            headers = table.find_all("th")
            assert headers and all(th.get("scope") in ("col", "row") or not th.text.strip() for th in headers), name


def test_every_svg_is_a_named_image_or_hidden(views):
    for name, view in views.items():
        for svg in parse(html_of(view)).find_all("svg"):
            named = svg.get("role") == "img" and len(svg.get("aria-label", "").split()) >= 6
            assert named or svg.get("aria-hidden") == "true", (name, svg)


def test_svg_summaries_carry_the_numbers(views):
    """The patch overlay's summary lists every weight the picture prints."""
    view = views["PatchAttentionView"]
    svg = parse(html_of(view)).one("svg", "vit-overlay")
    weights = view.state()["weights"][view.state()["patch"]]
    assert re.findall(r"\d\.\d\d", svg["aria-label"]) == [f"{w:.2f}" for w in weights]


def test_the_attention_viewer_has_its_weights_as_a_table(views):
    viewer = views["AttentionViewer"]
    details = parse(html_of(viewer)).one("details", "attn-details")
    assert details.one("summary").text == "Weights as numbers"
    cells = [td.text for td in details.find_all("td") if td.text.strip()]
    assert cells == [f"{w:.2f}" for w in viewer.weights.ravel()]


def test_bars_print_their_values_and_hide_the_bar_itself():
    tree = parse(_html.bars_html(["a", "b"], [0.25, 0.75], title="Weights"))
    bars = tree.one("div", "attn-bars")
    assert bars["role"] == "figure" and bars["aria-label"] == "Weights"
    assert [s.text for s in bars.find_all("span", "attn-value")] == ["0.25", "0.75"]
    assert len(bars.find_all("span", aria_hidden="true")) == 2


def test_signed_bars_hide_the_track_and_print_the_value():
    panel = parse(_html.signed_bars_html(["a", "b"], [0.5, -1.0], 1.0, "Scores", "scores"))
    assert len(panel.find_all("span", "attn-track", aria_hidden="true")) == 2
    assert [s.text for s in panel.find_all("span", "attn-value")] == ["+0.50", "-1.00"]


# ----- colours -------------------------------------------------------------------------------------
def _theme_inks(rule_selector):
    block = re.search(re.escape(rule_selector) + r" \{([^}]*)\}", _html.LIVE_STYLE).group(1)
    return dict(re.findall(r"--attn-ink-(\w+): (#[0-9A-Fa-f]{6})", block))


def test_text_inks_reach_aa_contrast_in_both_themes():
    light, dark = _theme_inks(".attn-live"), _theme_inks("body[data-jp-theme-light='false'] .attn-live")
    assert set(light) == set(dark) == {"blue", "vermillion", "grey"}
    assert all(_html.contrast(ink, LIGHT_PAGE) >= 4.5 for ink in light.values()), light
    assert all(_html.contrast(ink, page) >= 4.5 for ink in dark.values() for page in DARK_PAGES), dark


def test_no_view_style_sheet_hard_codes_a_text_colour_without_its_background():
    """A fixed text colour is fine on a fixed background (a mask cell); alone it breaks in one theme."""
    sheets = [value for name, value in vars(_html).items() if name.endswith("_STYLE") and isinstance(value, str)]
    for sheet in sheets:
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
            if re.search(r"(^|;|\s)color:\s*#", body):
                assert "background" in body, (selector.strip(), body)


def test_data_colours_stay_okabe_ito_and_cividis():
    assert (_html.BLUE, _html.ORANGE, _html.VERMILLION) == ("#0072B2", "#E69F00", "#D55E00")
    assert _html.CIVIDIS[0] != _html.CIVIDIS[-1] and len(_html.CIVIDIS) == 256


# ----- snapshots on a dark page ---------------------------------------------------------------------
def test_snapshots_are_opaque_even_under_the_inline_backends_transparent_default(views):
    with matplotlib.rc_context({"figure.facecolor": (1, 1, 1, 0), "savefig.transparent": False}):
        for name, view in views.items():
            image = imread(io.BytesIO(figure_png(view.static_figure())))
            assert image.shape[2] == 3 or image[..., 3].min() == 1.0, name


def test_course_figures_are_opaque_under_the_inline_backends_default():
    with matplotlib.rc_context({"figure.facecolor": (1, 1, 1, 0)}):
        figures = [al.heatmap(np.eye(3), list("abc")), al.bar_chart(list("abc"), [0.2, 0.3, 0.5])]
        for fig in figures:
            assert tuple(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


# ----- presenter -------------------------------------------------------------------------------------
def test_presenter_on_and_off_changes_one_hidden_style_widget():
    switch = al.presenter(True)
    try:
        assert switch.layout.display == "none"
        assert f"font-size: {presenter_module.PRESENTER_FONT_PX}px !important" in switch.value
        assert al.presenter(False) is switch and switch.value == ""
    finally:
        al.presenter(False)


def test_presenter_wants_a_bool():
    with pytest.raises(TypeError, match="on must be True or False"):
        al.presenter("yes")

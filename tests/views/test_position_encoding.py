"""The position encoding view of notebook 06, driven from Python: the heatmap frames the chosen
position, the bars print its encoding, the line shows its similarity to every position."""

from __future__ import annotations

import base64
import time

import numpy as np
import pytest
from _html_tree import parse

import attn_lib as al
from attn_lib.views.position_encoding import PositionEncodingView

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def root(view):
    return parse(view.view.value).one("div", "position-encoding-view")


def data_version(view) -> int:
    return int(root(view)["data-version"])


@pytest.fixture
def enc():
    return PositionEncodingView()


class TestPositionEncodingView:
    def test_state_is_the_sinusoidal_matrix(self, enc):
        s = enc.state()
        P = al.sinusoidal_positions(32, 16)
        np.testing.assert_allclose(s["P"], P)
        np.testing.assert_allclose(s["encoding"], P[3])
        np.testing.assert_allclose(s["similarity"], P @ P[3])
        assert data_version(enc) == enc.version == 1

    def test_view_prints_the_encoding_and_frames_the_row(self, enc):
        for position in (0, 3, 17, 31):
            enc.position_slider.value = position
            view = root(enc)
            bars = view.one("div", "attn-view", data_view="encoding")
            assert bars.one("div", "attn-title").text == f"Encoding of position {position}"
            shown = [v.text for v in bars.find_all("span", "attn-value")]
            assert shown == [f"{v:+.2f}" for v in al.sinusoidal_positions(32, 16)[position]]
            frame = view.one("rect", "pos-frame")
            assert (frame["x"], frame["y"]) == ("-1", str(position * enc.CELL - 1))
            assert view["data-position"] == str(position)
            assert view.one("div", "pos-caption").text.startswith(f"P[{position}] · itself = 8.00 (= d_model / 2)")

    def test_the_heatmap_has_one_cell_per_entry_in_its_colour(self, enc):
        heat = root(enc).one("div", "attn-view", data_view="encodings")
        assert heat.one("div", "attn-title").text == "All encodings (rows: positions)"
        cells = heat.one("svg", "pos-heat").find_all("rect", fill=None)
        cells = [c for c in cells if "pos-frame" not in c.classes]
        assert len(cells) == 32 * 16
        P = enc.state()["P"]
        for cell in cells[::37]:
            i, j = int(cell["y"]) // enc.CELL, int(cell["x"]) // enc.CELL
            assert cell["fill"] == al.views._html.shade(P[i, j], -1, 1)

    @pytest.mark.parametrize("slider, value", [("position_slider", 10), ("d_model_slider", 8)])
    def test_each_control_changes_the_view_and_bumps_the_version_once(self, enc, slider, value):
        before, version = enc.view.value, enc.version
        getattr(enc, slider).value = value
        assert enc.view.value != before
        assert enc.version == version + 1 == data_version(enc)

    def test_d_model_changes_the_number_of_bars_and_columns(self, enc):
        enc.d_model_slider.value = 8
        view = root(enc)
        bars = view.find_all("div", "attn-signed-bar")
        assert [b["data-label"] for b in bars] == [f"{j} {'sin' if j % 2 == 0 else 'cos'}" for j in range(8)]
        assert len(view.one("svg", "pos-heat").find_all("rect")) == 32 * 8 + 1           # and the frame
        assert view["data-d-model"] == "8" and "itself = 4.00" in view.one("div", "pos-caption").text

    def test_similarity_axis_spans_the_values(self, enc):
        for d_model, labels in ((16, ["0", "8"]), (2, ["-1", "0", "1"])):
            enc.d_model_slider.value = d_model
            svg = root(enc).one("svg", "pos-similarity")
            assert [t.text for t in svg.find_all("text", text_anchor="end")] == labels
            peak = svg.one("circle", "pos-self")
            assert (peak["cx"], peak["cy"]) == (f"{46 + 362 * 3 / 31:.1f}", "12.0")        # the peak is at the top

    def test_the_similarity_line_goes_through_every_position(self, enc):
        s = enc.state()
        svg = root(enc).one("svg", "pos-similarity")
        points = [tuple(map(float, p.split(","))) for p in svg.one("polyline")["points"].split()]
        assert len(points) == 32
        ys = np.array([y for _, y in points])
        assert np.argsort(ys).tolist()[0] == s["position"]                     # highest on screen: itself
        np.testing.assert_allclose(ys, 12 + 200 * (8 - s["similarity"]) / (8 - 0), atol=0.06)

    def test_the_similarity_peaks_at_the_position_and_the_neighbour_is_next(self, enc):
        for position in (2, 12, 25):
            enc.position_slider.value = position
            s = enc.state()
            order = np.argsort(s["similarity"])[::-1]
            assert order[0] == position
            assert abs(order[1] - position) == 1
            near = enc.neighbours(s)
            assert near["itself"] == pytest.approx(8.0)
            assert near["1 away"] > near["5 away"]

    def test_mimebundle_has_png_and_text_table(self, enc):
        enc.position_slider.value = 7
        bundle = enc._repr_mimebundle_()
        assert WIDGET_MIME in bundle
        assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
        lines = bundle["text/plain"].splitlines()
        assert lines[0] == "Encoding of position 7, d_model = 16"
        assert lines[1].split()[:4] == ["0", "sin", "1", "cos"]
        assert lines[2].split()[1:] == [f"{v:.2f}" for v in al.sinusoidal_positions(8, 16)[7]]

    def test_static_figure_shows_the_current_state(self, enc):
        enc.position_slider.value = 9
        fig = enc.static_figure()
        heat, bars, line = fig.axes[:3]                                         # the colour bar comes after
        assert heat.get_images()[0].get_array().shape == (32, 16)
        np.testing.assert_allclose([p.get_height() for p in bars.patches], enc.state()["encoding"])
        assert bars.get_title() == "Encoding of position 9"
        np.testing.assert_allclose(line.lines[0].get_ydata(), enc.state()["similarity"])

    @pytest.mark.parametrize("kwargs, fragment", [
        ({"d_model": 7}, "d_model must be even"), ({"d_model": 64}, "d_model must be even"),
        ({"position": 40}, "position must be"), ({"position": -1}, "position must be"),
        ({"n_positions": 1}, "n_positions must be between"), ({"n_positions": 100}, "n_positions must be between"),
    ])
    def test_bad_start_values(self, kwargs, fragment):
        with pytest.raises(ValueError, match=fragment):
            PositionEncodingView(**kwargs)


def test_report_update_times(capsys):
    """Not a timing assertion: prints the kernel time of 100 updates per control (see benchmarks/)."""
    enc = PositionEncodingView()
    cases = {
        "PositionEncodingView position": lambda i: setattr(enc.position_slider, "value", (i * 7) % 32),
        "PositionEncodingView d_model": lambda i: setattr(enc.d_model_slider, "value", 2 + (2 * i) % 32),
    }
    with capsys.disabled():
        for name, step in cases.items():
            start = time.perf_counter()
            for i in range(1, 101):
                step(i)
            per_event = (time.perf_counter() - start) / 100 * 1000
            print(f"\n{name}: {per_event:.2f} ms per update (100 updates)", end="")
    assert enc.version > 200 and data_version(enc) == enc.version

"""attn_lib.plots.charts: the heatmap and the bar chart of the notebooks."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_lib.plots.charts import bar_chart, figure_png, heatmap


class TestCharts:
    def test_heatmap(self):
        w = np.array([[0.7, 0.3, 0.0], [0.125, 0.5, 0.375]])
        fig = heatmap(w, ["cat", "sat"], ["The", "cat", "sat"], title="my title")
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["The", "cat", "sat"]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "sat"]
        assert [t.get_text() for t in ax.texts] == ["0.70", "0.30", "0.00", "0.12", "0.50", "0.38"]
        assert ax.get_title() == "my title"
        assert len(fig.axes) == 2                              # the heatmap and its colour bar

    def test_heatmap_square_defaults_and_no_annotation(self):
        fig = heatmap(np.eye(4), ["a", "b", "c", "d"], annotate=False, vmin=None, vmax=None)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c", "d"]
        assert len(ax.texts) == 0

    def test_heatmap_draws_into_given_axes(self):
        fig = Figure()
        ax = fig.add_subplot()
        assert heatmap(np.eye(2), ["a", "b"], ax=ax) is fig
        assert len(ax.texts) == 4

    def test_heatmap_label_count_checked(self):
        with pytest.raises(ValueError, match="row_labels"):
            heatmap(np.eye(3), ["a", "b"])

    def test_bar_chart(self):
        fig = bar_chart(["The", "cat", "sat"], [0.2, 0.5, 0.3], highlight=1, title="attention of cat")
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["The", "cat", "sat"]
        assert [t.get_text() for t in ax.texts] == ["0.20", "0.50", "0.30"]
        assert len(ax.patches) == 3
        colors = [p.get_facecolor() for p in ax.patches]
        assert colors[0] == colors[2] != colors[1]
        np.testing.assert_allclose([p.get_height() for p in ax.patches], [0.2, 0.5, 0.3])


def test_figure_png_is_the_figure_as_png_bytes_at_80_dpi():
    fig = bar_chart(["a", "b"], [0.25, 0.75])
    png = figure_png(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")   # the IHDR chunk
    assert (width, height) == tuple(round(v) for v in fig.get_size_inches() * 80)

"""attn_lib.plots.lesson03: the figures of the scaling lesson plot what lessons.lesson03 computes."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_lib.lessons.lesson03 import max_weight, score_spread
from attn_lib.plots.lesson03 import scaling_figure, vectors_figure


class TestFigures:
    def test_scaling_figure_plots_what_the_functions_compute(self):
        fig = scaling_figure(ds=(4, 64), n_keys=8)
        assert isinstance(fig, Figure)
        left, right = fig.axes
        raw_line, scaled_line = left.get_lines()
        np.testing.assert_allclose(raw_line.get_ydata(), [score_spread(d)["raw_variance"] for d in (4, 64)])
        np.testing.assert_allclose(scaled_line.get_ydata(), [score_spread(d)["scaled_variance"] for d in (4, 64)])
        raw_max, scaled_max = right.get_lines()[:2]
        np.testing.assert_allclose(raw_max.get_ydata(), [max_weight(d, scale=False) for d in (4, 64)])
        np.testing.assert_allclose(scaled_max.get_ydata(), [max_weight(d) for d in (4, 64)])
        assert raw_line.get_color() != scaled_line.get_color()
        assert all(t.get_fontsize() >= 12 for ax in fig.axes for t in ax.get_xticklabels())
        assert all(ax.xaxis.label.get_fontsize() >= 14 for ax in fig.axes)

    def test_scaling_figure_needs_two_widths(self):
        with pytest.raises(ValueError, match="ds"):
            scaling_figure(ds=(4,))
        with pytest.raises(ValueError, match="ds"):
            scaling_figure(ds=(4, 0))

    def test_vectors_figure_draws_one_arrow_and_label_per_vector(self):
        fig = vectors_figure(np.array([[2.0, 1.0], [-1.0, 2.0]]), ["q", "k"], title="t")
        ax = fig.axes[0]
        labels = [t.get_text() for t in ax.texts if t.get_text()]
        assert labels == ["q", "k"]
        assert [t.xy for t in ax.texts if t.get_text()] == [(2.0, 1.0), (-1.0, 2.0)]

    @pytest.mark.parametrize("vectors, labels, match", [
        (np.zeros((2, 3)), ["a", "b"], "vectors"), (np.ones((2, 2)), ["a"], "labels"),
        ([[1.0, 2.0]], ["a"], "vectors"),
    ])
    def test_vectors_figure_bad_input(self, vectors, labels, match):
        with pytest.raises((TypeError, ValueError), match=match):
            vectors_figure(vectors, labels)

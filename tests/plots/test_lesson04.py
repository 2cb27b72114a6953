"""attn_lib.plots.lesson04: the grouped bar chart that compares feature vectors."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib.plots.lesson04 import compare_features


class TestCompareFeatures:
    def test_grouped_bars_colours_and_labels(self):
        vectors = {"before": al.embedding_of("bank"), "after": al.embedding_of("river")}
        fig = compare_features(vectors, title="bank", colors=["black", "green"])
        assert isinstance(fig, Figure)
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == list(al.FEATURES)
        assert len(ax.patches) == 2 * al.D_MODEL
        heights = [p.get_height() for p in ax.patches]
        np.testing.assert_allclose(heights[:8], vectors["before"])
        np.testing.assert_allclose(heights[8:], vectors["after"])
        assert ax.patches[0].get_facecolor()[:3] == pytest.approx((0, 0, 0))
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["before", "after"]
        assert min(t.get_fontsize() for t in ax.get_xticklabels()) >= 14

    def test_default_colours_differ(self):
        fig = compare_features({"a": np.ones(8), "b": np.ones(8), "c": np.ones(8)})
        colours = {fig.axes[0].patches[i * 8].get_facecolor() for i in range(3)}
        assert len(colours) == 3

    @pytest.mark.parametrize("vectors, colors, fragment", [
        ({"a": np.ones(7)}, None, r"vectors\['a'\] must have one value per feature"),
        ({"a": np.ones(8)}, ["red"], "Okabe-Ito"),
        ({"a": np.ones(8)}, ["blue", "green"], "one Okabe-Ito colour per vector"),
    ])
    def test_bad_input(self, vectors, colors, fragment):
        with pytest.raises(ValueError, match=fragment):
            compare_features(vectors, colors=colors)

    def test_vectors_must_be_a_dict(self):
        with pytest.raises(TypeError, match="dict"):
            compare_features([np.ones(8)])

"""attn_lib.plots.lesson07: the map of each head's columns and one heatmap per head."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib.plots.lesson07 import column_map, heads_figure


@pytest.mark.parametrize("d_model, h", [(8, 2), (8, 4), (12, 3), (6, 6), (5, 1)])
def test_column_map_matches_split_heads(rng, d_model, h):
    Q = rng.normal(size=(4, d_model))
    split = al.split_heads(Q, h)                                        # (h, 4, d)
    table = column_map(d_model, h)
    assert table.row_labels == ["head", "column inside the head"]
    for j, (head, inside) in enumerate(table.values.T.astype(int)):
        np.testing.assert_array_equal(split[head][:, inside], Q[:, j])


def test_column_map_prints_whole_numbers():
    text = repr(column_map(8, 2)).splitlines()
    assert text[2].split() == ["head"] + ["0"] * 4 + ["1"] * 4


def test_heads_figure_draws_one_heatmap_per_head():
    w = al.softmax(np.arange(3 * 4 * 4, dtype=float).reshape(3, 4, 4) % 5)
    fig = heads_figure(w, list("abcd"), titles=["x", "y", "z"], active=[True, False, True])
    assert isinstance(fig, Figure)
    titled = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in titled] == ["x", "y (off)", "z"]
    assert titled[1].images[0].get_alpha() == pytest.approx(0.3) and titled[0].images[0].get_alpha() is None
    assert f"{w[2, 3, 1]:.2f}" in [t.get_text() for t in titled[2].texts]
    with pytest.raises(ValueError, match=r"shape \(n_heads, n, n\)"):
        heads_figure(w[0], list("abcd"))

"""attn_lib.plots.lesson08: the image, its patches, the feature maps and the attention overlay."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from attn_lib.lessons.lesson08 import patch_tokens, sample_image
from attn_lib.plots import lesson08 as figures


def test_figures_return_figures_with_numbered_patches():
    img = sample_image()
    grid = figures.patch_grid_figure(img, 8)
    assert [t.get_text() for t in grid.axes[0].texts] == [str(i) for i in range(36)]
    assert len(figures.patch_sequence_figure(img, 8).axes) == 36
    assert isinstance(figures.image_figure(img), Figure)
    assert len(figures.feature_maps_figure(patch_tokens(img), 6, 6).axes) == 6     # 5 maps and a colour bar
    with pytest.raises(ValueError, match="weights_row"):
        figures.overlay_figure(img, np.ones(35) / 35, 0)


def test_overlay_darkness_is_zero_for_the_most_attended_patch_and_grows_as_attention_falls():
    w = np.array([0.1, 0.4, 0.0, 0.5])
    dark = figures.overlay_darkness(w)
    np.testing.assert_allclose(dark, 0.75 * (1 - w / 0.5))
    assert dark[3] == 0.0 and dark[2] == pytest.approx(0.75)
    assert np.all(np.diff(dark[np.argsort(w)]) <= 0)


def test_overlay_figure_prints_every_weight():
    img = sample_image()
    w = np.linspace(1, 2, 36) / np.linspace(1, 2, 36).sum()
    fig = figures.overlay_figure(img, w, 7)
    assert [t.get_text() for t in fig.axes[0].texts] == [f"{v:.2f}" for v in w]

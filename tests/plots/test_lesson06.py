"""attn_lib.plots.lesson06: the heatmap of sinusoidal position encodings."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import attn_lib as al
from attn_lib.plots.lesson06 import encoding_figure


def test_encoding_figure():
    fig = encoding_figure(al.sinusoidal_positions(50, 32), highlight=4)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_images()[0].get_array().shape == (50, 32)
    assert ax.get_ylabel() == "position"
    assert ax.patches[0].get_y() == pytest.approx(3.5)
    with pytest.raises(ValueError, match="^P must have shape"):
        encoding_figure(np.ones(5))

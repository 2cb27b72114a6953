"""attn_lib.plots.lesson09: every head's weights in one image, one pixel per weight."""

import numpy as np
from matplotlib import colormaps

from attn_lib.plots.lesson09 import mosaic


def cividis_uint8(values):
    """The heatmap colours of ``values`` in [0, 1], as uint8 RGB (straight from matplotlib)."""
    return (colormaps["cividis"](values)[..., :3] * 255).astype(np.uint8)


def test_mosaic_puts_head_h_of_layer_l_at_its_tile_with_white_gaps(rng):
    A = rng.random((2, 3, 4, 4))
    image = mosaic(A)
    assert image.shape == (2 * 5 - 1, 3 * 5 - 1, 3) and image.dtype == np.uint8
    np.testing.assert_array_equal(image[5:9, 10:14], cividis_uint8(A[1, 2]))        # layer 1, head 2
    assert (image[4, :] == 255).all() and (image[:, 4] == 255).all()

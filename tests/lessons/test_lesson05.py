"""attn_lib.lessons.lesson05: the mask editor's preset masks and what it says about an empty row."""

import numpy as np
import pytest

import attn_lib as al
from attn_lib.lessons.lesson05 import MASK_PRESETS, empty_row_message, preset_mask


@pytest.mark.parametrize("n", [1, 3, 6])
def test_preset_masks(n):
    np.testing.assert_array_equal(preset_mask("all", n), np.ones((n, n), dtype=bool))
    np.testing.assert_array_equal(preset_mask("causal", n), al.causal_mask(n))
    np.testing.assert_array_equal(preset_mask("only itself", n), np.eye(n, dtype=bool))
    assert all(preset_mask(name, n).dtype == bool for name in MASK_PRESETS[:3])


def test_reset_and_unknown_names_are_not_fixed_masks():
    assert MASK_PRESETS == ("all", "causal", "only itself", "reset")
    for name in ("reset", "window"):
        with pytest.raises(ValueError, match="name must be one of 'all', 'causal', 'only itself'"):
            preset_mask(name, 4)


def test_empty_row_message_names_the_query_and_the_way_out():
    message = empty_row_message("cat", 1)
    assert message.startswith("query 'cat' (row 1) may attend to nothing")
    assert "0/0" in message and "Tick at least one key" in message

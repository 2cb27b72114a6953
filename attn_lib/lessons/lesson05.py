"""Notebook 05's data: the mask editor's presets, and what to say about a query that may attend to
nothing.
"""

from __future__ import annotations

import numpy as np

from ..core.attention import causal_mask

MASK_PRESETS = ("all", "causal", "only itself", "reset")
"""The preset buttons: every key (BERT), causal (GPT), the diagonal only, the starting mask."""


def preset_mask(name: str, n: int) -> np.ndarray:
    """The mask of a preset button (``"reset"`` is not a fixed mask and is handled by the editor).

    Parameters
    ----------
    name : str
        ``"all"``, ``"causal"`` or ``"only itself"``.
    n : int
        Number of tokens.

    Returns
    -------
    np.ndarray of bool, shape (n, n)
    """
    if name == "all":
        return np.ones((n, n), dtype=bool)
    if name == "causal":
        return causal_mask(n)
    if name == "only itself":
        return np.eye(n, dtype=bool)
    raise ValueError(f"name must be one of 'all', 'causal', 'only itself'; got {name!r}")


def empty_row_message(token: str, row: int) -> str:
    """What the editor says about a query whose row of the mask is all False."""
    return (f"query '{token}' (row {row}) may attend to nothing: its softmax would be 0/0. "
            f"Tick at least one key in this row.")

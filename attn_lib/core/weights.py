"""Projection matrices for queries, keys and values.

Taught in notebook 01.
"""

from __future__ import annotations

import numpy as np

from . import validate


def random_weights(d_in: int, d_out: int, seed: int = 0) -> np.ndarray:
    """A reproducible random projection matrix, scaled so outputs keep roughly unit size.

    Entries are drawn from N(0, 1/d_in) with ``numpy.random.default_rng(seed)``.

    Taught in notebook 01, section 5 (From words to attention, step by step).

    Parameters
    ----------
    d_in : int
        Rows: the width of the vectors being projected (e.g. ``d_model``).
    d_out : int
        Columns: the width of the projected vectors (e.g. ``d_k``).
    seed : int, default 0
        The same seed gives the same matrix.

    Returns
    -------
    np.ndarray, shape (d_in, d_out)
    """
    d_in, d_out, seed = validate.random_weights_inputs(d_in, d_out, seed)
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.0 / np.sqrt(d_in), size=(d_in, d_out))   # (d_in, d_out)

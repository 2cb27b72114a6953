"""Projection matrices for queries, keys and values."""

from __future__ import annotations

import numpy as np

from .validate import as_positive_int


def random_weights(d_in: int, d_out: int, seed: int = 0) -> np.ndarray:
    """A reproducible random projection matrix, scaled so outputs keep roughly unit size.

    Entries are drawn from N(0, 1/d_in) with ``numpy.random.default_rng(seed)``.

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
    d_in, d_out = as_positive_int(d_in, "d_in"), as_positive_int(d_out, "d_out")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number >= 0; got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {seed}")
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.0 / np.sqrt(d_in), size=(d_in, d_out))

"""Positional encodings: giving tokens a sense of where they stand.

Taught in notebook 06.
"""

from __future__ import annotations

import numpy as np

from . import validate


def sinusoidal_positions(n: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The sinusoidal position encodings of "Attention Is All You Need".

    ``P[pos, 2i] = sin(pos / base^(2i/d_model))`` and
    ``P[pos, 2i+1] = cos(pos / base^(2i/d_model))``.

    Taught in notebook 06, section 3 (Sinusoidal position encodings).

    Parameters
    ----------
    n : int
        Number of positions, >= 1.
    d_model : int
        Width of each encoding, >= 1 (an odd width drops the last cosine).
    base : float, default 10000.0
        Sets the slowest wavelength (``2*pi*base``); must be > 1.

    Returns
    -------
    np.ndarray, shape (n, d_model)
        Row ``pos`` is added to the embedding of the token at position ``pos``.
    """
    n, d_model, base = validate.position_inputs(n, d_model, base)
    positions = np.arange(n)[:, None]                                   # (n, 1)
    rates = base ** (-np.arange(0, d_model, 2) / d_model)               # (ceil(d_model/2),)
    angles = positions * rates                                          # (n, ceil(d_model/2))
    P = np.zeros((n, d_model))                                          # (n, d_model)
    P[:, 0::2] = np.sin(angles)                                         # even columns
    P[:, 1::2] = np.cos(angles[:, : d_model // 2])                      # odd columns
    return P

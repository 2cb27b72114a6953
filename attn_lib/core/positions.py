"""Positional encodings: giving tokens a sense of where they stand."""

from __future__ import annotations

import numbers

import numpy as np

from .validate import as_positive_int


def sinusoidal_positions(n: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The sinusoidal position encodings of "Attention Is All You Need".

    ``P[pos, 2i] = sin(pos / base^(2i/d_model))`` and
    ``P[pos, 2i+1] = cos(pos / base^(2i/d_model))``.

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
    n, d_model = as_positive_int(n, "n"), as_positive_int(d_model, "d_model")
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a number > 1; got {base!r}")
    if not np.isfinite(base) or base <= 1:
        raise ValueError(f"base must be a finite number > 1; got {base!r}")
    positions = np.arange(n)[:, None]                                   # (n, 1)
    rates = base ** (-np.arange(0, d_model, 2) / d_model)               # (ceil(d_model/2),)
    angles = positions * rates                                          # (n, ceil(d_model/2))
    P = np.zeros((n, d_model))
    P[:, 0::2] = np.sin(angles)                                         # even columns
    P[:, 1::2] = np.cos(angles[:, : d_model // 2])                      # odd columns
    return P

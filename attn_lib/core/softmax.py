"""Softmax: turn raw scores into weights that are positive and sum to 1.

Taught in notebook 03 (first met in notebook 01).
"""

from __future__ import annotations

import numpy as np

from . import validate


def softmax(x, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Numerically stable softmax along one axis.

    ``softmax(x)_i = exp(x_i / T) / sum_j exp(x_j / T)``. The largest entry is
    subtracted first, so logits as large as 1e4 never overflow. Entries equal to
    ``-inf`` (masked positions) get weight exactly 0.

    Taught in notebook 03, section 6 (A softmax that never overflows), and the temperature
    in notebook 03, section 5 (Temperature: sharper or flatter); first met in notebook 01,
    section 3 (Attention as a row of weights).

    Parameters
    ----------
    x : np.ndarray, shape (..., n, ...)
        Raw scores (logits). Finite, or ``-inf`` for masked entries. Every
        slice along ``axis`` needs at least one finite entry.
    axis : int, default -1
        The axis that sums to 1.
    temperature : float, default 1.0
        T > 0. Small T sharpens the distribution towards the largest score;
        large T flattens it towards uniform.

    Returns
    -------
    np.ndarray, same shape as ``x``
        Non-negative weights that sum to 1 along ``axis``.

    Raises
    ------
    TypeError
        ``x`` is not a numeric numpy array, or ``temperature`` is not a number.
    ValueError
        ``x`` is empty or holds NaN / +inf, a slice is all ``-inf``, ``axis`` is
        out of range, or ``temperature <= 0``.
    """
    x, axis, temperature = validate.softmax_inputs(x, axis, temperature)
    x_max = x.max(axis=axis, keepdims=True)                  # (..., 1, ...) largest logit per slice
    z = (x - x_max) / temperature                             # <= 0 everywhere, 0 at the max
    e = np.exp(z)                                             # in [0, 1]; exp(-inf) = 0
    return e / e.sum(axis=axis, keepdims=True)                # each slice sums to 1

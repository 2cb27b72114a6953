"""Notebook 03's experiments: how the spread of dot products grows with d, how softmax saturates
without the division by sqrt(d), and a naive softmax that overflows.
"""

from __future__ import annotations

import numpy as np

from ..core.softmax import softmax
from ..core.validate import as_array, as_count, as_flag, as_positive_int, as_seed

D_VALUES = (4, 16, 64, 256, 1024)
"""The widths compared in the lesson's table and figure."""


D_OPTIONS = tuple(2 ** k for k in range(1, 11))
"""The widths offered by the slider of :class:`ScalingExplorer`: 2, 4, ..., 1024."""


def score_spread(d: int, n_pairs: int = 2000, seed: int = 0) -> dict:
    """Variance of the raw and of the scaled dot product of random vectors.

    Draws ``n_pairs`` pairs ``(q, k)`` whose ``d`` entries are independent
    standard normal numbers (mean 0, variance 1), and measures the variance of
    ``q . k`` and of ``q . k / sqrt(d)`` over the pairs.

    Parameters
    ----------
    d : int
        Width of the vectors, >= 1.
    n_pairs : int, default 2000
        Number of random pairs, >= 2.
    seed : int, default 0
        Seed of the random draws (>= 0); the same seed gives the same numbers.

    Returns
    -------
    dict
        ``d``, ``n_pairs``; ``raw_variance`` (close to ``d``) and
        ``scaled_variance`` (close to 1), as floats.

    Raises
    ------
    TypeError
        An argument is not a whole number.
    ValueError
        ``d < 1``, ``n_pairs < 2`` or ``seed < 0``.
    """
    d = as_positive_int(d, "d")
    n_pairs = as_count(n_pairs, "n_pairs", 2)
    rng = np.random.default_rng(as_seed(seed))
    q = rng.standard_normal((n_pairs, d))                # (n_pairs, d)
    k = rng.standard_normal((n_pairs, d))                # (n_pairs, d)
    raw = (q * k).sum(axis=1)                            # (n_pairs,) one dot product per pair
    return {"d": d, "n_pairs": n_pairs, "raw_variance": float(raw.var()),
            "scaled_variance": float((raw / np.sqrt(d)).var())}


def max_weight(d: int, n_keys: int = 8, n_trials: int = 500, scale: bool = True, seed: int = 0) -> float:
    """Average of the largest softmax weight of one random query over random keys.

    Each trial draws a query and ``n_keys`` keys with ``d`` standard normal
    entries, computes the scores ``q . k_j`` (divided by ``sqrt(d)`` when
    ``scale``), applies softmax and keeps the largest weight. A value near
    ``1 / n_keys`` means attention is spread out; near 1 means softmax is
    saturated (one key takes almost everything).

    Parameters
    ----------
    d : int
        Width of queries and keys, >= 1.
    n_keys : int, default 8
        Keys per query, >= 2.
    n_trials : int, default 500
        Number of random queries averaged over, >= 1.
    scale : bool, default True
        Divide the scores by ``sqrt(d)`` before the softmax.
    seed : int, default 0
        Seed of the random draws (>= 0). ``scale=True`` and ``scale=False``
        with the same seed use the same vectors.

    Returns
    -------
    float
        Mean over the trials of ``max_j softmax(scores)_j``, in ``[1 / n_keys, 1]``.

    Raises
    ------
    TypeError
        A count or seed is not a whole number, or ``scale`` is not True/False.
    ValueError
        ``d < 1``, ``n_keys < 2``, ``n_trials < 1`` or ``seed < 0``.
    """
    d = as_positive_int(d, "d")
    n_keys = as_count(n_keys, "n_keys", 2)
    n_trials = as_positive_int(n_trials, "n_trials")
    scale = as_flag(scale, "scale")
    rng = np.random.default_rng(as_seed(seed))
    q = rng.standard_normal((n_trials, 1, d))            # (n_trials, 1, d)
    K = rng.standard_normal((n_trials, n_keys, d))       # (n_trials, n_keys, d)
    s = (q * K).sum(axis=-1)                             # (n_trials, n_keys) raw scores
    if scale:
        s = s / np.sqrt(d)
    return float(softmax(s, axis=-1).max(axis=-1).mean())


def naive_softmax(x, axis: int = -1) -> np.ndarray:
    """A softmax that overflows: ``exp(x) / sum(exp(x))`` with no shift. Do not use it.

    This is a **teaching counter-example**. ``np.exp`` overflows to ``inf`` above
    about 709.78, so scores such as ``[1000, 999, 998]`` give ``inf / inf = nan``
    (with a ``RuntimeWarning``); scores below about -745 underflow to 0 and give
    ``0 / 0 = nan``. :func:`attn_lib.softmax` subtracts the largest score first and
    has neither problem.

    Parameters
    ----------
    x : np.ndarray, shape (..., n)
        Raw scores; finite or ``-inf``.
    axis : int, default -1
        The axis that should sum to 1.

    Returns
    -------
    np.ndarray, same shape as ``x``
        The weights, or ``nan`` where the computation overflowed or underflowed.

    Raises
    ------
    TypeError
        ``x`` is not a numeric numpy array, or ``axis`` is not an int.
    ValueError
        ``x`` is empty or holds NaN / +inf, or ``axis`` is out of range.
    """
    x = as_array(x, "x", "(..., n)", allow_neg_inf=True)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got a {type(axis).__name__}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis must be in [{-x.ndim}, {x.ndim - 1}] for x of shape {x.shape}; got {axis}")
    e = np.exp(x)                                        # overflows to inf for x > ~709.78
    return e / e.sum(axis=axis, keepdims=True)           # inf / inf or 0 / 0 -> nan


STABLE_SCORES = np.array([1000.0, 1003.0, 1001.0])
"""The scores of notebook 03's stable-softmax exercise: ``exp()`` overflows on every one of them.

They differ from the lesson's worked example ``[1000, 999, 998]``, whose weights the lesson prints,
and the largest is not the first, so "subtract the first score" is not mistaken for the rule.
"""

"""Input checks shared by every public function.

Each check either returns a clean ``float64`` array (or number) or raises a
``TypeError`` / ``ValueError`` whose message names the argument, the expected
shape or range, and what it was given. Learners should never see a raw numpy
traceback or a silent NaN.
"""

from __future__ import annotations

import numbers

import numpy as np


def describe(value) -> str:
    """A short description of what the caller passed, for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    return f"a {type(value).__name__}"


def as_array(value, name: str, shape: str, *, min_ndim: int = 1, max_ndim: int | None = None,
             allow_neg_inf: bool = False) -> np.ndarray:
    """Check that ``value`` is a finite, real, non-empty numpy array; return it as float64.

    Parameters
    ----------
    value : object
        What the caller passed.
    name : str
        The argument's name, used in error messages.
    shape : str
        The expected shape, written for humans, e.g. ``"(..., n_q, d_k)"``.
    min_ndim, max_ndim : int
        Allowed number of dimensions.
    allow_neg_inf : bool
        Accept ``-inf`` entries (masked logits).
    """
    if not isinstance(value, np.ndarray):
        hint = " Convert it with np.array(...) first." if isinstance(value, (list, tuple)) else ""
        raise TypeError(f"{name} must be a numpy array of shape {shape}; got {describe(value)}.{hint}")
    if value.dtype == bool or not (np.issubdtype(value.dtype, np.integer)
                                   or np.issubdtype(value.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers (int or float) with shape {shape}; "
                        f"got {describe(value)}")
    if value.ndim < min_ndim or (max_ndim is not None and value.ndim > max_ndim):
        n_dims = f"{min_ndim}" if max_ndim == min_ndim else f"at least {min_ndim}"
        if max_ndim is not None and max_ndim != min_ndim:
            n_dims = f"{min_ndim} to {max_ndim}"
        raise ValueError(f"{name} must have shape {shape} ({n_dims} dimensions); got shape {value.shape}")
    if value.size == 0:
        raise ValueError(f"{name} must not be empty: expected shape {shape}; got shape {value.shape}")
    value = value.astype(np.float64, copy=False)
    bad = np.isnan(value) | (np.isposinf(value)) | (np.isneginf(value) & (not allow_neg_inf))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        allowed = "finite numbers or -inf" if allow_neg_inf else "finite numbers"
        raise ValueError(f"{name} must contain only {allowed}; got {value[where]} at index {where}")
    return value


def as_positive_number(value, name: str) -> float:
    """Check that ``value`` is a finite real number > 0 (e.g. a temperature)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number > 0; got a number too large for a float") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return value


def as_positive_int(value, name: str) -> int:
    """Check that ``value`` is a whole number >= 1 (e.g. a sequence length or head count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 1; got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def as_flag(value, name: str) -> bool:
    """Check that ``value`` is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def as_mask(mask, scores_shape: tuple) -> np.ndarray:
    """Check a boolean attention mask against the score matrix it will cover.

    Parameters
    ----------
    mask : np.ndarray of bool, broadcastable to ``scores_shape``
        True where a query may attend to a key (PyTorch's boolean ``attn_mask`` convention).
    scores_shape : tuple
        ``(..., n_q, n_k)``.

    Returns
    -------
    np.ndarray of bool
        The mask broadcast to the joint shape of mask and scores.
    """
    expected = f"(..., n_q, n_k) = (..., {scores_shape[-2]}, {scores_shape[-1]})"
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask must be a boolean numpy array broadcastable to {expected}; "
                        f"got {describe(mask)}")
    if mask.dtype != bool:
        raise TypeError(f"mask must have dtype bool (True = may attend); got dtype {mask.dtype}. "
                        f"Use mask.astype(bool) or build it with a comparison.")
    try:
        joint = np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        raise ValueError(f"mask must be broadcastable to {expected}; got shape {mask.shape}") from None
    mask = np.broadcast_to(mask, joint)
    empty_rows = ~mask.any(axis=-1)
    if empty_rows.any():
        where = tuple(int(i) for i in np.argwhere(empty_rows)[0])
        raise ValueError(f"mask lets query row {where[-1]} (index {where}) attend to nothing: "
                         f"every query needs at least one True entry, or its weights would be 0/0")
    return mask


def as_seed(seed) -> int:
    """Check that ``seed`` is a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number >= 0; got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0; got {seed}")
    return int(seed)


def as_count(value, name: str, minimum: int) -> int:
    """Check that ``value`` is a whole number >= ``minimum``."""
    value = as_positive_int(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value

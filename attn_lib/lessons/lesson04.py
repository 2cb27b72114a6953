"""Notebook 04's experiments: context vectors as weighted mixes of values, cosine similarity, and a
2-D query that turns against fixed keys ("bank" by a river or at a bank).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.attention import self_attention
from ..core.embeddings import embed
from ..core.tokens import tokenize
from ..core.validate import as_array, as_positive_number


# ----------------------------------------------------------------------------- context vectors
class ContextVectors(NamedTuple):
    """Self-attention on one sentence, with its tokens attached (unpacks like a tuple)."""

    tokens: list
    """The sentence's tokens, length n."""
    embeddings: np.ndarray
    """X, shape (n, d_model): the context-free vector of each token."""
    weights: np.ndarray
    """Shape (n, n): row i is how much token i attends to each token."""
    outputs: np.ndarray
    """Shape (n, d_v): row i is token i's context vector, ``weights[i] @ V``."""


def context_vectors(sentence, W_q, W_k, W_v, mask=None, temperature: float = 1.0,
                    scale: bool = True) -> ContextVectors:
    """Embed a sentence and run self-attention on it, keeping the tokens as labels.

    Parameters
    ----------
    sentence : str or list of str
        A sentence (tokenized with :func:`attn_lib.tokenize`) or its tokens.
    W_q, W_k : np.ndarray, shape (D_MODEL, d_k)
    W_v : np.ndarray, shape (D_MODEL, d_v)
    mask, temperature, scale
        As in :func:`attn_lib.self_attention`.

    Returns
    -------
    ContextVectors
        ``(tokens, embeddings, weights, outputs)`` with shapes ``n``, ``(n, D_MODEL)``,
        ``(n, n)`` and ``(n, d_v)``.
    """
    tokens = tokenize(sentence) if isinstance(sentence, str) else sentence
    X = embed(tokens)                                                   # (n, D_MODEL)
    outputs, weights = self_attention(X, W_q, W_k, W_v, mask=mask, temperature=temperature,
                                      scale=scale)                      # (n, d_v), (n, n)
    return ContextVectors(list(tokens), X, weights, outputs)


# ----------------------------------------------------------------------------- cosine similarity
def _unit_rows(v, name):
    """Divide each vector (last axis) by its length; refuse vectors of length 0."""
    peak = np.abs(v).max(axis=-1, keepdims=True)                        # (..., 1)
    if (peak == 0).any():
        where = tuple(int(i) for i in np.argwhere(peak[..., 0] == 0)[0])
        at = f" at batch index {where}" if where else ""
        raise ValueError(f"{name} must not be a zero vector{at}: cosine similarity divides by the "
                         f"vector's length, which is 0, so the direction (and the answer) is undefined")
    v = v / peak                                                        # largest entry +-1: no overflow
    return v / np.linalg.norm(v, axis=-1, keepdims=True)                # (..., d), length 1


def cosine_similarity(a, b):
    """How alike two vectors point: ``a . b / (|a| |b|)``, between -1 and 1.

    1 means the same direction, 0 perpendicular (nothing in common), -1 opposite.
    Lengths do not matter: scaling either vector by a positive number leaves it
    unchanged.

    Parameters
    ----------
    a : np.ndarray, shape (..., d)
    b : np.ndarray, shape (..., d)
        Leading (batch) dimensions broadcast, so one vector can be compared with
        the rows of a matrix.

    Returns
    -------
    float or np.ndarray, shape (...)
        A Python float when both inputs are single vectors.

    Raises
    ------
    TypeError
        ``a`` or ``b`` is not a numeric numpy array.
    ValueError
        Shapes do not match, an entry is NaN or infinite, or a vector is all zeros
        (it has no direction).
    """
    a = as_array(a, "a", "(..., d)")
    b = as_array(b, "b", "(..., d)")
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"a and b must have the same length d (last dimension); "
                         f"got a of shape {a.shape} and b of shape {b.shape}")
    try:
        np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    except ValueError:
        raise ValueError(f"the batch dimensions of a {a.shape[:-1]} and b {b.shape[:-1]} do not "
                         f"broadcast (shapes {a.shape} and {b.shape})") from None
    cos = np.sum(_unit_rows(a, "a") * _unit_rows(b, "b"), axis=-1)    # (...)
    cos = np.clip(cos, -1.0, 1.0)                                       # rounding could give 1.0000000002
    return float(cos) if cos.ndim == 0 else cos


# ----------------------------------------------------------------------------- rotating a query
QUERY_KEYS = {"river": (2.0, 0.3), "water": (1.4, -1.1), "money": (0.2, 2.0),
              "paid": (-1.2, 1.3), "the": (-0.6, -0.6)}
"""The default 2-D keys of :class:`QueryRotation`, word -> (x, y)."""


def rotated_query(angle: float, length: float = 1.0) -> np.ndarray:
    """The 2-D query vector at ``angle`` degrees (anticlockwise from the x axis).

    Parameters
    ----------
    angle : float
        Degrees; any real number (360 is a full turn).
    length : float, default 1.0
        > 0.

    Returns
    -------
    np.ndarray, shape (2,)
        ``length * (cos(angle), sin(angle))``.
    """
    if isinstance(angle, bool) or not isinstance(angle, (int, float, np.integer, np.floating)) \
            or not np.isfinite(angle):
        raise TypeError(f"angle must be a finite number of degrees; got {angle!r}")
    length = as_positive_number(length, "length")
    theta = np.deg2rad(float(angle))
    return length * np.array([np.cos(theta), np.sin(theta)])          # (2,)

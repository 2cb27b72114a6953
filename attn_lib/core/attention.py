"""Scaled dot-product attention, and self-attention built from it.

Shapes follow one convention throughout: rows are tokens, and any leading
dimensions (``...``) are batch dimensions that broadcast.
"""

from __future__ import annotations

import numpy as np

from .softmax import softmax
from .validate import as_array, as_flag, as_mask, as_positive_int


def _batch_shape(name_a, a, name_b, b):
    """Check that the leading (batch) dimensions of two arrays broadcast."""
    try:
        return np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"the batch dimensions of {name_a} {a.shape[:-2]} and {name_b} "
                         f"{b.shape[:-2]} do not broadcast (shapes {a.shape} and {b.shape})") from None


def scores(Q, K, scale: bool = True) -> np.ndarray:
    """How well each query matches each key: ``Q @ K^T``, optionally divided by ``sqrt(d_k)``.

    Parameters
    ----------
    Q : np.ndarray, shape (..., n_q, d_k)
        One query vector per row.
    K : np.ndarray, shape (..., n_k, d_k)
        One key vector per row.
    scale : bool, default True
        Divide by ``sqrt(d_k)`` so the scores' spread does not grow with ``d_k``.

    Returns
    -------
    np.ndarray, shape (..., n_q, n_k)
        ``scores[..., i, j]`` is query ``i``'s raw score for key ``j``.
    """
    Q = as_array(Q, "Q", "(..., n_q, d_k)", min_ndim=2)
    K = as_array(K, "K", "(..., n_k, d_k)", min_ndim=2)
    scale = as_flag(scale, "scale")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must have the same d_k (last dimension); "
                         f"got Q of shape {Q.shape} and K of shape {K.shape}")
    _batch_shape("Q", Q, "K", K)
    d_k = Q.shape[-1]
    s = Q @ np.swapaxes(K, -1, -2)                    # (..., n_q, d_k) @ (..., d_k, n_k) -> (..., n_q, n_k)
    return s / np.sqrt(d_k) if scale else s


def attention(Q, K, V, mask=None, temperature: float = 1.0, scale: bool = True):
    """Scaled dot-product attention: ``softmax(Q K^T / sqrt(d_k)) V``.

    Parameters
    ----------
    Q : np.ndarray, shape (..., n_q, d_k)
    K : np.ndarray, shape (..., n_k, d_k)
    V : np.ndarray, shape (..., n_k, d_v)
    mask : np.ndarray of bool, broadcastable to (..., n_q, n_k), optional
        True where query ``i`` may attend to key ``j`` (the convention of
        PyTorch's boolean ``attn_mask`` in ``scaled_dot_product_attention``).
        Every query row needs at least one True.
    temperature : float, default 1.0
        Divides the scores before the softmax; see :func:`attn_lib.softmax`.
    scale : bool, default True
        Divide the scores by ``sqrt(d_k)``.

    Returns
    -------
    output : np.ndarray, shape (..., n_q, d_v)
        Each row is a weighted average of the rows of ``V``.
    weights : np.ndarray, shape (..., n_q, n_k)
        The attention weights; each row sums to 1.
    """
    s = scores(Q, K, scale=scale)                     # (..., n_q, n_k)
    V = as_array(V, "V", "(..., n_k, d_v)", min_ndim=2)
    if V.shape[-2] != s.shape[-1]:
        raise ValueError(f"V must have one row per key: expected shape (..., {s.shape[-1]}, d_v) "
                         f"to match K; got V of shape {V.shape}")
    _batch_shape("scores", s, "V", V)
    if mask is not None:
        mask = as_mask(mask, s.shape)                  # (..., n_q, n_k) bool
        s = np.where(mask, s, -np.inf)                # masked keys can never win
    weights = softmax(s, axis=-1, temperature=temperature)  # (..., n_q, n_k), rows sum to 1
    return weights @ V, weights                       # (..., n_q, d_v), (..., n_q, n_k)


def causal_mask(n: int) -> np.ndarray:
    """The mask of a left-to-right (GPT-style) model: token ``i`` sees tokens ``0..i``.

    Parameters
    ----------
    n : int
        Sequence length, >= 1.

    Returns
    -------
    np.ndarray of bool, shape (n, n)
        True on and below the diagonal.
    """
    n = as_positive_int(n, "n")
    return np.tril(np.ones((n, n), dtype=bool))


def self_attention(X, W_q, W_k, W_v, mask=None, temperature: float = 1.0, scale: bool = True):
    """Self-attention: queries, keys and values all come from the same tokens ``X``.

    Uses the row-vector convention: ``Q = X @ W_q``, ``K = X @ W_k``, ``V = X @ W_v``.

    Parameters
    ----------
    X : np.ndarray, shape (..., n, d_model)
        One embedding per token.
    W_q, W_k : np.ndarray, shape (d_model, d_k)
    W_v : np.ndarray, shape (d_model, d_v)
    mask, temperature, scale
        As in :func:`attention`.

    Returns
    -------
    output : np.ndarray, shape (..., n, d_v)
        One context vector per token.
    weights : np.ndarray, shape (..., n, n)
        Row ``i`` says how much token ``i`` attends to each token.
    """
    X = as_array(X, "X", "(..., n, d_model)", min_ndim=2)
    d_model = X.shape[-1]
    W_q, W_k, W_v = (as_array(W, name, f"({d_model}, d)", min_ndim=2, max_ndim=2)
                     for W, name in ((W_q, "W_q"), (W_k, "W_k"), (W_v, "W_v")))
    for W, name in ((W_q, "W_q"), (W_k, "W_k"), (W_v, "W_v")):
        if W.shape[0] != d_model:
            raise ValueError(f"{name} must have shape (d_model, d) = ({d_model}, d) to match X's "
                             f"last dimension; got {name} of shape {W.shape}")
    if W_q.shape[1] != W_k.shape[1]:
        raise ValueError(f"W_q and W_k must give queries and keys the same width d_k; "
                         f"got W_q of shape {W_q.shape} and W_k of shape {W_k.shape}")
    Q, K, V = X @ W_q, X @ W_k, X @ W_v               # (..., n, d_k), (..., n, d_k), (..., n, d_v)
    return attention(Q, K, V, mask=mask, temperature=temperature, scale=scale)

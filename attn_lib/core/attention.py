"""Scaled dot-product attention, and self-attention built from it.

Shapes follow one convention throughout: rows are tokens, and any leading
dimensions (``...``) are batch dimensions that broadcast.

Taught in notebook 03 (scores) and notebook 04 (attention); self-attention is first
built step by step in notebook 01, and the causal mask is taught in notebook 05.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .softmax import softmax


def scores(Q, K, scale: bool = True) -> np.ndarray:
    r"""How well each query matches each key: ``Q @ K^T``, optionally divided by ``sqrt(d_k)``.

    Taught in notebook 03, section 2 (The score matrix: every query against every key);
    the scaling in notebook 03, section 3 (Why divide by $\sqrt{d}$).

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
    Q, K, scale = validate.score_inputs(Q, K, scale)
    d_k = Q.shape[-1]
    s = Q @ np.swapaxes(K, -1, -2)                    # (..., n_q, d_k) @ (..., d_k, n_k) -> (..., n_q, n_k)
    return s / np.sqrt(d_k) if scale else s


def attention(Q, K, V, mask=None, temperature: float = 1.0, scale: bool = True):
    """Scaled dot-product attention: ``softmax(Q K^T / sqrt(d_k)) V``.

    Taught in notebook 04, section 1 (Output = weights × V, three ways); the mask in
    notebook 05, section 1 (One sentence, two kinds of attention).

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
    Q, K, V, mask, scale = validate.attention_inputs(Q, K, V, mask, scale)
    s = scores(Q, K, scale=scale)                     # (..., n_q, n_k)
    if mask is not None:
        s = np.where(mask, s, -np.inf)                # masked keys can never win
    weights = softmax(s, axis=-1, temperature=temperature)  # (..., n_q, n_k), rows sum to 1
    return weights @ V, weights                       # (..., n_q, d_v), (..., n_q, n_k)


def causal_mask(n: int) -> np.ndarray:
    """The mask of a left-to-right (GPT-style) model: token ``i`` sees tokens ``0..i``.

    Taught in notebook 05, section 1 (One sentence, two kinds of attention).

    Parameters
    ----------
    n : int
        Sequence length, >= 1.

    Returns
    -------
    np.ndarray of bool, shape (n, n)
        True on and below the diagonal.
    """
    n = validate.as_positive_int(n, "n")
    return np.tril(np.ones((n, n), dtype=bool))


def self_attention(X, W_q, W_k, W_v, mask=None, temperature: float = 1.0, scale: bool = True):
    """Self-attention: queries, keys and values all come from the same tokens ``X``.

    Uses the row-vector convention: ``Q = X @ W_q``, ``K = X @ W_k``, ``V = X @ W_v``.

    Taught in notebook 01, section 5 (From words to attention, step by step), and
    summed up in notebook 01, section 6 (The formula, term by term).

    Parameters
    ----------
    X : np.ndarray, shape (..., n, d_model)
        One embedding per token.
    W_q, W_k : np.ndarray, shape (d_model, d_k)
    W_v : np.ndarray, shape (d_model, d_v)
    mask, temperature, scale
        As in :func:`attention`, which checks them.

    Returns
    -------
    output : np.ndarray, shape (..., n, d_v)
        One context vector per token.
    weights : np.ndarray, shape (..., n, n)
        Row ``i`` says how much token ``i`` attends to each token.
    """
    X, W_q, W_k, W_v = validate.self_attention_inputs(X, W_q, W_k, W_v)
    Q, K, V = X @ W_q, X @ W_k, X @ W_v               # (..., n, d_k), (..., n, d_k), (..., n, d_v)
    return attention(Q, K, V, mask=mask, temperature=temperature, scale=scale)

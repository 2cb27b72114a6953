"""Multi-head attention: several small attentions side by side, then mixed.

Head ``h`` owns columns ``h*d_head:(h+1)*d_head`` of the projected queries,
keys and values, where ``d_head = d_model // n_heads``.

Taught in notebook 07.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .attention import attention


def split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    """Cut the last dimension into ``n_heads`` slices and move the head axis forward.

    Taught in notebook 07, section 3 (Follow the shapes).

    Parameters
    ----------
    x : np.ndarray, shape (..., n, d_model)
    n_heads : int
        Must divide ``d_model``.

    Returns
    -------
    np.ndarray, shape (..., n_heads, n, d_head)
    """
    *batch, n, d_model = x.shape
    x = x.reshape(*batch, n, n_heads, d_model // n_heads)  # (..., n, n_heads, d_head)
    return np.swapaxes(x, -2, -3)                           # (..., n_heads, n, d_head)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """Undo :func:`split_heads`: put the heads' outputs side by side again.

    Taught in notebook 07, section 3 (Follow the shapes).

    Parameters
    ----------
    x : np.ndarray, shape (..., n_heads, n, d_head)

    Returns
    -------
    np.ndarray, shape (..., n, n_heads * d_head)
    """
    x = np.swapaxes(x, -2, -3)                              # (..., n, n_heads, d_head)
    return x.reshape(*x.shape[:-2], -1)                     # (..., n, d_model)


def multi_head_steps(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None) -> dict:
    """Multi-head self-attention, keeping every intermediate array (for the shape tracer).

    Taught in notebook 07, section 2 (Two heads, two patterns).

    Parameters are those of :func:`multi_head_attention`.

    Returns
    -------
    dict of np.ndarray
        ``Q``, ``K``, ``V`` (..., n, d_model): the projections;
        ``Q_heads``, ``K_heads``, ``V_heads`` (..., n_heads, n, d_head): after :func:`split_heads`;
        ``weights`` (..., n_heads, n, n) and ``heads`` (..., n_heads, n, d_head): each head's attention;
        ``merged`` (..., n, d_model): after :func:`merge_heads`; ``output`` (..., n, d_model).
    """
    X, W_q, W_k, W_v, W_o, n_heads, mask = validate.multi_head_inputs(X, W_q, W_k, W_v, W_o, n_heads, mask)
    if mask is not None:
        mask = mask[..., None, :, :]                        # (..., 1, n, n): same mask for every head
    s = {"Q": X @ W_q, "K": X @ W_k, "V": X @ W_v}          # (..., n, d_model) each
    for name in ("Q", "K", "V"):
        s[f"{name}_heads"] = split_heads(s[name], n_heads)  # (..., n_heads, n, d_head)
    s["heads"], s["weights"] = attention(s["Q_heads"], s["K_heads"], s["V_heads"], mask=mask)
    #                                                        (..., n_heads, n, d_head), (..., n_heads, n, n)
    s["merged"] = merge_heads(s["heads"])                   # (..., n, d_model)
    s["output"] = s["merged"] @ W_o                         # (..., n, d_model)
    return s


def multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None):
    """Multi-head self-attention without biases.

    Taught in notebook 07, section 4 (Head by head, by hand).

    Parameters
    ----------
    X : np.ndarray, shape (..., n, d_model)
    W_q, W_k, W_v, W_o : np.ndarray, shape (d_model, d_model)
        Projections in the row-vector convention (``Q = X @ W_q``); the output
        is ``merge_heads(heads) @ W_o``.
    n_heads : int
        Number of heads; must divide ``d_model``.
    mask : np.ndarray of bool, broadcastable to (..., n, n), optional
        True where a query may attend to a key; shared by every head.

    Returns
    -------
    output : np.ndarray, shape (..., n, d_model)
    weights : np.ndarray, shape (..., n_heads, n, n)
        Each head's attention weights.
    """
    steps = multi_head_steps(X, W_q, W_k, W_v, W_o, n_heads, mask=mask)
    return steps["output"], steps["weights"]

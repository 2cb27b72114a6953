"""Backpropagation through softmax and attention: the gradients that let attention learn.

Each function takes the gradient of a loss ``L`` with respect to an output and returns
the gradients with respect to the inputs (the chain rule, one step per line). Shapes
follow :mod:`attn_lib.core.attention`: rows are tokens, leading dimensions are batch
dimensions that broadcast.
"""

from __future__ import annotations

import numpy as np

from .attention import attention
from . import validate

def _softmax_backward(weights: np.ndarray, grad_weights: np.ndarray) -> np.ndarray:
    """``dL/dscores`` from ``dL/dweights`` for checked arrays; see :func:`softmax_backward`."""
    weighted_mean = (grad_weights * weights).sum(axis=-1, keepdims=True)  # (..., 1)
    return weights * (grad_weights - weighted_mean)                       # (..., n)


def _sum_to_shape(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Undo broadcasting: add up ``grad`` over the batch dimensions an input was stretched along."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))            # drop added leading dims
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True)                        # shape


def softmax_backward(weights, grad_weights) -> np.ndarray:
    """Gradient of a loss with respect to the scores, through a softmax along the last axis.

    With ``w = softmax(s)`` and ``g = dL/dw``, the chain rule through the softmax's
    Jacobian ``dw_i/ds_j = w_i (delta_ij - w_j)`` gives::

        dL/ds_j = w_j * (g_j - sum_i g_i w_i)

    Each score's gradient is its weight times how much its own gradient exceeds the
    weighted mean gradient. Entries with weight exactly 0 (masked keys) get gradient 0.

    Parameters
    ----------
    weights : np.ndarray, shape (..., n)
        A softmax output: non-negative, each row (last axis) sums to 1.
    grad_weights : np.ndarray, shape (..., n)
        ``dL/dweights``, the same shape as ``weights``.

    Returns
    -------
    np.ndarray, shape (..., n)
        ``dL/dscores``; each row sums to 0.

    Raises
    ------
    TypeError
        An argument is not a numeric numpy array.
    ValueError
        The shapes differ, an array holds NaN or inf, or ``weights`` is not a softmax
        (a negative entry, or a row that does not sum to 1 within 1e-6).

    Notes
    -----
    Taught in notebook 10, section 3 (Gradients: which way is downhill).
    """
    weights, grad_weights = validate.softmax_backward_inputs(weights, grad_weights)
    return _softmax_backward(weights, grad_weights)


def attention_backward(Q, K, V, grad_output, mask=None, scale: bool = True):
    """Gradients of a loss with respect to ``Q``, ``K`` and ``V``, through :func:`attention`.

    The forward pass, recomputed here, is::

        S = Q K^T / sqrt(d_k)        (no division when scale=False; masked entries -> -inf)
        W = softmax(S)               (along the keys)
        output = W V

    and with ``G = dL/doutput`` the chain rule runs it backwards::

        dV = W^T G
        dW = G V^T
        dS = W * (dW - rowsum(dW * W))     (see :func:`softmax_backward`)
        dQ = dS K / sqrt(d_k)
        dK = dS^T Q / sqrt(d_k)

    Masked scores have weight exactly 0, so their gradient ``dS`` is exactly 0: a key a
    query may not see gets no push from that query. When ``Q``, ``K`` or ``V`` was
    broadcast over batch dimensions, its gradient is summed back to its own shape.

    Parameters
    ----------
    Q : np.ndarray, shape (..., n_q, d_k)
    K : np.ndarray, shape (..., n_k, d_k)
    V : np.ndarray, shape (..., n_k, d_v)
    grad_output : np.ndarray, shape (..., n_q, d_v)
        ``dL/doutput``, the shape of :func:`attention`'s output.
    mask : np.ndarray of bool, broadcastable to (..., n_q, n_k), optional
        True where query ``i`` may attend to key ``j``, as in :func:`attention`.
    scale : bool, default True
        Whether the forward pass divides the scores by ``sqrt(d_k)``.

    Returns
    -------
    dQ : np.ndarray, the shape of Q
    dK : np.ndarray, the shape of K
    dV : np.ndarray, the shape of V

    Raises
    ------
    TypeError, ValueError
        As :func:`attention`, naming the bad argument; also when ``grad_output`` does not
        have the output's shape.

    Notes
    -----
    Taught in notebook 10, section 4 (Backwards through attention).
    """
    output, W = attention(Q, K, V, mask=mask, scale=scale)    # (..., n_q, d_v), (..., n_q, n_k)
    Q, K, V = (np.asarray(x, dtype=np.float64) for x in (Q, K, V))  # already checked by attention
    G = validate.grad_output(grad_output, output.shape)          # (..., n_q, d_v)
    factor = 1 / np.sqrt(Q.shape[-1]) if scale else 1.0
    dV = np.swapaxes(W, -1, -2) @ G                # (..., n_k, n_q) @ (..., n_q, d_v) -> (..., n_k, d_v)
    dW = G @ np.swapaxes(V, -1, -2)                # (..., n_q, d_v) @ (..., d_v, n_k) -> (..., n_q, n_k)
    dS = _softmax_backward(W, dW)                  # (..., n_q, n_k), exactly 0 where masked
    dQ = (dS @ K) * factor                         # (..., n_q, n_k) @ (..., n_k, d_k) -> (..., n_q, d_k)
    dK = (np.swapaxes(dS, -1, -2) @ Q) * factor    # (..., n_k, n_q) @ (..., n_q, d_k) -> (..., n_k, d_k)
    return _sum_to_shape(dQ, Q.shape), _sum_to_shape(dK, K.shape), _sum_to_shape(dV, V.shape)

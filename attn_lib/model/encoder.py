"""The forward pass of a BERT encoder (all-MiniLM-L6-v2) in numpy, on the course's own functions.

Embeddings, then per layer: multi-head self-attention (:func:`attn_lib.core.attention`), add &
layer norm, a feed-forward MLP with GELU, add & layer norm. ``erf`` is computed here so the model
needs neither scipy nor PyTorch. Taught in notebook 09.
"""

from __future__ import annotations

import numpy as np

from ..core.attention import attention
from ..core.multi_head import merge_heads, split_heads

# ----- the maths ---------------------------------------------------------------------------------
# W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969, 631-638; SPECFUN CALERF),
# near-minimax to about 18 significant digits in each of three intervals of |x|.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)


_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)


_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)


_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)


_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)


_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)


def _ratio(z, num, den, lead):
    """``(num[-1] z^k + num[0] z^(k-1) + ... ) / (z^k + den[0] z^(k-1) + ...)``, Cody's Horner form."""
    top, bottom = num[lead] * z, z
    for a, b in zip(num[:lead - 1], den[:lead - 1]):
        top, bottom = (top + a) * z, (bottom + b) * z
    return (top + num[lead - 1]) / (bottom + den[lead - 1])


def erf(x) -> np.ndarray:
    """The error function, ``erf(x) = 2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt``, elementwise.

    numpy has no ``erf``; this uses Cody's rational approximations, whose error
    is a few units in the last place of a float64 (below 1e-15; the tests compare it
    with :func:`math.erf`).

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    np.ndarray of float64, same shape as ``x``
    """
    shape = np.shape(x)
    x = np.array(x, dtype=np.float64, ndmin=1)                       # (m,) at least, for the indexing below
    y = np.minimum(np.abs(x), 27.0)                                  # erfc(27) underflows to 0 anyway
    ratio = _ratio(np.clip(y, 0.46875, 4.0), _C, _D, 8)              # 0.46875 < |x| <= 4: erfc / exp(-x^2)
    big = y > 4.0                                                    # rare: computed only where needed
    if big.any():
        z = 1.0 / (y[big] * y[big])
        ratio[big] = (0.56418958354775628695 - z * _ratio(z, _P, _Q, 5)) / y[big]
    y16 = np.trunc(y * 16.0) / 16.0                                  # exp(-y^2) in two parts, for accuracy
    out = np.sign(x) * (1.0 - np.exp(-y16 * y16) * np.exp(-(y - y16) * (y + y16)) * ratio)
    small = y <= 0.46875                                             # |x| <= 0.46875: erf itself
    out[small] = x[small] * _ratio(x[small] * x[small], _A, _B, 4)
    return out.reshape(shape)


def gelu(x) -> np.ndarray:
    """BERT's activation, the exact GELU: ``x * Phi(x) = 0.5 x (1 + erf(x / sqrt(2)))``.

    Parameters
    ----------
    x : np.ndarray, any shape

    Returns
    -------
    np.ndarray, same shape
    """
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


def layer_norm(x, gamma, beta, eps) -> np.ndarray:
    """Give each row mean 0 and variance 1, then scale by ``gamma`` and shift by ``beta``.

    Parameters
    ----------
    x : np.ndarray, shape (..., d)
    gamma, beta : np.ndarray, shape (d,)
    eps : float
        Added to the variance (``layer_norm_eps`` of the config).

    Returns
    -------
    np.ndarray, shape (..., d)
    """
    mean = x.mean(axis=-1, keepdims=True)                           # (..., 1)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)            # (..., 1), biased, as in PyTorch
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def embeddings(ids, p, eps) -> np.ndarray:
    """The input of the first layer: word + position + token-type embedding, layer-normed.

    Parameters
    ----------
    ids : np.ndarray of int, shape (n,)
    p : dict
        ``word`` (vocab, d), ``position`` (max_positions, d), ``token_type`` (2, d),
        ``ln_gamma`` and ``ln_beta`` (d,).
    eps : float

    Returns
    -------
    np.ndarray, shape (n, d)
    """
    x = p["word"][ids].astype(np.float64)                           # (n, d): one row per wordpiece
    x = x + p["position"][: len(ids)] + p["token_type"][0]          # (n, d): positions 0..n-1, segment 0
    return layer_norm(x, p["ln_gamma"], p["ln_beta"], eps)


def attention_block(x, p, n_heads, eps):
    """Multi-head self-attention with biases, then residual connection and layer norm.

    Parameters
    ----------
    x : np.ndarray, shape (n, d)
    p : dict
        One layer's weights (see :meth:`PretrainedModel.layer`).
    n_heads : int
    eps : float

    Returns
    -------
    out : np.ndarray, shape (n, d)
    weights : np.ndarray, shape (n_heads, n, n)
    """
    Q = split_heads(x @ p["W_q"] + p["b_q"], n_heads)              # (n_heads, n, d_head)
    K = split_heads(x @ p["W_k"] + p["b_k"], n_heads)              # (n_heads, n, d_head)
    V = split_heads(x @ p["W_v"] + p["b_v"], n_heads)              # (n_heads, n, d_head)
    heads, weights = attention(Q, K, V)                             # (n_heads, n, d_head), (n_heads, n, n)
    mixed = merge_heads(heads) @ p["W_o"] + p["b_o"]                # (n, d)
    return layer_norm(x + mixed, p["ln1_gamma"], p["ln1_beta"], eps), weights


def feed_forward(x, p, eps) -> np.ndarray:
    """The position-wise feed-forward network, then residual connection and layer norm.

    Parameters
    ----------
    x : np.ndarray, shape (n, d)
    p : dict
        One layer's weights: ``W_1`` (d, d_ff), ``b_1``, ``W_2`` (d_ff, d), ``b_2``, ``ln2_*``.
    eps : float

    Returns
    -------
    np.ndarray, shape (n, d)
    """
    hidden = gelu(x @ p["W_1"] + p["b_1"])                          # (n, d_ff)
    return layer_norm(x + hidden @ p["W_2"] + p["b_2"], p["ln2_gamma"], p["ln2_beta"], eps)


def encoder_layer(x, p, n_heads, eps):
    """One transformer encoder layer (post-norm, as in BERT).

    Returns
    -------
    out : np.ndarray, shape (n, d)
    weights : np.ndarray, shape (n_heads, n, n)
    """
    x, weights = attention_block(x, p, n_heads, eps)
    return feed_forward(x, p, eps), weights


def forward(ids, embedding_params, layers, n_heads, eps):
    """Run the encoder on one sequence of token ids.

    Parameters
    ----------
    ids : np.ndarray of int, shape (n,)
    embedding_params : dict
        As in :func:`embeddings`.
    layers : list of dict
        One dict of weights per layer.
    n_heads : int
    eps : float

    Returns
    -------
    hidden_states : np.ndarray, shape (n_layers + 1, n, d)
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)
    """
    x = embeddings(ids, embedding_params, eps)                      # (n, d)
    hidden, attentions = [x], []
    for p in layers:
        x, weights = encoder_layer(x, p, n_heads, eps)
        hidden.append(x)
        attentions.append(weights)
    return np.stack(hidden), np.stack(attentions)                   # (L + 1, n, d), (L, H, n, n)


def mean_pool(hidden) -> np.ndarray:
    """The sentence embedding of sentence-transformers: mean over tokens, then length 1.

    Parameters
    ----------
    hidden : np.ndarray, shape (n, d)
        The last layer's hidden states.

    Returns
    -------
    np.ndarray, shape (d,)
    """
    mean = hidden.mean(axis=0)                                      # (d,)
    return mean / max(np.linalg.norm(mean), 1e-12)

"""Notebook 06's data and experiments: the lesson's weight matrices, reorderings, masks and shifts."""

from __future__ import annotations

import numbers

import numpy as np

from ..core.attention import causal_mask, self_attention
from ..core.embeddings import D_MODEL, embed
from ..core.positions import sinusoidal_positions
from ..core.validate import as_positive_int
from ..core.weights import random_weights

LESSON_SENTENCE = "The cat sat on the mat"
"""The sentence of notebook 06."""


MAX_SHUFFLE_SEED = 20
"""The largest seed of :class:`PermutationView`'s shuffle slider (0 keeps the original order)."""


# ----------------------------------------------------------------------------- orders and weights
def lesson_weights(d_model: int = D_MODEL, d_k: int = 4, seed: int = 3, scale: float = 3.0):
    """The fixed, random projection matrices used throughout notebook 06.

    Parameters
    ----------
    d_model : int, default 8
        Rows: the embedding width.
    d_k : int, default 4
        Columns: the width of queries, keys and values.
    seed : int, default 3
        ``W_q``, ``W_k`` and ``W_v`` use the seeds ``seed``, ``seed + 1`` and ``seed + 2``.
    scale : float, default 3.0
        Multiplies :func:`attn_lib.random_weights`, so the attention is clearly uneven.

    Returns
    -------
    tuple of np.ndarray
        ``(W_q, W_k, W_v)``, each of shape (d_model, d_k).
    """
    return tuple(scale * random_weights(d_model, d_k, seed=seed + i) for i in range(3))


def _as_order(order, n=None) -> list:
    """Check that ``order`` is a rearrangement of 0..n-1; return it as a list of int."""
    if isinstance(order, np.ndarray):
        order = order.tolist()
    if not isinstance(order, (list, tuple)) or not order:
        raise TypeError(f"order must be a non-empty list of positions such as [0, 2, 1]; got {order!r}")
    if any(isinstance(k, bool) or not isinstance(k, numbers.Integral) for k in order):
        raise TypeError(f"order must hold whole numbers (positions); got {list(order)!r}")
    order = [int(k) for k in order]
    n = len(order) if n is None else n
    if len(order) != n or sorted(order) != list(range(n)):
        raise ValueError(f"order must list each position 0..{n - 1} exactly once; got {order}")
    return order


def permutation_matrix(order) -> np.ndarray:
    """The matrix P that reorders rows: ``(P @ X)[k] = X[order[k]]``.

    Parameters
    ----------
    order : list of int, length n
        A rearrangement of ``0..n-1``: new position ``k`` holds old word ``order[k]``.

    Returns
    -------
    np.ndarray, shape (n, n)
        One 1 per row and per column. ``P @ W @ P.T`` reorders both the rows and
        the columns of a square matrix ``W``; ``P.T`` undoes ``P``.
    """
    order = _as_order(order)
    return np.eye(len(order))[order]                                    # (n, n), row k = e_order[k]


def shuffled_order(n: int, seed: int) -> list:
    """A reproducible rearrangement of ``0..n-1``; seed 0 keeps the original order.

    Parameters
    ----------
    n : int
        Number of words, >= 1.
    seed : int
        >= 0. Any other seed draws ``numpy.random.default_rng(seed).permutation(n)``.

    Returns
    -------
    list of int, length n
    """
    n = as_positive_int(n, "n")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {seed!r}")
    if seed == 0:
        return list(range(n))
    return [int(k) for k in np.random.default_rng(int(seed)).permutation(n)]


def order_of(tokens, reordered) -> list:
    """Which old position each word of ``reordered`` comes from.

    Repeated words are matched left to right, so the result is always a
    rearrangement of ``0..n-1``. Matching is exact: "The" and "the" differ.

    Parameters
    ----------
    tokens : list of str
        The original sentence.
    reordered : list of str
        The same words in another order.

    Returns
    -------
    list of int
        ``order`` with ``reordered[k] == tokens[order[k]]``.

    Raises
    ------
    ValueError
        ``reordered`` does not use exactly the words of ``tokens``.
    """
    tokens, reordered = list(tokens), list(reordered)
    unused = list(range(len(tokens)))
    order = []
    for word in reordered:
        match = next((i for i in unused if tokens[i] == word), None)
        if match is None:
            raise ValueError(f"reordered must use exactly the words of the sentence {tokens}: "
                             f"{word!r} is not one of them (or is used too often)")
        unused.remove(match)
        order.append(match)
    if unused:
        missing = [tokens[i] for i in unused]
        raise ValueError(f"reordered must use exactly the words of the sentence {tokens}: "
                         f"{missing} are missing")
    return order


def sentence_attention(tokens, W_q, W_k, W_v, positions: bool = False):
    """Self-attention on a sentence's embeddings, optionally with sinusoidal positions added.

    Parameters
    ----------
    tokens : list of str, length n
    W_q, W_k : np.ndarray, shape (D_MODEL, d_k)
    W_v : np.ndarray, shape (D_MODEL, d_v)
    positions : bool, default False
        Add :func:`attn_lib.sinusoidal_positions` ``(n, D_MODEL)`` to the embeddings first.

    Returns
    -------
    output : np.ndarray, shape (n, d_v)
    weights : np.ndarray, shape (n, n)
    """
    X = embed(list(tokens))                                             # (n, D_MODEL)
    if positions:
        X = X + sinusoidal_positions(len(X), X.shape[1])                # (n, D_MODEL)
    return self_attention(X, W_q, W_k, W_v)


def just_reordered(X, order, W_q, W_k, W_v, causal: bool = False) -> bool:
    """Does reordering the rows of ``X`` only reorder self-attention's answer?

    Runs self-attention on ``X`` and on ``P @ X`` (``P = permutation_matrix(order)``)
    and compares: are the new attention weights ``P W P^T`` and the new outputs
    ``P out``? Without a mask they always are (permutation equivariance). With
    ``causal=True`` both runs use :func:`attn_lib.causal_mask`, which stays with
    the places, as in a GPT: row k may attend to positions 0..k whatever word
    stands there, so a moved word sees other words and the answer changes.

    Parameters
    ----------
    X : np.ndarray, shape (n, d_model)
    order : list of int, length n
        New position k holds old row ``order[k]``.
    W_q, W_k : np.ndarray, shape (d_model, d_k)
    W_v : np.ndarray, shape (d_model, d_v)
    causal : bool, default False
        Use a causal mask in both runs.

    Returns
    -------
    bool
        True when both the attention weights and the outputs are just reordered.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be a matrix (n, d_model); got shape {X.shape}")
    P = permutation_matrix(_as_order(order, len(X)))                    # (n, n)
    mask = causal_mask(len(X)) if causal else None                      # (n, n) or no mask
    out, weights = self_attention(X, W_q, W_k, W_v, mask=mask)          # (n, d_v), (n, n)
    out_p, weights_p = self_attention(P @ X, W_q, W_k, W_v, mask=mask)  # the mask stays with the places
    return bool(np.allclose(weights_p, P @ weights @ P.T) and np.allclose(out_p, P @ out))


def shift_matrix(k: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """The rotation that moves every sinusoidal encoding ``k`` positions on.

    For each frequency pair (columns 2i and 2i+1) it is the 2x2 rotation by
    ``k * base**(-2i/d_model)``, so ``P[p + k] = P[p] @ shift_matrix(k, d_model)``
    for every position p, with ``P = sinusoidal_positions(...)``.

    Parameters
    ----------
    k : int
        The shift; negative moves back.
    d_model : int
        An even width, >= 2.
    base : float, default 10000.0
        As in :func:`attn_lib.sinusoidal_positions`.

    Returns
    -------
    np.ndarray, shape (d_model, d_model)
        Block diagonal; it depends on k, never on p.
    """
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be a whole number of positions; got {k!r}")
    d_model = as_positive_int(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model must be even (one sine and one cosine per frequency); got {d_model}")
    rates = base ** (-np.arange(0, d_model, 2) / d_model)             # (d_model/2,)
    M = np.zeros((d_model, d_model))
    for i, angle in enumerate(int(k) * rates):
        c, s = np.cos(angle), np.sin(angle)
        # row vector [sin a, cos a] @ [[c, -s], [s, c]] = [sin(a + angle), cos(a + angle)]
        M[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = [[c, -s], [s, c]]
    return M


TELL_APART_PAIRS = (
    ("The dog sat on the mat", "The mat sat on the dog"),
    ("The cat sat on the mat", "The cat sat on a mat"),
    ("A cat sat on the mat", "The cat sat on a mat"),
)
"""The sentence pairs of notebook 06's last exercise: can a model without positions tell them apart?"""

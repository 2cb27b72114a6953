"""Tiled attention: FlashAttention's idea in numpy, exact and without the n_q x n_k matrix.

:func:`attention` builds every score ``Q K^T`` at once, so its memory grows with
``n_q * n_k``. Softmax only needs each row's maximum and sum, and both can be
kept *running*: walk over the keys one block at a time, and whenever a new block
raises a row's maximum, shrink what was summed so far by ``exp(old_max - new_max)``.
The result is the same attention output, block after block, holding only one
``n_q x block_size`` slice of the scores at a time.

Taught in notebook 12 (The cost of attention).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import validate


class OnlineSoftmaxBlock(NamedTuple):
    """The state of the online softmax after one block of a row (see :func:`online_softmax_blocks`)."""

    start: int              # the block is x[start:stop]
    stop: int
    block_max: float        # the largest entry of this block
    running_max: float      # the largest entry of x[:stop]
    rescale: float          # exp(previous running_max - running_max): what the old sum was multiplied by
    running_sum: float      # sum of exp(x[:stop] - running_max)


def fold_block(running_max, running_sum, block_scores):
    """Fold one block of scores into a running maximum and a running sum of exponentials.

    The step both :func:`online_softmax_blocks` and :func:`tiled_attention` repeat.

    Parameters
    ----------
    running_max : np.ndarray, shape (...,)
        The largest score seen so far in each row (``-inf`` before the first block).
    running_sum : np.ndarray, shape (...,)
        ``sum(exp(seen - running_max))`` for each row (0 before the first block).
    block_scores : np.ndarray, shape (..., block)
        The next block of scores; ``-inf`` marks a masked key.

    Returns
    -------
    new_max : np.ndarray, shape (...,)
        ``max(running_max, block max)``.
    new_sum : np.ndarray, shape (...,)
        ``running_sum * rescale + sum(p)``: the running sum, now relative to ``new_max``.
    rescale : np.ndarray, shape (...,)
        ``exp(running_max - new_max)``, at most 1; anything else accumulated relative to
        the old maximum (tiled attention's output) must be multiplied by it too.
    p : np.ndarray, shape (..., block)
        ``exp(block_scores - new_max)``, the block's unnormalised weights.
    """
    new_max = np.maximum(running_max, block_scores.max(axis=-1))         # (...,)
    # A row that has seen only -inf (masked keys) shifts by 0 instead, so -inf - -inf never makes nan.
    shift = np.where(np.isneginf(new_max), 0.0, new_max)                 # (...,)
    rescale = np.exp(running_max - shift)                                # (...,) in [0, 1]
    p = np.exp(block_scores - shift[..., None])                          # (..., block) masked keys give exactly 0
    return new_max, running_sum * rescale + p.sum(axis=-1), rescale, p   # (...,), (...,), (...,), (..., block)


def online_softmax_blocks(x, block_size: int) -> list[OnlineSoftmaxBlock]:
    """Replay the online softmax of one row, block by block.

    After the last block, ``running_max == x.max()`` and ``running_sum ==
    sum(exp(x - x.max()))``, so ``softmax(x) == exp(x - running_max) / running_sum``,
    although no step looked at more than ``block_size`` entries.

    Taught in notebook 12, section 3 (The online softmax, by hand).

    Parameters
    ----------
    x : np.ndarray, shape (n,)
        One row of scores; ``-inf`` marks a masked entry, and at least one entry must be finite.
    block_size : int
        Entries per block (>= 1); the last block is shorter when it does not divide ``n``.

    Returns
    -------
    list of OnlineSoftmaxBlock
        One entry per block, in order: ``start``, ``stop``, ``block_max``,
        ``running_max``, ``rescale`` and ``running_sum`` after that block.
    """
    x = validate.as_array(x, "x", "(n,)", min_ndim=1, max_ndim=1, allow_neg_inf=True)
    block_size = validate.as_positive_int(block_size, "block_size")
    if np.isneginf(x).all():
        raise ValueError("x has no finite entry (every entry is -inf, fully masked); softmax of nothing is undefined")
    running_max, running_sum = np.array(-np.inf), np.array(0.0)          # (), ()
    steps = []
    for start in range(0, x.size, block_size):
        block = x[start:start + block_size]                              # (block,)
        running_max, running_sum, rescale, _ = fold_block(running_max, running_sum, block)
        steps.append(OnlineSoftmaxBlock(start, start + block.size, float(block.max()), float(running_max),
                                        float(rescale), float(running_sum)))
    return steps


def tiled_attention(Q, K, V, mask=None, block_size: int = 128, scale: bool = True) -> np.ndarray:
    """Scaled dot-product attention computed one block of keys at a time (FlashAttention's idea).

    Returns exactly what ``attention(Q, K, V, mask=mask, scale=scale)[0]`` returns (up to
    float rounding, about 1e-16), with the same shapes, broadcasting, mask convention and
    error messages, but never holds an ``n_q x n_k`` array: only ``n_q x block_size``
    scores at a time. Each query row keeps a running maximum ``m``, a running sum ``l``
    of ``exp(score - m)`` and an unnormalised output ``acc``; when a block raises ``m``,
    ``l`` and ``acc`` are multiplied by ``exp(m_old - m_new)``. At the end, ``acc / l``.

    Parameters
    ----------
    Q : np.ndarray, shape (..., n_q, d_k)
    K : np.ndarray, shape (..., n_k, d_k)
    V : np.ndarray, shape (..., n_k, d_v)
    mask : np.ndarray of bool, broadcastable to (..., n_q, n_k), optional
        True where query ``i`` may attend to key ``j``. Every query row needs at least one True.
    block_size : int, default 128
        Keys per block (>= 1); need not divide ``n_k``. Peak memory grows with it (a few
        ``n_q x block_size`` arrays). At n = 4096, d = 64, blocks of 64, 128 and 256 all ran
        faster than :func:`attention`; 128 peaks at 1/28 of its memory (benchmarks/attention_cost.py).
    scale : bool, default True
        Divide the scores by ``sqrt(d_k)``.

    Returns
    -------
    np.ndarray, shape (..., n_q, d_v)
        The attention output; the weights themselves are never formed.

    Raises
    ------
    TypeError, ValueError
        The same as :func:`attention` for the same bad input; also for a ``block_size``
        that is not a whole number >= 1.

    Notes
    -----
    Taught in notebook 12, section 5 (Tiled attention: every query at once).
    """
    Q, K, V, mask, scale = validate.attention_inputs(Q, K, V, mask, scale)   # attention's checks; mask: a view, no copy
    block_size = validate.as_positive_int(block_size, "block_size")
    n_q, n_k = Q.shape[-2], K.shape[-2]
    batch = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2],
                                () if mask is None else mask.shape[:-2])
    running_max = np.full(batch + (n_q,), -np.inf)      # (..., n_q) m: each query's largest score so far
    running_sum = np.zeros(batch + (n_q,))              # (..., n_q) l: sum of exp(score - m) so far
    acc = np.zeros(batch + (n_q, V.shape[-1]))          # (..., n_q, d_v) sum of exp(score - m) * value so far
    for start in range(0, n_k, block_size):
        keys = slice(start, start + block_size)
        s = Q @ np.swapaxes(K[..., keys, :], -1, -2)    # (..., n_q, d_k) @ (..., d_k, block) -> (..., n_q, block)
        if scale:
            s = s / np.sqrt(Q.shape[-1])
        if mask is not None:
            s = np.where(mask[..., keys], s, -np.inf)    # (..., n_q, block) masked keys can never win
        running_max, running_sum, rescale, p = fold_block(running_max, running_sum, s)
        acc = acc * rescale[..., None] + p @ V[..., keys, :]   # (..., n_q, d_v) + (..., n_q, block) @ (..., block, d_v)
    return acc / running_sum[..., None]                 # (..., n_q, d_v)

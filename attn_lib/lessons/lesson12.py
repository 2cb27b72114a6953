"""Notebook 12 (The cost of attention): cost formulas, measurements, the online softmax traced, local attention.

Everything is numpy and :mod:`attn_lib.core`; read it top to bottom:

1. **counting**: the multiply-adds of attention and the bytes of its ``n x n`` weights, by formula;
2. **measuring**: wall time (best of a few calls) and peak memory (``tracemalloc``, which sees
   numpy's arrays) of any call, and both for :func:`~attn_lib.core.attention` as ``n`` grows;
3. **the online softmax traced**: one row of scores and its values, block by block, with every
   number the live view of section 4 shows (the running maximum and sum, the rescale factor,
   the partial output before and after rescaling);
4. **the KV cache**: its bytes per token, and the sizes of GPT-2 small;
5. **very long inputs**: the sliding-window mask, attention computed only inside the window,
   and how many (query, key) pairs each kind of attention scores.

Sizes are counted in bytes; ``MIB = 2**20`` bytes (a mebibyte, "MiB").
"""

from __future__ import annotations

import functools
import time
import tracemalloc

import numpy as np

from ..core.attention import attention
from ..core.tiled import fold_block
from ..core.validate import as_array, as_positive_int, as_seed, describe

MIB = 2 ** 20
"""Bytes in one mebibyte (MiB), the unit the notebook prints memory in."""

BYTES_PER_NUMBER = {"float64": 8, "float32": 4, "float16": 2}
"""How many bytes one number takes: numpy's default (float64), and the two formats models run in."""

GPT2_SMALL = {"n_layers": 12, "n_heads": 12, "d_model": 768, "context": 1024}
"""The sizes of GPT-2 small (124 million parameters): 12 layers of 12 heads of width 64."""

MEASURE_SIZES = (256, 512, 1024, 2048)
"""The sequence lengths of notebook 12's first measurement: each doubles the one before."""

D_HEAD = 64
"""The width of queries, keys and values in the measurements (a typical head's width)."""


# ----- 1. counting --------------------------------------------------------------------------------

def attention_multiply_adds(n_q: int, n_k: int, d_k: int, d_v: int | None = None) -> int:
    """The multiply-adds of one attention call, ``softmax(Q K^T) V``, by formula.

    ``Q K^T`` makes ``n_q * n_k`` dot products of ``d_k`` multiply-adds each; the weighted sum
    ``weights @ V`` makes ``n_q * d_v`` outputs of ``n_k`` multiply-adds each. (The softmax
    adds about ``n_q * n_k`` exponentials, left out: they are a small share of the total.)

    Parameters
    ----------
    n_q, n_k : int
        Number of queries and keys, each >= 1.
    d_k : int
        Width of queries and keys.
    d_v : int, optional
        Width of the values; default ``d_k``.

    Returns
    -------
    int
        ``n_q * n_k * (d_k + d_v)``.
    """
    n_q, n_k, d_k = as_positive_int(n_q, "n_q"), as_positive_int(n_k, "n_k"), as_positive_int(d_k, "d_k")
    d_v = d_k if d_v is None else as_positive_int(d_v, "d_v")
    return n_q * n_k * (d_k + d_v)


def weights_bytes(n_q: int, n_k: int, bytes_per_number: int = 8) -> int:
    """The bytes of one ``n_q x n_k`` matrix of attention weights (or scores).

    Parameters
    ----------
    n_q, n_k : int
        Number of queries and keys, each >= 1.
    bytes_per_number : int, default 8
        8 for float64 (numpy's default), 4 for float32, 2 for float16.

    Returns
    -------
    int
        ``n_q * n_k * bytes_per_number``.
    """
    return (as_positive_int(n_q, "n_q") * as_positive_int(n_k, "n_k")
            * as_positive_int(bytes_per_number, "bytes_per_number"))


# ----- 2. measuring -------------------------------------------------------------------------------

def _as_function(function, name="function"):
    if not callable(function):
        raise TypeError(f"{name} must be a function to call with no arguments (e.g. a lambda); "
                        f"got {describe(function)}")
    return function


def peak_bytes(function) -> int:
    """The most memory ``function()`` holds at once while it runs, in bytes (``tracemalloc``).

    Counts what Python and numpy allocate during the call, from the moment it starts: the
    arrays the call creates, not the inputs it receives. For numpy code the figure is the
    same from run to run (it depends on the arrays' shapes, not on the clock).

    Parameters
    ----------
    function : callable
        Called once with no arguments, such as ``lambda: attention(Q, K, V)``.
    """
    function = _as_function(function)
    was_tracing = tracemalloc.is_tracing()
    if was_tracing:                              # someone else is tracing: measure from a clean peak
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
    else:
        tracemalloc.start()
        start = 0
    try:
        function()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        if not was_tracing:
            tracemalloc.stop()


def best_seconds(function, repeats: int = 3, warmup: int = 1) -> float:
    """The shortest wall time of ``repeats`` calls of ``function()``, in seconds.

    ``warmup`` untimed calls come first (the very first call also pays for one-off set-up,
    such as starting the threads of numpy's matrix library). The shortest call is the one
    least disturbed by whatever else the computer was doing; it still changes from run to
    run, so never quote it as a fixed number.
    """
    function = _as_function(function)
    repeats = as_positive_int(repeats, "repeats")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be a whole number >= 0; got {warmup!r}")
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def random_qkv(n: int, d: int = D_HEAD, seed: int = 0):
    """Random queries, keys and values for one sequence: three arrays of shape (n, d), float64."""
    rng = np.random.default_rng(as_seed(seed))
    n, d = as_positive_int(n, "n"), as_positive_int(d, "d")
    return tuple(rng.standard_normal((n, d)) for _ in range(3))     # (n, d) each


def measure_attention(sizes=MEASURE_SIZES, d: int = D_HEAD, repeats: int = 3, seed: int = 0,
                      function=attention) -> dict:
    """Time and peak memory of ``function(Q, K, V)`` for each sequence length in ``sizes``.

    Parameters
    ----------
    sizes : sequence of int
        Sequence lengths ``n``, each >= 1.
    d : int, default 64
        Width of queries, keys and values.
    repeats : int, default 3
        Timed calls per size, after one untimed warm-up call (the shortest counts).
    seed : int, default 0
    function : callable, default :func:`attn_lib.attention`
        Called as ``function(Q, K, V)``; e.g. :func:`attn_lib.tiled_attention`.

    Returns
    -------
    dict
        ``n`` (list of int), ``seconds`` (list of float, varies from run to run) and
        ``peak_bytes`` (list of int, the same every run).
    """
    sizes = [as_positive_int(n, "each entry of sizes") for n in sizes]
    function = _as_function(function)
    out = {"n": sizes, "seconds": [], "peak_bytes": []}
    for n in sizes:
        call = functools.partial(function, *random_qkv(n, d, seed))    # inputs made before measuring
        out["seconds"].append(best_seconds(call, repeats))
        out["peak_bytes"].append(peak_bytes(call))
    return out


# ----- 3. the online softmax, traced --------------------------------------------------------------

ONLINE_ROW = np.array([0.5, -1.0, 1.0, 0.0,
                       3.0, 1.5, -0.5, 2.0,
                       2.5, 0.0, 1.0, -2.0])
"""One query's scores for 12 keys: the maximum rises in the second block of 4 and not in the third."""

ONLINE_VALUES = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.0],
                          [2.0, -1.0], [0.0, 2.0], [1.0, -1.0], [-1.0, 1.0],
                          [0.5, 0.5], [2.0, 0.0], [0.0, -2.0], [1.0, 1.0]])
"""The 12 keys' values, 2 numbers each (shape (12, 2)), mixed by the weights of :data:`ONLINE_ROW`."""


def online_softmax_trace(x, V, block_size: int) -> list:
    """Every number of the online softmax of one row, block by block, with its output.

    The same steps as :func:`~attn_lib.core.tiled.tiled_attention` for a single query (both use
    :func:`~attn_lib.core.tiled.fold_block`), kept for display.

    Parameters
    ----------
    x : np.ndarray, shape (n,)
        One query's scores (finite).
    V : np.ndarray, shape (n, d_v)
        The values of the ``n`` keys.
    block_size : int
        Keys per block (>= 1); the last block is shorter when it does not divide ``n``.

    Returns
    -------
    list of dict, one per block
        ``start``, ``stop`` (the block is ``x[start:stop]``); ``block_max``; ``previous_max``
        (``-inf`` before the first block), ``running_max``; ``rescale`` =
        ``exp(previous_max - running_max)``; ``previous_sum``, ``running_sum``; ``acc_before``
        (d_v,), the unnormalised output so far, relative to ``previous_max``;
        ``acc_rescaled`` = ``acc_before * rescale``; ``block_output`` (d_v,) = ``p @ V[block]``;
        ``acc`` = ``acc_rescaled + block_output``; ``output`` = ``acc / running_sum``, the
        output if the row stopped here; ``weights`` (n,) = ``exp(x - running_max) /
        running_sum`` for the keys seen so far and 0 for the others.
    """
    x = as_array(x, "x", "(n,)", min_ndim=1, max_ndim=1)
    V = as_array(V, "V", "(n, d_v)", min_ndim=2, max_ndim=2)
    if V.shape[0] != x.size:
        raise ValueError(f"V must have one row per score: expected shape ({x.size}, d_v); got shape {V.shape}")
    block_size = as_positive_int(block_size, "block_size")
    running_max, running_sum = np.array(-np.inf), np.array(0.0)        # (), ()
    acc = np.zeros(V.shape[1])                                          # (d_v,)
    steps = []
    for start in range(0, x.size, block_size):
        stop = min(start + block_size, x.size)
        new_max, new_sum, rescale, p = fold_block(running_max, running_sum, x[start:stop])
        block_output = p @ V[start:stop]                                # (block,) @ (block, d_v) -> (d_v,)
        new_acc = acc * rescale + block_output                          # (d_v,)
        weights = np.zeros(x.size)                                      # (n,)
        weights[:stop] = np.exp(x[:stop] - new_max) / new_sum
        steps.append({"start": start, "stop": stop, "block_max": float(x[start:stop].max()),
                      "previous_max": float(running_max), "running_max": float(new_max),
                      "rescale": float(rescale), "previous_sum": float(running_sum),
                      "running_sum": float(new_sum), "acc_before": acc, "acc_rescaled": acc * rescale,
                      "block_output": block_output, "acc": new_acc, "output": new_acc / new_sum,
                      "weights": weights})
        running_max, running_sum, acc = new_max, new_sum, new_acc
    return steps


# ----- 4. the KV cache ----------------------------------------------------------------------------

def kv_cache_bytes(n_layers: int, d_model: int, n_tokens: int = 1, bytes_per_number: int = 8) -> int:
    """The bytes a KV cache holds for ``n_tokens`` tokens of one sequence.

    Each layer keeps, for every token, its key and its value: ``d_model`` numbers each (all
    heads together: ``n_heads * d_head = d_model``).

    Parameters
    ----------
    n_layers, d_model : int
        The model's sizes, each >= 1.
    n_tokens : int, default 1
        Tokens in the cache (1: the cost per token).
    bytes_per_number : int, default 8
        8 for float64, 4 for float32, 2 for float16.

    Returns
    -------
    int
        ``2 * n_layers * d_model * n_tokens * bytes_per_number``.
    """
    return (2 * as_positive_int(n_layers, "n_layers") * as_positive_int(d_model, "d_model")
            * as_positive_int(n_tokens, "n_tokens") * as_positive_int(bytes_per_number, "bytes_per_number"))


# ----- 5. very long inputs ------------------------------------------------------------------------

def sliding_window_mask(n: int, window: int) -> np.ndarray:
    """A causal sliding-window mask: each token sees itself and the ``window - 1`` tokens before it.

    ``window = 1`` is the diagonal alone; ``window = 2`` is notebook 05's "itself and the word
    before"; ``window >= n`` is the causal mask.

    Parameters
    ----------
    n : int
        Sequence length, >= 1.
    window : int
        Keys each query may see at most (itself included), >= 1.

    Returns
    -------
    np.ndarray of bool, shape (n, n)
        ``mask[i, j]`` is True when ``i - window < j <= i``.
    """
    n, window = as_positive_int(n, "n"), as_positive_int(window, "window")
    offset = np.arange(n)[:, None] - np.arange(n)[None, :]        # (n, n): i - j
    return (offset >= 0) & (offset < window)                      # (n, n)


def sliding_window_attention(Q, K, V, window: int) -> np.ndarray:
    """Causal attention inside a sliding window, computing only the scores the window needs.

    The queries are taken ``window`` at a time; a block of queries ``[start, stop)`` only needs
    the keys ``[start - window + 1, stop)``, so no step holds more than ``window x (2 window - 1)``
    scores, and the whole call scores about ``2 n window`` pairs instead of ``n^2``. Returns
    the same as ``attention(Q, K, V, mask=sliding_window_mask(n, window))[0]``.

    Parameters
    ----------
    Q, K : np.ndarray, shape (n, d_k)
    V : np.ndarray, shape (n, d_v)
    window : int
        As in :func:`sliding_window_mask`.

    Returns
    -------
    np.ndarray, shape (n, d_v)
    """
    Q = as_array(Q, "Q", "(n, d_k)", min_ndim=2, max_ndim=2)
    K = as_array(K, "K", "(n, d_k)", min_ndim=2, max_ndim=2)
    V = as_array(V, "V", "(n, d_v)", min_ndim=2, max_ndim=2)
    if K.shape != Q.shape:
        raise ValueError(f"K must have the shape of Q, {Q.shape} (self-attention); got shape {K.shape}")
    if V.shape[0] != Q.shape[0]:
        raise ValueError(f"V must have one row per token: expected shape ({Q.shape[0]}, d_v); got shape {V.shape}")
    window = as_positive_int(window, "window")
    n = Q.shape[0]
    out = np.empty((n, V.shape[1]))                                # (n, d_v)
    for start in range(0, n, window):
        stop = min(start + window, n)
        first = max(0, start - window + 1)                         # the oldest key any of these queries sees
        offset = np.arange(start, stop)[:, None] - np.arange(first, stop)[None, :]   # (queries, keys): i - j
        local = (offset >= 0) & (offset < window)                  # (queries, keys)
        out[start:stop] = attention(Q[start:stop], K[first:stop], V[first:stop], mask=local)[0]
    return out


def attended_pairs(n: int, window: int | None = None, causal: bool = True) -> int:
    """How many (query, key) pairs get a score, for ``n`` tokens.

    Parameters
    ----------
    n : int
        Sequence length, >= 1.
    window : int, optional
        A sliding window (:func:`sliding_window_mask`); None: no window.
    causal : bool, default True
        Only earlier keys (and itself). Without a window and not causal: every pair, ``n^2``.

    Returns
    -------
    int
        ``n^2`` (full), ``n (n + 1) / 2`` (causal), or ``sum_i min(i + 1, window)`` (window).
    """
    n = as_positive_int(n, "n")
    if window is not None:
        window = min(as_positive_int(window, "window"), n)
        return window * (window + 1) // 2 + (n - window) * window
    return n * (n + 1) // 2 if causal else n * n


"""Notebook 07's data and experiments: the lesson's inputs and weight matrices for two heads, the
shape tracer through split, attention, merge and the output projection, and heads switched on
and off.
"""

from __future__ import annotations

import numpy as np

from ..core.attention import scores
from ..core.multi_head import merge_heads, multi_head_steps
from ..core.validate import as_positive_int
from .lesson02 import INPUT_FEATURES, THETA, explorer_inputs

LESSON_SENTENCE = "The cat sat on the mat"


LESSON_FEATURES = ("animal", "object", "action", "place", "function", "nature", "pos sin", "pos cos")
"""The columns of :func:`lesson_inputs`: six meaning features, then the two position features."""


VALUE_FEATURES = ("animal", "object", "action", "place")
"""The features that each head's value slice of :func:`lesson_weights` carries."""


# ----- the lesson's inputs and weights ----------------------------------------------------------
def lesson_inputs(tokens) -> np.ndarray:
    """The explorer's inputs without the ``money`` and ``person`` columns: ``d_model = 8``.

    Parameters
    ----------
    tokens : list of str

    Returns
    -------
    np.ndarray, shape (n_tokens, 8)
        Columns are :data:`LESSON_FEATURES`.
    """
    keep = [INPUT_FEATURES.index(f) for f in LESSON_FEATURES]
    return explorer_inputs(tokens)[:, keep]                                  # (n, 10) -> (n, 8)


def lesson_weights(noun_strength: float = 3.0, position_strength: float = 5.0) -> dict:
    """The lesson's W_q, W_k, W_v, W_o (each 8 x 8), designed for two heads of width 4.

    * Head 0 (columns 0-3) looks for nouns: in column 0 every meaning feature asks
      (W_q) and ``animal`` + ``object`` answer (W_k).
    * Head 1 (columns 4-7) looks at the previous word: in columns 4-5 the query is
      the word's position turned back by one step (``THETA``), the key its position.
    * W_v gives each head the same four features of the word it attends to
      (:data:`VALUE_FEATURES`): head 0 in columns 0-3, head 1 in columns 4-7.
    * W_o is the identity, so each output column can still be read by name.

    Returns
    -------
    dict
        ``{"W_q", "W_k", "W_v", "W_o"}``, each of shape (8, 8).
    """
    d_model = len(LESSON_FEATURES)
    row = {f: i for i, f in enumerate(LESSON_FEATURES)}
    W_q, W_k, W_v = np.zeros((d_model, d_model)), np.zeros((d_model, d_model)), np.zeros((d_model, d_model))
    meaning = [row[f] for f in LESSON_FEATURES if not f.startswith("pos")]
    W_q[meaning, 0] = noun_strength                                          # head 0: everyone asks...
    W_k[[row["animal"], row["object"]], 0] = noun_strength                   # ...and nouns answer
    c, s = position_strength * np.cos(THETA), position_strength * np.sin(THETA)
    W_q[[row["pos sin"], row["pos cos"]], 4:6] = [[c, s], [-s, c]]          # head 1: my position, one step back
    W_k[row["pos sin"], 4] = W_k[row["pos cos"], 5] = position_strength     # key: my position
    for j, f in enumerate(VALUE_FEATURES):
        W_v[row[f], j] = W_v[row[f], 4 + j] = 1.0                            # both heads pass the same 4 features
    return {"W_q": W_q, "W_k": W_k, "W_v": W_v, "W_o": np.eye(d_model)}


# ----- shapes and columns -----------------------------------------------------------------------
def _shape(a) -> str:
    return str(tuple(int(x) for x in np.shape(a)))


class ShapeTrace:
    """The shapes of every step of multi-head attention, printed as aligned text.

    Attributes
    ----------
    rows : list of (str, str)
        ``(step, shapes)`` pairs, in the order of the computation.
    title : str
    """

    def __init__(self, rows, title):
        self.rows = list(rows)
        self.title = title

    @property
    def lines(self) -> list:
        width = max(len(step) for step, _ in self.rows)
        return [f"{step.ljust(width)}   {shapes}" for step, shapes in self.rows]

    def __repr__(self):
        return "\n".join([self.title, *self.lines])

    __str__ = __repr__


def trace_shapes(X, W_q, W_k, W_v, W_o, n_heads: int) -> ShapeTrace:
    """Follow every array of multi-head attention and report its shape.

    The shapes are read from the arrays that :func:`attn_lib.multi_head_steps`
    computes, plus the two intermediate arrays it does not keep: the reshape
    before the axis swap in ``split_heads``, and the swap before the reshape in
    ``merge_heads``.

    Parameters
    ----------
    X : np.ndarray, shape (..., n, d_model)
    W_q, W_k, W_v, W_o : np.ndarray, shape (d_model, d_model)
    n_heads : int
        Must divide ``d_model``.

    Returns
    -------
    ShapeTrace
        Prints one line per step, e.g. ``split_heads(Q, 2): reshape, swap axes   (6, 8) -> (6, 2, 4) -> (2, 6, 4)``.
    """
    s = multi_head_steps(X, W_q, W_k, W_v, W_o, n_heads)
    *batch, n, d_model = s["Q"].shape
    d_head = d_model // n_heads
    rows = [("X", _shape(X))]
    for name, W in (("Q", W_q), ("K", W_k), ("V", W_v)):
        rows.append((f"{name} = X @ W_{name.lower()}", f"{_shape(X)} @ {_shape(W)} -> {_shape(s[name])}"))
    for name in ("Q", "K", "V"):
        reshaped = s[name].reshape(*batch, n, n_heads, d_head)               # (..., n, n_heads, d_head)
        rows.append((f"split_heads({name}, {n_heads}): reshape, swap axes",
                     f"{_shape(s[name])} -> {_shape(reshaped)} -> {_shape(s[name + '_heads'])}"))
    K_T = np.swapaxes(s["K_heads"], -1, -2)                                  # (..., n_heads, d_head, n)
    raw = scores(s["Q_heads"], s["K_heads"])                                 # (..., n_heads, n, n)
    rows += [
        (f"scores = Q_h @ K_h^T / sqrt({d_head})", f"{_shape(s['Q_heads'])} @ {_shape(K_T)} -> {_shape(raw)}"),
        ("weights = softmax(scores), row by row", f"{_shape(raw)} -> {_shape(s['weights'])}"),
        ("heads = weights @ V_h", f"{_shape(s['weights'])} @ {_shape(s['V_heads'])} -> {_shape(s['heads'])}"),
    ]
    swapped = np.swapaxes(s["heads"], -2, -3)                                # (..., n, n_heads, d_head)
    rows += [
        ("merge_heads(heads): swap axes, reshape", f"{_shape(s['heads'])} -> {_shape(swapped)} -> {_shape(s['merged'])}"),
        ("output = merged @ W_o", f"{_shape(s['merged'])} @ {_shape(W_o)} -> {_shape(s['output'])}"),
    ]
    title = (f"Shapes through multi-head attention: n = {n} tokens, d_model = {d_model}, "
             f"n_heads = {n_heads}, d_head = {d_head}")
    return ShapeTrace(rows, title)


def check_heads(d_model, n_heads):
    d_model, n_heads = as_positive_int(d_model, "d_model"), as_positive_int(n_heads, "n_heads")
    if d_model % n_heads:
        raise ValueError(f"n_heads must divide d_model so every head gets the same width; "
                         f"got n_heads={n_heads} and d_model={d_model}")
    return d_model, n_heads


def head_slices(d_model: int, n_heads: int) -> list:
    """The columns each head owns: ``slice(h * d_head, (h + 1) * d_head)`` for head ``h``.

    Returns
    -------
    list of slice, length n_heads
    """
    d_model, n_heads = check_heads(d_model, n_heads)
    d_head = d_model // n_heads
    return [slice(h * d_head, (h + 1) * d_head) for h in range(n_heads)]


def divisors(d_model: int) -> list:
    """The head counts that split ``d_model`` evenly, smallest first."""
    d_model = as_positive_int(d_model, "d_model")
    return [h for h in range(1, d_model + 1) if d_model % h == 0]


# ----- outputs with some heads switched off -----------------------------------------------------
def output_with_heads(heads, W_o, active):
    """Merge the heads with the switched-off ones set to zero, then apply ``W_o``.

    Parameters
    ----------
    heads : np.ndarray, shape (..., n_heads, n, d_head)
        Each head's attention output (``multi_head_steps(...)["heads"]``).
    W_o : np.ndarray, shape (d_model, d_model)
    active : sequence of bool, length n_heads
        True for a head that contributes.

    Returns
    -------
    merged : np.ndarray, shape (..., n, d_model)
        Zero in the columns of every switched-off head.
    output : np.ndarray, shape (..., n, d_model)
    """
    heads = np.asarray(heads, dtype=np.float64)
    active = np.asarray(active, dtype=bool)
    if heads.ndim < 3 or active.shape != (heads.shape[-3],):
        raise ValueError(f"active must have one entry per head: expected shape ({heads.shape[-3] if heads.ndim >= 3 else 'n_heads'},) "
                         f"for heads of shape {heads.shape}; got shape {active.shape}")
    merged = merge_heads(heads * active[:, None, None])                      # (..., n, d_model)
    return merged, merged @ np.asarray(W_o, dtype=np.float64)               # (..., n, d_model)

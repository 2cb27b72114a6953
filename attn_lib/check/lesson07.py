"""Checkers for notebook 07: multi-head attention."""

from __future__ import annotations

import numpy as np

from ._base import Result, _as_number, _right, _wrong


def _heads_07(d_model, n_heads):
    """A checker's own inputs (not the learner's answer): n_heads must divide d_model."""
    d_model, n_heads = int(d_model), int(n_heads)
    if d_model < 1 or n_heads < 1 or d_model % n_heads:
        raise ValueError(f"n_heads must divide d_model; got d_model={d_model} and n_heads={n_heads}")
    return d_model, n_heads, d_model // n_heads


def _whole_numbers_07(answer, what, example):
    """Turn an answer into a tuple of whole numbers, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}, such as {example}.")
    if isinstance(answer, np.ndarray) and answer.ndim >= 2:
        return None, _wrong(f"that is an array; the question asks for {what}, such as {example} "
                            "(an array's .shape gives its shape).")
    if isinstance(answer, (str, bytes, dict, set)) or not hasattr(answer, "__iter__"):
        return None, _wrong(f"answer with {what}, such as {example}.")
    try:
        values = np.asarray(list(answer), dtype=np.float64)
    except (TypeError, ValueError):
        return None, _wrong(f"answer with {what}, such as {example}: whole numbers only.")
    if values.ndim != 1 or not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return None, _wrong(f"answer with {what}, such as {example}: whole numbers only.")
    return tuple(int(v) for v in values), None


def split_heads_shape(answer, n: int, d_model: int, n_heads: int) -> Result:
    """Exercise: the shape of ``split_heads(Q, n_heads)`` for Q of shape (n, d_model).

    Parameters
    ----------
    answer : tuple of int
        The learner's shape.
    n, d_model, n_heads : int
        The sizes of the exercise; ``n_heads`` must divide ``d_model``.
    """
    d_model, n_heads, d_head = _heads_07(d_model, n_heads)
    shape, problem = _whole_numbers_07(answer, "a shape, as a tuple of whole numbers", "(2, 6, 4)")
    if problem is not None:
        return problem
    if shape == (n_heads, n, d_head):
        return _right("the reshape cuts every row into n_heads pieces of d_head columns, and the swap "
                      "puts the head axis first, so each head holds an ordinary (n, d_head) matrix.")
    if shape == (n, n_heads, d_head):
        return _wrong("that is the shape after the reshape, before the axes are swapped. split_heads "
                      "also moves the head axis to the front.")
    if shape == (n, d_model):
        return _wrong("that is the shape of Q before the split; split_heads adds an axis for the heads.")
    if shape in ((n_heads, n, d_model), (n, n_heads, d_model)):
        return _wrong("each head does not get all d_model columns: the columns are shared out among the "
                      "heads, in equal pieces.")
    if len(shape) == 3 and sorted(shape) == sorted((n_heads, n, d_head)):
        return _wrong("the right sizes in the wrong order. Which axis does split_heads move, and to "
                      "which place?")
    if len(shape) == 3 and shape[0] == n_heads and shape[1] == n:
        return _wrong("heads and tokens are right; check the last size, the columns each head gets "
                      "(d_model cut into n_heads equal pieces).")
    if len(shape) != 3:
        return _wrong(f"split_heads turns a 2-D Q into a 3-D array; your shape has {len(shape)} "
                      "number(s). Follow the two steps in the shape trace of section 3.")
    return _wrong("follow the two steps of split_heads in the shape trace of section 3: a reshape, "
                  "then an axis swap.")


def columns_of_head(answer, d_model: int, n_heads: int, head: int) -> Result:
    """Exercise: which columns of Q (0-based) does head ``head`` use?

    Parameters
    ----------
    answer : list of int, range, or slice
        The learner's columns, e.g. ``[4, 5, 6, 7]``, ``range(4, 8)`` or ``slice(4, 8)``.
    d_model, n_heads, head : int
        The sizes of the exercise; heads are numbered from 0.
    """
    d_model, n_heads, d_head = _heads_07(d_model, n_heads)
    if not 0 <= int(head) < n_heads:
        raise ValueError(f"head must be between 0 and {n_heads - 1}; got {head}")
    head = int(head)
    if isinstance(answer, slice):
        try:
            answer = range(*answer.indices(d_model))
        except (TypeError, ValueError):
            return _wrong("a slice needs whole numbers, such as slice(0, 2).")
    columns, problem = _whole_numbers_07(answer, "a list of column numbers", "[0, 1]")
    if problem is not None:
        return problem
    truth = tuple(range(head * d_head, (head + 1) * d_head))
    if columns == truth:
        return _right("head h owns one block of d_head neighbouring columns, starting at column h × d_head.")
    blocks = {h: tuple(range(h * d_head, (h + 1) * d_head)) for h in range(n_heads)}
    if sorted(columns) == list(truth):
        return _wrong("the right columns; list them in increasing order.")
    if columns == tuple(c + 1 for c in truth):
        return _wrong("numpy counts columns from 0, so the first column is column 0.")
    for h, block in blocks.items():
        if columns == block:
            return _wrong(f"those are the columns of head {h}. Heads are counted from 0 too: head 0 is "
                          "the first head.")
    if columns == tuple(range(head, d_model, n_heads)):
        return _wrong("that takes every n_heads-th column (interleaved). The reshape in split_heads cuts "
                      "each row into neighbouring blocks, one block per head.")
    if len(columns) != d_head:
        return _wrong(f"you listed {len(columns)} column(s); every head gets the same number of columns, "
                      "d_model / n_heads.")
    if any(not 0 <= c < d_model for c in columns):
        return _wrong("every column number must be between 0 and d_model - 1.")
    return _wrong("each head owns one block of neighbouring columns; the column map in section 3 "
                  "shows the blocks for d_model = 8 and 2 heads.")


def multi_head_parameters(answer, d_model: int, n_heads: int) -> Result:
    """Exercise: the number of weights (no biases) of multi-head attention with W_q, W_k, W_v, W_o.

    Parameters
    ----------
    answer : int
    d_model, n_heads : int
        The sizes of the exercise; the answer does not depend on ``n_heads``.
    """
    d_model, n_heads, d_head = _heads_07(d_model, n_heads)
    value, problem = _as_number(answer, "the number of weights, one whole number")
    if problem is not None:
        return problem
    d2 = d_model * d_model

    def same(candidate):
        return value == candidate

    if same(4 * d2):
        return _right("each head's slices of W_q, W_k and W_v add up to three d_model × d_model "
                      "matrices, whatever the number of heads, and W_o adds a fourth.")
    if same(3 * d2):
        return _wrong("that counts W_q, W_k and W_v; the output projection W_o has weights too.")
    if same(3 * d_model * d_head) or same(4 * d_model * d_head) or same(3 * d_model * d_head + d2):
        # 4 * d_model * d_head also equals n_heads * 4 * d_head**2 (d_head x d_head matrices per head)
        return _wrong("that looks like the share of one head. Add up every head, and W_o; a head's slice "
                      "of W_q has d_model rows (it reads the whole input) and d_head columns.")
    if n_heads > 1 and (same(4 * d2 * n_heads) or same(3 * d2 * n_heads + d2)):
        return _wrong("too many: the heads do not each have full d_model × d_model matrices. They share "
                      "the columns of W_q, W_k and W_v, d_head columns each.")
    if same(4 * d2 + 4 * d_model):
        return _wrong("that includes biases; count only the weight matrices, as attn_lib has no biases.")
    if value < 0 or value != round(value):
        return _wrong("a number of weights is a whole number, at least 0.")
    return _wrong("add up the entries (rows × columns) of W_q, W_k, W_v and W_o; section 6 counts "
                  "them for d_model = 8.")

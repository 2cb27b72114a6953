"""Checkers for notebook 07: multi-head attention."""

from __future__ import annotations

import numpy as np

from ..core.multi_head import multi_head_attention
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..lessons.lesson07 import LESSON_SENTENCE, lesson_inputs, lesson_weights
from ._base import (
    DIVISION_HINT,
    OVERFLOW_HINT,
    Result,
    _as_number,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _describe,
    _read_numbers,
    _right,
    _wrong,
)


def _heads_07(d_model, n_heads):
    """A checker's own inputs (not the learner's answer): n_heads must divide d_model."""
    try:
        d_model, n_heads = int(d_model), int(n_heads)
    except (TypeError, ValueError):
        raise _CheckerArgumentError(f"d_model and n_heads must be whole numbers; got {d_model!r} and "
                                    f"{n_heads!r}") from None
    if d_model < 1 or n_heads < 1 or d_model % n_heads:
        raise _CheckerArgumentError(f"n_heads must divide d_model; got d_model={d_model} and n_heads={n_heads}")
    return d_model, n_heads, d_model // n_heads


def _whole_numbers_07(answer, what, example):
    """Turn an answer into a tuple of whole numbers, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}, such as {example}.")
    if isinstance(answer, np.ndarray) and answer.ndim >= 2:
        return None, _wrong(f"that is an array; the question asks for {what}, such as {example} "
                            "(an array's .shape gives its shape).")
    if not isinstance(answer, (list, tuple, range, np.ndarray)):
        return None, _wrong(f"answer with {what}, such as {example}; yours is {_describe(answer)}.")
    values, problem = _read_numbers(answer, what)
    if problem is not None:
        return None, _wrong(f"answer with {what}, such as {example}: whole numbers only.")
    if values.ndim != 1 or not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return None, _wrong(f"answer with {what}, such as {example}: whole numbers only.")
    return tuple(int(v) for v in values), None


@_checker("a shape, a tuple of whole numbers")
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


@_checker("a list of column numbers")
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
    if isinstance(head, bool) or not isinstance(head, (int, np.integer)) or not 0 <= head < n_heads:
        raise _CheckerArgumentError(f"head must be between 0 and {n_heads - 1}; got {head}")
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


@_checker("one whole number")
def multi_head_parameters(answer, d_model: int, n_heads: int) -> Result:
    """Exercise: the number of weights (no biases) of multi-head attention with W_q, W_k, W_v, W_o.

    Parameters
    ----------
    answer : int
    d_model, n_heads : int
        The sizes of the exercise; the answer does not depend on ``n_heads``.
    """
    d_model, n_heads, d_head = _heads_07(d_model, n_heads)
    value, problem = _as_number(answer, "the number of parameters (entries of the weight matrices), one whole number")
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
        return _wrong("a number of parameters is a whole number, at least 0.")
    return _wrong("add up the entries (rows × columns) of W_q, W_k, W_v and W_o; section 6 counts "
                  "them for d_model = 8.")


# ----- checking the learner's own function ------------------------------------------------------

def _heads_of_07(M, n_heads, how):
    """Cut M (n, d_model) into heads (n_heads, n, d_head): the right way or a typical wrong one."""
    n, d_model = M.shape
    d_head = d_model // n_heads
    if how == "no transpose":
        return M.reshape(n_heads, n, d_head)                                # rows cut across heads
    if how == "interleaved":
        return M.reshape(n, d_head, n_heads).transpose(2, 0, 1)             # head h: columns h, h + n_heads, ...
    return M.reshape(n, n_heads, d_head).transpose(1, 0, 2)                 # (n, n_heads, d_head) -> (n_heads, n, d_head)


def _multi_head_07(X, W_q, W_k, W_v, W_o, n_heads, split="right", merge="right", divisor=None,
                   project=True, naive=False):
    """Multi-head attention with chosen mistakes built in; returns (output, weights)."""
    Q, K, V = (_heads_of_07(X @ W, n_heads, split) for W in (W_q, W_k, W_v))   # (n_heads, n, d_head) each
    d_head = Q.shape[-1]
    S = Q @ np.swapaxes(K, -1, -2) / (np.sqrt(d_head) if divisor is None else divisor)   # (n_heads, n, n)
    if naive:
        with np.errstate(all="ignore"):
            e = np.exp(S)
            weights = e / e.sum(axis=-1, keepdims=True)
    else:
        weights = softmax(S, axis=-1)
    heads = weights @ V                                                     # (n_heads, n, d_head)
    n = X.shape[0]
    if merge == "no transpose":
        merged = heads.reshape(n, -1)                                       # (n, d_model), tokens mixed up
    else:
        merged = heads.transpose(1, 0, 2).reshape(n, -1)                    # (n, n_heads, d_head) -> (n, d_model)
    return (merged @ W_o if project else merged), weights


def _scores_07(X, W_q, W_k, W_v, W_o, n_heads):
    Q, K = (_heads_of_07(X @ W, n_heads, "right") for W in (W_q, W_k))       # (n_heads, n, d_head) each
    return Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])                 # (n_heads, n, n)


def _multi_head_mistakes_07(X, W_q, W_k, W_v, W_o, n_heads):
    args = (X, W_q, W_k, W_v, W_o, n_heads)
    d_model = X.shape[1]
    by_weights = [
        (("Q.reshape(n_heads, n, d_head) cuts through the rows, so a head mixes several tokens. Reshape to "
          "(n, n_heads, d_head), then transpose to (n_heads, n, d_head): each head takes its columns."),
         {"split": "no transpose"}),
        (("head h owns one block of neighbouring columns, h * d_head to (h + 1) * d_head, not every "
          "n_heads-th column: reshape to (n, n_heads, d_head), then transpose."), {"split": "interleaved"}),
        ("scale each head's scores by √d_k, where d_k = d_head is the width of one head.", {"divisor": 1.0}),
        (("divide by √d_head (the width of one head), not √d_model: each head's dot products add up only "
          "d_head terms."), {"divisor": np.sqrt(d_model)}),
        (("exp() of a large score overflows to inf, and inf / inf is NaN: subtract each row's maximum "
          "before exp()."), {"naive": True}),
    ]
    mistakes = [(hint, {1: _multi_head_07(*args, **kw)[1]}) for hint, kw in by_weights]
    mistakes.append(("each head's weights must add up to 1 along the last axis (axis=-1), over the keys.",
                     {1: softmax(_scores_07(*args), axis=-2)}))
    by_output = [
        (("the heads are right, but putting them back side by side needs the transpose too: (n_heads, n, "
          "d_head) -> transpose -> (n, n_heads, d_head) -> reshape -> (n, d_model)."), {"merge": "no transpose"}),
        ("the heads are right, but the output projection is missing: multiply the merged heads by W_o.",
         {"project": False}),
    ]
    mistakes += [(hint, {0: _multi_head_07(*args, **kw)[0]}) for hint, kw in by_output]
    return mistakes


def _multi_head_cases_07():
    W = lesson_weights()
    course = (lesson_inputs(tokenize(LESSON_SENTENCE)), W["W_q"], W["W_k"], W["W_v"], W["W_o"], 2)
    rng = np.random.default_rng(11)
    X = rng.normal(size=(5, 6))
    W_q, W_k, W_v, W_o = (rng.normal(size=(6, 6)) for _ in range(4))
    cases = []
    for args in (course, (X, W_q, W_k, W_v, W_o, 3), (X, W_q, W_k, W_v, W_o, 2),
                 (X, 40.0 * W_q, 40.0 * W_k, W_v, W_o, 2)):                  # the last: scores around 1e4
        big = np.abs(_scores_07(*args)).max() > 100
        cases.append({"args": args, "truth": multi_head_attention(*args),
                      "mistakes": _multi_head_mistakes_07(*args),
                      "nonfinite": OVERFLOW_HINT if big else DIVISION_HINT})
    return cases


def _multi_head_generic_07(arrays, truth):
    weights = arrays[1]                                                     # arrays: (output, weights)
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-6):
        return "each head's weights should add up to 1 along every row: a softmax over the keys."
    if np.allclose(weights, truth[1], rtol=1e-5, atol=1e-7):
        return ("every head's weights are right but the output is not: weights @ V per head, the heads side "
                "by side again (transpose, then reshape), then @ W_o.")
    return ("follow the shape trace: Q, K, V = X @ W_q, X @ W_k, X @ W_v; split each into heads (reshape to "
            "(n, n_heads, d_head), transpose); attention per head with √d_head; merge; @ W_o.")


@_checker("a function multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads)")
def multi_head_function(fn) -> Result:
    """Exercise: the learner's ``multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (output, weights)``.

    Compared with :func:`attn_lib.multi_head_attention` on the lesson's inputs and weights
    (2 heads), on seeded random inputs with 3 and 2 heads (W_o not the identity), and on
    scores near 1e4.

    Parameters
    ----------
    fn : callable
        ``fn(X, W_q, W_k, W_v, W_o, n_heads)`` with X (n, d_model), each W (d_model, d_model);
        returns ``output`` (n, d_model) and ``weights`` (n_heads, n, n).
    """
    call = "multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads)"
    problem = _check_function(fn, call, ("output", "weights"), _multi_head_cases_07(), _multi_head_generic_07,
                              meanings=("(n, d_model)", "(n_heads, n, n): one (n, n) matrix per head"))
    if problem is not None:
        return problem
    return _right("your multi-head attention agrees with attn_lib.multi_head_attention: each head works on "
                  "its own block of columns, scaled by √d_head, and W_o mixes the merged heads.")

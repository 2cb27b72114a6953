"""Checkers for notebook 01: what is self-attention."""

from __future__ import annotations

import numpy as np

from ..core.attention import causal_mask, self_attention
from ..core.embeddings import D_MODEL, embed
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..core.weights import random_weights
from ..lessons.lesson01 import CAT_PROBABILITIES, CAT_SENTENCE
from ..lessons.lesson03 import STABLE_SCORES
from ._base import (
    DIVISION_HINT,
    OVERFLOW_HINT,
    Result,
    _as_vector,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _right,
    _wrong,
)


@_checker("one raw score per word of 'The cat sat on the mat'")
def raw_scores_for_cat(answer) -> Result:
    """Exercise: give raw scores whose softmax is the post's table for "cat".

    Any set of scores that differs from ``log(probabilities)`` by one constant is right.
    """
    n = len(CAT_PROBABILITIES)
    scores, problem = _as_vector(answer, n, "one raw score per word of 'The cat sat on the mat'")
    if problem is not None:
        return problem
    if np.allclose(scores, CAT_PROBABILITIES, atol=1e-6):
        return _wrong("those are the probabilities themselves. Which function undoes exp()?")
    if np.allclose(softmax(scores), CAT_PROBABILITIES, atol=5e-3):   # logs rounded to 0.01 pass
        return _right("softmax of your scores reproduces the table (any constant shift would too).")
    if np.allclose(softmax(-scores), CAT_PROBABILITIES, atol=5e-3):
        return _wrong("the signs are flipped: a larger probability needs a larger score.")
    return _wrong("softmax(your scores) should equal the table. Try the natural log of each probability.")


@_checker("one raw score per word")
def cat_attends_most_to_mat(answer) -> Result:
    """Exercise: choose raw scores so that "cat" gives "mat" at least half of its attention."""
    tokens = tokenize(CAT_SENTENCE)
    scores, problem = _as_vector(answer, len(tokens), "one raw score per word")
    if problem is not None:
        return problem
    weights = softmax(scores)
    mat = tokens.index("mat")
    if weights[mat] >= 0.5:
        return _right(f"'mat' now gets {weights[mat]:.2f} of the attention.")
    if int(np.argmax(weights)) == mat:
        return _wrong("'mat' is the favourite but has less than half. Widen the gap between its score and the rest.")
    return _wrong("raise the score of 'mat' (the last word) well above the others; only differences matter.")


@_checker("a vector with one entry per column of V")
def weighted_sum(answer, weights, V) -> Result:
    """Exercise: compute one token's output as the weighted sum of the value vectors.

    Parameters
    ----------
    answer : array_like, shape (d_v,)
    weights : np.ndarray, shape (n,)
        The token's attention weights.
    V : np.ndarray, shape (n, d_v)
    """
    weights, V = np.asarray(weights, dtype=np.float64), np.asarray(V, dtype=np.float64)
    if V.ndim != 2 or weights.shape != (V.shape[0],):
        raise _CheckerArgumentError(f"weights must have shape (n,) and V shape (n, d_v); got weights of "
                                    f"shape {weights.shape} and V of shape {V.shape}")
    vector, problem = _as_vector(answer, V.shape[1], "a vector with one entry per column of V")
    if problem is not None:
        return problem
    if np.allclose(vector, weights @ V, atol=1e-6):
        return _right("each value vector was scaled by its weight and the results added.")
    if np.allclose(vector, V.mean(axis=0), atol=1e-6):
        return _wrong("that is a plain average; each row of V should count as much as its weight.")
    if np.allclose(vector, V.sum(axis=0), atol=1e-6):
        return _wrong("that is an unweighted sum; multiply each row of V by its weight first.")
    return _wrong("multiply row j of V by weights[j], then add the rows (a matrix product does both).")


@_checker("a list of words")
def causal_visible(answer, sentence: str, query: str) -> Result:
    """Exercise: which tokens may ``query`` attend to under a causal (GPT-style) mask?

    Parameters
    ----------
    answer : list of str
        The tokens the learner thinks are visible.
    sentence : str
    query : str
        A token of ``sentence`` (its first occurrence is used).
    """
    tokens = tokenize(sentence)
    if query not in tokens:
        raise _CheckerArgumentError(f"query must be a token of the sentence {tokens}; got {query!r}")
    if answer is None or answer is Ellipsis:
        return _wrong("replace the ... with a list of words in sentence order, such as ['first', 'second'].")
    if not isinstance(answer, (list, tuple)) or not all(isinstance(a, str) for a in answer):
        return _wrong("answer with a list of words in sentence order, such as ['first', 'second'].")
    i = tokens.index(query)
    visible = [t for t, allowed in zip(tokens, causal_mask(len(tokens))[i]) if allowed]
    if list(answer) == visible:
        return _right(f"'{query}' sees itself and everything before it, nothing after.")
    if query not in answer:
        return _wrong("a token may always attend to itself; the diagonal of a causal mask is True.")
    if any(tokens.index(a) > i for a in answer if a in tokens):
        return _wrong("a causal model reads left to right: no word after the query is visible.")
    return _wrong("list every word from the start of the sentence up to and including the query, in order.")


# ----- checking the learner's own functions -----------------------------------------------------

def _naive_softmax_01(x, axis=-1):
    """softmax without subtracting the maximum: overflows to NaN for large scores."""
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_mistakes_01(x):
    """The typical wrong softmaxes of x (2-D), each with the hint that names its mistake."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))                          # (n, m), stable
    mistakes = [
        (("each row must add up to 1, but your columns do: take the sum (and the maximum) along the last "
          "axis, axis=-1."), _naive_softmax_01(x - x.max(axis=0, keepdims=True), axis=0)),
        (("you divided by the total of the whole array; each row needs its own total: sum along the last "
          "axis (axis=-1) with keepdims=True."), np.exp(x - x.max()) / np.exp(x - x.max()).sum()),
        (("subtract each row's own maximum (x.max(axis=-1, keepdims=True)); subtracting each column's "
          "maximum shifts the entries of a row by different amounts."),
         _naive_softmax_01(x - x.max(axis=0, keepdims=True))),
        (("exp() of a large score overflows to inf, and inf / inf is NaN: subtract each row's maximum "
          "from the row before exp()."), _naive_softmax_01(x)),
        (("subtract each row's own maximum (axis=-1, keepdims=True), not the maximum of the whole array: "
          "a row far below it underflows to 0 / 0."), _naive_softmax_01(x - x.max())),
        ("apply exp() to the scores before dividing by their total.", x / x.sum(axis=-1, keepdims=True)),
        ("the rows do not add up to 1 yet: divide each exp() by its row's total.", e),
    ]
    if x.shape[0] == x.shape[1]:
        mistakes.append((("divide by the row totals with keepdims=True, so that the sum of row i divides "
                          "row i (without it, numpy divides column i by it)."),
                         e / e.sum(axis=-1)))
    return [(hint, {0: candidate}) for hint, candidate in mistakes]


def _softmax_cases_01():
    X = embed(tokenize(CAT_SENTENCE))                                       # (6, 8)
    course = (X @ random_weights(D_MODEL, D_MODEL, seed=1)) @ (X @ random_weights(D_MODEL, D_MODEL, seed=2)).T
    rng = np.random.default_rng(2024)
    large = 10.0 * np.stack([STABLE_SCORES, STABLE_SCORES[::-1], STABLE_SCORES - 2.0])       # (3, 3), ~1e4
    mixed = np.stack([10.0 * STABLE_SCORES, np.array([0.0, 1.0, 2.0]), -10.0 * STABLE_SCORES])
    inputs = [3.0 * course, rng.normal(0.0, 2.0, size=(5, 5)), rng.normal(0.0, 2.0, size=(3, 7)),
              np.log(CAT_PROBABILITIES)[None, :], large, mixed]             # shapes (6, 6) ... (3, 3)
    overflow = ("your softmax gives NaN or infinity for large scores such as 1e4: exp() overflows. "
                "Subtract each row's maximum before exp().")
    return [{"args": (x,), "truth": (softmax(x),), "mistakes": _softmax_mistakes_01(x),
             "nonfinite": overflow if np.abs(x).max() > 100 else
             "your softmax gives NaN or infinity for ordinary scores; check for a division by 0."}
            for x in inputs]


def _softmax_generic_01(arrays, truth):
    (weights,) = arrays
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-6):
        return "each row of softmax(x) should add up to 1: exp() of each score, divided by its row's total."
    if np.any(weights < 0):
        return "softmax weights are never negative: exp() of anything is positive."
    return ("the rows add up to 1 but the weights are not the softmax of the scores: exp() of each "
            "score, divided by the total of exp() over its row.")


@_checker("a function softmax(x)")
def softmax_function(fn) -> Result:
    """Exercise: the learner's ``softmax(x)`` along the last axis of a 2-D array.

    It is called on the course's scores, on seeded random scores and on scores as large as
    1e4, and compared with :func:`attn_lib.softmax`; typical mistakes (wrong axis, no
    maximum subtracted, no keepdims) get their own hint.

    Parameters
    ----------
    fn : callable
        ``fn(x) -> weights``: x of shape (n, m), weights of the same shape.
    """
    problem = _check_function(
        fn, "softmax(x)", ("result",), _softmax_cases_01(), _softmax_generic_01, meanings=("the shape of x",))
    if problem is not None:
        return problem
    return _right("your softmax agrees with attn_lib.softmax on every test, scores as large "
                             "as 1e4 included: each row adds up to 1 and nothing overflows.")


def _self_attention_mistakes_01(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v                                     # (n, d_k), (n, d_k), (n, d_v)
    d_k, d_model = Q.shape[1], X.shape[1]
    weights = softmax(Q @ K.T / np.sqrt(d_k))                               # (n, n)
    by_weights = [
        ("scale the scores: divide Q @ K.T by √d_k (the square root of d_k) before the softmax.", Q @ K.T),
        ("divide the scores by √d_k, the square root of d_k, not by d_k itself.", Q @ K.T / d_k),
        ("√d_k uses d_k, the width of the queries and keys (the columns of W_q), not the width of X.",
         Q @ K.T / np.sqrt(d_model)),
        ("the scores are transposed: row i should hold query i against every key, Q @ K.T, not K @ Q.T.",
         K @ Q.T / np.sqrt(d_k)),
    ]
    mistakes = [(hint, {1: softmax(S)}) for hint, S in by_weights]
    mistakes += [
        (("each row of the weights must add up to 1: take the softmax along the last axis (axis=-1), over "
          "the keys, not down the columns."), {1: softmax(Q @ K.T / np.sqrt(d_k), axis=0)}),
        (("exp() of a large score overflows to inf, and inf / inf is NaN: subtract each row's maximum "
          "before exp() (your stable softmax does)."), {1: _naive_softmax_01(Q @ K.T / np.sqrt(d_k))}),
        ("the output mixes the values V = X @ W_v, not the inputs X themselves.", {0: weights @ X}),
        ("output row i is row i of the weights times V: weights @ V (not weights.T @ V).",
         {0: weights.T @ V}),
    ]
    return mistakes


def _self_attention_cases_01():
    X = embed(tokenize(CAT_SENTENCE))                                       # (6, 8)
    course = (X, *(random_weights(D_MODEL, D_MODEL, seed=seed) for seed in (1, 2, 3)))
    rng = np.random.default_rng(7)
    X_r = rng.normal(size=(5, 6))
    W_r = (rng.normal(size=(6, 4)), rng.normal(size=(6, 4)), rng.normal(size=(6, 3)))
    large = (X_r[:4], 60.0 * W_r[0], 60.0 * W_r[1], W_r[2])                 # scores around 1e4
    cases = []
    for args in (course, (X_r, *W_r), large):
        big = np.abs(args[0] @ args[1] @ (args[0] @ args[2]).T).max() > 100
        cases.append({"args": args, "truth": self_attention(*args),
                      "mistakes": _self_attention_mistakes_01(*args),
                      "nonfinite": OVERFLOW_HINT if big else DIVISION_HINT})
    return cases


def _attention_generic_01(arrays, truth):
    weights = arrays[1]                                                     # arrays: (output, weights)
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-6):
        return "each row of the weights should add up to 1: the softmax of that query's scores."
    if np.allclose(weights, truth[1], rtol=1e-5, atol=1e-7):
        return "the weights are right but the output is not: each output row is that token's weights " \
               "times the values, weights @ V."
    return ("follow the steps one by one: Q = X @ W_q, K = X @ W_k, V = X @ W_v; scores Q @ K.T / √d_k; a "
            "softmax along each row; output = weights @ V.")


@_checker("a function self_attention(X, W_q, W_k, W_v)")
def self_attention_function(fn) -> Result:
    """Exercise: the learner's ``self_attention(X, W_q, W_k, W_v) -> (output, weights)``.

    Compared with :func:`attn_lib.self_attention` on "The cat sat on the mat", on seeded
    random inputs (d_k differs from d_model and d_v) and on inputs with scores near 1e4.

    Parameters
    ----------
    fn : callable
        ``fn(X, W_q, W_k, W_v)`` with X (n, d_model), W_q and W_k (d_model, d_k), W_v (d_model, d_v);
        returns ``output`` (n, d_v) and ``weights`` (n, n).
    """
    call = "self_attention(X, W_q, W_k, W_v)"
    problem = _check_function(
        fn, call, ("output", "weights"), _self_attention_cases_01(), _attention_generic_01,
        meanings=("(n, d_v)", "(n, n)"))
    if problem is not None:
        return problem
    return _right("your self-attention agrees with attn_lib.self_attention: queries, keys and "
                             "values, scores scaled by √d_k, a stable softmax per row, then weights @ V.")

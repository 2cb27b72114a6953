"""Checkers for notebook 06: positions."""

from __future__ import annotations

import numpy as np

from ..core.embeddings import embed as _embed
from ..core.tokens import tokenize
from ..lessons.lesson06 import TELL_APART_PAIRS
from ._base import (
    Result,
    _as_vector,
    _checker,
    _CheckerArgumentError,
    _read_numbers,
    _right,
    _wrong,
)


def _pe_pair_06(pos, d_model, pair, base=10000.0, exponent=None, degrees=False, multiply=False):
    """Columns 2*pair and 2*pair+1 of a sinusoidal encoding, optionally with a typical mistake built in."""
    exponent = 2 * pair / d_model if exponent is None else exponent
    angle = pos * base ** exponent if multiply else pos / base ** exponent
    if degrees:
        angle = np.radians(angle)
    return np.array([np.sin(angle), np.cos(angle)])


@_checker("two numbers")
def position_encoding_pair(answer, pos: int, d_model: int = 8, pair: int = 1) -> Result:
    """Exercise: the two sinusoidal encoding entries ``[PE[pos, 2*pair], PE[pos, 2*pair + 1]]``.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d_model))`` and ``PE[pos, 2i+1] = cos(...)``, with
    ``i = pair``. Answers rounded to 2 decimals pass.

    Parameters
    ----------
    answer : array_like, shape (2,)
    pos : int
        The position, >= 0.
    d_model : int, default 8
    pair : int, default 1
        The frequency pair i: columns 2i and 2i+1; 0 <= pair < d_model / 2.
    """
    if isinstance(pos, bool) or not isinstance(pos, (int, np.integer)) or pos < 0:
        raise _CheckerArgumentError(f"pos must be a whole number >= 0; got {pos!r}")
    if isinstance(d_model, bool) or not isinstance(d_model, (int, np.integer)) or d_model < 2 or d_model % 2:
        raise _CheckerArgumentError(f"d_model must be an even whole number >= 2; got {d_model!r}")
    if isinstance(pair, bool) or not isinstance(pair, (int, np.integer)) or not 0 <= pair < d_model // 2:
        raise _CheckerArgumentError(f"pair must be a whole number from 0 to {d_model // 2 - 1}; got {pair!r}")
    c_sin, c_cos = 2 * pair, 2 * pair + 1
    what = f"two numbers, [PE[{pos}, {c_sin}], PE[{pos}, {c_cos}]]"
    vector, problem = _as_vector(answer, 2, what)
    if problem is not None:
        return problem
    truth = _pe_pair_06(pos, d_model, pair)

    def near(candidate):
        return bool(np.allclose(vector, candidate, atol=5e-3))

    if near(truth):
        return _right(f"column {c_sin} is the sine and column {c_cos} the cosine of the same angle, "
                      f"pos / 10000^(2·{pair}/{d_model}).")
    if near(truth[::-1]):
        return _wrong(f"the order is swapped: the even column {c_sin} holds the sine, the odd column "
                      f"{c_cos} the cosine.")
    if pair != 0 and near(_pe_pair_06(pos, d_model, 0)):
        return _wrong(f"those are columns 0 and 1 (i = 0). Columns {c_sin} and {c_cos} belong to the pair "
                      f"i = {pair}, which turns more slowly.")
    if near(_pe_pair_06(pos, d_model, pair, exponent=2 * c_sin / d_model)):
        return _wrong(f"the exponent uses the pair number i = {pair}, not the column number {c_sin}: "
                      f"columns 2i and 2i+1 share the exponent 2i/d_model.")
    if near(_pe_pair_06(pos, d_model, pair, exponent=2 * pair)):
        return _wrong("divide the exponent 2i by d_model: the rate is 10000^(-2i/d_model).")
    if near(_pe_pair_06(pos, d_model, pair, degrees=True)):
        return _wrong("np.sin and np.cos take radians, and the angle pos / 10000^(2i/d_model) already is "
                      "in radians: do not convert it.")
    if near(_pe_pair_06(pos, d_model, pair, multiply=True)):
        return _wrong("divide pos by 10000^(2i/d_model) instead of multiplying: the later pairs turn "
                      "more slowly, not faster.")
    if np.any(np.abs(vector) > 1.0 + 1e-9):
        return _wrong("every entry is a sine or a cosine, so it lies between -1 and 1.")
    return _wrong(f"PE[pos, 2i] = sin(pos / 10000^(2i/d_model)) and PE[pos, 2i+1] = cos(same angle), "
                  f"with i = {pair} for columns {c_sin} and {c_cos}, pos = {pos} and d_model = {d_model}.")


def _order_06(order, n):
    """A checker's own input (not the learner's answer): a rearrangement of 0..n-1."""
    try:
        order = [int(k) for k in np.asarray(order).ravel()]
    except (TypeError, ValueError, OverflowError):
        raise _CheckerArgumentError(f"order must be a list of whole numbers; got {order!r}") from None
    if sorted(order) != list(range(n)):
        raise _CheckerArgumentError(f"order must list each position 0..{n - 1} exactly once; got {order}")
    return np.array(order)


@_checker("an (n, n) matrix of numbers")
def reordered_weights(answer, weights, order) -> Result:
    """Exercise: the attention weights of a reordered sentence, from the original weights alone.

    Without positions the answer is ``weights[order][:, order]``, that is
    ``P @ weights @ P.T`` with ``P = np.eye(n)[order]``. Answers rounded to 2 decimals pass.

    Parameters
    ----------
    answer : array_like, shape (n, n)
    weights : np.ndarray, shape (n, n)
        The original sentence's weights (no positions).
    order : list of int, length n
        New position k holds original word ``order[k]``.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise _CheckerArgumentError(f"weights must be a square matrix (n, n); got shape {weights.shape}")
    n = weights.shape[0]
    order = _order_06(order, n)
    matrix, problem = _read_numbers(answer, f"the reordered weights, shape ({n}, {n})",
                                   should="should be a matrix of numbers")
    if problem is not None:
        return problem
    if matrix.shape != (n, n):
        return _wrong(f"expected a ({n}, {n}) matrix, one row and one column per word; got shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        return _wrong("the answer contains NaN or infinity.")
    inverse = np.argsort(order)

    def near(candidate):
        return bool(np.allclose(matrix, candidate, atol=5e-3))

    truth = weights[np.ix_(order, order)]                              # P @ weights @ P.T
    if near(truth):
        return _right("every row (query) and every column (key) moved with its word, and nothing else changed.")
    if near(weights):
        return _wrong("that is the original matrix. The words moved, so their rows and columns move too.")
    if near(truth.T):
        return _wrong("that is transposed: rows are the queries (the words that attend), columns the keys.")
    if near(weights[order]):
        return _wrong("you moved the rows (the queries). The columns belong to words too (the keys): "
                      "move them in the same way.")
    if near(weights[:, order]):
        return _wrong("you moved the columns (the keys). The rows belong to words too (the queries): "
                      "move them in the same way.")
    if near(weights[np.ix_(inverse, inverse)]):
        return _wrong("you moved the words the other way round. New position k holds the word that was at "
                      "position order[k], so new row k is old row order[k] (P = np.eye(n)[order]).")
    if not np.allclose(matrix.sum(axis=1), 1.0, atol=1e-2):
        return _wrong("each row of attention weights adds up to 1; reordering keeps every number, it only moves them.")
    return _wrong("reorder both the rows and the columns of weights with order: P @ weights @ P.T with "
                  "P = np.eye(n)[order], or weights[order][:, order].")


def _same_words_06(sentence_a, sentence_b):
    """True when the two sentences' embeddings are the same rows in some order."""
    a, b = (sorted(map(tuple, np.round(_embed(tokenize(s)), 12))) for s in (sentence_a, sentence_b))
    return a == b


@_checker("a list of True/False values")
def tell_apart_without_positions(answer) -> Result:
    """Exercise: for each pair of :data:`TELL_APART_PAIRS`, can self-attention without positions tell them apart?

    Without positions, two sentences whose embeddings are the same rows in another
    order give the same outputs in another order, so nothing order-free computed from
    them differs. Sentences with other words give other outputs.

    Parameters
    ----------
    answer : list of bool, length len(TELL_APART_PAIRS)
        True where the model can tell the two sentences apart.
    """
    n = len(TELL_APART_PAIRS)
    example = "[" + ", ".join(["True"] * n) + "]"
    if answer is None or answer is Ellipsis:
        return _wrong(f"replace the ... with a list of {n} True/False values, one per pair, such as {example}.")
    if isinstance(answer, (list, tuple)) and any(isinstance(a, str) for a in answer):
        return _wrong("write True and False without quotes: they are Python's truth values, not text.")
    if not isinstance(answer, (list, tuple)) or not all(isinstance(a, (bool, np.bool_)) for a in answer):
        return _wrong(f"answer with a list of {n} True/False values, such as {example}.")
    if len(answer) != n:
        return _wrong(f"there are {n} pairs; give one True/False value for each, {len(answer)} given.")
    truth = [not _same_words_06(a, b) for a, b in TELL_APART_PAIRS]
    wrong = sum(bool(a) != t for a, t in zip(answer, truth))
    if wrong == 0:
        return _right("without a mask or positions a sentence is a bag of words: the same bag gives the "
                      "same outputs, only reordered, and other words give other outputs.")
    if all(answer):
        return _wrong("not every pair can be told apart: two sentences made of exactly the same words give "
                      "the same outputs, only reordered.")
    if not any(answer):
        return _wrong("some pairs differ in their words, not only in their order, and different words have "
                      "different embeddings.")
    return _wrong(f"{wrong} of your {n} answers {'is' if wrong == 1 else 'are'} not right yet. Compare the "
                  "two sentences as bags of words: ignore the order, and remember that the embeddings "
                  "ignore capital letters ('The' and 'the' are the same vector).")

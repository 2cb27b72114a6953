"""Checkers for notebook 01: what is self-attention."""

from __future__ import annotations

import numpy as np

from ..core.attention import causal_mask
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..lessons.lesson01 import CAT_PROBABILITIES, CAT_SENTENCE
from ._base import Result, _as_vector, _right, _wrong


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

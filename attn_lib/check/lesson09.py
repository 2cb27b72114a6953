"""Checkers for notebook 09: a real model."""

from __future__ import annotations

import numpy as np

from ..lessons.lesson09 import mean_cosine_to_groups
from ._base import (
    Result,
    _as_number,
    _checker,
    _CheckerArgumentError,
    _describe,
    _read_numbers,
    _right,
    _wrong,
)


def _whole_numbers_09(answer, count, what, example):
    """Turn an answer into a tuple of ``count`` whole numbers, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}, such as {example}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"answer with numbers, not text: {what}, such as {example} (no quotes).")
    values, problem = _read_numbers(answer, what)
    if problem is not None:
        return None, _wrong(f"answer with {what}, such as {example}; yours is {_describe(answer)}.")
    if values.ndim != 1 or len(values) != count:
        return None, _wrong(f"expected {count} numbers ({what}), such as {example}; got something of "
                            f"shape {values.shape}.")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return None, _wrong(f"each entry should be a whole number: {what}, such as {example}.")
    return tuple(int(v) for v in values), None


@_checker("a shape of 4 whole numbers")
def attentions_shape(answer, tokens, n_layers: int, n_heads: int) -> Result:
    """Exercise: the shape of a model's ``attentions`` for a sentence with these wordpieces.

    Parameters
    ----------
    answer : tuple of int
        The learner's shape.
    tokens : list of str
        The sentence's wordpieces, ``[CLS]`` and ``[SEP]`` included.
    n_layers, n_heads : int
        The model's numbers of layers and of heads per layer.
    """
    if isinstance(answer, (tuple, list)) and len(answer) == 3:
        return _wrong("one axis is missing: attentions holds one weight matrix per head of every layer, "
                      "so it has 4 axes.")
    shape, problem = _whole_numbers_09(answer, 4, "a shape of 4 whole numbers", "(2, 3, 4, 4)")
    if problem is not None:
        return problem
    n = len(tokens)
    n_words = sum(t not in ("[CLS]", "[SEP]") for t in tokens)
    truth = (n_layers, n_heads, n, n)
    if shape == truth:
        return _right("one n x n matrix of weights (every token attends to every token) per head, "
                      "for every head of every layer.")
    if shape[:2] == (n_heads, n_layers) and shape[2:] == (n, n) and n_heads != n_layers:
        return _wrong("layers and heads are swapped: the first axis is the layer, the second the head.")
    if shape[2] != shape[3]:
        return _wrong("the last two axes must be equal: each token (a row) has one weight for every "
                      "token (a column), itself included.")
    if shape[:2] == (n_layers, n_heads) and shape[2] == n_words:
        return _wrong("[CLS] and [SEP] are tokens too: they have rows and columns of their own.")
    if shape[:2] == (n_layers, n_heads):
        return _wrong("count the wordpieces: print the tokens. One word can be several wordpieces, and "
                      "[CLS] and [SEP] count too.")
    if shape[0] == n_layers + 1:
        return _wrong("there is one hidden state more than there are layers (the embeddings come first), "
                      "but attention weights exist only inside layers.")
    if shape[:2] == (n_layers - 1, n_heads - 1) or shape[:2] == (n_layers - 1, n_heads):
        return _wrong("a shape counts items, it does not give the last index: count the layers and heads "
                      "from 1.")
    return _wrong("the axes are: layers, heads, queries (tokens), keys (tokens). Read model.n_layers and "
                  "model.n_heads, and count the tokens.")


def _previous_scores_09(attentions):
    A = np.asarray(attentions, dtype=np.float64)
    if A.ndim != 4 or A.shape[-1] != A.shape[-2] or A.shape[-1] < 2:
        raise _CheckerArgumentError(f"attentions must have shape (n_layers, n_heads, n, n) with n >= 2; got {A.shape}")
    previous = np.diagonal(A, offset=-1, axis1=-2, axis2=-1).mean(axis=-1)   # (L, H): A[l, h, i, i-1]
    following = np.diagonal(A, offset=1, axis1=-2, axis2=-1).mean(axis=-1)   # (L, H): A[l, h, i, i+1]
    itself = np.diagonal(A, axis1=-2, axis2=-1).mean(axis=-1)                # (L, H): A[l, h, i, i]
    return previous, following, itself


@_checker("(layer, head), two whole numbers")
def previous_token_head(answer, attentions) -> Result:
    """Exercise: which (layer, head) puts the most weight, on average, on the previous token?

    The score of a head is the mean over tokens ``i = 1 .. n-1`` of ``attentions[layer, head, i, i-1]``
    (notebook 09's "previous" pattern score).

    Parameters
    ----------
    answer : tuple of int
        ``(layer, head)``, both counted from 0.
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)
    """
    previous, following, itself = _previous_scores_09(attentions)
    L, H = previous.shape
    pick, problem = _whole_numbers_09(answer, 2, "(layer, head), two whole numbers", "(0, 1)")
    if problem is not None:
        return problem
    best = np.unravel_index(int(np.argmax(previous)), previous.shape)
    best = (int(best[0]), int(best[1]))
    layer, head = pick
    if pick == best:
        return _right(f"that head gives the previous token {previous[best]:.2f} of each token's attention "
                      f"on average, more than any other head.")
    if (layer - 1, head - 1) == best:
        return _wrong("almost: layers and heads are counted from 0 here, like numpy indices.")
    if (head, layer) == best:
        return _wrong("the order is (layer, head): the layer comes first.")
    if not (0 <= layer < L and 0 <= head < H):
        return _wrong(f"layers go from 0 to {L - 1} and heads from 0 to {H - 1}.")
    if previous[pick] < 0.5 * previous.max():
        if itself[pick] >= previous[pick] and itself[pick] == itself.max():
            return _wrong("that head attends to each token itself, the diagonal. The previous token is one "
                          "step left of the diagonal: attentions[layer, head, i, i - 1].")
        if following[pick] == following.max():
            return _wrong("that head attends to the next token, attentions[layer, head, i, i + 1]. You want "
                          "the one before: i - 1.")
    if layer == best[0]:
        return _wrong("right layer, but another of its heads looks at the previous token more. Compare "
                      "the scores of every head, not only those above a threshold.")
    return _wrong("score every head: the mean of attentions[layer, head, i, i - 1] over i = 1 .. n-1 (numpy's "
                  "np.diagonal with offset=-1 helps), then take the largest with np.argmax and "
                  "np.unravel_index.")


@_checker("(layer, head), two whole numbers")
def next_token_head(answer, attentions) -> Result:
    """Exercise: which (layer, head) puts the most weight, on average, on the next token?

    The score of a head is the mean over tokens ``i = 0 .. n-2`` of ``attentions[layer, head, i, i+1]``,
    the diagonal just above the main one.

    Parameters
    ----------
    answer : tuple of int
        ``(layer, head)``, both counted from 0.
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)

    Returns
    -------
    Result
        Right for the head with the largest score; otherwise a hint that names the mistake
        (the previous-token head, counting from 1, the order of layer and head, a layer or
        head out of range, a head that attends to itself, ...), never the head or its score.
    """
    previous, following, itself = _previous_scores_09(attentions)
    L, H = following.shape
    pick, problem = _whole_numbers_09(answer, 2, "(layer, head), two whole numbers", "(0, 1)")
    if problem is not None:
        return problem
    best = np.unravel_index(int(np.argmax(following)), following.shape)
    best = (int(best[0]), int(best[1]))
    layer, head = pick
    if pick == best:
        return _right(f"that head gives the next token {following[best]:.2f} of each token's attention on "
                      f"average, more than any other head; the best previous-token head gives "
                      f"{previous.max():.2f} to the token before.")
    in_range = 0 <= layer < L and 0 <= head < H
    if in_range and previous[pick] == previous.max():
        return _wrong("that head attends to the previous token, attentions[layer, head, i, i - 1], just "
                      "below the diagonal. You want the next token, i + 1: the diagonal just above "
                      "(np.diagonal with offset=1).")
    if (layer - 1, head - 1) == best:
        return _wrong("almost: layers and heads are counted from 0 here, like numpy indices.")
    if (head, layer) == best:
        return _wrong("the order is (layer, head): the layer comes first.")
    if not in_range:
        return _wrong(f"layers go from 0 to {L - 1} and heads from 0 to {H - 1}.")
    if following[pick] < 0.5 * following.max() and itself[pick] >= following[pick] and itself[pick] == itself.max():
        return _wrong("that head attends to each token itself, the main diagonal. The next token is one "
                      "step right of the diagonal: attentions[layer, head, i, i + 1].")
    if layer == best[0]:
        return _wrong("right layer, but another of its heads looks at the next token more. Compare the "
                      "scores of every head, not only the first large one.")
    return _wrong("score every head: the mean of attentions[layer, head, i, i + 1] over i = 0 .. n-2 "
                  "(np.diagonal with offset=1 gives these entries), then take the largest with np.argmax "
                  "and np.unravel_index.")


def _unit_09(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


@_checker("one number")
def contextual_cosine(answer, result_a, result_b, word: str = "bank") -> Result:
    """Exercise: the cosine similarity of one word's last-layer vectors in two sentences.

    Parameters
    ----------
    answer : float
        The learner's value; three correct decimals are enough.
    result_a, result_b : ModelOutput
        The model's outputs for the two sentences (``tokens``, ``hidden_states``,
        ``sentence_embedding``); ``word`` must be one of the tokens of each.
    word : str, default "bank"
    """
    for name, r in (("result_a", result_a), ("result_b", result_b)):
        if not hasattr(r, "tokens") or not hasattr(r, "hidden_states"):
            raise _CheckerArgumentError(f"{name} must be a model output with tokens and hidden_states; "
                                        f"got a {type(r).__name__}")
        if word not in r.tokens:
            raise _CheckerArgumentError(f"{name} has no token {word!r}; its tokens are {r.tokens}")
    value, problem = _as_number(answer, f"the cosine similarity of the two vectors of '{word}', one number")
    if problem is not None:
        return problem
    i, j = result_a.tokens.index(word), result_b.tokens.index(word)
    Ha, Hb = np.asarray(result_a.hidden_states), np.asarray(result_b.hidden_states)

    def cos(a, b):
        return float(_unit_09(a) @ _unit_09(b))

    truth = cos(Ha[-1, i], Hb[-1, j])
    if abs(value - truth) <= 1e-3:
        return _right(f"after {len(Ha) - 1} layers of attention, the two '{word}' vectors carry their "
                      f"sentences' context.")

    def near(candidate):
        return bool(np.isclose(value, candidate, rtol=1e-3, atol=1e-3))

    if near(cos(Ha[0, i], Hb[0, j])):
        return _wrong("that compares hidden_states[0], the embedding layer, before any attention. Use the "
                      "last layer, hidden_states[-1].")
    if near(1.0):
        return _wrong(f"1 means the same direction: that is what the context-free embedding of '{word}' "
                      "gives. Compare its vectors after the last layer.")
    for layer in range(1, len(Ha) - 1):
        if near(cos(Ha[layer, i], Hb[layer, j])):
            return _wrong("that is an earlier layer; use the last one, hidden_states[-1].")
    if near(cos(result_a.sentence_embedding, result_b.sentence_embedding)):
        return _wrong(f"that compares the two whole sentences (sentence_embedding). Compare the vectors of "
                      f"'{word}' only.")
    n_a, n_b = len(result_a.tokens), len(result_b.tokens)
    shifted = [cos(Ha[-1, a], Hb[-1, b]) for a, b in ((i - 1, j - 1), (i + 1, j + 1), (i - 1, j), (i, j - 1))
               if 0 <= a < n_a and 0 <= b < n_b]
    if any(near(s) for s in shifted):
        return _wrong(f"that is the vector of a neighbouring token: the tokens start with [CLS]. Find the "
                      f"position with result.tokens.index('{word}').")
    dot = float(Ha[-1, i] @ Hb[-1, j])
    if near(dot):
        return _wrong("that is the plain dot product; divide it by the lengths of both vectors.")
    if abs(value) > 1.0:
        return _wrong("a cosine similarity always lies between -1 and 1. Divide the dot product by both "
                      "lengths.")
    if abs(value - truth) <= 0.01:
        return _wrong("close: keep at least three decimals, or compute it instead of copying a rounded print.")
    return _wrong(f"take the last layer's vector of '{word}' in each sentence (hidden_states[-1] at its "
                  "position), then their dot product divided by both lengths.")


def _names_09(names, count, what, argument):
    """A checker's own argument ``argument``: ``count`` names, or None for "vector 0", "group 0", ..."""
    if names is None:
        return [f"{what} {i}" for i in range(count)]
    if not isinstance(names, (list, tuple)) or len(names) != count or not all(isinstance(x, str) for x in names):
        raise _CheckerArgumentError(f"{argument} must be None or a list of {count} strings; got "
                                    f"{_describe(names)}")
    return list(names)


@_checker("a table of numbers")
def mean_cosine_table(answer, vectors, groups, row_names=None, group_names=None) -> Result:
    """Exercise: the mean cosine similarity of each vector with the members of each group.

    Entry ``[i, g]`` is the mean over the members ``u`` of ``groups[g]`` of
    ``cos(vectors[i], u)``, as :func:`attn_lib.lessons.lesson09.mean_cosine_to_groups` computes
    it. Numbers typed with three correct decimals are right (tolerance 0.001).

    Parameters
    ----------
    answer : array_like, shape (m, n_groups)
        The learner's table: one row per vector, one column per group.
    vectors : np.ndarray, shape (m, d)
        The vectors to place, e.g. the last-layer vectors of two new "bank"s.
    groups : sequence of np.ndarray, each shape (k_g, d)
        The groups to compare them with.
    row_names : list of str, optional
        A name per vector (such as ``["canal", "lender"]``), for the hints; default "vector 0", ...
    group_names : list of str, optional
        A name per group (such as ``["the river group", "the money group"]``), for the hints;
        default "group 0", ...

    Returns
    -------
    Result
        Right when every entry is within 0.001; otherwise a hint that names the mistake
        (swapped rows or columns, dot products instead of cosines, the group's mean vector,
        percentages, too few decimals, ...), never an entry of the table.
    """
    try:
        truth = mean_cosine_to_groups(vectors, groups)                        # (m, n_groups)
    except (TypeError, ValueError) as error:
        raise _CheckerArgumentError(str(error)) from error
    m, g = truth.shape
    rows, columns = (_names_09(row_names, m, "vector", "row_names"),
                     _names_09(group_names, g, "group", "group_names"))
    what = f"a {m} x {g} table: one row per vector ({', '.join(rows)}), one column per group ({', '.join(columns)})"
    if isinstance(answer, (bool, np.bool_)):
        return _wrong(f"the answer should be numbers ({what}), not True or False.")
    table, problem = _read_numbers(answer, what)
    if problem is not None:
        return problem
    if table.shape != (m, g):
        if table.shape == (g, m):
            return _wrong(f"rows and columns are swapped: one row per vector ({', '.join(rows)}), one column per "
                          "group.")
        if table.size == m * g:
            return _wrong(f"give {m} rows of {g} numbers, a list of lists such as [[a, b], [c, d]]; yours has "
                          f"shape {table.shape}.")
        return _wrong(f"expected {what}; got something of shape {table.shape}.")
    if not np.all(np.isfinite(table)):
        return _wrong("the table holds NaN or infinity: check for a division by a zero length.")

    def near(candidate, tolerance=1e-3):
        return candidate.shape == table.shape and bool(np.allclose(table, candidate, rtol=0, atol=tolerance))

    if near(truth):
        closest = [columns[j] for j in np.argmax(truth, axis=1)]
        said = "; ".join(f"{r} to {c}" for r, c in zip(rows, closest))
        return _right(f"each vector is closest, on average, to the group with the largest mean: {said}.")

    def distinct(candidate):
        return not np.allclose(candidate, truth, rtol=0, atol=1e-3)

    swaps = [(truth[:, ::-1], f"the columns are swapped: their order is {', then '.join(columns)}"),
             (truth[::-1], f"the rows are swapped: their order is {', then '.join(rows)}"),
             (truth[::-1, ::-1], "both the rows and the columns are in the wrong order"),
             (truth.T, f"rows and columns are swapped: one row per vector ({', '.join(rows)})")]
    for candidate, hint in swaps:
        if candidate.shape == truth.shape and distinct(candidate) and near(candidate):
            return _wrong(hint + ".")
    if near(truth * 100, 0.1):
        return _wrong("those look like percentages: give the cosine similarities themselves, between -1 and 1.")
    V = np.asarray(vectors, dtype=np.float64)                                 # (m, d)
    G = [np.asarray(group, dtype=np.float64) for group in groups]              # each (k, d)

    def unit(M):
        return M / np.linalg.norm(M, axis=-1, keepdims=True)

    dots = np.stack([(V @ Gg.T).mean(axis=1) for Gg in G], axis=1)            # (m, n_groups)
    half = np.stack([(unit(V) @ Gg.T).mean(axis=1) for Gg in G], axis=1)      # only the vector divided
    other_half = np.stack([(V @ unit(Gg).T).mean(axis=1) for Gg in G], axis=1)
    to_mean = np.stack([unit(V) @ unit(Gg.mean(axis=0)) for Gg in G], axis=1)  # cosine with the group's mean
    if distinct(dots) and near(dots, 1e-3 * max(1.0, float(np.abs(dots).max()))):
        return _wrong("those are mean dot products: divide each dot product by the lengths of both vectors "
                      "to get a cosine similarity.")
    if any(distinct(c) and near(c, 1e-3 * max(1.0, float(np.abs(c).max()))) for c in (half, other_half)):
        return _wrong("divide each dot product by the lengths of both vectors, the group member's and the "
                      "new vector's.")
    if distinct(to_mean) and near(to_mean):
        return _wrong("that is the cosine similarity with each group's mean vector. Take the cosine with each "
                      "member of the group separately, then average those numbers.")
    if np.any(np.abs(table) > 1):
        return _wrong("a cosine similarity lies between -1 and 1: divide each dot product by the lengths of both "
                      "vectors.")
    if near(truth, 0.01):
        return _wrong("close: keep at least three decimals, or pass the computed array instead of typed numbers.")
    good = [rows[i] for i in range(m) if np.allclose(table[i], truth[i], rtol=0, atol=1e-3)]
    if good:
        several = len(good) > 1
        return _wrong(f"the row{'s' if several else ''} {', '.join(good)} {'are' if several else 'is'} right; "
                      f"compute the other row{'s' if m - len(good) > 1 else ''} the same way.")
    return _wrong("for each vector, take its cosine similarity with each member of a group (dot product "
                  "divided by both lengths), then average them: one mean per group.")

"""Checkers for notebook 09: a real model."""

from __future__ import annotations

import numpy as np

from ._base import Result, _as_number, _right, _wrong


def _whole_numbers_09(answer, count, what, example):
    """Turn an answer into a tuple of ``count`` whole numbers, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}, such as {example}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"answer with numbers, not text: {what}, such as {example} (no quotes).")
    try:
        values = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None, _wrong(f"answer with {what}, such as {example}.")
    if values.ndim != 1 or len(values) != count:
        return None, _wrong(f"expected {count} numbers ({what}), such as {example}; got something of "
                            f"shape {values.shape}.")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return None, _wrong(f"each entry should be a whole number: {what}, such as {example}.")
    return tuple(int(v) for v in values), None


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
        raise ValueError(f"attentions must have shape (n_layers, n_heads, n, n) with n >= 2; got {A.shape}")
    previous = np.diagonal(A, offset=-1, axis1=-2, axis2=-1).mean(axis=-1)   # (L, H): A[l, h, i, i-1]
    following = np.diagonal(A, offset=1, axis1=-2, axis2=-1).mean(axis=-1)   # (L, H): A[l, h, i, i+1]
    itself = np.diagonal(A, axis1=-2, axis2=-1).mean(axis=-1)                # (L, H): A[l, h, i, i]
    return previous, following, itself


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


def _unit_09(v):
    v = np.asarray(v, dtype=np.float64)
    return v / np.linalg.norm(v)


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
        if word not in r.tokens:
            raise ValueError(f"{name} has no token {word!r}; its tokens are {r.tokens}")
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

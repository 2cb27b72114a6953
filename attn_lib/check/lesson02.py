"""Checkers for notebook 02: queries, keys and values."""

from __future__ import annotations

import numpy as np

from ..core.attention import scores as _scores  # "scores" is a common local name below
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..lessons.lesson01 import CAT_SENTENCE
from ..lessons.lesson02 import EXPLORER_WEIGHT_SHAPE, INPUT_FEATURES, explorer_inputs
from ._base import Result, _right, _wrong


def _explorer_matrix(W, name):
    """Turn an answer into a float matrix of :data:`EXPLORER_WEIGHT_SHAPE`, or explain why it is not one."""
    rows, cols = EXPLORER_WEIGHT_SHAPE
    if W is None or W is Ellipsis:
        return None, _wrong(f"replace the ... with your {name}, a matrix of shape ({rows}, {cols}).")
    try:
        matrix = np.asarray(W, dtype=np.float64)
    except (TypeError, ValueError):
        return None, _wrong(f"{name} should hold numbers: a matrix of shape ({rows}, {cols}).")
    if matrix.shape == (cols, rows):
        return None, _wrong(f"{name} has shape ({cols}, {rows}); it looks transposed. Expected shape "
                            f"({rows}, {cols}): one row per input feature, one column per d1..d{cols}.")
    if matrix.shape != EXPLORER_WEIGHT_SHAPE:
        return None, _wrong(f"{name} should have shape ({rows}, {cols}): one row per input feature, one "
                            f"column per d1..d{cols}; got shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        return None, _wrong(f"{name} contains NaN or infinity; use ordinary numbers.")
    return matrix, None


def cat_attends_to_mat_weights(W_Q, W_K) -> Result:
    """Exercise: choose the explorer's W_Q and W_K so that "cat" gives "mat" at least half its attention.

    The inputs are the explorer's (:func:`attn_lib.explorer.explorer_inputs`) for
    :data:`CAT_SENTENCE`; the scores are divided by sqrt(d_k), as in the explorer's default view.

    Parameters
    ----------
    W_Q, W_K : array_like, shape (10, 4)
        Rows are the input features (8 meaning, 2 position), columns d1..d4.
    """
    W_Q, problem = _explorer_matrix(W_Q, "W_Q")
    if problem is not None:
        return problem
    W_K, problem = _explorer_matrix(W_K, "W_K")
    if problem is not None:
        return problem
    tokens = tokenize(CAT_SENTENCE)
    cat, mat = tokens.index("cat"), tokens.index("mat")
    X = explorer_inputs(tokens)                                      # (6, 10)
    weights = softmax(_scores(X @ W_Q, X @ W_K), axis=-1)            # (6, 6), rows sum to 1
    if weights[cat, mat] >= 0.5:
        return _right(f"'cat' gives 'mat' {weights[cat, mat]:.2f} of its attention.")
    if np.allclose(weights[cat], weights[cat, 0]):
        return _wrong("every score of 'cat' is the same, so its attention is spread evenly. A score needs "
                      "both sides: a query of 'cat' and a key of 'mat' that are large in the same column.")
    if np.allclose(W_Q, W_K):
        return _wrong("W_Q and W_K are equal, so each word's query is its own key and the scores are "
                      "symmetric ('cat' -> 'mat' = 'mat' -> 'cat'). Use different rows: W_Q reads the "
                      "features of the word that asks ('cat'), W_K those of the word to be found ('mat').")
    if weights[mat, cat] >= 0.5:
        return _wrong("now 'mat' attends to 'cat': the other way round. W_Q works on the word that asks "
                      "('cat'), W_K on the word to be found ('mat'); swap their roles.")
    if int(np.argmax(weights[cat])) == mat:
        return _wrong("'mat' is the favourite of 'cat' but gets less than half. Make your entries larger: "
                      "the scores are divided by √d_k before the softmax.")
    return _wrong("the score of 'cat' for 'mat' is q_cat · k_mat. Choose W_Q so that the features of 'cat' "
                  "give a large query in one column, and W_K so that the features of 'mat' give a large "
                  "key in that same column (look at X to see which features each word has).")


def values_pass_only_animal(answer) -> Result:
    """Exercise: a W_V for the explorer whose values carry the ``animal`` feature, unchanged, in d1 and nothing else.

    Parameters
    ----------
    answer : array_like, shape (10, 4)
    """
    W_V, problem = _explorer_matrix(answer, "W_V")
    if problem is not None:
        return problem
    animal = INPUT_FEATURES.index("animal")
    if np.allclose(W_V, 0.0):
        return _wrong("W_V is all zeros, so every value (and every output) is zero: nothing is passed on.")
    others = [f for i, f in enumerate(INPUT_FEATURES) if i != animal and not np.allclose(W_V[i], 0.0)]
    if others:
        return _wrong(f"the rows {', '.join(others)} are not all zero, so those features are passed on "
                      "too. Keep only the animal feature.")
    row = W_V[animal]                                                 # (4,)
    if np.isclose(row[0], 0.0):
        return _wrong("the animal feature arrives, but not in d1: column j of W_V builds entry d(j+1) of "
                      "every value.")
    if np.count_nonzero(~np.isclose(row, 0.0)) > 1:
        return _wrong("the animal feature arrives in more than one column; keep it in d1 only.")
    if not np.isclose(row[0], 1.0):
        return _wrong("the animal feature arrives in d1, but scaled; it should arrive unchanged, at its own size.")
    return _right("each value now says only how much of an animal its word is.")


def which_matrix_for_values(answer) -> Result:
    """Exercise: which matrix changes what the words pass on, but not who attends to whom (answer: W_V)."""
    if answer is None or answer is Ellipsis:
        return _wrong("replace the ... with the name of one matrix as a string, such as 'W_Q'.")
    if not isinstance(answer, str):
        return _wrong("answer with the name of a matrix as a string, such as 'W_Q' (with the quotes).")
    name = answer.strip().upper().replace("_", "").replace(" ", "")
    if name == "WV":
        return _right("the values enter only after the softmax: the weights stay, the outputs change.")
    if name == "WQ":
        return _wrong("W_Q builds the queries; a new query changes that word's scores, and so its weights.")
    if name == "WK":
        return _wrong("W_K builds the keys; a new key changes how well every query matches that word, "
                      "and so the weights.")
    if name in ("Q", "K", "V", "X"):
        return _wrong("name the weight matrix you would edit; its name starts with W_.")
    return _wrong("answer with the name of one of the three weight matrices, such as 'W_Q'.")

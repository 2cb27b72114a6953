"""Checkers for notebook 02: queries, keys and values."""

from __future__ import annotations

import numpy as np

from ..core.attention import scores as _scores  # "scores" is a common local name below
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..lessons.lesson01 import CAT_SENTENCE
from ..lessons.lesson02 import EXPLORER_WEIGHT_SHAPE, INPUT_FEATURES, explorer_inputs
from ._base import (
    Result,
    _checker,
    _CheckerArgumentError,
    _describe,
    _read_numbers,
    _right,
    _wrong,
)


def _explorer_matrix(W, name):
    """Turn an answer into a float matrix of :data:`EXPLORER_WEIGHT_SHAPE`, or explain why it is not one."""
    rows, cols = EXPLORER_WEIGHT_SHAPE
    if W is None or W is Ellipsis:
        return None, _wrong(f"replace the ... with your {name}, a matrix of shape ({rows}, {cols}).")
    matrix, problem = _read_numbers(W, f"a matrix of shape ({rows}, {cols})", subject=name,
                                    should="should hold numbers")
    if problem is not None:
        return None, problem
    if matrix.shape == (cols, rows):
        return None, _wrong(f"{name} has shape ({cols}, {rows}); it looks transposed. Expected shape "
                            f"({rows}, {cols}): one row per input feature, one column per d1..d{cols}.")
    if matrix.shape != EXPLORER_WEIGHT_SHAPE:
        return None, _wrong(f"{name} should have shape ({rows}, {cols}): one row per input feature, one "
                            f"column per d1..d{cols}; got shape {matrix.shape}.")
    if not np.all(np.isfinite(matrix)):
        return None, _wrong(f"{name} contains NaN or infinity; use ordinary numbers.")
    return matrix, None


@_checker("a matrix W_Q of shape (10, 4)")
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


@_checker("a matrix W_V of shape (10, 4)")
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


@_checker("the name of a matrix, such as 'W_Q'")
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


# ----- exercise 4: which words get most of the attention -----------------------------------------

def _words_02(answer):
    """Read an answer as a list of words (list, tuple, set or 1-D text array), or explain why it is not one."""
    example = "such as ['sat'] or ['on', 'mat']"
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your prediction, a list of words {example}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"answer with a list of words in quotes, {example}, even for a single word: "
                            "put square brackets around it.")
    if isinstance(answer, np.ndarray):
        if answer.ndim != 1 or answer.dtype.kind != "U":
            return None, _wrong(f"answer with a list of words in quotes, {example}; yours is {_describe(answer)}.")
        answer = answer.tolist()
    if not isinstance(answer, (list, tuple, set, frozenset)):
        return None, _wrong(f"answer with a list of words in quotes, {example}; yours is {_describe(answer)}.")
    words = list(answer)
    if not all(isinstance(word, str) for word in words):
        return None, _wrong(f"every item of your list should be a word in quotes, {example}.")
    return [word.strip().strip(".,;:!?\"'").lower() for word in words], None


@_checker("a list of words")
def attention_favourites(answer, tokens, weights_row, query: str, share: float = 0.25) -> Result:
    """Checks notebook 02's exercise 4: which words get most of the attention of ``query``?

    The favourites are the words to which ``weights_row`` gives more than ``share`` of the
    attention. Words are compared without capitals, in any order ("the" names "The" too). The
    hints about positions assume the explorer's preset "attend to the previous word".

    Parameters
    ----------
    answer : list of str
        The learner's prediction (a tuple, set or 1-D text array is read the same way).
    tokens : list of str, length n
        The sentence's tokens, e.g. ``explorer.tokens``.
    weights_row : array_like, shape (n,)
        The attention weights of ``query`` over ``tokens`` (adds up to 1).
    query : str
        The word whose attention is asked about (its first occurrence in ``tokens``).
    share : float, optional
        A favourite gets more than this share of the attention; 0.25 is "more than a quarter".

    Returns
    -------
    Result
        Right when the learner names exactly the favourites; otherwise a hint that names the
        mistake (the query itself, the word before it only, a partly right list, ...).
    """
    if not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) for t in tokens):
        raise _CheckerArgumentError(f"tokens must be a list of str; got {_describe(tokens)}")
    weights_row = np.asarray(weights_row, dtype=np.float64)
    if weights_row.shape != (len(tokens),) or not np.isclose(weights_row.sum(), 1.0, atol=1e-6):
        raise _CheckerArgumentError(f"weights_row must have shape ({len(tokens)},), one weight per token, and add "
                                    f"up to 1; got shape {weights_row.shape}")
    if query not in tokens:
        raise _CheckerArgumentError(f"query must be a token of {tokens}; got {query!r}")
    lower = [t.lower() for t in tokens]
    favourites = {lower[j] for j in np.flatnonzero(weights_row > share)}
    if not 0.0 < share < 1.0 or not favourites:
        raise _CheckerArgumentError(f"share must be in (0, 1) and some word must get more than it; got share={share}")
    words, problem = _words_02(answer)
    if problem is not None:
        return problem
    i = tokens.index(query)
    more_than = f"more than {share:.0%}"
    unknown = [w for w in words if w not in lower]
    if not words:
        return _wrong("your list is empty: at least one word gets most of the attention of "
                      f"'{query}'. Name the word or words that get {more_than}.")
    if unknown:
        shown = ", ".join(repr(w[:20]) for w in unknown[:3])
        return _wrong(f"{shown} {'is not a word' if len(unknown) == 1 else 'are not words'} of the sentence; use "
                      "the words exactly as the tokens spell them (capitals do not matter).")
    chosen = set(words)
    if len(chosen) < len(words):
        return _wrong("your list names the same word more than once (capitals are ignored, so two "
                      "spellings of one word count once): name each word once.")
    if chosen == favourites:
        return _right(f"exactly those words get {more_than} of the attention of '{query}'.")
    if query.lower() in chosen and query.lower() not in favourites:
        return _wrong(f"'{query}' is the query itself, and it gives itself little of its own attention "
                      "here. Look for the words its query points at.")
    previous = lower[i - 1] if i > 0 else None
    if chosen == {previous} and previous in favourites:
        return _wrong(f"the word right before '{query}' is one of them, but not the only one in this "
                      f"sentence: another word also gets {more_than}. The position features go round a "
                      f"circle: which later word lands on the same point as the word before '{query}'?")
    following = lower[i + 1] if i + 1 < len(tokens) else None
    if following in chosen and following not in favourites:
        return _wrong(f"the word right after '{query}' gets little of its attention: the preset looks one "
                      "step back along the circle of positions, not one step ahead.")
    if chosen < favourites:
        missing = len(favourites - chosen)
        return _wrong(f"every word in your list is right, but {missing} more word{'s' if missing > 1 else ''} "
                      f"also get{'' if missing > 1 else 's'} {more_than}. Look again at where each position lies "
                      "on the circle.")
    if chosen > favourites:
        extra = len(chosen - favourites)
        return _wrong(f"your list holds every favourite, but {extra} of your words get{'s' if extra == 1 else ''} "
                      f"{share:.0%} or less. Keep only the words whose key the query of '{query}' matches best.")
    right = len(chosen & favourites)
    if right:
        return _wrong(f"{right} of your {len(chosen)} words {'is' if right == 1 else 'are'} right; the others "
                      f"get {share:.0%} or less, and a favourite is missing. Where on the circle of positions "
                      f"does the query of '{query}' point?")
    return _wrong(f"none of your words gets {more_than} of the attention of '{query}'. Its query is its "
                  "position turned back one step: which words have a key at that point of the circle?")

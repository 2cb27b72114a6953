"""Exercise checkers: each says right or wrong and gives a hint, never the answer.

Every checker returns a :class:`Result`, which shows as one line in a notebook
and is truthy when the answer is right, so tests can assert on it.
"""

from __future__ import annotations

import numpy as np

from .attention import causal_mask
from .attention import scores as _scores          # "scores" is a common local name below
from .explorer import INPUT_FEATURES as _INPUT_FEATURES
from .explorer import explorer_inputs as _explorer_inputs
from .softmax import softmax
from .tokens import tokenize

CAT_SENTENCE = "The cat sat on the mat"
CAT_PROBABILITIES = np.array([0.10, 0.40, 0.30, 0.05, 0.05, 0.10])
"""The source post's attention of "cat" to each word of :data:`CAT_SENTENCE`."""


class Result:
    """The verdict on one answer: truthy when right; shows as a single line."""

    def __init__(self, correct: bool, message: str):
        self.correct = bool(correct)
        self.message = message

    def __bool__(self):
        return self.correct

    def __repr__(self):
        return ("Correct! " if self.correct else "Not yet. ") + self.message


def _right(message="Well done."):
    return Result(True, message)


def _wrong(hint):
    return Result(False, "Hint: " + hint)


def _as_vector(answer, n, what):
    """Turn an answer into a float vector of length n, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}.")
    try:
        vector = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None, _wrong(f"the answer should be numbers: {what}.")
    if vector.shape != (n,):
        return None, _wrong(f"expected {n} numbers ({what}); got something of shape {vector.shape}.")
    if not np.all(np.isfinite(vector)):
        return None, _wrong("the answer contains NaN or infinity; check for a log of 0 or a division by 0.")
    return vector, None


def _as_number(answer, what):
    """Turn an answer into one finite float, or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"the answer should be a number ({what}), not text: remove the quotes.")
    if isinstance(answer, (bool, np.bool_)):
        return None, _wrong(f"the answer should be a number ({what}), not True or False.")
    try:
        value = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return None, _wrong(f"the answer should be a number: {what}.")
    if value.size == 1:
        value = value.reshape(())                           # accept np.array([x]) and 1x1 results
    if value.shape != ():
        return None, _wrong(f"expected one number ({what}); got something of shape {value.shape}.")
    if not np.isfinite(value):
        return None, _wrong("the answer is NaN or infinity; check for an overflow or a division by 0.")
    return float(value), None


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


# ---------------------------------------------------------- notebook 03: scores, scaling and softmax

STABLE_SCORES = np.array([1000.0, 1003.0, 1001.0])
"""The scores of notebook 03's stable-softmax exercise: ``exp()`` overflows on every one of them.

They differ from the lesson's worked example ``[1000, 999, 998]``, whose weights the lesson prints,
and the largest is not the first, so "subtract the first score" is not mistaken for the rule.
"""


def _same_number(a, b):
    return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9))


def dot_product_variance(answer, d: int) -> Result:
    """Exercise: the variance of ``q . k`` for random q, k with d independent entries of mean 0, variance 1.

    Parameters
    ----------
    answer : float
        The learner's exact variance.
    d : int
        The width of q and k.
    """
    value, problem = _as_number(answer, "the variance of q·k, one number")
    if problem is not None:
        return problem
    if _same_number(value, d):
        return _right("q·k adds up d products q_m k_m, each of variance 1, and the variances of "
                      "independent terms add.")
    if value < 0:
        return _wrong("a variance is an average of squares, so it can never be negative.")
    if _same_number(value, 0.0):
        return _wrong("0 is the mean of q·k (positive and negative products cancel out on average). "
                      "The variance measures the spread around that mean.")
    if _same_number(value, np.sqrt(d)):
        return _wrong("that is the standard deviation, the typical size of q·k. The variance is its square.")
    if _same_number(value, 1.0):
        return _wrong("that is the variance of a single product q_m k_m; the dot product adds up d of them.")
    if _same_number(value, float(d) ** 2):
        return _wrong("too large: the variance of a sum of independent terms is the sum of their "
                      "variances, not its square.")
    if abs(value - d) <= 0.1 * d:
        return _wrong("close: that looks like a simulation estimate. The exact value is a whole number; "
                      "add up the variances of the d products.")
    return _wrong("q·k = q_1 k_1 + ... + q_d k_d. Each product has mean 0 and variance 1, and the "
                  "variances of independent terms add.")


def scale_divisor(answer, d: int) -> Result:
    """Exercise: the positive number c such that ``q . k / c`` has variance 1 (answer: sqrt(d)).

    Parameters
    ----------
    answer : float
        The learner's divisor.
    d : int
        The width of q and k (so that ``Var(q . k) = d``).
    """
    value, problem = _as_number(answer, "the number to divide q·k by, one number")
    if problem is not None:
        return problem
    if _same_number(value, np.sqrt(d)):
        return _right("dividing by c divides the variance by c², and c² = d brings it to 1. "
                      "That is the √d of scaled dot-product attention.")
    if _same_number(value, 0.0):
        return _wrong("you cannot divide by 0.")
    if value < 0:
        return _wrong("a negative divisor flips the sign of every score, so the worst-matching key "
                      "would win. Use a positive number.")
    if _same_number(value, 1.0):
        return _wrong("dividing by 1 changes nothing: the variance stays as large as it was.")
    if _same_number(value, d):
        return _wrong("too large: dividing by c divides the variance by c², not by c, so this makes "
                      "the variance far smaller than 1.")
    if _same_number(value, 1 / np.sqrt(d)):
        return _wrong("that is the number to multiply by; the question asks what to divide by.")
    if _same_number(value, float(d) ** 2):
        return _wrong("far too large: dividing by c divides the variance by c².")
    if abs(value - np.sqrt(d)) <= 0.05 * np.sqrt(d):
        return _wrong("close: that looks like it comes from a simulation estimate. Use the exact "
                      "variance of q·k from the previous exercise.")
    return _wrong("Var(q·k / c) = Var(q·k) / c². Which positive c makes that equal to 1?")


def stable_softmax(answer) -> Result:
    """Exercise: the softmax of :data:`STABLE_SCORES`, computed without overflowing."""
    n = len(STABLE_SCORES)
    try:
        as_floats = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        as_floats = None
    if as_floats is not None and as_floats.shape == (n,) and np.isnan(as_floats).any():
        return _wrong("your answer contains NaN: exp(1000) overflows to inf, and inf / inf is NaN. "
                      "Subtract the largest score from every score before exp().")
    weights, problem = _as_vector(answer, n, "one weight per score of check.STABLE_SCORES")
    if problem is not None:
        return problem
    shifted = STABLE_SCORES - STABLE_SCORES.max()
    if np.allclose(weights, softmax(STABLE_SCORES), atol=5e-3):             # weights rounded to 0.01 pass
        return _right("shifting the scores so the largest is 0 keeps every exp() at most 1, and it "
                      "does not change the weights.")
    if np.allclose(weights, shifted, atol=1e-6):
        return _wrong("those are the shifted scores; now apply exp() and divide by the total.")
    if np.allclose(weights, np.exp(shifted), atol=1e-6):
        return _wrong("good shift and exp(); now divide by the total so the weights add up to 1.")
    if np.allclose(weights, shifted / shifted.sum(), atol=1e-6):
        return _wrong("you divided the shifted scores by their total; apply exp() to them first.")
    if np.allclose(weights, softmax(-STABLE_SCORES), atol=1e-6):
        return _wrong("the order is reversed: the largest score must get the largest weight.")
    if np.allclose(weights, np.full(n, 1 / n), atol=1e-6):
        return _wrong("an even spread would mean equal scores; these differ, so the weights differ too.")
    if not np.isclose(weights.sum(), 1.0, atol=1e-6):
        return _wrong("weights must add up to 1: divide each exp() by the total of all of them.")
    if int(np.argmax(weights)) != int(np.argmax(STABLE_SCORES)):
        return _wrong("the largest score must get the largest weight: exp() keeps the order of the scores.")
    return _wrong("subtract the largest score from every score, apply exp(), then divide by the total.")


# ---------------------------------------------------------- notebook 04: weighted sums and context

def _vector_04(v, name, length=None):
    """A checker's own input (not the learner's answer): a finite, non-zero 1-D vector."""
    v = np.asarray(v, dtype=np.float64)
    if v.ndim != 1 or (length is not None and v.shape != (length,)):
        want = f"({length},)" if length is not None else "(d,)"
        raise ValueError(f"{name} must have shape {want}; got shape {v.shape}")
    if not np.all(np.isfinite(v)) or not np.any(v):
        raise ValueError(f"{name} must be finite and not all zeros; got {v}")
    return v


def _angle_gap_04(angle, perpendicular):
    """Degrees between a direction and a line through the origin at ``perpendicular`` (0 to 90)."""
    return abs((angle - perpendicular + 90.0) % 180.0 - 90.0)


def equal_scores_angle(answer, key_a, key_b, names=("key_a", "key_b")) -> Result:
    """Exercise: at which angle (degrees) does a 2-D query score two keys equally?

    ``q . k_a = q . k_b`` exactly when ``q`` is perpendicular to ``k_a - k_b``: two
    opposite directions, both accepted (to within 1 degree, any multiple of 360 added).
    The query's length does not matter.

    Parameters
    ----------
    answer : float
        The learner's angle in degrees, anticlockwise from the x axis.
    key_a, key_b : array_like, shape (2,)
        The two keys; they must differ.
    names : tuple of str
        The keys' words, used in hints.
    """
    key_a, key_b = _vector_04(key_a, "key_a", 2), _vector_04(key_b, "key_b", 2)
    difference = key_a - key_b
    if not np.any(difference):
        raise ValueError("key_a and key_b must differ; equal keys score equally at every angle")
    value, problem = _as_number(answer, "an angle in degrees, one number")
    if problem is not None:
        return problem
    name_a, name_b = names
    perpendicular = float(np.degrees(np.arctan2(difference[1], difference[0]))) + 90.0
    if _angle_gap_04(value, perpendicular) <= 1.0:
        return _right(f"there q·k_{name_a} = q·k_{name_b}, because the query is perpendicular to "
                      f"k_{name_a} - k_{name_b}. The opposite direction works too, and the length never matters.")
    if abs(value) <= 2 * np.pi + 0.01 and _angle_gap_04(float(np.degrees(value)), perpendicular) <= 1.0:
        return _wrong("that looks like an angle in radians; the slider and this exercise use degrees "
                      "(np.degrees converts).")
    if _angle_gap_04(value, perpendicular) >= 89.0:
        return _wrong(f"at that angle the query points along k_{name_a} - k_{name_b} (or against it), "
                      f"where the two scores differ the most. Equal scores need q·(k_{name_a} - k_{name_b}) = 0.")
    q = np.array([np.cos(np.radians(value)), np.sin(np.radians(value))])
    higher, lower = (name_a, name_b) if q @ key_a > q @ key_b else (name_b, name_a)
    return _wrong(f"at your angle '{higher}' scores higher than '{lower}'. Keep turning the query "
                  f"until the two scores match, or solve q·(k_{name_a} - k_{name_b}) = 0.")


def cosine(answer, a, b) -> Result:
    """Exercise: the cosine similarity ``a . b / (|a| |b|)`` of two given vectors.

    Parameters
    ----------
    answer : float
        The learner's value; three correct decimals are enough.
    a, b : array_like, shape (d,)
        The two vectors (not zero).
    """
    a, b = _vector_04(a, "a"), _vector_04(b, "b", len(np.ravel(a)))
    value, problem = _as_number(answer, "the cosine similarity, one number between -1 and 1")
    if problem is not None:
        return problem
    dot, norm_a, norm_b = float(a @ b), float(np.linalg.norm(a)), float(np.linalg.norm(b))
    truth = dot / (norm_a * norm_b)
    if abs(value - truth) <= 1e-3:
        return _right("dividing the dot product by both lengths removes the lengths and keeps only "
                      "how alike the directions are.")

    def near(candidate):
        return bool(np.isclose(value, candidate, rtol=1e-3, atol=1e-3))

    if near(dot):
        return _wrong("that is the plain dot product; divide it by the lengths of both vectors.")
    if near(dot / norm_a) or near(dot / norm_b):
        return _wrong("divide by the lengths of both vectors, not just one of them.")
    if near(dot / (norm_a ** 2 * norm_b ** 2)):
        return _wrong("divide by the lengths, not the squared lengths: np.linalg.norm(a) is the "
                      "square root of a·a.")
    if near(dot / (norm_a + norm_b)):
        return _wrong("multiply the two lengths instead of adding them.")
    angle = float(np.arccos(np.clip(truth, -1.0, 1.0)))
    if near(angle) or near(np.degrees(angle)):
        return _wrong("that is the angle between the vectors; the cosine similarity is the cosine of it.")
    if near(1.0 - truth):
        return _wrong("that is the cosine distance, 1 minus the similarity.")
    if near(-truth):
        return _wrong("the sign is flipped: vectors that point the same way have a positive similarity.")
    if abs(value - truth) <= 0.01:
        return _wrong("close: keep at least three decimals, or compute it instead of copying a rounded print.")
    if abs(value) > 1.0:
        return _wrong("a cosine similarity always lies between -1 and 1. Divide the dot product by "
                      "both lengths.")
    return _wrong("take the dot product of the two vectors and divide it by the product of their "
                  "lengths (np.linalg.norm).")


# ------------------------------------------------------------ notebook 02: queries, keys and values


EXPLORER_WEIGHT_SHAPE = (len(_INPUT_FEATURES), 4)
"""Shape of each weight matrix of the attention explorer: one row per input feature, columns d1..d4."""


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
    X = _explorer_inputs(tokens)                                      # (6, 10)
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
    animal = _INPUT_FEATURES.index("animal")
    if np.allclose(W_V, 0.0):
        return _wrong("W_V is all zeros, so every value (and every output) is zero: nothing is passed on.")
    others = [f for i, f in enumerate(_INPUT_FEATURES) if i != animal and not np.allclose(W_V[i], 0.0)]
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


# ------------------------------------------------------------------------------ notebook 05: masks

def _bool_vector_05(answer, n, what):
    """Turn an answer into a bool vector of length n (True/False or 1/0), or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"answer with True and False values, not text: {what}.")
    try:
        values = np.asarray(answer)
    except (TypeError, ValueError):
        return None, _wrong(f"answer with True and False values: {what}.")
    if values.shape != (n,):
        return None, _wrong(f"expected {n} entries, one per token ({what}); got something of shape {values.shape}.")
    if values.dtype != bool:
        numbers, problem = _as_vector(values, n, what)
        if problem is not None or not np.all(np.isin(numbers, (0.0, 1.0))):
            return None, _wrong(f"every entry must be True or False (1 or 0 is fine too): {what}.")
        values = numbers.astype(bool)
    return values, None


def causal_row_of(answer, sentence: str, query: str) -> Result:
    """Exercise: the row of ``query`` in the causal mask of ``sentence``, as a list of True/False.

    Parameters
    ----------
    answer : list of bool, length n (1/0 accepted)
    sentence : str
    query : str
        A token of ``sentence`` (its first occurrence is used).
    """
    tokens = tokenize(sentence)
    row, problem = _bool_vector_05(answer, len(tokens), f"one True/False per token of {sentence!r}")
    if problem is not None:
        return problem
    i = tokens.index(query)
    mask = causal_mask(len(tokens))
    if np.array_equal(row, mask[i]):
        return _right(f"'{query}' may see itself and every token before it, and nothing after.")
    if row.all():
        return _wrong("that is a bidirectional (BERT) row: every key allowed. A causal model hides the "
                      "tokens after the query.")
    if any(np.array_equal(row, mask[k]) for k in range(len(tokens))):
        return _wrong("that is the causal row of a different token; count the query's position from the start.")
    if not row[i]:
        return _wrong("a query may always attend to itself: the diagonal of a causal mask is True.")
    if row[i + 1:].any():
        return _wrong("a causal model cannot look ahead: every token after the query must be False.")
    return _wrong("True for every token from the start of the sentence up to and including the query, "
                  "False after it.")


def keys_visible_in_batch(answer, token_lists, sentence: int, position: int, causal: bool = False) -> Result:
    """Exercise: how many keys may one query of a padded batch attend to?

    Parameters
    ----------
    answer : int
        The learner's count.
    token_lists : list of list of str
        The batch before padding (padded with :func:`attn_lib.pad_batch`).
    sentence, position : int
        Which sentence of the batch, and which (padded) position in it, is the query.
    causal : bool
        ``False``: the padding mask alone (a BERT batch); ``True``: causal and padding (GPT).
    """
    value, problem = _as_number(answer, "how many keys the query may attend to, one whole number")
    if problem is not None:
        return problem
    from .masks import causal_padding_mask, pad_batch, padding_mask

    padded, lengths = pad_batch(token_lists)
    n = len(padded[0])
    with_pad = np.broadcast_to(padding_mask(lengths), (len(padded), n, n))   # (batch, n, n)
    both = causal_padding_mask(lengths)                                      # (batch, n, n)
    truth = int((both if causal else with_pad)[sentence, position].sum())
    other = int((with_pad if causal else both)[sentence, position].sum())
    if value == truth:
        return _right("the mask's row for this query has exactly that many True entries.")
    if value != int(value) or value < 0:
        return _wrong("count keys: the answer is a whole number, 0 or more.")
    if value == 0:
        return _wrong("every real token may at least attend to itself, so the count is never 0.")
    if value == n:
        return _wrong("that counts every position of the padded sentence, [PAD] keys included; the "
                      "padding mask hides the [PAD] keys.")
    if value == other:
        if causal:
            return _wrong("that is what the padding mask alone allows. This batch is causal (GPT) too: "
                          "the keys after the query are hidden as well.")
        return _wrong("that is what a causal (GPT) batch would allow. The padding mask alone hides only "
                      "the [PAD] keys, not the words after the query.")
    if value == truth - 1:
        return _wrong("one short: did you leave out the query itself? A token may attend to itself.")
    return _wrong("print the mask's row for this query as 0/1 and count its 1s, or count the real tokens "
                  "it may see" + (" up to and including itself." if causal else "."))


def self_and_previous_mask(answer, n: int) -> Result:
    """Exercise: the (n, n) mask that lets each token see only itself and the token just before it.

    Parameters
    ----------
    answer : array_like of bool, shape (n, n) (1/0 accepted)
    n : int
        The sentence length.
    """
    if answer is None or answer is Ellipsis:
        return _wrong(f"replace the ... with your mask: a True/False array of shape ({n}, {n}).")
    try:
        mask = np.asarray(answer)
    except (TypeError, ValueError):
        return _wrong(f"the mask should be a True/False array of shape ({n}, {n}).")
    if mask.shape != (n, n):
        return _wrong(f"the mask needs one row per query and one column per key: shape ({n}, {n}); "
                      f"got shape {mask.shape}.")
    if mask.dtype != bool:
        if not (np.issubdtype(mask.dtype, np.number) and np.all(np.isin(mask, (0, 1)))):
            return _wrong("every entry must be True or False (1 or 0 is fine too).")
        mask = mask.astype(bool)
    truth = np.eye(n, dtype=bool) | np.eye(n, k=-1, dtype=bool)              # (n, n)
    if np.array_equal(mask, truth):
        return _right("each row holds the query and the token just before it: a window of two.")
    if np.array_equal(mask, truth.T):
        return _wrong("that lets each token see the token *after* it. Rows are queries, columns are keys: "
                      "the previous token is the column just left of the diagonal.")
    if np.array_equal(mask, causal_mask(n)):
        return _wrong("that is the full causal mask: every earlier token is visible. Keep only the one "
                      "just before the query.")
    if np.array_equal(mask, np.eye(n, dtype=bool)):
        return _wrong("each token sees only itself; add the token just before it.")
    if np.array_equal(mask, np.eye(n, k=-1, dtype=bool)):
        return _wrong("the diagonal is missing: a token should still see itself. (And the first token "
                      "would see nothing at all: 0/0.)")
    if not mask.any(axis=1).all():
        return _wrong("a row of your mask is all False: that query would attend to nothing (0/0).")
    if not np.diag(mask).all():
        return _wrong("every token should see itself: the diagonal must be True.")
    if np.triu(mask, k=1).any():
        return _wrong("some token sees a token after it; the entries above the diagonal must be False.")
    return _wrong("True on the diagonal and just below it, False everywhere else. np.eye(n, k=...) "
                  "builds a diagonal line at any offset.")


# ---- notebook 07: multi-head attention

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


# ---- notebook 06: positions

from .embeddings import embed as _embed                # noqa: E402  (only notebook 06's checkers need it)

TELL_APART_PAIRS = (
    ("The dog sat on the mat", "The mat sat on the dog"),
    ("The cat sat on the mat", "The cat sat on a mat"),
    ("A cat sat on the mat", "The cat sat on a mat"),
)
"""The sentence pairs of notebook 06's last exercise: can a model without positions tell them apart?"""


def _pe_pair_06(pos, d_model, pair, base=10000.0, exponent=None, degrees=False, multiply=False):
    """Columns 2*pair and 2*pair+1 of a sinusoidal encoding, optionally with a typical mistake built in."""
    exponent = 2 * pair / d_model if exponent is None else exponent
    angle = pos * base ** exponent if multiply else pos / base ** exponent
    if degrees:
        angle = np.radians(angle)
    return np.array([np.sin(angle), np.cos(angle)])


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
        raise ValueError(f"pos must be a whole number >= 0; got {pos!r}")
    if isinstance(d_model, bool) or not isinstance(d_model, (int, np.integer)) or d_model < 2 or d_model % 2:
        raise ValueError(f"d_model must be an even whole number >= 2; got {d_model!r}")
    if isinstance(pair, bool) or not isinstance(pair, (int, np.integer)) or not 0 <= pair < d_model // 2:
        raise ValueError(f"pair must be a whole number from 0 to {d_model // 2 - 1}; got {pair!r}")
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
    order = [int(k) for k in np.asarray(order).ravel()]
    if sorted(order) != list(range(n)):
        raise ValueError(f"order must list each position 0..{n - 1} exactly once; got {order}")
    return np.array(order)


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
        raise ValueError(f"weights must be a square matrix (n, n); got shape {weights.shape}")
    n = weights.shape[0]
    order = _order_06(order, n)
    if answer is None or answer is Ellipsis:
        return _wrong(f"replace the ... with your answer: the reordered weights, a ({n}, {n}) matrix.")
    try:
        matrix = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        return _wrong(f"the answer should be a ({n}, {n}) matrix of numbers.")
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
        return _right("without positions a sentence is a bag of words: the same bag gives the same "
                      "outputs, only reordered, and other words give other outputs.")
    if all(answer):
        return _wrong("not every pair can be told apart: two sentences made of exactly the same words give "
                      "the same outputs, only reordered.")
    if not any(answer):
        return _wrong("some pairs differ in their words, not only in their order, and different words have "
                      "different embeddings.")
    return _wrong(f"{wrong} of your {n} answers {'is' if wrong == 1 else 'are'} not right yet. Compare the "
                  "two sentences as bags of words: ignore the order, and remember that the embeddings "
                  "ignore capital letters ('The' and 'the' are the same vector).")


# ---- notebook 08: vision transformers

def _grid_08(height, width, patch_size):
    """A checker's own input (not the learner's answer): the patch grid ``(rows, cols)`` of an image."""
    for name, v in (("height", height), ("width", width), ("patch_size", patch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {v!r}")
    if height % patch_size or width % patch_size:
        raise ValueError(f"patch_size={patch_size} must divide the image's height and width; "
                         f"got {height} x {width} pixels")
    return height // patch_size, width // patch_size


def _whole_number_08(answer, what):
    """Turn an answer into an int, or explain why it is not a whole number."""
    value, problem = _as_number(answer, what)
    if problem is not None:
        return None, problem
    if not float(value).is_integer():
        return None, _wrong(f"expected a whole number ({what}); yours has a fractional part.")
    return int(value), None


def number_of_patches(answer, height: int, width: int, patch_size: int) -> Result:
    """Exercise: how many ``patch_size`` x ``patch_size`` patches an image of ``height`` x ``width`` pixels gives.

    Parameters
    ----------
    answer : int
    height, width : int
        The image's size in pixels.
    patch_size : int
        Side of a square patch; it divides both height and width.
    """
    rows, cols = _grid_08(height, width, patch_size)
    value, problem = _whole_number_08(answer, "the number of patches, one whole number")
    if problem is not None:
        return problem
    truth = rows * cols
    if value == truth:
        return _right(f"{rows} rows of {cols} patches. A ViT adds one [CLS] token to them, so its "
                      f"sequence is one token longer.")
    if value == truth + 1:
        return _wrong("that counts the [CLS] token too; it is not cut from the image. Count the patches only.")
    if value in (rows, cols):
        return _wrong("that is how many patches fit along one side. The image has that many rows of "
                      "patches, and every row holds a whole line of them.")
    if value == height * width:
        return _wrong("that is the number of pixels; one patch covers patch_size x patch_size of them.")
    if value in (height * width // patch_size, (height // patch_size) + (width // patch_size)):
        return _wrong("a patch is a square: it is patch_size pixels high and patch_size pixels wide. "
                      "Count the patches down the image and across it, then multiply.")
    if value <= 0:
        return _wrong("a count of patches is positive.")
    return _wrong("count how many patches fit down the image (height / patch_size) and across it "
                  "(width / patch_size), then multiply the two.")


def patch_vector_length(answer, patch_size: int, channels: int = 3) -> Result:
    """Exercise: how many numbers one flattened patch holds (``patch_size * patch_size * channels``).

    Parameters
    ----------
    answer : int
    patch_size : int
    channels : int, default 3
        3 for an RGB image.
    """
    _grid_08(patch_size, patch_size, patch_size)
    if isinstance(channels, bool) or not isinstance(channels, (int, np.integer)) or channels < 1:
        raise ValueError(f"channels must be a whole number >= 1; got {channels!r}")
    value, problem = _whole_number_08(answer, "the length of one patch vector, one whole number")
    if problem is not None:
        return problem
    p, C = patch_size, channels
    if value == p * p * C:
        return _right(f"{p} x {p} pixels, {C} numbers each: the width of one row of patchify's output.")
    if value == p * p:
        return _wrong(f"that counts every pixel once, but a colour pixel holds {C} numbers "
                      f"(red, green and blue).")
    if value == p * C:
        return _wrong("a patch is a square of pixels: patch_size pixels in each of its patch_size rows.")
    if value in (p, C):
        return _wrong("that is only one of the factors. Multiply the pixels per row, the rows, and the "
                      "numbers per pixel.")
    if value == p * p * C + 1:
        return _wrong("there is no extra number per patch; count the pixels' colour values only.")
    return _wrong("a flattened patch lists every colour value of every pixel: (pixels per row) x "
                  "(rows) x (colour channels).")


def patch_index(answer, row: int, col: int, height: int, width: int, patch_size: int) -> Result:
    """Exercise: the index (in :func:`attn_lib.patchify`'s order) of the patch at ``row``, ``col``.

    Patches are numbered from 0, row by row, left to right: ``index = row * cols + col``.

    Parameters
    ----------
    answer : int
    row, col : int
        The patch's place in the grid, counted from 0 at the top left.
    height, width, patch_size : int
        The image and the patch size, which fix the grid.
    """
    rows, cols = _grid_08(height, width, patch_size)
    for name, v, n in (("row", row, rows), ("col", col, cols)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < n:
            raise ValueError(f"{name} must be a whole number from 0 to {n - 1}; got {v!r}")
    value, problem = _whole_number_08(answer, "the patch's index, one whole number")
    if problem is not None:
        return problem
    truth = row * cols + col
    if value == truth:
        return _right(f"the rows above it hold {row} x {cols} patches, and {col} more come before it in "
                      f"its own row.")
    if value == col * rows + row:
        return _wrong("that numbers the patches column by column. patchify reads them row by row, "
                      "left to right, like lines of text.")
    if value == truth + 1 and truth > 0:
        return _wrong("almost: patchify counts from zero, like a Python index, not from one.")
    if value == row * rows + col:
        return _wrong("multiply the row by the number of patches in one row of the grid: that is the "
                      "number of columns, not the number of rows.")
    if value == col * cols + row:
        return _wrong("the row and the column are swapped: whole rows of patches come before the "
                      "patch's own row.")
    if not 0 <= value < rows * cols:
        return _wrong("that number is outside the grid: no index is negative, and every index is smaller "
                      "than the number of patches.")
    return _wrong("count the patches in the full rows above it, then add the patches before it in its own row.")


# ---- notebook 09: a real model

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

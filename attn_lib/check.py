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

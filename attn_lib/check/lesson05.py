"""Checkers for notebook 05: masks."""

from __future__ import annotations

import numpy as np

from ..core.attention import attention, causal_mask
from ..core.masks import causal_padding_mask, pad_batch, padding_mask
from ..core.softmax import softmax
from ..core.tokens import tokenize
from ..lessons.lesson01 import CAT_SENTENCE
from ..lessons.lesson02 import explorer_inputs, preset_weights
from ._base import (
    OVERFLOW_HINT,
    Result,
    _as_number,
    _as_vector,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _describe,
    _right,
    _wrong,
)


def _bool_vector_05(answer, n, what):
    """Turn an answer into a bool vector of length n (True/False or 1/0), or explain why it is not one."""
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}.")
    if isinstance(answer, (str, bytes)):
        return None, _wrong(f"answer with True and False values, not text: {what}.")
    if not isinstance(answer, (list, tuple, np.ndarray)):
        return None, _wrong(f"answer with a list of True and False values ({what}); yours is {_describe(answer)}.")
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


@_checker("a list of True/False values, one per token")
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
    if query not in tokens:
        raise _CheckerArgumentError(f"query must be a token of the sentence {tokens}; got {query!r}")
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


@_checker("one whole number")
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
    padded, lengths = pad_batch(token_lists)
    n = len(padded[0])
    if not (0 <= sentence < len(padded) and 0 <= position < n):
        raise _CheckerArgumentError(f"sentence must be in 0..{len(padded) - 1} and position in 0..{n - 1}; "
                                    f"got sentence={sentence} and position={position}")
    with_pad = np.broadcast_to(padding_mask(lengths), (len(padded), n, n))   # (batch, n, n)
    both = causal_padding_mask(lengths)                                      # (batch, n, n)
    value, problem = _as_number(answer, "how many keys the query may attend to, one whole number")
    if problem is not None:
        return problem
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


@_checker("a True/False array of shape (n, n)")
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


# ----- checking the learner's own function ------------------------------------------------------

_STRIPES_05 = np.array([[1, 0, 1, 0, 0],
                        [0, 1, 0, 0, 1],
                        [1, 1, 0, 0, 0],
                        [0, 0, 1, 1, 0],
                        [1, 0, 0, 1, 1]], dtype=bool)
"""A mask that is neither causal nor symmetric, with a True and a False in every row and column,
so that its opposite and its transpose are masks too (each mistake gives finite weights)."""


def _softmax_or_nan_05(x, axis=-1):
    """A stable softmax that, unlike attn_lib.softmax, returns NaN for a row of -inf instead of raising."""
    with np.errstate(all="ignore"):
        e = np.exp(x - x.max(axis=axis, keepdims=True))                     # NaN where a row is all -inf
        return e / e.sum(axis=axis, keepdims=True)


def _masked_mistakes_05(Q, K, V, mask):
    """The typical wrong masked attentions, each with the hint that names its mistake."""
    S = Q @ K.T / np.sqrt(Q.shape[1])                                       # (n_q, n_k)
    with np.errstate(all="ignore"):
        naive = np.exp(np.where(mask, S, -np.inf))                          # may overflow: inf
    by_weights = [
        (("the mask must act on the scores before the softmax: set the scores of masked keys to -inf, "
          "then take the softmax. Zeroing weights afterwards leaves rows that no longer add up to 1."),
         softmax(S) * mask),
        (("the mask's polarity is flipped: True = may attend, so it is the keys where the mask is False "
          "that must be hidden."), _softmax_or_nan_05(np.where(mask, -np.inf, S))),
        (("a masked score set to 0 still gets weight, since exp(0) = 1: give masked keys -inf (or a "
          "very large negative number) instead."), softmax(np.where(mask, S, 0.0))),
        (("the mask seems to change nothing: masked keys still get weight. Set their scores to -inf "
          "before the softmax."), softmax(S)),
        (("scale the scores: divide Q @ K.T by √d_k (the square root of d_k) before masking and the "
          "softmax."), softmax(np.where(mask, Q @ K.T, -np.inf))),
        (("exp() of a large score overflows to inf, and inf / inf is NaN: subtract each row's maximum "
          "before exp()."), naive / naive.sum(axis=-1, keepdims=True)),
    ]
    after = softmax(S) * mask                                               # may underflow to all 0
    with np.errstate(all="ignore"):
        by_weights.append((("zeroing masked weights after the softmax and dividing by the new total works on "
                            "paper, but with large scores every allowed weight can underflow to 0 (0 / 0): "
                            "mask the scores before the softmax instead."),
                           after / after.sum(axis=-1, keepdims=True)))
    if mask.shape[0] == mask.shape[1]:
        by_weights.append((("rows of the mask are queries and columns are keys: use the mask as it is, "
                            "not transposed."), _softmax_or_nan_05(np.where(mask.T, S, -np.inf))))
    if mask.any(axis=0).all():
        by_weights.append((("each row of the weights must add up to 1: take the softmax along the last "
                            "axis (axis=-1), over the keys."), softmax(np.where(mask, S, -np.inf), axis=0)))
    weights = softmax(np.where(mask, S, -np.inf))                           # (n_q, n_k)
    mistakes = [(hint, {1: w}) for hint, w in by_weights]
    if weights.shape[0] == weights.shape[1]:
        mistakes.append(("output row i is row i of the weights times V: weights @ V (not weights.T @ V).",
                         {0: weights.T @ V}))
    return mistakes


def _masked_cases_05():
    rng = np.random.default_rng(5)
    Q, K, V = rng.normal(size=(5, 4)), rng.normal(size=(5, 4)), rng.normal(size=(5, 3))
    W = preset_weights("attend to nouns")
    X = explorer_inputs(tokenize(CAT_SENTENCE))                             # (6, 10)
    course = (X @ W["W_Q"], X @ W["W_K"], X @ W["W_V"], causal_mask(len(X)))  # (6, 4) x 3, (6, 6)
    large = (100.0 * Q, 100.0 * K, V, causal_mask(5))                       # scores around 1e4
    Q_3, mask_3x5 = rng.normal(size=(3, 4)), _STRIPES_05[:3]                # 3 queries, 5 keys
    cases = []
    for args in ((Q, K, V, _STRIPES_05), course, large, (Q_3, K, V, mask_3x5)):
        cases.append({"args": args, "truth": attention(*args[:3], mask=args[3]),
                      "mistakes": _masked_mistakes_05(*args),
                      "nonfinite": OVERFLOW_HINT if args is large else
                      "your function gives NaN or infinity. Every row of these masks has a True, so no row "
                      "should be empty: check which keys you hide (True = may attend)."})
    return cases


def _masked_generic_05(arrays, truth):
    weights = arrays[1]                                                     # arrays: (output, weights)
    if not np.allclose(weights.sum(axis=-1), 1.0, atol=1e-6):
        return "each row of the weights should add up to 1, masked keys getting exactly 0."
    if np.allclose(weights, truth[1], rtol=1e-5, atol=1e-7):
        return "the weights are right but the output is not: output = weights @ V."
    return ("compute the scores Q @ K.T / √d_k, set the scores of masked keys (mask False) to -inf, take "
            "the softmax of each row, then weights @ V.")


@_checker("a function masked_attention(Q, K, V, mask)")
def masked_attention_function(fn) -> Result:
    """Exercise: the learner's ``masked_attention(Q, K, V, mask) -> (output, weights)``; True = may attend.

    Compared with :func:`attn_lib.attention` on a mask that is neither causal nor symmetric,
    on the course's causal mask for "The cat sat on the mat", on scores near 1e4, and with
    fewer queries than keys.

    Parameters
    ----------
    fn : callable
        ``fn(Q, K, V, mask)`` with Q (n_q, d_k), K (n_k, d_k), V (n_k, d_v), mask (n_q, n_k) of bool;
        returns ``output`` (n_q, d_v) and ``weights`` (n_q, n_k).
    """
    call = "masked_attention(Q, K, V, mask)"
    problem = _check_function(fn, call, ("output", "weights"), _masked_cases_05(), _masked_generic_05,
                              meanings=("(n_q, d_v)", "(n_q, n_k)"))
    if problem is not None:
        return problem
    return _right("your masked attention agrees with attn_lib.attention: masked scores become -inf before "
                  "the softmax, so hidden keys get exactly 0 and every row still adds up to 1.")

"""Checkers for notebook 05: masks."""

from __future__ import annotations

import numpy as np

from ..core.attention import causal_mask
from ..core.tokens import tokenize
from ._base import Result, _as_number, _as_vector, _right, _wrong


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
    from ..masks import causal_padding_mask, pad_batch, padding_mask

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

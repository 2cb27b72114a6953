"""A tiny, hand-made embedding table whose dimensions have readable names.

Real models learn hundreds of unnamed dimensions. Here each of the eight
dimensions means something a learner can check by eye, so that dot products
between words are easy to predict. Words outside the table get a small
pseudo-random vector derived from the word itself (a SHA-256 digest), so it is
identical on every machine, in every process, and across numpy versions.

Taught in notebook 01.
"""

from __future__ import annotations

import hashlib

import numpy as np

from . import validate
from .tokens import tokenize

FEATURES = ("animal", "object", "action", "place", "function", "money", "nature", "person")
"""The names of the embedding dimensions, in order."""

D_MODEL = len(FEATURES)

#                      animal object action place function money nature person
_TABLE = {
    "the":     (0.0,   0.0,   0.0,   0.0,  0.9,     0.0,  0.0,   0.0),
    "a":       (0.0,   0.0,   0.0,   0.0,  0.8,     0.0,  0.0,   0.0),
    "cat":     (0.9,   0.1,   0.0,   0.0,  0.0,     0.0,  0.2,   0.0),
    "dog":     (0.9,   0.0,   0.1,   0.0,  0.0,     0.0,  0.1,   0.0),
    "fish":    (0.7,   0.0,   0.0,   0.0,  0.0,     0.0,  0.6,   0.0),
    "sat":     (0.1,   0.0,   0.9,   0.3,  0.0,     0.0,  0.0,   0.0),
    "slept":   (0.2,   0.0,   0.8,   0.2,  0.0,     0.0,  0.0,   0.0),
    "walked":  (0.1,   0.0,   0.8,   0.3,  0.0,     0.0,  0.1,   0.0),
    "paid":    (0.0,   0.0,   0.7,   0.0,  0.0,     0.7,  0.0,   0.1),
    "on":      (0.0,   0.0,   0.0,   0.6,  0.6,     0.0,  0.0,   0.0),
    "at":      (0.0,   0.0,   0.0,   0.5,  0.6,     0.0,  0.0,   0.0),
    "by":      (0.0,   0.0,   0.0,   0.4,  0.6,     0.0,  0.0,   0.0),
    "mat":     (0.0,   0.8,   0.0,   0.5,  0.0,     0.0,  0.0,   0.0),
    "rug":     (0.0,   0.8,   0.0,   0.4,  0.0,     0.1,  0.0,   0.0),
    "bank":    (0.0,   0.2,   0.0,   0.6,  0.0,     0.5,  0.5,   0.0),
    "river":   (0.0,   0.0,   0.0,   0.5,  0.0,     0.0,  0.9,   0.0),
    "water":   (0.0,   0.2,   0.0,   0.1,  0.0,     0.0,  0.8,   0.0),
    "money":   (0.0,   0.3,   0.0,   0.0,  0.0,     0.9,  0.0,   0.0),
    "loan":    (0.0,   0.1,   0.0,   0.0,  0.0,     0.9,  0.0,   0.1),
    "deposit": (0.0,   0.1,   0.5,   0.0,  0.0,     0.8,  0.0,   0.0),
    "i":       (0.0,   0.0,   0.0,   0.0,  0.1,     0.0,  0.0,   0.9),
    "she":     (0.0,   0.0,   0.0,   0.0,  0.1,     0.0,  0.0,   0.9),
    ".":       (0.0,   0.0,   0.0,   0.0,  0.3,     0.0,  0.0,   0.0),
}

VOCABULARY = tuple(_TABLE)
"""The words (lower case) that have a hand-made vector."""


def is_known(word: str) -> bool:
    """True if ``word`` (in any case) has a hand-made vector.

    Not called in the notebooks. Taught in notebook 01, section 1 (Same word, two meanings: the
    "bank" question), where the table it looks in is introduced.
    """
    return isinstance(word, str) and word.lower() in _TABLE


def _fallback_vector(word: str) -> np.ndarray:
    """A small vector in [-0.3, 0.3) derived from the word's SHA-256 digest, rounded to 0.01."""
    digest = hashlib.sha256(word.lower().encode("utf-8")).digest()     # 32 bytes
    raw = np.frombuffer(digest[: 2 * D_MODEL], dtype=">u2")              # (D_MODEL,) in [0, 65535]
    return np.round(raw / 65536.0 * 0.6 - 0.3, 2)


def embedding_of(word: str) -> np.ndarray:
    """The vector of one word; case does not matter.

    Taught in notebook 01, section 5 (From words to attention, step by step).

    Parameters
    ----------
    word : str
        A token, e.g. ``"cat"``.

    Returns
    -------
    np.ndarray, shape (D_MODEL,) = (8,)
        The hand-made vector for a known word, the stable fallback otherwise.
    """
    word = validate.word(word)
    known = _TABLE.get(word.lower())
    return np.array(known, dtype=np.float64) if known else _fallback_vector(word)   # (D_MODEL,)


def embed(tokens) -> np.ndarray:
    """Stack the vectors of a sentence's tokens into a matrix.

    Taught in notebook 01, section 1 (Same word, two meanings: the "bank" question).

    Parameters
    ----------
    tokens : list of str, or str
        Tokens such as ``tokenize("The cat sat on the mat")``; a plain string is
        tokenized first.

    Returns
    -------
    np.ndarray, shape (n_tokens, D_MODEL) = (n_tokens, 8)
        Row ``i`` is the embedding of token ``i``.
    """
    tokens = tokenize(tokens) if isinstance(tokens, str) else validate.tokens(tokens)  # tokenize checks a str
    return np.stack([embedding_of(t) for t in tokens])               # (n_tokens, D_MODEL)

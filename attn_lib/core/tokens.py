"""Turning a sentence into tokens."""

from __future__ import annotations

import re

# A word (letters, digits, inner apostrophes as in "don't") or one punctuation mark.
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Split text into words and punctuation marks, keeping their case.

    Parameters
    ----------
    text : str
        A sentence, e.g. ``"The cat sat on the mat."``.

    Returns
    -------
    list of str
        ``["The", "cat", "sat", "on", "the", "mat", "."]``. The same text always
        gives the same tokens.

    Raises
    ------
    TypeError
        ``text`` is not a string.
    ValueError
        ``text`` is empty or only white space.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str such as 'The cat sat on the mat'; got a {type(text).__name__}")
    tokens = _TOKEN.findall(text)
    if not tokens:
        raise ValueError(f"text must contain at least one word or punctuation mark; got {text!r}")
    return tokens

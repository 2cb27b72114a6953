"""Turning a sentence into tokens.

Taught in notebook 01.
"""

from __future__ import annotations

import re

from . import validate

# A word (letters, digits, inner apostrophes as in "don't") or one punctuation mark.
_TOKEN = re.compile(r"\w+(?:['\u2019]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Split text into words and punctuation marks, keeping their case.

    Taught in notebook 01, section 1 (Same word, two meanings: the "bank" question).

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
    text = validate.text(text)
    return _TOKEN.findall(text)

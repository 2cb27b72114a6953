"""What every checker shares: the verdict, and turning an answer into numbers or a hint."""

from __future__ import annotations

import numpy as np


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

"""Checkers for notebook 04: weighted sums and context."""

from __future__ import annotations

import numpy as np

from ._base import Result, _as_number, _checker, _CheckerArgumentError, _right, _wrong


def _vector_04(v, name, length=None):
    """A checker's own input (not the learner's answer): a finite, non-zero 1-D vector."""
    try:
        v = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise _CheckerArgumentError(f"{name} must be a vector of numbers; got {v!r}") from None
    if v.ndim != 1 or (length is not None and v.shape != (length,)):
        want = f"({length},)" if length is not None else "(d,)"
        raise _CheckerArgumentError(f"{name} must have shape {want}; got shape {v.shape}")
    if not np.all(np.isfinite(v)) or not np.any(v):
        raise _CheckerArgumentError(f"{name} must be finite and not all zeros; got {v}")
    return v


def _angle_gap_04(angle, perpendicular):
    """Degrees between a direction and a line through the origin at ``perpendicular`` (0 to 90)."""
    return abs((angle - perpendicular + 90.0) % 180.0 - 90.0)


@_checker("an angle in degrees, one number")
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
        raise _CheckerArgumentError("key_a and key_b must differ; equal keys score equally at every angle")
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


@_checker("one number")
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

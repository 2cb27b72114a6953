"""What every checker shares: the verdict, turning an answer into numbers or a hint, and running a learner's function.

Three promises hold for every public checker:

- it returns a :class:`Result` for *any* answer (text, NaN, 10**400, a set, a function, ...):
  the shared readers below give the common cases a specific hint, and the :func:`_checker`
  decorator turns anything unforeseen into a generic hint instead of a traceback;
- its message is a single line;
- a mistake in the checker's own arguments (set by the notebook, not the learner) still
  raises :class:`_CheckerArgumentError`, a ``ValueError``, so a broken exercise cell is loud.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import warnings

import numpy as np

_MAX_ANSWER_SIZE = 1_000_000     # more numbers than any exercise asks for: refuse before converting


class Result:
    """The verdict on one answer: truthy when right; shows as a single line."""

    def __init__(self, correct: bool, message: str):
        self.correct = bool(correct)
        self.message = message

    def __bool__(self):
        return self.correct

    def __repr__(self):
        return ("Correct! " if self.correct else "Not yet. ") + self.message


class _CheckerArgumentError(ValueError):
    """A checker's own argument (not the learner's answer) is wrong: the exercise cell is broken."""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _right(message="Well done."):
    return Result(True, _one_line(message))


OVERFLOW_HINT = ("your function gives NaN or infinity for large scores: exp() overflows. "
                 "Subtract each row's maximum before exp().")
"""The function checkers' hint when a learner's attention overflows on scores around 1e4."""
DIVISION_HINT = "your function gives NaN or infinity; check for a division by 0."
"""The function checkers' hint for NaN or infinity on inputs that cannot overflow."""


def _wrong(hint):
    return Result(False, "Hint: " + _one_line(hint))


def _checker(expects: str):
    """Decorate a public checker so that no answer can make it raise.

    Parameters
    ----------
    expects : str
        What the checker's first argument should be, for the generic hint, e.g. ``"one number"``.

    A :class:`_CheckerArgumentError` (the notebook passed the checker bad arguments) and a call
    that does not match the checker's signature still raise; any other exception becomes
    ``Hint: your answer could not be read as <expects>: it is <what it is>.``
    """
    def decorate(check):
        signature = inspect.signature(check)
        first = next(iter(signature.parameters))

        @functools.wraps(check)
        def checked(*args, **kwargs):
            answer = signature.bind(*args, **kwargs).arguments.get(first)   # TypeError for a wrong call
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")     # numpy's warnings on odd answers would print
                    return check(*args, **kwargs)
            except _CheckerArgumentError:
                raise
            except Exception as error:  # noqa: BLE001 - the promise is: never a traceback for an answer
                return _wrong(f"your answer could not be read as {expects}: it is {_describe(answer)} "
                              f"(the checker stopped with a {type(error).__name__}).")
        return checked
    return decorate


# ----- describing and reading answers -----------------------------------------------------------

def _describe(value) -> str:
    """A short, one-line, learner-friendly description of any value (never its repr, which could hold the answer)."""
    try:
        if value is None:
            return "None"
        if value is Ellipsis:
            return "... (Ellipsis)"
        if isinstance(value, (bool, np.bool_)):
            return f"{bool(value)}, a truth value"
        if isinstance(value, (int, np.integer)):
            digits = int(abs(int(value)).bit_length() * 0.30103) + 1
            return "a whole number" + (f" with about {digits} digits" if digits > 15 else f" ({int(value)})")
        if isinstance(value, (float, np.floating)):
            return f"the number {float(value)!r}"
        if isinstance(value, (complex, np.complexfloating)):
            return "a complex number"
        if isinstance(value, str):
            return "text in quotes"                         # never echoed: it may hold the right answer
        if isinstance(value, (bytes, bytearray)):
            return "bytes"
        if isinstance(value, np.ndarray):
            return f"a numpy array of {_kind_name(value.dtype)} with shape {value.shape}"
        if isinstance(value, (list, tuple)):
            return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
        if isinstance(value, dict):
            return "a dict"
        if isinstance(value, (set, frozenset)):
            return "a set"
        if inspect.isclass(value):
            return f"the class {value.__name__}"
        if callable(value):
            return f"the function {getattr(value, '__name__', '?')}"
        return f"an object of type {type(value).__name__}"
    except Exception:  # noqa: BLE001 - describing must never fail
        return "something unusual"


def _kind_name(dtype) -> str:
    return {"U": "text", "S": "bytes", "O": "Python objects", "b": "True/False values",
            "c": "complex numbers", "M": "dates", "m": "time spans", "V": "records"}.get(dtype.kind, "numbers")


def _read_numbers(answer, what, subject="the answer", should="should be numbers"):
    """Turn an answer into a float64 array of any shape, or explain why it is not numbers.

    Returns ``(array, None)`` or ``(None, hint Result)``. The hint names the problem: text,
    a dict or set, a function, complex numbers, rows of different lengths, a number too
    large for a float, or far too many numbers. NaN and infinity are returned as they are.
    ``subject`` and ``should`` word the hint: "the answer should be numbers (what)".
    """
    if answer is None or answer is Ellipsis:
        return None, _wrong(f"replace the ... with your answer: {what}.")
    if isinstance(answer, (str, bytes, bytearray)):
        return None, _wrong(f"{subject} {should} ({what}), not text: remove the quotes.")
    if isinstance(answer, dict):
        return None, _wrong(f"{subject} {should} ({what}), not a dict: use a list or a numpy "
                            "array.")
    if isinstance(answer, (set, frozenset)):
        return None, _wrong(f"{subject} {should} ({what}), not a set (a set has no order): "
                            "use a list or a numpy array.")
    if callable(answer) and not isinstance(answer, np.ndarray):
        return None, _wrong(f"{subject} {should} ({what}), not {_describe(answer)}: call it "
                            "and use what it returns.")
    try:
        raw = np.asarray(answer)
    except ValueError:
        return None, _wrong(f"{subject} {should} ({what}), but its rows have different lengths: "
                            "every row needs the same number of entries.")
    except Exception:  # noqa: BLE001 - an object numpy cannot even look at
        return None, _wrong(f"{subject} {should} ({what}); it is {_describe(answer)}.")
    if raw.size > _MAX_ANSWER_SIZE:
        return None, _wrong(f"{subject} {should} ({what}); it is an array of shape {raw.shape}, "
                            "far more numbers than this exercise needs.")
    kind = raw.dtype.kind
    if kind == "O":
        items = list(raw.flat)
        if any(isinstance(v, (str, bytes)) for v in items):
            kind = "U"
        elif any(isinstance(v, (complex, np.complexfloating)) for v in items):
            kind = "c"
        elif any(v is None or v is Ellipsis for v in items):
            return None, _wrong(f"{subject} {should} ({what}); it holds None or ...: replace each with a number.")
    if kind in "USa":
        return None, _wrong(f"{subject} {should} ({what}), not text: remove the quotes.")
    if kind == "c":
        return None, _wrong(f"{subject} {should} ({what}) without an imaginary part, not complex.")
    if kind in "MmV":
        return None, _wrong(f"{subject} {should} ({what}); it is {_describe(raw)}.")
    try:
        values = raw.astype(np.float64, copy=False)
    except OverflowError:
        return None, _wrong(f"{subject} holds a whole number too large for a float (more than 308 digits); "
                            f"use ordinary numbers ({what}).")
    except Exception:  # noqa: BLE001 - None, objects, nested lists of other shapes...
        return None, _wrong(f"{subject} {should} ({what}); it is {_describe(answer)}.")
    return values, None


def _as_vector(answer, n, what):
    """Turn an answer into a float vector of length n, or explain why it is not one."""
    vector, problem = _read_numbers(answer, what)
    if problem is not None:
        return None, problem
    if vector.shape != (n,):
        return None, _wrong(f"expected {n} numbers ({what}); got something of shape {vector.shape}.")
    if not np.all(np.isfinite(vector)):
        return None, _wrong("the answer contains NaN or infinity; check for a log of 0 or a division by 0.")
    return vector, None


def _as_number(answer, what):
    """Turn an answer into one finite float, or explain why it is not one."""
    if isinstance(answer, (bool, np.bool_)):
        return None, _wrong(f"the answer should be a number ({what}), not True or False.")
    value, problem = _read_numbers(answer, what, should="should be a number")
    if problem is not None:
        return None, problem
    if value.size == 1:
        value = value.reshape(())                           # accept np.array([x]) and 1x1 results
    if value.shape != ():
        return None, _wrong(f"expected one number ({what}); got something of shape {value.shape}.")
    if not np.isfinite(value):
        return None, _wrong("the answer is NaN or infinity; check for an overflow or a division by 0.")
    return float(value), None


# ----- running a learner's function --------------------------------------------------------------

def _as_function(fn, call: str):
    """Explain why ``fn`` is not a function the checker can call, or return None when it is."""
    name = call.split("(")[0]
    if fn is None or fn is Ellipsis:
        return _wrong(f"replace the ... with your function {call}: pass the function itself, "
                      f"such as check.{name}_function({name}).")
    if isinstance(fn, np.ndarray) or not callable(fn):
        return _wrong(f"pass the function itself, {call}, without calling it: check.{name}_function({name}), "
                      f"with no parentheses after {name}. You passed {_describe(fn)}.")
    return None


def _call_learner(fn, args, call: str):
    """Call the learner's ``fn`` on copies of ``args``, hiding anything it prints or warns.

    Returns
    -------
    value : object
        What ``fn`` returned (None when it raised).
    printed : bool
        Whether it wrote anything to stdout or stderr.
    problem : Result or None
        A hint when ``fn`` raised, naming the exception's type and message (never a traceback).
    """
    copies = tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = fn(*copies)
    except Exception as error:  # noqa: BLE001 - any mistake in the learner's code becomes a hint
        message = _one_line(str(error))
        message = message if len(message) <= 160 else message[:157] + "..."
        shapes = ", ".join(f"{np.shape(a)}" for a in args if isinstance(a, np.ndarray))
        return None, bool(out.getvalue()), _wrong(
            f"your function {call} raised {type(error).__name__}" + (f": {message}" if message else "") +
            f" (called with arrays of shapes {shapes}).")
    return value, bool(out.getvalue()), None


def _close(a, b) -> bool:
    """Same shape and numbers, NaN and infinity included (a mistake can produce NaN in the same places)."""
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-7, equal_nan=True))


def _read_returned(value, names, shapes, call, printed, meanings=None):
    """Read what a learner's function returned as float arrays of the expected shapes.

    Parameters
    ----------
    value : object
        The function's return value.
    names : tuple of str
        One name per returned array, e.g. ``("output", "weights")``; one name: a single array.
    shapes : tuple of tuple
        The expected shape of each.
    call : str
        The function's call, such as ``"softmax(x)"``, for hints.
    printed : bool
        Whether the function printed something.
    meanings : tuple of str, optional
        What each shape means, such as ``"(n, d_v)"``, for the hint on a wrong shape.

    Returns
    -------
    (tuple of np.ndarray, None) or (None, Result)
    """
    if value is None:
        if printed:
            return None, _wrong(f"your function {call} printed its result but returned None: end it "
                                "with return, not print().")
        return None, _wrong(f"your function {call} returned None: did you forget the return statement?")
    if len(names) == 1:
        parts = (value,)
    else:
        together = " and ".join(names)
        if not isinstance(value, (tuple, list)) or isinstance(value, np.ndarray):
            return None, _wrong(f"{call} should return two things, {together}, as a tuple: "
                                f"return {', '.join(names)}. Yours returned {_describe(value)}.")
        if len(value) != len(names):
            return None, _wrong(f"{call} should return {len(names)} things, {together}; yours returned "
                                f"{len(value)}.")
        parts = tuple(value)
    arrays = []
    for name, part in zip(names, parts):
        array, problem = _read_numbers(part, f"the {name}", subject=f"the {name} your function returned")
        if problem is not None:
            if part is None:
                return None, _wrong(f"your function {call} returned None as the {name}.")
            return None, problem
        arrays.append(array)
    got = tuple(a.shape for a in arrays)
    if len(names) == 2 and got == shapes[::-1] and shapes[0] != shapes[1]:
        return None, _wrong(f"{names[0]} and {names[1]} are swapped: return {names[0]}, {names[1]} in "
                            "that order.")
    for name, array, shape, meaning in zip(names, arrays, shapes, meanings or [None] * len(names)):
        if array.shape != shape:
            return None, _wrong(f"your function returned {name} of shape {array.shape}; for these inputs the "
                                f"{name} should have shape {shape}" + (f", {meaning}." if meaning else "."))
    return tuple(arrays), None


def _check_function(fn, call, names, cases, generic, meanings=None):
    """Run a learner's function on every case; return the first hint, or None when all agree.

    The first hint may also say that ``fn`` is not a function at all (see :func:`_as_function`).

    Parameters
    ----------
    fn : callable
        The learner's function.
    call : str
        Its call, such as ``"softmax(x)"``.
    names : tuple of str
        The names of the returned arrays.
    cases : list of dict
        Each with ``"args"`` (the inputs), ``"truth"`` (tuple of the right arrays),
        ``"mistakes"`` (list of ``(hint, {index: array})``: a typical bug and the arrays it
        would return; a mistake matches when every array it lists matches the learner's) and
        ``"nonfinite"`` (the hint for NaN or infinity in this case).
    generic : callable
        ``generic(arrays, truth) -> str``: the hint when no listed mistake matches.
    meanings : tuple of str, optional
        What each returned shape means, for the hint on a wrong shape.
    """
    problem = _as_function(fn, call)
    if problem is not None:
        return problem
    for case in cases:
        truth = case["truth"]
        value, printed, problem = _call_learner(fn, case["args"], call)
        if problem is not None:
            return problem
        arrays, problem = _read_returned(value, names, tuple(t.shape for t in truth), call, printed, meanings)
        if problem is not None:
            return problem
        if all(_close(a, t) for a, t in zip(arrays, truth)):
            continue
        for hint, predicted in case["mistakes"]:
            distinct = any(not _close(array, truth[i]) for i, array in predicted.items())
            if distinct and all(_close(arrays[i], array) for i, array in predicted.items()):
                return _wrong(hint)
        if not all(np.all(np.isfinite(a)) for a in arrays):
            return _wrong(case["nonfinite"])
        return _wrong(generic(arrays, truth))
    return None

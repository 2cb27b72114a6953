"""Checkers for notebook 08: vision transformers."""

from __future__ import annotations

import numpy as np

from ._base import (
    Result,
    _as_number,
    _checker,
    _CheckerArgumentError,
    _describe,
    _read_numbers,
    _right,
    _wrong,
)


def _grid_08(height, width, patch_size):
    """A checker's own input (not the learner's answer): the patch grid ``(rows, cols)`` of an image."""
    for name, v in (("height", height), ("width", width), ("patch_size", patch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise _CheckerArgumentError(f"{name} must be a whole number >= 1; got {v!r}")
    if height % patch_size or width % patch_size:
        raise _CheckerArgumentError(f"patch_size={patch_size} must divide the image's height and width; "
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


@_checker("one whole number")
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


@_checker("one whole number")
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
        raise _CheckerArgumentError(f"channels must be a whole number >= 1; got {channels!r}")
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


@_checker("one whole number")
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
            raise _CheckerArgumentError(f"{name} must be a whole number from 0 to {n - 1}; got {v!r}")
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


def _attention_row_08(weights_row, k, query, cols):
    """A checker's own inputs: the weights as a float vector, and ``k``, ``query``, ``cols`` checked against it."""
    try:
        w = np.asarray(weights_row, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise _CheckerArgumentError(f"weights_row must be a vector of numbers; got {_describe(weights_row)}") from error
    if w.ndim != 1 or not np.all(np.isfinite(w)):
        raise _CheckerArgumentError(f"weights_row must be a 1-D vector of finite weights, one per patch; got shape "
                                    f"{w.shape}")
    n = len(w)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
        raise _CheckerArgumentError(f"k must be a whole number from 1 to {n - 1}; got {k!r}")
    if query is not None and (isinstance(query, bool) or not isinstance(query, (int, np.integer))
                              or not 0 <= query < n):
        raise _CheckerArgumentError(f"query must be None or a patch index from 0 to {n - 1}; got {query!r}")
    if cols is not None and (isinstance(cols, bool) or not isinstance(cols, (int, np.integer))
                             or cols < 1 or n % cols):
        raise _CheckerArgumentError(f"cols must be None or a whole number that divides the {n} patches; got {cols!r}")
    return w


def _patch_indices_08(answer, k, example):
    """Turn an answer into a list of whole numbers (order-free: a set is fine), or explain why it is not one.

    Returns ``(indices, None)``, ``(pairs, None)`` with an array of shape (m, 2) when the answer
    looks like (row, column) pairs, or ``(None, hint Result)``.
    """
    what = f"{k} patch indices, whole numbers such as {example}"
    if isinstance(answer, (set, frozenset)):
        answer = list(answer)                                   # a set has no order, and none is needed
    true_or_false = isinstance(answer, (bool, np.bool_)) or (isinstance(answer, np.ndarray) and answer.dtype.kind == "b")
    if isinstance(answer, (list, tuple)):
        true_or_false = any(isinstance(v, (bool, np.bool_)) for v in answer)
    if true_or_false:
        return None, _wrong(f"answer with {what}, not True or False.")
    values, problem = _read_numbers(answer, what)
    if problem is not None:
        return None, problem
    if values.ndim == 0:
        values = values.reshape(1)                              # one number: a list of one index
    if values.ndim == 2 and values.shape[1] == 2 and values.shape[0] > 0:
        return values, None
    if values.ndim != 1:
        return None, _wrong(f"expected a flat list of {what}; got something of shape {values.shape}.")
    if not np.all(np.isfinite(values)) or not np.all(values == np.round(values)):
        return None, _wrong(f"each patch index is a whole number: {what}.")
    return [int(v) for v in values], None


@_checker("a list of patch indices")
def most_attended_patches(answer, weights_row, k: int = 3, query=None, cols=None) -> Result:
    """Exercise: which ``k`` patches get the largest attention weights in one query's row?

    Order does not matter, and a set is as good as a list. When several patches tie for the
    last place, any of them counts. The hints never show a weight.

    Parameters
    ----------
    answer : list of int
        The learner's ``k`` patch indices, in any order.
    weights_row : np.ndarray, shape (n,)
        The query patch's attention weights over all ``n`` patches, e.g.
        ``lab.state()["weights"][patch]`` in notebook 08.
    k : int, default 3
        How many patches the exercise asks for.
    query : int, optional
        The patch whose weights these are; with it, hints can speak of the patch itself.
    cols : int, optional
        Patches per row of the grid; with it (and ``query``), hints can speak of rows,
        (row, column) pairs and distances.

    Returns
    -------
    Result
        Right when the answer names ``k`` different patches, each weighted at least as much as
        the ``k``-th largest weight; otherwise a hint that names the mistake.
    """
    w = _attention_row_08(weights_row, k, query, cols)
    n = len(w)
    example = "[1, 2, 3]" if k == 3 else str(list(range(1, k + 1)))
    picks, problem = _patch_indices_08(answer, k, example)
    if problem is not None:
        return problem
    order = np.argsort(-w, kind="stable")                       # (n,) largest weight first
    floor = w[order[k - 1]] - 1e-12                             # the k-th largest weight: ties at it count

    def is_top(indices):
        return len(set(indices)) == k == len(indices) and all(0 <= p < n and w[p] >= floor for p in indices)

    name = f"patch {query}" if query is not None else "the query patch"
    if isinstance(picks, np.ndarray):                           # (m, 2): (row, column) pairs
        if cols is not None and np.all(picks == np.round(picks)) and \
                is_top([int(r) * cols + int(c) for r, c in picks if 0 <= c < cols]):
            return _wrong(f"those are the right patches, but give each as one index, row x {cols} + column, "
                          "not as a (row, column) pair.")
        return _wrong(f"give each patch as one index (row x number of columns + column), not as a pair: "
                      f"{k} whole numbers such as {example}.")
    if len(set(picks)) < len(picks):
        return _wrong(f"your list names the same patch more than once: name {k} different patches.")
    if len(picks) != k:
        return _wrong(f"name exactly {k} different patches; your list has {len(picks)}.")
    if is_top(picks):
        return _right(f"those are the {k} patches {name} attends to most: their keys match its query best, "
                      "in looks (the content part) and in place (the position part).")
    if not all(0 <= p < n for p in picks):
        grid = f" (index = row x {cols} + column)" if cols is not None else ""
        return _wrong(f"patch indices go from 0 to {n - 1}{grid}.")
    if cols is not None:
        rows = n // cols
        if is_top([(p % rows) * cols + p // rows for p in picks]):
            return _wrong("those patches are numbered column by column. Patches are numbered row by row, "
                          "left to right, like lines of text: index = row x number of columns + column.")
    if query is not None and w[query] >= floor and query not in picks:
        return _wrong(f"count {name} itself: its own key matches its query in looks and in place at once.")
    if is_top([p - 1 for p in picks]):
        return _wrong("almost: patches are numbered from 0, like Python indices, not from 1.")
    top = {int(p) for p in order[:k]}
    right = sum(bool(w[p] >= floor) for p in picks)
    right = f"{right} of your {k} patches {'is' if right == 1 else 'are'}"
    if query is not None and w[query] < floor and query in picks:
        return _wrong(f"{name} itself is not among them here: other keys match its query better than its own.")
    if query is not None and cols is not None:
        def distance(p):
            return float(np.hypot(p // cols - query // cols, p % cols - query % cols))
        wrong = [p for p in picks if w[p] < floor]
        missing = [p for p in top if p not in picks]
        if any(distance(p) > max(distance(m) for m in missing) for p in wrong):
            return _wrong(f"{right} right. The position part falls as patches move apart: "
                          f"is there a patch that looks as alike but sits closer to {name}?")
        if any(p // cols != query // cols for p in wrong):
            return _wrong(f"{right} right. A patch in another row can sit close by, but does "
                          f"it look like {name}? A high score needs a large content part and a large position part.")
        return _wrong(f"{right} right. A patch close by can still look different: "
                      "a high score needs a large content part and a large position part.")
    return _wrong(f"{right} among the {k} with the largest weights. Compare how alike "
                  "each patch looks to the query patch (content part) and how near it sits (position part).")

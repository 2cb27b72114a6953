"""Input checks shared by every public function.

Each check either returns clean values (``float64`` arrays, plain numbers) or raises a
``TypeError`` / ``ValueError`` whose message names the argument, the expected
shape or range, and what it was given. Learners should never see a raw numpy
traceback or a silent NaN.

The first half holds the building blocks (one argument at a time); the second half
holds one function per public core function, named after what it checks, so that
function's body can start with a single call here and then be pure algebra.

Not taught in a notebook: this is the plumbing that keeps the maths modules short.
"""

from __future__ import annotations

import numbers
import re

import numpy as np


def describe(value) -> str:
    """A short description of what the caller passed, for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, str):
        return f"the string {value[:30]!r}"
    return f"a {type(value).__name__}"


def as_array(value, name: str, shape: str, *, min_ndim: int = 1, max_ndim: int | None = None,
             allow_neg_inf: bool = False) -> np.ndarray:
    """Check that ``value`` is a finite, real, non-empty numpy array; return it as float64.

    Parameters
    ----------
    value : object
        What the caller passed.
    name : str
        The argument's name, used in error messages.
    shape : str
        The expected shape, written for humans, e.g. ``"(..., n_q, d_k)"``.
    min_ndim, max_ndim : int
        Allowed number of dimensions.
    allow_neg_inf : bool
        Accept ``-inf`` entries (masked logits).
    """
    if not isinstance(value, np.ndarray):
        hint = " Convert it with np.array(...) first." if isinstance(value, (list, tuple)) else ""
        raise TypeError(f"{name} must be a numpy array of shape {shape}; got {describe(value)}.{hint}")
    if value.dtype == bool or not (np.issubdtype(value.dtype, np.integer)
                                   or np.issubdtype(value.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers (int or float) with shape {shape}; "
                        f"got {describe(value)}")
    if value.ndim < min_ndim or (max_ndim is not None and value.ndim > max_ndim):
        n_dims = f"{min_ndim}" if max_ndim == min_ndim else f"at least {min_ndim}"
        if max_ndim is not None and max_ndim != min_ndim:
            n_dims = f"{min_ndim} to {max_ndim}"
        raise ValueError(f"{name} must have shape {shape} ({n_dims} dimensions); got shape {value.shape}")
    if value.size == 0:
        raise ValueError(f"{name} must not be empty: expected shape {shape}; got shape {value.shape}")
    value = value.astype(np.float64, copy=False)
    bad = np.isnan(value) | (np.isposinf(value)) | (np.isneginf(value) & (not allow_neg_inf))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        allowed = "finite numbers or -inf" if allow_neg_inf else "finite numbers"
        raise ValueError(f"{name} must contain only {allowed}; got {value[where]} at index {where}")
    return value


def as_positive_number(value, name: str) -> float:
    """Check that ``value`` is a finite real number > 0 (e.g. a temperature)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number > 0; got a number too large for a float") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value}")
    return value


def as_positive_int(value, name: str) -> int:
    """Check that ``value`` is a whole number >= 1 (e.g. a sequence length or head count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 1; got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1; got {value}")
    return int(value)


def as_flag(value, name: str) -> bool:
    """Check that ``value`` is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {describe(value)}")
    return bool(value)


def as_mask(mask, scores_shape: tuple) -> np.ndarray:
    """Check a boolean attention mask against the score matrix it will cover.

    Parameters
    ----------
    mask : np.ndarray of bool, broadcastable to ``scores_shape``
        True where a query may attend to a key (PyTorch's boolean ``attn_mask`` convention).
    scores_shape : tuple
        ``(..., n_q, n_k)``.

    Returns
    -------
    np.ndarray of bool
        The mask broadcast to the joint shape of mask and scores.
    """
    expected = f"(..., n_q, n_k) = (..., {scores_shape[-2]}, {scores_shape[-1]})"
    if not isinstance(mask, np.ndarray):
        raise TypeError(f"mask must be a boolean numpy array broadcastable to {expected}; "
                        f"got {describe(mask)}")
    if mask.dtype != bool:
        raise TypeError(f"mask must have dtype bool (True = may attend); got dtype {mask.dtype}. "
                        f"Use mask.astype(bool) or build it with a comparison.")
    try:
        joint = np.broadcast_shapes(mask.shape, scores_shape)
    except ValueError:
        raise ValueError(f"mask must be broadcastable to {expected}; got shape {mask.shape}") from None
    mask = np.broadcast_to(mask, joint)
    empty_rows = ~mask.any(axis=-1)
    if empty_rows.any():
        where = tuple(int(i) for i in np.argwhere(empty_rows)[0])
        raise ValueError(f"mask lets query row {where[-1]} (index {where}) attend to nothing: "
                         f"every query needs at least one True entry, or its weights would be 0/0")
    return mask


def as_seed(seed) -> int:
    """Check that ``seed`` is a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number >= 0; got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0; got {seed}")
    return int(seed)


def as_count(value, name: str, minimum: int) -> int:
    """Check that ``value`` is a whole number >= ``minimum``."""
    value = as_positive_int(value, name)
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}")
    return value


def as_patch_size(patch_size):
    """Check that ``patch_size`` is a whole number >= 1 (the side of a square patch, in pixels)."""
    if isinstance(patch_size, bool) or not isinstance(patch_size, numbers.Integral):
        raise TypeError(f"patch_size must be a whole number; got {patch_size!r}")
    if patch_size < 1:
        raise ValueError(f"patch_size must be >= 1; got {patch_size}")
    return patch_size


# --------------------------------------------------------------------------------------------------
# One check per public core function, in the reading order of the core modules (tokens, embeddings,
# weights, softmax, attention, masks, positions, multi_head, vision). Each returns the clean arguments.


def text(text) -> str:
    """Check the argument of :func:`~attn_lib.core.tokens.tokenize`.

    Parameters
    ----------
    text : object
        Should be a str with at least one word or punctuation mark.

    Returns
    -------
    str
        ``text``, unchanged.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str such as 'The cat sat on the mat'; got a {type(text).__name__}")
    if re.search(r"\S", text) is None:          # only white space: not one word or punctuation mark
        raise ValueError(f"text must contain at least one word or punctuation mark; got {text!r}")
    return text


def word(word) -> str:
    """Check the argument of :func:`~attn_lib.core.embeddings.embedding_of`: a non-empty str.

    Parameters
    ----------
    word : object
        Should be one token, e.g. ``"cat"``.

    Returns
    -------
    str
        ``word``, unchanged.
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str; got a {type(word).__name__}")
    if not word:
        raise ValueError("word must not be the empty string")
    return word


def tokens(tokens) -> list | tuple:
    """Check a token list for :func:`~attn_lib.core.embeddings.embed`: non-empty, of non-empty str.

    Parameters
    ----------
    tokens : object
        Should be a list (or tuple) of str, such as ``tokenize("The cat sat")``.

    Returns
    -------
    list or tuple of str
        ``tokens``, unchanged.
    """
    if not isinstance(tokens, (list, tuple)):
        raise TypeError(f"tokens must be a list of str (or a sentence as a str); got a {type(tokens).__name__}")
    if not tokens:
        raise ValueError("tokens must contain at least one token; got an empty list")
    for i, token in enumerate(tokens):
        if not isinstance(token, str) or not token:
            raise TypeError(f"tokens must be non-empty strings; got {token!r} at position {i}")
    return tokens


def random_weights_inputs(d_in, d_out, seed) -> tuple[int, int, int]:
    """Check the arguments of :func:`~attn_lib.core.weights.random_weights`.

    Parameters
    ----------
    d_in, d_out : object
        Should be whole numbers >= 1: the shape of the matrix.
    seed : object
        Should be a whole number >= 0.

    Returns
    -------
    d_in, d_out : int
    seed : int
        As given.
    """
    d_in, d_out = as_positive_int(d_in, "d_in"), as_positive_int(d_out, "d_out")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number >= 0; got {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be a whole number >= 0; got {seed}")
    return d_in, d_out, seed


def softmax_inputs(x, axis, temperature) -> tuple[np.ndarray, int, float]:
    """Check the arguments of :func:`~attn_lib.core.softmax.softmax`.

    Parameters
    ----------
    x : object
        Should be a real array, shape (..., n, ...), finite or ``-inf``, with at least
        one finite entry in every slice along ``axis``.
    axis : object
        Should be an int in ``[-x.ndim, x.ndim - 1]``.
    temperature : object
        Should be a finite number > 0.

    Returns
    -------
    x : np.ndarray of float64
    axis : int
    temperature : float
    """
    x = as_array(x, "x", "(..., n)", allow_neg_inf=True)
    temperature = as_positive_number(temperature, "temperature")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int; got a {type(axis).__name__}")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis must be in [{-x.ndim}, {x.ndim - 1}] for x of shape {x.shape}; got {axis}")
    if np.isneginf(x).all(axis=axis).any():
        raise ValueError("x has a slice along axis whose entries are all -inf (fully masked); "
                         "softmax of nothing is undefined")
    return x, axis, temperature


def _batch_shape(name_a: str, shape_a: tuple, name_b: str, shape_b: tuple) -> tuple:
    """The joint batch shape (all but the last two dimensions) of two arrays, if they broadcast."""
    try:
        return np.broadcast_shapes(shape_a[:-2], shape_b[:-2])
    except ValueError:
        raise ValueError(f"the batch dimensions of {name_a} {shape_a[:-2]} and {name_b} "
                         f"{shape_b[:-2]} do not broadcast (shapes {shape_a} and {shape_b})") from None


def score_inputs(Q, K, scale) -> tuple[np.ndarray, np.ndarray, bool]:
    """Check the arguments of :func:`~attn_lib.core.attention.scores`.

    Parameters
    ----------
    Q : object
        Should be a real array of shape (..., n_q, d_k).
    K : object
        Should be a real array of shape (..., n_k, d_k): the same ``d_k``, and batch
        dimensions that broadcast against those of ``Q``.
    scale : object
        Should be True or False.

    Returns
    -------
    Q, K : np.ndarray of float64
    scale : bool
    """
    Q = as_array(Q, "Q", "(..., n_q, d_k)", min_ndim=2)
    K = as_array(K, "K", "(..., n_k, d_k)", min_ndim=2)
    scale = as_flag(scale, "scale")
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must have the same d_k (last dimension); "
                         f"got Q of shape {Q.shape} and K of shape {K.shape}")
    _batch_shape("Q", Q.shape, "K", K.shape)
    return Q, K, scale


def attention_inputs(Q, K, V, mask, scale):
    """Check the arguments of :func:`~attn_lib.core.attention.attention` (``temperature`` is left to softmax).

    Parameters
    ----------
    Q, K, scale : object
        As in :func:`score_inputs`.
    V : object
        Should be a real array of shape (..., n_k, d_v): one row per key.
    mask : object or None
        None, or a boolean array broadcastable to the scores' shape (..., n_q, n_k)
        with at least one True in every query row.

    Returns
    -------
    Q, K, V : np.ndarray of float64
    mask : np.ndarray of bool, or None
        Broadcast to the joint shape of mask and scores.
    scale : bool
    """
    Q, K, scale = score_inputs(Q, K, scale)
    scores_shape = _batch_shape("Q", Q.shape, "K", K.shape) + (Q.shape[-2], K.shape[-2])  # (..., n_q, n_k)
    V = as_array(V, "V", "(..., n_k, d_v)", min_ndim=2)
    if V.shape[-2] != K.shape[-2]:
        raise ValueError(f"V must have one row per key: expected shape (..., {K.shape[-2]}, d_v) "
                         f"to match K; got V of shape {V.shape}")
    _batch_shape("scores", scores_shape, "V", V.shape)
    if mask is not None:
        mask = as_mask(mask, scores_shape)
    return Q, K, V, mask, scale


def self_attention_inputs(X, W_q, W_k, W_v):
    """Check the arrays of :func:`~attn_lib.core.attention.self_attention` (the rest is left to attention).

    Parameters
    ----------
    X : object
        Should be a real array of shape (..., n, d_model).
    W_q, W_k, W_v : object
        Should be real matrices with ``d_model`` rows; ``W_q`` and ``W_k`` of the same width ``d_k``.

    Returns
    -------
    X, W_q, W_k, W_v : np.ndarray of float64
    """
    X = as_array(X, "X", "(..., n, d_model)", min_ndim=2)
    d_model = X.shape[-1]
    W_q, W_k, W_v = (as_array(W, name, f"({d_model}, d)", min_ndim=2, max_ndim=2)
                     for W, name in ((W_q, "W_q"), (W_k, "W_k"), (W_v, "W_v")))
    for W, name in ((W_q, "W_q"), (W_k, "W_k"), (W_v, "W_v")):
        if W.shape[0] != d_model:
            raise ValueError(f"{name} must have shape (d_model, d) = ({d_model}, d) to match X's "
                             f"last dimension; got {name} of shape {W.shape}")
    if W_q.shape[1] != W_k.shape[1]:
        raise ValueError(f"W_q and W_k must give queries and keys the same width d_k; "
                         f"got W_q of shape {W_q.shape} and W_k of shape {W_k.shape}")
    return X, W_q, W_k, W_v


def token_lists(token_lists) -> list | tuple:
    """Check the argument of :func:`~attn_lib.core.masks.pad_batch`.

    Parameters
    ----------
    token_lists : object
        Should be a non-empty list of non-empty lists of str.

    Returns
    -------
    list or tuple of list of str
        ``token_lists``, unchanged.
    """
    if not isinstance(token_lists, (list, tuple)) or not token_lists:
        raise TypeError(f"token_lists must be a non-empty list of token lists; got {token_lists!r}")
    for b, tokens in enumerate(token_lists):
        if not isinstance(tokens, (list, tuple)) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"token_lists[{b}] must be a non-empty list of str; got {tokens!r}")
    return token_lists


def padding_mask_inputs(lengths, n) -> tuple[np.ndarray, int]:
    """Check the arguments of :func:`~attn_lib.core.masks.padding_mask`.

    Parameters
    ----------
    lengths : object
        Should be a non-empty 1-D list or array of whole numbers, each in ``1..n``.
    n : object or None
        Should be a whole number >= 1, or None for ``max(lengths)``.

    Returns
    -------
    lengths : np.ndarray of int, shape (batch,)
    n : int
    """
    if isinstance(lengths, (str, bytes)) or not hasattr(lengths, "__len__"):
        raise TypeError(f"lengths must be a list or array of whole numbers; got {lengths!r}")
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.size == 0 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths must be a non-empty 1-D list of whole numbers, shape (batch,); "
                         f"got {lengths.tolist()!r}")
    n = int(lengths.max()) if n is None else n
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a whole number >= 1; got {n!r}")
    if lengths.min() < 1 or lengths.max() > n:
        raise ValueError(f"lengths must each be in 1..n = 1..{n} (a sentence needs at least one real "
                         f"token); got {lengths.tolist()}")
    return lengths, n


def position_inputs(n, d_model, base) -> tuple[int, int, float]:
    """Check the arguments of :func:`~attn_lib.core.positions.sinusoidal_positions`.

    Parameters
    ----------
    n, d_model : object
        Should be whole numbers >= 1.
    base : object
        Should be a finite real number > 1.

    Returns
    -------
    n, d_model : int
    base : float
        As given.
    """
    n, d_model = as_positive_int(n, "n"), as_positive_int(d_model, "d_model")
    if isinstance(base, bool) or not isinstance(base, numbers.Real):
        raise TypeError(f"base must be a number > 1; got {base!r}")
    if not np.isfinite(base) or base <= 1:
        raise ValueError(f"base must be a finite number > 1; got {base!r}")
    return n, d_model, base


def multi_head_inputs(X, W_q, W_k, W_v, W_o, n_heads, mask):
    """Check the arguments of :func:`~attn_lib.core.multi_head.multi_head_steps`.

    Parameters
    ----------
    X : object
        Should be a real array of shape (..., n, d_model).
    W_q, W_k, W_v, W_o : object
        Should be real matrices of shape (d_model, d_model).
    n_heads : object
        Should be a whole number >= 1 that divides ``d_model``.
    mask : object or None
        None, or a boolean array broadcastable to (..., n, n) with a True in every row.

    Returns
    -------
    X, W_q, W_k, W_v, W_o : np.ndarray of float64
    n_heads : int
    mask : np.ndarray of bool, shape (..., n, n), or None
    """
    X = as_array(X, "X", "(..., n, d_model)", min_ndim=2)
    d_model = X.shape[-1]
    n_heads = as_positive_int(n_heads, "n_heads")
    if d_model % n_heads:
        raise ValueError(f"n_heads must divide d_model so every head gets the same width; "
                         f"got n_heads={n_heads} and d_model={d_model}")
    W_q, W_k, W_v, W_o = (_square_matrix(W, name, d_model)
                          for W, name in ((W_q, "W_q"), (W_k, "W_k"), (W_v, "W_v"), (W_o, "W_o")))
    if mask is not None:
        n = X.shape[-2]
        mask = as_mask(mask, X.shape[:-2] + (n, n))      # checked in the caller's terms, before the head axis
    return X, W_q, W_k, W_v, W_o, n_heads, mask


def _square_matrix(W, name: str, d_model: int) -> np.ndarray:
    """Check that ``W`` is a real (d_model, d_model) matrix."""
    shape = f"(d_model, d_model) = ({d_model}, {d_model})"
    W = as_array(W, name, shape, min_ndim=2, max_ndim=2)
    if W.shape != (d_model, d_model):
        raise ValueError(f"{name} must have shape {shape}; got shape {W.shape}")
    return W


def patchify_inputs(image, patch_size) -> tuple[np.ndarray, int]:
    """Check the arguments of :func:`~attn_lib.core.vision.patchify`.

    Parameters
    ----------
    image : object
        Should be a real array of shape (H, W) or (H, W, C).
    patch_size : object
        Should be a whole number >= 1 that divides both H and W.

    Returns
    -------
    image : np.ndarray of float64, shape (H, W) or (H, W, C)
    patch_size : int
    """
    image = as_array(image, "image", "(H, W) or (H, W, C)", min_ndim=2, max_ndim=3)
    p = as_patch_size(patch_size)
    H, W = image.shape[:2]
    if H % p or W % p:
        raise ValueError(f"patch_size={p} must divide the image's height and width; got an image "
                         f"of {H} x {W} pixels (try a patch size among {_divisors(H, W)})")
    return image, p


def _divisors(H: int, W: int) -> list[int]:
    """Up to eight patch sizes that divide both H and W, smallest first."""
    return [p for p in range(1, min(H, W) + 1) if H % p == 0 and W % p == 0][:8]


def unpatchify_inputs(patches, image_shape, patch_size) -> tuple[np.ndarray, tuple, int]:
    """Check the arguments of :func:`~attn_lib.core.vision.unpatchify`.

    Parameters
    ----------
    patches : object
        Should be a real matrix of shape (n_patches, patch_size * patch_size * C) that fits
        ``image_shape``.
    image_shape : object
        Should be a tuple (H, W) or (H, W, C) of positive whole numbers.
    patch_size : object
        Should be a whole number >= 1 that divides both H and W.

    Returns
    -------
    patches : np.ndarray of float64
    image_shape : tuple
    patch_size : int
    """
    patches = as_array(patches, "patches", "(n_patches, patch_size * patch_size * C)", min_ndim=2, max_ndim=2)
    if not isinstance(image_shape, tuple) or len(image_shape) not in (2, 3) or not all(
            isinstance(v, numbers.Integral) and v > 0 for v in image_shape):
        raise TypeError(f"image_shape must be a tuple (H, W) or (H, W, C) of positive whole numbers; "
                        f"got {image_shape!r}")
    p = as_patch_size(patch_size)
    H, W = image_shape[:2]
    C = image_shape[2] if len(image_shape) == 3 else 1
    if H % p or W % p:
        raise ValueError(f"patch_size={p} must divide image_shape's height and width; got "
                         f"image_shape={image_shape}")
    if patches.shape != ((H // p) * (W // p), p * p * C):
        raise ValueError(f"patches must have shape (n_patches, patch_size * patch_size * C) = "
                         f"({(H // p) * (W // p)}, {p * p * C}) for image_shape={image_shape} and "
                         f"patch_size={p}; got shape {patches.shape}")
    return patches, image_shape, p


ROW_SUM_TOLERANCE = 1e-6
"""How far a row of ``weights`` may sum from 1 and still count as a softmax output."""


def softmax_backward_inputs(weights, grad_weights) -> tuple[np.ndarray, np.ndarray]:
    """Check :func:`attn_lib.core.backward.softmax_backward`'s inputs: a softmax output along the
    last axis (non-negative, rows summing to 1 within :data:`ROW_SUM_TOLERANCE`) and a gradient of
    the same shape; return both as float64."""
    weights = as_array(weights, "weights", "(..., n)")
    grad_weights = as_array(grad_weights, "grad_weights", f"{weights.shape} (the shape of weights)")
    if grad_weights.shape != weights.shape:
        raise ValueError(f"grad_weights must have the same shape as weights, {weights.shape}; "
                         f"got grad_weights of shape {grad_weights.shape}")
    if (weights < 0).any():
        where = tuple(int(i) for i in np.argwhere(weights < 0)[0])
        raise ValueError(f"weights must be a softmax output (non-negative, rows summing to 1); "
                         f"got {weights[where]} at index {where}")
    row_sums = weights.sum(axis=-1)                                       # (...,)
    off = np.abs(row_sums - 1) > ROW_SUM_TOLERANCE
    if off.any():
        where = tuple(int(i) for i in np.argwhere(off)[0])
        total = float(row_sums[where])
        raise ValueError(f"weights must be a softmax output: each row (last axis) must sum to 1 "
                         f"within {ROW_SUM_TOLERANCE:g}; row {where} sums to {total:.8g}")
    return weights, grad_weights


def grad_output(grad, output_shape: tuple) -> np.ndarray:
    """Check that ``grad_output`` has the shape of attention's output, ``output_shape``; return it as float64."""
    G = as_array(grad, "grad_output", f"{output_shape} (the shape of attention's output)", min_ndim=2)
    if G.shape != output_shape:
        raise ValueError(f"grad_output must have the shape of attention's output (..., n_q, d_v) = "
                         f"{output_shape}; got grad_output of shape {G.shape}")
    return G

"""Masks: which keys each query may attend to.

Convention (PyTorch's ``scaled_dot_product_attention``): True means "may attend".
``causal_mask`` lives in :mod:`attn_lib.attention`; this module adds masks for
batches of sentences of different lengths.
"""

from __future__ import annotations

import numbers

import numpy as np

from .attention import causal_mask

PAD = "[PAD]"
"""The token that fills the end of shorter sentences in a batch."""


def pad_batch(token_lists, pad: str = PAD):
    """Pad sentences of different lengths to one length.

    Parameters
    ----------
    token_lists : list of list of str
        Each inner list is one tokenized sentence (at least one token).
    pad : str, default "[PAD]"

    Returns
    -------
    padded : list of list of str
        ``batch`` lists, each of length ``n = max(lengths)``.
    lengths : np.ndarray of int, shape (batch,)
        The real length of each sentence.
    """
    if not isinstance(token_lists, (list, tuple)) or not token_lists:
        raise TypeError(f"token_lists must be a non-empty list of token lists; got {token_lists!r}")
    for b, tokens in enumerate(token_lists):
        if not isinstance(tokens, (list, tuple)) or not tokens or not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"token_lists[{b}] must be a non-empty list of str; got {tokens!r}")
    n = max(len(tokens) for tokens in token_lists)
    padded = [list(tokens) + [pad] * (n - len(tokens)) for tokens in token_lists]
    return padded, np.array([len(tokens) for tokens in token_lists])


def padding_mask(lengths, n: int | None = None) -> np.ndarray:
    """Key-padding mask: every query may attend only to the real (non-pad) tokens of its sentence.

    Parameters
    ----------
    lengths : array_like of int, shape (batch,)
        Real length of each sentence, each in 1..n.
    n : int, optional
        Padded length; defaults to ``max(lengths)``.

    Returns
    -------
    np.ndarray of bool, shape (batch, 1, n)
        ``mask[b, 0, j]`` is True when key ``j`` is a real token of sentence ``b``.
        Broadcasts against scores of shape (batch, n_q, n) and combines with
        :func:`causal_mask` by ``&``.
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
    keys = np.arange(n)                                         # (n,)
    return (keys[None, :] < lengths[:, None])[:, None, :]       # (batch, 1, n)


def causal_padding_mask(lengths, n: int | None = None) -> np.ndarray:
    """GPT-style batches: causal and padding masks together.

    Returns
    -------
    np.ndarray of bool, shape (batch, n, n)
        True where query ``i`` may attend to key ``j``: ``j <= i`` and ``j`` is a real token.
    """
    pad = padding_mask(lengths, n)                              # (batch, 1, n)
    return pad & causal_mask(pad.shape[-1])                     # (batch, n, n)

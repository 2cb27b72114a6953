"""Masks: which keys each query may attend to.

Convention (PyTorch's ``scaled_dot_product_attention``): True means "may attend".
``causal_mask`` lives in :mod:`attn_lib.core.attention`; this module adds masks for
batches of sentences of different lengths.

Taught in notebook 05.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .attention import causal_mask

PAD = "[PAD]"
"""The token that fills the end of shorter sentences in a batch."""


def pad_batch(token_lists, pad: str = PAD):
    """Pad sentences of different lengths to one length.

    Taught in notebook 05, section 3 (Batches and padding).

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
    token_lists = validate.token_lists(token_lists)
    n = max(len(tokens) for tokens in token_lists)
    padded = [list(tokens) + [pad] * (n - len(tokens)) for tokens in token_lists]
    return padded, np.array([len(tokens) for tokens in token_lists])


def padding_mask(lengths, n: int | None = None) -> np.ndarray:
    """Key-padding mask: every query may attend only to the real (non-pad) tokens of its sentence.

    Taught in notebook 05, section 3 (Batches and padding).

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
    lengths, n = validate.padding_mask_inputs(lengths, n)      # (batch,), int
    keys = np.arange(n)                                         # (n,)
    return (keys[None, :] < lengths[:, None])[:, None, :]       # (batch, 1, n)


def causal_padding_mask(lengths, n: int | None = None) -> np.ndarray:
    """GPT-style batches: causal and padding masks together.

    Taught in notebook 05, section 3 (Batches and padding). The arguments are those of
    :func:`padding_mask`, which checks them.

    Returns
    -------
    np.ndarray of bool, shape (batch, n, n)
        True where query ``i`` may attend to key ``j``: ``j <= i`` and ``j`` is a real token.
    """
    pad = padding_mask(lengths, n)                              # (batch, 1, n)
    return pad & causal_mask(pad.shape[-1])                     # (batch, n, n)

""""""

from __future__ import annotations

import numpy as np

PATTERNS = ("previous", "itself", "[CLS]", "[SEP]")
"""The names of :func:`pattern_scores`' patterns, in order."""


def pattern_scores(attentions, tokens) -> dict:
    """How much weight each head puts, on average, on four simple targets.

    Parameters
    ----------
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)
    tokens : list of str, length n

    Returns
    -------
    dict of np.ndarray, each shape (n_layers, n_heads)
        ``"previous"``: mean over tokens 1..n-1 of the weight on the token just before;
        ``"itself"``: mean over all tokens of the weight on themselves (the diagonal);
        ``"[CLS]"`` and ``"[SEP]"``: mean over all tokens of the weight on those tokens.
    """
    A = np.asarray(attentions, dtype=np.float64)
    if A.ndim != 4 or A.shape[-1] != A.shape[-2] or A.shape[-1] != len(tokens):
        raise ValueError(f"attentions must have shape (n_layers, n_heads, n, n) with n = {len(tokens)} "
                         f"tokens; got shape {A.shape}")
    if len(tokens) < 2:
        raise ValueError("tokens must hold at least 2 tokens, or no token has a previous one")
    special = {name: [j for j, t in enumerate(tokens) if t == name] for name in ("[CLS]", "[SEP]")}
    return {
        "previous": np.diagonal(A, offset=-1, axis1=-2, axis2=-1).mean(axis=-1),  # A[..., i, i-1]
        "itself": np.diagonal(A, axis1=-2, axis2=-1).mean(axis=-1),              # A[..., i, i]
        "[CLS]": A[..., special["[CLS]"]].sum(axis=-1).mean(axis=-1),           # (L, H)
        "[SEP]": A[..., special["[SEP]"]].sum(axis=-1).mean(axis=-1),           # (L, H)
    }

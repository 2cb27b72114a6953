"""Notebook 09's experiments on a real model: how strongly each head of MiniLM follows a simple
pattern (the previous token, itself, [CLS], [SEP]).
"""

from __future__ import annotations

import numpy as np

from ..core.validate import as_array, describe

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


def mean_cosine_to_groups(vectors, groups) -> np.ndarray:
    """The mean cosine similarity of each vector with the members of each group.

    Notebook 09 uses it to ask whether a new "bank" sits closer to the river "bank"s or to
    the money "bank"s: one row per new vector, one column per group.

    Parameters
    ----------
    vectors : np.ndarray, shape (m, d)
        The vectors to place, one per row.
    groups : sequence of np.ndarray, each shape (k_g, d)
        The groups to compare them with; groups may have different sizes.

    Returns
    -------
    np.ndarray, shape (m, len(groups))
        Entry ``[i, g]``: the mean over the members ``u`` of group ``g`` of
        ``vectors[i] . u / (|vectors[i]| |u|)``.
    """
    V = as_array(vectors, "vectors", "(m, d)", min_ndim=2, max_ndim=2)
    if not isinstance(groups, (list, tuple)) or len(groups) == 0:
        wrap = " (wrap a single group in a list)" if isinstance(groups, np.ndarray) else ""
        raise TypeError(f"groups must be a non-empty list of (k, d) arrays, one per group; got "
                        f"{describe(groups)}{wrap}")
    unit = _unit_rows(V, "vectors")                                             # (m, d)
    columns = []
    for g, group in enumerate(groups):
        G = as_array(group, f"groups[{g}]", f"(k, {V.shape[1]})", min_ndim=2, max_ndim=2)
        if G.shape[1] != V.shape[1]:
            raise ValueError(f"groups[{g}] must have shape (k, {V.shape[1]}), as many columns as vectors; "
                             f"got shape {G.shape}")
        columns.append((unit @ _unit_rows(G, f"groups[{g}]").T).mean(axis=1))  # (m, k) -> (m,)
    return np.stack(columns, axis=1)                                            # (m, n_groups)


def _unit_rows(M, name) -> np.ndarray:
    """Each row divided by its length; a zero row has no direction and raises, naming ``name``."""
    lengths = np.linalg.norm(M, axis=1, keepdims=True)                      # (k, 1)
    if np.any(lengths == 0):
        row = int(np.flatnonzero(lengths[:, 0] == 0)[0])
        raise ValueError(f"{name} must not hold a zero vector (it has no direction, so its cosine "
                         f"similarity is undefined); row {row} is all zeros")
    return M / lengths                                                      # (k, d)

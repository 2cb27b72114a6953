"""Notebook 02's data: the attention explorer's inputs and its preset weight matrices.

Each token's input is its 8 meaning features (:data:`attn_lib.core.FEATURES`) followed by 2
position features, ``sin(pos*theta)`` and ``cos(pos*theta)`` with ``theta = pi/4``, so a preset can
look at *where* a word is ("attend to the previous word") as well as *what* it is. Notebooks 05,
06 and 07 reuse these inputs.
"""

from __future__ import annotations

import numpy as np

from ..core.embeddings import FEATURES, embed
from ..core.weights import random_weights

POSITION_FEATURES = ("pos sin", "pos cos")


INPUT_FEATURES = FEATURES + POSITION_FEATURES


THETA = np.pi / 4


PRESETS = ("attend to nouns", "attend to itself", "attend to the previous word", "identity", "zeros", "random")


MATRICES = ("W_Q", "W_K", "W_V")


def explorer_inputs(tokens) -> np.ndarray:
    """The explorer's input matrix: meaning features, then two position features.

    Parameters
    ----------
    tokens : list of str

    Returns
    -------
    np.ndarray, shape (n_tokens, 10)
        Columns are :data:`INPUT_FEATURES`.
    """
    pos = np.arange(len(tokens))[:, None] * THETA                           # (n, 1)
    return np.hstack([embed(list(tokens)), np.sin(pos), np.cos(pos)])       # (n, 8 + 2)


def preset_weights(name: str, d_k: int = 4, seed: int = 0) -> dict:
    """Weight matrices that produce a recognisable attention pattern.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`.
    d_k : int
        Width of queries, keys and values (>= 2).
    seed : int
        Used by ``"random"`` only.

    Returns
    -------
    dict
        ``{"W_Q": (10, d_k), "W_K": (10, d_k), "W_V": (10, d_k)}``.
    """
    if name not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}; got {name!r}")
    d_in = len(INPUT_FEATURES)
    sin_row, cos_row = d_in - 2, d_in - 1
    W_Q, W_K, W_V = np.zeros((d_in, d_k)), np.zeros((d_in, d_k)), np.eye(d_in, d_k)
    if name == "random":
        W_Q, W_K, W_V = (np.round(3 * random_weights(d_in, d_k, seed=seed + i), 1) for i in range(3))
    elif name == "identity":
        W_Q, W_K = np.eye(d_in, d_k), np.eye(d_in, d_k)
    elif name == "zeros":
        W_V = np.zeros((d_in, d_k))
    elif name == "attend to nouns":
        W_Q[: len(FEATURES), 0] = 3.0                       # every word asks the same question...
        for feature in ("animal", "object", "place", "nature", "money", "person"):
            W_K[FEATURES.index(feature), 0] = 3.0           # ...and content words answer it
    elif name == "attend to itself":
        W_Q[sin_row, 0] = W_Q[cos_row, 1] = 5.0             # query = my position
        W_K[sin_row, 0] = W_K[cos_row, 1] = 5.0             # key = my position
    elif name == "attend to the previous word":
        c, s = 5 * np.cos(THETA), 5 * np.sin(THETA)
        W_Q[[sin_row, cos_row], 0:2] = [[c, s], [-s, c]]    # rotate my position back by one step
        W_K[sin_row, 0] = W_K[cos_row, 1] = 5.0
    return {"W_Q": W_Q, "W_K": W_K, "W_V": W_V}


EXPLORER_WEIGHT_SHAPE = (len(INPUT_FEATURES), 4)
"""Shape of each weight matrix of the attention explorer: one row per input feature, columns d1..d4."""

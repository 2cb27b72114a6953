""""""

from __future__ import annotations

import numpy as np

CAT_SENTENCE = "The cat sat on the mat"


CAT_PROBABILITIES = np.array([0.10, 0.40, 0.30, 0.05, 0.05, 0.10])
"""The source post's attention of "cat" to each word of :data:`CAT_SENTENCE`."""

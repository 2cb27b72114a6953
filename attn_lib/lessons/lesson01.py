"""Notebook 01's data: the attention of "cat" in "The cat sat on the mat".

The probabilities are the starting point the course took from the blog post "What is Self
Attention?"; notebook 01 turns them back into raw scores and lets the learner drag them.
"""

from __future__ import annotations

import numpy as np

CAT_SENTENCE = "The cat sat on the mat"


CAT_PROBABILITIES = np.array([0.10, 0.40, 0.30, 0.05, 0.05, 0.10])
"""The source post's attention of "cat" to each word of :data:`CAT_SENTENCE`."""

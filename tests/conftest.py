"""Shared fixtures for the attn_lib tests."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded random generator, so every test sees the same numbers on every run."""
    return np.random.default_rng(20240611)

"""Shared fixtures for the attn_lib tests."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded random generator, so every test sees the same numbers on every run."""
    return np.random.default_rng(20240611)


def import_reference(name: str, why: str):
    """Import an independent reference library, or skip saying why.

    CI sets ``ATTN_LAB_REQUIRE_REFERENCES=1``: there a missing reference is a
    failure, so the comparison can never silently stop running.
    """
    import importlib
    import os

    try:
        return importlib.import_module(name)
    except ImportError as error:
        if os.environ.get("ATTN_LAB_REQUIRE_REFERENCES") == "1":
            pytest.fail(f"{name} is required here (ATTN_LAB_REQUIRE_REFERENCES=1) but cannot be imported: "
                        f"{error}. {why}", pytrace=False)
        pytest.skip(f"{name} is not installed: {why}", allow_module_level=True)

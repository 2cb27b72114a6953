"""Importing an independent reference library (PyTorch, transformers) for comparison tests.

A plain module rather than part of conftest.py: tests/browser/ has a conftest of its
own, and ``from conftest import ...`` would find whichever one is first on sys.path.
"""

import pytest


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

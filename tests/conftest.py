"""Shared fixtures for the attn_lib tests.

The tests mirror the package: ``tests/core``, ``tests/lessons``, ``tests/plots``, ``tests/views``,
``tests/model`` and ``tests/check``, with files of the same name in several folders (e.g.
``test_lesson06.py``). pytest imports them with ``--import-mode=importlib`` (see pyproject.toml),
so no folder needs an ``__init__.py``; this folder goes on ``sys.path`` for the helper modules
every folder shares (``_references``, ``_check_asserts``, ``_tiny_bert``).
"""

import pathlib
import sys

import numpy as np
import pytest

HERE = str(pathlib.Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture
def rng():
    """A fresh, seeded random generator, so every test sees the same numbers on every run."""
    return np.random.default_rng(20240611)

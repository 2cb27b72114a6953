"""The tiny checkpoint every test of attn_lib.model shares (written once per session)."""

import pytest
from _tiny_bert import write_tiny_checkpoint

from attn_lib.model.checkpoint import load_pretrained


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    return write_tiny_checkpoint(tmp_path_factory.mktemp("tiny") / "tiny-bert")


@pytest.fixture(scope="session")
def tiny(tiny_dir):
    return load_pretrained(tiny_dir)

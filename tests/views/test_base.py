"""What every live view shares (attn_lib.views._base): the attn-live class, its style sent once in a
hidden widget, one repaint per change with data-version counting them, a PNG and a text snapshot."""

from __future__ import annotations

import base64
from types import SimpleNamespace

import numpy as np
import pytest
from _html_tree import parse

from attn_lib.core import softmax, tokenize
from attn_lib.views import (
    AttentionExplorer,
    AttentionViewer,
    HeadViewer,
    LiveView,
    MaskEditor,
    PatchAttentionView,
    PermutationView,
    PositionEncodingView,
    QueryRotation,
    ScalingExplorer,
)
from attn_lib.views._html import LIVE_STYLE


def fake_model(sentence):
    """A stand-in for a pretrained model: 2 layers, 3 heads of made-up weights."""
    tokens = ["[CLS]", *tokenize(sentence), "[SEP]"]
    n = len(tokens)
    scores = np.arange(2 * 3 * n * n, dtype=float).reshape(2, 3, n, n) % 7
    return SimpleNamespace(tokens=tokens, attentions=softmax(scores))


VIEWS = {                      # view: (how to build one, the class of its root element)
    "explorer": (AttentionExplorer, "attn-explorer"),
    "scaling": (ScalingExplorer, "attn-scaling"),
    "query rotation": (QueryRotation, "query-rotation"),
    "mask editor": (MaskEditor, "attn-mask-editor"),
    "permutation": (PermutationView, "permutation-view"),
    "position encoding": (PositionEncodingView, "position-encoding-view"),
    "head viewer": (HeadViewer, "head-viewer"),
    "patch attention": (PatchAttentionView, "vit-attention"),
    "attention viewer": (lambda: AttentionViewer(fake_model), "attn-model-viewer"),
}


@pytest.fixture(params=sorted(VIEWS), scope="module")
def built(request):
    make, root_class = VIEWS[request.param]
    return make(), root_class


def test_the_view_is_live_and_its_style_is_sent_once(built):
    view, root_class = built
    assert isinstance(view, LiveView) and "attn-live" in view._dom_classes
    style = view.children[0]
    assert style.layout.display == "none"
    assert style.value == LIVE_STYLE + view.STYLE
    root = parse(view.view.value).one("div", root_class)
    assert any(f".{css_class} " in view.STYLE for css_class in root.classes)   # rules scoped to the view
    assert "<style" not in view.view.value                          # never resent with a repaint


def test_the_root_carries_the_version_and_refresh_adds_one(built):
    view, root_class = built
    version = view.version
    view.refresh()
    root = parse(view.view.value).one("div", root_class)
    assert view.version == version + 1 and root["data-version"] == str(view.version)


def test_a_batch_of_changes_repaints_once(built):
    view, _ = built
    version = view.version
    with view._batch():
        view.refresh()
        view.refresh()
    assert view.version == version + 1


def test_the_snapshot_is_a_png_and_a_table(built):
    view, _ = built
    bundle = view._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    assert bundle["text/plain"] == repr(view.table())

"""attn_lib: the small, readable self-attention library behind Self-Attention Lab.

The folders are the architecture; dependencies run one way, views -> lessons -> core:

- ``core/``     the maths, numpy only: tokens, embeddings, softmax, attention, masks,
                positions, multi_head, vision. Start reading here.
- ``lessons/``  each notebook's own data and experiments (``lessonNN.py``): numpy, core and earlier lessons.
- ``plots/``    static renderings: text tables and matplotlib figures.
- ``views/``    live ipywidgets views, one per module.
- ``model/``    a real model (all-MiniLM-L6-v2) run in numpy on ``core``.
- ``check/``    the exercise checkers.

``import attn_lib`` loads numpy and ``core`` only. Everything else loads on first use
(PEP 562), so ``attn_lib.softmax`` never waits for matplotlib or ipywidgets.
"""

import importlib
import types

from .core import (
    D_MODEL,
    FEATURES,
    PAD,
    VOCABULARY,
    attention,
    attention_backward,
    causal_mask,
    causal_padding_mask,
    embed,
    embedding_of,
    is_known,
    merge_heads,
    multi_head_attention,
    multi_head_steps,
    online_softmax_blocks,
    pad_batch,
    padding_mask,
    patchify,
    random_weights,
    scores,
    self_attention,
    sinusoidal_positions,
    softmax,
    softmax_backward,
    split_heads,
    tiled_attention,
    tokenize,
    unpatchify,
)

__version__ = "0.1.0"

_LAZY = {  # public name -> the module that defines it, imported on first use
    "Table": "plots.table",
    "bar_chart": "plots.charts",
    "heatmap": "plots.charts",
    "AttentionExplorer": "views.explorer",
    "AttentionViewer": "views.attention_viewer",
    "load_pretrained": "model.checkpoint",
    "pattern_scores": "lessons.lesson09",
    "presenter": "views.presenter",
}

_SUBPACKAGES = ("check", "core", "environment", "lessons", "model", "plots", "views")

_LEGACY_MODULES = {  # the flat modules of attn_lib 0.1, each now spread over the folders
    "context": ("lessons.lesson04", "plots.lesson04", "views.query_rotation"),
    "model_views": ("lessons.lesson09", "plots.lesson09", "views.attention_viewer"),
    "pretrained": ("model.encoder", "model.checkpoint"),
    "scaling": ("lessons.lesson03", "plots.lesson03", "views.scaling"),
    "widgets": ("views._base", "views._html", "views.score_sliders"),
}


def _legacy_module(name: str) -> types.ModuleType:
    """A module object holding the public names that ``attn_lib.<name>`` had before the split."""
    module = types.ModuleType(f"{__name__}.{name}", f"Compatibility view of {', '.join(_LEGACY_MODULES[name])}.")
    for path in _LEGACY_MODULES[name]:
        source = importlib.import_module(f".{path}", __name__)
        module.__dict__.update({k: v for k, v in vars(source).items()
                                if not k.startswith("_") and not isinstance(v, types.ModuleType)})
    return module


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _LEGACY_MODULES:
        value = _legacy_module(name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value             # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


__all__ = [  # sorted, case-insensitive
    "attention", "attention_backward", "AttentionExplorer", "AttentionViewer", "bar_chart",
    "causal_mask", "causal_padding_mask", "check", "context", "core", "D_MODEL", "embed",
    "embedding_of", "environment", "FEATURES", "heatmap", "is_known", "lessons",
    "load_pretrained", "merge_heads", "model", "model_views", "multi_head_attention",
    "multi_head_steps", "online_softmax_blocks", "PAD", "pad_batch", "padding_mask",
    "patchify", "pattern_scores", "plots", "presenter", "pretrained", "random_weights", "scaling", "scores",
    "self_attention", "sinusoidal_positions", "softmax", "softmax_backward", "split_heads",
    "Table", "tiled_attention", "tokenize", "unpatchify", "views", "VOCABULARY", "widgets",
]

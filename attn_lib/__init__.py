"""attn_lib: the small, readable self-attention library behind Self-Attention Lab.

Read it in this order: ``tokens`` -> ``embeddings`` -> ``softmax`` ->
``attention`` -> ``multi_head``. ``display`` and ``widgets`` draw things;
``check`` marks exercises; ``explorer`` is the live attention explorer.
``pretrained`` runs a real model (MiniLM) on these functions; ``model_views`` shows its attention.
"""

from . import check, context, model_views, pretrained, scaling, widgets
from .attention import attention, causal_mask, scores, self_attention
from .display import Table, bar_chart, heatmap
from .explorer import AttentionExplorer
from .embeddings import D_MODEL, FEATURES, VOCABULARY, embed, embedding_of, is_known
from .masks import PAD, causal_padding_mask, pad_batch, padding_mask
from .model_views import AttentionViewer, pattern_scores
from .multi_head import merge_heads, multi_head_attention, multi_head_steps, split_heads
from .pretrained import load_pretrained
from .positions import sinusoidal_positions
from .softmax import softmax
from .tokens import tokenize
from .vision import patchify, unpatchify
from .weights import random_weights

__version__ = "0.1.0"

__all__ = [
    "attention", "AttentionExplorer", "AttentionViewer", "load_pretrained", "model_views",
    "pattern_scores", "pretrained", "bar_chart", "causal_mask", "causal_padding_mask", "check",
    "context", "D_MODEL", "embed", "embedding_of", "FEATURES", "heatmap", "is_known", "merge_heads",
    "multi_head_attention", "multi_head_steps", "PAD", "pad_batch", "padding_mask", "patchify",
    "random_weights", "scaling", "scores", "self_attention", "sinusoidal_positions", "softmax",
    "split_heads", "Table", "tokenize", "unpatchify", "VOCABULARY", "widgets",
]

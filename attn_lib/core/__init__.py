"""The maths of self-attention, in numpy and nothing else. Read it in this order:

``tokens`` -> ``embeddings`` -> ``softmax`` -> ``attention`` -> ``masks`` ->
``positions`` -> ``multi_head`` -> ``vision``; ``weights`` makes random weight
matrices and ``validate`` holds the argument checks every public function makes.
"""

from .attention import attention, causal_mask, scores, self_attention
from .embeddings import D_MODEL, FEATURES, VOCABULARY, embed, embedding_of, is_known
from .masks import PAD, causal_padding_mask, pad_batch, padding_mask
from .multi_head import merge_heads, multi_head_attention, multi_head_steps, split_heads
from .positions import sinusoidal_positions
from .softmax import softmax
from .tokens import tokenize
from .vision import patchify, unpatchify
from .weights import random_weights

__all__ = sorted([
    "D_MODEL", "FEATURES", "PAD", "VOCABULARY", "attention", "causal_mask", "causal_padding_mask",
    "embed", "embedding_of", "is_known", "merge_heads", "multi_head_attention", "multi_head_steps",
    "pad_batch", "padding_mask", "patchify", "random_weights", "scores", "self_attention",
    "sinusoidal_positions", "softmax", "split_heads", "tokenize", "unpatchify",
])

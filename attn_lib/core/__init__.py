"""The maths of self-attention, in numpy and nothing else. Read it in this order:

``tokens`` -> ``embeddings`` -> ``softmax`` -> ``attention`` -> ``masks`` ->
``positions`` -> ``multi_head`` -> ``vision``; ``weights`` makes random weight
matrices and ``validate`` holds the argument checks every public function makes.
Every module and public function names the notebook (and section) that teaches it.
"""

from .attention import attention, causal_mask, scores, self_attention
from .backward import attention_backward, softmax_backward
from .embeddings import D_MODEL, FEATURES, VOCABULARY, embed, embedding_of, is_known
from .masks import PAD, causal_padding_mask, pad_batch, padding_mask
from .multi_head import merge_heads, multi_head_attention, multi_head_steps, split_heads
from .positions import sinusoidal_positions
from .softmax import softmax
from .tiled import online_softmax_blocks, tiled_attention
from .tokens import tokenize
from .vision import patchify, unpatchify
from .weights import random_weights

__all__ = [
    "D_MODEL", "FEATURES", "PAD", "VOCABULARY", "attention", "attention_backward",
    "causal_mask", "causal_padding_mask", "embed", "embedding_of", "is_known", "merge_heads",
    "multi_head_attention", "multi_head_steps", "online_softmax_blocks", "pad_batch",
    "padding_mask", "patchify", "random_weights", "scores", "self_attention",
    "sinusoidal_positions", "softmax", "softmax_backward", "split_heads", "tiled_attention",
    "tokenize", "unpatchify",
]

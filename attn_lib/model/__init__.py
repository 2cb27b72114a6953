"""A real model in numpy: all-MiniLM-L6-v2, a 6-layer BERT encoder, run on the course's functions.

``encoder`` is the forward pass (embeddings, attention blocks, feed-forward, layer norm), built
on :mod:`attn_lib.core`; ``checkpoint`` loads the weights and the tokenizer from an installed
package, a directory or the Hugging Face hub. Taught in notebook 09.
"""

from .checkpoint import ModelOutput, PretrainedModel, WeightsNotFoundError, load_checkpoint, load_pretrained
from .encoder import forward, gelu, layer_norm

__all__ = ["ModelOutput", "PretrainedModel", "WeightsNotFoundError", "forward", "gelu", "layer_norm",
           "load_checkpoint", "load_pretrained"]

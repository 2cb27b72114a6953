"""A tiny random BERT checkpoint in the Hugging Face layout, for tests that need a model without
downloading one (tests/model, tests/views).

:func:`write_tiny_checkpoint` writes config.json, model.safetensors, vocab.txt,
tokenizer_config.json and tokenizer.json, with the parameter names of all-MiniLM-L6-v2's
model.safetensors and random weights: 2 layers, 2 heads, hidden size 8.
"""

from __future__ import annotations

import json
import pathlib

import numpy as np

TINY_WORDS = ["the", "cat", "sat", "on", "mat", "bank", "river", "money", "a", "by", "deposit", "##s",
              "##ed", ".", ",", "!", "?", "i", "at", "we", "walked"]
TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + TINY_WORDS
TINY_CONFIG = {
    "architectures": ["BertModel"], "model_type": "bert", "hidden_act": "gelu",
    "position_embedding_type": "absolute", "hidden_size": 8, "num_hidden_layers": 2,
    "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 16,
    "type_vocab_size": 2, "vocab_size": len(TINY_VOCAB), "layer_norm_eps": 1e-12,
    "attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0, "pad_token_id": 0,
    "initializer_range": 0.02,
}


def tiny_tensors(config=TINY_CONFIG, seed=0, prefix=""):
    """Random float32 weights under all-MiniLM-L6-v2's parameter names (Linear weights (out, in))."""
    rng = np.random.default_rng(seed)
    d, d_ff = config["hidden_size"], config["intermediate_size"]

    def w(*shape, scale=0.6):
        return (scale * rng.standard_normal(shape)).astype(np.float32)

    t = {"embeddings.word_embeddings.weight": w(config["vocab_size"], d, scale=1.0),
         "embeddings.position_embeddings.weight": w(config["max_position_embeddings"], d, scale=0.5),
         "embeddings.token_type_embeddings.weight": w(config["type_vocab_size"], d, scale=0.5),
         "embeddings.LayerNorm.weight": 1 + w(d, scale=0.1), "embeddings.LayerNorm.bias": w(d, scale=0.1),
         "embeddings.position_ids": np.arange(config["max_position_embeddings"], dtype=np.int64)[None]}
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            t[p + f"attention.self.{name}.weight"] = w(d, d)
            t[p + f"attention.self.{name}.bias"] = w(d, scale=0.2)
        t[p + "attention.output.dense.weight"], t[p + "attention.output.dense.bias"] = w(d, d), w(d, scale=0.2)
        t[p + "attention.output.LayerNorm.weight"] = 1 + w(d, scale=0.1)
        t[p + "attention.output.LayerNorm.bias"] = w(d, scale=0.1)
        t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = w(d_ff, d), w(d_ff, scale=0.2)
        t[p + "output.dense.weight"], t[p + "output.dense.bias"] = w(d, d_ff), w(d, scale=0.2)
        t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"] = 1 + w(d, scale=0.1), w(d, scale=0.1)
    t["pooler.dense.weight"], t["pooler.dense.bias"] = w(d, d), w(d, scale=0.2)
    return {prefix + k: v for k, v in t.items()}


def write_tiny_checkpoint(path, config=None, tensors=None, tokenizer_json=True, prefix="", seed=0):
    """Write a tiny random BERT checkpoint in the Hugging Face layout; return its directory.

    The directory holds config.json, model.safetensors, vocab.txt, tokenizer_config.json and
    (with ``tokenizer_json``) a tokenizer.json made by ``tokenizers`` from the same vocabulary.
    """
    from safetensors.numpy import save_file

    path = pathlib.Path(path)
    path.mkdir(parents=True, exist_ok=True)
    config = dict(TINY_CONFIG if config is None else config)
    (path / "config.json").write_text(json.dumps(config, indent=2))
    (path / "vocab.txt").write_text("\n".join(TINY_VOCAB) + "\n")
    (path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True,
                                                            "model_max_length": config["max_position_embeddings"]}))
    save_file(tiny_tensors(config, seed, prefix) if tensors is None else tensors, str(path / "model.safetensors"))
    if tokenizer_json:
        from tokenizers.implementations import BertWordPieceTokenizer
        BertWordPieceTokenizer(str(path / "vocab.txt"), lowercase=True).save(str(path / "tokenizer.json"))
    return path

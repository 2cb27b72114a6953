"""Notebook 11 (A tiny GPT writes): a corpus, a tiny causal language model, its training and its writing.

Everything is numpy and :mod:`attn_lib.core`; read it top to bottom:

1. the corpus: two-sentence stories of the cat-and-mat world, with two rules worth learning
   ("the dog ... it barked": the sound depends on the animal; "the cats ... they": the pronoun
   depends on the number);
2. the model: token embeddings + learned positions, ``n_layers`` blocks of (layer norm, causal
   multi-head attention, layer norm, MLP), a final layer norm and an output layer over the
   vocabulary (the logits). The attention is the course's own: :func:`~attn_lib.core.split_heads`,
   :func:`~attn_lib.core.attention`, :func:`~attn_lib.core.merge_heads`, and backwards
   :func:`~attn_lib.core.attention_backward`;
3. the backward pass of the other parts (cross-entropy, output layer, layer norm, MLP, embeddings),
   one small function each, and Adam;
4. writing: temperature and top-k, sampling, generation with and without a KV cache, and the
   multiply-adds each way.

Shapes: ``B`` sequences of ``T`` tokens, ``d`` = ``d_model``, ``H`` heads of width ``d / H``,
``V`` tokens in the vocabulary. Rows are tokens (``Q = X @ W_q``), masks are True = may attend.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..core.attention import attention, causal_mask
from ..core.backward import attention_backward
from ..core.multi_head import merge_heads, split_heads
from ..core.softmax import softmax
from ..core.validate import (
    as_array,
    as_flag,
    as_positive_int,
    as_positive_number,
    as_seed,
    describe,
)

# ----- 1. the corpus ------------------------------------------------------------------------------

ANIMALS = {"cat": "purred", "dog": "barked", "bird": "sang"}
"""Each animal and the sound it makes: the second sentence of a story must use the right one."""

ADJECTIVES = ("big", "small", "black")
VERBS = ("sat", "slept", "lay")
PLACES = ("mat", "rug", "bed", "sofa")
PRONOUNS = {"": "it", "s": "they"}
"""The pronoun of a singular ("cat") and of a plural ("cats") animal."""

VOCABULARY = ("the", *ADJECTIVES, *(a + s for a in ANIMALS for s in ("", "s")), *VERBS, "on", *PLACES, ".",
              *PRONOUNS.values(), *ANIMALS.values())
"""The model's 24 tokens, in the order of their ids."""

TOKEN_ID = {token: i for i, token in enumerate(VOCABULARY)}

BLOCK_SIZE = 16
"""The longest context the model reads (it has one learned position per place)."""


def make_story(rng: np.random.Generator) -> list:
    """One story: "the [adjective] animal(s) verb on the place . it/they sound ." (10 or 11 tokens).

    The adjective is there half the time; every choice is uniform. Two tokens follow rules:
    the pronoun agrees with the animal's number, the sound belongs to the animal.
    """
    animal = tuple(ANIMALS)[rng.integers(len(ANIMALS))]
    plural = ("", "s")[rng.integers(2)]
    adjective = [ADJECTIVES[rng.integers(len(ADJECTIVES))]] if rng.random() < 0.5 else []
    verb, place = VERBS[rng.integers(len(VERBS))], PLACES[rng.integers(len(PLACES))]
    return ["the", *adjective, animal + plural, verb, "on", "the", place, ".", PRONOUNS[plural], ANIMALS[animal], "."]


def make_corpus(n_stories: int, seed: int = 0) -> list:
    """``n_stories`` random stories, one after another, as one list of tokens.

    Parameters
    ----------
    n_stories : int
        How many stories, >= 1.
    seed : int, default 0
        The same seed gives the same corpus.

    Returns
    -------
    list of str
        About 10.5 tokens per story.
    """
    rng = np.random.default_rng(as_seed(seed))
    return [token for _ in range(as_positive_int(n_stories, "n_stories")) for token in make_story(rng)]


def encode(tokens) -> np.ndarray:
    """Token strings -> ids, shape (n,). Raises ValueError naming a token outside :data:`VOCABULARY`."""
    if isinstance(tokens, str):
        tokens = tokens.split()
    unknown = [t for t in tokens if t not in TOKEN_ID]
    if unknown:
        raise ValueError(f"tokens must come from the vocabulary {list(VOCABULARY)}; got {unknown[0]!r}")
    return np.array([TOKEN_ID[t] for t in tokens], dtype=np.int64)


def decode(ids) -> list:
    """Ids -> token strings."""
    return [VOCABULARY[int(i)] for i in ids]


def story_length(tokens) -> int:
    """The length of the grammatical story at the start of ``tokens`` (10 or 11), or 0 if there is none."""
    t = list(tokens)
    i = 2 if len(t) > 1 and t[1] in ADJECTIVES else 1                                  # where the animal is
    if len(t) < i + 9:
        return 0
    noun = t[i]
    animal, plural = (noun[:-1], "s") if noun.endswith("s") else (noun, "")
    if animal not in ANIMALS or t[i + 1] not in VERBS or t[i + 4] not in PLACES:
        return 0
    story = ["the", *t[1:i], noun, t[i + 1], "on", "the", t[i + 4], ".", PRONOUNS[plural], ANIMALS[animal], "."]
    return i + 9 if t[:i + 9] == story else 0


def story_starts(stream) -> np.ndarray:
    """The positions where a story begins in a stream of token ids: 0 and every "the" right after "."."""
    stream = np.asarray(stream)
    new_story = (stream[1:] == TOKEN_ID["the"]) & (stream[:-1] == TOKEN_ID["."])        # (n - 1,)
    return np.concatenate([[0], np.flatnonzero(new_story) + 1])


def best_possible_loss(inputs, targets) -> float:
    """The loss of a model that knows the grammar exactly, on windows that begin with a story.

    Only four tokens of a story are chosen at random; the rest follow from the story so far:

    * after a story's first "the": an adjective (3, at 1/6 each) or an animal (6, at 1/12 each);
    * after an adjective: an animal (1/6); after an animal: a verb (1/3);
    * after "on the": a place (1/4).

    Parameters
    ----------
    inputs, targets : np.ndarray of int, shape (B, T)
        Windows from :func:`get_batch`, each starting at a story's first token.

    Returns
    -------
    float
        The average of ``-log p(target)`` under the grammar, in nats.
    """
    previous = np.pad(inputs[:, :-1], ((0, 0), (1, 0)), constant_values=TOKEN_ID["."])   # (B, T)
    story_the = (inputs == TOKEN_ID["the"]) & (previous == TOKEN_ID["."])
    adjective = np.isin(inputs, encode(ADJECTIVES))
    animal = np.isin(inputs, encode([a + s for a in ANIMALS for s in ("", "s")]))
    place_the = (inputs == TOKEN_ID["the"]) & (previous == TOKEN_ID["on"])
    p = np.ones(inputs.shape)                                                            # (B, T)
    p[story_the] = np.where(np.isin(targets[story_the], encode(ADJECTIVES)), 1 / 6, 1 / 12)
    p[adjective] = 1 / 6
    p[animal] = 1 / len(VERBS)
    p[place_the] = 1 / len(PLACES)
    return float(-np.log(p).mean())


# ----- 2. the model -------------------------------------------------------------------------------

CONFIG = {"vocab_size": len(VOCABULARY), "block_size": BLOCK_SIZE, "d_model": 32, "n_heads": 2, "d_ff": 64,
          "n_layers": 1}
"""The tiny GPT of notebook 11: one attention layer with 2 heads, 32 numbers per token."""


_COUNTERS = []
"""The :class:`MultiplyAdds` counters that are counting now."""


class MultiplyAdds:
    """Counts the multiply-adds of every matrix product the model makes while the ``with`` block runs.

    >>> with MultiplyAdds() as count:
    ...     logits = next_token_logits(params, ids)
    >>> count.total
    """

    def __enter__(self):
        self.total = 0
        _COUNTERS.append(self)
        return self

    def __exit__(self, *exc):
        _COUNTERS.remove(self)


def _count(n: int):
    for counter in _COUNTERS:
        counter.total += int(n)


def matmul(a, b):
    """``a @ b``, counted: each of the ``out.size`` outputs takes ``a.shape[-1]`` multiply-adds."""
    out = a @ b
    _count(out.size * a.shape[-1])
    return out


def counted_attention(Q, K, V, mask=None):
    """:func:`attn_lib.attention`, counted: ``Q K^T`` and ``weights V`` cost ``n_q n_k (d_k + d_v)`` per head."""
    out, weights = attention(Q, K, V, mask=mask)
    _count(weights.size * (Q.shape[-1] + V.shape[-1]))
    return out, weights


def init_params(config: dict = CONFIG, seed: int = 0) -> dict:
    """Random starting weights, by name.

    Embeddings and weight matrices start as small random numbers (standard deviation 0.1 for
    the embeddings, ``1 / sqrt(rows)`` for a matrix); layer-norm gains start at 1, biases at 0.

    Returns
    -------
    dict of np.ndarray
        ``tok_emb`` (V, d), ``pos_emb`` (block_size, d); for each layer ``l``:
        ``{l}.ln1_g``, ``{l}.ln1_b`` (d,), ``{l}.W_q``, ``{l}.W_k``, ``{l}.W_v``, ``{l}.W_o`` (d, d),
        ``{l}.ln2_g``, ``{l}.ln2_b`` (d,), ``{l}.W_1`` (d, d_ff), ``{l}.b_1`` (d_ff,), ``{l}.W_2``
        (d_ff, d), ``{l}.b_2`` (d,); then ``lnf_g``, ``lnf_b`` (d,), ``W_out`` (d, V), ``b_out`` (V,);
        and ``n_heads`` (int), the one size no weight's shape tells.
    """
    rng = np.random.default_rng(as_seed(seed))
    V, T, d, d_ff = config["vocab_size"], config["block_size"], config["d_model"], config["d_ff"]

    def matrix(rows, cols):
        return rng.standard_normal((rows, cols)) / np.sqrt(rows)

    params = {"tok_emb": 0.1 * rng.standard_normal((V, d)), "pos_emb": 0.1 * rng.standard_normal((T, d))}
    for layer in range(config["n_layers"]):
        params |= {f"{layer}.ln1_g": np.ones(d), f"{layer}.ln1_b": np.zeros(d),
                   f"{layer}.W_q": matrix(d, d), f"{layer}.W_k": matrix(d, d),
                   f"{layer}.W_v": matrix(d, d), f"{layer}.W_o": matrix(d, d),
                   f"{layer}.ln2_g": np.ones(d), f"{layer}.ln2_b": np.zeros(d),
                   f"{layer}.W_1": matrix(d, d_ff), f"{layer}.b_1": np.zeros(d_ff),
                   f"{layer}.W_2": matrix(d_ff, d), f"{layer}.b_2": np.zeros(d)}
    params |= {"lnf_g": np.ones(d), "lnf_b": np.zeros(d), "W_out": matrix(d, V), "b_out": np.zeros(V)}
    return params | {"n_heads": int(config["n_heads"])}


def weight_names(params: dict) -> list:
    """The names of the weights of ``params`` (every entry but ``n_heads``)."""
    return [name for name in params if name != "n_heads"]


def config_of(params: dict) -> dict:
    """The sizes of a model, read from the shapes of its weights and ``params["n_heads"]``."""
    V, d = params["tok_emb"].shape
    n_layers = sum(1 for name in params if name.endswith(".W_q"))
    return {"vocab_size": V, "block_size": params["pos_emb"].shape[0], "d_model": d,
            "n_heads": int(params["n_heads"]), "d_ff": params["0.W_1"].shape[1],
            "n_layers": n_layers}


def layer_norm(x, g, b, eps: float = 1e-5):
    """Layer normalisation: each row of ``x`` shifted to mean 0 and scaled to variance 1, then ``* g + b``.

    Returns ``(y, cache)``; ``y`` has the shape of ``x`` (..., d).
    """
    mean = x.mean(axis=-1, keepdims=True)                        # (..., 1)
    inv_std = 1 / np.sqrt(x.var(axis=-1, keepdims=True) + eps)   # (..., 1)
    x_hat = (x - mean) * inv_std                                  # (..., d): mean 0, variance 1
    return x_hat * g + b, (x_hat, inv_std, g)


def attention_layer(x, params, layer, n_heads, mask):
    """Multi-head self-attention of ``layer``: returns ``(output, cache)``, output (..., T, d).

    ``cache`` keeps what the backward pass needs and the attention weights (..., H, T, T).
    """
    p = f"{layer}."
    Q, K, V = (matmul(x, params[p + name]) for name in ("W_q", "W_k", "W_v"))      # (..., T, d) each
    Qh, Kh, Vh = (split_heads(a, n_heads) for a in (Q, K, V))                     # (..., H, T, d_head) each
    heads, weights = counted_attention(Qh, Kh, Vh, mask=mask)                     # (..., H, T, d_head), (..., H, T, T)
    merged = merge_heads(heads)                                                   # (..., T, d)
    return matmul(merged, params[p + "W_o"]), {"x": x, "Qh": Qh, "Kh": Kh, "Vh": Vh, "merged": merged,
                                               "weights": weights, "mask": mask}


def mlp(x, params, layer):
    """The MLP of ``layer``: ``relu(x @ W_1 + b_1) @ W_2 + b_2``; returns ``(output, cache)``, output (..., d)."""
    p = f"{layer}."
    pre = matmul(x, params[p + "W_1"]) + params[p + "b_1"]                          # (..., d_ff)
    hidden = np.maximum(pre, 0.0)                                                   # ReLU: negatives -> 0
    return matmul(hidden, params[p + "W_2"]) + params[p + "b_2"], {"x": x, "pre": pre, "hidden": hidden}


def _check_ids(ids, params) -> np.ndarray:
    V, T = params["tok_emb"].shape[0], params["pos_emb"].shape[0]
    if not isinstance(ids, np.ndarray) or not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must be a numpy array of whole numbers (token ids) of shape (B, T) or (T,); "
                        f"got {describe(ids)}")
    if ids.ndim not in (1, 2) or ids.shape[-1] == 0:
        raise ValueError(f"ids must have shape (B, T) or (T,) with T >= 1; got shape {ids.shape}")
    if ids.shape[-1] > T:
        raise ValueError(f"ids may hold at most block_size = {T} tokens per sequence; got shape {ids.shape}")
    if ids.min() < 0 or ids.max() >= V:
        raise ValueError(f"ids must be token ids in 0..{V - 1}; got values from {ids.min()} to {ids.max()}")
    return ids


def forward(params, ids, causal: bool = True):
    """The whole model on token ids: the logits of the next token at every position.

    Parameters
    ----------
    params : dict
        From :func:`init_params` (or training).
    ids : np.ndarray of int, shape (B, T) or (T,)
        ``T <= block_size``.
    causal : bool, default True
        Use the causal mask (the honest way); False lets every position see every other,
        the experiment of notebook 11, section 4.

    Returns
    -------
    logits : np.ndarray, shape (B, T, V) (or (T, V))
        ``logits[b, t]`` scores every token as the one after position ``t``.
    cache : dict
        What :func:`backward` needs; ``cache["weights"][l]`` is layer ``l``'s attention (B, H, T, T).
    """
    ids = _check_ids(ids, params)
    causal = as_flag(causal, "causal")
    config = config_of(params)
    T = ids.shape[-1]
    mask = causal_mask(T) if causal else None                                        # (T, T) or None
    x = params["tok_emb"][ids] + params["pos_emb"][:T]                                # (..., T, d)
    cache = {"ids": ids, "layers": [], "weights": []}
    for layer in range(config["n_layers"]):
        h1, ln1 = layer_norm(x, params[f"{layer}.ln1_g"], params[f"{layer}.ln1_b"])
        a, att = attention_layer(h1, params, layer, config["n_heads"], mask)
        x = x + a                                                                     # residual connection
        h2, ln2 = layer_norm(x, params[f"{layer}.ln2_g"], params[f"{layer}.ln2_b"])
        m, mlp_cache = mlp(h2, params, layer)
        x = x + m                                                                     # residual connection
        cache["layers"].append({"ln1": ln1, "att": att, "ln2": ln2, "mlp": mlp_cache})
        cache["weights"].append(att["weights"])
    y, cache["lnf"] = layer_norm(x, params["lnf_g"], params["lnf_b"])                 # (..., T, d)
    cache["y"] = y
    return matmul(y, params["W_out"]) + params["b_out"], cache                        # (..., T, V)


def cross_entropy(logits, targets):
    """The average loss ``-log p(right next token)`` and its gradient with respect to the logits.

    Parameters
    ----------
    logits : np.ndarray, shape (..., V)
    targets : np.ndarray of int, shape (...)

    Returns
    -------
    loss : float
        In nats; ``log(V)`` for a model that spreads its bets evenly.
    dlogits : np.ndarray, shape (..., V)
        ``(softmax(logits) - one_hot(targets)) / N`` for ``N`` predictions.
    """
    shifted = logits - logits.max(axis=-1, keepdims=True)                           # (..., V), max 0
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))       # (..., V)
    picked = np.take_along_axis(log_probs, targets[..., None], axis=-1)[..., 0]     # (...)
    one_hot = np.eye(logits.shape[-1])[targets]                                       # (..., V)
    return float(-picked.mean()), (np.exp(log_probs) - one_hot) / targets.size


# ----- 3. backwards -------------------------------------------------------------------------------

def _sum_rows(a):
    """Add up every leading dimension: (..., n) -> (n,) (the gradient of a bias added to every row)."""
    return a.reshape(-1, a.shape[-1]).sum(axis=0)


def _weight_grad(x, grad_out):
    """dL/dW of ``out = x @ W``: x^T grad_out, added up over every sequence, shape (d_in, d_out).

    One small product per sequence, then a sum: on a busy 2-core machine one big product
    (all rows at once) starts BLAS threads that wait for each other and run 20 times slower.
    """
    per_sequence = np.swapaxes(x, -1, -2) @ grad_out                                # (..., d_in, d_out)
    return per_sequence.reshape(-1, *per_sequence.shape[-2:]).sum(axis=0)              # (d_in, d_out)


def layer_norm_backward(dy, cache):
    """Backwards through :func:`layer_norm`: returns ``(dx, dg, db)``.

    With ``x_hat = (x - mean) / std`` and ``y = g x_hat + b``, the gradient has three parts:
    the direct path, minus its mean (the mean was subtracted) and minus its projection on
    ``x_hat`` (the spread was divided out)::

        dx_hat = dy * g
        dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / std
    """
    x_hat, inv_std, g = cache
    dx_hat = dy * g                                                                   # (..., d)
    dx = (dx_hat - dx_hat.mean(axis=-1, keepdims=True)
          - x_hat * (dx_hat * x_hat).mean(axis=-1, keepdims=True)) * inv_std          # (..., d)
    return dx, _sum_rows(dy * x_hat), _sum_rows(dy)


def mlp_backward(dout, cache, params, layer):
    """Backwards through :func:`mlp`: returns ``(dx, grads)``; ReLU passes the gradient where its input was > 0."""
    p = f"{layer}."
    grads = {p + "W_2": _weight_grad(cache["hidden"], dout), p + "b_2": _sum_rows(dout)}
    dpre = (dout @ params[p + "W_2"].T) * (cache["pre"] > 0)                         # (..., d_ff)
    grads |= {p + "W_1": _weight_grad(cache["x"], dpre), p + "b_1": _sum_rows(dpre)}
    return dpre @ params[p + "W_1"].T, grads                                           # (..., d)


def attention_layer_backward(dout, cache, params, layer, n_heads):
    """Backwards through :func:`attention_layer` with :func:`attn_lib.attention_backward`: ``(dx, grads)``."""
    p = f"{layer}."
    grads = {p + "W_o": _weight_grad(cache["merged"], dout)}
    dheads = split_heads(dout @ params[p + "W_o"].T, n_heads)                         # (..., H, T, d_head)
    dQh, dKh, dVh = attention_backward(cache["Qh"], cache["Kh"], cache["Vh"], dheads, mask=cache["mask"])
    dx = 0.0
    for name, dh in (("W_q", dQh), ("W_k", dKh), ("W_v", dVh)):
        d_proj = merge_heads(dh)                                                       # (..., T, d)
        grads[p + name] = _weight_grad(cache["x"], d_proj)
        dx = dx + d_proj @ params[p + name].T                                          # (..., T, d)
    return dx, grads


def embedding_backward(dx, ids, params):
    """Backwards through ``tok_emb[ids] + pos_emb[:T]``: each row of ``dx`` goes to its token's row and
    its position's row (``np.add.at`` adds, so a token used twice gets both contributions)."""
    d_tok = np.zeros_like(params["tok_emb"])
    np.add.at(d_tok, ids.reshape(-1), dx.reshape(-1, dx.shape[-1]))
    d_pos = np.zeros_like(params["pos_emb"])
    T = ids.shape[-1]
    d_pos[:T] = dx.reshape(-1, T, dx.shape[-1]).sum(axis=0)                            # (T, d)
    return {"tok_emb": d_tok, "pos_emb": d_pos}


def backward(params, cache, dlogits) -> dict:
    """The gradient of the loss with respect to every weight, from ``dL/dlogits`` (see :func:`cross_entropy`).

    The forward pass run backwards, one part at a time. A residual connection ``x + f(x)`` passes
    its gradient both straight through and through ``f``, so the two are added.

    Returns
    -------
    dict of np.ndarray
        One gradient per weight of ``params``, with the same name and shape.
    """
    config = config_of(params)
    grads = {"W_out": _weight_grad(cache["y"], dlogits), "b_out": _sum_rows(dlogits)}
    dy = dlogits @ params["W_out"].T                                                  # (..., T, d)
    dx, grads["lnf_g"], grads["lnf_b"] = layer_norm_backward(dy, cache["lnf"])
    for layer in reversed(range(config["n_layers"])):
        c, p = cache["layers"][layer], f"{layer}."
        dh2, mlp_grads = mlp_backward(dx, c["mlp"], params, layer)
        dx_ln2, grads[p + "ln2_g"], grads[p + "ln2_b"] = layer_norm_backward(dh2, c["ln2"])
        dx = dx + dx_ln2                                                              # residual: both paths
        dh1, att_grads = attention_layer_backward(dx, c["att"], params, layer, config["n_heads"])
        dx_ln1, grads[p + "ln1_g"], grads[p + "ln1_b"] = layer_norm_backward(dh1, c["ln1"])
        dx = dx + dx_ln1                                                              # residual: both paths
        grads |= mlp_grads | att_grads
    return grads | embedding_backward(dx, cache["ids"], params)


def loss_and_grads(params, ids, targets, causal: bool = True):
    """Forward, loss and backward in one call: ``(loss, grads)``."""
    logits, cache = forward(params, ids, causal=causal)
    loss, dlogits = cross_entropy(logits, targets)
    return loss, backward(params, cache, dlogits)


# ----- training -----------------------------------------------------------------------------------

def get_batch(stream, starts, batch_size: int, block_size: int, rng):
    """``batch_size`` windows of ``block_size`` tokens, each beginning with a random story, and their targets.

    Parameters
    ----------
    stream : np.ndarray of int, shape (n,)
        The corpus as token ids.
    starts : np.ndarray of int
        Where stories begin (see :func:`story_starts`).

    Returns
    -------
    inputs, targets : np.ndarray of int, shape (batch_size, block_size)
        ``targets[b, t]`` is the token after ``inputs[b, t]`` in the stream: the next token at every position.
    """
    usable = starts[starts + block_size < len(stream)]
    chosen = usable[rng.integers(0, len(usable), size=batch_size)]                      # (B,)
    windows = stream[chosen[:, None] + np.arange(block_size + 1)]                       # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]


def adam_state(params) -> dict:
    """Adam's running averages (all 0) and its step count."""
    return {"step": 0, "m": {k: np.zeros_like(params[k]) for k in weight_names(params)},
            "v": {k: np.zeros_like(params[k]) for k in weight_names(params)}}


def adam_step(params, grads, state, lr: float, beta1: float = 0.9, beta2: float = 0.99, eps: float = 1e-8):
    """One Adam update of every weight, in place: a step along a running average of the gradient,
    divided by a running average of its size (so every weight moves at about the same pace)."""
    state["step"] += 1
    t = state["step"]
    for name, g in grads.items():
        m = state["m"][name] = beta1 * state["m"][name] + (1 - beta1) * g
        v = state["v"][name] = beta2 * state["v"][name] + (1 - beta2) * g * g
        params[name] -= lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps)


TRAINING = {"n_stories": 3000, "steps": 300, "batch_size": 32, "lr": 3e-3, "seed": 0}
"""The training run of notebook 11."""


def train(causal: bool = True, steps: int = TRAINING["steps"], seed: int = TRAINING["seed"],
          config: dict = CONFIG, batch_size: int = TRAINING["batch_size"], lr: float = TRAINING["lr"],
          n_stories: int = TRAINING["n_stories"]):
    """Train the tiny GPT from scratch on :func:`make_corpus`; deterministic for a given seed.

    The loop of notebook 11, section 3: a batch of windows, forward, loss, backward, Adam.

    Returns
    -------
    params : dict
        The trained weights (see :func:`init_params`).
    losses : np.ndarray, shape (steps,)
        The training loss of every step's batch.
    """
    causal = as_flag(causal, "causal")
    steps, seed = as_positive_int(steps, "steps"), as_seed(seed)
    stream = encode(make_corpus(n_stories, seed=seed))
    starts = story_starts(stream)
    params = init_params(config, seed=seed)
    rng = np.random.default_rng([seed, 1])
    state = adam_state(params)
    losses = np.zeros(steps)
    for step in range(steps):
        inputs, targets = get_batch(stream, starts, batch_size, config["block_size"], rng)
        losses[step], grads = loss_and_grads(params, inputs, targets, causal=causal)
        adam_step(params, grads, state, lr)
    return params, losses


def held_out_windows(n_stories: int = 300, seed: int = 12345, block_size: int = BLOCK_SIZE):
    """Windows of fresh stories (a corpus the model never saw), one beginning at each story: ``(inputs, targets)``."""
    stream = encode(make_corpus(n_stories, seed=seed))
    starts = story_starts(stream)
    starts = starts[starts + block_size < len(stream)]
    windows = stream[starts[:, None] + np.arange(block_size + 1)]                      # (n, T + 1)
    return windows[:, :-1], windows[:, 1:]


def evaluate(params, causal: bool = True, n_stories: int = 300, seed: int = 12345) -> float:
    """The loss on :func:`held_out_windows`, with or without the causal mask."""
    inputs, targets = held_out_windows(n_stories, seed, config_of(params)["block_size"])
    return cross_entropy(forward(params, inputs, causal=causal)[0], targets)[0]


def rule_accuracy(params, n_stories: int = 300, seed: int = 777) -> dict:
    """How often the model's most likely next token follows the two rules, on fresh stories.

    Returns
    -------
    dict
        ``pronoun``: after the first ".", the share of stories where it picks "it"/"they" right;
        ``sound``: after the pronoun, the share where it picks the animal's sound.
    """
    rng = np.random.default_rng(as_seed(seed))
    stories = [make_story(rng) for _ in range(n_stories)]
    right = {"pronoun": 0, "sound": 0}
    for n in (10, 11):                                                                  # one batch per length
        batch = np.array([encode(s) for s in stories if len(s) == n])                  # (b, n)
        if len(batch) == 0:
            continue
        guess = forward(params, batch[:, :-1])[0].argmax(axis=-1)                      # (b, n - 1)
        right["pronoun"] += int((guess[:, n - 4] == batch[:, n - 3]).sum())            # after "."
        right["sound"] += int((guess[:, n - 3] == batch[:, n - 2]).sum())              # after it/they
    return {rule: count / n_stories for rule, count in right.items()}


# ----- 4. writing ---------------------------------------------------------------------------------

def _check_top_k(top_k, n):
    if top_k is None:
        return n
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral):
        raise TypeError(f"top_k must be a whole number from 1 to {n}, or None; got {describe(top_k)}")
    if not 1 <= top_k <= n:
        raise ValueError(f"top_k must be from 1 to {n} (the number of logits); got {top_k}")
    return int(top_k)


def apply_temperature_and_top_k(logits, temperature: float = 1.0, top_k=None) -> np.ndarray:
    """The probabilities a sampler draws the next token from.

    1. **Top-k**: keep the ``top_k`` largest logits (and any tied with the k-th), set the rest to
       ``-inf`` so they get probability exactly 0.
    2. **Temperature**: divide the kept logits by ``temperature``; below 1 sharpens, above 1 flattens.
    3. **Softmax**: turn them into probabilities that add up to 1.

    Taught in notebook 11, section 6. This temperature acts on the *logits* of the next token;
    attention is untouched (compare the attention temperature of notebook 03, section 5).

    Parameters
    ----------
    logits : np.ndarray, shape (V,) or (..., V)
        Several rows: each row is one distribution.
    temperature : float, default 1.0
        > 0.
    top_k : int or None, default None
        1..V; None keeps every token.

    Returns
    -------
    np.ndarray, the shape of ``logits``
        Non-negative, each row adds up to 1; 0 outside the top k.
    """
    logits = as_array(logits, "logits", "(V,) or (..., V)")
    temperature = as_positive_number(temperature, "temperature")
    top_k = _check_top_k(top_k, logits.shape[-1])
    kth_largest = np.sort(logits, axis=-1)[..., -top_k, None]                          # (..., 1)
    kept = np.where(logits >= kth_largest, logits, -np.inf)                            # (..., V)
    return softmax(kept / temperature)


def sample_next(logits, temperature: float = 1.0, top_k=None, rng=None) -> int:
    """Draw the next token's id from :func:`apply_temperature_and_top_k` (inverse CDF: one uniform number).

    ``rng`` is a ``np.random.Generator``; the same generator state gives the same token.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy random Generator (np.random.default_rng(seed)); got {describe(rng)}")
    logits = as_array(logits, "logits", "(V,)", max_ndim=1)
    return _draw(apply_temperature_and_top_k(logits, temperature, top_k), rng)


def _draw(probabilities, rng) -> int:
    """The token whose slice of [0, 1) holds one uniform random number (slices as wide as the probabilities)."""
    cumulative = np.cumsum(probabilities)                                               # (V,), ends at 1
    return int(min(np.searchsorted(cumulative, rng.random(), side="right"), len(probabilities) - 1))


def next_token_logits(params, ids, causal: bool = True) -> np.ndarray:
    """The logits of the token after the last one of ``ids`` (T,): shape (V,)."""
    return forward(params, ids, causal=causal)[0][-1]


def _choose(logits, temperature, top_k, rng):
    """Greedy (the largest logit) when ``temperature`` is None, else a sample."""
    if temperature is None:
        return int(np.argmax(logits))
    return sample_next(logits, temperature, top_k, rng)


def _check_prompt(params, prompt, n_new):
    ids = encode(prompt) if not isinstance(prompt, np.ndarray) else prompt
    if len(ids) == 0:
        raise ValueError("prompt must hold at least one token")
    n_new = as_positive_int(n_new, "n_new")
    T = params["pos_emb"].shape[0]
    if len(ids) + n_new > T + 1:
        raise ValueError(f"the prompt ({len(ids)} tokens) plus n_new ({n_new}) may be at most block_size + 1 = "
                         f"{T + 1} tokens: the model has {T} positions")
    return _check_ids(np.asarray(ids), params), n_new


def generate(params, prompt, n_new: int, temperature=None, top_k=None, seed: int = 0, causal: bool = True,
             stop_at_story_end: bool = False):
    """Write ``n_new`` tokens after ``prompt``, one at a time, running the whole text through the model
    at every step (no cache).

    Parameters
    ----------
    prompt : str, list of str or np.ndarray of int
    n_new : int
        Prompt + new tokens may be at most ``block_size + 1`` (the last token is never read).
    temperature : float or None, default None
        None: greedy, always the most likely token; a number: sample with that temperature.
    top_k : int or None
    seed : int
        Seeds the sampling; the same seed gives the same text.
    stop_at_story_end : bool
        Stop after the second "." written (the end of a story).

    Returns
    -------
    ids : np.ndarray of int, shape (len(prompt) + n_written,)
    steps : list of dict
        One per new token: ``logits`` (V,) and ``weights``, each layer's attention rows of the
        last position, (n_layers, H, t) for a context of ``t`` tokens.
    """
    ids, n_new = _check_prompt(params, prompt, n_new)
    rng = np.random.default_rng(as_seed(seed))
    steps, periods = [], 0
    for _ in range(n_new):
        logits, cache = forward(params, ids, causal=causal)                             # (t, V)
        new = _choose(logits[-1], temperature, top_k, rng)
        steps.append({"logits": logits[-1], "weights": np.stack([w[:, -1] for w in cache["weights"]])})
        ids = np.append(ids, new)
        periods += VOCABULARY[new] == "."
        if stop_at_story_end and periods == 2:
            break
    return ids, steps


def empty_kv_cache(params, batch_shape: tuple = ()) -> list:
    """One ``{"K": ..., "V": ...}`` per layer, each (*batch_shape, H, 0, d_head): no token seen yet."""
    config = config_of(params)
    shape = (*batch_shape, config["n_heads"], 0, config["d_model"] // config["n_heads"])
    return [{"K": np.zeros(shape), "V": np.zeros(shape)} for _ in range(config["n_layers"])]


def step_with_cache(params, token_id, kv_cache: list):
    """Run ONE new token through the model, reusing the keys and values of the tokens before it.

    The new token's query meets every cached key; its own key and value are appended to
    ``kv_cache`` (in place). Nothing about the earlier tokens is recomputed: under the causal
    mask their results cannot depend on the new token.

    Parameters
    ----------
    token_id : int, or np.ndarray of int of shape (S,)
        The new token; an array steps ``S`` texts at once (a cache from ``empty_kv_cache(params, (S,))``).
    kv_cache : list of dict
        From :func:`empty_kv_cache`, updated in place.

    Returns
    -------
    logits : np.ndarray, shape (V,) (or (S, V))
    weights : np.ndarray, shape (n_layers, H, t) (or (n_layers, S, H, t))
        The new token's attention over the ``t`` tokens so far (itself included).
    """
    config = config_of(params)
    t = kv_cache[0]["K"].shape[-2]                                                      # tokens already seen
    x = params["tok_emb"][token_id] + params["pos_emb"][t]                              # (..., d)
    x = x[..., None, :]                                                                 # (..., 1, d): one row
    rows = []
    for layer, kv in enumerate(kv_cache):
        p = f"{layer}."
        h, _ = layer_norm(x, params[p + "ln1_g"], params[p + "ln1_b"])
        q, k, v = (split_heads(matmul(h, params[p + name]), config["n_heads"])
                   for name in ("W_q", "W_k", "W_v"))                                   # (..., H, 1, d_head) each
        kv["K"] = np.concatenate([kv["K"], k], axis=-2)                                 # (..., H, t + 1, d_head)
        kv["V"] = np.concatenate([kv["V"], v], axis=-2)                                 # (..., H, t + 1, d_head)
        heads, weights = counted_attention(q, kv["K"], kv["V"])                         # no mask: all are past
        x = x + matmul(merge_heads(heads), params[p + "W_o"])                           # (..., 1, d)
        h, _ = layer_norm(x, params[p + "ln2_g"], params[p + "ln2_b"])
        x = x + mlp(h, params, layer)[0]
        rows.append(weights[..., 0, :])                                                 # (..., H, t + 1)
    y, _ = layer_norm(x, params["lnf_g"], params["lnf_b"])
    return (matmul(y, params["W_out"]) + params["b_out"])[..., 0, :], np.stack(rows)   # (..., V)


def generate_with_cache(params, prompt, n_new: int, temperature=None, top_k=None, seed: int = 0,
                        stop_at_story_end: bool = False):
    """:func:`generate` with a KV cache: every token goes through the model once.

    The prompt is fed one token at a time too, so the cache holds every token. Same arguments,
    same random draws and (up to rounding) the same text as :func:`generate`.
    """
    ids, n_new = _check_prompt(params, prompt, n_new)
    rng = np.random.default_rng(as_seed(seed))
    kv_cache = empty_kv_cache(params)
    for token in ids[:-1]:
        step_with_cache(params, int(token), kv_cache)
    steps, periods, last = [], 0, int(ids[-1])
    for _ in range(n_new):
        logits, weights = step_with_cache(params, last, kv_cache)
        last = _choose(logits, temperature, top_k, rng)
        steps.append({"logits": logits, "weights": weights})
        ids = np.append(ids, last)
        periods += VOCABULARY[last] == "."
        if stop_at_story_end and periods == 2:
            break
    return ids, steps


def write_samples(params, prompt, n_samples: int, temperature: float = 1.0, top_k=None, seed: int = 0) -> list:
    """``n_samples`` stories written after ``prompt``, all at once (one batch through the KV cache).

    Sample ``i`` draws its tokens with ``np.random.default_rng(seed + i)``, so it is exactly
    ``generate_with_cache(params, prompt, n_new, temperature, top_k, seed + i, stop_at_story_end=True)``
    with the largest ``n_new`` the model's positions allow; stepping all samples together is
    only faster.

    Returns
    -------
    list of np.ndarray of int
        Each sample's ids, prompt included, cut after the story's end (the second ".").
    """
    ids, _ = _check_prompt(params, prompt, 1)
    n_samples = as_positive_int(n_samples, "n_samples")
    rngs = [np.random.default_rng(as_seed(seed) + i) for i in range(n_samples)]
    kv_cache = empty_kv_cache(params, (n_samples,))
    for token in ids[:-1]:
        step_with_cache(params, np.full(n_samples, token), kv_cache)
    texts = np.repeat(ids[None, :], n_samples, axis=0)                                  # (S, len(prompt))
    while texts.shape[1] <= config_of(params)["block_size"]:
        logits, _ = step_with_cache(params, texts[:, -1], kv_cache)                     # (S, V)
        probabilities = apply_temperature_and_top_k(logits, temperature, top_k)         # (S, V)
        texts = np.column_stack([texts, [_draw(p, rng) for p, rng in zip(probabilities, rngs)]])
    return [_cut_after_story(text, len(ids)) for text in texts]


def _cut_after_story(ids, n_prompt):
    """``ids`` up to the second "." written after the prompt (all of it if there is none)."""
    periods = np.flatnonzero(ids[n_prompt:] == TOKEN_ID["."])
    return ids if len(periods) < 2 else ids[:n_prompt + periods[1] + 1]


def multiply_adds(config: dict, n_prompt: int, n_new: int, cache: bool) -> int:
    """The multiply-adds of writing ``n_new`` tokens after a prompt of ``n_prompt``, by formula.

    Per layer, a token whose context holds ``t`` tokens (itself included) costs ``4 d^2`` (its
    query, key, value and output projections) + ``2 t d`` (its scores against ``t`` keys and its
    weighted sum of ``t`` values, all heads together) + ``2 d d_ff`` (the MLP); the output layer
    adds ``d V`` per position whose logits are computed.

    * **with the cache** each token goes through once, at ``t = 1, 2, ..., n_prompt + n_new - 1``
      (the last new token is never read), with logits at each;
    * **without** step ``s`` runs all ``t = n_prompt + s - 1`` tokens again: ``t`` times the
      per-token cost, except attention, where all ``t`` queries meet all ``t`` keys (``2 t^2 d``,
      hidden pairs included: the mask hides them after they are computed), and logits for all ``t``.
    """
    d, d_ff, V, L = config["d_model"], config["d_ff"], config["vocab_size"], config["n_layers"]
    total = 0
    if cache:
        for t in range(1, n_prompt + n_new):
            total += L * (4 * d * d + 2 * t * d + 2 * d * d_ff) + d * V
    else:
        for t in range(n_prompt, n_prompt + n_new):
            total += L * (4 * t * d * d + 2 * t * t * d + 2 * t * d * d_ff) + t * d * V
    return total

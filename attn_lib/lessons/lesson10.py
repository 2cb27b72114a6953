"""Notebook 10 (Watch attention learn): a tiny grammar, a one-layer attention model, and its training.

Everything is numpy and :mod:`attn_lib.core`; read it top to bottom:

1. the task: sentences such as "The small dog slept under the red box and it barked". Every word
   but the last follows from the word just before it, or is a free choice of the grammar; the last
   word is the sound of the animal, so to guess it the model must look back from "it" to the animal;
2. the model: word embeddings, one causal attention layer with a residual connection, and an
   output layer that gives one score (a logit) per word of the vocabulary;
3. the loss (cross-entropy) and its gradients, computed backwards with
   :func:`~attn_lib.core.attention_backward` for the attention layer;
4. training with plain gradient descent, saving the attention weights of one example sentence
   as it goes (the replay of notebook 10, section 6);
5. the pattern we want, to compare with the pattern the model learns.

Shapes: ``B`` sentences of ``n`` tokens, ``d`` numbers per token, ``V`` words in the vocabulary.
Rows are tokens (``Q = X @ W_q``); masks are True = may attend.
"""

from __future__ import annotations

import numpy as np

from ..core.attention import attention, causal_mask
from ..core.backward import attention_backward
from ..core.softmax import softmax
from ..core.validate import (
    as_flag,
    as_positive_int,
    as_positive_number,
    as_seed,
    describe,
)

# ----- 1. the task ----------------------------------------------------------------------------------

ANIMALS = {"cat": "purred", "dog": "barked", "bird": "sang", "cow": "mooed", "duck": "quacked",
           "lion": "roared"}
"""Each animal and its sound: the last word of a sentence is the sound of its animal."""

ANIMAL_ADJECTIVES = ("big", "small", "old")
VERBS = ("sat", "slept", "lay", "waited")
PREPOSITIONS = ("on", "under", "near")
THING_ADJECTIVES = ("red", "soft", "warm")
THINGS = ("mat", "rug", "box", "bed")

VOCABULARY = ("The", *ANIMAL_ADJECTIVES, *ANIMALS, *VERBS, *PREPOSITIONS, "the", *THING_ADJECTIVES, *THINGS,
              "and", "it", *ANIMALS.values())
"""The 33 words of the task, in the order of their ids ("The" and "the" are two different words)."""

WORD_ID = {word: i for i, word in enumerate(VOCABULARY)}

ANIMALS_LIST = tuple(ANIMALS)

EXAMPLE = ("The", "small", "dog", "slept", "under", "the", "red", "box", "and", "it", "barked")
"""The sentence whose attention the replay shows; the model reads its first 10 words."""


def make_sentence(rng: np.random.Generator) -> list:
    """One sentence: "The [adjective] animal verb preposition the [adjective] thing and it sound".

    Each adjective is there half the time; every other choice is uniform. 9 to 11 words.
    """
    animal = ANIMALS_LIST[rng.integers(len(ANIMALS_LIST))]
    words = ["The"]
    if rng.random() < 0.5:
        words.append(ANIMAL_ADJECTIVES[rng.integers(len(ANIMAL_ADJECTIVES))])
    words += [animal, VERBS[rng.integers(len(VERBS))], PREPOSITIONS[rng.integers(len(PREPOSITIONS))], "the"]
    if rng.random() < 0.5:
        words.append(THING_ADJECTIVES[rng.integers(len(THING_ADJECTIVES))])
    return words + [THINGS[rng.integers(len(THINGS))], "and", "it", ANIMALS[animal]]


def make_sentences(n_sentences: int, seed: int = 0) -> list:
    """``n_sentences`` random sentences of the grammar (lists of words); the same seed gives the same ones."""
    rng = np.random.default_rng(as_seed(seed))
    return [make_sentence(rng) for _ in range(as_positive_int(n_sentences, "n_sentences"))]


def encode(sentences):
    """Sentences (lists of words) -> one array of word ids, padded at the end, and their lengths.

    Parameters
    ----------
    sentences : list of list of str
        Words of :data:`VOCABULARY`.

    Returns
    -------
    ids : np.ndarray of int, shape (B, n_max)
        Row ``b`` holds sentence ``b``, then 0s. Padding sits after each sentence, where the causal
        mask hides it from every real word, and its loss is never counted (see :func:`inputs_and_targets`).
    lengths : np.ndarray of int, shape (B,)
    """
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences:
        raise TypeError(f"sentences must be a non-empty list of sentences (lists of words); got {describe(sentences)}")
    for sentence in sentences:
        if isinstance(sentence, str) or not isinstance(sentence, (list, tuple)) or len(sentence) < 2:
            raise TypeError(f"each sentence must be a list of at least 2 words; got {describe(sentence)}")
        unknown = [w for w in sentence if w not in WORD_ID]
        if unknown:
            raise ValueError(f"sentences must use words of the vocabulary {list(VOCABULARY)}; got {unknown[0]!r}")
    lengths = np.array([len(s) for s in sentences])
    ids = np.zeros((len(sentences), lengths.max()), dtype=np.int64)            # (B, n_max)
    for b, sentence in enumerate(sentences):
        ids[b, :len(sentence)] = [WORD_ID[w] for w in sentence]
    return ids, lengths


def inputs_and_targets(ids, lengths):
    """What the model reads, what it must guess, and which guesses count.

    Returns
    -------
    inputs : np.ndarray of int, shape (B, n)
        ``ids`` without the last column (``n = n_max - 1``).
    targets : np.ndarray of int, shape (B, n)
        The next word of every position: ``ids`` shifted left by one.
    counted : np.ndarray of bool, shape (B, n)
        True where the target is a real word of the sentence, not padding.
    """
    inputs, targets = ids[:, :-1], ids[:, 1:]                                  # (B, n) each
    counted = np.arange(inputs.shape[1]) < (np.asarray(lengths)[:, None] - 1)  # (B, n)
    return inputs, targets, counted


def next_word_probabilities() -> np.ndarray:
    """The grammar's own probability of each next word, given the word before it, shape (V, V).

    Row ``i`` is the distribution of the word after word ``i``. After "it" the sound depends
    on the animal, not on "it": that row spreads evenly over the six sounds, the best anyone can do
    *without looking back*.
    """
    table = np.zeros((len(VOCABULARY), len(VOCABULARY)))

    def spread(after, words, total=1.0):
        for w in words:
            table[WORD_ID[after], WORD_ID[w]] += total / len(words)

    spread("The", ANIMAL_ADJECTIVES, 0.5)
    spread("The", ANIMALS, 0.5)
    for adjective in ANIMAL_ADJECTIVES:
        spread(adjective, ANIMALS)
    for animal in ANIMALS:
        spread(animal, VERBS)
    for verb in VERBS:
        spread(verb, PREPOSITIONS)
    for preposition in PREPOSITIONS:
        spread(preposition, ["the"])
    spread("the", THING_ADJECTIVES, 0.5)
    spread("the", THINGS, 0.5)
    for adjective in THING_ADJECTIVES:
        spread(adjective, THINGS)
    for thing in THINGS:
        spread(thing, ["and"])
    spread("and", ["it"])
    spread("it", ANIMALS.values())
    return table


def lowest_possible_loss() -> float:
    """The smallest average loss any model can reach on this grammar, in nats.

    Most next words are free choices of the grammar, so even a perfect model must spread its
    bets there; after "it" a perfect model is sure. The answer is the expected sum of the
    choices' entropies over a sentence, divided by the expected number of guesses per sentence.
    """
    table = next_word_probabilities()
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.where(table > 0, table * np.log(table), 0.0).sum(axis=1)        # (V,)
    entropy[WORD_ID["it"]] = 0.0                      # looking back at the animal removes the doubt
    # How often each word is followed by a guess, per sentence: every word but the last.
    visits = {"The": 1, **{a: 0.5 / len(ANIMAL_ADJECTIVES) for a in ANIMAL_ADJECTIVES},
              **{a: 1 / len(ANIMALS) for a in ANIMALS}, **{v: 1 / len(VERBS) for v in VERBS},
              **{p: 1 / len(PREPOSITIONS) for p in PREPOSITIONS}, "the": 1,
              **{a: 0.5 / len(THING_ADJECTIVES) for a in THING_ADJECTIVES},
              **{t: 1 / len(THINGS) for t in THINGS}, "and": 1, "it": 1}
    total = sum(count * entropy[WORD_ID[word]] for word, count in visits.items())
    return float(total / sum(visits.values()))


# ----- 2. the model -----------------------------------------------------------------------------

D_MODEL = 16
"""Numbers per word (the width of embeddings, queries, keys and values)."""

QK_INIT = 0.1
"""W_q and W_k start this much smaller than the other matrices, so attention starts almost even."""

WEIGHT_NAMES = ("E", "W_q", "W_k", "W_v", "W_out")


def init_params(d: int = D_MODEL, seed: int = 0) -> dict:
    """Random starting weights of the model.

    Parameters
    ----------
    d : int, default 16
    seed : int, default 0

    Returns
    -------
    dict of np.ndarray
        ``E`` (V, d): one embedding per word, entries of size about 1; ``W_q``, ``W_k`` (d, d),
        entries of size about ``0.1 / sqrt(d)``, so that every score starts near 0 and every word
        gets about the same attention weight; ``W_v`` (d, d) and ``W_out`` (d, V), entries of size
        about ``1 / sqrt(d)``.
    """
    d = as_positive_int(d, "d")
    rng = np.random.default_rng(as_seed(seed))
    V = len(VOCABULARY)
    return {"E": rng.normal(0.0, 1.0, (V, d)),
            "W_q": rng.normal(0.0, QK_INIT / np.sqrt(d), (d, d)),
            "W_k": rng.normal(0.0, QK_INIT / np.sqrt(d), (d, d)),
            "W_v": rng.normal(0.0, 1 / np.sqrt(d), (d, d)),
            "W_out": rng.normal(0.0, 1 / np.sqrt(d), (d, V))}


def _check_inputs(params, inputs) -> np.ndarray:
    if not isinstance(params, dict) or sorted(params) != sorted(WEIGHT_NAMES):
        raise TypeError(f"params must be a dict with the weights {list(WEIGHT_NAMES)} (see init_params); "
                        f"got {describe(params)}")
    inputs = np.asarray(inputs)
    if inputs.dtype.kind not in "iu" or inputs.ndim not in (1, 2):
        raise TypeError(f"inputs must be word ids, an int array of shape (n,) or (B, n); got {describe(inputs)}")
    if inputs.size == 0 or inputs.min() < 0 or inputs.max() >= len(VOCABULARY):
        raise ValueError(f"inputs must be word ids from 0 to {len(VOCABULARY) - 1}; got {inputs.min(initial=0)} "
                         f"to {inputs.max(initial=0)}")
    return inputs


def forward(params, inputs, scale: bool = True):
    """The model, from word ids to one logit per word of the vocabulary, at every position.

    ::

        X = E[inputs]                                         one embedding per word
        Q, K, V = X W_q, X W_k, X W_v
        A, weights = attention(Q, K, V, causal mask)          each word looks back, never ahead
        H = X + A                                             residual connection
        logits = H W_out                                      a score for every possible next word

    Parameters
    ----------
    params : dict
        See :func:`init_params`.
    inputs : np.ndarray of int, shape (B, n) or (n,)
    scale : bool, default True
        Divide the scores by ``sqrt(d)`` (notebook 03).

    Returns
    -------
    logits : np.ndarray, shape (B, n, V) (or (n, V))
    cache : dict
        ``X``, ``Q``, ``K``, ``V``, ``H`` (.., n, d), ``weights`` (.., n, n) and ``mask`` (n, n),
        for :func:`backward` and for looking at.
    """
    inputs = _check_inputs(params, inputs)
    scale = as_flag(scale, "scale")
    X = params["E"][inputs]                                        # (B, n, d): one row per word
    Q, K, V = X @ params["W_q"], X @ params["W_k"], X @ params["W_v"]   # (B, n, d) each
    mask = causal_mask(inputs.shape[-1])                           # (n, n)
    A, weights = attention(Q, K, V, mask=mask, scale=scale)        # (B, n, d), (B, n, n)
    H = X + A                                                      # (B, n, d)
    logits = H @ params["W_out"]                                   # (B, n, V)
    return logits, {"X": X, "Q": Q, "K": K, "V": V, "H": H, "weights": weights, "mask": mask}


def word_losses(logits, targets) -> np.ndarray:
    """``-log p(target)`` at every position, where ``p = softmax(logits)``; shape (B, n)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)                      # (B, n, V)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))      # (B, n, V)
    return -np.take_along_axis(log_p, np.asarray(targets)[..., None], axis=-1)[..., 0]


def cross_entropy(logits, targets, counted):
    """The average loss over the counted positions, and its gradient with respect to the logits.

    Parameters
    ----------
    logits : np.ndarray, shape (B, n, V)
    targets : np.ndarray of int, shape (B, n)
    counted : np.ndarray of bool, shape (B, n)

    Returns
    -------
    loss : float
        The mean of ``-log p(target)`` over the counted positions (cross-entropy, in nats).
    dlogits : np.ndarray, shape (B, n, V)
        ``(p - onehot(target)) / count`` at counted positions, 0 elsewhere.
    """
    counted = np.asarray(counted, dtype=bool)
    count = counted.sum()
    loss = float(word_losses(logits, targets)[counted].sum() / count)
    dlogits = softmax(logits)                                                  # (B, n, V): p
    np.put_along_axis(dlogits, np.asarray(targets)[..., None],
                      np.take_along_axis(dlogits, np.asarray(targets)[..., None], axis=-1) - 1.0, axis=-1)
    return loss, dlogits * (counted[..., None] / count)                       # p - y, averaged


def _weight_gradient(inputs_, grad_outputs):
    """``sum over sentences of inputs_[b].T @ grad_outputs[b]``: the gradient of a weight matrix.

    Small matrix products, one per sentence, then a sum (a single large product would start
    several BLAS threads, which is slower on a busy two-core machine).
    """
    return (np.swapaxes(inputs_, -1, -2) @ grad_outputs).reshape(-1, inputs_.shape[-1], grad_outputs.shape[-1]).sum(0)


def backward(params, inputs, cache, dlogits, scale: bool = True) -> dict:
    """The gradient of the loss with respect to every weight: the forward pass, run backwards.

    ::

        dW_out = H^T dlogits                  dH = dlogits W_out^T
        dQ, dK, dV = attention_backward(Q, K, V, dH, causal mask)    (through A; the residual
        dX = dH + dQ W_q^T + dK W_k^T + dV W_v^T                      passes dH straight to X)
        dW_q = X^T dQ,  dW_k = X^T dK,  dW_v = X^T dV
        dE[word] = the sum of dX over every position where that word stands

    Parameters
    ----------
    params : dict
    inputs : np.ndarray of int, shape (B, n)
    cache : dict
        From :func:`forward` (same params, inputs and scale).
    dlogits : np.ndarray, shape (B, n, V)
        From :func:`cross_entropy`.

    Returns
    -------
    dict of np.ndarray
        One gradient per weight, each of that weight's shape.
    """
    inputs = _check_inputs(params, inputs)
    X, Q, K, V, H = (cache[k] for k in ("X", "Q", "K", "V", "H"))
    grads = {"W_out": _weight_gradient(H, dlogits)}                           # (d, V)
    dH = dlogits @ params["W_out"].T                                          # (B, n, d)
    dQ, dK, dV = attention_backward(Q, K, V, dH, mask=cache["mask"], scale=scale)   # (B, n, d) each
    grads["W_q"], grads["W_k"], grads["W_v"] = (_weight_gradient(X, g) for g in (dQ, dK, dV))
    dX = dH + dQ @ params["W_q"].T + dK @ params["W_k"].T + dV @ params["W_v"].T   # (B, n, d)
    grads["E"] = np.zeros_like(params["E"])                                    # (V, d)
    np.add.at(grads["E"], inputs, dX)             # a word used twice gets both positions' gradients
    return grads


def loss_and_gradients(params, ids, lengths, scale: bool = True):
    """Forward, loss and backward for a batch of encoded sentences.

    Returns
    -------
    loss : float
        The average loss over every counted word (see :func:`cross_entropy`).
    sound_loss : float
        The average loss on the last word of each sentence alone: the guess that needs attention.
    grads : dict of np.ndarray
        See :func:`backward`.
    """
    inputs, targets, counted = inputs_and_targets(ids, lengths)
    logits, cache = forward(params, inputs, scale=scale)
    loss, dlogits = cross_entropy(logits, targets, counted)
    it = np.asarray(lengths) - 2                                               # where "it" stands
    rows = np.arange(len(it))
    sound = float(word_losses(logits[rows, it], targets[rows, it]).mean())
    return loss, sound, backward(params, inputs, cache, dlogits, scale=scale)


# ----- 4. training ------------------------------------------------------------------------------

TRAINING = {"steps": 200, "lr": 2.0, "batch_size": 64, "n_sentences": 512, "save_every": 1, "seed": 3}
"""The training of notebook 10: 200 steps of plain gradient descent on batches of 64 sentences."""

BLOW_UP = 1e6
"""A weight larger than this (its start is about 1) means training has blown up."""


def example_weights(params, sentence=EXAMPLE, scale: bool = True) -> np.ndarray:
    """The attention weights of one sentence, shape (n, n), ``n = len(sentence) - 1`` (its inputs)."""
    ids, _ = encode([list(sentence)])
    return forward(params, ids[0, :-1], scale=scale)[1]["weights"]


def blew_up(params, loss) -> bool:
    """True when the loss is not a finite number or a weight has grown past :data:`BLOW_UP`."""
    return not np.isfinite(loss) or any(not np.all(np.abs(w) < BLOW_UP) for w in params.values())


def train(steps: int = TRAINING["steps"], lr: float = TRAINING["lr"], scale: bool = True, d: int = D_MODEL,
          seed: int = TRAINING["seed"], batch_size: int = TRAINING["batch_size"],
          n_sentences: int = TRAINING["n_sentences"], save_every: int = TRAINING["save_every"]) -> dict:
    """Train the model from scratch with plain gradient descent; deterministic for a given seed.

    The loop of notebook 10, section 5: each step takes ``batch_size`` sentences at random from
    ``make_sentences(n_sentences, seed)``, computes the loss and the gradients, and moves every
    weight ``lr`` times its gradient downhill. Training stops early if it blows up (see :func:`blew_up`).

    Returns
    -------
    dict
        ``params`` (the final weights); ``losses`` and ``sound_losses``, shape (steps_run,): each
        step's batch loss, over all words and on the sound alone, before that step's update;
        ``steps`` (k,) and ``weights`` (k, n, n): the attention weights of :data:`EXAMPLE` after
        0, save_every, 2 * save_every, ... updates; ``blew_up_at``: the step at which training
        stopped (None if it ran to the end); ``lr``, ``scale``, ``tokens`` (the example's inputs).
    """
    steps, save_every = as_positive_int(steps, "steps"), as_positive_int(save_every, "save_every")
    lr, scale, seed = as_positive_number(lr, "lr"), as_flag(scale, "scale"), as_seed(seed)
    batch_size, n_sentences = as_positive_int(batch_size, "batch_size"), as_positive_int(n_sentences, "n_sentences")
    if batch_size > n_sentences:
        raise ValueError(f"batch_size must be at most n_sentences ({n_sentences}); got {batch_size}")
    ids, lengths = encode(make_sentences(n_sentences, seed))
    params = init_params(d, seed)
    rng = np.random.default_rng([seed, 1])                      # the batches' own stream
    losses, sound_losses, saved_steps, frames = [], [], [0], [example_weights(params, scale=scale)]
    stopped = None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            batch = rng.choice(n_sentences, size=batch_size, replace=False)
            loss, sound, grads = loss_and_gradients(params, ids[batch], lengths[batch], scale)
            losses.append(loss)
            sound_losses.append(sound)
            for name in params:
                params[name] -= lr * grads[name]                # gradient descent: a step downhill
            if blew_up(params, loss):
                stopped = step
                break
            if step % save_every == 0:
                saved_steps.append(step)
                frames.append(example_weights(params, scale=scale))
    return {"params": params, "losses": np.array(losses), "sound_losses": np.array(sound_losses),
            "steps": np.array(saved_steps), "weights": np.array(frames), "blew_up_at": stopped,
            "lr": lr, "scale": scale, "tokens": list(EXAMPLE[:-1])}


# ----- 5. the pattern we want -------------------------------------------------------------------

def animal_position(sentence) -> int:
    """Where the animal stands in a sentence (1 or 2)."""
    found = [i for i, w in enumerate(sentence) if w in ANIMALS]
    if not found:
        raise ValueError(f"sentence must contain one of the animals {list(ANIMALS)}; got {list(sentence)}")
    return found[0]


def intended_row(sentence) -> np.ndarray:
    """The attention we want from "it": all of it on the animal, shape (n,) over the sentence's inputs."""
    sentence = list(sentence)
    if "it" not in sentence:
        raise ValueError(f"sentence must contain 'it'; got {sentence}")
    row = np.zeros(sentence.index("it") + 1)
    row[animal_position(sentence)] = 1.0
    return row


def attention_on_animal(params, sentences, scale: bool = True) -> np.ndarray:
    """For each sentence, the attention weight that "it" gives to the animal; shape (B,)."""
    ids, lengths = encode(sentences)
    inputs, _, _ = inputs_and_targets(ids, lengths)
    weights = forward(params, inputs, scale=scale)[1]["weights"]               # (B, n, n)
    it = lengths - 2
    animal = np.array([animal_position(s) for s in sentences])
    return weights[np.arange(len(sentences)), it, animal]


def attention_by_animal(params, sentences, scale: bool = True) -> dict:
    """The average weight of "it" on the animal, for each animal: ``{animal: weight}``."""
    on_animal = attention_on_animal(params, sentences, scale)
    animals = np.array([s[animal_position(s)] for s in sentences])
    return {a: float(on_animal[animals == a].mean()) for a in ANIMALS if (animals == a).any()}


def finite_difference(f, x, index, h: float = 1e-6) -> float:
    """``(f(x + h) - f(x - h)) / 2h`` for the entry ``x[index]``: a gradient measured by nudging.

    ``f()`` computes a number from ``x``; ``x`` (a float array) is changed in place while
    measuring and restored afterwards.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 numpy array that f reads; got {describe(x)}")
    original = x[index]
    x[index] = original + h
    up = f()
    x[index] = original - h
    down = f()
    x[index] = original
    return (up - down) / (2 * h)


def relative_error(measured, computed) -> float:
    """The largest difference between two arrays, relative to the largest entry of either (0 when both are 0)."""
    measured, computed = np.asarray(measured, dtype=np.float64), np.asarray(computed, dtype=np.float64)
    if measured.shape != computed.shape:
        raise ValueError(f"computed must have the shape of measured, {measured.shape}; got {computed.shape}")
    scale = max(np.abs(measured).max(initial=0.0), np.abs(computed).max(initial=0.0))
    return float(np.abs(measured - computed).max(initial=0.0) / scale) if scale > 0 else 0.0


def error_bound(error: float) -> float:
    """The smallest power of ten at or above ``error`` (at least 1e-16), to print a stable "below ..."."""
    if not np.isfinite(error) or error < 0:
        raise ValueError(f"error must be a finite number >= 0; got {error}")
    return float(10.0 ** np.ceil(np.log10(max(error, 1e-16))))


def sound_accuracy(params, sentences, scale: bool = True) -> float:
    """The share of sentences whose sound the model guesses right (its most likely word after "it")."""
    ids, lengths = encode(sentences)
    inputs, targets, _ = inputs_and_targets(ids, lengths)
    logits, _ = forward(params, inputs, scale=scale)
    it = lengths - 2
    rows = np.arange(len(it))
    return float((logits[rows, it].argmax(axis=-1) == targets[rows, it]).mean())

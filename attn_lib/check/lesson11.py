"""Checkers for notebook 11: a tiny GPT writes (temperature, top-k and the KV cache)."""

from __future__ import annotations

import numbers

import numpy as np

from ..core.softmax import softmax
from ..lessons.lesson11 import apply_temperature_and_top_k
from ._base import (
    Result,
    _as_number,
    _check_function,
    _checker,
    _CheckerArgumentError,
    _right,
    _wrong,
)

# ----- exercise 1: the learner's apply_temperature_and_top_k ---------------------------------------

COURSE_LOGITS = np.array([4.2, 4.15, 3.9, 3.8, 3.7, 3.6, 3.2, -1.5, -2.3, -2.9, -4.6, -5.9])
"""Logits shaped like the tiny GPT's after "the": nine likely tokens, then tokens the grammar forbids."""


def _top_k_of(logits, k, smallest=False):
    """Logits outside the k largest (or smallest) set to -inf; k is clipped to 1..V."""
    k = min(max(k, 1), len(logits))
    order = np.argsort(logits if smallest else -logits, kind="stable")
    kept = np.full(logits.shape, -np.inf)
    kept[order[:k]] = logits[order[:k]]
    return kept


def _sampling_mistakes_11(logits, temperature, k):
    """The typical wrong versions of apply_temperature_and_top_k, each with the hint naming its bug."""
    kept = _top_k_of(logits, k)
    in_top = np.isfinite(kept)
    with np.errstate(all="ignore"):
        naive = np.exp(kept / temperature)                                  # may overflow to inf
        naive = naive / naive.sum()
    wrong = [
        (("divide the logits by the temperature, do not multiply: a temperature below 1 must make the "
         "distribution sharper."), softmax(kept * temperature)),
        ("keep exactly top_k tokens: yours keeps one too many (check where your slice or comparison starts).",
         softmax(_top_k_of(logits, k + 1) / temperature)),
        ("keep exactly top_k tokens: yours keeps one too few.", softmax(_top_k_of(logits, k - 1) / temperature)),
        ("top-k keeps the k LARGEST logits; yours keeps the smallest ones (np.sort sorts from small to large).",
         softmax(_top_k_of(logits, k, smallest=True) / temperature)),
        (("after cutting the other tokens, the kept probabilities must add up to 1 again: cut the logits "
         "(set them to -inf) before the softmax, or divide by the new total."),
         np.where(in_top, softmax(logits / temperature), 0.0)),
        ("a cut token needs probability exactly 0: give its logit -np.inf (exp(-inf) = 0), not 0.",
         softmax(np.where(in_top, logits / temperature, 0.0))),
        ("the temperature seems to change nothing: divide the logits by it before the softmax.", softmax(kept)),
        ("top_k seems to change nothing: set every logit outside the top_k largest to -np.inf.",
         softmax(logits / temperature)),
        (("exp() of a large logit overflows to inf, and inf / inf is NaN: subtract the largest logit "
         "first, or use al.softmax."), naive),
    ]
    return [(hint, {0: probabilities}) for hint, probabilities in wrong]


def _sampling_cases_11():
    rng = np.random.default_rng(11)
    random_logits = rng.normal(size=9) * 2                                  # (9,)
    cases = []
    ordinary = ("your function gives NaN or infinity for ordinary logits. A common cause: multiplying by a "
                "mask that holds -np.inf (0 × inf is NaN); use np.where to give the cut logits -np.inf.")
    for logits, temperature, k in ((COURSE_LOGITS, 0.5, 3), (COURSE_LOGITS, 2.0, len(COURSE_LOGITS)),
                                   (random_logits, 1.7, 5), (COURSE_LOGITS, 1.0, 1),
                                   (1000 * random_logits, 0.8, 4)):
        large = np.abs(logits).max() > 100
        cases.append({"args": (logits, temperature, k),
                      "truth": (apply_temperature_and_top_k(logits, temperature, k),),
                      "mistakes": _sampling_mistakes_11(logits, temperature, k),
                      "nonfinite": ("your function gives NaN or infinity: with logits near 1000, exp() overflows. "
                                    "Subtract the largest logit before exp(), or use al.softmax.") if large
                                   else ordinary})
    return cases


def _sampling_generic_11(arrays, truth):
    probabilities = arrays[0]
    if (probabilities < 0).any():
        return "probabilities can never be negative: take the softmax of the (cut, divided) logits."
    if not np.isclose(probabilities.sum(), 1.0, atol=1e-6):
        return "the probabilities must add up to 1."
    return ("three steps: keep the top_k largest logits (the others become -np.inf), divide by the "
            "temperature, then softmax.")


@_checker("a function apply_temperature_and_top_k(logits, temperature, top_k)")
def apply_temperature_and_top_k_function(fn) -> Result:
    """Exercise: the learner's ``apply_temperature_and_top_k(logits, temperature, top_k) -> probabilities``.

    Compared with :func:`attn_lib.lessons.lesson11.apply_temperature_and_top_k` on logits like the
    course model's (T = 0.5 with k = 3, T = 2 with every token kept, k = 1), on random logits, and
    on logits near 1000 (overflow).

    Parameters
    ----------
    fn : callable
        ``fn(logits, temperature, top_k)`` with logits (V,), temperature > 0, top_k in 1..V;
        returns the probabilities, shape (V,).
    """
    call = "apply_temperature_and_top_k(logits, temperature, top_k)"
    problem = _check_function(fn, call, ("probabilities",), _sampling_cases_11(), _sampling_generic_11,
                              meanings=("(V,), one probability per token",))
    if problem is not None:
        return problem
    return _right("top-k cuts the unlikely tokens, the temperature rescales the gaps between the logits, "
                  "and the softmax makes the rest add up to 1.")


# ----- exercise 2: when does temperature let nonsense in? -----------------------------------------

def _forbidden_mass(logits, allowed, temperature):
    probabilities = apply_temperature_and_top_k(logits, temperature)
    return 1.0 - float(probabilities[allowed].sum())


@_checker("one temperature from the list")
def nonsense_temperature(answer, logits, allowed, candidates=(0.5, 1, 2, 3, 4, 8), threshold: float = 0.1) -> Result:
    """Exercise: the smallest temperature of ``candidates`` at which the forbidden tokens get more than
    ``threshold`` of the probability.

    Parameters
    ----------
    answer : float
        One of ``candidates``.
    logits : np.ndarray, shape (V,)
        The model's next-token logits.
    allowed : array_like of int
        The ids of the tokens the grammar allows next; every other token is "forbidden".
    candidates : tuple of float
    threshold : float
    """
    logits = np.asarray(logits, dtype=float)
    allowed = np.asarray(allowed, dtype=int)
    if logits.ndim != 1 or allowed.ndim != 1 or len(allowed) == 0 or allowed.max() >= len(logits):
        raise _CheckerArgumentError("logits must be a vector and allowed a list of token ids within it")
    masses = {t: _forbidden_mass(logits, allowed, t) for t in candidates}
    above = [t for t in candidates if masses[t] > threshold]
    if not above:
        raise _CheckerArgumentError(f"no candidate temperature gives the forbidden tokens more than {threshold}")
    truth = min(above)
    value, problem = _as_number(answer, f"one temperature from {list(candidates)}")
    if problem is not None:
        return problem
    match = [t for t in candidates if np.isclose(value, t)]
    if not match:
        return _wrong(f"answer with one of the temperatures {list(candidates)}.")
    chosen = match[0]
    if chosen == truth:
        return _right(f"at T = {chosen:g} the forbidden tokens get {masses[chosen]:.1%} of the probability: "
                      f"dividing by a large temperature shrinks the gaps between logits, so the very unlikely "
                      f"tokens catch up.")
    if chosen < truth:
        return _wrong(f"at T = {chosen:g} the forbidden tokens get only {masses[chosen]:.1%}; a higher temperature "
                      f"flattens the distribution more. Compute the total for the larger candidates too.")
    return _wrong(f"at T = {chosen:g} the forbidden tokens do get more than {threshold:.0%}, but a smaller "
                  f"temperature of the list already does: check the candidates below yours.")


# ----- exercise 3: what attention costs while writing ------------------------------------------------

def _attention_cost(n_prompt, n_new, d_model, n_layers, cache, first=None, last=None):
    """Multiply-adds of the scores and weighted sums: per layer 2 t d per token (cache) or 2 t^2 d per step."""
    if cache:
        ts = range(1 if first is None else first, (n_prompt + n_new) if last is None else last)
        return n_layers * sum(2 * t * d_model for t in ts)
    ts = range(n_prompt, n_prompt + n_new)
    return n_layers * sum(2 * t * t * d_model for t in ts)


@_checker("one whole number")
def attention_multiply_adds(answer, n_prompt: int, n_new: int, d_model: int, n_layers: int = 1) -> Result:
    """Exercise: the multiply-adds of attention itself (scores and weighted sums, every head and layer)
    while writing ``n_new`` tokens after a prompt of ``n_prompt`` tokens, WITH the KV cache.

    Parameters
    ----------
    answer : int
    n_prompt, n_new, d_model, n_layers : int
    """
    for name, v in (("n_prompt", n_prompt), ("n_new", n_new), ("d_model", d_model), ("n_layers", n_layers)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise _CheckerArgumentError(f"{name} must be a whole number >= 1; got {v!r}")
    value, problem = _as_number(answer, "the number of multiply-adds, one whole number")
    if problem is not None:
        return problem
    truth = _attention_cost(n_prompt, n_new, d_model, n_layers, cache=True)
    if value == truth:
        without = _attention_cost(n_prompt, n_new, d_model, n_layers, cache=False)
        return _right(f"with the cache each token's query meets the t keys once: 2·t·d per token. Without it, "
                      f"every step repeats all t queries: {without:,} multiply-adds, {without / truth:.1f} times "
                      f"as many.")
    mistakes = [
        (_attention_cost(n_prompt, n_new, d_model, n_layers, cache=False),
         ("that is the cost WITHOUT the cache, where every step recomputes all t queries (2·t²·d). With the "
         "cache, only the new token's query is computed: 2·t·d.")),
        (_attention_cost(n_prompt, n_new, d_model, n_layers, cache=True, last=n_prompt + n_new + 1),
         ("one token too many: the last token written is never fed back in, so t runs up to "
         "n_prompt + n_new - 1.")),
        (_attention_cost(n_prompt, n_new, d_model, n_layers, cache=True, first=n_prompt),
         "the prompt's tokens go through the model too (once each, one at a time): start t at 1."),
        (truth // 2, ("each token does two products of t·d multiply-adds: its scores against the t keys, and its "
                     "weighted sum of the t values.")),
        (truth * 2, ("too large by a factor 2: the heads share the d columns (each head has d / H of them), so "
                    "all heads together cost 2·t·d, not 2·t·d per head.")),
    ]
    for wrong, hint in mistakes:
        if value == wrong:
            return _wrong(hint)
    if value != int(value) or value < 0:
        return _wrong("count multiply-adds: the answer is a whole number.")
    return _wrong("add 2·t·d (one layer) over every token that goes through the model, t = 1, 2, ..., "
                  "n_prompt + n_new - 1.")

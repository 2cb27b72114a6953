"""The function checkers: a right implementation passes, each typical bug gets a hint naming it, no hint gives numbers away.

The reference implementations here are written from scratch (loops and plain numpy), not
calls to attn_lib, so a bug shared by attn_lib and its checkers could not hide.
"""

import sys
import warnings

import numpy as np
import pytest
from _check_asserts import assert_hint, assert_no_leak, assert_right

from attn_lib import check


def formatted(arrays):
    """Every way a message could spell the numbers of an answer: 1 to 4 decimals, with and without sign."""
    out = set()
    for v in np.concatenate([np.ravel(a) for a in arrays]):
        if np.isfinite(v):
            for digits in (1, 2, 3, 4):
                out.update({f"{v:.{digits}f}", f"{abs(v):.{digits}f}"})
    return {s for s in out if float(s) not in (0.0, 1.0)}      # 0 and 1 are too common to mean anything


def recorded(reference):
    """A learner function that answers like ``reference`` and keeps a copy of every input it was given."""
    calls = []

    def learner(*args):
        calls.append(tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args))
        return reference(*args)

    return learner, calls


def forbidden_numbers(checker, reference):
    """The numbers of every right answer the checker compares with (the reference's outputs on its inputs)."""
    learner, calls = recorded(reference)
    assert_right(checker(learner))
    outputs = [reference(*args) for args in calls]
    return formatted([a for out in outputs for a in (out if isinstance(out, tuple) else (out,))])


# ------------------------------------------------------------------------------------ references

def ref_softmax(x, axis=-1):
    """Stable softmax by hand: shift each slice by its own maximum, exponentiate, normalise."""
    x = np.asarray(x, dtype=float)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


def ref_softmax_loop(x):
    """Row by row with Python floats: another right way."""
    rows = []
    for row in np.asarray(x, dtype=float):
        top = max(row)
        exps = [np.exp(v - top) for v in row]
        rows.append([e / sum(exps) for e in exps])
    return rows                                             # a list of lists is a fine return value


def ref_self_attention(X, W_q, W_k, W_v):
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    weights = ref_softmax(Q @ K.T / np.sqrt(K.shape[1]))
    return weights @ V, weights


def ref_masked_attention(Q, K, V, mask):
    S = Q @ K.T / np.sqrt(Q.shape[1])
    S = np.where(mask, S, -np.inf)
    weights = ref_softmax(S)
    return weights @ V, weights


def ref_masked_attention_big_negative(Q, K, V, mask):
    """Masked keys get -1e9 instead of -inf: the same weights whenever a row keeps one key."""
    S = Q @ K.T / np.sqrt(Q.shape[1])
    S = S.copy()
    S[~np.asarray(mask, dtype=bool)] = -1e9
    weights = ref_softmax(S)
    return weights @ V, weights


def ref_multi_head(X, W_q, W_k, W_v, W_o, n_heads):
    """One head at a time, by column slices: no reshape at all."""
    d_model = X.shape[1]
    d_head = d_model // n_heads
    outputs, all_weights = [], []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        Q, K, V = X @ W_q[:, cols], X @ W_k[:, cols], X @ W_v[:, cols]
        w = ref_softmax(Q @ K.T / np.sqrt(d_head))
        outputs.append(w @ V)
        all_weights.append(w)
    return np.concatenate(outputs, axis=1) @ W_o, np.stack(all_weights)


def ref_multi_head_reshape(X, W_q, W_k, W_v, W_o, n_heads):
    """The reshape-and-transpose way, as notebook 07 traces it."""
    n, d_model = X.shape

    def split(M):
        return M.reshape(n, n_heads, d_model // n_heads).transpose(1, 0, 2)

    Q, K, V = split(X @ W_q), split(X @ W_k), split(X @ W_v)
    w = ref_softmax(Q @ K.transpose(0, 2, 1) / np.sqrt(d_model // n_heads))
    heads = w @ V
    return heads.transpose(1, 0, 2).reshape(n, d_model) @ W_o, w


# ------------------------------------------------------------------------------- softmax_function

def naive_exp(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


SOFTMAX_BUGS = {
    "columns instead of rows": (lambda x: ref_softmax(x, axis=0), "axis"),
    "whole-array total": (lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum(), "axis"),
    "no maximum subtracted": (naive_exp, "overflow"),
    "maximum of the whole array": (lambda x: naive_exp(x - x.max()), "each row's own maximum"),
    "maximum of each column": (lambda x: naive_exp(x - x.max(axis=0, keepdims=True)), "each row's own maximum"),
    "no keepdims": (lambda x: np.exp(x - x.max(axis=-1, keepdims=True))
                    / np.exp(x - x.max(axis=-1, keepdims=True)).sum(axis=-1), "keepdims"),
    "no exp": (lambda x: x / x.sum(axis=-1, keepdims=True), "exp()"),
    "not normalised": (lambda x: np.exp(x - x.max(axis=-1, keepdims=True)), "add up to 1"),
    "transposed result": (lambda x: ref_softmax(np.asarray(x).T).T, "axis"),
}


class TestSoftmaxFunction:
    @pytest.mark.parametrize("fn", [ref_softmax, ref_softmax_loop, lambda x: ref_softmax(x).astype(np.float32)],
                             ids=["vectorised", "loop returning lists", "float32"])
    def test_right(self, fn):
        assert_right(check.softmax_function(fn))

    @pytest.mark.parametrize("case", sorted(SOFTMAX_BUGS))
    def test_bug_gets_its_hint(self, case):
        bug, fragment = SOFTMAX_BUGS[case]
        result = check.softmax_function(bug)
        assert_hint(result, fragment)
        assert_no_leak(result, FORBIDDEN["softmax"])

    def test_the_overflow_hint_names_the_maximum(self):
        assert "maximum" in check.softmax_function(naive_exp).message

    def test_it_tries_the_course_scores_random_scores_and_huge_logits(self):
        learner, calls = recorded(ref_softmax)
        check.softmax_function(learner)
        inputs = [args[0] for args in calls]
        assert all(x.ndim == 2 for x in inputs)
        assert any(x.shape == (6, 6) for x in inputs)                 # "The cat sat on the mat"
        assert any(x.shape[0] != x.shape[1] for x in inputs)         # a wrong axis cannot hide
        assert max(np.abs(x).max() for x in inputs) >= 1e4            # exp() overflows there


# ------------------------------------------------------------------------ self_attention_function

def sa_with(scores=None, axis=-1, values=None, softmax=ref_softmax, swap=False):
    """A self-attention with one mistake built in."""
    def fn(X, W_q, W_k, W_v):
        Q, K, V = X @ W_q, X @ W_k, X @ W_v
        S = scores(Q, K, X) if scores else Q @ K.T / np.sqrt(K.shape[1])
        w = softmax(S, axis=axis) if softmax is ref_softmax else softmax(S)
        out = values(w, V, X) if values else w @ V
        return (w, out) if swap else (out, w)
    return fn


SELF_ATTENTION_BUGS = {
    "no scaling": (sa_with(scores=lambda Q, K, X: Q @ K.T), "√d_k"),
    "divided by d_k": (sa_with(scores=lambda Q, K, X: Q @ K.T / K.shape[1]), "√d_k"),
    "divided by sqrt(d_model)": (sa_with(scores=lambda Q, K, X: Q @ K.T / np.sqrt(X.shape[1])), "√d_k"),
    "softmax over the columns": (sa_with(axis=0), "axis"),
    "K @ Q.T": (sa_with(scores=lambda Q, K, X: K @ Q.T / np.sqrt(K.shape[1])), "transposed"),
    "no maximum subtracted": (sa_with(softmax=naive_exp), "overflow"),
    "weights @ X": (sa_with(values=lambda w, V, X: w @ X), "V = X @ W_v"),
    "weights.T @ V": (sa_with(values=lambda w, V, X: w.T @ V), "weights @ V"),
    "output and weights swapped": (sa_with(swap=True), "swapped"),
}


class TestSelfAttentionFunction:
    def test_right(self):
        assert_right(check.self_attention_function(ref_self_attention))

    def test_a_list_for_the_pair_is_fine(self):
        assert_right(check.self_attention_function(lambda *args: list(ref_self_attention(*args))))

    @pytest.mark.parametrize("case", sorted(SELF_ATTENTION_BUGS))
    def test_bug_gets_its_hint(self, case):
        bug, fragment = SELF_ATTENTION_BUGS[case]
        result = check.self_attention_function(bug)
        assert_hint(result, fragment)
        assert_no_leak(result, FORBIDDEN["self_attention"])

    def test_it_uses_the_cat_sentence_and_inputs_where_d_k_differs(self):
        learner, calls = recorded(ref_self_attention)
        check.self_attention_function(learner)
        shapes = [tuple(a.shape for a in args) for args in calls]
        assert ((6, 8), (8, 8), (8, 8), (8, 8)) in shapes            # "The cat sat on the mat", d_model = 8
        assert any(s[0][1] != s[1][1] != s[3][1] for s in shapes)    # d_model, d_k and d_v all differ


# ---------------------------------------------------------------------- masked_attention_function

def masked_with(fill=-np.inf, polarity=True, after=False, transpose=False, scale=True, softmax=ref_softmax):
    """A masked attention with one mistake built in."""
    def fn(Q, K, V, mask):
        mask = np.asarray(mask, dtype=bool)
        keep = (mask.T if transpose else mask) if polarity else ~mask
        S = Q @ K.T / (np.sqrt(Q.shape[1]) if scale else 1.0)
        if after:
            w = ref_softmax(S) * keep
        elif fill is None:                                              # the mask is never used
            w = softmax(S)
        else:
            w = softmax(np.where(keep, S, fill))
        return w @ V, w
    return fn


MASKED_BUGS = {
    "mask after the softmax": (masked_with(after=True), "before the softmax"),
    "polarity flipped": (masked_with(polarity=False), "True = may attend"),
    "polarity flipped, -1e9": (masked_with(polarity=False, fill=-1e9), "polarity"),
    "masked scores set to 0": (masked_with(fill=0.0), "-inf"),
    "mask transposed": (masked_with(transpose=True), "transposed"),
    "no scaling": (masked_with(scale=False), "√d_k"),
    "no maximum subtracted": (masked_with(softmax=naive_exp), "overflow"),
    "mask ignored": (masked_with(fill=None), "change nothing"),
    "output and weights swapped": (lambda *args: ref_masked_attention(*args)[::-1], "swapped"),
}


class TestMaskedAttentionFunction:
    @pytest.mark.parametrize("fn", [ref_masked_attention, ref_masked_attention_big_negative],
                             ids=["-inf", "-1e9"])
    def test_right(self, fn):
        assert_right(check.masked_attention_function(fn))

    @pytest.mark.parametrize("case", sorted(MASKED_BUGS))
    def test_bug_gets_its_hint(self, case):
        bug, fragment = MASKED_BUGS[case]
        result = check.masked_attention_function(bug)
        assert_hint(result, fragment)
        assert_no_leak(result, FORBIDDEN["masked"])

    def test_renormalising_after_the_softmax_is_caught_where_it_underflows(self):
        def renormalised(Q, K, V, mask):
            w = ref_softmax(Q @ K.T / np.sqrt(Q.shape[1])) * mask
            w = w / w.sum(axis=-1, keepdims=True)
            return w @ V, w
        assert_hint(check.masked_attention_function(renormalised), "before the softmax")

    def test_masks_tried_include_the_causal_mask_and_one_with_more_keys_than_queries(self):
        learner, calls = recorded(ref_masked_attention)
        check.masked_attention_function(learner)
        masks = [args[3] for args in calls]
        assert all(m.dtype == bool for m in masks)
        assert any(m.shape == (6, 6) and np.array_equal(m, np.tril(np.ones((6, 6), bool))) for m in masks)
        assert any(m.shape[0] < m.shape[1] for m in masks)


# --------------------------------------------------------------------------- multi_head_function

def mh_with(split="right", merge="right", project=True, divisor=None, softmax=ref_softmax, axis=-1,
            weights_out=None):
    """A multi-head attention with one mistake built in."""
    def fn(X, W_q, W_k, W_v, W_o, n_heads):
        n, d_model = X.shape
        d_head = d_model // n_heads

        def cut(M):
            if split == "rows":
                return M.reshape(n_heads, n, d_head)
            if split == "interleaved":
                return M.reshape(n, d_head, n_heads).transpose(2, 0, 1)
            return M.reshape(n, n_heads, d_head).transpose(1, 0, 2)

        Q, K, V = cut(X @ W_q), cut(X @ W_k), cut(X @ W_v)
        S = Q @ K.transpose(0, 2, 1) / (np.sqrt(d_head) if divisor is None else divisor(d_model, d_head))
        w = ref_softmax(S, axis=axis) if softmax is ref_softmax else softmax(S)
        heads = w @ V
        merged = heads.reshape(n, d_model) if merge == "rows" else heads.transpose(1, 0, 2).reshape(n, d_model)
        out = merged @ W_o if project else merged
        return out, (weights_out(w) if weights_out else w)
    return fn


MULTI_HEAD_BUGS = {
    "split without transpose": (mh_with(split="rows"), "transpose"),
    "split and merge without transpose": (mh_with(split="rows", merge="rows"), "transpose"),
    "merge without transpose": (mh_with(merge="rows"), "transpose"),
    "interleaved columns": (mh_with(split="interleaved"), "neighbouring columns"),
    "no W_o": (mh_with(project=False), "W_o"),
    "no scaling": (mh_with(divisor=lambda d_model, d_head: 1.0), "√d_k"),
    "divided by sqrt(d_model)": (mh_with(divisor=lambda d_model, d_head: np.sqrt(d_model)), "√d_head"),
    "softmax over the queries": (mh_with(axis=-2), "axis"),
    "no maximum subtracted": (mh_with(softmax=naive_exp), "overflow"),
    "weights averaged over heads": (mh_with(weights_out=lambda w: w.mean(axis=0)), "one (n, n) matrix per head"),
    "weights with the head axis last": (mh_with(weights_out=lambda w: w.transpose(1, 2, 0)), "(n_heads, n, n)"),
    "output and weights swapped": (lambda *args: ref_multi_head(*args)[::-1], "swapped"),
}


class TestMultiHeadFunction:
    @pytest.mark.parametrize("fn", [ref_multi_head, ref_multi_head_reshape], ids=["slices", "reshape"])
    def test_right(self, fn):
        assert_right(check.multi_head_function(fn))

    @pytest.mark.parametrize("case", sorted(MULTI_HEAD_BUGS))
    def test_bug_gets_its_hint(self, case):
        bug, fragment = MULTI_HEAD_BUGS[case]
        result = check.multi_head_function(bug)
        assert_hint(result, fragment)
        assert_no_leak(result, FORBIDDEN["multi_head"])

    def test_w_o_hint_also_says_output_projection(self):
        assert "output projection" in check.multi_head_function(MULTI_HEAD_BUGS["no W_o"][0]).message

    def test_two_bugs_get_the_earlier_one_first(self):
        """Wrong weights come before a wrong output: fix the scaling, then the hint moves on to W_o."""
        both = mh_with(project=False, divisor=lambda d_model, d_head: 1.0)
        assert_hint(check.multi_head_function(both), "√d_k")

    def test_it_tries_the_lesson_inputs_several_head_counts_and_a_w_o_that_is_not_the_identity(self):
        learner, calls = recorded(ref_multi_head)
        check.multi_head_function(learner)
        assert {args[5] for args in calls} >= {2, 3}
        assert any(args[0].shape == (6, 8) for args in calls)        # the lesson's "The cat sat on the mat"
        assert any(not np.allclose(args[4], np.eye(len(args[4]))) for args in calls)


# ------------------------------------------------------------------------- shared safety promises

FUNCTION_CHECKERS = {
    "softmax": (check.softmax_function, ref_softmax),
    "self_attention": (check.self_attention_function, ref_self_attention),
    "masked": (check.masked_attention_function, ref_masked_attention),
    "multi_head": (check.multi_head_function, ref_multi_head),
}
FORBIDDEN = {name: forbidden_numbers(checker, reference) for name, (checker, reference) in FUNCTION_CHECKERS.items()}


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_the_learner_cannot_change_the_checkers_inputs(name):
    """A function that scribbles over its inputs (after answering) cannot corrupt the later comparisons."""
    checker, reference = FUNCTION_CHECKERS[name]

    def scribbler(*args):
        result = reference(*args)
        for a in args:
            if isinstance(a, np.ndarray):
                a[...] = 0
        return result

    assert_right(checker(scribbler))
    assert_right(checker(reference))                                  # and nothing stayed broken


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_a_right_function_that_prints_passes_and_nothing_reaches_the_notebook(name, capsys):
    checker, reference = FUNCTION_CHECKERS[name]

    def chatty(*args):
        print("debug:", [np.shape(a) for a in args])
        print("to stderr", file=sys.stderr)
        return reference(*args)

    assert_right(checker(chatty))
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_overflow_warnings_of_the_learner_stay_inside_the_checker(name):
    checker, _ = FUNCTION_CHECKERS[name]

    def overflowing(*args):
        np.exp(np.array([1e4]))                                       # RuntimeWarning: overflow
        warnings.warn("a learner's own warning")

    with warnings.catch_warnings():
        warnings.simplefilter("error")                                # an escaping warning would raise here
        result = checker(overflowing)
    assert_hint(result, "returned None")


@pytest.mark.parametrize("name", sorted(FUNCTION_CHECKERS))
def test_right_messages_are_one_line_and_give_no_numbers(name):
    checker, reference = FUNCTION_CHECKERS[name]
    result = checker(reference)
    assert "\n" not in result.message
    assert_no_leak(result, FORBIDDEN[name])

"""Bad inputs fail early, with the right exception and a message that names the argument.

Learners should never see a raw numpy traceback, a silent NaN or a RuntimeWarning.
"""

import re
import warnings

import numpy as np
import pytest

from attn_lib import (attention, causal_mask, embed, embedding_of, multi_head_attention, random_weights,
                      scores, self_attention, softmax, tokenize)

_rng = np.random.default_rng(0)
Q, K = _rng.normal(size=(3, 4)), _rng.normal(size=(3, 4))
V = _rng.normal(size=(3, 5))
X = _rng.normal(size=(3, 8))
W = _rng.normal(size=(8, 4))
W8 = _rng.normal(size=(8, 8))


def with_value(a, index, value):
    """A copy of ``a`` with one entry replaced (e.g. by NaN)."""
    a = a.copy()
    a[index] = value
    return a


def mha(**overrides):
    """Keyword arguments for multi_head_attention with one argument replaced."""
    return {"X": X, "W_q": W8, "W_k": W8, "W_v": W8, "W_o": W8, "n_heads": 2, **overrides}


def sa(**overrides):
    """Keyword arguments for self_attention with one argument replaced."""
    return {"X": X, "W_q": W, "W_k": W, "W_v": W, **overrides}


def att(**overrides):
    """Keyword arguments for attention with one argument replaced."""
    return {"Q": Q, "K": K, "V": V, **overrides}


NO_ROW_3x3 = np.array([[True, False, False], [False, False, False], [True, True, True]])

# (id, callable, kwargs, exception, substring of the message)
BAD = [
    # wrong ranks
    ("Q 1-D", scores, {"Q": Q[0], "K": K}, ValueError, "Q"),
    ("K 1-D", scores, {"Q": Q, "K": K[0]}, ValueError, "K"),
    ("V 1-D", attention, att(V=V[0]), ValueError, "V"),
    ("X 1-D", self_attention, sa(X=X[0]), ValueError, "X"),
    ("mha X 1-D", multi_head_attention, mha(X=X[0]), ValueError, "X"),
    ("W_k 1-D", self_attention, sa(W_k=W[:, 0]), ValueError, "W_k"),
    ("W_v 3-D", self_attention, sa(W_v=W[None]), ValueError, "W_v"),
    # mismatched sizes
    ("d_k of Q and K differ", scores, {"Q": Q, "K": K[:, :3]}, ValueError, "d_k"),
    ("V wrong number of rows", attention, att(V=V[:2]), ValueError, "V"),
    ("batch dims do not broadcast", scores, {"Q": np.ones((2, 3, 4)), "K": np.ones((3, 3, 4))}, ValueError,
     "batch dimensions"),
    ("V batch dims do not broadcast", attention, att(Q=np.ones((2, 3, 4)), K=np.ones((2, 3, 4)),
                                                     V=np.ones((3, 3, 5))), ValueError, "V"),
    ("W_q wrong row count", self_attention, sa(W_q=W[:7]), ValueError, "W_q"),
    ("W_v wrong row count", self_attention, sa(W_v=np.ones((9, 4))), ValueError, "W_v"),
    ("W_q and W_k widths differ", self_attention, sa(W_k=W[:, :3]), ValueError, "W_k"),
    ("W_o wrong shape", multi_head_attention, mha(W_o=W8[:, :4]), ValueError, "W_o"),
    ("mha W_q not square", multi_head_attention, mha(W_q=W), ValueError, "W_q"),
    # non-finite values
    ("NaN in Q", attention, att(Q=with_value(Q, (1, 2), np.nan)), ValueError, "Q"),
    ("+inf in K", attention, att(K=with_value(K, (0, 0), np.inf)), ValueError, "K"),
    ("-inf in K", attention, att(K=with_value(K, (0, 0), -np.inf)), ValueError, "K"),
    ("NaN in V", attention, att(V=with_value(V, (2, 4), np.nan)), ValueError, "V"),
    ("NaN in X", self_attention, sa(X=with_value(X, (0, 1), np.nan)), ValueError, "X"),
    ("+inf in W_v", self_attention, sa(W_v=with_value(W, (3, 3), np.inf)), ValueError, "W_v"),
    ("NaN in W_o", multi_head_attention, mha(W_o=with_value(W8, (0, 0), np.nan)), ValueError, "W_o"),
    ("NaN in softmax x", softmax, {"x": np.array([0.0, np.nan])}, ValueError, "x"),
    ("+inf in softmax x", softmax, {"x": np.array([0.0, np.inf])}, ValueError, "x"),
    # empty arrays, empty sequences
    ("empty Q", attention, att(Q=np.empty((0, 4))), ValueError, "Q"),
    ("empty sequence X", self_attention, sa(X=np.empty((0, 8))), ValueError, "X"),
    ("empty sequence mha", multi_head_attention, mha(X=np.empty((0, 8))), ValueError, "X"),
    ("empty softmax x", softmax, {"x": np.array([])}, ValueError, "x"),
    # head counts
    ("n_heads does not divide d_model", multi_head_attention, mha(n_heads=3), ValueError, "n_heads"),
    ("n_heads=0", multi_head_attention, mha(n_heads=0), ValueError, "n_heads"),
    ("n_heads negative", multi_head_attention, mha(n_heads=-2), ValueError, "n_heads"),
    ("n_heads float", multi_head_attention, mha(n_heads=2.0), TypeError, "n_heads"),
    ("n_heads bool", multi_head_attention, mha(n_heads=True), TypeError, "n_heads"),
    # temperature
    ("temperature 0", softmax, {"x": Q, "temperature": 0}, ValueError, "temperature"),
    ("temperature negative", attention, att(temperature=-1.0), ValueError, "temperature"),
    ("temperature nan", softmax, {"x": Q, "temperature": float("nan")}, ValueError, "temperature"),
    ("temperature inf", attention, att(temperature=float("inf")), ValueError, "temperature"),
    ("temperature string", attention, att(temperature="hot"), TypeError, "temperature"),
    ("temperature bool", softmax, {"x": Q, "temperature": True}, TypeError, "temperature"),
    # masks
    ("mask row allows nothing", attention, att(mask=NO_ROW_3x3), ValueError, "mask"),
    ("mask row allows nothing after broadcasting", attention,
     att(Q=np.ones((2, 3, 4)), mask=np.array([[[True, True, True]], [[False, False, False]]])), ValueError, "mask"),
    ("mask of ints", attention, att(mask=np.tril(np.ones((3, 3), dtype=int))), TypeError, "mask"),
    ("mask that does not broadcast", attention, att(mask=np.ones((2, 2), dtype=bool)), ValueError, "mask"),
    ("mask as a list", attention, att(mask=[[True] * 3] * 3), TypeError, "mask"),
    ("mha mask as a list", multi_head_attention, mha(mask=[[True] * 3] * 3), TypeError, "mask"),
    ("mha mask 1-D of the wrong length", multi_head_attention, mha(mask=np.ones(5, dtype=bool)), ValueError, "mask"),
    ("mha mask of ints", multi_head_attention, mha(mask=np.ones((3, 3), dtype=int)), TypeError, "mask"),
    ("mha mask wrong shape", multi_head_attention, mha(mask=np.ones((4, 4), dtype=bool)), ValueError, "mask"),
    # wrong types
    ("Q as a list", scores, {"Q": Q.tolist(), "K": K}, TypeError, "Q"),
    ("V as a string", attention, att(V="values"), TypeError, "V"),
    ("X as a list", self_attention, sa(X=X.tolist()), TypeError, "X"),
    ("W_o as a list", multi_head_attention, mha(W_o=W8.tolist()), TypeError, "W_o"),
    ("softmax x as a list", softmax, {"x": [1.0, 2.0]}, TypeError, "x"),
    ("Q of booleans", scores, {"Q": Q > 0, "K": K}, TypeError, "Q"),
    ("K complex", scores, {"Q": Q, "K": K + 1j}, TypeError, "K"),
    ("scale as a string", attention, att(scale="yes"), TypeError, "scale"),
    # text and tokens
    ("empty text", tokenize, {"text": ""}, ValueError, "text"),
    ("whitespace-only text", tokenize, {"text": " \t\n "}, ValueError, "text"),
    ("text as bytes", tokenize, {"text": b"The cat"}, TypeError, "text"),
    ("text as None", tokenize, {"text": None}, TypeError, "text"),
    ("text as a list", tokenize, {"text": ["The", "cat"]}, TypeError, "text"),
    ("empty word", embedding_of, {"word": ""}, ValueError, "word"),
    ("empty token list", embed, {"tokens": []}, ValueError, "tokens"),
    ("non-str token", embed, {"tokens": ["The", 3]}, TypeError, "tokens"),
    ("whitespace-only sentence to embed", embed, {"tokens": "   "}, ValueError, "text"),
    # causal_mask
    ("causal_mask(0)", causal_mask, {"n": 0}, ValueError, "n must be >= 1"),
    ("causal_mask(2.5)", causal_mask, {"n": 2.5}, TypeError, "n must be a whole number"),
    ("causal_mask('3')", causal_mask, {"n": "3"}, TypeError, "n must be a whole number"),
    # softmax axis and fully masked slices
    ("softmax axis too large", softmax, {"x": Q, "axis": 2}, ValueError, "axis"),
    ("softmax axis too small", softmax, {"x": Q, "axis": -3}, ValueError, "axis"),
    ("softmax axis float", softmax, {"x": Q, "axis": 1.0}, TypeError, "axis"),
    ("softmax slice all -inf", softmax, {"x": np.array([[0.0, 1.0], [-np.inf, -np.inf]])}, ValueError, "-inf"),
    # random_weights
    ("random_weights d_in=0", random_weights, {"d_in": 0, "d_out": 3}, ValueError, "d_in"),
    ("random_weights d_out float", random_weights, {"d_in": 3, "d_out": 2.0}, TypeError, "d_out"),
]

# Rows whose message must also say what was given: a shape or a value after "got".
SHAPE_ERRORS = {
    "Q 1-D", "K 1-D", "V 1-D", "X 1-D", "mha X 1-D", "W_k 1-D", "W_v 3-D", "d_k of Q and K differ",
    "V wrong number of rows", "W_q wrong row count", "W_v wrong row count", "W_q and W_k widths differ",
    "W_o wrong shape", "mha W_q not square", "empty Q", "empty sequence X", "empty sequence mha",
    "empty softmax x", "mask that does not broadcast", "mha mask 1-D of the wrong length", "mha mask wrong shape",
}

PARAMS = [pytest.param(fn, kwargs, exc, substring, id=name) for name, fn, kwargs, exc, substring in BAD]


def test_table_is_large_and_ids_are_unique():
    names = [row[0] for row in BAD]
    assert len(names) >= 30 and len(set(names)) == len(names)
    assert SHAPE_ERRORS <= set(names)


@pytest.mark.parametrize("fn, kwargs, exc, substring", PARAMS)
def test_bad_input_raises_a_clear_error(fn, kwargs, exc, substring):
    with pytest.raises(exc) as info:
        fn(**kwargs)
    assert type(info.value) is exc                            # not a subclass such as numpy's AxisError
    message = str(info.value)
    assert substring in message, message


@pytest.mark.parametrize("fn, kwargs, exc, substring",
                         [p for p, row in zip(PARAMS, BAD) if row[0] in SHAPE_ERRORS])
def test_shape_errors_say_what_they_got(fn, kwargs, exc, substring):
    with pytest.raises(exc) as info:
        fn(**kwargs)
    message = str(info.value)
    assert "got" in message, message
    assert re.search(r"got .*\(\d*(, ?\d+)*,?\)", message), f"no shape after 'got' in {message!r}"


@pytest.mark.parametrize("row", [r for r in BAD if r[0] in {"NaN in Q", "+inf in W_v", "NaN in V"}],
                         ids=lambda r: r[0])
def test_non_finite_errors_say_where(row):
    _, fn, kwargs, exc, _ = row
    with pytest.raises(exc, match=r"got (nan|inf) at index \(\d+, \d+\)"):
        fn(**kwargs)


def test_no_bad_input_leaks_a_numpy_warning():
    for name, fn, kwargs, exc, _ in BAD:
        with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
            warnings.simplefilter("error")
            try:
                fn(**kwargs)
            except exc:
                pass
            else:                                             # pragma: no cover - a failure
                pytest.fail(f"{name}: no {exc.__name__} raised")


def test_mha_mask_errors_speak_of_the_callers_shapes():
    """The mask error names the (n, n) the caller must match, not the internal head axis."""
    W = np.eye(8)
    with pytest.raises(ValueError) as info:
        multi_head_attention(X, W, W, W, W, n_heads=2, mask=np.ones((4, 4), dtype=bool))
    assert "(4, 4)" in str(info.value) and "(1, 4, 4)" not in str(info.value)

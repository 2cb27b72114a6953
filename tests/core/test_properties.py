"""Property tests: laws of softmax and attention that must hold for every input, checked with hypothesis."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attn_lib import causal_mask, multi_head_attention, self_attention, softmax


def floats(bound):
    return st.floats(-bound, bound, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape, bound):
    return hnp.arrays(np.float64, shape, elements=floats(bound))


@st.composite
def tokens_and_projections(draw, d_model=None, max_n=6):
    """X of shape (n, d_model) or (b, n, d_model), and W_q, W_k, W_v."""
    n = draw(st.integers(1, max_n))
    d_model = d_model if d_model is not None else draw(st.integers(1, 6))
    d_k, d_v = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = draw(st.sampled_from([(), (2,)]))
    X = draw(arrays(batch + (n, d_model), 3.0))
    W_q, W_k = draw(arrays((d_model, d_k), 2.0)), draw(arrays((d_model, d_k), 2.0))
    W_v = draw(arrays((d_model, d_v), 2.0))
    return X, W_q, W_k, W_v


SETTINGS = settings(max_examples=75, deadline=None)


@SETTINGS
@given(x=arrays(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6), 50.0), data=st.data(),
       temperature=st.floats(0.05, 20.0))
def test_softmax_is_a_distribution_along_its_axis(x, data, temperature):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    p = softmax(x, axis=axis, temperature=temperature)
    assert p.shape == x.shape
    assert np.all((p >= 0.0) & (p <= 1.0))
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=0, atol=1e-12)
    # The largest logit of each slice gets the largest weight.
    top = np.expand_dims(np.argmax(x, axis=axis), axis)
    np.testing.assert_array_equal(np.take_along_axis(p, top, axis=axis), p.max(axis=axis, keepdims=True))


@SETTINGS
@given(x=arrays(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8), 20.0), shift=floats(100.0))
def test_softmax_is_shift_invariant(x, shift):
    np.testing.assert_allclose(softmax(x + shift), softmax(x), rtol=1e-10, atol=1e-13)
    if x.ndim == 2:                                       # each row may have its own shift
        row_shift = np.linspace(-shift, shift, x.shape[0])[:, None]
        np.testing.assert_allclose(softmax(x + row_shift), softmax(x), rtol=1e-10, atol=1e-13)
        col_shift = np.linspace(shift, -shift, x.shape[1])[None, :]   # ... and along axis 0, each column
        np.testing.assert_allclose(softmax(x + col_shift, axis=0), softmax(x, axis=0), rtol=1e-10, atol=1e-13)


@SETTINGS
@given(inputs=tokens_and_projections(), data=st.data())
def test_self_attention_is_permutation_equivariant(inputs, data):
    X, W_q, W_k, W_v = inputs
    n = X.shape[-2]
    perm = np.array(data.draw(st.permutations(range(n)), label="perm"))
    out, w = self_attention(X, W_q, W_k, W_v)
    out_p, w_p = self_attention(X[..., perm, :], W_q, W_k, W_v)
    np.testing.assert_allclose(out_p, out[..., perm, :], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(w_p, w[..., perm, :][..., :, perm], rtol=1e-9, atol=1e-12)


@SETTINGS
@given(inputs=tokens_and_projections(), temperature=st.floats(0.1, 10.0), scale=st.booleans())
def test_causal_weights_are_exactly_zero_above_the_diagonal(inputs, temperature, scale):
    X, W_q, W_k, W_v = inputs
    n = X.shape[-2]
    out, w = self_attention(X, W_q, W_k, W_v, mask=causal_mask(n), temperature=temperature, scale=scale)
    above = np.triu(np.ones((n, n), dtype=bool), k=1)
    assert np.all(w[..., above] == 0.0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    # So the first token's output is its own value vector, whatever comes after it.
    np.testing.assert_allclose(out[..., 0, :], (X @ W_v)[..., 0, :], rtol=1e-12, atol=1e-12)


@st.composite
def multi_head_inputs(draw):
    n_heads, d_head = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    d = n_heads * d_head
    n = draw(st.integers(1, 5))
    batch = draw(st.sampled_from([(), (2,)]))
    X = draw(arrays(batch + (n, d), 3.0))
    W_q, W_k, W_v, W_o = (draw(arrays((d, d), 1.5)) for _ in range(4))
    mask = causal_mask(n) if draw(st.booleans()) else None
    return n_heads, X, W_q, W_k, W_v, W_o, mask


@SETTINGS
@given(inputs=multi_head_inputs())
def test_one_head_is_self_attention_then_w_o(inputs):
    _, X, W_q, W_k, W_v, W_o, mask = inputs
    out, w = multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=1, mask=mask)
    sa_out, sa_w = self_attention(X, W_q, W_k, W_v, mask=mask)
    assert w.shape == X.shape[:-2] + (1,) + sa_w.shape[-2:]
    np.testing.assert_allclose(w[..., 0, :, :], sa_w, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out, sa_out @ W_o, rtol=1e-9, atol=1e-10)


@SETTINGS
@given(inputs=multi_head_inputs())
def test_each_head_is_self_attention_on_its_column_slice(inputs):
    n_heads, X, W_q, W_k, W_v, W_o, mask = inputs
    out, w = multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=n_heads, mask=mask)
    d_head = X.shape[-1] // n_heads
    assert w.shape == X.shape[:-2] + (n_heads, X.shape[-2], X.shape[-2])
    head_outputs = []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        o, ww = self_attention(X, W_q[:, cols], W_k[:, cols], W_v[:, cols], mask=mask)
        np.testing.assert_allclose(w[..., h, :, :], ww, rtol=1e-9, atol=1e-12)
        head_outputs.append(o)
    np.testing.assert_allclose(out, np.concatenate(head_outputs, axis=-1) @ W_o, rtol=1e-9, atol=1e-10)

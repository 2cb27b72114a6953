"""tiled_attention against attention (same output, same errors, less memory), and online_softmax_blocks.

attention itself is checked against PyTorch in tests/test_reference_torch.py; here the
reference is attention, in float64, so the tolerance is 1e-12 (observed: ~1e-16).
"""

import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from attn_lib import (
    attention,
    causal_mask,
    causal_padding_mask,
    online_softmax_blocks,
    padding_mask,
    softmax,
    tiled_attention,
)

ATOL = 1e-12
SETTINGS = settings(max_examples=150, deadline=None)


def assert_same_output(Q, K, V, mask=None, block_size=64, scale=True):
    expected = attention(Q, K, V, mask=mask, scale=scale)[0]
    got = tiled_attention(Q, K, V, mask=mask, block_size=block_size, scale=scale)
    assert got.shape == expected.shape
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=0, atol=ATOL)


def block_sizes(n_k):
    """1, sizes that do not divide n_k, n_k itself, and sizes larger than n_k."""
    return st.one_of(st.just(1), st.integers(1, n_k + 5))


def random_mask(rng, shape):
    """A random boolean mask in which every query row allows at least one key."""
    mask = rng.random(shape) < rng.uniform(0.05, 0.9)
    rows = mask.reshape(-1, shape[-1])                                          # (rows, n_k)
    rows[np.arange(rows.shape[0]), rng.integers(0, shape[-1], size=rows.shape[0])] = True
    return rows.reshape(shape)                                                  # shape


@st.composite
def broadcast_inputs(draw):
    """Q, K, V with batch dimensions that broadcast against each other, and a mask (or None) that does too."""
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=4, min_dims=0, max_dims=2, max_side=3))
    (q_batch, k_batch, v_batch, mask_batch), _ = batch
    n_q, n_k = draw(st.integers(1, 12), label="n_q"), draw(st.integers(1, 12), label="n_k")
    d_k, d_v = draw(st.integers(1, 5), label="d_k"), draw(st.integers(1, 4), label="d_v")
    spread = draw(st.sampled_from([0.1, 1.0, 5.0]), label="spread")     # 5.0: scores in the hundreds
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    Q = spread * rng.standard_normal(q_batch + (n_q, d_k))                      # (..., n_q, d_k)
    K = spread * rng.standard_normal(k_batch + (n_k, d_k))                      # (..., n_k, d_k)
    V = rng.standard_normal(v_batch + (n_k, d_v))                               # (..., n_k, d_v)
    mask_rows = draw(st.sampled_from([None, n_q, 1]), label="mask rows")        # None: no mask; 1: same for all queries
    mask = None if mask_rows is None else random_mask(rng, mask_batch + (mask_rows, n_k))
    return Q, K, V, mask


@SETTINGS
@given(inputs=broadcast_inputs(), scale=st.booleans(), data=st.data())
def test_tiled_equals_attention_for_broadcast_batches_and_random_masks(inputs, scale, data):
    Q, K, V, mask = inputs
    block_size = data.draw(block_sizes(K.shape[-2]), label="block_size")
    assert_same_output(Q, K, V, mask=mask, block_size=block_size, scale=scale)


@SETTINGS
@given(n=st.integers(1, 24), d=st.integers(1, 8), seed=st.integers(0, 2**32 - 1), scale=st.booleans(),
       data=st.data())
def test_tiled_equals_attention_with_a_causal_mask(n, d, seed, scale, data):
    rng = np.random.default_rng(seed)
    Q, K, V = (rng.standard_normal((2, n, d)) for _ in range(3))               # (2, n, d) each
    block_size = data.draw(block_sizes(n), label="block_size")
    assert_same_output(Q, K, V, mask=causal_mask(n), block_size=block_size, scale=scale)


@SETTINGS
@given(lengths=st.lists(st.integers(1, 16), min_size=1, max_size=4), extra=st.integers(0, 4),
       seed=st.integers(0, 2**32 - 1), causal=st.booleans(), scale=st.booleans(), data=st.data())
def test_tiled_equals_attention_with_padding_masks(lengths, extra, seed, causal, scale, data):
    n = max(lengths) + extra                                                    # padded length
    mask = causal_padding_mask(lengths, n) if causal else padding_mask(lengths, n)  # (b, n, n) or (b, 1, n)
    rng = np.random.default_rng(seed)
    Q, K, V = (rng.standard_normal((len(lengths), n, 4)) for _ in range(3))    # (b, n, 4) each
    block_size = data.draw(block_sizes(n), label="block_size")
    assert_same_output(Q, K, V, mask=mask, block_size=block_size, scale=scale)


def test_a_row_whose_allowed_keys_all_come_in_a_late_block(rng):
    """Rows that see only masked keys for several blocks must not turn into nan (-inf - -inf)."""
    n = 10
    Q, K, V = (rng.standard_normal((n, 3)) for _ in range(3))                  # (n, 3) each
    mask = np.zeros((n, n), dtype=bool)
    mask[:, -1] = True                                                          # every query sees only the last key
    mask[0, 4] = True
    for block_size in (1, 3, 4, 9):
        got = tiled_attention(Q, K, V, mask=mask, block_size=block_size)
        assert np.isfinite(got).all()
        np.testing.assert_allclose(got[1:], np.broadcast_to(V[-1], (n - 1, 3)), rtol=0, atol=ATOL)
        assert_same_output(Q, K, V, mask=mask, block_size=block_size)


@pytest.mark.parametrize("offset", [1e4, -1e4])
def test_scores_in_the_thousands_neither_overflow_nor_underflow(rng, offset):
    """exp(1e4) overflows and exp(-1e4) is 0: only the running maximum keeps both exact."""
    K = np.hstack([np.ones((40, 1)), rng.standard_normal((40, 3))])            # (40, 4)
    Q = np.hstack([np.full((6, 1), offset), rng.standard_normal((6, 3))])      # (6, 4): every score is offset + O(1)
    V = rng.standard_normal((40, 3))
    for block_size in (1, 7, 64):
        got = tiled_attention(Q, K, V, block_size=block_size, scale=False)
        assert np.isfinite(got).all()
        assert_same_output(Q, K, V, block_size=block_size, scale=False)


def test_integer_inputs_and_the_default_block_size(rng):
    Q = rng.integers(-3, 4, size=(3, 300, 8))                                   # more keys than one block
    K = rng.integers(-3, 4, size=(300, 8))
    V = rng.integers(-3, 4, size=(300, 5))
    np.testing.assert_allclose(tiled_attention(Q, K, V), attention(Q, K, V)[0], rtol=0, atol=ATOL)


# --- errors: the same type and message as attention -----------------------------------------


def raised(function):
    """(exception type, message) that ``function()`` raises; fails the test if it raises nothing."""
    with pytest.raises((TypeError, ValueError)) as info:
        function()
    return info.type, str(info.value)


def _bad_inputs():
    rng = np.random.default_rng(0)
    Q, K, V = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 6, 4)), rng.standard_normal((2, 6, 3))
    ok = np.ones((5, 6), dtype=bool)
    empty_row = np.ones((2, 5, 6), dtype=bool)
    empty_row[1, 3] = False                                                     # batch 1, query 3 sees nothing
    empty_late = np.ones((5, 6), dtype=bool)
    empty_late[4] = False
    nan = Q.copy()
    nan[1, 2, 3] = np.nan
    return {
        "Q is a list": (Q.tolist(), K, V, None),
        "Q is boolean": (Q > 0, K, V, None),
        "Q is 1-D": (Q[0, 0], K, V, None),
        "Q is empty": (Q[:, :0], K, V, None),
        "Q holds nan": (nan, K, V, None),
        "K is a str": (Q, "K", V, None),
        "d_k differs": (Q, K[..., :3], V, None),
        "batches of Q and K do not broadcast": (Q, np.stack([K[0]] * 3), V, None),
        "V has the wrong number of rows": (Q, K, V[:, :5], None),
        "V is 1-D": (Q, K, V[0, 0], None),
        "batch of V does not broadcast": (Q, K, np.stack([V[0]] * 3), None),
        "mask is a list": (Q, K, V, ok.tolist()),
        "mask is float": (Q, K, V, ok.astype(float)),
        "mask has the wrong shape": (Q, K, V, ok[:, :5]),
        "mask batch does not broadcast": (Q, K, V, np.ones((3, 5, 6), dtype=bool)),
        "mask leaves a query row empty": (Q, K, V, empty_row),
        "mask leaves the last query row empty": (Q, K, V, empty_late),
    }


BAD_INPUTS = _bad_inputs()


@pytest.mark.parametrize("case", BAD_INPUTS)
@pytest.mark.parametrize("block_size", [1, 4, 64])
def test_bad_input_raises_what_attention_raises(case, block_size):
    Q, K, V, mask = BAD_INPUTS[case]
    expected = raised(lambda: attention(Q, K, V, mask=mask))
    assert raised(lambda: tiled_attention(Q, K, V, mask=mask, block_size=block_size)) == expected


def test_the_empty_row_message_names_the_row_and_its_batch_index():
    Q, K, V, mask = BAD_INPUTS["mask leaves a query row empty"]
    _, message = raised(lambda: tiled_attention(Q, K, V, mask=mask, block_size=2))
    assert "query row 3 (index (1, 3))" in message


@SETTINGS
@given(inputs=broadcast_inputs(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_a_mask_with_an_empty_row_raises_what_attention_raises(inputs, seed, data):
    Q, K, V, mask = inputs
    n_q, n_k = Q.shape[-2], K.shape[-2]
    mask = np.ones((n_q, n_k), dtype=bool) if mask is None else mask.copy()
    rows = mask.reshape(-1, mask.shape[-1])                                     # (rows, n_k)
    rows[np.random.default_rng(seed).integers(rows.shape[0])] = False
    block_size = data.draw(block_sizes(n_k), label="block_size")
    expected = raised(lambda: attention(Q, K, V, mask=mask))
    assert "attend to nothing" in expected[1]
    assert raised(lambda: tiled_attention(Q, K, V, mask=mask, block_size=block_size)) == expected


@pytest.mark.parametrize("block_size, error", [
    (0, ValueError), (-3, ValueError), (2.5, TypeError), (64.0, TypeError), (True, TypeError),
    ("64", TypeError), (None, TypeError),
])
def test_block_size_must_be_a_positive_whole_number(rng, block_size, error):
    Q = rng.standard_normal((4, 3))
    with pytest.raises(error, match="block_size"):
        tiled_attention(Q, Q, Q, block_size=block_size)


def test_scale_must_be_a_flag(rng):
    Q = rng.standard_normal((4, 3))
    assert raised(lambda: tiled_attention(Q, Q, Q, scale=1)) == raised(lambda: attention(Q, Q, Q, scale=1))


# --- memory: never an n_q x n_k array ---------------------------------------------------------


def peak_bytes(function):
    """The most memory ``function()`` holds at once (tracemalloc sees numpy's arrays)."""
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("mask_kind", ["none", "causal", "padding"])
def test_tiled_attention_never_allocates_an_n_by_n_array(rng, mask_kind):
    n, d, block_size = 2048, 16, 128
    Q, K, V = (rng.standard_normal((n, d)) for _ in range(3))                  # (n, d) each
    mask = {"none": None, "causal": causal_mask(n), "padding": padding_mask([n - 100], n)}[mask_kind]
    one_n_by_n = n * n * 8                                                      # bytes of one (n, n) float64 array
    peak = peak_bytes(lambda: tiled_attention(Q, K, V, mask=mask, block_size=block_size))
    assert peak < one_n_by_n / 2, f"peak {peak / 2**20:.1f} MiB; one n x n array is {one_n_by_n / 2**20:.0f} MiB"


def test_the_memory_measurement_sees_attentions_n_by_n_arrays(rng):
    """The control for the test above: the same measurement on attention exceeds one n x n array."""
    n, d = 2048, 16
    Q, K, V = (rng.standard_normal((n, d)) for _ in range(3))                  # (n, d) each
    assert peak_bytes(lambda: attention(Q, K, V)) > n * n * 8


# --- online_softmax_blocks: the single-row building block ------------------------------------


@SETTINGS
@given(x=hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(-300, 300)),
       block_size=st.integers(1, 45))
def test_online_softmax_blocks_ends_with_the_max_and_the_sum_of_softmax(x, block_size):
    steps = online_softmax_blocks(x, block_size)
    assert len(steps) == math.ceil(x.size / block_size)
    assert [s.start for s in steps] == list(range(0, x.size, block_size))
    assert [s.stop for s in steps] == [min(start + block_size, x.size) for start in range(0, x.size, block_size)]
    last = steps[-1]
    assert last.running_max == x.max()
    np.testing.assert_allclose(last.running_sum, np.exp(x - x.max()).sum(), rtol=1e-12)
    np.testing.assert_allclose(np.exp(x - last.running_max) / last.running_sum, softmax(x), rtol=0, atol=ATOL)
    previous_max = -np.inf
    for step in steps:
        assert step.block_max == x[step.start:step.stop].max()
        assert step.running_max == max(previous_max, step.block_max)
        np.testing.assert_allclose(step.rescale, np.exp(previous_max - step.running_max), rtol=1e-12)
        np.testing.assert_allclose(step.running_sum, np.exp(x[:step.stop] - step.running_max).sum(), rtol=1e-12)
        previous_max = step.running_max


def test_online_softmax_blocks_by_hand():
    x = np.array([1.0, 3.0, 2.0, 5.0, 0.0])
    steps = online_softmax_blocks(x, 2)
    assert [(s.start, s.stop, s.block_max, s.running_max) for s in steps] == [
        (0, 2, 3.0, 3.0), (2, 4, 5.0, 5.0), (4, 5, 0.0, 5.0)]
    assert steps[0].rescale == 0.0                                              # nothing summed before
    np.testing.assert_allclose(steps[1].rescale, np.exp(3.0 - 5.0), rtol=1e-15)  # the max grew: shrink the old sum
    assert steps[2].rescale == 1.0                                              # the max stayed
    np.testing.assert_allclose(steps[0].running_sum, np.exp(-2.0) + 1.0, rtol=1e-15)


def test_online_softmax_blocks_with_masked_entries():
    x = np.array([-np.inf, -np.inf, -np.inf, 2.0, -np.inf, 1.0])
    steps = online_softmax_blocks(x, 2)
    assert steps[0].running_max == -np.inf and steps[0].running_sum == 0.0   # only masked entries so far: no nan
    assert steps[-1].running_max == 2.0
    np.testing.assert_allclose(steps[-1].running_sum, 1.0 + np.exp(-1.0), rtol=1e-15)


@pytest.mark.parametrize("x, block_size, error, words", [
    (np.full(3, -np.inf), 2, ValueError, "no finite entry"),
    (np.ones((2, 3)), 2, ValueError, "x must have shape (n,)"),
    ([1.0, 2.0], 2, TypeError, "x must be a numpy array"),
    (np.array([1.0, np.nan]), 2, ValueError, "x must contain only"),
    (np.ones(3), 0, ValueError, "block_size must be >= 1"),
    (np.ones(3), 1.5, TypeError, "block_size must be a whole number"),
])
def test_online_softmax_blocks_rejects_bad_input(x, block_size, error, words):
    with pytest.raises(error) as info:
        online_softmax_blocks(x, block_size)
    assert words in str(info.value)

"""attn_lib.lessons.lesson12: cost formulas, measurements, the online-softmax trace, the KV cache, sliding windows.

The references here are loops and plain numpy written from scratch, so a mistake shared by
lesson12 and attn_lib.core could not hide. No test asserts on a time.
"""

import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import attn_lib as al
from attn_lib.lessons.lesson12 import (
    BYTES_PER_NUMBER,
    GPT2_SMALL,
    MIB,
    ONLINE_ROW,
    ONLINE_VALUES,
    attended_pairs,
    attention_multiply_adds,
    best_seconds,
    kv_cache_bytes,
    measure_attention,
    online_softmax_trace,
    peak_bytes,
    random_qkv,
    sliding_window_attention,
    sliding_window_mask,
    weights_bytes,
)

# ----- counting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n_q, n_k, d_k, d_v", [(1, 1, 1, 1), (6, 6, 4, 4), (3, 5, 2, 7)])
def test_multiply_adds_count_every_product(n_q, n_k, d_k, d_v):
    by_loops = sum(d_k for _ in range(n_q) for _ in range(n_k)) + sum(n_k for _ in range(n_q) for _ in range(d_v))
    assert attention_multiply_adds(n_q, n_k, d_k, d_v) == by_loops
    assert attention_multiply_adds(n_q, n_k, d_k) == n_q * n_k * 2 * d_k        # d_v defaults to d_k


def test_doubling_n_quadruples_work_and_weights():
    for n in (64, 512, 4096):
        assert attention_multiply_adds(2 * n, 2 * n, 64) == 4 * attention_multiply_adds(n, n, 64)
        assert weights_bytes(2 * n, 2 * n) == 4 * weights_bytes(n, n)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16"])
def test_weights_bytes_is_what_numpy_allocates(dtype):
    assert weights_bytes(30, 17, BYTES_PER_NUMBER[dtype]) == np.empty((30, 17), dtype=dtype).nbytes
    assert weights_bytes(4096, 4096) / MIB == 128.0


@pytest.mark.parametrize("call, error, name", [
    (lambda: attention_multiply_adds(0, 3, 2), ValueError, "n_q"),
    (lambda: attention_multiply_adds(3, 3.0, 2), TypeError, "n_k"),
    (lambda: attention_multiply_adds(3, 3, 2, d_v=-1), ValueError, "d_v"),
    (lambda: weights_bytes(3, 3, bytes_per_number=0), ValueError, "bytes_per_number"),
    (lambda: kv_cache_bytes(True, 8), TypeError, "n_layers"),
    (lambda: sliding_window_mask(4, 0), ValueError, "window"),
    (lambda: attended_pairs(0), ValueError, "n"),
])
def test_bad_sizes_name_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name} must"):
        call()


# ----- measuring ----------------------------------------------------------------------------------

def test_peak_bytes_sees_a_numpy_array_and_not_the_inputs():
    peak = peak_bytes(lambda: np.ones(1_000_000))                 # 8 MB, freed when the call ends
    assert 8_000_000 <= peak < 8_000_000 + 100_000
    held = np.ones(1_000_000)
    assert peak_bytes(lambda: held.sum()) < 100_000                # reading an input allocates nothing big


def test_peak_bytes_leaves_tracing_as_it_found_it():
    assert not tracemalloc.is_tracing()
    peak_bytes(lambda: None)
    assert not tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        _ = np.ones(2_000_000)                                     # an earlier, larger peak must not count
        del _
        assert 800_000 <= peak_bytes(lambda: np.ones(100_000)) < 900_000
        assert tracemalloc.is_tracing()
    finally:
        tracemalloc.stop()


def test_attention_peaks_at_four_n_by_n_arrays_and_tiled_far_below():
    Q, K, V = random_qkv(512, 64)
    full = peak_bytes(lambda: al.attention(Q, K, V))
    tiled = peak_bytes(lambda: al.tiled_attention(Q, K, V))
    assert full == pytest.approx(4 * weights_bytes(512, 512), rel=0.05)
    assert tiled < full / 3
    assert peak_bytes(lambda: al.attention(Q, K, V)) == pytest.approx(full, abs=1024)   # the same every run


def test_best_seconds_calls_the_function_repeats_times():
    calls = []
    seconds = best_seconds(lambda: calls.append(1), repeats=4)
    assert len(calls) == 5 and isinstance(seconds, float) and seconds >= 0     # 1 warm-up + 4 timed
    best_seconds(lambda: calls.append(1), repeats=2, warmup=0)
    assert len(calls) == 7
    with pytest.raises(TypeError, match="function must be a function"):
        best_seconds(3)
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        best_seconds(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="warmup must be a whole number"):
        best_seconds(lambda: None, warmup=-1)


def test_measure_attention_measures_each_size_with_the_given_function():
    seen = []

    def spy(Q, K, V):
        seen.append(Q.shape)
        return np.zeros((Q.shape[0], Q.shape[0]))                  # allocates n x n float64

    out = measure_attention([8, 16], d=4, repeats=2, function=spy)
    assert out["n"] == [8, 16] and len(out["seconds"]) == 2
    assert seen == [(8, 4)] * 4 + [(16, 4)] * 4                    # warm-up, 2 timed, 1 traced, per size
    assert [p >= 8 * n * n for p, n in zip(out["peak_bytes"], out["n"])] == [True, True]


def test_random_qkv_is_seeded():
    a, b = random_qkv(5, 3, seed=1), random_qkv(5, 3, seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and a[0].shape == (5, 3)
    assert not np.array_equal(a[0], a[1])


# ----- the online softmax trace -------------------------------------------------------------------

def reference_steps(x, V, block_size):
    """The running numbers after each block, straight from their definitions (no folding)."""
    out = []
    for stop in list(range(block_size, len(x), block_size)) + [len(x)]:
        m = x[:stop].max()
        e = np.exp(x[:stop] - m)
        out.append((m, e.sum(), e @ V[:stop]))
    return out


@pytest.mark.parametrize("block_size", [1, 3, 4, 5, 12, 20])
def test_trace_matches_the_definitions_at_every_block(block_size):
    steps = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, block_size)
    assert len(steps) == -(-len(ONLINE_ROW) // block_size)
    for step, (m, l, acc) in zip(steps, reference_steps(ONLINE_ROW, ONLINE_VALUES, block_size)):
        assert step["running_max"] == m and step["running_sum"] == pytest.approx(l, rel=1e-12)
        np.testing.assert_allclose(step["acc"], acc, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(step["output"], acc / l, rtol=1e-12, atol=1e-14)
        seen = slice(0, step["stop"])
        np.testing.assert_allclose(step["weights"][seen], np.exp(ONLINE_ROW[seen] - m) / l, rtol=1e-12)
        assert not step["weights"][step["stop"]:].any()
    last = steps[-1]
    np.testing.assert_allclose(last["weights"], al.softmax(ONLINE_ROW), rtol=0, atol=1e-15)
    np.testing.assert_allclose(last["output"], al.softmax(ONLINE_ROW) @ ONLINE_VALUES, rtol=0, atol=1e-14)


def test_trace_rescales_the_old_partial_output_by_exp_old_minus_new():
    steps = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, 4)
    for before, now in itertools.pairwise(steps):
        assert now["previous_max"] == before["running_max"] and now["previous_sum"] == before["running_sum"]
        assert now["rescale"] == pytest.approx(np.exp(before["running_max"] - now["running_max"]))
        np.testing.assert_array_equal(now["acc_before"], before["acc"])
        np.testing.assert_allclose(now["acc_rescaled"], before["acc"] * now["rescale"])
        np.testing.assert_allclose(now["acc"], now["acc_rescaled"] + now["block_output"])
    assert steps[0]["previous_max"] == -np.inf and steps[0]["rescale"] == 0.0


def test_trace_agrees_with_the_core_replay():
    for block_size in (2, 4, 7):
        core = al.online_softmax_blocks(ONLINE_ROW, block_size)
        mine = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, block_size)
        assert [(s.start, s.stop, s.block_max, s.running_max) for s in core] == \
               [(s["start"], s["stop"], s["block_max"], s["running_max"]) for s in mine]
        np.testing.assert_allclose([s.running_sum for s in core], [s["running_sum"] for s in mine], rtol=1e-15)


def test_the_course_row_raises_its_maximum_in_block_two_only():
    """Notebook 12 says so in sections 3 and 4: block 2 rescales, block 3 does not."""
    steps = online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, 4)
    assert [s["rescale"] < 1 for s in steps[1:]] == [True, False]
    assert ONLINE_VALUES.shape == (12, 2)


def test_trace_never_overflows_for_large_scores():
    steps = online_softmax_trace(ONLINE_ROW + 1e4, ONLINE_VALUES, 4)
    np.testing.assert_allclose(steps[-1]["output"], al.softmax(ONLINE_ROW) @ ONLINE_VALUES, atol=1e-12)


def test_trace_bad_inputs():
    with pytest.raises(ValueError, match="V must have one row per score"):
        online_softmax_trace(ONLINE_ROW, ONLINE_VALUES[:5], 4)
    with pytest.raises(ValueError, match="x must have shape"):
        online_softmax_trace(ONLINE_VALUES, ONLINE_VALUES, 4)
    with pytest.raises(TypeError, match="block_size must be a whole number"):
        online_softmax_trace(ONLINE_ROW, ONLINE_VALUES, 2.0)


# ----- the KV cache -------------------------------------------------------------------------------

def test_kv_cache_bytes_formula_and_gpt2_small():
    assert kv_cache_bytes(3, 10, n_tokens=7, bytes_per_number=2) == 2 * 3 * 10 * 7 * 2
    layers, d_model = GPT2_SMALL["n_layers"], GPT2_SMALL["d_model"]
    assert kv_cache_bytes(layers, d_model, bytes_per_number=4) == 73728          # 72 KiB per token, float32
    assert kv_cache_bytes(layers, d_model, n_tokens=GPT2_SMALL["context"], bytes_per_number=2) / MIB == 36.0
    assert GPT2_SMALL["d_model"] % GPT2_SMALL["n_heads"] == 0


def test_kv_cache_bytes_is_what_notebook_11s_cache_holds():
    from attn_lib.lessons.lesson11 import (
        CONFIG,
        empty_kv_cache,
        encode,
        init_params,
        step_with_cache,
    )

    params = init_params(CONFIG, seed=0)
    cache = empty_kv_cache(params)
    tokens = encode("the cat sat on the mat .")
    for token in tokens:
        step_with_cache(params, int(token), cache)
    held = sum(layer["K"].nbytes + layer["V"].nbytes for layer in cache)
    assert held == kv_cache_bytes(CONFIG["n_layers"], CONFIG["d_model"], n_tokens=len(tokens))


# ----- sliding windows ----------------------------------------------------------------------------

def test_sliding_window_mask_edges():
    np.testing.assert_array_equal(sliding_window_mask(5, 1), np.eye(5, dtype=bool))
    np.testing.assert_array_equal(sliding_window_mask(6, 2), np.eye(6, dtype=bool) | np.eye(6, k=-1, dtype=bool))
    np.testing.assert_array_equal(sliding_window_mask(6, 6), al.causal_mask(6))
    np.testing.assert_array_equal(sliding_window_mask(6, 60), al.causal_mask(6))
    assert sliding_window_mask(4, 2).dtype == bool


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), window=st.integers(1, 45))
def test_sliding_window_mask_rows_and_pairs(n, window):
    mask = sliding_window_mask(n, window)
    for i in range(n):
        assert [j for j in range(n) if mask[i, j]] == list(range(max(0, i - window + 1), i + 1))
    assert attended_pairs(n, window) == mask.sum()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 25), window=st.integers(1, 30), seed=st.integers(0, 10 ** 6))
def test_sliding_window_attention_equals_masked_attention(n, window, seed):
    rng = np.random.default_rng(seed)
    Q, K = rng.normal(size=(n, 3)), rng.normal(size=(n, 3))
    V = rng.normal(size=(n, 2))
    expected = al.attention(Q, K, V, mask=sliding_window_mask(n, window))[0]
    np.testing.assert_allclose(sliding_window_attention(Q, K, V, window), expected, rtol=0, atol=1e-12)


def test_a_window_of_one_returns_each_tokens_own_value():
    Q, K, V = random_qkv(9, 4, seed=3)
    np.testing.assert_allclose(sliding_window_attention(Q, K, V, 1), V)


def test_sliding_window_attention_bad_inputs():
    Q, K, V = random_qkv(6, 4)
    with pytest.raises(ValueError, match="K must have the shape of Q"):
        sliding_window_attention(Q, K[:5], V, 2)
    with pytest.raises(ValueError, match="V must have one row per token"):
        sliding_window_attention(Q, K, V[:5], 2)
    with pytest.raises(TypeError, match="Q must be a numpy array"):
        sliding_window_attention(Q.tolist(), K, V, 2)


def test_attended_pairs_counts():
    assert attended_pairs(10, causal=False) == 100
    assert attended_pairs(10) == 55 == al.causal_mask(10).sum()
    assert attended_pairs(4096, 256) == sum(min(i + 1, 256) for i in range(4096))
    assert attended_pairs(8192, 128) == pytest.approx(2 * attended_pairs(4096, 128), rel=0.01)   # ~ doubles

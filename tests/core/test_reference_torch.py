"""attn_lib against PyTorch's reference implementations, in float64.

These tests need PyTorch: ``pip install torch==2.13.0`` (a CPU build is enough,
e.g. ``--index-url https://download.pytorch.org/whl/cpu``). Without it they are
skipped, saying why.

Conventions that differ between the two libraries:

* ``scaled_dot_product_attention``'s boolean ``attn_mask`` is True where a query
  MAY attend, like attn_lib's ``mask``.
* ``nn.MultiheadAttention``'s boolean ``attn_mask`` and ``key_padding_mask`` are
  True where attention is NOT allowed, so attn_lib's mask is passed as ``~mask``.
* ``nn.MultiheadAttention`` computes ``x @ W.T``; attn_lib computes ``x @ W``, so
  the weights are transposed when copied.
"""

import math

import numpy as np
import pytest

from _references import import_reference  # noqa: E402

torch = import_reference("torch", "the reference tests need `pip install torch==2.13.0` (a CPU build is enough)")
F = torch.nn.functional

from attn_lib import attention, causal_mask, multi_head_attention  # noqa: E402

SEEDS = [0, 1, 2]
ATOL = 1e-12            # float64 on both sides; observed differences are ~1e-16


def tt(a):
    """numpy -> torch without copying, keeping float64 / bool."""
    return torch.from_numpy(np.ascontiguousarray(a))


def random_mask(rng, shape):
    """A random boolean mask in which every query row allows at least one key."""
    mask = rng.random(shape) < 0.5
    rows = mask.reshape(-1, shape[-1])
    rows[np.arange(rows.shape[0]), rng.integers(0, shape[-1], size=rows.shape[0])] = True
    mask = rows.reshape(shape)
    assert mask.any(axis=-1).all()
    return mask


def torch_weights(q, k, scale, mask=None):
    """softmax(q k^T * scale) with masked entries set to -inf, computed by torch."""
    s = (q @ k.transpose(-2, -1)) * scale
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    return torch.softmax(s, dim=-1)


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, what
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL, err_msg=what)


# ------------------------------------------------------------------ scaled_dot_product_attention

MASK_SHAPES = {                    # broadcastable to (2, 3, n_q, n_k)
    "full": lambda n_q, n_k: (2, 3, n_q, n_k),
    "shared": lambda n_q, n_k: (n_q, n_k),
    "per head": lambda n_q, n_k: (3, n_q, n_k),
    "per sequence": lambda n_q, n_k: (2, 1, n_q, n_k),
    "key padding": lambda n_q, n_k: (2, 1, 1, n_k),
}


def _qkv(seed, n_q=5, n_k=5, d=8, d_v=6):
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(2, 3, n_q, d))
    K = rng.normal(size=(2, 3, n_k, d))
    V = rng.normal(size=(2, 3, n_k, d_v))
    return rng, Q, K, V


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_q, n_k", [(5, 5), (4, 7)])
def test_sdpa_no_mask(seed, n_q, n_k):
    _, Q, K, V = _qkv(seed, n_q, n_k)
    out, w = attention(Q, K, V)
    q, k, v = tt(Q), tt(K), tt(V)
    assert_close(out, F.scaled_dot_product_attention(q, k, v), "output")
    assert_close(w, torch_weights(q, k, 1 / math.sqrt(Q.shape[-1])), "weights")


@pytest.mark.parametrize("seed", SEEDS)
def test_sdpa_causal(seed):
    _, Q, K, V = _qkv(seed)
    n = Q.shape[-2]
    out, w = attention(Q, K, V, mask=causal_mask(n))
    q, k, v = tt(Q), tt(K), tt(V)
    assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True), "output vs is_causal=True")
    explicit = tt(causal_mask(n))
    assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=explicit), "output vs explicit mask")
    assert_close(w, torch_weights(q, k, 1 / math.sqrt(Q.shape[-1]), explicit), "weights")
    assert np.all(w[..., ~causal_mask(n)] == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mask_shape", sorted(MASK_SHAPES))
def test_sdpa_random_broadcast_masks(seed, mask_shape):
    rng, Q, K, V = _qkv(seed, n_q=4, n_k=6)
    mask = random_mask(rng, MASK_SHAPES[mask_shape](4, 6))
    out, w = attention(Q, K, V, mask=mask)
    q, k, v, m = tt(Q), tt(K), tt(V), tt(mask)
    assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=m), "output")
    assert_close(w, torch_weights(q, k, 1 / math.sqrt(Q.shape[-1]), m), "weights")
    assert np.all(w[..., ~np.broadcast_to(mask, w.shape)] == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale, temperature", [(False, 1.0), (True, 0.5), (True, 3.0), (False, 2.0)])
@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_scale_and_temperature(seed, scale, temperature, masked):
    rng, Q, K, V = _qkv(seed)
    mask = random_mask(rng, (2, 3, 5, 5)) if masked else None
    out, w = attention(Q, K, V, mask=mask, temperature=temperature, scale=scale)
    d = Q.shape[-1]
    torch_scale = 1.0 / ((math.sqrt(d) if scale else 1.0) * temperature)   # attn_lib: s / sqrt(d) / T
    q, k, v = tt(Q), tt(K), tt(V)
    m = tt(mask) if masked else None
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=torch_scale)
    assert_close(out, expected, "output")
    assert_close(w, torch_weights(q, k, torch_scale, m), "weights")


# -------------------------------------------------------------------------- nn.MultiheadAttention

def _torch_mha(seed, embed_dim, n_heads):
    torch.manual_seed(seed)
    layer = torch.nn.MultiheadAttention(embed_dim, n_heads, bias=False, batch_first=True, dtype=torch.float64)
    layer.eval()
    E = embed_dim
    W_in = layer.in_proj_weight.detach().numpy()          # (3E, E), applied as x @ W_in.T
    weights = {"W_q": W_in[:E].T, "W_k": W_in[E:2 * E].T, "W_v": W_in[2 * E:].T,
               "W_o": layer.out_proj.weight.detach().numpy().T}
    return layer, weights


def _compare_mha(seed, embed_dim, n_heads, X, ours_mask=None, attn_mask=None, key_padding_mask=None):
    layer, weights = _torch_mha(seed, embed_dim, n_heads)
    out, w = multi_head_attention(X, **weights, n_heads=n_heads, mask=ours_mask)
    x = tt(X)
    with torch.no_grad():
        t_out, t_w = layer(x, x, x, need_weights=True, average_attn_weights=False,
                           attn_mask=None if attn_mask is None else tt(attn_mask),
                           key_padding_mask=None if key_padding_mask is None else tt(key_padding_mask))
    assert_close(out, t_out, "output")
    assert_close(w, t_w, "per-head weights")
    return w


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("embed_dim, n_heads", [(8, 1), (8, 2), (12, 3), (12, 4), (6, 6)])
def test_mha_no_mask(seed, embed_dim, n_heads):
    X = np.random.default_rng(seed).normal(size=(2, 5, embed_dim))
    _compare_mha(seed, embed_dim, n_heads, X)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("embed_dim, n_heads", [(8, 2), (12, 4)])
def test_mha_causal_mask(seed, embed_dim, n_heads):
    X = np.random.default_rng(seed).normal(size=(2, 6, embed_dim))
    mask = causal_mask(6)
    w = _compare_mha(seed, embed_dim, n_heads, X, ours_mask=mask, attn_mask=~mask)   # torch: True = blocked
    assert np.all(w[..., ~mask] == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_mha_random_shared_mask(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(2, 5, 8))
    mask = random_mask(rng, (5, 5))
    _compare_mha(seed, 8, 2, X, ours_mask=mask, attn_mask=~mask)


@pytest.mark.parametrize("seed", SEEDS)
def test_mha_random_per_sequence_mask(seed):
    rng = np.random.default_rng(seed)
    n_heads, X = 4, rng.normal(size=(2, 5, 8))
    mask = random_mask(rng, (2, 5, 5))
    # torch's 3-D attn_mask has shape (batch * n_heads, n, n), batch-major.
    _compare_mha(seed, 8, n_heads, X, ours_mask=mask, attn_mask=np.repeat(~mask, n_heads, axis=0))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("with_causal", [False, True])
def test_mha_padding_mask(seed, with_causal):
    rng = np.random.default_rng(seed)
    n = 6
    X = rng.normal(size=(2, n, 8))
    real = np.ones((2, n), dtype=bool)
    real[1, -2:] = False                                   # second sequence: last 2 positions are padding
    X[1, -2:] = rng.normal(size=(2, 8)) * 100              # padding content must not matter to real queries
    ours = real[:, None, :]                                # (2, 1, n): True where the key is real
    if with_causal:
        ours = ours & causal_mask(n)                       # (2, n, n)
    w = _compare_mha(seed, 8, 2, X, ours_mask=ours, key_padding_mask=~real,
                     attn_mask=~causal_mask(n) if with_causal else None)
    assert np.all(w[1, :, :, -2:] == 0.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lengths", [(6, 4), (3, 6, 1)])
def test_mha_with_the_librarys_padding_and_causal_masks(seed, lengths):
    """attn_lib.padding_mask and causal_padding_mask, as a learner would use them, against torch."""
    from attn_lib import causal_padding_mask, padding_mask

    rng = np.random.default_rng(seed)
    n = max(lengths)
    X = rng.normal(size=(len(lengths), n, 12))
    real = np.arange(n)[None, :] < np.array(lengths)[:, None]           # (batch, n)
    _compare_mha(seed, 12, 3, X, ours_mask=padding_mask(lengths), key_padding_mask=~real)
    w = _compare_mha(seed, 12, 3, X, ours_mask=causal_padding_mask(lengths), key_padding_mask=~real,
                     attn_mask=~causal_mask(n))
    for b, length in enumerate(lengths):
        assert np.all(w[b, :, :, length:] == 0.0)

"""softmax_backward and attention_backward against PyTorch's autograd, in float64.

Needs PyTorch (a CPU build is enough); without it these tests are skipped, saying why.
``scaled_dot_product_attention``'s boolean ``attn_mask`` is True where a query MAY
attend, like attn_lib's ``mask``; attn_lib's ``scale=False`` is SDPA's ``scale=1.0``.
"""

import numpy as np
import pytest

from _references import import_reference

torch = import_reference("torch", "the backward reference tests need `pip install torch` (a CPU build is enough)")
F = torch.nn.functional

from attn_lib import attention, attention_backward, causal_mask, softmax, softmax_backward  # noqa: E402

TOLERANCE = 1e-10


def leaf(a):
    """A float64 torch tensor that collects its gradient."""
    return torch.tensor(a, dtype=torch.float64, requires_grad=True)


def random_mask(rng, shape):
    """A random boolean mask in which every query row may attend to at least one key."""
    mask = rng.random(shape) < 0.5
    rows = mask.reshape(-1, shape[-1])                                   # (rows, n_k) view
    rows[np.arange(len(rows)), rng.integers(0, shape[-1], size=len(rows))] = True
    return mask


def assert_close(ours, tensor, what):
    theirs = tensor.grad.numpy()
    assert ours.shape == theirs.shape, what
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE, err_msg=what)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(6,), (3, 5), (2, 4, 7)])
@pytest.mark.parametrize("masked", [False, True])
def test_softmax_backward_matches_torch(seed, shape, masked):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=shape) * 3
    if masked:
        hidden = rng.random(shape) < 0.5
        hidden[..., -1] = False                                         # every row keeps its last entry
        s[hidden] = -np.inf
    g = rng.normal(size=shape)
    s_torch = leaf(s)
    torch.softmax(s_torch, dim=-1).backward(torch.from_numpy(g))
    assert_close(softmax_backward(softmax(s), g), s_torch, "dL/dscores")


LAYOUTS = {                      # shapes of Q, K, V, mask (n_q = n_k = 5, d_k = 4, d_v = 3)
    "single, no mask": ((5, 4), (5, 4), (5, 3), None),
    "heads, causal": ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 3), "causal"),
    "heads, key padding": ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 3), (2, 1, 1, 5)),
    "heads, random per head": ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 3), (2, 3, 5, 5)),
    "K and V shared across the batch": ((2, 3, 5, 4), (5, 4), (5, 3), (3, 5, 5)),
    "K per head, V broadcast": ((2, 3, 5, 4), (1, 3, 5, 4), (3, 5, 3), "causal"),
    "Q shared": ((5, 4), (2, 5, 4), (2, 5, 3), (2, 1, 5)),
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_attention_backward_matches_torch_sdpa(seed, scale, layout):
    rng = np.random.default_rng([seed, sorted(LAYOUTS).index(layout)])
    q_shape, k_shape, v_shape, mask_shape = LAYOUTS[layout]
    Q, K, V = rng.normal(size=q_shape), rng.normal(size=k_shape), rng.normal(size=v_shape)
    if mask_shape is None:
        mask = None
    else:
        mask = causal_mask(5) if mask_shape == "causal" else random_mask(rng, mask_shape)
    output, _ = attention(Q, K, V, mask=mask, scale=scale)
    G = rng.normal(size=output.shape)

    q, k, v = leaf(Q), leaf(K), leaf(V)
    attn_mask = None if mask is None else torch.from_numpy(mask)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=None if scale else 1.0)
    np.testing.assert_allclose(output, out.detach().numpy(), rtol=0, atol=TOLERANCE)
    out.backward(torch.from_numpy(G))

    dQ, dK, dV = attention_backward(Q, K, V, G, mask=mask, scale=scale)
    assert_close(dQ, q, "dQ")
    assert_close(dK, k, "dK")
    assert_close(dV, v, "dV")


def test_attention_backward_matches_torch_is_causal():
    rng = np.random.default_rng(7)
    Q, K, V, G = (rng.normal(size=(2, 6, 4)) for _ in range(4))
    q, k, v = leaf(Q), leaf(K), leaf(V)
    F.scaled_dot_product_attention(q, k, v, is_causal=True).backward(torch.from_numpy(G))
    dQ, dK, dV = attention_backward(Q, K, V, G, mask=causal_mask(6))
    assert_close(dQ, q, "dQ")
    assert_close(dK, k, "dK")
    assert_close(dV, v, "dV")

"""softmax_backward and attention_backward against central finite differences, plus bad inputs.

The loss used throughout is linear in the output, ``L = sum(G * output)``, so ``G`` is
exactly ``dL/doutput`` and the finite-difference gradient of ``L`` is the gradient the
backward functions must return. The PyTorch comparison lives in test_backward_reference.py,
so these tests run without torch.
"""

import numpy as np
import pytest
from _gradients import numerical_gradient
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_lib import attention, attention_backward, causal_padding_mask, softmax, softmax_backward

STEP = 1e-5                 # central differences in float64: error ~ STEP**2 + 1e-16 / STEP
MAX_RELATIVE_ERROR = 1e-6


def relative_error(analytic, numeric):
    """Largest entry-wise difference, relative to the largest gradient entry."""
    assert analytic.shape == numeric.shape
    scale = max(np.abs(numeric).max(), np.abs(analytic).max(), 1e-300)
    return np.abs(analytic - numeric).max() / scale


def random_mask(rng, shape, density=0.5):
    """A random boolean mask in which every query row may attend to at least one key."""
    mask = rng.random(shape) < density
    rows = mask.reshape(-1, shape[-1])                                   # (rows, n_k) view
    rows[np.arange(len(rows)), rng.integers(0, shape[-1], size=len(rows))] = True
    assert mask.any(axis=-1).all()
    return mask


# ------------------------------------------------------------------------------ softmax_backward

@pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 3, 6), (2, 1, 3, 2)])
@pytest.mark.parametrize("masked", [False, True])
def test_softmax_backward_matches_finite_differences(shape, masked):
    rng = np.random.default_rng([len(shape), shape[-1], masked])
    s = rng.normal(size=shape) * 2
    if masked:
        hidden = rng.random(shape) < 0.5
        hidden[..., 0] = False                                          # every row keeps key 0
        s[hidden] = -np.inf
    g = rng.normal(size=shape)
    analytic = softmax_backward(softmax(s), g)
    numeric = numerical_gradient(lambda: np.sum(g * softmax(s)), s, STEP)
    assert relative_error(analytic, numeric) <= MAX_RELATIVE_ERROR
    assert np.all(analytic[np.isneginf(s)] == 0.0)


def test_softmax_backward_rows_sum_to_zero_and_ignore_a_constant_gradient():
    rng = np.random.default_rng(3)
    w = softmax(rng.normal(size=(4, 7)))
    grad = softmax_backward(w, rng.normal(size=(4, 7)))
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, atol=1e-15)
    # Adding the same amount to every weight of a row changes nothing the softmax can produce.
    np.testing.assert_allclose(softmax_backward(w, np.full((4, 7), 3.0)), 0.0, atol=1e-15)
    assert np.abs(grad).max() > 1e-3


def test_softmax_backward_by_hand():
    w = np.array([0.5, 0.25, 0.25])
    g = np.array([1.0, 0.0, 2.0])                      # weighted mean 0.5*1 + 0.25*2 = 1.0
    np.testing.assert_allclose(softmax_backward(w, g), [0.0, -0.25, 0.25])


# ---------------------------------------------------------------------------- attention_backward

LAYOUTS = {                      # batch shapes of Q, K, V
    "single": ((), (), ()),
    "batch": ((2,), (2,), (2,)),
    "heads": ((2, 3), (2, 3), (2, 3)),
    "K and V shared": ((2, 3), (), ()),
    "K per head, V broadcast": ((2, 3), (1, 3), (3,)),
    "Q shared": ((), (2,), (2,)),
}
MASKS = [None, "causal", "padding", "causal + padding", "random", "random, extra batch dim"]


def make_mask(kind, rng, batch, n_q, n_k):
    """A mask of the given kind for scores of shape (*batch, n_q, n_k)."""
    if kind is None:
        return None
    causal = np.tril(np.ones((n_q, n_k), dtype=bool))                    # (n_q, n_k), n_q == n_k
    lengths = rng.integers(1, n_k + 1, size=batch)                      # (*batch,)
    padding = np.arange(n_k) < lengths[..., None, None]                 # (*batch, 1, n_k)
    return {"causal": causal,
            "padding": padding,
            "causal + padding": causal & padding,
            "random": random_mask(rng, (*batch, n_q, n_k)),
            "random, extra batch dim": random_mask(rng, (2, *batch, n_q, n_k))}[kind]


@pytest.mark.parametrize("scale", [True, False])
@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_attention_backward_matches_finite_differences(layout, mask_kind, scale):
    rng = np.random.default_rng([sorted(LAYOUTS).index(layout), MASKS.index(mask_kind), scale])
    q_batch, k_batch, v_batch = LAYOUTS[layout]
    n_k = int(rng.integers(1, 6))
    n_q = n_k if mask_kind and "causal" in mask_kind else int(rng.integers(1, 6))
    d_k, d_v = (int(d) for d in rng.integers(1, 5, size=2))
    Q = rng.normal(size=(*q_batch, n_q, d_k))
    K = rng.normal(size=(*k_batch, n_k, d_k))
    V = rng.normal(size=(*v_batch, n_k, d_v))
    mask = make_mask(mask_kind, rng, np.broadcast_shapes(q_batch, k_batch, v_batch), n_q, n_k)
    output, _ = attention(Q, K, V, mask=mask, scale=scale)
    G = rng.normal(size=output.shape)

    dQ, dK, dV = attention_backward(Q, K, V, G, mask=mask, scale=scale)

    def loss():
        return np.sum(G * attention(Q, K, V, mask=mask, scale=scale)[0])

    for name, x, analytic in (("dQ", Q, dQ), ("dK", K, dK), ("dV", V, dV)):
        assert analytic.shape == x.shape, name
        error = relative_error(analytic, numerical_gradient(loss, x, STEP))
        assert error <= MAX_RELATIVE_ERROR, f"{name}: relative error {error:.2e}"


def test_attention_backward_on_a_gpt_style_padded_batch():
    rng = np.random.default_rng(11)
    mask = causal_padding_mask([4, 2, 3])                               # (3, n, n), n = 4
    Q, K, V = (rng.normal(size=(3, 4, 3)) for _ in range(3))
    G = rng.normal(size=(3, 4, 3))
    dQ, dK, dV = attention_backward(Q, K, V, G, mask=mask)

    def loss():
        return np.sum(G * attention(Q, K, V, mask=mask)[0])

    for x, analytic in ((Q, dQ), (K, dK), (V, dV)):
        assert relative_error(analytic, numerical_gradient(loss, x, STEP)) <= MAX_RELATIVE_ERROR
    # Padding keys (sentence 1 from position 2, sentence 2 from position 3) get no gradient at all.
    assert np.all(dK[1, 2:] == 0) and np.all(dV[1, 2:] == 0) and np.all(dK[2, 3:] == 0)


def test_attention_backward_accepts_integers_and_returns_float64():
    Q = np.array([[1, 0], [0, 1]])
    dQ, dK, dV = attention_backward(Q, Q, Q, np.ones((2, 2), dtype=np.int32))
    assert dQ.dtype == dK.dtype == dV.dtype == np.float64
    assert dQ.shape == dK.shape == dV.shape == (2, 2)
    # With G all ones, dV[j] is the total weight value j received in every column; all weights add to n_q.
    np.testing.assert_allclose(dV.sum(), 2 * 2)


# --------------------------------------------------------------------------------- properties

@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), batch=st.lists(st.integers(1, 3), max_size=2).map(tuple),
       n_q=st.integers(1, 5), n_k=st.integers(2, 6), d_k=st.integers(1, 4), d_v=st.integers(1, 4),
       density=st.floats(0.1, 0.9), scale=st.booleans())
def test_masked_scores_get_zero_gradient_and_dV_is_weights_transpose_times_grad(
        seed, batch, n_q, n_k, d_k, d_v, density, scale):
    rng = np.random.default_rng(seed)
    Q = rng.normal(size=(*batch, n_q, d_k))
    K = rng.normal(size=(*batch, n_k, d_k))
    V = rng.normal(size=(*batch, n_k, d_v))
    G = rng.normal(size=(*batch, n_q, d_v))
    mask = random_mask(rng, (*batch, n_q, n_k - 1), density)
    mask = np.concatenate([mask, np.zeros((*batch, n_q, 1), dtype=bool)], axis=-1)  # last key: never seen

    _, W = attention(Q, K, V, mask=mask, scale=scale)
    dQ, dK, dV = attention_backward(Q, K, V, G, mask=mask, scale=scale)

    dS = softmax_backward(W, G @ np.swapaxes(V, -1, -2))                 # (*batch, n_q, n_k)
    assert np.all(dS[~mask] == 0.0)
    np.testing.assert_allclose(dQ, dS @ K / (np.sqrt(d_k) if scale else 1.0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dV, np.swapaxes(W, -1, -2) @ G, rtol=1e-12, atol=1e-12)
    assert np.all(dK[..., -1, :] == 0.0) and np.all(dV[..., -1, :] == 0.0)

    # Whatever the never-seen key and value hold, no gradient changes.
    K[..., -1, :] = rng.normal(size=(*batch, d_k)) * 1e3
    V[..., -1, :] = rng.normal(size=(*batch, d_v)) * 1e3
    for before, after in zip((dQ, dK, dV), attention_backward(Q, K, V, G, mask=mask, scale=scale)):
        np.testing.assert_allclose(after, before, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------- bad inputs

def _softmax_args():
    w = softmax(np.arange(6.0).reshape(2, 3))
    return w, np.ones((2, 3))


def _with_nan(a):
    a = a.copy()
    a.flat[1] = np.nan
    return a


W_OK, G_OK = _softmax_args()
NOT_SOFTMAX = np.array([[0.5, 0.6, -0.1], [0.2, 0.3, 0.5]])             # sums to 1, one negative
ROW_SUM_OFF = W_OK * np.array([[1.0], [1.01]])


@pytest.mark.parametrize("weights, grad_weights, error, pattern", [
    ([[0.5, 0.5]], G_OK, TypeError, r"^weights must be a numpy array .*got a list"),
    (W_OK, "ones", TypeError, r"^grad_weights must be a numpy array"),
    (W_OK.astype(complex), G_OK, TypeError, r"^weights must hold real numbers"),
    (W_OK, G_OK > 0, TypeError, r"^grad_weights must hold real numbers"),
    (W_OK, np.ones((3, 2)), ValueError, (r"^grad_weights must have the same shape as weights, \(2, 3\); "
                                         r"got grad_weights of shape \(3, 2\)")),
    (W_OK, np.ones(3), ValueError, r"^grad_weights must have the same shape as weights"),
    (_with_nan(W_OK), G_OK, ValueError, r"^weights must contain only finite numbers; got nan"),
    (W_OK, _with_nan(G_OK), ValueError, r"^grad_weights must contain only finite numbers; got nan"),
    (W_OK, G_OK * np.inf, ValueError, r"^grad_weights must contain only finite numbers; got inf"),
    (np.log(W_OK), G_OK, ValueError, r"^weights must be a softmax output .*non-negative"),
    (NOT_SOFTMAX, G_OK, ValueError, r"^weights must be a softmax output .*-0\.1 at index \(0, 2\)"),
    (ROW_SUM_OFF, G_OK, ValueError, (r"^weights must be a softmax output: each row .*sum to 1 within "
                                     r"1e-06; row \(1,\) sums to 1\.01$")),
    (np.ones((2, 3)), G_OK, ValueError, r"^weights must be a softmax output: .*row \(0,\) sums to 3$"),
])
def test_softmax_backward_bad_inputs_name_the_argument(weights, grad_weights, error, pattern):
    with pytest.raises(error, match=pattern):
        softmax_backward(weights, grad_weights)


def test_softmax_backward_accepts_rows_within_the_tolerance():
    w, g = W_OK * (1 + 5e-7), np.arange(6.0).reshape(2, 3)
    expected = w * (g - (g * w).sum(axis=-1, keepdims=True))
    np.testing.assert_allclose(softmax_backward(w, g), expected, rtol=1e-15, atol=0)


RNG = np.random.default_rng(0)
Q_OK, K_OK, V_OK = RNG.normal(size=(2, 4, 3)), RNG.normal(size=(2, 5, 3)), RNG.normal(size=(2, 5, 2))
GRAD_OK = RNG.normal(size=(2, 4, 2))


@pytest.mark.parametrize("changes, error, pattern", [
    ({"Q": Q_OK.tolist()}, TypeError, r"^Q must be a numpy array .*got a list"),
    ({"K": None}, TypeError, r"^K must be a numpy array"),
    ({"V": V_OK[0, 0]}, ValueError, r"^V must have shape \(\.\.\., n_k, d_v\)"),
    ({"K": K_OK[..., :2]}, ValueError, r"^Q and K must have the same d_k .*\(2, 5, 2\)"),
    ({"V": V_OK[:, :4]}, ValueError, r"^V must have one row per key"),
    ({"K": np.zeros((3, 5, 3))}, ValueError, r"^the batch dimensions of Q \(2,\) and K \(3,\) do not broadcast"),
    ({"Q": _with_nan(Q_OK)}, ValueError, r"^Q must contain only finite numbers; got nan"),
    ({"V": _with_nan(V_OK)}, ValueError, r"^V must contain only finite numbers; got nan"),
    ({"grad_output": GRAD_OK.tolist()}, TypeError, r"^grad_output must be a numpy array"),
    ({"grad_output": "zeros"}, TypeError, r"^grad_output must be a numpy array"),
    ({"grad_output": GRAD_OK.astype(complex)}, TypeError, r"^grad_output must hold real numbers"),
    ({"grad_output": GRAD_OK[0, 0]}, ValueError, r"^grad_output must have shape \(2, 4, 2\)"),
    ({"grad_output": GRAD_OK[0]}, ValueError, (r"^grad_output must have the shape of attention's output "
                                               r"\(\.\.\., n_q, d_v\) = \(2, 4, 2\); got grad_output of "
                                               r"shape \(4, 2\)")),
    ({"grad_output": np.swapaxes(GRAD_OK, -1, -2)}, ValueError, r"^grad_output must have the shape .*\(2, 2, 4\)"),
    ({"grad_output": np.zeros((2, 4, 3))}, ValueError, r"^grad_output must have the shape .*\(2, 4, 3\)"),
    ({"grad_output": _with_nan(GRAD_OK)}, ValueError, r"^grad_output must contain only finite numbers; got nan"),
    ({"mask": np.ones((4, 5))}, TypeError, r"^mask must have dtype bool"),
    ({"mask": np.ones((4, 4), dtype=bool)}, ValueError, r"^mask must be broadcastable"),
    ({"mask": np.zeros((4, 5), dtype=bool)}, ValueError, r"^mask lets query row 0 .*attend to nothing"),
    ({"scale": 1}, TypeError, r"^scale must be True or False"),
])
def test_attention_backward_bad_inputs_name_the_argument(changes, error, pattern):
    args = {"Q": Q_OK, "K": K_OK, "V": V_OK, "grad_output": GRAD_OK, **changes}
    with pytest.raises(error, match=pattern):
        attention_backward(**args)


def test_attention_backward_grad_output_follows_a_mask_that_adds_batch_dims():
    mask = random_mask(np.random.default_rng(5), (3, 1, 4, 5))          # adds a leading batch dim
    with pytest.raises(ValueError, match=r"^grad_output must have the shape .* = \(3, 2, 4, 2\)"):
        attention_backward(Q_OK, K_OK, V_OK, GRAD_OK, mask=mask)
    dQ, dK, dV = attention_backward(Q_OK, K_OK, V_OK, np.ones((3, 2, 4, 2)), mask=mask)
    assert (dQ.shape, dK.shape, dV.shape) == (Q_OK.shape, K_OK.shape, V_OK.shape)

"""attn_lib.positions: the sinusoidal formula, shapes, bad inputs, and the shift-by-k rotation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attn_lib import sinusoidal_positions


def by_the_formula(n, d_model, base=10000.0):
    """P[pos, 2i] = sin(pos / base^(2i/d)), P[pos, 2i+1] = cos(...), one entry at a time."""
    P = np.zeros((n, d_model))
    for pos in range(n):
        for col in range(d_model):
            i = col // 2
            angle = pos / base ** (2 * i / d_model)
            P[pos, col] = np.sin(angle) if col % 2 == 0 else np.cos(angle)
    return P


def rotation_for(k, d_model, base=10000.0):
    """Block-diagonal matrix M with [sin a, cos a] @ block = [sin(a + k w), cos(a + k w)] per pair."""
    M = np.zeros((d_model, d_model))
    for i in range(d_model // 2):
        b = k / base ** (2 * i / d_model)
        M[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = [[np.cos(b), -np.sin(b)], [np.sin(b), np.cos(b)]]
    return M


@pytest.mark.parametrize("n, d_model", [(1, 1), (1, 2), (6, 8), (50, 32), (7, 5), (3, 1), (10, 2)])
def test_shape_and_formula(n, d_model):
    P = sinusoidal_positions(n, d_model)
    assert P.shape == (n, d_model)
    assert P.dtype == np.float64
    np.testing.assert_allclose(P, by_the_formula(n, d_model), atol=1e-12)


def test_known_values():
    P = sinusoidal_positions(5, 8)
    np.testing.assert_allclose(P[0], [0, 1, 0, 1, 0, 1, 0, 1], atol=1e-15)        # position 0: sin 0, cos 0
    np.testing.assert_allclose(P[2, :2], [np.sin(2.0), np.cos(2.0)])                # pair 0: 1 radian per step
    np.testing.assert_allclose(P[4, 2:4], [np.sin(0.4), np.cos(0.4)])               # 10000^(2/8) = 10
    np.testing.assert_allclose(P[3, 6:8], [np.sin(3e-3), np.cos(3e-3)])             # 10000^(6/8) = 1000


def test_odd_width_drops_the_last_cosine():
    P5, P6 = sinusoidal_positions(9, 5), sinusoidal_positions(9, 6)
    assert P5.shape == (9, 5)
    np.testing.assert_allclose(P5[:, 4], np.sin(np.arange(9) / 10000 ** (4 / 5)))   # a sine, with d = 5
    assert not np.allclose(P5[:, :4], P6[:, :4])                                    # rates use d_model


def test_base_sets_the_rates():
    P = sinusoidal_positions(4, 4, base=100.0)
    np.testing.assert_allclose(P[3, 2], np.sin(3 / 100 ** 0.5))
    np.testing.assert_allclose(P, by_the_formula(4, 4, base=100.0))


def test_values_are_sines_and_cosines_and_each_pair_is_on_the_unit_circle():
    P = sinusoidal_positions(200, 16)
    assert np.all(np.abs(P) <= 1.0)
    np.testing.assert_allclose(P[:, 0::2] ** 2 + P[:, 1::2] ** 2, 1.0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(P, axis=1), np.sqrt(8), atol=1e-12)


def test_positions_are_distinct():
    P = sinusoidal_positions(100, 32)
    distances = np.linalg.norm(P[:, None, :] - P[None, :, :], axis=-1)         # (100, 100)
    assert distances[~np.eye(100, dtype=bool)].min() > 0.5


# ------------------------------------------------------------------------------ shift by k
@pytest.mark.parametrize("d_model", [2, 8, 16, 64])
@pytest.mark.parametrize("k", [1, 2, 5, 17])
def test_shifting_by_k_is_one_fixed_rotation(k, d_model):
    P = sinusoidal_positions(60, d_model)
    M = rotation_for(k, d_model)
    np.testing.assert_allclose(P[k:], P[:-k] @ M, atol=1e-9)                      # every p at once
    np.testing.assert_allclose(M @ M.T, np.eye(d_model), atol=1e-12)               # a rotation
    assert not np.allclose(M, np.eye(d_model))


def test_the_map_does_not_depend_on_p_and_is_solvable_from_the_data():
    """Fit one linear map from rows p to rows p + 3 by least squares: it is exact, and is the rotation."""
    d_model, k = 8, 3
    P = sinusoidal_positions(40, d_model)
    M_fit, residual, *_ = np.linalg.lstsq(P[:-k], P[k:], rcond=None)
    np.testing.assert_allclose(P[:-k] @ M_fit, P[k:], atol=1e-9)
    np.testing.assert_allclose(M_fit, rotation_for(k, d_model), atol=1e-6)


def test_dot_products_depend_only_on_the_distance():
    P = sinusoidal_positions(40, 16)
    G = P @ P.T                                                                    # (40, 40)
    for k in range(0, 20):
        diagonal = np.diag(G, k)
        np.testing.assert_allclose(diagonal, diagonal[0], atol=1e-9)
        expected = np.cos(k / 10000 ** (np.arange(0, 16, 2) / 16)).sum()            # sum of cos(k w_i)
        assert diagonal[0] == pytest.approx(expected, abs=1e-9)
    assert G[0, 0] == pytest.approx(8.0)                                           # d_model / 2
    assert np.argsort(G[0])[-2] == 1                                               # the neighbour comes next


@settings(max_examples=60, deadline=None)
@given(p=st.integers(0, 500), k=st.integers(-200, 200), half=st.integers(1, 16),
       base=st.floats(2.0, 1e5))
def test_shift_property_for_any_position_offset_and_base(p, k, half, base):
    d_model = 2 * half
    P = sinusoidal_positions(max(p, p + k) + 1, d_model, base=base)
    if p + k >= 0:
        np.testing.assert_allclose(P[p + k], P[p] @ rotation_for(k, d_model, base), atol=1e-7)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("args, kwargs, error, pattern", [
    ((0, 8), {}, ValueError, r"^n must be >= 1; got 0"),
    ((-3, 8), {}, ValueError, r"^n must be >= 1"),
    ((2.5, 8), {}, TypeError, r"^n must be a whole number"),
    (("6", 8), {}, TypeError, r"^n must be a whole number.*string"),
    ((True, 8), {}, TypeError, r"^n must be a whole number"),
    ((None, 8), {}, TypeError, r"^n must be a whole number"),
    ((6, 0), {}, ValueError, r"^d_model must be >= 1; got 0"),
    ((6, 8.0), {}, TypeError, r"^d_model must be a whole number"),
    ((6, False), {}, TypeError, r"^d_model must be a whole number"),
    ((6, 8), {"base": 1.0}, ValueError, r"^base must be a finite number > 1; got 1.0"),
    ((6, 8), {"base": 0.5}, ValueError, r"^base must be"),
    ((6, 8), {"base": -10.0}, ValueError, r"^base must be"),
    ((6, 8), {"base": float("inf")}, ValueError, r"^base must be"),
    ((6, 8), {"base": float("nan")}, ValueError, r"^base must be"),
    ((6, 8), {"base": "10000"}, TypeError, r"^base must be"),
    ((6, 8), {"base": True}, TypeError, r"^base must be"),
])
def test_bad_input_names_the_argument(args, kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        sinusoidal_positions(*args, **kwargs)


def test_numpy_integers_are_accepted():
    np.testing.assert_allclose(sinusoidal_positions(np.int64(4), np.int32(6)), by_the_formula(4, 6))


def test_numpy_numbers_are_accepted_as_base():
    np.testing.assert_allclose(sinusoidal_positions(3, 4, base=np.int64(100)), by_the_formula(3, 4, base=100.0))

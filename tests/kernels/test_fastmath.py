"""The vectorisable tanh, exp and sech^2 of emergent.kernels.fastmath at their stated bounds."""

import mpmath
import numpy as np
import pytest
from numba import njit

from emergent.kernels import fastmath as fm


@njit(cache=False)
def _apply(which, x):
    out = np.empty_like(x)
    for i in range(x.size):
        if which == 0:
            out[i] = fm.tanh(x[i])
        elif which == 1:
            out[i] = fm.exp(x[i])
        else:
            out[i] = fm.sech2(x[i])
    return out


def _grid(limit, dense=2_000_001):
    """A dense uniform grid on [-limit, limit] plus geometric grids down to the subnormals."""
    g = np.geomspace(5e-324, limit, 20_001)
    return np.concatenate([np.linspace(-limit, limit, dense), g, -g])


def _mp(fun, x):
    with mpmath.workdps(40):
        return np.array([float(fun(mpmath.mpf(float(v)))) for v in x])


def test_tanh_within_bound_on_dense_grid():
    """|tanh - np.tanh| <= TANH_ABS_ERROR on 2e6 points of [-40, 40]; against 40-digit
    mpmath on a subsample, absolute and relative errors within the stated bounds."""
    x = _grid(40.0)
    got = _apply(0, x)
    assert np.abs(got - np.tanh(x)).max() <= fm.TANH_ABS_ERROR
    sub = np.concatenate([x[::211], np.linspace(-1e-3, 1e-3, 2001), np.linspace(18, 21, 301)])
    ref = _mp(mpmath.tanh, sub)
    err = np.abs(_apply(0, sub) - ref)
    assert err.max() <= fm.TANH_ABS_ERROR
    nz = ref != 0
    assert (err[nz] / np.abs(ref[nz])).max() <= fm.TANH_REL_ERROR


def test_tanh_odd_saturating_and_special_values():
    """Odd to the bit, exactly +-1 from |x| = 20 on and at +-inf, signed zeros kept, NaN in
    NaN out, monotone on a fine grid."""
    x = _grid(1e3, dense=200_001)
    np.testing.assert_array_equal(_apply(0, -x), -_apply(0, x))
    big = np.array([20.0, 25.0, 1e10, 1e308, np.inf])
    np.testing.assert_array_equal(_apply(0, big), 1.0)
    np.testing.assert_array_equal(_apply(0, -big), -1.0)
    z = _apply(0, np.array([0.0, -0.0]))
    assert z[0] == 0 and not np.signbit(z[0]) and np.signbit(z[1])
    assert np.isnan(_apply(0, np.array([np.nan]))[0])
    fine = np.linspace(-5, 5, 100_001)
    assert np.all(np.diff(_apply(0, fine)) >= 0)


def test_exp_within_bound_and_limits():
    """Relative error <= EXP_REL_ERROR on [-708, 709] (against np.exp on 2e6 points and
    mpmath on a subsample); 0 below -708, inf above 709.78, NaN for NaN."""
    x = np.linspace(-708.0, 709.0, 2_000_001)
    ref = np.exp(x)
    assert (np.abs(_apply(1, x) - ref) / ref).max() <= fm.EXP_REL_ERROR
    sub = np.concatenate([x[::997], np.linspace(-1, 1, 1001), [709.78]])
    ref = _mp(mpmath.exp, sub)
    assert (np.abs(_apply(1, sub) - ref) / ref).max() <= fm.EXP_REL_ERROR
    edge = _apply(1, np.array([-709.0, -1e300, -np.inf, 709.79, 1e300, np.inf, np.nan, 0.0]))
    np.testing.assert_array_equal(edge[:6], [0, 0, 0, np.inf, np.inf, np.inf])
    assert np.isnan(edge[6]) and edge[7] == 1.0


def test_sech2_within_bound_and_limits():
    """sech^2 = 1 / cosh^2 within SECH2_REL_ERROR for |x| <= 354 (mpmath), even, 0 beyond
    354 and at +-inf (where cosh overflows), NaN for NaN; and it is the derivative of tanh
    (P1 (10.4)) to the accuracy of a central difference."""
    x = _grid(354.0, dense=400_001)
    sub = x[::97]
    ref = _mp(lambda v: mpmath.sech(v) ** 2, sub)
    assert (np.abs(_apply(2, sub) - ref) / ref).max() <= fm.SECH2_REL_ERROR
    np.testing.assert_array_equal(_apply(2, -x), _apply(2, x))
    np.testing.assert_array_equal(_apply(2, np.array([355.0, 1e300, np.inf, -np.inf])), 0.0)
    assert np.isnan(_apply(2, np.array([np.nan]))[0])
    y = np.linspace(-3, 3, 61)
    h = 1e-5
    deriv = (_apply(0, y + h) - _apply(0, y - h)) / (2 * h)
    np.testing.assert_allclose(_apply(2, y), deriv, rtol=0, atol=1e-9)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_scalar_calls_agree_with_the_loop(which):
    """The functions called one value at a time from Python give the loop's bits."""
    x = np.array([-3.5, -0.2, 1e-8, 0.7, 12.0])
    fun = (fm.tanh, fm.exp, fm.sech2)[which]
    np.testing.assert_array_equal([fun(v) for v in x], _apply(which, x))

"""Central finite differences, the independent check of every hand-written backward pass in the tests."""

import numpy as np


def numerical_gradient(loss, x, step):
    """d loss() / d x by central differences, one entry of ``x`` at a time (``x`` is changed in place
    and restored); error about ``step**2`` plus float64 rounding over ``step``."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + step
        up = loss()
        x[index] = original - step
        down = loss()
        x[index] = original
        grad[index] = (up - down) / (2 * step)
    return grad

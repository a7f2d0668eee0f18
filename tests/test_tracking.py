"""Small pieces of the tracker checked against what they stand in for."""

import warnings

import numpy as np

from dash40.tracking import _row_percentile


def test_row_percentile_is_numpys_nanpercentile_along_rows():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a = rng.normal(50.0, 20.0, (int(rng.integers(1, 30)), int(rng.integers(1, 12))))
        a[rng.random(a.shape) < 0.3] = np.nan  # whole rows missing too, now and then
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy warns on an all-NaN row
            want = np.nanpercentile(a, 80, axis=1)
        got = _row_percentile(a, 80.0)
        np.testing.assert_allclose(got, want, equal_nan=True)

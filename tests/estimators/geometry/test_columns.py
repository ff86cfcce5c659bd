"""Hessian columns H[:, idx] from any linear map, with a running count of the columns given.

Products with unit vectors are exact in float64 (each entry of H e_j is one term), so the columns are
compared for equality with the dense matrix's.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hessdiag.estimators.geometry.columns import column_source
from hessdiag.linalg.linear_map import CallableMap


def _operator(h: np.ndarray) -> CallableMap:
    return CallableMap(lambda x: torch.from_numpy(h) @ x, h.shape[0])


@pytest.mark.parametrize("total", [70, None])
def test_columns_of_an_operator_and_the_running_count_across_calls(total):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((70, 70))
    h = a + a.T
    calls = []
    source = column_source(_operator(h), progress=lambda done, planned: calls.append((done, planned)), total=total)
    first, second = np.array([3, 0, 41]), rng.permutation(np.arange(4, 70))  # 66 columns: two blocks of 64
    assert np.array_equal(source(first), h[:, first])
    assert np.array_equal(source(second), h[:, second])
    done = [d for d, _ in calls]
    assert done == sorted(done) and done[-1] == first.size + second.size == 69
    assert first.size in done  # the count carries over from one call to the next
    assert all(planned == (total or d) for d, planned in calls)


def test_a_dense_matrix_gives_its_columns_directly():
    h = np.arange(16.0).reshape(4, 4)
    assert np.array_equal(column_source(h)(np.array([2, 1])), h[:, [2, 1]])

"""Input checks shared by the fits: each failure is one sentence naming expected and actual."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError


def as_finite_array(values, name: str, unit: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numbers in {unit}; got {values!r}.") from exc
    bad = ~np.isfinite(arr)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{name} must be finite numbers in {unit}; value #{i + 1} is {arr[i]}.")
    return arr


def strictly_increasing(arr: np.ndarray, name: str, unit: str) -> None:
    if arr.size and arr[0] <= 0:
        raise InputError(f"{name} must be positive ({unit}); the first is {arr[0]:g}.")
    steps = np.diff(arr)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0])
        raise InputError(
            f"{name} must be strictly increasing; value #{i + 2} ({arr[i + 1]:g} {unit}) "
            f"does not exceed value #{i + 1} ({arr[i]:g} {unit})."
        )


def in_range(value, name: str, low: float, high: float, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a number in {unit}; got {value!r}.") from exc
    if not math.isfinite(v) or not (low <= v <= high):
        raise InputError(f"{name} must be between {low:g} and {high:g} {unit}; got {value!r}.")
    return v

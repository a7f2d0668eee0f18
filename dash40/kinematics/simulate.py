"""Forward simulators: make split times or a position trace from known MSS and TAU.

Shared by the tests (simulate, then recover) and by anyone who wants to see what a fit does with
data of a known truth.  Randomness only comes from the ``rng`` passed in.
"""

from __future__ import annotations

import numpy as np

from .model import predict_distance_at_time, predict_split_time_at_distance, predict_time_at_distance

__all__ = ["simulate_splits", "simulate_trace"]


def simulate_splits(
    distance_m,
    mss: float,
    tau: float,
    *,
    time_correction: float = 0.0,
    flying_distance: float = 0.0,
    noise_s: float = 0.0,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Split times (s) a timing system would show at ``distance_m`` (m from the first line).

    ``time_correction``: the clock starts that long after first movement; ``flying_distance``: the
    athlete had covered that many metres when crossing the first line; ``noise_s``: 1-sigma
    Gaussian timing noise (needs ``rng``).
    """
    t = np.asarray(
        predict_split_time_at_distance(
            distance_m, mss, tau, time_correction=time_correction, flying_distance=flying_distance
        ),
        dtype=float,
    )
    if noise_s:
        if rng is None:
            raise ValueError("noise_s needs an rng (numpy.random.Generator) so the noise is reproducible")
        t = t + rng.normal(0.0, noise_s, t.shape)
    return t


def simulate_trace(
    mss: float,
    tau: float,
    *,
    fps: float = 60.0,
    onset_time: float = 0.5,
    position_offset: float = -0.3,
    distance_m: float = 40 * 0.9144,
    start_time: float = 0.0,
    after_s: float = 0.1,
    noise_m: float = 0.0,
    rng: np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A position trace sampled at ``fps`` from ``start_time`` until ``after_s`` past ``distance_m``.

    The tracked point rests at ``position_offset`` (m) until ``onset_time`` (s), then follows the
    model.  Returns ``(time_s, position_m, uncertainty_m)``; ``noise_m`` is the 1-sigma Gaussian
    position noise (needs ``rng``) and is also returned as every sample's uncertainty.
    """
    t_end = onset_time + float(predict_time_at_distance(distance_m - position_offset, mss, tau)) + after_s
    n = int(np.floor((t_end - start_time) * fps)) + 1
    t = start_time + np.arange(n) / fps
    p = position_offset + np.asarray(predict_distance_at_time(np.maximum(t - onset_time, 0.0), mss, tau))
    if noise_m:
        if rng is None:
            raise ValueError("noise_m needs an rng (numpy.random.Generator) so the noise is reproducible")
        p = p + rng.normal(0.0, noise_m, p.shape)
    return t, p, np.full(n, noise_m if noise_m else 0.01)

"""Which frames a clip holds and when: real times, file timestamps, repeats and drops.

Timestamps are integers in a 1/90000-s time base. The real time of a frame's image is defined
from its first appearance's timestamp: real = pts / 90000 × time_scale, where
time_scale = file fps / (capture fps × repeat) (1 for ordinary clips, 30/240 for a 240-fps
slow-motion file with 30-fps timestamps). A repeated image keeps the real time of its first
appearance; its later copies are stamped one file-frame interval apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

TICKS = 90000


@dataclass(frozen=True)
class FramePlan:
    pts: np.ndarray  # int64 ticks of 1/90000 s (file time), one per written frame
    time_s: np.ndarray  # real time of the image each frame shows (its exposure middle)
    source: np.ndarray  # index of the distinct captured image each frame shows
    time_scale: Fraction  # real seconds per file second
    meta_capture_fps: float  # what the file's capture-rate metadata says (capture fps × repeat)

    @property
    def n(self) -> int:
        return len(self.pts)


def plan_frames(cfg) -> FramePlan:
    """The frames of a clip: constant rate, or jittered intervals with dropped frames (VFR)."""
    cap = Fraction(cfg.capture_fps).limit_denominator(1001)
    file_rate = Fraction(cfg.file_rate).limit_denominator(1001)
    scale = file_rate / (cap * cfg.repeat)
    rng = np.random.default_rng(cfg.seed + 31337)
    vfr = cfg.vfr_jitter > 0 or cfg.drop_prob > 0
    # real capture instants of distinct images
    real = []
    if not vfr:
        n = int(np.floor(float(cfg.duration * cap) - 1e-9)) + 1
        real_f = [Fraction(i) / cap for i in range(n)]
    else:
        real_f = []
        tcur = 0.0
        period = 1.0 / float(cap)
        while tcur < cfg.duration:
            real_f.append(tcur)
            dt = period * float(np.clip(1.0 + cfg.vfr_jitter * rng.normal(), 0.55, 1.45))
            while rng.random() < cfg.drop_prob:
                dt += period  # a dropped frame: the next image comes one period later
            tcur += dt
    pts, times, source = [], [], []
    step = Fraction(TICKS) / file_rate  # ticks per file frame
    last = -1
    for i, tr in enumerate(real_f):
        first = int(round(Fraction(tr) / scale * TICKS)) if not isinstance(tr, float) else int(round(tr / float(scale) * TICKS))
        first = max(first, last + 1)
        t_img = float(Fraction(first, TICKS) * scale)
        for r in range(cfg.repeat):
            p = first + int(round(r * step))
            p = max(p, last + 1)
            pts.append(p)
            times.append(t_img)
            source.append(i)
            last = p
        real.append(t_img)
    return FramePlan(np.array(pts, np.int64), np.array(times, float), np.array(source, np.int64), scale,
                     float(cap * cfg.repeat))

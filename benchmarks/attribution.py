"""Where the split errors come from: the suite timed again with the true start and/or the true path.

    python benchmarks/attribution.py                # the accuracy suite (clips cached by accuracy.py)
    python benchmarks/attribution.py --only b04 b11 # some clips
    python benchmarks/attribution.py --crf 12       # the suite at a high bit rate (as accuracy.py)
    python benchmarks/attribution.py --replicates 2 # and 2 more copies of it (as accuracy.py)

A split is a crossing time less the first movement, and a crossing depends on where across the
lane the athlete runs (the path: each line's plane is placed there; off the picture's centre a
path wrong by Δz moves a line by Δz·tan(view angle)). Each clip is read once; its run is then
timed four times: as the analyzer does, with the generator's true path, with the true first
movement, and with both. Everything else (tracking, chest front, crossing fit) is the
analyzer's own. Printed per clip: the path's error (cm and its stated 1-sigma) and the split
errors of the four timings in frame periods; then the summary of each against the targets of
issue 3 (median ≤ 0.25, 95th percentile ≤ 0.6 frame period).
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from unittest import mock

import numpy as np
from accuracy import analysed, split_errors, suite_at  # benchmarks/ is on the path when run as a script

import dash40.analysis as analysis  # noqa: E402
from dash40.timing import Onset  # noqa: E402

CASES = ("analyzer", "true path", "true start", "both true")


def true_path(truth: dict) -> float:
    """The runner's path as the analyzer's across-lane coordinate (0 = near cones, 1 = far cones)."""
    cfg = truth["config"]
    near_sign = -1.0 if cfg["right_to_left"] else 1.0
    return 0.5 - near_sign * cfg["lane_offset"] / (2.0 * cfg["cone_z"])


def retime(captured: dict, truth: dict, path: bool, start: bool):
    """The analyzer's timing of the captured run, with the true path and/or first movement."""
    with ExitStack() as stack:
        if path:
            s_true = true_path(truth)
            stack.enter_context(mock.patch.object(analysis, "estimate_path",
                                                   lambda *a, **k: analysis.PathEstimate(s_true, 0.0)))
        if start:
            real = analysis.detect_start

            def known(track, x, period, read_patches=None):
                got = real(track, x, period, read_patches)
                if got.flying:
                    return got
                i = int(np.argmin(np.abs(track.time_s - truth["t0"])))
                return Onset(float(truth["t0"]), got.uncertainty_s, "truth", int(track.index[i]), False,
                             got.athlete_px)
            stack.enter_context(mock.patch.object(analysis, "detect_start", known))
        return analysis._time_track(**captured)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="clip name prefixes (b01 …)")
    ap.add_argument("--crf", type=int, help="the suite encoded at this x264 crf (x265: crf + 2)")
    ap.add_argument("--replicates", type=int, default=0, metavar="N",
                    help="also N copies of every clip with other seeds and start phases (as accuracy.py)")
    args = ap.parse_args(argv)
    captured: dict = {}
    real_time_track = analysis._time_track

    def spy(track, geom, cal, info, reference, name, n, read_patches=None):
        captured.clear()
        captured.update(track=track, geom=geom, cal=cal, info=info, reference=reference, name=name, n=n,
                        read_patches=read_patches)
        return real_time_track(track, geom, cal, info, reference, name, n, read_patches=read_patches)

    errs: dict[str, list[float]] = {c: [] for c in CASES}
    sub = f"crf{args.crf}" if args.crf is not None else ""
    with mock.patch.object(analysis, "_time_track", spy):
        runs = list(_runs(analysed(suite_at(args.crf, n_replicates=args.replicates), args.only, sub), captured))
    for stem, truth, snap in runs:
        period = 1.0 / truth["capture_fps"]
        info = snap["info"]
        est = analysis.estimate_path(snap["track"], snap["geom"], period, info.width, info.height)
        s_est, s_sd = est.s, est.sd
        lane_cm = 200.0 * truth["config"]["cone_z"]
        rows = {}
        for case in CASES:
            res = retime(snap, truth, path=case in ("true path", "both true"), start=case in ("true start", "both true"))
            rows[case] = {d: e for d, e, _ in split_errors(res, truth)}
        print(f"{stem}  ({truth['capture_fps']:g} fps)  path {lane_cm * (s_est - true_path(truth)):+.0f} cm "
              f"(1-sigma {lane_cm * s_sd:.0f} cm)")
        for d in rows["analyzer"]:
            cells = "  ".join(f"{case} {rows[case][d] / period:+5.2f}" if d in rows[case] else f"{case}   —  "
                              for case in CASES)
            print(f"    split {d:>4g} {truth['units']:<2} (frames)  {cells}")
            for case in CASES:
                if d in rows[case]:
                    errs[case].append(abs(rows[case][d]) / period)
        sys.stdout.flush()
    print()
    print("Summary: |split error| in frame periods (targets: median ≤ 0.25, 95th percentile ≤ 0.6)")
    for case in CASES:
        a = np.array(errs[case])
        if len(a):
            print(f"  {case:<11} n={len(a):<3} median {np.median(a):.2f}   95th pct {np.percentile(a, 95):.2f}   "
                  f"over 0.6: {int(np.sum(a > 0.6))}")
    return 0


def _runs(items, captured: dict):
    """(stem, truth, what the analyzer timed) for each clip it analysed."""
    for stem, _cfg, truth, res, _sec, _err in items:
        if res is not None and captured:
            yield stem, truth, dict(captured)


if __name__ == "__main__":
    raise SystemExit(main())

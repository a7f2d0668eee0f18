"""``dash40 analyze CLIP --calib CALIB.json [--capture-fps F] [--json OUT] [--overlay OUT.mp4]``."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from .result import AnalysisResult


def add_parser(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="time a sprint clip: first movement, line crossings, splits",
        description="Time a sprint clip: first movement, every line crossing and the splits, to a fraction of a frame.",
    )
    p.add_argument("clip", help="the video (.mp4 or .mov)")
    p.add_argument("--calib", required=True, help="timing-line calibration JSON (see the README)")
    p.add_argument("--capture-fps", type=float, default=None,
                   help="real capture rate of a slow-motion clip (e.g. 240) when the file does not record it")
    p.add_argument("--reference", choices=("torso", "hip"), default="torso",
                   help="the body point timed at each line: torso = chest front (default, photo-finish), hip")
    p.add_argument("--mass", type=float, default=None, help="body mass in kg (for the force-velocity profile)")
    p.add_argument("--height", type=float, default=None, help="standing height in m (for the force-velocity profile)")
    p.add_argument("--json", dest="json_out", default=None, help="write the full result as JSON here")
    p.add_argument("--overlay", default=None, help="write an annotated replay (.mp4) here")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


class _Bar:
    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.last = -1

    def __call__(self, frac: float, msg: str) -> None:
        if not self.enabled:
            return
        pct = int(frac * 100)
        if pct == self.last:
            return
        self.last = pct
        filled = pct // 4
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (25 - filled)}] {pct:3d}%  {msg:<32}")
        if frac >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from .analysis import analyze

    bar = _Bar(not args.quiet)
    result = analyze(args.clip, args.calib, capture_fps=args.capture_fps, reference=args.reference, progress=bar,
                     body_mass_kg=args.mass, height_m=args.height)
    if args.overlay:
        from .overlay import render_overlay

        render_overlay(args.clip, result, args.calib, args.overlay, progress=bar)
    if args.json_out:
        result.write_json(args.json_out)
    print(format_result(result))
    return 0


def format_result(r: AnalysisResult) -> str:
    u = r.units
    lines = [f"{r.clip}: {r.frames} frames, {r.fps:g} fps file"
             + (f", captured at {r.capture_fps:g} fps" if abs(r.capture_fps - r.fps) > 0.01 else "")
             + f", {r.direction}, timed at the {'chest' if r.reference == 'torso' else 'hip'}"]
    if r.start.time_s is not None:
        lines.append(f"First movement   {r.start.time_s:7.3f} s  ± {r.start.uncertainty_s * 1000:.0f} ms   ({r.start.method})")
    else:
        lines.append("First movement   —   (not in the clip: it begins as the athlete goes)"
                     if r.start.method == "before-clip" else
                     "First movement   —   (already running at the first frame: flying run)")
    lines.append("")
    lines.append(f"{'Line':>8}  {'Crossing':>9}  {'Split':>7}  {'±':>6}")
    splits = {s.distance: s for s in r.splits}
    for c in r.crossings:
        d = f"{c.distance:g} {u}"
        if c.time_s is None:
            lines.append(f"{d:>8}  {'—':>9}  {'':>7}  {'':>6}  {c.note}")
            continue
        s = splits.get(c.distance)
        st = f"{s.time_s:7.2f}" if s else f"{'':>7}"
        unc = s.uncertainty_s if s and s.uncertainty_s is not None else c.uncertainty_s
        lines.append(f"{d:>8}  {c.time_s:8.3f}s  {st}  {unc * 1000:4.0f}ms" + (f"  {c.note}" if c.note else ""))
    m = r.model or {}
    if m.get("mss") is not None:
        lines.append("")
        lines.append(
            f"Sprint model: MSS {m['mss']:.2f} m/s ({m['mss'] * 2.23694:.1f} mph), TAU {m['tau']:.2f} s, "
            f"MAC {m.get('mac', float('nan')):.2f} m/s², PMAX {m.get('pmax', float('nan')):.1f} W/kg"
        )
    elif m.get("error"):
        lines.append("")
        lines.append(f"Sprint model: not given ({m['error']})")
    if r.steps:
        lines.append(step_summary(r.steps, r.units))
    for w in r.warnings:
        lines.append(f"Note: {w}")
    return "\n".join(lines)


def step_summary(steps, units: str) -> str:
    """One line on the steps: how many, the first step, and the last few (length, rate, sides)."""
    out = f"Steps: {len(steps)} contacts"
    first = steps[0]  # the first step after the start: its length is from the set position's last foot
    if first.length is not None:
        out += f"; first step {first.length:.2f} {units}"
    last = [s for s in steps[-6:] if s.length is not None]
    rates = [s.frequency_hz for s in last if s.frequency_hz]
    if len(last) >= 2:
        out += f"; last {len(last)}: {np.mean([s.length for s in last]):.2f} {units}"
        if rates:
            out += f" at {np.mean(rates):.1f} steps/s"
        by_side = {side: [s.length for s in last if s.side == side] for side in ("left", "right")}
        if by_side["left"] and by_side["right"]:
            out += f" (left {np.mean(by_side['left']):.2f}, right {np.mean(by_side['right']):.2f})"
    return out


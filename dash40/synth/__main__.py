"""``python -m dash40.synth OUT_DIR [--preset NAME ...] [--suite]``: write synthetic clips."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .clip import render_clip
from .config import PRESETS, benchmark_suite, preset


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dash40.synth", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--preset", action="append", default=[], choices=sorted(PRESETS),
                    help="a named clip (repeatable)")
    ap.add_argument("--suite", action="store_true", help="the benchmark suite")
    ap.add_argument("--only", default="", help="with --suite: only clips whose name contains this")
    ap.add_argument("--name", default=None, help="file stem for a single --preset (default: the preset name)")
    args = ap.parse_args(argv)
    jobs = [(args.name if (args.name and len(args.preset) == 1) else p, preset(p)) for p in args.preset]
    if args.suite:
        jobs += [(n, c) for n, c in benchmark_suite() if args.only in n]
    if not jobs:
        ap.error("nothing to do: give --preset NAME and/or --suite")
    for name, cfg in jobs:
        t = time.perf_counter()
        out = args.out_dir / (name + cfg.suffix)
        truth = render_clip(cfg, out)
        dt = time.perf_counter() - t
        splits = ", ".join(f"{ln.distance:g}{cfg.units}={ln.split_s:.3f}" for ln in truth.lines if ln.split_s is not None)
        print(f"{out}  {cfg.width}x{cfg.height} {cfg.capture_fps:g}fps  {len(truth.frames['time_s'])} frames  "
              f"{dt:.1f}s  t0={truth.t0:.3f}  splits: {splits}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speed and memory benchmark: analysis time ÷ decode-only time on the same clip, in one run.

    python benchmarks/speed.py                        # the committed sample clips
    python benchmarks/speed.py CLIP.mp4 [CALIB.json]  # any clip (calibration beside it by default)

Decode-only = reading every frame into a BGR array exactly as the analyzer does (PyAV, threaded).
Both are timed in the same process, alternately, best of ``--repeat`` runs, so the ratio holds on
a shared, noisy machine even when the absolute seconds do not. Peak memory is the process's
maximum resident set size after the runs (a clip is streamed, never held whole).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dash40.analysis import analyze  # noqa: E402
from dash40.video import iter_frames, probe  # noqa: E402


def decode_only(clip: Path) -> tuple[float, int]:
    info = probe(clip)
    t = time.perf_counter()
    n = sum(1 for _ in iter_frames(clip, info))
    return time.perf_counter() - t, n


def analysis(clip: Path, calib: Path) -> float:
    t = time.perf_counter()
    analyze(clip, calib)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip", nargs="?")
    ap.add_argument("calib", nargs="?")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.clip:
        clips = [(Path(args.clip), Path(args.calib) if args.calib else Path(args.clip).with_suffix(".calib.json"))]
    else:
        clips = [(p, p.with_suffix(".calib.json")) for p in sorted((ROOT / "sample_videos").glob("*.mp4"))]
    print(f"{'clip':<28} {'frames':>6} {'decode s':>9} {'analyse s':>10} {'ratio':>6} {'ms/frame':>9}")
    for clip, calib in clips:
        dec, ana = [], []
        n = 0
        for _ in range(args.repeat):
            d, n = decode_only(clip)
            dec.append(d)
            ana.append(analysis(clip, calib))
        d, a = min(dec), min(ana)
        print(f"{clip.name:<28} {n:>6} {d:>9.2f} {a:>10.2f} {a / d:>6.2f} {1000 * a / n:>9.1f}", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()

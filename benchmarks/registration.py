"""Stabilisation accuracy: the analyzer's frame-to-first-frame warps against the generator's exact shake.

    python benchmarks/registration.py                 # the hand-held clips of the benchmarks
    python benchmarks/registration.py --only b09 p060 # some of them

The generator shakes a hand-held camera by rotating it (``Scene.shake_angles``): each frame is the
first one moved by an exact homography, H(t)·H(t₀)⁻¹. The analyzer registers every frame to its
background (in first-frame coordinates) with an affine warp (``segmentation.Registrar``) and
measures the runner through it, so a warp error moves the chest by as much. For each clip this
prints, over its frames, the mean distance (full-resolution pixels) between where the analyzer's
warp and the true homography put the points of a grid over the picture, and the same on the
runner's rows alone (the median box of the silhouette). Clips: the suite's b09 (3 px of shake, 720p),
the angled sample (2 px, 960×540) and the 24 starts of ``onset.py --phone`` (2 px, 720p/1080p).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
from accuracy import ROOT, _clip_for, suite_at  # benchmarks/ is on the path when run as a script
from onset import suite as onset_suite

import dash40.analysis as analysis  # noqa: E402
from dash40.synth import SceneConfig  # noqa: E402
from dash40.synth.camera import apply_homography  # noqa: E402
from dash40.synth.scene import Scene  # noqa: E402


def hand_held() -> list[tuple[str, SceneConfig, str]]:
    """(name, config, cache folder) of every benchmark clip with a shaking camera."""
    out = [(stem, cfg, "") for stem, cfg in suite_at(None) if cfg.shake_px > 0]
    out += [(stem, cfg, "onset") for stem, cfg in onset_suite(True) if cfg.shake_px > 0]
    return out


def warp_errors(track, truth: dict, width: int, height: int, lane_rows: tuple[float, float]) -> tuple:
    """Per frame: mean |analyzer's warp − true homography| over a picture grid and over the lane's rows."""
    scene = Scene(SceneConfig.from_dict(truth["config"]))
    t_first = float(truth["frames"]["time_s"][0])
    h0_inv = np.linalg.inv(scene.shake_matrix(t_first))
    gx, gy = np.meshgrid(np.linspace(0.05 * width, 0.95 * width, 24), np.linspace(0.05 * height, 0.95 * height, 14))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    lane = grid[(grid[:, 1] >= lane_rows[0]) & (grid[:, 1] <= lane_rows[1])]
    whole, on_lane = [], []
    for t, M in zip(track.time_s, track.warps, strict=True):
        H = scene.shake_matrix(float(t)) @ h0_inv
        for pts, out in ((grid, whole), (lane, on_lane)):
            if len(pts):
                est = pts @ np.asarray(M)[:, :2].T + np.asarray(M)[:, 2]
                out.append(float(np.mean(np.hypot(*(est - apply_homography(H, pts)).T))))
    return np.array(whole), np.array(on_lane)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="clip name prefixes (b09, p060, angled …)")
    args = ap.parse_args(argv)
    clips = [(stem, _clip_for(stem, cfg, sub)) for stem, cfg, sub in hand_held()]
    sample = ROOT / "sample_videos" / "angled_rtl_30m_60fps.mp4"
    clips.append(("angled_rtl_30m_60fps", sample))
    captured: dict = {}
    real = analysis._time_track

    def spy(track, geom, cal, info, *a, **k):
        captured.update(track=track, geom=geom, info=info)
        return real(track, geom, cal, info, *a, **k)

    rows = []
    print(f"{'clip':34s} {'frames':>6s}  whole picture: median  p90   max   | runner's rows: median  p90   max  (px)")
    with mock.patch.object(analysis, "_time_track", spy):
        for stem, clip in clips:
            if args.only and not any(stem.startswith(s) for s in args.only):
                continue
            truth = json.loads(Path(clip).with_suffix(".truth.json").read_text())
            captured.clear()
            analysis.analyze(clip, Path(clip).with_suffix(".calib.json"))
            info, track = captured["info"], captured["track"]
            bb = np.asarray(track.bbox, float)
            rows_span = (float(np.nanmedian(bb[:, 1])), float(np.nanmedian(bb[:, 3])))  # the runner's rows
            whole, lane = warp_errors(track, truth, info.width, info.height, rows_span)
            rows.append((whole, lane))
            print(f"{stem:34s} {len(whole):6d}  {np.median(whole):20.2f} {np.percentile(whole, 90):5.2f} "
                  f"{whole.max():5.2f}   | {np.median(lane):16.2f} {np.percentile(lane, 90):5.2f} {lane.max():5.2f}",
                  flush=True)
    if rows:
        whole = np.concatenate([w for w, _ in rows])
        lane = np.concatenate([q for _, q in rows])
        print(f"\nAll frames ({len(whole)}): whole picture median {np.median(whole):.2f} px, p90 "
              f"{np.percentile(whole, 90):.2f}; runner's rows median {np.median(lane):.2f} px, p90 {np.percentile(lane, 90):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

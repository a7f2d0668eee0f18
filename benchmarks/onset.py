"""First-movement benchmark: 48 short start clips, apart from the accuracy suite.

    python benchmarks/onset.py                 # all (clips cached in benchmarks/out/onset/)
    python benchmarks/onset.py --only o240 q240  # some
    python benchmarks/onset.py --json out.json
    python benchmarks/onset.py --phone         # 24 more, encoded and held like the iPhone clips
    python benchmarks/onset.py --common        # 24 more at everyday rates: 25, 29.97, 30, 48, 50 fps
    python benchmarks/onset.py --hevc          # the 24 default-quality starts encoded with x265 (HEVC)

The accuracy suite has one start per frame rate and camera; a method tuned on it could be tuned
to those twelve starts. These clips vary what moves the first-movement estimate: the capture
rate (30, 60, 120 and 240-fps slow motion), how large the athlete is in the picture (the camera
framed for 5 to 40 yd), 720p/1080p, the runner's path across the lane, the direction, and where
the first movement falls between two frames. The 24 starts are encoded twice: at the generator's
default quality ("o…", whose encoder drops the sensor noise of still frames) and at a phone's
high bit rate ("q…", crf 12: the noise is kept, as phones keep it). Each runs through the whole
analyzer; the error of the first movement is printed in milliseconds and frame periods, with its
stated 1-sigma.

``--phone`` renders the same 24 starts a third time as the iPhone starts of ../shared/real_clips
look: a low bit rate (x264 crf 30; their per-block quantizers run 29-33) and a hand-held camera
(2 px of shake). Not part of the default run: its figures are quoted on their own.

``--common`` renders 24 other starts at the rates most clips are filmed at, which the default
set skips: 25, 29.97 and 30 fps (phones, PAL cameras) and 48, 50 fps, at 960 to 1920 wide, the
camera square to the lane or turned up to 25° off it, B pictures or not, either direction. At
these rates the pictures are 20-40 ms apart and a start's first moving anchor picture often
comes 3-4 frames after the first movement, which the 60-240 fps starts do not show.

``--hevc`` encodes the 24 default-quality starts with x265 (HEVC, crf 23, .mov) instead of x264:
the "High Efficiency" format iPhones record by default. x265 puts four B pictures between its
anchors where x264 puts three, and codes them coarser.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
from accuracy import analysed  # benchmarks/ is on the path when run as a script; it adds the repository

from dash40.synth import SceneConfig  # noqa: E402

FRAMINGS = (  # (far line in yd, width, height, lane offset m, right to left)
    (5.0, 1280, 720, 0.0, False),
    (10.0, 1280, 720, -0.3, False),
    (20.0, 1920, 1080, 0.25, False),
    (40.0, 1280, 720, 0.1, False),
    (10.0, 1280, 720, 0.0, True),
    (40.0, 1920, 1080, -0.2, True),
)
RATES = ((30, None, "mp4"), (60, None, "mp4"), (120, None, "mp4"), (240, 30, "mov"))


HIGH_QUALITY_CRF = 12  # a phone's high bit rate: the sensor noise of still frames is kept
PHONE_CRF, PHONE_SHAKE_PX = 30, 2.0  # as the iPhone starts are: a low bit rate, held by hand


def suite(phone: bool = False) -> list[tuple[str, SceneConfig]]:
    out = []
    for prefix, crf in ((("p", PHONE_CRF),) if phone else (("o", None), ("q", HIGH_QUALITY_CRF))):
        for fps, file_fps, container in RATES:
            for j, (far, w, h, offset, rtl) in enumerate(FRAMINGS):
                seed = 500 + 10 * (fps // 30) + j
                t0 = 0.5 + (j + 0.37) / (len(FRAMINGS) * fps)  # the start falls at a different phase of the frame
                out.append((f"{prefix}{fps:03d}_{j}", SceneConfig(
                    width=w, height=h, capture_fps=fps, file_fps=file_fps, container=container,
                    lines=(0.0, 2.0, far), duration=t0 + 1.2, t0=t0, seed=seed, noise_sigma=2.5, gain_drift=0.02,
                    mss=8.8 + 0.2 * j, tau=1.0 + 0.06 * j, lane_offset=offset, right_to_left=rtl, crf=crf,
                    shake_px=PHONE_SHAKE_PX if prefix == "p" else 0.0)))
    return out


def hevc_suite() -> list[tuple[str, SceneConfig]]:
    """The 24 default-quality starts encoded with x265 (module doc)."""
    from dataclasses import replace

    return [("h" + stem[1:], replace(cfg, codec="hevc", container="mov")) for stem, cfg in suite(False)
            if stem.startswith("o")]


COMMON_RATES = (30000 / 1001, 30.0, 25.0, 50.0, 48.0, 30000 / 1001)
COMMON_YAWS = (0.0, -25.0, 20.0, -15.0, 0.0, 25.0, 10.0)
COMMON_WIDTHS = (1280, 1920, 960)


def common_suite() -> list[tuple[str, SceneConfig]]:
    """24 starts at everyday rates (module doc), framed for 10 yd."""
    out = []
    for k in range(24):
        fps = COMMON_RATES[k % len(COMMON_RATES)]
        w = COMMON_WIDTHS[k % len(COMMON_WIDTHS)]
        t0 = 0.8 + ((0.37 + 0.618 * k) % 1.0) / fps  # the first movement at a different phase of the frame
        out.append((f"c{k:02d}", SceneConfig(
            width=w, height=w * 9 // 16, capture_fps=fps, lines=(0.0, 5.0, 10.0), duration=2.6, t0=t0,
            seed=3100 + k, noise_sigma=1.5 + 0.25 * (k % 7), gain_drift=0.02, cam_yaw_deg=COMMON_YAWS[k % 7],
            b_frames=k % 5 != 4, right_to_left=k % 4 == 3, lane_offset=0.1 * ((k % 5) - 2))))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="stems (prefixes) to run")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--phone", action="store_true", help="the 24 starts encoded and held like the iPhone clips instead")
    ap.add_argument("--common", action="store_true", help="24 starts at 25-50 fps instead (module doc)")
    ap.add_argument("--hevc", action="store_true", help="the 24 default-quality starts encoded with x265 instead")
    args = ap.parse_args(argv)
    rows = []
    configs = common_suite() if args.common else hevc_suite() if args.hevc else suite(args.phone)
    for stem, cfg, truth, res, seconds, error in analysed(configs, args.only, sub="onset"):
        period = 1.0 / truth["capture_fps"]
        if res is None:
            rows.append({"clip": stem, "fps": cfg.capture_fps, "error": error})
            continue
        if res.start.time_s is None:
            print(f"{stem}: no first movement ({res.start.method})", flush=True)
            rows.append({"clip": stem, "fps": cfg.capture_fps, "error": res.start.method})
            continue
        err = res.start.time_s - truth["t0"]
        rows.append({"clip": stem, "fps": cfg.capture_fps, "err_s": err, "err_frames": err / period,
                     "sigma_frames": res.start.uncertainty_s / period})
        print(f"{stem}  {cfg.capture_fps:>3.0f} fps  framed {cfg.lines[-1]:>4.0f} yd {cfg.height}p  "
              f"first movement {1000 * err:+6.1f} ms ({err / period:+.2f} frame)  "
              f"± {res.start.uncertainty_s / period:.2f} frame   [{seconds:.1f} s]", flush=True)
    ok = [r for r in rows if "err_frames" in r]
    print()
    print("Summary (errors in frame periods of the capture rate)")
    rates = sorted({float(r["fps"]) for r in ok})
    groups = ([("all", ok)] + [(f"{f:.4g} fps", [r for r in ok if r["fps"] == f]) for f in rates]
              + [("default", [r for r in ok if r["clip"].startswith("o")]),
                 (f"crf {HIGH_QUALITY_CRF}", [r for r in ok if r["clip"].startswith("q")]),
                 ("phone", [r for r in ok if r["clip"].startswith("p")]),
                 ("common", [r for r in ok if r["clip"].startswith("c")]),
                 ("hevc", [r for r in ok if r["clip"].startswith("h")])])
    summary = {"clips": len(rows), "analysed": len(ok)}
    for name, g in groups:
        if not g:
            continue
        e = np.array([r["err_frames"] for r in g])
        z = np.abs(e) / np.array([r["sigma_frames"] for r in g])
        fig = {"n": len(g), "median_abs": float(np.median(np.abs(e))), "rms": float(np.sqrt(np.mean(e**2))),
               "mean": float(np.mean(e)), "max_abs": float(np.max(np.abs(e))),
               "within_1_sigma": float(np.mean(z <= 1)), "within_2_sigma": float(np.mean(z <= 2))}
        summary[name] = fig
        print(f"  {name:9s} n={fig['n']:2d}  |error| median {fig['median_abs']:.2f}  RMS {fig['rms']:.2f}  "
              f"mean {fig['mean']:+.2f}  max {fig['max_abs']:.2f}   within 1σ / 2σ "
              f"{100 * fig['within_1_sigma']:.0f} % / {100 * fig['within_2_sigma']:.0f} %")
    print(f"  clips analysed {len(ok)}/{len(rows)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "clips": rows}, f, indent=1)
    return 0 if len(ok) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Accuracy benchmark: run the analyzer on the ground-truth suite and print the errors.

    python benchmarks/accuracy.py                 # the whole suite (clips cached in benchmarks/out/)
    python benchmarks/accuracy.py --only b01 b07  # some clips
    python benchmarks/accuracy.py --json out.json # also write every figure as JSON
    python benchmarks/accuracy.py --crf 12        # the same suite encoded at a high bit rate
    python benchmarks/accuracy.py --no-b-frames   # ... with I and P pictures only, as many phones write
    python benchmarks/accuracy.py --replicates 2  # the suite and 2 more copies of it (other seeds, start phases)
    python benchmarks/accuracy.py --sun           # another suite: starts in low sun, the athlete's shadow on the ground
    python benchmarks/accuracy.py --sun overcast  # ... the same starts without sun
    python benchmarks/accuracy.py --drive         # another suite: 10-m starts, a long drive, the head in line with the trunk
    python benchmarks/accuracy.py --drive up      # ... the same starts with the suite's raised head

For each clip: the error of the first movement, of every crossing and of every split against the
analytic truth, in milliseconds and in frame periods of the capture rate; the step detection
figures when steps are reported. Then the summary the README quotes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dash40 import synth  # noqa: E402
from dash40.analysis import analyze  # noqa: E402
from dash40.errors import Dash40Error  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def _clip_for(stem: str, cfg, sub: str = "") -> Path:
    """Render (or reuse) the clip for a config under ``OUT/sub``; the cache key is the config itself."""
    h = hashlib.sha256(repr(cfg).encode())
    for src in sorted((ROOT / "dash40" / "synth").glob("*.py")):  # a changed generator renders anew
        h.update(src.read_bytes())
    key = h.hexdigest()[:10]
    path = OUT / sub / f"{stem}-{key}.{cfg.container}"
    if not path.exists() or not path.with_suffix(".truth.json").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        synth.render_clip(cfg, path)
        print(f"  rendered {path.name} in {time.perf_counter() - t:.1f} s", flush=True)
    return path


def _in_picture(contact: dict, truth: dict) -> bool:
    """The contact point (on the runner's path) is inside the picture: a foot outside the frame
    cannot be found, and is not counted as missed."""
    cam = truth["camera"]
    R = np.array(cam["rotation_world_to_camera"])
    C = np.array(cam["position_m"])
    X = R @ (np.array([contact["x_m"], 0.0, truth["config"]["lane_offset"]]) - C)
    if X[2] <= 0:
        return False
    u = cam["f_px"] * X[0] / X[2] + cam["cx"]
    return 0.0 <= u <= cam["width"] - 1


def _step_figures(result, truth) -> dict | None:
    if not result.steps:
        return None
    units = truth["units"]
    k = 0.9144 if units == "yd" else 1.0
    true_c = [c for c in truth["contacts"] if c.get("touchdown_s") is not None]
    t_true = np.array([c["touchdown_s"] for c in true_c])
    x_true = np.array([c["x_m"] for c in true_c])
    period = 1.0 / truth["capture_fps"]
    matched = []
    spurious = 0
    used = set()
    for s in result.steps:
        if len(t_true) == 0:
            spurious += 1
            continue
        j = int(np.argmin(np.abs(t_true - s.time_s) + np.abs(x_true - s.distance * k)))
        if j in used or abs(t_true[j] - s.time_s) > 3 * period or abs(x_true[j] - s.distance * k) > 0.3:
            spurious += 1
            continue
        used.add(j)
        matched.append((j, s))
    in_view = [i for i, c in enumerate(true_c) if result.trace.time_s and
               result.trace.time_s[0] <= c["touchdown_s"] <= result.trace.time_s[-1] and _in_picture(c, truth)]
    found = len([j for j, _ in matched if j in in_view])
    td_err = [abs(s.time_s - t_true[j]) / period for j, s in matched]
    ct_err = [abs(s.contact_time_s - (true_c[j]["toe_off_s"] - true_c[j]["touchdown_s"])) / period
              for j, s in matched if s.contact_time_s is not None and true_c[j].get("toe_off_s") is not None]
    # The first steps of the start, where the foot lands and leaves slowly: reported on their own.
    running = [i for i, c in enumerate(true_c) if not c.get("set_position")]
    first = set(running[:4])
    ct_first = [abs(s.contact_time_s - (true_c[j]["toe_off_s"] - true_c[j]["touchdown_s"])) / period
                for j, s in matched if j in first and s.contact_time_s is not None]
    td_first = [(s.time_s - t_true[j]) / period for j, s in matched if j in first]
    sided = [(s.side == true_c[j]["side"]) for j, s in matched if s.side in ("left", "right")]
    len_err = []
    for (j1, _s1), (j2, s2) in zip(matched, matched[1:], strict=False):
        if j2 == j1 + 1 and s2.length is not None:
            len_err.append(abs(s2.length * k - (x_true[j2] - x_true[j1])))
    return {
        "true": len(in_view), "found": found, "spurious": spurious,
        "recall": found / max(1, len(in_view)), "spurious_rate": spurious / max(1, len(result.steps)),
        "touchdown_err_frames_median": float(np.median(td_err)) if td_err else None,
        "length_err_cm_median": 100 * float(np.median(len_err)) if len_err else None,
        "sided": len(sided), "side_correct": int(sum(sided)),
        "contact_time_err_frames_median": float(np.median(ct_err)) if ct_err else None,
        "first_steps_contact_time_err_frames": ct_first,
        "first_steps_touchdown_err_frames": td_first,
    }


def analysed(suite, only: list[str] | None, sub: str = ""):
    """Render (or reuse) and analyse each clip of ``suite`` whose stem starts with one of ``only``.

    Yields (stem, config, truth, result, seconds, error); result is None and error the analyzer's
    sentence when it refused the clip (printed as FAILED)."""
    for stem, cfg in suite:
        if only and not any(stem.startswith(s) for s in only):
            continue
        clip = _clip_for(stem, cfg, sub)
        truth = json.loads(clip.with_suffix(".truth.json").read_text())
        t = time.perf_counter()
        try:
            res = analyze(clip, clip.with_suffix(".calib.json"))
        except Dash40Error as exc:
            print(f"{stem}: FAILED — {exc}", flush=True)
            yield stem, cfg, truth, None, time.perf_counter() - t, str(exc)
            continue
        yield stem, cfg, truth, res, time.perf_counter() - t, None


REPLICATE_SEED_STEP = 1000  # replicate k of a clip: seed + k·this ...
REPLICATE_PHASE = 0.29  # ... and its first movement k·this frame period later (another phase between frames)


def replicates(suite: list, n: int) -> list:
    """The suite and ``n`` copies of each of its clips made with other random seeds (sensor noise,
    background texture, the camera's sway and drift, dropped frames) and a first movement falling
    at another phase between two frames: the suite's 36 splits put its 95th percentile on two of
    them, the replicates say how much of a figure is the luck of those."""
    from dataclasses import replace

    out = list(suite)
    for k in range(1, n + 1):
        for stem, cfg in suite:
            t0 = cfg.t0 + k * REPLICATE_PHASE / cfg.capture_fps
            out.append((f"{stem}_r{k}", replace(cfg, seed=cfg.seed + k * REPLICATE_SEED_STEP, t0=t0)))
    return out


def sun_suite(overcast: bool = False) -> list:
    """Starts filmed in low sun (the athlete's long shadow on the ground, which a silhouette takes
    in): 60 fps, 1280×720, a 10-yd and a 40-yd framing, the shadow falling toward the camera (20°),
    along the run (90°) and away from the camera (160°), the sun 25° or 15° high. The athlete runs
    up to 0.4 m off the cones' middle (where the analysis assumes the path when it cannot read it).
    ``overcast``: the same starts without sun, to tell what the shadow costs."""
    hd = dict(width=1280, height=720, capture_fps=60, noise_sigma=2.5, gain_drift=0.02)
    y10 = dict(lines=(0.0, 5.0, 10.0), duration=3.0, t0=0.6)
    y40 = dict(lines=(0.0, 10.0, 20.0, 40.0), duration=6.5, t0=0.8)
    out = []
    for k, (name, framing) in enumerate((("10yd", y10), ("40yd", y40))):
        for j, (el, az, off) in enumerate(((25.0, 20.0, -0.4), (25.0, 90.0, 0.3), (25.0, 160.0, -0.3),
                                           (15.0, 160.0, 0.0))):
            out.append((f"s{k}{j}_{name}_" + ("overcast" if overcast else f"sun{el:g}_az{az:g}"),
                        synth.SceneConfig(**hd, **framing, sun_elevation_deg=None if overcast else el, sun_azimuth_deg=az,
                                          lane_offset=off if k == 0 else -off, seed=300 + 10 * k + j)))
    return out


def drive_suite(head: str = "in_line") -> list:
    """10-m starts (lines at 0, 5 and 10 m, framed as the real iPhone starts of
    ``../shared/real_clips/``) by an athlete who stays low through a long drive (the trunk ~54°
    above the horizontal at 5 m, ~65° at 10 m: ``SceneConfig.posture="long_drive"``) with the head
    carried in line with the trunk, as sprinters are coached to carry it: the face is then 7 cm
    ahead of the chest at 5 m, 4 cm at 10 m. 30, 60 and 120 fps at 1280×720, 60 fps at 1920×1080,
    and 60 fps hand-held (2 px of shake). ``head="up"``: the same starts with the suite's raised
    head, to tell what the head costs."""
    base = dict(width=1280, height=720, units="m", lines=(0.0, 5.0, 10.0), duration=3.0, t0=0.6, mss=9.0,
                tau=1.2, noise_sigma=2.5, head=head, posture="long_drive")
    clips = (("30fps", dict(capture_fps=30)), ("60fps", dict(capture_fps=60)), ("120fps", dict(capture_fps=120)),
             ("60fps_1080p", dict(capture_fps=60, width=1920, height=1080)),
             ("60fps_shake", dict(capture_fps=60, shake_px=2.0, lane_offset=0.3)))
    return [(f"d{k}_10m_{name}_head_{head}", synth.SceneConfig(**{**base, **kw}, seed=400 + k))
            for k, (name, kw) in enumerate(clips)]


def suite_at(crf: int | None, b_frames: bool = True, n_replicates: int = 0) -> list:
    """The benchmark suite, or the same clips encoded at x264 ``crf`` (x265 ``crf`` + 2), and/or
    without B pictures, and/or with ``n_replicates`` copies of each clip (``replicates``)."""
    from dataclasses import replace

    suite = replicates(synth.benchmark_suite(), n_replicates)
    if crf is not None:
        suite = [(stem, replace(cfg, crf=crf if cfg.codec == "h264" else crf + 2)) for stem, cfg in suite]
    if not b_frames:
        suite = [(stem, replace(cfg, b_frames=False)) for stem, cfg in suite]
    return suite


def split_errors(res, truth: dict) -> list[tuple[float, float, float | None]]:
    """(line distance, split error s, stated 1-sigma s) of each split against the truth; for a flying
    run the splits are counted from the first line reached."""
    by_d = {ln["distance"]: ln for ln in truth["lines"]}
    base = None
    if res.flying:
        reached = [c for c in res.crossings if c.time_s is not None]
        base = by_d[reached[0].distance]["chest_time_s"] if reached else None
    out = []
    for s in res.splits:
        ln = by_d.get(s.distance)
        if ln is None or ln.get("chest_time_s") is None or s.time_s is None:
            continue
        true_split = ln["split_s"] if not res.flying else ln["chest_time_s"] - base
        if true_split is not None:
            out.append((s.distance, s.time_s - true_split, s.uncertainty_s))
    return out


def run(stems: list[str] | None, crf: int | None = None, b_frames: bool = True, n_replicates: int = 0,
        sun: str | None = None, drive: str | None = None) -> dict:
    rows = []
    sub = "".join([f"crf{crf}" if crf is not None else "", "" if b_frames else "ippp"])
    if sun:
        suite, sub = sun_suite(overcast=sun == "overcast"), sun
    elif drive:
        suite, sub = drive_suite(drive), "drive"
    else:
        suite = suite_at(crf, b_frames, n_replicates)
    for stem, _cfg, truth, res, elapsed, error in analysed(suite, stems, sub=sub):
        period = 1.0 / truth["capture_fps"]
        if res is None:
            rows.append({"clip": stem, "error": error, "period": period})
            continue
        row = {"clip": stem, "fps": truth["capture_fps"], "period": period, "seconds": elapsed,
               "start": None, "crossings": [], "splits": []}
        if not truth.get("flying") and res.start.time_s is not None:
            row["start"] = res.start.time_s - truth["t0"]
            row["start_unc"] = res.start.uncertainty_s
        elif truth.get("flying") != res.flying:
            row["flying_mismatch"] = True
        by_d = {ln["distance"]: ln for ln in truth["lines"]}
        for c in res.crossings:
            ln = by_d.get(c.distance)
            if ln is None or ln.get("chest_time_s") is None or c.time_s is None:
                continue
            row["crossings"].append((c.distance, c.time_s - ln["chest_time_s"], c.uncertainty_s))
        row["splits"] = split_errors(res, truth)
        row["steps"] = _step_figures(res, truth)
        m = res.model or {}
        if m.get("mss") and not truth.get("flying") and max(ln["distance_m"] for ln in truth["lines"]) >= 27:
            row["model"] = (m["mss"] / truth["mss"] - 1.0, m["tau"] / truth["tau"] - 1.0)
        rows.append(row)
        _print_row(row, truth["units"])
    return _summary(rows)


def _fmt(err_s: float, period: float) -> str:
    return f"{err_s * 1000:+6.1f} ms ({err_s / period:+5.2f} fr)"


def _print_row(row: dict, units: str) -> None:
    p = row["period"]
    head = f"{row['clip']}  ({row['fps']:g} fps, analysed in {row['seconds']:.1f} s)"
    print(head)
    if row["start"] is not None:
        print(f"    start           {_fmt(row['start'], p)}")
    for d, e, u in row["crossings"]:
        print(f"    cross {d:>4g} {units:<2}  {_fmt(e, p)}   ±{(u or 0) * 1000:.1f} ms")
    for d, e, _u in row["splits"]:
        print(f"    split {d:>4g} {units:<2}  {_fmt(e, p)}")
    if row.get("model"):
        print(f"    model  MSS {100 * row['model'][0]:+.1f} %, TAU {100 * row['model'][1]:+.1f} %")
    if row.get("steps"):
        s = row["steps"]
        td = s["touchdown_err_frames_median"]
        ln = s["length_err_cm_median"]
        print(f"    steps  found {s['found']}/{s['true']}, spurious {s['spurious']}, touchdown median "
              f"{td if td is None else round(td, 2)} fr, length median {ln if ln is None else round(ln, 1)} cm, "
              f"side {s['side_correct']}/{s['sided']} right, contact time median "
              f"{'—' if s['contact_time_err_frames_median'] is None else round(s['contact_time_err_frames_median'], 2)} fr")
    sys.stdout.flush()


def _summary(rows: list[dict]) -> dict:
    ok = [r for r in rows if "error" not in r]
    split_fr = np.array([abs(e) / r["period"] for r in ok for _, e, _u in r["splits"]])
    split_ms = np.array([abs(e) * 1000 for r in ok for _, e, _u in r["splits"]])
    cross_fr = np.array([abs(e) / r["period"] for r in ok for _, e, _ in r["crossings"]])
    start_fr = np.array([abs(r["start"]) / r["period"] for r in ok if r["start"] is not None])
    start_ms = np.array([abs(r["start"]) * 1000 for r in ok if r["start"] is not None])
    z = np.array([abs(e) / u for r in ok for _, e, u in r["crossings"] if u])
    z_start = np.array([abs(r["start"]) / r["start_unc"] for r in ok if r["start"] is not None and r.get("start_unc")])
    z_split = np.array([abs(e) / u for r in ok for _, e, u in r["splits"] if u])
    summary = {
        "clips": len(rows), "analysed": len(ok),
        "split_median_frames": float(np.median(split_fr)) if len(split_fr) else None,
        "split_p95_frames": float(np.percentile(split_fr, 95)) if len(split_fr) else None,
        "split_median_ms": float(np.median(split_ms)) if len(split_ms) else None,
        "split_p95_ms": float(np.percentile(split_ms, 95)) if len(split_ms) else None,
        "crossing_median_frames": float(np.median(cross_fr)) if len(cross_fr) else None,
        "start_median_frames": float(np.median(start_fr)) if len(start_fr) else None,
        "start_median_ms": float(np.median(start_ms)) if len(start_ms) else None,
        "crossings_within_2_sigma": float(np.mean(z <= 2.0)) if len(z) else None,
        "starts_within_1_2_sigma": (float(np.mean(z_start <= 1.0)), float(np.mean(z_start <= 2.0))) if len(z_start) else None,
        "splits_within_1_2_sigma": (float(np.mean(z_split <= 1.0)), float(np.mean(z_split <= 2.0))) if len(z_split) else None,
    }
    models = [r["model"] for r in ok if r.get("model")]
    if models:
        summary["mss_abs_err_median_pct"] = 100 * float(np.median([abs(a) for a, _ in models]))
        summary["tau_abs_err_median_pct"] = 100 * float(np.median([abs(b) for _, b in models]))
    steps = [r["steps"] for r in ok if r.get("steps") and r["fps"] >= 60]
    if steps:
        summary["steps_recall"] = float(np.mean([s["recall"] for s in steps]))
        summary["steps_spurious_rate"] = float(np.mean([s["spurious_rate"] for s in steps]))
        td = [s["touchdown_err_frames_median"] for s in steps if s["touchdown_err_frames_median"] is not None]
        ln = [s["length_err_cm_median"] for s in steps if s["length_err_cm_median"] is not None]
        summary["steps_touchdown_median_frames"] = float(np.median(td)) if td else None
        summary["steps_length_median_cm"] = float(np.median(ln)) if ln else None
        ct = [s["contact_time_err_frames_median"] for s in steps if s["contact_time_err_frames_median"] is not None]
        summary["steps_contact_time_median_frames"] = float(np.median(ct)) if ct else None
        ct1 = [e for s in steps for e in s["first_steps_contact_time_err_frames"]]
        td1 = [e for s in steps for e in s["first_steps_touchdown_err_frames"]]
        summary["first_steps_contact_time_median_frames"] = float(np.median(ct1)) if ct1 else None
        summary["first_steps_touchdown_mean_frames"] = float(np.mean(td1)) if td1 else None
        summary["steps_sided"] = int(sum(s["sided"] for s in steps))
        summary["steps_side_correct"] = int(sum(s["side_correct"] for s in steps))
    print()
    print("Summary")
    print(f"  clips analysed              {summary['analysed']}/{summary['clips']}")
    if summary["split_median_frames"] is not None:
        print(f"  |split error| median        {summary['split_median_frames']:.2f} frame periods "
              f"({summary['split_median_ms']:.1f} ms)   target ≤ 0.25")
        print(f"  |split error| 95th pct      {summary['split_p95_frames']:.2f} frame periods "
              f"({summary['split_p95_ms']:.1f} ms)   target ≤ 0.6")
        print(f"  |crossing error| median     {summary['crossing_median_frames']:.2f} frame periods")
    if summary["start_median_frames"] is not None:
        print(f"  |start error| median        {summary['start_median_frames']:.2f} frame periods "
              f"({summary['start_median_ms']:.1f} ms)   target ≤ 0.5")
    if summary["crossings_within_2_sigma"] is not None:
        print(f"  crossings within 2σ         {100 * summary['crossings_within_2_sigma']:.0f} %")
    for key, label in (("starts_within_1_2_sigma", "starts "), ("splits_within_1_2_sigma", "splits ")):
        if summary.get(key) is not None:
            one, two = summary[key]
            print(f"  {label + 'within 1σ / 2σ':<28}{100 * one:.0f} % / {100 * two:.0f} %   (honest: ~68 % / ~95 %)")
    if "mss_abs_err_median_pct" in summary:
        print(f"  sprint model (≥30 m clips)  |MSS error| median {summary['mss_abs_err_median_pct']:.1f} %, "
              f"|TAU error| median {summary['tau_abs_err_median_pct']:.1f} %   targets 1 %, 3 %")
    if "steps_recall" in summary:
        td, ln = summary["steps_touchdown_median_frames"], summary["steps_length_median_cm"]
        print(f"  steps (≥60 fps) found       {100 * summary['steps_recall']:.0f} %, spurious "
              f"{100 * summary['steps_spurious_rate']:.0f} %, touchdown median "
              f"{'—' if td is None else f'{td:.2f}'} fr, length median {'—' if ln is None else f'{ln:.1f}'} cm   "
              "targets ≥ 95 %, ≤ 5 %, ≤ 1 fr, ≤ 5 cm")
        print(f"  step side (left/right)      {summary['steps_side_correct']}/{summary['steps_sided']} right "
              "(the other steps say 'unknown')")
        ctm = summary["steps_contact_time_median_frames"]
        print(f"  step contact time |error|   median {'—' if ctm is None else f'{ctm:.2f}'} frame   target ≤ 1 frame")
        ct1, td1 = summary["first_steps_contact_time_median_frames"], summary["first_steps_touchdown_mean_frames"]
        if ct1 is not None:
            print(f"  first 4 steps of the start  contact time |error| median {ct1:.2f} frame, touchdown error "
                  f"mean {td1:+.2f} frame (slow landings: seen early)")
    return {"summary": summary, "clips": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="*", help="clip name prefixes (e.g. b01 b07)")
    ap.add_argument("--json", help="write the figures as JSON here")
    ap.add_argument("--crf", type=int, help="encode the suite at this quality instead (12: a high bit rate "
                                            "that keeps the sensor noise; the suite's own is 21, HEVC 23)")
    ap.add_argument("--no-b-frames", action="store_true",
                    help="encode the suite with I and P pictures only (IPPP), as many phones' hardware encoders do")
    ap.add_argument("--replicates", type=int, default=0, metavar="N",
                    help="also N copies of every clip with other random seeds and start phases (the summary "
                         "then counts them all)")
    ap.add_argument("--sun", nargs="?", const="sun", choices=["sun", "overcast"],
                    help="instead of the suite, starts in low sun (the athlete's shadow on the ground); "
                         "'--sun overcast': the same starts without sun")
    ap.add_argument("--drive", nargs="?", const="in_line", choices=["in_line", "up"],
                    help="instead of the suite, 10-m starts by an athlete who stays low through a long drive with "
                         "the head in line with the trunk; '--drive up': the same starts with the suite's raised head")
    args = ap.parse_args()
    for name in ("sun", "drive"):
        if getattr(args, name) and (args.crf is not None or args.no_b_frames or args.replicates):
            ap.error(f"--{name} is a suite of its own: it takes no --crf, --no-b-frames or --replicates")
    if args.sun and args.drive:
        ap.error("--sun and --drive are two suites: run them one at a time")
    out = run(args.only, args.crf, b_frames=not args.no_b_frames, n_replicates=args.replicates, sun=args.sun,
              drive=args.drive)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()

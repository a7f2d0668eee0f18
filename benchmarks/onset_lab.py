"""Development bench for the first-movement fit: its inputs stored once, any variant scored in seconds.

    python benchmarks/onset_lab.py extract            # analyse the benchmark clips once, store the fit's inputs
    python benchmarks/onset_lab.py                    # score dash40.timing.onset_from_patches on them
    python benchmarks/onset_lab.py --fn mymod:onset   # score a variant with the same signature
    python benchmarks/onset_lab.py --sets suite phone # some sets only; --list prints every start

A change to the first movement used to be judged by running the benchmarks again (half an hour once
the clips are cached, because every clip goes through the whole analyzer). The fit itself needs only
what ``dash40.timing.onset_from_patches`` receives: the frames of the second before the run, cut to
the set position and aligned, their times and picture types. ``extract`` runs the analyzer once on
every start of the benchmarks and stores those inputs with the truth (``benchmarks/out/onset_lab/``,
about 170 MB, ~10 minutes with the clips cached); scoring them takes seconds and prints, for the
code as it is, the same first-movement figures as the benchmarks. Sets: ``suite`` (accuracy.py),
``rep`` (the 26 starts that its --replicates 2 adds), ``crf12`` (its --crf 12), ``ippp`` (its --no-b-frames; ``ippprep`` its 26 replicate starts), ``onset`` (onset.py's 48: default quality
and crf 12), ``phone`` (onset.py --phone), ``common`` (onset.py --common: 25-50 fps), ``hevc`` (onset.py --hevc). A variant that only helps one set moves the others: read
them all.

The inputs depend on the rest of the analyzer (where the run is found sets the window's end, the
tracking sets the region): extract again after changing those, not after changing the fit.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import numpy as np
from accuracy import OUT, analysed, suite_at  # benchmarks/ is on the path when run as a script
from onset import common_suite, hevc_suite
from onset import suite as onset_suite

from dash40 import timing  # noqa: E402

LAB = OUT / "onset_lab"
SETS = ("suite", "rep", "crf12", "ippp", "ippprep", "onset", "phone", "common", "hevc")
N_REPLICATES = 2  # the "rep" set: accuracy.py --replicates 2 without the suite itself


def _suites(name: str):
    """(stems and configs, cache folder) of one set, as the benchmarks render them."""
    if name == "suite":
        return suite_at(None), ""
    if name == "rep":
        n = len(suite_at(None))
        return suite_at(None, n_replicates=N_REPLICATES)[n:], ""
    if name == "crf12":
        return suite_at(12), "crf12"
    if name == "ippp":
        return suite_at(None, b_frames=False), "ippp"
    if name == "ippprep":
        n = len(suite_at(None))
        return suite_at(None, b_frames=False, n_replicates=N_REPLICATES)[n:], "ippp"
    if name == "onset":
        return onset_suite(False), "onset"
    if name == "phone":
        return onset_suite(True), "onset"
    if name == "common":
        return common_suite(), "onset"
    if name == "hevc":
        return hevc_suite(), "onset"
    raise SystemExit(f"Unknown set {name!r}: one of {', '.join(SETS)}.")


def extract(names: list[str]) -> None:
    captured: dict = {}
    fit = timing.onset_from_patches

    def spy(times, patches, pict, frame_period, index, athlete_px=None):
        captured.update(times=np.asarray(times, float), patches=np.asarray(patches, np.float32),
                        pict=np.array(list(pict)), frame_period=float(frame_period), index=np.asarray(index),
                        athlete_px=np.nan if athlete_px is None else float(athlete_px))
        return fit(times, patches, pict, frame_period, index, athlete_px=athlete_px)

    timing.onset_from_patches = spy
    try:
        for name in names:
            configs, sub = _suites(name)
            (LAB / name).mkdir(parents=True, exist_ok=True)
            for stem, _cfg, truth, _res, _s, error in analysed(configs, None, sub=sub):
                if error is not None or truth.get("t0") is None or not captured:
                    captured.clear()
                    continue
                np.savez_compressed(LAB / name / f"{stem}.npz", t0=float(truth["t0"]),
                                    capture_fps=float(truth["capture_fps"]), **captured)
                print(f"{name}/{stem}: stored", flush=True)
                captured.clear()
    finally:
        timing.onset_from_patches = fit


def score(names: list[str], fn, show: bool) -> None:
    for name in names:
        files = sorted((LAB / name).glob("*.npz"))
        if not files:
            print(f"{name:6s} no stored inputs: run `python benchmarks/onset_lab.py extract --sets {name}`")
            continue
        err, sig, rows = [], [], []
        for f in files:
            d = np.load(f)
            px = float(d["athlete_px"])
            o = fn(d["times"], d["patches"], list(d["pict"]), float(d["frame_period"]), d["index"],
                   athlete_px=None if np.isnan(px) else px)
            fp = 1.0 / float(d["capture_fps"])  # errors in frame periods of the capture rate, as the benchmarks print
            e = (o.time_s - float(d["t0"])) / fp if o is not None and o.time_s is not None else np.nan
            s = o.uncertainty_s / fp if o is not None and o.uncertainty_s else np.nan
            err.append(e)
            sig.append(s)
            rows.append(f"{f.stem}:{e:+.2f}±{s:.2f}")
        e, s = np.array(err), np.array(sig)
        ok = np.isfinite(e)
        a = np.abs(e[ok])
        print(f"{name:6s} n={ok.sum()}/{len(e)}  |error| median {np.median(a):.2f}  mean {np.mean(e[ok]):+.2f}  "
              f"RMS {np.sqrt(np.mean(a**2)):.2f}  p90 {np.percentile(a, 90):.2f}  within 1σ / 2σ "
              f"{100 * np.mean(a <= s[ok]):.0f} % / {100 * np.mean(a <= 2 * s[ok]):.0f} %")
        if show:
            print("   " + "  ".join(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", nargs="?", choices=("score", "extract"), default="score")
    ap.add_argument("--sets", nargs="*", default=list(SETS), help=f"some of {', '.join(SETS)}")
    ap.add_argument("--fn", help="module:function to score instead of dash40.timing.onset_from_patches")
    ap.add_argument("--list", action="store_true", help="print every start's error and 1-sigma (frames)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.sets if n not in SETS]
    if unknown:
        ap.error(f"unknown set {unknown[0]!r}: the sets are {', '.join(SETS)}")
    if args.command == "extract":
        extract(args.sets)
        return 0
    fn = timing.onset_from_patches
    if args.fn:
        module, _, attr = args.fn.partition(":")
        fn = getattr(importlib.import_module(module), attr or "onset_from_patches")
    score(args.sets, fn, args.list)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``dash40 fit``: fit the sprint model to split times typed in by a coach.

Example::

    dash40 fit --distances 5,10,20,30,40 --times 1.16,1.89,3.15,4.31,5.44 --units yd \\
               --model time-correction --mass 90 --height 1.85 --json fit.json

Parsing happens here, once; the numbers handed to :mod:`dash40.kinematics` are plain SI floats.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .kinematics import DEFAULT_PREDICTIONS, SprintFit, fit_splits

YARD_M = 0.9144
MPH_PER_M_S = 3600.0 / 1609.344

MODELS_HELP = (
    "plain: time as a function of distance, no correction (default); "
    "time-correction: also estimate a constant added to every time (the clock started after first movement); "
    "time-correction-fixed=S: add a known S seconds; "
    "flying: also estimate the distance already covered at the first line (rolling start); "
    "flying-fixed=D: that distance is known, D in --units"
)


@dataclass(frozen=True)
class FitRequest:
    """The command line, parsed and converted: distances in metres, times in seconds."""

    distances: tuple[float, ...]  # in ``units``
    distances_m: tuple[float, ...]
    times_s: tuple[float, ...]
    units: str
    model: str
    estimate_time_correction: bool
    time_correction_s: float
    estimate_flying_distance: bool
    flying_distance_m: float
    body_mass_kg: float | None
    height_m: float | None
    temperature_c: float
    pressure_mmhg: float
    wind_m_s: float
    json_path: Path | None


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "fit",
        help="fit the sprint model (MSS, TAU, MAC, PMAX) to split times",
        description=(
            "Fit the mono-exponential sprint model to split times and print MSS, TAU, MAC, PMAX, predicted "
            "splits and (with --mass and --height) the Samozino force-velocity profile. Distances are in "
            "metres unless --units yd (yards: a 40-yard dash is --units yd --distances 10,20,40)."
        ),
    )
    p.add_argument("--distances", required=True, metavar="D1,D2,...",
                   help="distances of the timing lines from the start line, comma-separated, in --units (e.g. 5,10,20,30,40)")
    p.add_argument("--times", required=True, metavar="T1,T2,...",
                   help="split times in seconds at those lines, comma-separated (e.g. 1.16,1.89,3.15,4.31,5.44)")
    p.add_argument("--units", default="m", metavar="m|yd",
                   help="units of --distances and of D in flying-fixed=D: m = metres (default), yd = YARDS (use yd for a 40-yard dash)")
    p.add_argument("--model", default="plain", metavar="MODEL", help=MODELS_HELP)
    p.add_argument("--mass", metavar="KG", help="body mass in kg (with --height: force-velocity profile)")
    p.add_argument("--height", metavar="M", help="standing height in metres (with --mass)")
    p.add_argument("--temperature", default="20", metavar="C", help="air temperature in degrees C for air drag (default 20)")
    p.add_argument("--pressure", default="760", metavar="MMHG", help="barometric pressure in mmHg for air drag (default 760)")
    p.add_argument("--wind", default="0", metavar="M/S", help="wind speed in m/s, + tail / - head wind (default 0)")
    p.add_argument("--json", metavar="OUT", help="also write the fit as JSON to OUT (SI units)")
    p.set_defaults(run=run)
    return p


# ---- parsing ------------------------------------------------------------------------------------


def _number(text: str, option: str, unit: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(f"{option} must be a number in {unit}; got {text!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"{option} must be a finite number in {unit}; got {text!r}.")
    return value


def _numbers(text: str, option: str, unit: str) -> tuple[float, ...]:
    items = [s.strip() for s in str(text).split(",") if s.strip()]
    if not items:
        raise InputError(f"{option} must be comma-separated numbers in {unit}; got {text!r}.")
    return tuple(_number(s, option, unit) for s in items)


def parse_request(args: argparse.Namespace) -> FitRequest:
    units = str(args.units).strip().lower()
    if units not in ("m", "yd"):
        raise InputError(f"--units must be 'm' or 'yd'; got {args.units!r}.")
    scale = YARD_M if units == "yd" else 1.0
    distances = _numbers(args.distances, "--distances", units)
    times = _numbers(args.times, "--times", "seconds")
    if len(distances) != len(times):
        raise InputError(f"--distances and --times need the same count; got {len(distances)} distances and {len(times)} times.")

    spec = str(args.model).strip().lower()
    name, _, value = spec.partition("=")
    est_tc = est_fd = False
    tc = fd_m = 0.0
    if name == "plain" and not value:
        pass
    elif name == "time-correction" and not value:
        est_tc = True
    elif name == "flying" and not value:
        est_fd = True
    elif name == "flying-fixed" and value:
        fd_m = _number(value, "flying-fixed=D", units) * scale
        if fd_m <= 0:
            raise InputError(f"flying-fixed=D needs a positive distance; got {value!r}.")
    elif name == "time-correction-fixed" and value:
        tc = _number(value, "time-correction-fixed=S", "seconds")
    else:
        raise InputError(
            f"--model must be plain, time-correction, time-correction-fixed=S, flying or flying-fixed=D; got {args.model!r}."
        )

    mass = None if args.mass is None else _number(args.mass, "--mass", "kg")
    height = None if args.height is None else _number(args.height, "--height", "m")
    if (mass is None) != (height is None):
        given = "--mass" if mass is not None else "--height"
        raise InputError(f"--mass and --height go together for the force-velocity profile; got only {given}.")
    return FitRequest(
        distances=distances,
        distances_m=tuple(d * scale for d in distances),
        times_s=times,
        units=units,
        model=spec,
        estimate_time_correction=est_tc,
        time_correction_s=tc,
        estimate_flying_distance=est_fd,
        flying_distance_m=fd_m,
        body_mass_kg=mass,
        height_m=height,
        temperature_c=_number(args.temperature, "--temperature", "degrees C"),
        pressure_mmhg=_number(args.pressure, "--pressure", "mmHg"),
        wind_m_s=_number(args.wind, "--wind", "m/s"),
        json_path=None if args.json is None else Path(args.json),
    )


# ---- computing ----------------------------------------------------------------------------------


def compute(req: FitRequest) -> SprintFit:
    fit = fit_splits(
        req.distances_m,
        req.times_s,
        estimate_time_correction=req.estimate_time_correction,
        time_correction=req.time_correction_s,
        estimate_flying_distance=req.estimate_flying_distance,
        flying_distance=req.flying_distance_m,
        units=req.units,
    )
    if req.body_mass_kg is not None:
        fit = fit.with_force_velocity(
            body_mass_kg=req.body_mass_kg,
            height_m=req.height_m,
            temperature_c=req.temperature_c,
            pressure_mmhg=req.pressure_mmhg,
            wind_m_s=req.wind_m_s,
        )
    return fit


def predictions_for(req: FitRequest) -> list[tuple[float, str]]:
    """The measured distances (in the user's units) followed by the standard ones, no repeats."""
    seen: set[tuple[float, str]] = set()
    out = []
    for key in [(d, req.units) for d in req.distances] + list(DEFAULT_PREDICTIONS):
        k = (round(float(key[0]), 9), key[1])
        if k not in seen:
            seen.add(k)
            out.append((float(key[0]), key[1]))
    return out


def to_json_dict(req: FitRequest, fit: SprintFit) -> dict:
    d = fit.to_dict(predictions_for(req))
    d["input"] = {
        "distances": list(req.distances),
        "units": req.units,
        "distances_m": list(req.distances_m),
        "times_s": list(req.times_s),
        "model": req.model,
        "body_mass_kg": req.body_mass_kg,
        "height_m": req.height_m,
        "temperature_c": req.temperature_c,
        "pressure_mmhg": req.pressure_mmhg,
        "wind_m_s": req.wind_m_s,
    }
    return d


def write_json_atomic(path: Path, payload: dict) -> None:
    """Serialise first, then write a temporary file beside ``path`` and rename it into place."""
    text = json.dumps(payload, indent=2, allow_nan=False)
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"--json needs an existing folder; {str(path.parent)!r} does not exist.")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- printing -----------------------------------------------------------------------------------


def _fmt_dist(d: float, units: str) -> str:
    return f"{d:g} {units}"


def _ci_text(fit: SprintFit, name: str, fmt: str) -> str:
    ci = fit.ci_dict().get(name)
    if not ci:
        return ""
    return f"95% CI {ci[0]:{fmt}}-{ci[1]:{fmt}}"


def format_report(req: FitRequest, fit: SprintFit) -> str:
    u = req.units
    scale = YARD_M if u == "yd" else 1.0
    lines = [
        f"Sprint model: {fit.model}  ({len(req.times_s)} splits, distances in {'yards' if u == 'yd' else 'metres'})"
        f"   fit quality: {fit.quality}",
        f"  MSS   {fit.mss:6.2f} m/s ({fit.mss * MPH_PER_M_S:.1f} mph)  {_ci_text(fit, 'mss', '.2f')}",
        f"  TAU   {fit.tau:6.2f} s              {_ci_text(fit, 'tau', '.2f')}",
        f"  MAC   {fit.mac:6.2f} m/s^2          {_ci_text(fit, 'mac', '.2f')}",
        f"  PMAX  {fit.pmax:6.2f} W/kg           {_ci_text(fit, 'pmax', '.1f')}",
    ]
    if fit.time_correction is not None:
        tag = "fixed" if "time_correction" in fit.fixed else "estimated"
        lines.append(f"  time correction {fit.time_correction:.3f} s ({tag}; added to every measured time)")
    if fit.flying_distance is not None:
        tag = "fixed" if "flying_distance" in fit.fixed else "estimated"
        in_m = f"{fit.flying_distance:.2f} m, " if u == "yd" else ""
        lines.append(
            f"  flying distance {fit.flying_distance / scale:.2f} {u} ({in_m}{tag}; covered before the first line)"
        )
    if fit.rse is not None:
        lines.append(f"  RSE {fit.rse:.3f} s on {fit.dof} degrees of freedom  (CIs: {fit.ci_method})")
    lines.append("")
    lines.append(f"  {'distance':>9}  {'measured':>8}  {'model':>6}  {'resid':>6}")
    for d_u, d_m, t, r in zip(req.distances, req.distances_m, req.times_s, fit.residuals, strict=True):
        lines.append(f"  {_fmt_dist(d_u, u):>9}  {t:8.2f}  {fit.split_time(d_m):6.2f}  {r:+6.3f}")
    lines.append("")
    frame = "from the clock start" if fit.time_correction or fit.flying_distance else "from the start"
    lines.append(f"  Predicted splits ({frame}; * = beyond the last line):")
    rows = fit.predicted(DEFAULT_PREDICTIONS)
    for unit in ((u, "m" if u == "yd" else "yd")):
        cells = [f"{r['distance']:g} {unit} {r['time_s']:.2f}{'*' if r['extrapolated'] else ''}" for r in rows if r["units"] == unit]
        lines.append("    " + "   ".join(cells))
    length = 10 * scale
    if fit.max_distance_m >= length:
        fl = fit.flying_time(length)
        lines.append(
            f"  Flying 10 {u} ({fl['from_m'] / scale:g}-{fl['to_m'] / scale:g} {u}): {fl['time_s']:.2f} s"
        )
    ph = fit.phases()
    marks = ph.marks
    shift = fit.first_line_distance_m  # phase distances are from the start position

    def line(d_model: float) -> str:
        return f"{(d_model - shift) / scale:.1f}"

    lines.append(
        "  Reaches " + "/".join(f"{m.fraction:.0%}" for m in marks) + " of MSS at "
        + " / ".join(line(m.distance_m) for m in marks) + f" {u} from the first line ("
        + " / ".join(f"{m.time_s:.2f}" for m in marks) + " s after first movement)"
    )
    p0, p1, _ = ph.phases
    lines.append(
        f"  Phases: initial acceleration to {p0.end_time_s:.2f} s ({line(p0.end_distance_m)} {u}), "
        f"transition to {p1.end_time_s:.2f} s ({line(p1.end_distance_m)} {u}), then maximal velocity"
    )
    if fit.fv is not None:
        fv = fit.fv
        lines.append(
            f"  Force-velocity (Samozino et al. 2016; {fv.body_mass_kg:g} kg, {fv.height_m:g} m, "
            f"{fv.temperature_c:g} C, {fv.pressure_mmhg:g} mmHg, wind {fv.wind_m_s:g} m/s):"
        )
        lines.append(
            f"    F0 {fv.f0_n:.0f} N ({fv.f0_rel:.2f} N/kg)   V0 {fv.v0_m_s:.2f} m/s   "
            f"Pmax {fv.pmax_w:.0f} W ({fv.pmax_rel:.2f} W/kg)"
        )
        lines.append(
            f"    F-v slope {fv.slope_rel:.3f} N.s/m/kg ({fv.slope_n_s_m:.1f} N.s/m)   RFmax {fv.rf_max:.3f}   DRF {fv.drf:.4f} per m/s"
        )
    for note in fit.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    req = parse_request(args)
    fit = compute(req)
    report = format_report(req, fit)
    if req.json_path is not None:
        write_json_atomic(req.json_path, to_json_dict(req, fit))
    print(report)
    if req.json_path is not None:
        print(f"wrote {req.json_path}")
    return 0

"""dash40 — sprint-start and 40-yard-dash timing from a phone clip.

The workflow in eight lines::

    import dash40
    cal = dash40.load_calibration("rep.calib.json")      # where the timing lines are
    result = dash40.analyze("rep.mp4", cal)             # first movement, crossings, splits, steps
    print(result.start.time_s, [(s.distance, s.time_s) for s in result.splits])
    fit = dash40.fit_splits([5, 10, 20, 30, 40], [1.16, 1.89, 3.15, 4.31, 5.44])
    print(fit.mss, fit.tau)                             # the sprint model, SI units
    result.write_json("rep.json")                       # the CLI's JSON contract
    dash40.render_overlay("rep.mp4", result, cal, "rep.overlay.mp4")

Importing dash40 changes nothing global and loads heavy modules only when used.
"""

from __future__ import annotations

from .errors import AnalysisError, CalibrationError, Dash40Error, FitError, InputError, VideoError
from .result import AnalysisResult, Crossing, Split, Start, Step, Trace

__version__ = "0.1.0"

__all__ = [
    "AnalysisError", "AnalysisResult", "CalibrationError", "Crossing", "Dash40Error", "FitError",
    "InputError", "Split", "Start", "Step", "Trace", "VideoError", "__version__",
    "analyze", "load_calibration", "fit_splits", "render_overlay", "probe",
]


def __getattr__(name: str):
    if name == "analyze":
        from .analysis import analyze

        return analyze
    if name == "load_calibration":
        from .calibration import load_calibration

        return load_calibration
    if name == "probe":
        from .video import probe

        return probe
    if name == "render_overlay":
        from .overlay import render_overlay

        return render_overlay
    if name == "fit_splits":
        from .kinematics import fit_splits

        return fit_splits
    raise AttributeError(f"module 'dash40' has no attribute {name!r}")

"""What several test modules share: planted results and runs (every number chosen, none measured),
a damaged clip, and a listing of the files a folder holds. A plain module: ``from helpers import …``."""

from __future__ import annotations

from pathlib import Path

from dash40.result import AnalysisResult, Crossing, Split, Start
from dash40.store.api import RunRow

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_videos"
SAMPLE = SAMPLES / "demo_40yd_60fps.mp4"  # a real clip for the store (what it holds is not analysed)


def sample_result() -> AnalysisResult:
    """A 40-yd rep timed from a start: first movement 0.8 s, splits 1.91 / 3.00 / 4.98 s at 10/20/40 yd,
    a sprint model with a force–velocity profile."""
    return AnalysisResult(
        clip="rep.mp4", fps=60.0, capture_fps=60.0, frames=300, units="yd", reference="torso",
        start=Start(0.8, 0.003, "onset-fit", 48),
        crossings=(Crossing(10.0, 2.71, 0.01, 163), Crossing(20.0, 3.80, 0.01, 228), Crossing(40.0, 5.78, 0.02, 347)),
        splits=(Split(10.0, 1.91), Split(20.0, 3.00), Split(40.0, 4.98)),
        model={"mss": 9.5, "mac": 8.6, "fv": {"f0_rel": 8.7, "v0_m_s": 9.9, "pmax_rel": 21.5}},
        analyzer_version="test",
    )


def timed_result(units: str, splits: dict[float, float], start: float = 0.8, fps: float = 60.0) -> AnalysisResult:
    """A result whose lines at ``splits`` (distance in ``units`` -> split from first movement) were crossed."""
    return AnalysisResult(
        clip="rep.mp4", fps=fps, capture_fps=fps, frames=400, units=units, reference="torso",
        start=Start(start, 0.003, "onset-fit", 48),
        crossings=(Crossing(0.0, start - 0.2, 0.01),) + tuple(Crossing(d, start + t, 0.01) for d, t in splits.items()),
        splits=tuple(Split(d, t) for d, t in splits.items()), model={"mss": 9.0}, analyzer_version="test")


def flying_result(units: str, crossings: dict[float, float], fps: float = 60.0) -> AnalysisResult:
    """A flying result as the analyzer stores it: no first movement, the clock starts at the first
    line crossed, each later line's split is its time from there (``crossings``: distance -> clip time)."""
    (d0, t0), *later = crossings.items()
    return AnalysisResult(
        clip="fly.mp4", fps=fps, capture_fps=fps, frames=200, units=units, reference="torso",
        start=Start(None, None, "flying", None), flying=True,
        crossings=tuple(Crossing(d, t, 0.01) for d, t in crossings.items()),
        splits=tuple(Split(d, t - t0) for d, t in later), model={}, analyzer_version="test",
        warnings=(f"The athlete is already running at the first frame (a flying run): times are from the {d0:g} "
                  f"{units} line, not from a start.",))


def run_row(i, day, session, s10, s40, mss=9.0, athlete="A") -> RunRow:
    """A stored run as the pages get it, with a 10-yd and a 40-yd split (None: not timed there)."""
    splits = {k: v for k, v in ((9.144, s10), (36.576, s40)) if v is not None}
    return RunRow(id=i, athlete_id=1, athlete=athlete, session_id=session, session_date=day, place="turf", units="yd",
                  result=sample_result(), calibration={}, clip_path="", corrections={}, split_10yd=s10,
                  split_20yd=None, split_40yd=s40, mss=mss, mac=None, f0_n_kg=None, v0=None, pmax_w_kg=None,
                  splits=splits, auto_splits=dict(splits))


def files(folder: Path) -> list[Path]:
    """Every file under ``folder`` (hidden ones too: a leftover ``.part`` or ``.incoming-*`` counts), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def garbled_clip(folder: Path) -> Path:
    """``garbled.mp4`` in ``folder``: the 120-fps sample with its middle third scrambled, so the container
    and the first frame still read and the rest does not."""
    data = (SAMPLES / "start_10yd_120fps.mp4").read_bytes()
    n = len(data)
    out = folder / "garbled.mp4"
    out.write_bytes(data[: n // 3] + bytes((b * 7 + 13) % 256 for b in data[n // 3: 2 * n // 3]) + data[2 * n // 3:])
    return out

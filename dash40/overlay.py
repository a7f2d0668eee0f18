"""Pictures for checking a result by eye: an annotated replay and one thumbnail per event.

Pixels only: every decision (times, positions) comes from the ``AnalysisResult``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from .calibration import Calibration, load_calibration
from .errors import VideoError
from .result import AnalysisResult
from .video import iter_frames, probe, read_frames_at

LINE_COLOUR = (255, 255, 255)  # BGR
HIT_COLOUR = (40, 220, 255)
RUNNER_COLOUR = (60, 255, 60)
START_COLOUR = (255, 180, 60)


@dataclass(frozen=True)
class Thumbnail:
    label: str
    time_s: float
    frame: int
    image: np.ndarray  # RGB


def _nearest(values: tuple, frames: tuple, index: int):
    if not frames:
        return None
    arr = np.asarray(frames)
    k = int(np.argmin(np.abs(arr - index)))
    return values[k] if abs(int(arr[k]) - index) <= 3 else None


def _drift_at(result: AnalysisResult, index: int) -> tuple[float, float]:
    tr = result.trace
    if not tr.frame or not tr.drift_px:
        return (0.0, 0.0)
    arr = np.asarray(tr.frame)
    k = int(np.argmin(np.abs(arr - index)))
    return tuple(tr.drift_px[k])


def _text(img, text, org, scale, colour=(255, 255, 255), thick=1):
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thick, cv2.LINE_AA)


def draw_frame(img: np.ndarray, result: AnalysisResult, cal: Calibration, index: int, time_s: float,
               highlight: float | None = None, inset: bool = True) -> np.ndarray:
    """Annotate one BGR frame (in place) and return it."""
    h, w = img.shape[:2]
    sc = max(0.4, w / 1280)
    dx, dy = _drift_at(result, index)
    for ln in cal.lines:
        (u0, v0), (u1, v1) = ln.endpoints(h)
        hit = highlight is not None and abs(ln.distance - highlight) < 1e-9
        col = HIT_COLOUR if hit else LINE_COLOUR
        p0 = (int(round(u0 + dx)), int(round(v0 + dy)))
        p1 = (int(round(u1 + dx)), int(round(v1 + dy)))
        cv2.line(img, p0, p1, col, max(1, int(round(2 * sc))) + (1 if hit else 0), cv2.LINE_AA)
        top = p0 if p0[1] < p1[1] else p1
        _text(img, f"{ln.distance:g} {cal.units}", (top[0] + 4, max(14, top[1] - 6)), 0.5 * sc, col)
    for c in result.crossings:
        if c.plane_px is None:
            continue
        hit = highlight is not None and abs(c.distance - highlight) < 1e-9
        (ga, gb), (ta, tb) = c.plane_px
        _dashed(img, (ga + dx, gb + dy), (ta + dx, tb + dy), HIT_COLOUR if hit else LINE_COLOUR, 2 if hit else 1)
    tr = result.trace
    box = _nearest(tr.bbox_px, tr.frame, index)
    if box is not None and all(np.isfinite(box)):
        x0, y0, x1, y1 = box
        cv2.rectangle(img, (int(x0 + dx), int(y0 + dy)), (int(x1 + dx), int(y1 + dy)), RUNNER_COLOUR, 1, cv2.LINE_AA)
    if tr.frame and index in tr.frame:
        k = tr.frame.index(index)
        u, v = tr.u_px[k] + dx, (tr.v_px[k] if tr.v_px else h / 2) + dy
        if np.isfinite(u) and np.isfinite(v):
            cv2.line(img, (int(round(u)), int(round(v - 12 * sc))), (int(round(u)), int(round(v + 12 * sc))), RUNNER_COLOUR, 2, cv2.LINE_AA)
            cv2.circle(img, (int(round(u)), int(round(v))), max(2, int(3 * sc)), RUNNER_COLOUR, -1, cv2.LINE_AA)
    # Clock and the crossings so far.
    t0 = result.start.time_s
    if t0 is not None:
        clock = time_s - t0
        label = f"{clock:5.2f} s" if clock >= 0 else "set"
        _text(img, label, (int(12 * sc), int(36 * sc)), 1.0 * sc, START_COLOUR if clock < 0 else (255, 255, 255), 2)
    y = int(70 * sc)
    splits = {s.distance: s for s in result.splits}
    for c in result.crossings:
        if c.time_s is not None and time_s >= c.time_s and c.distance in splits:
            _text(img, f"{c.distance:g} {result.units}  {splits[c.distance].time_s:.2f} s", (int(12 * sc), y), 0.8 * sc, HIT_COLOUR, 2)
            y += int(30 * sc)
    if inset:
        _inset(img, result, index)
    return img


def _dashed(img, p0, p1, colour, thick) -> None:
    """A dashed segment: the timing line's vertical plane where the athlete runs."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    n = max(2, int(np.linalg.norm(p1 - p0) / 6))
    for k in range(0, n, 2):
        a = p0 + (p1 - p0) * k / n
        b = p0 + (p1 - p0) * min(k + 1, n) / n
        cv2.line(img, (int(round(a[0])), int(round(a[1]))), (int(round(b[0])), int(round(b[1]))), colour, thick, cv2.LINE_AA)


def _inset(img: np.ndarray, result: AnalysisResult, index: int) -> None:
    """A magnified view of the runner in the lower-left corner (the athlete is often small)."""
    h, w = img.shape[:2]
    box = _nearest(result.trace.bbox_px, result.trace.frame, index)
    if box is None or not all(np.isfinite(box)):
        return
    dx, dy = _drift_at(result, index)
    x0, y0, x1, y1 = box
    bh = max(y1 - y0, 16.0)
    if bh > 0.3 * h:
        return  # already big enough
    cx, cy = (x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy
    half_h = 0.9 * bh
    half_w = half_h * 4 / 3
    a, b = int(max(0, cx - half_w)), int(min(w, cx + half_w))
    c, d = int(max(0, cy - half_h)), int(min(h, cy + half_h))
    if b - a < 8 or d - c < 8:
        return
    crop = img[c:d, a:b].copy()
    ih = int(0.38 * h)
    iw = int(round(crop.shape[1] * ih / crop.shape[0]))
    if iw > 0.45 * w:
        iw = int(0.45 * w)
        ih = int(round(crop.shape[0] * iw / crop.shape[1]))
    zoom = cv2.resize(crop, (iw, ih), interpolation=cv2.INTER_LINEAR)
    y_top = h - ih - 8
    # In the lower corner away from the runner, so the inset never hides the athlete.
    x_left = w - iw - 8 if cx < w / 2 else 8
    img[y_top:y_top + ih, x_left:x_left + iw] = zoom
    cv2.rectangle(img, (x_left, y_top), (x_left + iw, y_top + ih), (255, 255, 255), 1)


def render_overlay(clip: str | os.PathLike, result: AnalysisResult, calibration, out_path: str | os.PathLike,
                   progress=None, max_width: int = 1280) -> Path:
    """Write an annotated replay (H.264 .mp4) with the clip's own frame timing. Atomic."""
    import av

    cal = load_calibration(calibration)
    info = probe(clip, result.capture_fps)
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.stem + ".part" + out_path.suffix)
    scale = min(1.0, max_width / info.width)
    ow, oh = int(round(info.width * scale / 2) * 2), int(round(info.height * scale / 2) * 2)
    crossing_times = [(c.time_s, c.distance) for c in result.crossings if c.time_s is not None]
    half = 0.5 / max(result.capture_fps, 1.0)
    try:
        with av.open(str(tmp), "w") as out:
            st = out.add_stream("libx264", rate=int(round(info.fps)) or 30)
            st.width, st.height, st.pix_fmt = ow, oh, "yuv420p"
            st.time_base = Fraction(1, 90000)
            st.codec_context.time_base = Fraction(1, 90000)
            st.options = {"crf": "23", "preset": "veryfast"}
            last_pts = -1
            total = max(info.frames, 1)
            for fr in iter_frames(clip, info):
                hl = next((d for t, d in crossing_times if abs(fr.time_s - t) <= max(half, 0.02)), None)
                img = draw_frame(fr.image.copy(), result, cal, fr.index, fr.time_s, highlight=hl)
                if scale < 1.0:
                    img = cv2.resize(img, (ow, oh), interpolation=cv2.INTER_AREA)
                elif img.shape[1] != ow or img.shape[0] != oh:
                    img = cv2.resize(img, (ow, oh))
                vf = av.VideoFrame.from_ndarray(img, format="bgr24")
                pts = int(round(fr.time_s / info.time_scale * 90000))
                pts = max(pts, last_pts + 1)
                last_pts = pts
                vf.pts, vf.time_base = pts, Fraction(1, 90000)
                for pkt in st.encode(vf):
                    out.mux(pkt)
                if progress and fr.index % 10 == 0:
                    progress(min(0.99, fr.index / total), "Writing the annotated replay")
            for pkt in st.encode():
                out.mux(pkt)
        tmp.replace(out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if progress:
        progress(1.0, "Replay written")
    return out_path


def event_thumbnails(clip: str | os.PathLike, result: AnalysisResult, calibration, width: int = 320) -> list[Thumbnail]:
    """One picture per event (first movement, each crossing), cropped around the runner, line drawn."""
    cal = load_calibration(calibration)
    events = []
    if result.start.time_s is not None and result.start.frame is not None:
        events.append(("Start", result.start.time_s, result.start.frame, None))
    splits = {s.distance: s for s in result.splits}
    for c in result.crossings:
        if c.time_s is not None and c.frame is not None:
            s = splits.get(c.distance)
            # A line without a split (the start line, a flying rep's first line): when in the clip.
            lab = f"{c.distance:g} {result.units}" + (f" — {s.time_s:.2f} s" if s else f" — at {c.time_s:.2f} s in the clip")
            events.append((lab, c.time_s, c.frame, c.distance))
    if not events:
        return []
    frames = read_frames_at(clip, [e[2] for e in events])
    out = []
    for label, t, idx, dist in events:
        fr = frames.get(idx)
        if fr is None:
            raise VideoError(f"Frame {idx} could not be read again from the clip.")
        img = draw_frame(fr.image.copy(), result, cal, idx, fr.time_s, highlight=dist, inset=False)
        img = _crop_around_runner(img, result, idx, cal, dist)
        h, w = img.shape[:2]
        img = cv2.resize(img, (width, max(1, int(round(h * width / w)))), interpolation=cv2.INTER_AREA)
        _banner(img, label)
        out.append(Thumbnail(label, float(t), int(idx), img[:, :, ::-1].copy()))
    return out


def _banner(img: np.ndarray, text: str) -> None:
    """The event's name on a dark band across the thumbnail's top: outlined letters on a busy
    background (a crowd, a fence) ran together at this size."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    band = img[: th + base + 8, : min(img.shape[1], tw + 12)]
    band[:] = (band * 0.35).astype(img.dtype)
    cv2.putText(img, text, (6, th + 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)


def _crop_around_runner(img, result, idx, cal, dist):
    h, w = img.shape[:2]
    box = _nearest(result.trace.bbox_px, result.trace.frame, idx)
    dx, dy = _drift_at(result, idx)
    if box is None or not all(np.isfinite(box)):
        return img
    x0, y0, x1, y1 = box
    bh = max(y1 - y0, 20)
    cx, cy = (x0 + x1) / 2 + dx, (y0 + y1) / 2 + dy
    half_h = 1.1 * bh
    half_w = half_h * 4 / 3
    a, b = int(max(0, cx - half_w)), int(min(w, cx + half_w))
    c, d = int(max(0, cy - half_h)), int(min(h, cy + half_h))
    if b - a < 16 or d - c < 16:
        return img
    return img[c:d, a:b]


def draw_calibration(image_rgb: np.ndarray, calibration) -> np.ndarray:
    """The first frame with the timing lines drawn and labelled (RGB in, RGB out)."""
    cal = load_calibration(calibration)
    img = image_rgb[:, :, ::-1].copy()
    h, w = img.shape[:2]
    sc = max(0.5, w / 1280)
    for ln in cal.lines:
        (u0, v0), (u1, v1) = ln.endpoints(h)
        p0, p1 = (int(round(u0)), int(round(v0))), (int(round(u1)), int(round(v1)))
        cv2.line(img, p0, p1, HIT_COLOUR, max(2, int(2 * sc)), cv2.LINE_AA)
        for p in (p0, p1):
            cv2.circle(img, p, max(3, int(4 * sc)), (0, 0, 255), -1, cv2.LINE_AA)
        top = p0 if p0[1] < p1[1] else p1
        _text(img, f"{ln.distance:g} {cal.units}", (top[0] + 6, max(18, top[1] - 8)), 0.7 * sc, HIT_COLOUR, 2)
    return img[:, :, ::-1].copy()

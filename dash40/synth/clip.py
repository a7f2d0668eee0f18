"""Render a configured clip to a video file with its calibration and truth beside it."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np

from .config import SceneConfig
from .scene import Scene
from .timeline import TICKS, plan_frames
from .truth import CAPTURE_FPS_KEY, Truth, contact_truths, line_truths

ENCODERS = {"h264": "libx264", "hevc": "libx265"}
DEFAULT_CRF = {"h264": 21, "hevc": 23}


def calibration_dict(scene: Scene, t_first: float = 0.0) -> dict:
    """The calibration JSON: near/far cone bases projected in the first frame (shake applied)."""
    lines = []
    for d, near, far in scene.cone_bases():
        uv = scene.project(np.array([near, far]), t_first)
        lines.append({"distance": float(d), "near": [float(uv[0, 0]), float(uv[0, 1])],
                      "far": [float(uv[1, 0]), float(uv[1, 1])]})
    return {"units": scene.cfg.units, "lines": lines}


def _noise_bank(cfg: SceneConfig, rng: np.random.Generator, pad: int = 48) -> list[np.ndarray]:
    if cfg.noise_sigma <= 0:
        return []
    shape = (cfg.height + pad, cfg.width + pad, 3)
    return [np.round(rng.normal(0.0, cfg.noise_sigma, shape)).astype(np.int16) for _ in range(4)]


def _open_writer(path: Path, cfg: SceneConfig, meta_capture_fps: float):
    import av

    container = av.open(str(path), "w", options={"movflags": "use_metadata_tags"})
    if abs(meta_capture_fps - cfg.file_rate) > 1e-9:
        container.metadata[CAPTURE_FPS_KEY] = f"{meta_capture_fps:g}"
    rate = Fraction(cfg.file_rate).limit_denominator(1001)
    stream = container.add_stream(ENCODERS[cfg.codec], rate=rate)
    stream.width, stream.height, stream.pix_fmt = cfg.width, cfg.height, "yuv420p"
    stream.time_base = Fraction(1, TICKS)
    stream.codec_context.time_base = Fraction(1, TICKS)
    crf = cfg.crf if cfg.crf is not None else DEFAULT_CRF[cfg.codec]
    gop = max(1, int(round(cfg.keyframe_s * cfg.file_rate)))
    if cfg.codec == "h264":
        stream.options = {"crf": str(crf), "preset": "veryfast", "g": str(gop), "keyint_min": str(gop)}
        if not cfg.b_frames:
            stream.options = {**stream.options, "bf": "0"}
    else:
        stream.codec_tag = "hvc1"
        stream.options = {"crf": str(crf), "preset": "veryfast",
                          "x265-params": f"keyint={gop}:min-keyint={gop}:log-level=error"
                                         + ("" if cfg.b_frames else ":bframes=0")}
    return container, stream


def render_clip(config: SceneConfig, out_path: str | os.PathLike,
                progress: Callable[[int, int], None] | None = None) -> Truth:
    """Render ``config`` to ``out_path`` (.mp4 or .mov; the suffix is replaced by the config's
    container) and write ``X.calib.json`` and ``X.truth.json`` beside it. Returns the truth.

    ``progress(done, total)`` is called after every written frame.
    """
    import av

    cfg = config
    out = Path(out_path)
    out = out.with_suffix(cfg.suffix) if out.suffix else out.with_name(out.name + cfg.suffix)
    out.parent.mkdir(parents=True, exist_ok=True)
    scene = Scene(cfg)
    plan = plan_frames(cfg)
    t_first, t_last = float(plan.time_s[0]), float(plan.time_s[-1])
    rng = np.random.default_rng(cfg.seed + 101)
    bank = _noise_bank(cfg, rng)
    container, stream = _open_writer(out, cfg, plan.meta_capture_fps)
    subframes = []
    try:
        prev_src, img = -1, None
        for i in range(plan.n):
            src, t = int(plan.source[i]), float(plan.time_s[i])
            if src != prev_src:
                canvas = scene.render_canvas(t, blur=cfg.motion_blur)
                subframes.append(len(scene.subframe_times(t)) if cfg.motion_blur else 1)
                img = scene._finish(canvas, t, shake=True, gain=True)
                if bank:
                    nb = bank[int(rng.integers(len(bank)))]
                    oy, ox = int(rng.integers(nb.shape[0] - cfg.height)), int(rng.integers(nb.shape[1] - cfg.width))
                    img = np.clip(img.astype(np.int16) + nb[oy:oy + cfg.height, ox:ox + cfg.width], 0, 255).astype(np.uint8)
                prev_src = src
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = int(plan.pts[i])
            frame.time_base = Fraction(1, TICKS)
            for pkt in stream.encode(frame):
                container.mux(pkt)
            if progress is not None:
                progress(i + 1, plan.n)
        for pkt in stream.encode():
            container.mux(pkt)
    finally:
        container.close()

    calib = calibration_dict(scene, t_first)
    out.with_suffix(".calib.json").write_text(json.dumps(calib, indent=1))
    a = scene.athlete
    times = plan.time_s
    repeated = np.concatenate([[False], plan.source[1:] == plan.source[:-1]])
    frames = {
        "time_s": times.tolist(),
        "file_time_s": (plan.pts / TICKS).tolist(),
        "pts_90khz": plan.pts.tolist(),
        "source_index": plan.source.tolist(),
        "repeated": repeated.tolist(),
        "chest_front_x_m": np.asarray(a.chest_front_x(times), float).tolist(),
        "hip_x_m": np.asarray(a.hip_x(times), float).tolist(),
    }
    if cfg.shake_px > 0:
        frames["shake_rad"] = [list(scene.shake_angles(float(t))) for t in times]
    exposure = {
        "convention": "frame timestamp = middle of its exposure; blur = mean of K sub-frames evenly spread",
        "fraction_of_frame_period": cfg.exposure if cfg.motion_blur else 0.0,
        "duration_s": cfg.exposure / cfg.capture_fps if cfg.motion_blur else 0.0,
        "subframes_min": int(min(subframes)), "subframes_max": int(max(subframes)),
    }
    meta = {"key": CAPTURE_FPS_KEY, "value": plan.meta_capture_fps,
            "written": abs(plan.meta_capture_fps - cfg.file_rate) > 1e-9,
            "where": "container metadata (mov/mp4 'use_metadata_tags')"}
    truth = Truth(
        clip=out.name, units=cfg.units, direction="right-to-left" if cfg.right_to_left else "left-to-right",
        t0=float(a.t0), flying=bool(a.t0 < t_first), mss=a.mss, tau=a.tau, x_hip_set_m=float(a.x_hip_set),
        trunk_radius_m=float(a.r_trunk), capture_fps=float(cfg.capture_fps), fps=float(cfg.file_rate),
        time_scale=float(plan.time_scale), repeat=int(cfg.repeat), vfr=bool(cfg.vfr_jitter > 0 or cfg.drop_prob > 0),
        width=cfg.width, height=cfg.height, codec=cfg.codec, container=cfg.container,
        capture_fps_metadata=meta,
        lines=line_truths(a, cfg, t_first, t_last), contacts=contact_truths(a, cfg, t_first, t_last),
        frames=frames, camera=scene.camera.to_dict(), exposure=exposure, calibration=calib,
        config=cfg.to_dict(),
    )
    truth.write_json(out.with_suffix(".truth.json"))
    return truth

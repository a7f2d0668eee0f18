"""Scene configuration: one frozen dataclass, named presets and the benchmark suite."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

YARD_M = 0.9144

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class SceneConfig:
    """Everything that defines a synthetic clip. Vary it with ``dataclasses.replace``.

    Units: metres, seconds, degrees, RGB colours 0–255. Times are real seconds from the first
    frame's timestamp. World axes: x along the lane (0 = start line, the athlete runs toward +x),
    y up, z across the lane.
    """

    # --- picture and timing -------------------------------------------------------------
    width: int = 320
    height: int = 180
    capture_fps: float = 60.0  # distinct images per real second
    file_fps: float | None = None  # timestamp rate in the file (None = capture_fps); 30 with 240 = slow motion
    repeat: int = 1  # each captured image written this many times (slow-motion exports)
    duration: float = 2.4  # real seconds covered by the clip
    vfr_jitter: float = 0.0  # std of frame-interval jitter as a fraction of the interval
    drop_prob: float = 0.0  # probability that a frame is dropped (VFR)
    codec: str = "h264"  # "h264" (libx264) or "hevc" (libx265)
    container: str = "mp4"  # "mp4" or "mov"
    crf: int | None = None  # None = 21 for H.264, 23 for HEVC
    keyframe_s: float = 1.0  # keyframe interval in file seconds
    b_frames: bool = True  # False: I and P pictures only (IPPP), as many phones' hardware encoders write

    # --- timing lines -------------------------------------------------------------------
    units: str = "yd"
    lines: tuple[float, ...] = (0.0, 5.0, 10.0)
    cone_z: float = 1.5  # cones at z = ±cone_z (metres from the lane's centre line)

    # --- camera -------------------------------------------------------------------------
    right_to_left: bool = False  # camera on the other side of the lane: the run goes right to left
    hfov_deg: float = 68.0
    cam_height: float = 1.2
    cam_distance: float | None = None  # horizontal distance to the look-at point (None = fit the lines)
    cam_look_x: float | None = None  # world x the camera looks at (None = centre of the fitted span)
    cam_yaw_deg: float = 0.0  # 0 = perpendicular to the lane; > 0 = camera moved back toward the start
    cam_pitch_deg: float = 3.0  # downward pitch
    cam_roll_deg: float = 0.3
    fit_margin: float = 0.04  # fraction of the picture kept free around the fitted points
    fit_ahead_m: float = 1.5  # metres past the last line kept in view

    # --- athlete ------------------------------------------------------------------------
    stature: float = 1.83
    mss: float = 9.5  # maximal sprinting speed, m/s
    tau: float = 1.1  # acceleration time constant, s
    t0: float = 0.4  # first movement (negative: already running at the first frame)
    # "On your marks" -> "set": the clip begins with the hips low and back, the athlete rises into
    # the set position over ``into_set_s`` seconds and holds it ``set_hold_s`` seconds before t0
    # (0 = the clip begins in the set position).
    into_set_s: float = 0.0
    set_hold_s: float = 1.0
    lane_offset: float = 0.0  # runner's path at z = lane_offset
    hand_x: float = -0.04  # x of the ground hand in the 3-point stance
    jersey: Colour = (200, 30, 40)
    shorts: Colour = (235, 235, 235)
    skin: Colour = (150, 100, 70)
    shoes: Colour = (25, 25, 30)
    hair: Colour = (20, 15, 12)
    # How the head is carried: "up" raised 35° above the trunk's line in the stance and the drive
    # (the suite's athlete since the first release), "in_line" in line with the trunk there, eyes
    # on the ground ahead, as sprinters are coached to carry it (leaning 45-60°, the face is then
    # ahead of the chest, as in the real iPhone starts); both end 8° above it once upright. With
    # "in_line" the neck is drawn under the shirt (its skin does not cover the chest's front).
    head: str = "up"
    # How the trunk rises from the stance: "suite" (the suite's athlete: ~23° above the horizontal
    # at the first step, ~68° at 5 m) or "long_drive" (low through a long drive: ~41° at the first
    # step, ~54° at 5 m, ~65° at 10 m, as the real iPhone starts lean; ``athlete.long_drive_fraction``).
    posture: str = "suite"

    # --- scene --------------------------------------------------------------------------
    bystander: bool = False
    bystander_depth: float = 5.0  # metres beyond the lane on the far side
    bystander_speed: float = 1.2  # walking speed, m/s (sign = direction along x)
    # A training partner starting beside the athlete (a race start, common at practice): a second
    # athlete in set on the same start line, ``partner_gap_m`` metres further from the camera, whose
    # first movement comes ``partner_delay_s`` after the athlete's (negative: the partner goes first)
    # and who runs at ``partner_mss``. None: no partner.
    partner_gap_m: float | None = None
    partner_delay_s: float = 0.0
    partner_mss: float = 9.0
    # Sunshine: the athlete's shadow on the ground. ``sun_elevation_deg`` None = overcast (no
    # shadow); ``sun_azimuth_deg`` is where the shadow falls: 0 toward the camera, 90 along the run,
    # 180 away from the camera. A shadow in low sun is dark and bluish (lit by the sky only).
    sun_elevation_deg: float | None = None
    sun_azimuth_deg: float = 20.0
    field_far: float = 35.0  # metres from the lane to the far fence

    # --- phone realism ------------------------------------------------------------------
    noise_sigma: float = 2.0  # Gaussian sensor noise, 8-bit levels
    motion_blur: bool = True
    exposure: float = 0.5  # exposure time as a fraction of the capture frame period
    max_subframe_px: float = 0.5  # motion between blur sub-frames
    shake_px: float = 0.0  # hand-held shake amplitude in pixels (0 = tripod)
    gain_drift: float = 0.0  # auto-exposure gain amplitude (0.04 = ±4 %)
    seed: int = 0

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def file_rate(self) -> float:
        return float(self.file_fps or self.capture_fps)

    @property
    def lines_m(self) -> tuple[float, ...]:
        k = YARD_M if self.units == "yd" else 1.0
        return tuple(d * k for d in self.lines)

    @property
    def suffix(self) -> str:
        return "." + self.container

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k, v in d.items():
            if isinstance(v, tuple):
                d[k] = list(v)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneConfig:
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"Unknown SceneConfig fields {unknown}; expected some of {sorted(names)}.")
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items()}
        return cls(**kw)


def _validate(c: SceneConfig) -> None:
    def need(ok: bool, what: str, got: Any) -> None:
        if not ok:
            raise ValueError(f"SceneConfig.{what}, got {got!r}.")

    need(c.width >= 32 and c.height >= 32 and c.width % 2 == 0 and c.height % 2 == 0,
         "width/height must be even and ≥ 32 (yuv420p)", (c.width, c.height))
    need(c.capture_fps > 0 and math.isfinite(c.capture_fps), "capture_fps must be > 0", c.capture_fps)
    need(c.file_fps is None or c.file_fps > 0, "file_fps must be > 0 or None", c.file_fps)
    need(c.repeat >= 1, "repeat must be ≥ 1", c.repeat)
    need(c.head in ("up", "in_line"), "head must be 'up' or 'in_line'", c.head)
    need(c.posture in ("suite", "long_drive"), "posture must be 'suite' or 'long_drive'", c.posture)
    need(c.duration > 0, "duration must be > 0 s", c.duration)
    need(0 <= c.vfr_jitter < 0.5, "vfr_jitter must be in [0, 0.5)", c.vfr_jitter)
    need(0 <= c.drop_prob < 0.5, "drop_prob must be in [0, 0.5)", c.drop_prob)
    need(c.codec in ("h264", "hevc"), "codec must be 'h264' or 'hevc'", c.codec)
    need(c.container in ("mp4", "mov"), "container must be 'mp4' or 'mov'", c.container)
    need(c.units in ("yd", "m"), "units must be 'yd' or 'm'", c.units)
    need(len(c.lines) >= 2 and list(c.lines) == sorted(set(c.lines)) and min(c.lines) >= 0,
         "lines must be ≥ 2 increasing distances ≥ 0", c.lines)
    need(5.0 <= c.hfov_deg <= 150.0, "hfov_deg must be in [5, 150]", c.hfov_deg)
    need(c.cam_height > 0, "cam_height must be > 0", c.cam_height)
    need(abs(c.cam_yaw_deg) <= 60, "cam_yaw_deg must be within ±60", c.cam_yaw_deg)
    need(c.mss > 0 and c.tau > 0, "mss and tau must be > 0", (c.mss, c.tau))
    need(c.into_set_s == 0 or (c.into_set_s > 0 and c.set_hold_s > 0 and c.t0 - c.set_hold_s - c.into_set_s >= 0),
         "into_set_s must be 0, or > 0 with the rise into set (t0 - set_hold_s - into_set_s) at or after the "
         "first frame", (c.into_set_s, c.set_hold_s, c.t0))
    need(1.2 <= c.stature <= 2.3, "stature must be in [1.2, 2.3] m", c.stature)
    need(0 < c.exposure <= 1, "exposure must be in (0, 1]", c.exposure)
    need(c.noise_sigma >= 0 and c.shake_px >= 0 and c.gain_drift >= 0,
         "noise_sigma, shake_px and gain_drift must be ≥ 0", (c.noise_sigma, c.shake_px, c.gain_drift))
    need(c.cone_z > 0.6, "cone_z must be > 0.6 m (the cones stand outside the lane)", c.cone_z)
    need(c.partner_gap_m is None or c.partner_gap_m >= c.cone_z + c.lane_offset * (-1 if c.right_to_left else 1) + 0.3,
         "partner_gap_m must put the partner beyond the far cones (0.3 m or more)", c.partner_gap_m)
    need(c.partner_mss > 0, "partner_mss must be > 0", c.partner_mss)
    need(c.sun_elevation_deg is None or 5.0 <= c.sun_elevation_deg <= 85.0, "sun_elevation_deg must be in [5, 85] or None",
         c.sun_elevation_deg)


# ---------------------------------------------------------------------------------------
# Presets

PRESETS: dict[str, Any] = {
    "tiny": lambda: SceneConfig(),
    "tiny_flying": lambda: SceneConfig(t0=-1.2, lines=(10.0, 15.0, 20.0), duration=2.0, seed=1),
    "demo_40yd": lambda: SceneConfig(
        width=1280, height=720, capture_fps=60, duration=6.5, lines=(0.0, 10.0, 20.0, 40.0), t0=0.8,
        noise_sigma=2.0, seed=40,
    ),
    "start_10yd_120": lambda: SceneConfig(
        width=1280, height=720, capture_fps=120, duration=3.0, lines=(0.0, 5.0, 10.0), t0=0.6,
        noise_sigma=2.0, seed=10,
    ),
    "angled_rtl_30m": lambda: SceneConfig(
        width=960, height=540, capture_fps=60, duration=5.5, units="m", lines=(0.0, 10.0, 20.0, 30.0), t0=0.7,
        right_to_left=True, cam_yaw_deg=25.0, shake_px=2.0, bystander=True, gain_drift=0.03, noise_sigma=2.5,
        jersey=(30, 70, 180), shorts=(30, 30, 40), seed=30,
    ),
}


def preset(name: str) -> SceneConfig:
    """A named configuration: one of ``PRESETS`` (``"tiny"``, ``"tiny_flying"``, ``"demo_40yd"``,
    ``"start_10yd_120"``, ``"angled_rtl_30m"``)."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise ValueError(f"Unknown preset {name!r}; choose one of {sorted(PRESETS)}.") from None


def benchmark_suite() -> list[tuple[str, SceneConfig]]:
    """The benchmark clips as (file stem, config), covering frame rates, slow motion, VFR,
    resolutions, codecs, directions, an angled and a shaking camera, a bystander, metres, a flying
    run and a start from "on your marks"."""
    hd = dict(width=1280, height=720)
    fhd = dict(width=1920, height=1080)
    y40 = dict(lines=(0.0, 10.0, 20.0, 40.0), duration=6.5, t0=0.8)
    real = dict(noise_sigma=2.5, gain_drift=0.02)
    return [
        ("b01_40yd_60fps_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, seed=101)),
        ("b02_40yd_30fps_1080p", SceneConfig(**fhd, **y40, **real, capture_fps=30, seed=102, mss=9.8, tau=1.05)),
        ("b03_10yd_120fps_720p", SceneConfig(**hd, **real, capture_fps=120, lines=(0.0, 5.0, 10.0), duration=3.0,
                                             t0=0.6, seed=103, stature=1.76, jersey=(30, 60, 170))),
        ("b04_40yd_240slomo_1080p", SceneConfig(**fhd, **y40, **real, capture_fps=240, file_fps=30, container="mov",
                                                seed=104, mss=9.2, tau=1.2)),
        ("b05_40yd_vfr_drops_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, vfr_jitter=0.08, drop_prob=0.04,
                                                seed=105)),
        ("b06_40yd_60fps_1080p_hevc", SceneConfig(**fhd, **y40, **real, capture_fps=60, codec="hevc", container="mov",
                                                  seed=106, stature=1.90, jersey=(240, 240, 240),
                                                  shorts=(20, 30, 90))),
        ("b07_40yd_right_to_left_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, right_to_left=True,
                                                    seed=107)),
        ("b08_40yd_angled25_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, cam_yaw_deg=25.0, seed=108)),
        ("b09_40yd_shake_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, shake_px=3.0, seed=109)),
        ("b10_40yd_bystander_720p", SceneConfig(**hd, **y40, **real, capture_fps=60, bystander=True, seed=110,
                                                jersey=(250, 200, 30))),
        ("b11_30m_metres_60fps_720p", SceneConfig(**hd, **real, capture_fps=60, units="m",
                                                  lines=(0.0, 10.0, 20.0, 30.0), duration=5.5, t0=0.7, seed=111,
                                                  mss=8.6, tau=1.15, lane_offset=0.2)),
        ("b12_flying20_120fps_720p", SceneConfig(**hd, **real, capture_fps=120, lines=(20.0, 40.0), t0=-1.5,
                                                 duration=3.0, seed=112)),
        ("b13_10yd_repeat2_60fps_720p", SceneConfig(**hd, **real, capture_fps=30, repeat=2, file_fps=60,
                                                    lines=(0.0, 5.0, 10.0), duration=3.0, t0=0.6, seed=113)),
        ("b14_20yd_marks_set_60fps_720p", SceneConfig(**hd, **real, capture_fps=60, lines=(0.0, 10.0, 20.0),
                                                      into_set_s=0.6, set_hold_s=1.0, t0=2.0, duration=5.2,
                                                      seed=114, mss=9.3, tau=1.1)),
    ]


def with_overrides(config: SceneConfig, **changes: Any) -> SceneConfig:
    """``dataclasses.replace`` that names the unknown field in its error."""
    names = {f.name for f in fields(SceneConfig)}
    bad = sorted(set(changes) - names)
    if bad:
        raise ValueError(f"Unknown SceneConfig fields {bad}.")
    return replace(config, **changes)

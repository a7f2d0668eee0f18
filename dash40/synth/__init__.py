"""Ground-truth sprint clips: synthetic phone videos whose timing is known exactly.

Use::

    from dataclasses import replace
    from dash40 import synth

    cfg = replace(synth.preset("demo_40yd"), capture_fps=120, shake_px=2.0)
    truth = synth.render_clip(cfg, "out/rep.mp4")       # rep.mp4 + rep.calib.json + rep.truth.json
    print(truth.t0, [(ln.distance, ln.split_s) for ln in truth.lines])
    scene = synth.Scene(cfg)                             # the continuous model behind the pixels
    scene.athlete.chest_front_x(1.5), scene.athlete.pose(1.5).joints["right_toe"]
    img = scene.render_frame(1.5)                        # exact geometry: no blur/noise/encode

or ``python -m dash40.synth OUT_DIR --preset demo_40yd`` / ``--suite``.

Conventions (also written into every truth file under ``conventions``):

* World: x along the lane in metres (0 = the start line, the athlete runs toward +x), y up, z
  across; the runner's path is z = ``lane_offset``; cones stand at z = ±``cone_z`` on every timing
  line; "near" is the camera's side. A right-to-left clip puts the camera on the other side.
* Time: real seconds from the first frame's timestamp. A frame's timestamp is the middle of its
  exposure; motion blur averages K sub-frames spread evenly over the exposure
  (``exposure`` × frame period), K adaptive so that joints move < ``max_subframe_px`` between
  sub-frames. Slow-motion files: real time = file time × fps ÷ capture fps; the capture rate is
  written as the container metadata key ``dash40_capture_fps`` (mov/mp4 with
  ``movflags=use_metadata_tags``; it reads back with PyAV as ``container.metadata``). A repeated
  image is timed at its first appearance.
* Chest front: the most forward world-x point of the trunk capsule (hip centre → neck base,
  radius 0.125 m × stature/1.83), i.e. max(hip.x, neck.x) + r. Crossings are root-found with
  scipy's brentq on the continuous model, never sampled from frames.
* Pixels: origin top-left, pixel centres at integer (u, v).

Public names: ``SceneConfig``, ``preset``, ``PRESETS``, ``benchmark_suite``, ``render_clip``,
``Scene``, ``Athlete``, ``Camera``, ``Truth``, ``load_truth``, ``plan_frames``.
"""

from __future__ import annotations

from .athlete import Athlete, Pose
from .camera import Camera
from .clip import calibration_dict, render_clip
from .config import PRESETS, SceneConfig, benchmark_suite, preset
from .scene import Scene
from .timeline import FramePlan, plan_frames
from .truth import CAPTURE_FPS_KEY, ContactTruth, LineTruth, Truth, load_truth

__all__ = [
    "CAPTURE_FPS_KEY", "PRESETS", "Athlete", "Camera", "ContactTruth", "FramePlan", "LineTruth", "Pose",
    "Scene", "SceneConfig", "Truth", "benchmark_suite", "calibration_dict", "load_truth", "plan_frames",
    "preset", "render_clip",
]

"""Session-scoped synthetic clips for tests. Use them from a test module with::

    pytest_plugins = ["synth_fixtures"]

* ``synth_clip``: a factory ``make(config_or_preset_name, **changes) -> (path, Truth)`` that renders
  each distinct configuration once per test session into a temporary folder.
* ``synth_tiny`` / ``synth_tiny_flying``: the "tiny" and "tiny_flying" presets, rendered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from dash40.synth import SceneConfig, Truth, preset, render_clip


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    cache: dict[str, tuple[Path, Truth]] = {}

    def make(config: SceneConfig | str = "tiny", **changes) -> tuple[Path, Truth]:
        cfg = preset(config) if isinstance(config, str) else config
        cfg = replace(cfg, **changes) if changes else cfg
        key = hashlib.sha1(json.dumps(cfg.to_dict(), sort_keys=True).encode()).hexdigest()[:12]
        if key not in cache:
            path = root / f"clip_{key}{cfg.suffix}"
            truth = render_clip(cfg, path)
            cache[key] = (path, truth)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def synth_tiny(synth_clip):
    return synth_clip("tiny")


@pytest.fixture(scope="session")
def synth_tiny_flying(synth_clip):
    return synth_clip("tiny_flying")


def set_display_rotation(path: Path, clockwise_degrees: int) -> None:
    """Write the display matrix a phone writes in an MP4/MOV track header (``tkhd``): players turn
    the stored picture ``clockwise_degrees`` (0, 90, 180, 270) to show it. An iPhone filming in
    portrait stores a landscape picture with 90 (ffprobe: "rotation of -90.00 degrees")."""
    import struct

    data = bytearray(Path(path).read_bytes())
    i = data.find(b"tkhd")
    if i < 0:
        raise ValueError(f"{path} has no track header")
    version = data[i + 4]
    # after 'tkhd': version+flags (4), times/track id/reserved/duration (20 or 32), reserved (8),
    # layer, alternate group, volume, reserved (2 each), then the 3x3 matrix.
    at = i + 4 + 4 + (20 if version == 0 else 32) + 8 + 8
    w = struct.unpack(">I", data[at + 36: at + 40])[0] / 65536.0
    h = struct.unpack(">I", data[at + 40: at + 44])[0] / 65536.0
    a, b, c, d, tx, ty = {0: (1, 0, 0, 1, 0, 0), 90: (0, 1, -1, 0, h, 0),
                          180: (-1, 0, 0, -1, w, h), 270: (0, -1, 1, 0, 0, w)}[clockwise_degrees % 360]

    def fixed(v, frac_bits=16):
        return struct.pack(">i", int(round(v * (1 << frac_bits))))

    data[at: at + 36] = (fixed(a) + fixed(b) + fixed(0, 30) + fixed(c) + fixed(d) + fixed(0, 30)
                         + fixed(tx) + fixed(ty) + fixed(1, 30))
    Path(path).write_bytes(bytes(data))

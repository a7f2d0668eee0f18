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

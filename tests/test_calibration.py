"""Calibration parsing, validation and the pixel ↔ lane mapping (plant a camera, recover distances)."""

import json

import numpy as np
import pytest

from dash40.calibration import lane_geometry, load_calibration
from dash40.errors import CalibrationError


def _camera_points(yaw_deg=0.0):
    """Project ground points through a simple pinhole camera 20 m from the lane."""
    f, cx, cy = 900.0, 640.0, 360.0
    yaw = np.radians(yaw_deg)
    R_yaw = np.array([[np.cos(yaw), 0, np.sin(yaw)], [0, 1, 0], [-np.sin(yaw), 0, np.cos(yaw)]])
    pitch = np.radians(3.0)
    R_pitch = np.array([[1, 0, 0], [0, np.cos(pitch), -np.sin(pitch)], [0, np.sin(pitch), np.cos(pitch)]])
    R = R_pitch @ R_yaw
    C = np.array([10.0, 1.2, -20.0])  # camera centre (x along lane, y up, z across)

    def project(x, y, z):
        p = R @ (np.array([x, y, z]) - C)
        return (f * p[0] / p[2] + cx, cy - f * p[1] / p[2])

    return project


def _cal(project, distances=(0, 5, 10, 20), units="m"):
    lines = []
    for d in distances:
        x = d * 0.9144 if units == "yd" else d
        near = project(x, 0.0, -1.5)
        far = project(x, 0.0, 1.5)
        lines.append({"distance": d, "near": list(near), "far": list(far)})
    return {"units": units, "lines": lines}


@pytest.mark.parametrize("yaw", [0.0, 25.0])
def test_distance_at_column_recovers_planted_positions(yaw):
    project = _camera_points(yaw)
    geom = lane_geometry(load_calibration(_cal(project)), s_path=0.5, width=1280, height=720)
    # A body point 1.3 m above the path (z = 0) at lane distance x is seen at column u; the mapping
    # refers it to the ground below it on the path and must give x back (image verticals ~ world verticals).
    for x in (0.0, 3.3, 7.5, 14.0, 19.0):
        u, v = project(x, 1.3, 0.0)
        got = float(geom.distance_at(np.array([u]), np.array([v]))[0])
        assert got == pytest.approx(x, abs=0.02), (x, got)


def test_path_is_where_the_runner_runs_not_where_the_cones_are():
    """Parallax: with an angled camera, referring to the near cones instead of the path is wrong."""
    project = _camera_points(25.0)
    cal = load_calibration(_cal(project))
    u, v = project(1.0, 1.3, 0.0)
    on_path = float(lane_geometry(cal, s_path=0.5, width=1280, height=720).distance_at(np.array([u]), np.array([v]))[0])
    at_near = float(lane_geometry(cal, s_path=0.0, width=1280, height=720).distance_at(np.array([u]), np.array([v]))[0])
    assert on_path == pytest.approx(1.0, abs=0.02)
    assert abs(at_near - 1.0) > 0.1


def test_yards_are_converted_and_direction_detected():
    project = _camera_points()
    cal = load_calibration(_cal(project, distances=(0, 10, 20), units="yd"))
    geom = lane_geometry(cal, width=1280, height=720)
    u, v = project(20 * 0.9144, 1.0, 0.0)
    assert float(geom.distance_at(np.array([u]), np.array([v]))[0]) == pytest.approx(20 * 0.9144, abs=0.02)
    assert cal.direction() == 1


def test_short_form_interpolates_columns_either_direction():
    cal = load_calibration({"units": "yd", "lines": [{"distance": 0, "x": 1000}, {"distance": 10, "x": 600}]})
    assert cal.direction() == -1
    geom = lane_geometry(cal)
    assert float(geom.distance_at_column(np.array([800.0]))[0]) == pytest.approx(5 * 0.9144)
    assert float(geom.distance_at_column(np.array([500.0]))[0]) == pytest.approx(12.5 * 0.9144)


def test_round_trip_through_json(tmp_path):
    d = {"units": "m", "lines": [{"distance": 0, "near": [10, 700], "far": [60, 500]}, {"distance": 10, "x": 812.5}]}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    assert load_calibration(p).to_dict() == {
        "units": "m", "lines": [{"distance": 0.0, "near": [10.0, 700.0], "far": [60.0, 500.0]}, {"distance": 10.0, "x": 812.5}]}


@pytest.mark.parametrize(
    "data, words",
    [
        ({"units": "yd", "lines": [{"distance": 0, "x": 10}]}, "at least two"),
        ({"units": "ft", "lines": [{"distance": 0, "x": 10}, {"distance": 1, "x": 20}]}, "'yd' or 'm'"),
        ({"units": "yd", "lines": [{"distance": 10, "x": 10}, {"distance": 5, "x": 20}]}, "increasing distance"),
        ({"units": "yd", "lines": [{"distance": 0, "x": float("nan")}, {"distance": 5, "x": 20}]}, "finite"),
        ({"units": "yd", "lines": [{"distance": 0, "near": [1, 2]}, {"distance": 5, "x": 20}]}, "far point"),
        ({"units": "yd", "lines": [{"distance": 0, "x": 10}, {"distance": 5, "x": 30}, {"distance": 10, "x": 20}]}, "not in order"),
        ({"units": "yd", "lines": [{"distance": "ten", "x": 10}, {"distance": 5, "x": 20}]}, "not a number"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_calibrations_say_what_is_wrong(data, words):
    with pytest.raises(CalibrationError, match=words):
        load_calibration(data)


def test_off_frame_points_are_named():
    cal = load_calibration({"units": "yd", "lines": [{"distance": 0, "x": 100}, {"distance": 10, "x": 2500}]})
    with pytest.raises(CalibrationError, match=r"10 yd line.*outside the clip's 1280×720"):
        cal.check_fits(1280, 720)


def test_missing_or_invalid_file(tmp_path):
    with pytest.raises(CalibrationError, match="does not exist"):
        load_calibration(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CalibrationError, match="not valid JSON"):
        load_calibration(bad)


def test_camera_position_recovered_from_an_angled_view():
    """With the camera 25° off perpendicular, the focal length and where the camera stands (seen
    from above) follow from the ground plane: they fix each line's viewing angle."""
    C = np.array([10.0, 1.2, -20.0])  # the planted camera (see _camera_points)
    project = _camera_points(25.0)
    geom = lane_geometry(load_calibration(_cal(project)), s_path=0.5, width=1280, height=720)
    assert geom.lane_width_m == pytest.approx(3.0, rel=0.01)
    cam_x, cam_s = geom.camera_xz
    assert cam_x == pytest.approx(C[0], abs=0.05)
    assert (0.5 - cam_s) * geom.lane_width_m == pytest.approx(-C[2], rel=0.01)  # 20 m from the path
    # Viewing angle at the start line: atan(10 / 20) seen from above.
    assert float(np.degrees(geom.view_angle(0.0))) == pytest.approx(np.degrees(np.arctan(10 / 20)), abs=0.3)

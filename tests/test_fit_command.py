"""``dash40 fit`` run in-process through dash40.cli.main: printed numbers, the JSON, exit codes."""

from __future__ import annotations

import json
import sys
import types

import pytest

from dash40 import kinematics as k

KIM_D = "5,10,15,20,30,40"
KIM_T = "1.158,1.893,2.541,3.149,4.313,5.444"
YD = 0.9144


@pytest.fixture
def main():
    """dash40.cli.main; the fit command does not need the analyze command, so if that one cannot be
    imported in this environment a stand-in with an empty parser is used."""
    try:
        import dash40.analyze_command  # noqa: F401
    except Exception:  # pragma: no cover - only when the engine's dependencies are missing
        stub = types.ModuleType("dash40.analyze_command")
        stub.add_parser = lambda subparsers: None
        sys.modules["dash40.analyze_command"] = stub
    from dash40.cli import main as cli_main

    return cli_main


def run(main, capsys, *argv):
    code = main(["fit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_plain_fit_prints_and_writes_shorts_numbers(main, capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    code, out, err = run(main, capsys, "--distances", KIM_D, "--times", KIM_T, "--json", str(out_json))
    assert code == 0 and err == ""
    # shorts README: MSS 8.5911430, TAU 0.8113285, MAC 10.5889820, PMAX 22.7428645
    assert "MSS     8.59 m/s (19.2 mph)" in out
    assert "TAU     0.81 s" in out and "MAC    10.59" in out and "PMAX   22.74" in out
    assert "fit quality: fair" in out
    # measured and model times printed to 0.01 s
    assert "5 m      1.16    1.21  -0.053" in out
    d = json.loads(out_json.read_text())
    for key in ("model", "mss", "tau", "mac", "pmax", "time_correction", "flying_distance", "ci", "rse",
                "residuals", "predicted"):
        assert key in d
    assert d["model"] == "plain"
    assert d["mss"] == pytest.approx(8.5911430, abs=5e-7)
    assert d["tau"] == pytest.approx(0.8113285, abs=5e-7)
    assert d["pmax"] == pytest.approx(22.7428645, abs=5e-6)
    assert d["time_correction"] is None and d["flying_distance"] is None and d["fv"] is None
    assert d["rse"] == pytest.approx(0.03403413, abs=5e-8)
    assert len(d["residuals"]) == 6
    assert d["input"]["units"] == "m"
    first = d["predicted"][0]  # the measured distances come first
    assert (first["distance"], first["units"], first["time_s"]) == (5.0, "m", pytest.approx(1.210935, abs=1e-6))
    assert list(tmp_path.iterdir()) == [out_json]  # no temporary file left behind


def test_yards_are_converted_to_metres_and_parameters_stay_si(main, capsys, tmp_path):
    mss, tau = 9.2, 1.05
    yd = [5, 10, 20, 30, 40]
    times = k.simulate_splits([d * YD for d in yd], mss, tau)
    out_json = tmp_path / "yd.json"
    code, out, _ = run(main, capsys, "--distances", ",".join(map(str, yd)), "--times",
                       ",".join(f"{t:.6f}" for t in times), "--units", "yd", "--json", str(out_json))
    assert code == 0
    d = json.loads(out_json.read_text())
    assert d["mss"] == pytest.approx(mss, rel=1e-4) and d["tau"] == pytest.approx(tau, rel=1e-4)
    assert d["input"]["distances_m"] == pytest.approx([v * YD for v in yd])
    assert "distances in yards" in out and "40 yd" in out
    row = next(r for r in d["predicted"] if r["units"] == "yd" and r["distance"] == 40)
    assert row["distance_m"] == pytest.approx(36.576) and row["time_s"] == pytest.approx(times[-1], abs=1e-5)
    fly = next(f for f in d["flying"] if f["units"] == "yd")
    assert fly["time_s"] == pytest.approx(times[-1] - times[-2], abs=1e-5)
    assert "Flying 10 yd (30-40 yd): " + f"{times[-1] - times[-2]:.2f} s" in out


@pytest.mark.parametrize(
    "model,expect",
    [
        # shorts README values for Kimberley
        ("time-correction", {"mss": 8.9748354, "tau": 1.2348566, "time_correction": 0.2346537}),
        ("flying", {"mss": 9.0026808, "tau": 1.2877008, "flying_distance": 0.3015635}),
        ("flying-fixed=0.5", {"mss": 9.178464, "tau": 1.472935, "flying_distance": 0.5}),
        ("time-correction-fixed=0.3", {"mss": 9.127769, "tau": 1.377624, "time_correction": 0.3}),
    ],
)
def test_model_variants(main, capsys, tmp_path, model, expect):
    out_json = tmp_path / "v.json"
    code, out, _ = run(main, capsys, "--distances", KIM_D, "--times", KIM_T, "--model", model, "--json", str(out_json))
    assert code == 0
    d = json.loads(out_json.read_text())
    for key, value in expect.items():
        assert d[key] == pytest.approx(value, abs=5e-6)
    assert f"MSS   {expect['mss']:6.2f} m/s" in out


def test_flying_fixed_distance_is_in_the_given_units(main, capsys, tmp_path):
    out_json = tmp_path / "f.json"
    code, out, _ = run(main, capsys, "--distances", "10,20,30,40", "--times", "1.75,2.90,3.98,5.05",
                       "--units", "yd", "--model", "flying-fixed=1", "--json", str(out_json))
    assert code == 0
    d = json.loads(out_json.read_text())
    assert d["flying_distance"] == pytest.approx(YD)
    assert d["fixed"] == ["flying_distance"] and d["ci"]["flying_distance"] is None
    assert "flying distance 1.00 yd (0.91 m, fixed" in out


def test_force_velocity_profile_is_printed_and_stored(main, capsys, tmp_path):
    out_json = tmp_path / "fv.json"
    code, out, _ = run(main, capsys, "--distances", KIM_D, "--times", KIM_T, "--mass", "60", "--height", "1.7",
                       "--temperature", "25", "--json", str(out_json))
    assert code == 0
    # shorts README get_FV_profile (same inputs): F0 630 N, V0 8.83 m/s, Pmax 1390 W (23.2 W/kg)
    assert "F0 630 N (10.50 N/kg)   V0 8.83 m/s   Pmax 1391 W (23.19 W/kg)" in out
    fv = json.loads(out_json.read_text())["fv"]
    assert fv["f0_n"] == pytest.approx(630.04, abs=0.01)
    assert fv["temperature_c"] == 25 and fv["pressure_mmhg"] == 760 and fv["wind_m_s"] == 0


def test_help_makes_yards_obvious(main, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fit", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "YARDS" in out and "--units" in out and "metres (default)" in out


@pytest.mark.parametrize(
    "argv,words",
    [
        (["--distances", "10", "--times", "1.9"], "at least 2 splits; got 1"),
        (["--distances", "10,20,30", "--times", "1.9,3.1"], "3 distances and 2 times"),
        (["--distances", "10,20,30", "--times", "1.9,3.1,2.9"], "strictly increasing"),
        (["--distances", "10,20,30", "--times", "1.9,nan,4.2"], "finite"),
        (["--distances", "10,20,30", "--times", "1.9,abc,4.2"], "got 'abc'"),
        (["--distances", KIM_D, "--times", KIM_T, "--units", "feet"], "--units must be 'm' or 'yd'"),
        (["--distances", KIM_D, "--times", KIM_T, "--model", "magic"], "--model must be"),
        (["--distances", KIM_D, "--times", KIM_T, "--model", "flying-fixed=-1"], "positive distance"),
        (["--distances", KIM_D, "--times", KIM_T, "--mass", "80"], "got only --mass"),
        (["--distances", KIM_D, "--times", KIM_T, "--mass", "-80", "--height", "1.8"], "body mass"),
        (["--distances", KIM_D, "--times", KIM_T, "--mass", "80", "--height", "0"], "height"),
        (["--distances", "10,20,30", "--times", "1.9,3.1,4.2", "--model", "time-correction",
          "--units", "yd"], None),  # valid: sanity row, exit 0
        (["--distances", "10,20", "--times", "1.9,3.1", "--model", "time-correction"], "at least 3 splits; got 2"),
        (["--distances", "10,20,40", "--times", "0.5,1.0,1.6"], "faster than any human"),
    ],
)
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(main, capsys, tmp_path, argv, words):
    out_json = tmp_path / "never.json"
    code, out, err = run(main, capsys, *argv, "--json", str(out_json))
    if words is None:
        assert code == 0 and out_json.exists()
        return
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("dash40: ") and lines[0].endswith(".")
    assert words in lines[0]
    assert list(tmp_path.iterdir()) == []


def test_json_into_a_missing_folder_is_an_error_and_prints_nothing(main, capsys, tmp_path):
    code, out, err = run(main, capsys, "--distances", KIM_D, "--times", KIM_T, "--json", str(tmp_path / "no" / "f.json"))
    assert code == 2 and out == "" and "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_existing_json_is_replaced_whole(main, capsys, tmp_path):
    out_json = tmp_path / "fit.json"
    out_json.write_text("old contents")
    assert run(main, capsys, "--distances", KIM_D, "--times", KIM_T, "--json", str(out_json))[0] == 0
    assert json.loads(out_json.read_text())["model"] == "plain"
    # a failing run leaves the previous file untouched
    assert run(main, capsys, "--distances", "10", "--times", "2", "--json", str(out_json))[0] == 2
    assert json.loads(out_json.read_text())["model"] == "plain"

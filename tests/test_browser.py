"""End to end in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser).

Starts the dashboard on a free localhost port with an empty database, adds an athlete and a
session, uploads a sample clip, places a timing line by clicking its ends on the first frame, loads
the clip's calibration, analyzes it, checks the split table and the event pictures, saves, and
finds the run's dots in the athlete page's progress chart. Screenshots of each step (the whole
page, not only the top of it) go to ``test-output/screenshots/``.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "screenshots"
SAMPLE = ROOT / "sample_videos" / "start_10yd_120fps.mp4"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    port = _free_port()
    env = dict(os.environ, DASH40_DATA_DIR=str(data), DASH40_NO_DEMO="1")
    env.pop("DASH40_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the dashboard did not start within 60 s")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        pg = browser.new_page(viewport={"width": 1400, "height": 1100})
        yield pg
        browser.close()


def _visible(pg, text, timeout=60000):
    try:
        pg.get_by_text(text).filter(visible=True).first.wait_for(timeout=timeout)
    except Exception:
        _shot(pg, "timeout")
        raise


def _selected(pg, text, timeout=60000):
    """Wait until a select box shows ``text``: the app has rerun after a form was submitted.

    Checking the page's HTML is not enough here, because the text field just typed into holds
    the same words before the form reaches the server; a click made before the rerun lands can
    then be lost when the rerun redraws the form.
    """
    js = """t => {
        const boxes = [...document.querySelectorAll('[data-testid="stSelectbox"]')];
        const shown = boxes.some(b => b.innerText.includes(t)
            || [...b.querySelectorAll('input')].some(i => (i.value || '').includes(t)));
        const status = document.querySelector('[data-testid="stStatusWidget"]');
        return shown && !(status && status.innerText.includes('Running'));
    }"""
    try:
        pg.wait_for_function(js, arg=text, timeout=timeout)
    except Exception:
        _shot(pg, "timeout")
        raise


def _submit(pg, button, shows, tries=3):
    """Click a form's submit button until a select box shows ``shows``.

    On a loaded machine a click can land while Streamlit is still redrawing the page from the
    previous rerun, and is then lost (the form keeps its typed values: the screenshot of such a
    failure showed the place typed in and no session added). The form clears itself when it is
    submitted, so a second click cannot add the same thing twice.
    """
    for attempt in range(tries):
        pg.get_by_role("button", name=button).click()
        try:
            _selected(pg, shows, timeout=30000 if attempt < tries - 1 else 60000)
            return
        except Exception:
            if attempt == tries - 1:
                raise


def _shot(pg, name):
    """The whole page. Streamlit scrolls inside its main area (the document itself never scrolls),
    so the window is made as tall as that area's content for the picture, then put back."""
    size = pg.viewport_size
    tall = pg.evaluate("""() => {
        const m = document.querySelector('[data-testid="stMain"]');
        return m ? m.scrollHeight : 0;
    }""")
    try:
        if tall > size["height"]:
            pg.set_viewport_size({"width": size["width"], "height": min(tall + 40, 12000)})
            time.sleep(1)  # let the charts lay themselves out again
        pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        pg.set_viewport_size(size)


FRAME = 'iframe[title="streamlit_image_coordinates.streamlit_image_coordinates"]'


def _click_frame(pg, x_frac, y_frac, then_shows):
    """Click the first frame at a fraction of its shown size; wait for the page to say what was placed."""
    img = pg.frame_locator(FRAME).locator("#image")
    img.wait_for(timeout=30000)
    box = img.bounding_box()
    img.click(position={"x": x_frac * box["width"], "y": y_frac * box["height"]})
    _visible(pg, then_shows, timeout=30000)


def test_upload_analyze_save_and_see_progress(app_url, page):
    pg = page
    pg.goto(app_url)
    _visible(pg, "Analyze a rep")
    # An athlete and a session, created inline.
    pg.get_by_text("New athlete").click()
    pg.get_by_label("Name").fill("Jordan Miles")
    _submit(pg, "Add athlete", "Jordan Miles")
    pg.get_by_text("New session").click()
    pg.get_by_label("Place").fill("Indoor turf")
    _submit(pg, "Add session", "— Indoor turf")
    # The clip, then its calibration file.
    pg.locator('input[type="file"]').first.set_input_files(str(SAMPLE))
    _visible(pg, "Timing lines", timeout=60000)
    # Click-to-place: the 0 yd line's near end, then its far end, on the frame as shown (1280×720 clip).
    _click_frame(pg, 0.10, 0.90, "The 0 yd line's near end is now at")
    _click_frame(pg, 0.12, 0.70, "The 0 yd line's far end is now at")
    body = pg.inner_text("body")
    placed = [ln for ln in body.splitlines() if "far end is now at" in ln][0]
    u, v = (float(x) for x in placed.split("(")[1].rstrip(").").split(","))
    assert abs(u - 0.12 * 1280) < 3 and abs(v - 0.70 * 720) < 3, placed  # full-resolution pixels
    _shot(pg, "1a_click_to_place")
    pg.locator('input[type="file"]').nth(1).set_input_files(str(SAMPLE.with_suffix(".calib.json")))
    _visible(pg, "First frame with the timing lines", timeout=60000)
    _shot(pg, "1_calibration")
    pg.get_by_role("button", name="Analyze").click()
    _visible(pg, "Check each event", timeout=180000)
    _visible(pg, "First movement at", timeout=30000)
    time.sleep(2)
    _shot(pg, "2_analysis")
    body = pg.inner_text("body")
    assert "Splits" in body and "5 yd" in body and "10 yd" in body
    # One picture per event, each really drawn: first movement and the 5 and 10 yd crossings (the
    # chest is already over the 0 yd line in the set position, so that line has no crossing).
    lines = json.loads(SAMPLE.with_suffix(".calib.json").read_text())["lines"]
    pics = pg.locator('[data-testid="stMain"] [data-testid="stImage"] img')
    assert pics.count() == 1 + (len(lines) - 1)
    for i in range(pics.count()):
        assert pics.nth(i).evaluate("img => img.complete && img.naturalWidth") >= 300
    pg.get_by_role("button", name="Save this run").click()
    _visible(pg, "Saved as run #1", timeout=30000)
    # The athlete page shows the new run: a dot for each of its splits (5 and 10 yd) in the progress chart.
    pg.get_by_role("link", name="Athlete").click()
    _visible(pg, "Best 10 yd", timeout=60000)
    chart = pg.locator('[data-testid="stPlotlyChart"]').filter(has_text="Splits over time").first
    chart.locator(".scatterlayer .point").first.wait_for(timeout=30000)
    time.sleep(2)
    _shot(pg, "3_athlete")
    assert chart.locator(".scatterlayer .point").count() == len(lines) - 1


def test_a_file_that_is_not_a_video_gets_a_sentence_and_the_page_stays_usable(app_url, page, tmp_path):
    pg = page
    pg.goto(app_url)
    _visible(pg, "Analyze a rep")
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is a shopping list, not a video")
    pg.locator('input[type="file"]').first.set_input_files(str(bad))
    _visible(pg, "'notes.mp4' is not a video dash40 can read", timeout=60000)
    _shot(pg, "4_bad_upload")
    assert "Traceback" not in pg.inner_text("body")
    # Still usable: the other pages open.
    pg.get_by_role("link", name="Session").click()
    _visible(pg, "Session leaderboard", timeout=60000)

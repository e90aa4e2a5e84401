"""What the network learned, in a real window: step 1.0 trains in a Tk window on a virtual screen
(Xvfb), the test presses W, 0 and Space with xdotool and looks at the screen's pixels, as
tests/test_live_window.py does for the six graphs (its helpers are used here)."""

import time

import numpy as np
from test_live_window import LiveScript, check_six_graphs, region, six_graphs

from conftest import SCREEN, toolkit_opens_a_window
from visu import progress


def weights_pictures(canvas):
    """Why not, or None when the view of what the network learned fills the window: its left
    part red and blue (the ten templates of W around 0), and not the six graphs."""
    left = region(canvas, 0.03, 0.1, 0.4, 0.95).astype(int)
    r, g, b = np.moveaxis(left, -1, 0)
    red, blue = ((r > b + 30) & (r > g + 30)).mean(), ((b > r + 30) & (b > g + 10)).mean()
    if red < 0.01 or blue < 0.01:
        return "no red and blue weights on the left: %.3f red, %.3f blue" % (red, blue)
    try:
        check_six_graphs(canvas)
    except AssertionError:
        return None
    return "the six graphs still show"


def test_key_w_shows_what_the_network_learned_0_brings_back_the_six_and_space_freezes_it(
    xvfb, mnist_dir, tmp_path
):
    display, screen_file = xvfb
    toolkit_opens_a_window("TkAgg", display)
    script = LiveScript(display, screen_file, mnist_dir, tmp_path, "TkAgg")  # Tk's window
    try:
        script.wait_for_window()
        script.xdotool("mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1))  # off the window
        deadline = time.monotonic() + 40
        while script.last_iteration() < 300:
            assert time.monotonic() < deadline and script.process.poll() is None, script.output()
            time.sleep(0.2)
        assert "W one graph" in script.title()

        script.press("w")
        script.wait_until(weights_pictures, "key W did not show the view", retry_key="w")
        script.press("0")
        script.wait_until(six_graphs, "key 0 did not bring the six graphs back", retry_key="0")

        # Space freezes the view while the training goes on, and Space again lets it move
        script.press("w")
        script.wait_until(weights_pictures, "key W did not show the view again", retry_key="w")
        script.press("space")
        start = time.monotonic()
        while "paused" not in script.title():
            assert time.monotonic() < start + 10, "Space did not pause: %r" % script.title()
            time.sleep(0.1)
        previous = [None]

        def stable(canvas):
            same = previous[0] is not None and np.array_equal(canvas, previous[0])
            previous[0] = canvas
            return None if same else "still changing"

        frozen = script.wait_until(stable, "the view kept changing after Space")
        iteration = script.last_iteration()
        time.sleep(2.5)
        assert np.array_equal(script.screenshot(), frozen), "the view changed while paused"
        assert script.last_iteration() > iteration, "training stopped while the view was paused"
        script.press("space")
        script.wait_until(
            lambda canvas: "still frozen" if np.array_equal(canvas, frozen) else None,
            "Space again did not let the view move",
        )
        assert weights_pictures(script.screenshot()) is None

        script.press("q")
        script.process.wait(timeout=20)
        for reader in script.readers:
            reader.join(timeout=10)
        assert script.process.returncode == 0, script.output()
        assert any(progress.is_last_line(line) for line in script.lines), script.output()
        assert not any("Traceback" in line for line in script.errors), script.output()
    finally:
        script.stop()

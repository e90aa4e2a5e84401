"""The live window, for real: a step script trains in a window on a virtual screen (Xvfb), and
the test presses the workshop's keys with xdotool and looks at the screen's pixels.

Each test runs in the two toolkits a learner's window comes in on Linux: Tk (Python's own,
matplotlib's TkAgg) and Qt (Anaconda's and many desktops', QtAgg, PyQt6 in requirements-test.txt).
Needs Xvfb and xdotool (Debian: apt-get install xvfb xdotool), Python's tkinter, and PyQt6 with
the X libraries Qt loads (.ci/run lists them). Without one of them the tests that need it skip on
a learner's machine, and fail in CI (CI=true), where they are installed.
Screenshots come from Xvfb itself: with -fbdir it keeps its screen in an XWD file, read here with
numpy, so no screenshot tool is needed. With SAVE_SCREENSHOTS=<folder> the test also saves the
window with all six graphs and with graph 3 alone there, as PNG files (the Qt window's with the
backend in their names).
"""

import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import time

import numpy as np

from conftest import ROOT, SCREEN, TOOLKITS, qt_without_its_x_library
from visu import progress

SCRIPT = ROOT / "mnist_1.0_softmax.py"
TRAINING_RGB, TEST_RGB = (31, 119, 180), (214, 39, 40)  # the curves' colors in tensorflowvisu


# --- the virtual screen and its pixels -------------------------------------------------------


def read_xwd(path):
    """The screen as an RGB uint8 array [height, width, 3], from Xvfb's XWD framebuffer file."""
    data = pathlib.Path(path).read_bytes()
    header = np.frombuffer(data[:100], ">u4")
    header_size, depth, width, height = int(header[0]), header[3], int(header[4]), int(header[5])
    byte_order, bits_per_pixel, bytes_per_line = header[7], header[11], int(header[12])
    masks, colormap_entries = tuple(header[14:17]), int(header[19])
    assert (depth, bits_per_pixel, masks) == (24, 32, (0xFF0000, 0xFF00, 0xFF)), (
        "unexpected XWD format"
    )
    offset = header_size + 12 * colormap_entries
    rows = np.frombuffer(data, np.uint8, count=height * bytes_per_line, offset=offset).reshape(
        height, bytes_per_line
    )
    pixels = rows[:, : 4 * width].reshape(height, width, 4)
    return (
        pixels[:, :, [2, 1, 0]] if byte_order == 0 else pixels[:, :, [1, 2, 3]]
    )  # LSB first: B G R x


# --- what the pixels show ----------------------------------------------------------------------


def near(img, rgb, tolerance=40):
    return np.abs(img.astype(int) - rgb).sum(axis=-1) < tolerance


def bluish(img):
    """The training curve and the weights' bands (graphs 1, 2, 4) are blue; the digit mosaics never
    are."""
    r, g, b = np.moveaxis(img.astype(int), -1, 0)
    return (b > r + 25) & (b > g + 10)


def dark(img):
    return (
        img.astype(int).sum(axis=-1) < 3 * 70
    )  # ink, axes frames and text; not the curves (lighter)


def region(img, left, top, right, bottom):
    """Part of the canvas, in fractions of its width and height from the top left."""
    h, w = img.shape[:2]
    return img[int(top * h) : int(bottom * h), int(left * w) : int(right * w)]


def long_lines(img, min_fraction):
    """Axes frames: (x positions of vertical dark lines, y positions of horizontal ones) at least
    min_fraction of the canvas height long, each line's neighbouring pixels merged into one."""
    ink = dark(img)
    min_length = int(min_fraction * img.shape[0])

    def positions(mask):  # mask [lines, length]: the lines holding a run of ink >= min_length
        found = []
        for index, line in enumerate(mask):
            padded = np.concatenate([[0], line.astype(np.int8), [0]])
            edges = np.flatnonzero(np.diff(padded))
            if len(edges) and (edges[1::2] - edges[::2]).max() >= min_length:
                if found and index - found[-1][-1] <= 2:
                    found[-1].append(index)
                else:
                    found.append([index])
        return [round(float(np.mean(group))) for group in found]

    return positions(ink.T), positions(ink)


def check_six_graphs(canvas):
    """All six graphs in 2 rows of 3: curves top left, weight bands bottom left, digits on the
    right."""
    accuracy, weights, biases = (
        region(canvas, 0.04, 0.06, 0.32, 0.44),
        region(canvas, 0.04, 0.56, 0.32, 0.94),
        region(canvas, 0.37, 0.56, 0.65, 0.94),
    )
    training_digits, test_digits = (
        region(canvas, 0.71, 0.06, 0.98, 0.44),
        region(canvas, 0.71, 0.56, 0.98, 0.94),
    )
    assert near(accuracy, TRAINING_RGB).sum() > 300, "no training curve in graph 1 (top left)"
    assert near(accuracy, TEST_RGB).sum() > 100, "no test curve in graph 1 (top left)"
    assert bluish(weights).mean() > 0.2, "no weight bands in graph 4 (bottom left)"
    r, g, b = np.moveaxis(biases.astype(int), -1, 0)
    assert ((g > r + 20) & (g > b + 20)).mean() > 0.2, (
        "no green bias bands in graph 5 (bottom middle)"
    )
    for name, digits in (
        ("graph 3 (top right)", training_digits),
        ("graph 6 (bottom right)", test_digits),
    ):
        assert not bluish(digits).any() and 0.03 < dark(digits).mean() < 0.5, (
            "no digit mosaic in " + name
        )
    vertical, horizontal = long_lines(canvas, 0.25)
    assert len(vertical) >= 8 and len(horizontal) >= 4, "not six axes frames: %s %s" % (
        vertical,
        horizontal,
    )
    return vertical, horizontal


def graph3_fills_window(canvas):
    """Why not, or None when graph 3 alone fills the canvas: a square frame (the 10x10 mosaic of
    28x28 digits) nearly the canvas's height, centred, digits inside, no curve or band anywhere."""
    h, w = canvas.shape[:2]
    vertical, horizontal = long_lines(canvas, 0.6)
    if len(vertical) != 2 or len(horizontal) != 2:
        return "no single big frame: vertical lines at %s, horizontal at %s" % (
            vertical,
            horizontal,
        )
    (left, right), (top, bottom) = vertical, horizontal
    side = bottom - top
    if (
        side < 0.8 * h
        or abs((right - left) - side) > 0.03 * side
        or abs((left + right) / 2 - 0.51 * w) > 0.04 * w
    ):
        return "the frame is not graph 3's big square: x %d-%d, y %d-%d in %dx%d" % (
            left,
            right,
            top,
            bottom,
            w,
            h,
        )
    if bluish(canvas).sum() > 20:
        return "curves or bands still show (%d blue pixels)" % bluish(canvas).sum()
    middle = canvas[top + side // 4 : bottom - side // 4, left + side // 4 : right - side // 4]
    if not 0.04 < dark(middle).mean() < 0.5:
        return "no digits in the middle of the frame (%.1f%% ink)" % (100 * dark(middle).mean())
    return None


def differing(a, b):
    """The share of pixels that differ by more than a little."""
    return float((np.abs(a.astype(int) - b.astype(int)).max(axis=-1) > 24).mean())


# --- the step script in its window ---------------------------------------------------------------


def toolkits_loaded(pid):
    """The backends of TOOLKITS whose library the process has loaded (Linux's /proc)."""
    maps = pathlib.Path("/proc/%d/maps" % pid).read_text(encoding="utf-8", errors="replace")
    return {name for name, (_, library) in TOOLKITS.items() if library.search(maps)}


def six_graphs(canvas):
    """Why not, or None when the window shows the six graphs (check_six_graphs)."""
    try:
        check_six_graphs(canvas)
    except AssertionError as problem:
        return str(problem)
    return None


class LiveScript:
    """A step script started as a learner would, with its window on the given display."""

    def __init__(
        self,
        display,
        screen_file,
        mnist_dir,
        cwd,
        backend,
        script=SCRIPT,
        arguments=("--iterations", "20000"),
        launcher=(),
    ):
        self.display, self.screen_file, self.backend = display, screen_file, backend
        self.env = dict(
            os.environ,
            DISPLAY=display,
            MPLBACKEND=backend,
            MNIST_DATA_DIR=str(mnist_dir),
            PYTHONUNBUFFERED="1",
        )  # progress lines reach the pipe as they are printed
        self.env.pop("WAYLAND_DISPLAY", None)
        self.lines, self.errors = [], []
        # Ctrl-C's SIGINT acts in the script as in one started from a terminal: a SIGINT this
        # process ignores (pytest-xdist's workers, a background job) the script would inherit.
        before = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            self.process = subprocess.Popen(
                [*launcher, sys.executable, str(script), *arguments],
                cwd=cwd,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                encoding="utf-8",
            )
        finally:
            signal.signal(signal.SIGINT, before)
        self.readers = [
            threading.Thread(target=self._read, args=(stream, store), daemon=True)
            for stream, store in (
                (self.process.stdout, self.lines),
                (self.process.stderr, self.errors),
            )
        ]
        for reader in self.readers:
            reader.start()
        self.window = self.last_window = None
        self.window_name = "^" + re.escape(script.stem)  # the window's title starts with it

    @staticmethod
    def _read(stream, store):
        for line in stream:
            store.append(line.rstrip("\n"))

    def output(self):
        return "\n".join(self.lines[-15:]) + "\n--- stderr:\n" + "\n".join(self.errors[-25:])

    def training_lines(self):
        return [line for line in list(self.lines) if progress.is_training_line(line)]

    def last_iteration(self):
        lines = self.training_lines()
        return int(lines[-1].split(":")[0]) if lines else -1

    def xdotool(self, *args, check=True):
        result = subprocess.run(
            ["xdotool", *args], env=self.env, capture_output=True, encoding="utf-8", timeout=30
        )
        if check and result.returncode:
            raise AssertionError("xdotool %s failed: %s" % (" ".join(args), result.stderr))
        return result.stdout.strip()

    def wait_for_window(self, timeout=60, toolkits=None):
        """Waits for the script's window; the toolkits whose libraries it loaded must be
        `toolkits` (by default its backend's alone)."""
        expected = toolkits or {self.backend}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (
                "the script ended before its window opened:\n" + self.output()
            )
            found = self.xdotool("search", "--name", self.window_name, check=False).split()
            if found:
                self.window = found[0]
                loaded = toolkits_loaded(self.process.pid)
                assert loaded == expected, "not a %s window: the script loaded %s" % (
                    " and ".join(sorted(expected)),
                    " and ".join(sorted(loaded)) or "no toolkit",
                )
                return
            time.sleep(0.25)
        raise AssertionError("no window named %s appeared:\n%s" % (self.window_name, self.output()))

    def title(self):
        return self.xdotool("getwindowname", self.window, check=False)

    def press(self, key):
        """Gives the window the keyboard focus (no window manager here) and types the key."""
        self.xdotool("windowfocus", "--sync", self.window)
        self.xdotool("key", key)

    def screenshot(self):
        """The window's figure canvas as RGB (the toolbar left out: Tk's is under the canvas,
        Qt's above it; the whole window is kept in self.last_window, and the canvas's top left
        corner on the screen in self.canvas_origin)."""
        geometry = dict(
            line.split("=")
            for line in self.xdotool("getwindowgeometry", "--shell", self.window).split()
        )
        x, y, w, h = (int(geometry[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
        x, y = max(x, 0), max(y, 0)
        window = self.last_window = read_xwd(self.screen_file)[y : y + h, x : x + w]
        white_rows = np.flatnonzero(
            (window == 255).all(axis=-1).mean(axis=1) > 0.5
        )  # the figure is white
        if not len(white_rows):
            self.canvas_origin = (x, y)
            return window
        self.canvas_origin = (x, y + int(white_rows[0]))
        return window[white_rows[0] : white_rows[-1] + 1]

    def wait_until(self, condition, what, timeout=10.0, retry_key=None):
        """Polls the screen until condition(canvas) is None; presses retry_key again half way."""
        deadline, retried = time.monotonic() + timeout, False
        while True:
            assert self.process.poll() is None, "the script ended:\n" + self.output()
            canvas = self.screenshot()
            problem = condition(canvas)
            if problem is None:
                return canvas
            if time.monotonic() > deadline:
                raise AssertionError("%s: %s\n%s" % (what, problem, self.output()))
            if retry_key and not retried and time.monotonic() > deadline - timeout / 2:
                print("no answer yet: pressing %r again" % retry_key)
                self.press(retry_key)  # a layout key can be pressed twice safely
                retried = True
            time.sleep(0.2)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        for reader in self.readers:
            reader.join(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()


def _save(folder, name, backend, canvas):
    """Saves folder/<name>.png, the docs' picture, from Tk's window; Qt's as <name>_qtagg.png."""
    from PIL import Image  # Pillow comes with matplotlib

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "" if backend == "TkAgg" else "_" + backend.lower()
    Image.fromarray(np.ascontiguousarray(canvas)).save(folder / (name + suffix + ".png"))


def test_live_window_trains_and_answers_keys(xvfb, backend, mnist_dir, tmp_path):
    display, screen_file = xvfb
    workdir = tmp_path / "learner"  # not the scripts' folder: they must run from anywhere
    workdir.mkdir()
    script = LiveScript(display, screen_file, mnist_dir, workdir, backend)
    try:
        script.wait_for_window()
        script.xdotool(
            "mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1)
        )  # Xvfb draws the pointer: keep it off the window

        # training runs and the six graphs fill up
        deadline = time.monotonic() + 40
        while script.last_iteration() < 1000:
            assert time.monotonic() < deadline and script.process.poll() is None, (
                "training did not reach iteration 1000:\n" + script.output()
            )
            time.sleep(0.2)

        # A window redraws at most a fifth of the time: where a redraw is slow (a loaded
        # machine), the next comes several seconds later, so this waits longer than for a key.
        six = script.wait_until(six_graphs, "the six graphs never showed", timeout=60)
        six_window = script.last_window
        six_lines = check_six_graphs(six)
        assert graph3_fills_window(six) is not None

        # "3": graph 3 alone fills the window
        script.press("3")
        graph3 = script.wait_until(
            graph3_fills_window, "key 3 did not show graph 3 alone", retry_key="3"
        )
        graph3_window = script.last_window
        assert differing(six, graph3) > 0.1

        # "0": back to the six graphs, at the same places
        script.press("0")
        six_again = script.wait_until(
            six_graphs, "key 0 did not bring the six graphs back", retry_key="0"
        )
        assert check_six_graphs(six_again) == six_lines, "the six graphs came back elsewhere"
        assert differing(six, six_again) < differing(six, graph3) / 2

        previous = [None]

        def stable(canvas):  # None once two screenshots in a row are the same
            same, previous[0] = (
                previous[0] is not None and np.array_equal(canvas, previous[0]),
                canvas,
            )
            return None if same else "still changing"

        # Space: the display pauses while the training goes on, then resumes
        script.press("space")
        start, retried = time.monotonic(), False
        while "paused" not in script.title():
            assert time.monotonic() < start + 10, "Space did not pause (title: %r)" % script.title()
            if not retried and time.monotonic() > start + 5:  # no answer in 5 s: the key was lost
                print("no answer yet: pressing 'space' again")
                script.press("space")
                retried = True
            time.sleep(0.1)
        script.wait_until(
            stable, "the display kept changing after Space paused it"
        )  # the forced redraw landed
        first, iteration = script.screenshot(), script.last_iteration()
        time.sleep(2.5)  # unpaused, the graphs are redrawn more often than this
        assert np.array_equal(script.screenshot(), first), "the display changed while paused"
        assert script.last_iteration() > iteration, "training stopped while the display was paused"
        script.press("space")
        script.wait_until(
            lambda canvas: "the display stayed frozen" if np.array_equal(canvas, first) else None,
            "Space again did not resume the display",
        )
        assert "paused" not in script.title()

        if os.environ.get("SAVE_SCREENSHOTS"):
            _save(os.environ["SAVE_SCREENSHOTS"], "screenshot_six_graphs", backend, six_window)
            _save(os.environ["SAVE_SCREENSHOTS"], "screenshot_graph3", backend, graph3_window)

        # q (matplotlib's quit key) closes the window: training stops, the script ends well
        script.press("q")
        try:
            script.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print("no answer yet: pressing 'q' again")
            script.xdotool("windowfocus", "--sync", script.window, check=False)
            script.xdotool("key", "q", check=False)
            try:
                script.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise AssertionError("q did not close the window:\n" + script.output()) from None
        for reader in script.readers:
            reader.join(timeout=10)
        assert script.process.returncode == 0, script.output()
        assert any(progress.is_last_line(line) for line in script.lines), script.output()
        assert any("window was closed" in line for line in script.lines), script.output()
        assert not any("Traceback" in line for line in script.errors), script.output()
    finally:
        script.stop()


def test_ctrl_c_stops_the_training_and_a_second_ends_the_waiting_window(
    xvfb, backend, mnist_dir, tmp_path
):
    """Ctrl-C in the terminal (a SIGINT) while the window trains: the training stops with its
    summary and the window stays, its keys answering; a second Ctrl-C, while the window waits to
    be closed in the toolkit's event loop, ends the script."""
    display, screen_file = xvfb
    script = LiveScript(display, screen_file, mnist_dir, tmp_path, backend)
    try:
        script.wait_for_window()
        script.xdotool("mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1))  # off the window
        deadline = time.monotonic() + 40
        while script.last_iteration() < 200:
            assert time.monotonic() < deadline and script.process.poll() is None, (
                "training did not reach iteration 200:\n" + script.output()
            )
            time.sleep(0.1)
        script.process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 30
        while "Training done. Close the window to exit." not in script.lines:
            assert time.monotonic() < deadline and script.process.poll() is None, (
                "the first Ctrl-C did not stop the training:\n" + script.output()
            )
            time.sleep(0.1)
        stopped = script.last_iteration()
        assert 200 <= stopped < 20000
        assert any(line.startswith("Interrupted (Ctrl-C") for line in script.lines)
        assert any(progress.is_last_line(line) for line in script.lines), script.output()

        # the window is still there, in the toolkit's event loop: a key re-lays the graphs
        script.press("3")
        script.wait_until(graph3_fills_window, "key 3 did not answer after Ctrl-C", retry_key="3")
        assert script.last_iteration() == stopped, "training went on after Ctrl-C"

        script.process.send_signal(signal.SIGINT)
        try:
            script.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError("a second Ctrl-C did not end the script") from None
        assert script.process.returncode == -signal.SIGINT  # Python's exit on Ctrl-C
    finally:
        script.stop()


def test_a_step_whose_qt_window_cannot_start_opens_tks_and_says_what_qt_needs(
    xvfb, mnist_dir, tmp_path
):
    # PyQt6 installed, its X library missing (Qt 6.5 and later, libxcb-cursor0 not installed):
    # Qt would end the step when its window opens; the step opens Tk's instead and says why
    launcher = qt_without_its_x_library()
    display, screen_file = xvfb
    script = LiveScript(
        display,
        screen_file,
        mnist_dir,
        tmp_path,
        "QtAgg",
        arguments=("--iterations", "2000"),
        launcher=launcher,
    )
    try:
        # Tk's window; Qt's libraries stay loaded, matplotlib having imported them to try Qt
        script.wait_for_window(toolkits={"TkAgg", "QtAgg"})
        deadline = time.monotonic() + 60
        said = [line for line in script.lines if line.startswith("Qt's window cannot start here")]
        assert len(said) == 1, script.output()
        assert "libxcb-cursor.so.0" in said[0] and "sudo apt install libxcb-cursor0" in said[0]
        assert said[0].endswith("The graphs use Tk's window instead.")
        while not script.training_lines():
            assert script.process.poll() is None, "the step ended:\n" + script.output()
            assert time.monotonic() < deadline, "no training:\n" + script.output()
            time.sleep(0.25)
    finally:
        script.stop()

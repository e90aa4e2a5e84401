"""Drawing a digit for the network, for real: a step trains in a window on a virtual screen
(Xvfb), Tk's and Qt's, then the test presses D, draws a 2 with the mouse (xdotool: button down,
moves, button up), and reads the network's answer from what the script prints and the 28x28
input it shows from the screen's pixels. With SAVE_SCREENSHOTS=<folder>, the window with the pad
is saved there as draw_a_digit.png (README's picture; Qt's as draw_a_digit_qtagg.png).

Needs what tests/test_live_window.py needs: Xvfb, xdotool, Python's tkinter and PyQt6.
"""

import os
import re
import time

import numpy as np
from matplotlib.figure import Figure
from test_live_window import LiveScript, _save, dark, long_lines
from test_notebook import Kernel

from conftest import ROOT, SCREEN
from visu.show.backends import FIGSIZE
from visu.trained import drawpad

STEP = ROOT / "mnist_3.1_convolutional_bigger_dropout.py"
ANSWER_LINE = re.compile(r"^Your digit: (\d) \(.*All ten, 0 to 9: ((?:[0-9.]+ ?){10})$")


def pad_points():
    """A 2 in the pad's pixels (0 to 280, y down): an arc, a diagonal, a base line."""
    angles = np.radians(np.linspace(200, 360 + 20, 14))
    arc = np.stack([140 + 60 * np.cos(angles), 95 + 50 * np.sin(angles)], axis=1)
    diagonal = np.linspace(arc[-1], (85, 235), 10)[1:]
    base = np.linspace((85, 235), (200, 235), 8)[1:]
    return np.concatenate([arc, diagonal, base])


def canvas_boxes(canvas):
    """The pad's and the input's boxes on the window's canvas, in its pixels (left, top, right,
    bottom), from the layout the pad uses on the steps' figure (Tk may scale the figure)."""
    height, width = canvas.shape[:2]
    figure = Figure(figsize=FIGSIZE)
    boxes = []
    for left, bottom, w, h in drawpad.pad_boxes(figure)[:2]:
        top = 1 - bottom - h
        boxes.append((left * width, top * height, (left + w) * width, (top + h) * height))
    return boxes


def input_on_screen(canvas, box):
    """The 28x28 input as the screen shows it: the ink (0 to 1) at the middle of each of its
    pixels, inside the input's frame."""
    left, top, right, bottom = box
    side = (right - left) / 28
    centres = (np.arange(28) + 0.5) * side
    rows, cols = np.round(top + centres).astype(int), np.round(left + centres).astype(int)
    grey = canvas[rows][:, cols].astype(float).mean(axis=-1)
    return 1.0 - grey / 255.0


def test_drawing_a_digit_in_the_window_shows_what_the_network_sees_and_its_answer(
    xvfb, backend, mnist_dir, tmp_path
):
    display, screen_file = xvfb
    script = LiveScript(
        display,
        screen_file,
        mnist_dir,
        tmp_path,
        backend,
        script=STEP,
        arguments=("--iterations", "300"),
    )
    try:
        script.wait_for_window()
        script.xdotool("mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1))  # off the window
        deadline = time.monotonic() + 300
        while not any(line.startswith("Training done") for line in script.lines):
            assert time.monotonic() < deadline, "training did not end:\n" + script.output()
            assert script.process.poll() is None, "the script ended:\n" + script.output()
            time.sleep(0.5)

        pad_box, input_box = canvas_boxes(script.screenshot())

        def pad_shown(canvas):
            left, top, right, bottom = (int(v) for v in pad_box)
            inside = canvas[top + 5 : bottom - 5, left + 5 : right - 5]
            return None if (inside == 255).all() else "no blank pad where the pad goes"

        script.press("d")
        script.wait_until(pad_shown, "D did not show the pad", retry_key=None)

        # the mouse draws a 2: button down, moves, button up
        origin = np.array(script.canvas_origin)  # where the last screenshot found the canvas
        scale = (pad_box[2] - pad_box[0]) / drawpad.PAD_PIXELS
        points = [origin + (pad_box[0], pad_box[1]) + p * scale for p in pad_points()]
        pixels = [[str(v) for v in np.round(point).astype(int)] for point in points]
        moves = [a for x, y in pixels[1:] for a in ("mousemove", "--sync", x, y, "sleep", "0.1")]
        script.xdotool("mousemove", "--sync", *pixels[0], "mousedown", "1", *moves, "mouseup", "1")
        script.xdotool("mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1))

        deadline = time.monotonic() + 30
        while not any(ANSWER_LINE.match(line) for line in script.lines):
            assert time.monotonic() < deadline, "no answer was printed:\n" + script.output()
            time.sleep(0.2)
        answer = [ANSWER_LINE.match(line) for line in script.lines if ANSWER_LINE.match(line)][-1]
        print(answer.group(0))  # with pytest -s: the line docs/your-digits.md quotes
        probabilities = np.array(answer.group(2).split(), float)
        assert abs(probabilities.sum() - 1.0) < 2e-3
        assert int(answer.group(1)) == int(np.argmax(probabilities))

        def input_shown(canvas):
            ink = input_on_screen(canvas, input_box)
            if ink.max() < 0.9:
                return "no dark input in its box"
            rows, cols = (
                np.flatnonzero(ink.max(axis=1) > 0.1),
                np.flatnonzero(ink.max(axis=0) > 0.1),
            )
            height, width = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
            if max(height, width) not in (20, 21):  # MNIST's box, and a pixel of grey
                return "the input's ink is %dx%d pixels, not MNIST's 20" % (height, width)
            r, c = np.indices(ink.shape)
            mass = (ink * r).sum() / ink.sum(), (ink * c).sum() / ink.sum()
            if not (12.5 < mass[0] < 15.5 and 12.5 < mass[1] < 15.5):
                return "the input is not centred by its mass: %.1f, %.1f" % mass
            return None

        canvas = script.wait_until(input_shown, "the 28x28 input was not shown")
        left, top, right, bottom = (int(v) for v in pad_box)
        assert dark(canvas[top:bottom, left:right]).mean() > 0.03, "no drawing on the pad"
        if os.environ.get("SAVE_SCREENSHOTS"):
            _save(os.environ["SAVE_SCREENSHOTS"], "draw_a_digit", backend, script.last_window)

        # D again: the graphs back; q closes the window and the script ends well
        script.press("d")

        def six_frames(canvas):
            vertical, horizontal = long_lines(canvas, 0.25)
            if len(vertical) >= 8 and len(horizontal) >= 4:
                return None
            return "not six axes frames: %s %s" % (vertical, horizontal)

        assert six_frames(canvas) is not None  # the pad's three graphs are not six
        script.wait_until(six_frames, "D again did not bring the six graphs back")
        script.press("q")
        script.process.wait(timeout=30)
        assert script.process.returncode == 0, script.output()
        assert not any("Traceback" in line for line in script.errors), script.output()
    finally:
        script.stop()


# --- the same in a notebook: %matplotlib widget (ipympl), driven through its front end's messages


def test_drawing_a_digit_on_ipympls_figure_in_a_notebook(mnist_dir, tmp_path):
    """The front end's part is played by the test: it sends the widget the messages a browser
    sends (a key, then the mouse: button_press, motion_notify, button_release, and "draw" when
    the figure says it changed), through the kernel's comm channel, as JupyterLab does."""
    kernel = Kernel(tmp_path, mnist_dir)
    try:
        assert kernel.run("%matplotlib widget").status == "ok"
        cell = kernel.run("%%run %s --iterations 100" % (ROOT / "mnist_1.0_softmax.py"))
        assert cell.status == "ok" and not cell.errors, cell.stderr[-3000:]
        (widget,) = [
            content["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
            for _, kind, content, _ in cell.messages
            if kind == "display_data"
            and "application/vnd.jupyter.widget-view+json" in content["data"]
        ]
        size = kernel.run("print(*datavis.graphs.fig.canvas.get_width_height())").stdout.split()
        width, height = (int(v) for v in size)
        pad_box = canvas_boxes(np.zeros((height, width, 3)))[0]
        scale = (pad_box[2] - pad_box[0]) / drawpad.PAD_PIXELS
        points = [(pad_box[0], pad_box[1]) + p * scale for p in pad_points()]

        sent = []

        def front_end(content):
            message = kernel.client.session.msg(
                "comm_msg", {"comm_id": widget, "data": {"method": "custom", "content": content}}
            )
            kernel.client.shell_channel.send(message)
            sent.append(message["header"]["msg_id"])

        def mouse(kind, point, buttons):
            x, y = (float(v) for v in point)
            front_end(
                dict(type=kind, x=x, y=y, button=0, buttons=buttons, modifiers=[], guiEvent={})
            )

        front_end(dict(type="key_press", key="kd", guiEvent={}))  # "k" and the key, as sent
        mouse("button_press", points[0], 1)
        for point in points[1:]:
            mouse("motion_notify", point, 1)
        mouse("button_release", points[-1], 0)
        # what the kernel sends back while it handles them: the figure's images, the answer
        images, text, deadline = 0, "", time.monotonic() + 120
        while True:
            message = kernel.client.get_iopub_msg(timeout=max(deadline - time.monotonic(), 1))
            parent, kind = message["parent_header"].get("msg_id"), message["msg_type"]
            if parent not in sent:
                continue
            images += kind == "comm_msg" and bool(message["buffers"])
            if kind == "comm_msg" and '"type": "draw"' in str(message["content"]["data"]):
                front_end({"type": "draw"})  # the browser asks for the new image, so does this
            text += message["content"].get("text", "") if kind == "stream" else ""
            if parent == sent[-1] and message["content"].get("execution_state") == "idle":
                break
        state = kernel.run(
            "pad = datavis.trained.pad\n"
            "print(pad.shown, pad.network_input.shape, '%.6f' % pad.probabilities.sum())\n"
            "print((pad.network_input[:, :, 0] > 0.1).any(axis=1).sum())"
        )
    finally:
        kernel.stop()
    assert state.status == "ok" and not state.errors, state.errors
    first, second = state.stdout.splitlines()
    assert first.startswith("True (28, 28, 1) ")
    assert abs(float(first.split()[-1]) - 1.0) < 1e-5
    assert int(second) in (20, 21)  # a 2 is taller than wide: MNIST's 20 pixels, and some grey
    assert images >= 2, "the pad was not sent to the front end as it was drawn"
    answer = [ANSWER_LINE.match(line) for line in text.splitlines() if ANSWER_LINE.match(line)]
    assert len(answer) == 1, text
    assert abs(np.array(answer[0].group(2).split(), float).sum() - 1.0) < 2e-3

"""A picture of a digit as the network's input (visu.trained.digits), and the drawing pad
(visu.trained.drawpad): synthetic pictures for the mechanics, real MNIST digits for MNIST's
conventions."""

import mnistdata

import numpy as np
import pytest
from matplotlib.backend_bases import MouseEvent
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from test_tensorflowvisu import press, vis, visible_graphs, window  # noqa: F401 (fixtures)

from visu.trained import digits, drawpad
from visu.trained.network import answer_text, try_files


def ring(shape, box, thickness):
    """Ink 1 on paper 0: an elliptic ring inside box (top, left, height, width) of the canvas, its
    stroke `thickness` pixels wide, anti-aliased."""
    top, left, height, width = box
    ys, xs = np.mgrid[: shape[0], : shape[1]] + 0.5
    radius_y, radius_x = (height - thickness) / 2, (width - thickness) / 2
    angle = np.arctan2((ys - top - height / 2) / radius_y, (xs - left - width / 2) / radius_x)
    on_ring_y = top + height / 2 + radius_y * np.sin(angle)
    on_ring_x = left + width / 2 + radius_x * np.cos(angle)
    distance = np.hypot(ys - on_ring_y, xs - on_ring_x)
    return np.clip(thickness / 2 + 0.5 - distance, 0.0, 1.0)


def as_paper(ink, dark_on_light=True):
    """Ink 1 on paper 0 as the 8-bit grey picture a file would hold."""
    grey = 1.0 - ink if dark_on_light else ink
    return (grey * 255).round().astype(np.uint8)


def ink_box(image):
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return (image * rows).sum() / image.sum(), (image * cols).sum() / image.sum()


@pytest.mark.parametrize(
    "shape, box",
    [
        ((30, 40), (3, 10, 24, 12)),  # smaller than the 20-pixel box: scaled up
        ((200, 120), (20, 30, 150, 75)),
        ((1000, 1400), (100, 200, 800, 400)),
    ],
)
def test_any_size_gives_a_box_of_20_pixels_keeping_its_aspect_in_a_28x28_input(shape, box):
    picture = as_paper(ring(shape, box, thickness=max(2, box[2] // 8)))
    network_input = digits.image_to_mnist(picture)
    assert network_input.shape == (28, 28, 1) and network_input.dtype == np.float32
    assert network_input.min() >= 0.0 and network_input.max() == pytest.approx(1.0)
    height, width = ink_box(network_input[:, :, 0] > 0.05)
    assert height == 20  # the longer side
    assert abs(width - 20 * box[3] / box[2]) <= 1.5


def test_dark_on_light_and_light_on_dark_give_the_same_input():
    ink = ring((120, 90), (10, 20, 90, 50), thickness=10)
    dark = digits.image_to_mnist(as_paper(ink, dark_on_light=True))
    light = digits.image_to_mnist(as_paper(ink, dark_on_light=False))
    np.testing.assert_allclose(dark, light, atol=1e-6)
    assert dark[14, 14, 0] == 0.0  # the ring's hole is paper, not ink: the polarity was read right


def test_colour_and_transparency_give_the_same_input_as_grey():
    ink = ring((100, 100), (10, 25, 80, 50), thickness=9)
    grey = digits.image_to_mnist(as_paper(ink))
    blue_on_yellow = ink[..., None] * [0.1, 0.1, 0.8] + (1 - ink[..., None]) * [1.0, 0.9, 0.2]
    np.testing.assert_allclose(digits.image_to_mnist(blue_on_yellow), grey, atol=1e-3)
    for colour in (0.0, 1.0):  # black ink, or white ink, on a transparent background
        rgba = np.concatenate([np.full((100, 100, 3), colour), ink[..., None]], axis=2)
        np.testing.assert_allclose(digits.image_to_mnist(rgba), grey, atol=1e-3)
    opaque_corners = np.concatenate(
        [np.ones((100, 100, 3)) - ink[..., None], np.ones((100, 100, 1))], axis=2
    )
    opaque_corners[:5, :5, 3] = 0.0  # a mostly opaque picture: transparent corners are paper
    np.testing.assert_allclose(digits.image_to_mnist(opaque_corners), grey, atol=1e-3)


def test_the_centre_of_mass_falls_on_pixel_14_wherever_the_digit_was():
    canvas = np.zeros((400, 600))
    canvas[20:200, 30:50] = 1.0  # an L in the top left corner: its mass is not its box's middle
    canvas[180:200, 30:130] = 1.0
    network_input = digits.image_to_mnist(as_paper(canvas))[:, :, 0]
    row, col = centre_of_mass(network_input)
    assert 13.5 <= row <= 14.5 and 13.5 <= col <= 14.5
    height, width = ink_box(network_input > 0)
    assert height == 20 and 11 <= width <= 12  # 100 / 180 of 20, and a pixel of grey


def test_a_thin_pen_stroke_is_thickened_to_mnists_width():
    thin = ring((1000, 1000), (100, 250, 800, 500), thickness=3)  # a pen on paper, close up
    thick = ring((1000, 1000), (100, 250, 800, 500), thickness=70)  # a marker: MNIST's width
    thin_input = digits.image_to_mnist(as_paper(thin))[:, :, 0]
    thick_input = digits.image_to_mnist(as_paper(thick))[:, :, 0]
    assert digits.stroke_width(thin_input) >= 0.06 * 20  # not a faint trace at 20 pixels
    assert digits.stroke_width(thin_input) == pytest.approx(
        digits.stroke_width(thick_input), rel=0.35
    )
    # a stroke already as wide as MNIST's is left as it is
    box = digits._trimmed(thick)
    assert digits._thicken_thin_strokes(box) is box


def test_mnist_digits_come_back_nearly_as_they_were(mnist_dir):
    images = mnistdata.read_data_sets(mnist_dir).test.images[:200]
    again = np.array([digits.image_to_mnist(image) for image in images])
    differences = np.abs(again - images).mean(axis=(1, 2, 3))
    assert np.median(differences) < 0.01  # same box, same centring, same grey levels
    for size in (17, 300):  # as PNG files, inverted and resized: nearly the same input
        for index in range(5):
            pixels = (images[index, :, :, 0] * 255).round().astype(np.uint8)
            picture = Image.fromarray(255 - pixels).resize((size, size), Image.BICUBIC)
            assert np.abs(digits.image_to_mnist(np.asarray(picture)) - images[index]).mean() < 0.1


# --- files, and what is not a digit --------------------------------------------------------------


def write_png(path, ink):
    Image.fromarray(as_paper(ink)).save(path)
    return path


def test_files_in_png_and_jpeg_give_the_input_their_pixels_give(tmp_path):
    ink = ring((160, 120), (20, 30, 120, 60), thickness=14)
    png = write_png(tmp_path / "ring.png", ink)
    Image.fromarray(as_paper(ink)).convert("RGB").save(tmp_path / "ring.jpg", quality=90)
    expected = digits.image_to_mnist(as_paper(ink))
    np.testing.assert_allclose(digits.file_to_mnist(png), expected, atol=1e-6)
    from_jpeg = digits.file_to_mnist(tmp_path / "ring.jpg")[:, :, 0]
    # JPEG's noise can move the centre of mass over a pixel's edge: the same input but for that
    nearest = min(
        np.abs(np.roll(from_jpeg, (dy, dx), axis=(0, 1)) - expected[:, :, 0]).mean()
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
    )
    assert nearest < 0.02


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda folder: folder / "missing.png", "no such file"),
        (lambda folder: folder, "a folder, not an image file"),
        (
            lambda folder: (
                (folder / "notes.txt").write_text("a 7", encoding="utf-8") and folder / "notes.txt"
            ),
            "not an image file that can be read (PNG or JPEG)",
        ),
        (
            lambda folder: write_png(folder / "blank.png", np.zeros((50, 50))),
            "no digit in it: the picture is all one shade",
        ),
    ],
)
def test_what_is_not_a_picture_of_a_digit_says_why(tmp_path, make, reason):
    with pytest.raises(digits.NotADigit) as raised:
        digits.file_to_mnist(make(tmp_path))
    assert str(raised.value) == reason


def test_a_damaged_file_says_so(tmp_path):
    whole = write_png(tmp_path / "whole.png", ring((200, 200), (20, 50, 160, 100), 16))
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(whole.read_bytes()[:300])
    with pytest.raises(digits.NotADigit, match="^a damaged image file"):
        digits.file_to_mnist(damaged)


@pytest.mark.parametrize("pixels", [np.zeros(5), np.zeros((2, 3, 4, 5)), np.array([["a"]])])
def test_arrays_that_are_not_pictures_say_why(pixels):
    with pytest.raises(digits.NotADigit):
        digits.image_to_mnist(pixels)


def test_try_files_gives_one_line_per_file_in_order_and_classifies_the_readable_ones_at_once(
    tmp_path,
):
    good = [
        write_png(tmp_path / ("d%d.png" % k), ring((60, 60), (5, 15, 50, 30), 6)) for k in (1, 2)
    ]
    bad = tmp_path / "notes.txt"
    bad.write_text("not a picture", encoding="utf-8")
    calls = []

    def classify(images):  # probabilities that depend on the input: its ink, row by row
        calls.append(images.shape)
        rows = images[:, :, :, 0].sum(axis=2)[:, 9:19]
        return rows / rows.sum(axis=1, keepdims=True)

    lines, failed = try_files([good[0], bad, tmp_path / "gone.png", good[1]], classify)
    assert calls == [(2, 28, 28, 1)]  # one run of the network for all the readable files
    assert failed == 2 and len(lines) == 4
    expected = answer_text(classify(digits.file_to_mnist(good[0])[None])[0])
    assert lines[0] == "%s: %s" % (good[0], expected)
    assert lines[1] == "%s: not classified: not an image file that can be read (PNG or JPEG)" % bad
    assert lines[2].endswith("gone.png: not classified: no such file")
    assert lines[3] == "%s: %s" % (good[1], expected)


def test_answer_text_gives_the_digit_and_the_runner_up():
    probabilities = np.array([0.01, 0.02, 0.0, 0.05, 0.0, 0.0, 0.0, 0.9, 0.02, 0.0])
    assert answer_text(probabilities) == "7 (90.0%), then 3 (5.0%)"


# --- the drawing pad, on an off-screen figure with the mouse's events -----------------------------


def softmax_of_rows(images):
    """A stand-in network whose answer depends on the input: where the ink is, row by row."""
    rows = images[:, :, :, 0].sum(axis=2)[:, 9:19] * 3.0
    exp = np.exp(rows - rows.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


@pytest.fixture
def pad():
    figure = Figure(figsize=(19.2, 10.8), dpi=70)
    FigureCanvasAgg(figure)
    answers = []
    pad = drawpad.DrawPad(figure, softmax_of_rows, on_answer=answers.append)
    pad.answers = answers
    return pad


def mouse(pad, kind, x, y, button=1):
    """A mouse event at (x, y) in the pad's pixels, as a canvas delivers it."""
    figure = pad.figure
    figure.canvas.draw()  # the axes' transforms as drawn
    screen_x, screen_y = pad.pad_axes.transData.transform((x, y))
    MouseEvent(kind, figure.canvas, screen_x, screen_y, button)._process()


def drag(pad, points, button=1):
    mouse(pad, "button_press_event", *points[0], button=button)
    for point in points[1:]:
        mouse(pad, "motion_notify_event", *point, button=button)
    mouse(pad, "button_release_event", *points[-1], button=button)


def test_a_stroke_is_drawn_with_a_round_pen():
    ink = np.zeros((100, 100))
    drawpad.stamp_segment(ink, (20, 50), (80, 50), radius=5)
    assert ink[50, 20:80].min() == 1.0 and ink[50 + 7, 50] == 0.0 and ink[50 - 7, 50] == 0.0
    assert ink[50, 15] > 0.5 and ink[50, 13] == 0.0  # round tips, as far as the radius
    assert ink[:, :10].sum() == 0 and ink[:40].sum() == 0


def test_the_pad_draws_with_the_mouse_and_shows_the_input_and_the_answer(pad):
    drag(pad, [(140, 50)])  # hidden: nothing happens
    assert pad.ink.sum() == 0 and not pad.answers
    pad.show()
    drag(pad, [(90, 60), (190, 60), (120, 230)])  # a 7
    assert pad.ink[60, 100:180].min() == 1.0 and pad.ink[145, 155] > 0.5
    assert pad.network_input.shape == (28, 28, 1)
    np.testing.assert_allclose(pad.network_input, digits.ink_to_mnist(pad.ink))
    probabilities = pad.answers[-1]
    assert probabilities.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(probabilities, softmax_of_rows(pad.network_input[None])[0])
    shown = pad._input_image.get_array()
    np.testing.assert_allclose(shown, pad.network_input[:, :, 0])
    widths = [bar.get_width() for bar in pad._bars]
    assert widths == sorted(probabilities, reverse=True)  # biggest first
    labels = [label.get_text() for label in pad.answer_axes.get_yticklabels()]
    assert labels == [str(d) for d in np.argsort(-probabilities, kind="stable")]
    drag(pad, [(150, 150), (150, 200)])  # a second stroke: answered again
    assert len(pad.answers) == 2


def test_right_click_clears_the_pad_and_outside_the_pad_nothing_is_drawn(pad):
    pad.show()
    drag(pad, [(90, 60), (190, 60)])
    drag(pad, [(400, 60), (500, 60)])  # right of the pad: not on it
    assert pad.ink[:, 210:].sum() == 0  # the first stroke ends at 190 + the pen's radius
    mouse(pad, "button_press_event", 100, 100, button=3)
    assert pad.ink.sum() == 0 and pad.network_input is None
    assert [bar.get_width() for bar in pad._bars] == [0.0] * 10
    mouse(pad, "button_release_event", 100, 100, button=3)
    assert len(pad.answers) == 1  # the clearing click asked nothing


def test_a_stroke_that_runs_off_the_pad_is_kept_whole_in_the_input(pad):
    pad.show()
    points = [(90, 40), (200, 40), (130, 250), (115, 300)]  # a tall 7, its foot off the bottom
    drag(pad, points)
    assert pad.ink[-1].max() == 1.0  # drawn to the pad's edge, and on beyond it
    paper = np.zeros((500, 500))  # the same strokes, all on a larger sheet
    screen = pad.pad_axes.transData  # where the events put them: on whole screen pixels
    seen = screen.inverted().transform(screen.transform(points).astype(int))
    for start, end in zip(seen, seen[1:]):
        drawpad.stamp_segment(paper, start + 100, end + 100)
    np.testing.assert_allclose(pad.network_input, digits.ink_to_mnist(paper), atol=0.01)
    foot = pad.network_input[:, :, 0]
    rows = np.flatnonzero(foot.max(axis=1) > 0.05)
    assert 0 < rows[0] and rows[-1] < 27  # inside the frame, as MNIST's digits: nothing cut


def test_the_clear_button_clears_the_pad(pad):
    pad.show()
    drag(pad, [(90, 60), (190, 60)])
    pad.figure.canvas.draw()
    x, y = pad.clear_axes.transAxes.transform((0.5, 0.5))
    for kind in ("button_press_event", "button_release_event"):
        MouseEvent(kind, pad.figure.canvas, x, y, 1)._process()
    assert pad.ink.sum() == 0


# --- the D key in the window: the face's key handler --------------------------------------------


def test_the_d_key_opens_the_pad_once_training_is_done_or_paused(window, capsys):  # noqa: F811
    press(window, "d")
    assert window.trained.pad is None  # no network's answer given: the line a step needs
    assert "datavis.set_classifier(lambda images: sess.run(Y" in capsys.readouterr().out
    window.set_classifier(softmax_of_rows, session=None)
    seen = {}

    def training_step(i, update_test_data, update_train_data):
        if i == 2:  # training: the network changes under the pen, no pad
            press(window, "d")
            seen["training"] = window.trained.pad
        elif i == 3:  # paused: the pad in place of the graphs
            press(window, " ")
            press(window, "d")
            seen["paused"] = window.trained.pad.shown, visible_graphs(window)
        elif i == 4:  # resumed: the graphs back
            press(window, " ")
            seen["resumed"] = window.trained.pad.shown, visible_graphs(window)

    window.animate(training_step, 5)
    assert seen["training"] is None
    assert "the drawing pad opens once training is done" in capsys.readouterr().out
    assert seen["paused"] == (True, [])
    assert seen["resumed"] == (False, [1, 2, 3, 4, 5, 6])
    press(window, "9")  # done: D opens the pad, D again brings back the graphs it replaced
    press(window, "d")
    assert window.trained.pad.shown and visible_graphs(window) == []
    press(window, "d")
    assert not window.trained.pad.shown and visible_graphs(window) == [3, 6]
    press(window, "d")
    press(window, "1")  # a layout key also leaves the pad
    assert not window.trained.pad.shown and visible_graphs(window) == [1]


@pytest.mark.parametrize("size", [(19.2, 10.8), (10.0, 5.6), (6.4, 4.8), (5.0, 5.0), (16.0, 5.0)])
def test_the_pads_graphs_fit_any_figure_side_by_side(size):
    figure = Figure(figsize=size)
    pad, input_box, clear, answer = drawpad.pad_boxes(figure)
    for left, bottom, width, height in (pad, input_box, clear, answer):
        assert 0 <= left and left + width <= 1 and 0 <= bottom and bottom + height <= 0.9
        assert width > 0 and height > 0
    assert pad[0] + pad[2] < input_box[0] and input_box[0] + input_box[2] < answer[0]
    assert clear[1] + clear[3] < input_box[1]
    for square in (pad, input_box):  # as many pixels wide as high
        assert square[2] * size[0] == pytest.approx(square[3] * size[1])
    assert answer[2] >= 0.19

"""A pad to draw a digit on with the mouse, and what the network answers, on the graphs' figure.

    pad = DrawPad(figure, classify)   classify(images [n, 28, 28, 1]) -> probabilities [n, 10]
                                      (or None: no answer, and the pad shows none)
    pad.show() / pad.hide()           its three parts on the figure, or none of them
    pad.clear()                       a blank pad (also: right click on it, or its Clear button)

Beside the pad: the 28x28 input made from the drawing as MNIST's digits were made
(visu.trained.digits), which is what the network sees, and its ten probabilities, biggest first. A
stroke that runs off the pad goes on beyond its edge, out of sight, so that the input keeps the
whole digit (a tall 7's foot, a pen's round tip) rather than one cut straight at the edge. Each
time the mouse button is released the drawing is classified again, so a digit drawn in several
strokes (a 4, a 7 with a bar) is answered after each. Works on any matplotlib canvas with mouse
events: a window (TkAgg, Qt, ...) and ipympl's figure in a notebook (%matplotlib widget).
A learner's page: docs/your-digits.md ("Draw a digit: the D key").
"""

import numpy as np
from matplotlib.widgets import Button

from visu.show.drawings import TEST_COLOR, TRAINING_COLOR
from visu.trained import digits

PAD_PIXELS = 280  # the pad's drawing, 10 times the network's input
PAD_SIDE, INPUT_SIDE = 0.76, 0.36  # their heights, as shares of the figure's
PEN_RADIUS = 11  # pixels of the pad: a digit drawn across most of the pad gets MNIST's strokes
MARGIN = 70  # pixels beyond each edge where a stroke that ran off the pad is kept, out of sight
HELP = "Draw a digit with the mouse\n(right click or Clear: start again; D: back to the graphs)"


def stamp_segment(ink, start, end, radius=PEN_RADIUS):
    """Draws a round-tipped stroke from start to end, (x, y) in pixels of `ink`, in place: 1 within
    the radius of the segment, fading to 0 over one pixel at its edge (anti-aliased)."""
    (x0, y0), (x1, y1) = start, end
    height, width = ink.shape
    left, right = int(max(min(x0, x1) - radius - 1, 0)), int(min(max(x0, x1) + radius + 2, width))
    top, bottom = int(max(min(y0, y1) - radius - 1, 0)), int(min(max(y0, y1) + radius + 2, height))
    if left >= right or top >= bottom:
        return  # wholly off the pad
    ys, xs = np.mgrid[top:bottom, left:right] + 0.5  # the pixels' centres
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    along = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1) if length2 else 0.0
    distance = np.hypot(xs - (x0 + along * dx), ys - (y0 + along * dy))
    covered = np.clip(radius + 0.5 - distance, 0.0, 1.0)
    np.maximum(ink[top:bottom, left:right], covered, out=ink[top:bottom, left:right])


def pad_boxes(figure):
    """Figure-relative boxes [left, bottom, width, height] of the pad (square), the 28x28 input
    (square), the Clear button under it, and the probabilities, left to right; the squares made
    smaller where the figure is too narrow for them and the probabilities."""
    aspect = figure.get_figheight() / figure.get_figwidth()  # a width as long as a height
    left, gap, answer_gap, right, least_answer, top = 0.03, 0.05, 0.06, 0.02, 0.2, 0.86
    room = 1.0 - left - gap - answer_gap - right - least_answer
    fit = min(1.0, room / ((PAD_SIDE + INPUT_SIDE) * aspect))
    pad_side, input_side = PAD_SIDE * fit, INPUT_SIDE * fit
    pad = [left, top - pad_side, pad_side * aspect, pad_side]
    input_left = left + pad[2] + gap
    input_box = [input_left, top - input_side, input_side * aspect, input_side]
    clear = [input_left, input_box[1] - 0.2, input_box[2], 0.07]
    answer_left = input_left + input_box[2] + answer_gap
    answer = [answer_left, top - pad_side, 1.0 - right - answer_left, pad_side]
    return pad, input_box, clear, answer


class DrawPad:
    """The pad, the input the network sees, and its answer: three graphs on a figure, hidden
    until show(). `on_answer(probabilities)` is called with each answer (the face prints it)."""

    def __init__(self, figure, classify, on_answer=None):
        self.figure, self._classify, self._on_answer = figure, classify, on_answer
        # the drawing, the pad and its margins: self.ink is the part the pad shows
        self.canvas = np.zeros((PAD_PIXELS + 2 * MARGIN, PAD_PIXELS + 2 * MARGIN))
        self.ink = self.canvas[MARGIN:-MARGIN, MARGIN:-MARGIN]
        self.network_input = None  # [28, 28, 1], once something was drawn
        self.probabilities = None  # [10]
        self.shown = False
        self._last_point = None  # (x, y) while the button is down on the pad
        pad_box, input_box, clear_box, answer_box = pad_boxes(figure)
        self.pad_axes = figure.add_axes(pad_box)
        self.input_axes = figure.add_axes(input_box)
        self.answer_axes = figure.add_axes(answer_box)
        self.clear_axes = figure.add_axes(clear_box)
        self._setup_pad()
        self._setup_input()
        self._setup_answer()
        self._clear_button = Button(self.clear_axes, "Clear")
        self._clear_button.on_clicked(lambda event: self.clear())
        self._set_visible(False)
        canvas = figure.canvas
        self._connections = [
            canvas.mpl_connect("button_press_event", self._on_press),
            canvas.mpl_connect("motion_notify_event", self._on_move),
            canvas.mpl_connect("button_release_event", self._on_release),
        ]

    # -- the three graphs --

    def _setup_pad(self):
        ax = self.pad_axes
        self._pad_image = ax.imshow(
            self.ink,
            cmap="gray_r",
            vmin=0,
            vmax=1,
            extent=(0, PAD_PIXELS, PAD_PIXELS, 0),
            interpolation="nearest",  # the quickest to redraw, as the pen moves
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(HELP)

    def _setup_input(self):
        ax = self.input_axes
        self._input_image = ax.imshow(
            np.zeros((digits.SIZE, digits.SIZE)), cmap="gray_r", vmin=0, vmax=1
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("What the network sees:\n28x28, as MNIST's digits")

    def _setup_answer(self):
        ax = self.answer_axes
        self._bars = ax.barh(np.arange(10), np.zeros(10), color=TRAINING_COLOR)
        self._bar_labels = [ax.text(0, k, "", va="center") for k in range(10)]
        ax.set_xlim(0, 1.25)  # room for the labels right of a full bar
        ax.set_ylim(9.6, -0.6)  # the biggest on top
        ax.set_yticks(np.arange(10), [""] * 10)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
        ax.set_title("The network's answer: its ten probabilities,\nbiggest first")
        ax.grid(axis="x", alpha=0.3)

    def _show_answer(self):
        order = np.argsort(-self.probabilities, kind="stable")
        labels = []
        for bar, label, digit, share in zip(
            self._bars, self._bar_labels, order, self.probabilities[order]
        ):
            bar.set_width(share)
            bar.set_color(TEST_COLOR if label is self._bar_labels[0] else TRAINING_COLOR)
            label.set_x(share + 0.02)
            label.set_text("%.1f%%" % (100 * share))
            labels.append(str(digit))
        self.answer_axes.set_yticks(np.arange(10), labels, fontsize="x-large")

    # -- showing, clearing --

    def _set_visible(self, visible):
        for ax in (self.pad_axes, self.input_axes, self.answer_axes, self.clear_axes):
            ax.set_visible(visible)

    def show(self):
        self.shown = True
        self._set_visible(True)

    def hide(self):
        self.shown = False
        self._last_point = None
        self._set_visible(False)

    def clear(self):
        """A blank pad, input and answer: ready for the next digit."""
        self.canvas[:] = 0.0
        self.network_input, self.probabilities = None, None
        self._pad_image.set_data(self.ink)
        self._input_image.set_data(np.zeros((digits.SIZE, digits.SIZE)))
        for bar, label in zip(self._bars, self._bar_labels):
            bar.set_width(0.0)
            label.set_text("")
        self.answer_axes.set_yticks(np.arange(10), [""] * 10)
        self.figure.canvas.draw_idle()

    # -- the mouse --

    def _busy_toolbar(self):
        """True while the toolbar's zoom or pan is on: the mouse is theirs then."""
        toolbar = getattr(self.figure.canvas, "toolbar", None)
        return bool(toolbar is not None and getattr(toolbar, "mode", ""))

    def _on_press(self, event):
        if not self.shown or event.inaxes is not self.pad_axes or self._busy_toolbar():
            return
        if event.button == 3:  # the right button: start again
            self.clear()
            return
        if event.button == 1 and event.xdata is not None:
            self._last_point = (event.xdata, event.ydata)
            self._draw_to(event.xdata, event.ydata)

    def _on_move(self, event):
        if self._last_point is None:
            return
        self._draw_to(*self._on_pad(event))  # on the pad or off it: the stroke goes on

    def _on_release(self, event):
        if self._last_point is None:
            return
        self._draw_to(*self._on_pad(event))
        self._last_point = None
        self.answer()

    def _on_pad(self, event):
        """The mouse's position in the pad's pixels, also off the pad."""
        return self.pad_axes.transData.inverted().transform((event.x, event.y))

    def _draw_to(self, x, y):
        (x0, y0), shift = self._last_point, MARGIN
        stamp_segment(self.canvas, (x0 + shift, y0 + shift), (x + shift, y + shift))
        self._last_point = (x, y)
        self._pad_image.set_data(self.ink)
        self._redraw_pad()

    def _redraw_pad(self):
        """Only the pad redrawn where the canvas can (blitting: a window, ipympl), so that the pen
        follows a quick hand; else the whole figure, when the canvas is next idle."""
        canvas = self.figure.canvas
        if not getattr(canvas, "supports_blit", False):
            canvas.draw_idle()
            return
        # the pad's image is opaque and fills its axes: drawn over the last frame, it needs no
        # background restored; its frame is drawn again over the image's edge
        self.pad_axes.draw_artist(self._pad_image)
        for spine in self.pad_axes.spines.values():
            self.pad_axes.draw_artist(spine)
        canvas.blit(self.pad_axes.bbox)

    # -- the network's answer --

    def answer(self):
        """Classifies the drawing: shows the input the network sees and its probabilities."""
        try:
            self.network_input = digits.ink_to_mnist(self.canvas)  # the margins' strokes too
        except digits.NotADigit:
            return  # nothing drawn
        probabilities = self._classify(self.network_input[None])
        if probabilities is None:
            return  # the network could not answer; its classifier said why
        self.probabilities = np.asarray(probabilities)[0]
        self._input_image.set_data(self.network_input[:, :, 0])
        self._show_answer()
        self.figure.canvas.draw_idle()
        if self._on_answer:
            self._on_answer(self.probabilities)

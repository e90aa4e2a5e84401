"""The graph of what the network learned (key W), drawn from the network itself (learned.py):
on the left the first layer's weights as pictures, in red and blue around 0; on the right one
digit going through the network, a row per layer: the digit, each convolution's channels as small
images, each dense layer's neurons as a strip, the ten probabilities last.

It is one graph of the table (visu/show/graphs.py) made of several axes: the figure places and shows
it as it does an axes (set_position, set_visible), and draws it only while it shows.
A learner's page: docs/running.md ("What the network learned").
"""

import math

import matplotlib
import matplotlib.transforms
import numpy as np

from visu.explain.learner import shape_text
from visu.show import learned

# Of the graph's width: the weights' pictures (a dense layer's 28x28 ones, a convolution's few
# small filters, the ten digits' of a network of one layer, whose passage is short); the rest, the
# digit's passage.
WEIGHTS_SHARE = {"dense": 0.42, "conv": 0.3, "matrix": 0.42, "digits": 0.55}
TITLE = 0.045  # of the figure's height: room for the graph's title and each row's
MOST_ROW = 0.3  # a row of the passage takes at most this share of the graph's height
ANSWER_ASPECT = 5.0  # the probabilities' bars: as wide as this many times their height
WEIGHT_COLORS = "RdBu_r"  # diverging: blue below 0, white at 0, red above
ANSWER_COLOR, CORRECT_COLOR, OTHER_COLOR = "#d62728", "#2ca02c", "#1f77b4"
NO_NETWORK = (
    "This script does not give the graphs its network: the line\n"
    "datavis.set_classifier(lambda images: sess.run(Y, {X: images}), sess)\n"
    "that every step has, once its session has started."
)


def colour_map(name):
    """A copy of a matplotlib colour map that draws NaN (the gaps between pictures) white."""
    return matplotlib.colormaps[name].with_extremes(bad="white")


def weights_picture(first, aspect=2.0, most_pixels=1200):
    """The first layer's weights as an RGB picture [height, width, 3] in [0, 1] (TensorBoard's):
    the tiles in a grid about `aspect` times as wide as high, blue below 0 and red above, each
    pixel made a square of several so that the picture is up to most_pixels wide."""
    columns = learned.best_columns(len(first.tiles), first.tiles.shape[1:], aspect)
    grid = learned.mosaic(first.tiles, columns)
    limit = learned.symmetric_limit(first.tiles)
    rgb = colour_map(WEIGHT_COLORS)(np.ma.masked_invalid((grid + limit) / (2 * limit)))[..., :3]
    scale = max(1, most_pixels // grid.shape[1])
    return rgb.repeat(scale, axis=0).repeat(scale, axis=1)


def layer_picture(values, aspect):
    """A layer's output for one digit as one picture, about `aspect` times as wide as high: a
    convolution's [h, w, c] as its c channels side by side, on as few lines as that allows; any
    other as a strip of its values, on a few lines. NaN where a line ends early."""
    if values.ndim == 3:
        tiles = values.transpose(2, 0, 1)  # a picture per channel: as wide as high
        lines = max(1, round(math.sqrt(len(tiles) / aspect)))
        return learned.mosaic(tiles, -(-len(tiles) // lines))
    flat = values.reshape(-1)
    lines = max(1, round(math.sqrt(flat.size / aspect)))  # a line of n / lines, lines high
    width = -(-flat.size // lines)
    strip = np.full(lines * width, np.nan, np.float32)
    strip[: flat.size] = flat
    return strip.reshape(lines, width)


class LearnedPanel:
    """The graph's axes: the weights', and one per layer of the digit's passage (made at the
    first drawing, when the layers are known)."""

    def __init__(self, figure, title):
        self.fig, self.title = figure, title
        self.box, self.visible = [0.0, 0.0, 1.0, 1.0], False
        self._title = figure.text(0.5, 1.0, title, ha="center", va="bottom", fontsize="large")
        self.weights_axes = self._axes()
        self.weights_axes.set_anchor("N")  # the pictures and their title at the top
        self.weights_image = None
        self._share = WEIGHTS_SHARE["dense"]
        self.rows = []  # (axes, image or None for the bars, aspect) of the passage, digit first
        self._rows_box = None  # the passage's box the rows' pictures were shaped for
        self._message = figure.text(0.5, 0.5, "", ha="center", va="center")
        self.set_visible(False)

    def _axes(self):
        ax = self.fig.add_axes([0, 0, 1, 1])
        ax.set_xticks([])
        ax.set_yticks([])
        return ax

    # -- placed and shown as an axes is --

    def get_title(self):
        return self.title

    def get_visible(self):
        return self.visible

    def set_visible(self, visible):
        self.visible = visible
        for artist in [self._title, self._message, self.weights_axes] + [r[0] for r in self.rows]:
            artist.set_visible(visible)

    def set_position(self, box):
        self.box = list(box)
        self._place()

    def get_position(self):
        return matplotlib.transforms.Bbox.from_bounds(*self.box)

    def _place(self):
        left, bottom, width, height = self.box
        top = bottom + height
        self._title.set_position((left + width / 2, top + 0.01))
        passage_left, _, passage_width, _ = self._passage_box()
        self._message.set_position((passage_left + passage_width / 2, bottom + height / 2))
        split = width * self._share
        self.weights_axes.set_position([left, bottom, split - 0.02, height - TITLE])
        aspects = [row[2] for row in self.rows]
        for (ax, _, _), box in zip(self.rows, stacked(self._passage_box(), aspects, self.fig)):
            ax.set_position(box)

    def _passage_box(self):
        left, bottom, width, height = self.box
        split = width * self._share
        return [left + split + 0.01, bottom, width - split - 0.01, height]

    # -- drawn from the network --

    def draw(self, network):
        """The network's first layer and one digit's passage, as they are now."""
        if network is None:
            self._message.set_text(NO_NETWORK)
            return
        first = network.first_layer()
        if first is not None:
            self._draw_weights(first)
        passage = network.passage()
        if passage is None:
            self._message.set_text("What the network learned: %s." % network.problem)
        else:
            self._message.set_text("")
            self._draw_passage(passage)

    def _draw_weights(self, first):
        share = WEIGHTS_SHARE["digits" if first.labels else first.kind]
        if share != self._share:
            self._share = share
            self._place()
        ax = self.weights_axes
        columns = learned.best_columns(len(first.tiles), first.tiles.shape[1:], self._aspect(ax))
        grid = learned.mosaic(first.tiles, columns)
        limit = learned.symmetric_limit(first.tiles)
        if self.weights_image is None or self.weights_image.get_array().shape != grid.shape:
            for artist in ax.images + ax.texts:
                artist.remove()
            self.weights_image = ax.imshow(
                grid, cmap=colour_map(WEIGHT_COLORS), interpolation="nearest"
            )
            height, width = first.tiles.shape[1:]
            for k, label in enumerate(first.labels or []):  # the digit, top left of its picture
                x, y = (k % columns) * (width + 1), (k // columns) * (height + 1)
                ax.text(x, y, label, va="top", fontsize="large")
        self.weights_image.set_data(grid)
        self.weights_image.set_clim(-limit, limit)
        ax.set_title(weights_title(first), fontsize="medium")

    def _aspect(self, ax):
        """How many times as wide as high an axes is, on the figure."""
        _, _, width, height = ax.get_position().bounds
        return (width * self.fig.get_figwidth()) / max(height * self.fig.get_figheight(), 1e-6)

    def _draw_passage(self, passage):
        shown = [("X", "", passage.digit[..., None])] + [
            (layer.name, layer.what, layer.values) for layer in passage.layers
        ]
        if len(self.rows) != len(shown) or self._rows_box != self._passage_box():
            self._make_rows(shown)
        for (ax, image, _), (name, what, values) in zip(self.rows, shown):
            if image is None:  # the answer's bars
                self._draw_answer(ax, name, values, passage.label)
                continue
            grid = layer_picture(values, self._row_aspect)
            low, high = finite_range(grid)
            if low < 0:  # a layer without activation: blue below 0, red above
                limit = learned.symmetric_limit(grid)
                image.set_cmap(colour_map(WEIGHT_COLORS))
                image.set_clim(-limit, limit)
            else:  # as the digits are drawn: the strongest black
                image.set_cmap(colour_map("gray_r"))
                image.set_clim(0, high if high > 0 else 1)
            image.set_data(grid)
            if name == "X":
                title = "X: %s" % passage.about
            else:
                title = "%s %s: %s" % (name, shape_text(list(values.shape)), what)
            ax.set_title(title, loc="left", fontsize="medium")

    def _make_rows(self, shown):
        """An axes per row of the passage, each picture shaped for the passage's box: about as
        wide as the box, in as many lines as the rows' share of its height allows."""
        for ax, _, _ in self.rows:
            ax.remove()
        self.rows, self._rows_box = [], self._passage_box()
        _, _, width, height = self._rows_box
        row_height = height / len(shown) - TITLE
        self._row_aspect = (width * self.fig.get_figwidth()) / max(
            row_height * self.fig.get_figheight(), 1e-6
        )
        for k, (_, _, values) in enumerate(shown):
            ax = self._axes()
            if k == len(shown) - 1 and values.size == 10:  # the ten probabilities
                self._bars = ax.bar(np.arange(10), np.zeros(10), color=OTHER_COLOR)
                ax.set_xticks(np.arange(10))
                ax.set_ylim(0, 1)
                ax.set_yticks([0, 0.5, 1], ["0", "50%", "100%"])
                self.rows.append((ax, None, ANSWER_ASPECT))
                continue
            grid = layer_picture(values, self._row_aspect)
            image = ax.imshow(grid, cmap=colour_map("gray_r"), interpolation="nearest")
            ax.set_anchor("W")
            self.rows.append((ax, image, grid.shape[1] / grid.shape[0]))
        for ax, _, _ in self.rows:
            ax.set_visible(self.visible)
        self._place()

    def _draw_answer(self, ax, name, probabilities, label):
        answer = int(np.argmax(probabilities))
        for digit, (bar, share) in enumerate(zip(self._bars, probabilities)):
            bar.set_height(share)
            bar.set_color(ANSWER_COLOR if digit == answer else OTHER_COLOR)
        for digit, tick in enumerate(ax.get_xticklabels()):
            tick.set_color(CORRECT_COLOR if digit == label else "black")
            tick.set_fontweight("bold" if digit == label else "normal")
        said = "the network says %d (%.1f%%)" % (answer, 100 * probabilities[answer])
        if label is not None:
            said += ", the correct digit is %d (green)" % label
        ax.set_title("%s [10]: %s" % (name, said), loc="left", fontsize="medium")


def finite_range(values):
    """(lowest, highest) of the finite values; (0, 1) when none is (a network that diverged)."""
    finite = values[np.isfinite(values)]
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)


def weights_title(first):
    """What the weights' pictures are, in two lines."""
    if first.kind == "conv":
        what = "its %d filters, one per channel of %s" % (first.total, first.output)
        sign = "red: ink there counts for the channel, blue: against it"
    elif first.labels:
        what, sign = "one 28x28 picture per digit", "red: ink there counts for it, blue: against"
    elif first.kind == "dense":
        shown = len(first.tiles)
        what = (
            "its %d neurons" % shown
            if shown == first.total
            else ("the first %d of its %d neurons" % (shown, first.total))
        )
        what, sign = what + ", a 28x28 picture each", "red: ink there excites it, blue: inhibits"
    else:
        what, sign = "its weights", "red above 0, blue below"
    return "%s %s: %s\n(%s)" % (first.name, first.shape, what, sign)


def stacked(box, aspects, figure):
    """Boxes for rows one above the other in box, from its top: each as wide as the box and as
    high as its picture's aspect (width / height) asks at that width, at most MOST_ROW of the box,
    with a title's room above; all made lower together where they do not fit."""
    left, bottom, width, height = box
    ratio = figure.get_figwidth() / figure.get_figheight()  # a figure fraction's width in heights
    heights = np.array([min(width * ratio / aspect, MOST_ROW * height) for aspect in aspects])
    room = height - TITLE * len(aspects)
    if heights.sum() > room:
        heights *= room / heights.sum()
    boxes, top = [], bottom + height
    for row_height in heights:
        top -= TITLE
        boxes.append([left, top - row_height, width, row_height])
        top -= row_height
    return boxes

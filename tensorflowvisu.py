"""The workshop's six graphs, and the places they are shown while the network learns.

What the step scripts use:
  parse_run_options(iterations=N)  the options every step shares (--help lists them)
  tf_format_mnist_images()         a graph op: (X, Y, Y_) as a mosaic of digits, misrecognised first
  MnistDataVis(options)            the six graphs, fed by the training loop:
                                   append_training_curves_data, append_test_curves_data,
                                   append_data_histograms, update_image1, update_image2, animate,
                                   get_max_test_accuracy

The parts behind MnistDataVis, each small:
  SixGraphs      the figure: six graphs, the data they show, the layout the keys choose
  WindowView     a live window on the screen: keys, pause, close button
  NotebookView   one image in a Jupyter cell's output, replaced in place while training
  WidgetView     the interactive figure of %matplotlib widget (ipympl), redrawn while training
  PngView        no live graphs: the final six saved as <script>.png
  MovieRecorder  --save-movie: one frame per test update, as MP4 or GIF
  TensorBoardLog --logdir: the run as TensorBoard event files, beside the runs of other steps
The training never depends on where the graphs are shown: animate() runs every iteration in all
cases, and stops cleanly on Ctrl-C (a kernel interrupt), a closed window or a loss that is not a
number.
"""

import argparse
import importlib
import inspect
import io
import math
import os
import pathlib
import sys
import tempfile
import time

import visu.startup  # before tensorflow: imports it with its start-up log quieted

import matplotlib
import matplotlib.animation
import matplotlib.colors
import matplotlib.figure
import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import tensorflow.compat.v1 as tf
from matplotlib.backends.backend_agg import FigureCanvasAgg

from visu import errors, summary

TRAINING_IMAGES = 60000  # MNIST's training set: the epoch in the test progress line counts them

KEYS_HELP = """keys in the window:
  1 ... 6    that graph alone          7   graphs 1 and 2 (accuracy, loss)
  8          graphs 4 and 5 (spreads)  9   graphs 3 and 6 (digits)
  0 or Esc   all six graphs            Space  pause / resume the display
  O          box zoom (then the mouse) H   reset all zooms
  Ctrl-S     save the current image
If training is slow (a small VM), show fewer graphs (--graphs 3), or run with --no-window."""

# --- the run options ---------------------------------------------------------------------------

# The graphs each layout key shows (0-based); --graphs takes the same keys.
LAYOUT_KEYS = {
    "1": [0],
    "2": [1],
    "3": [2],
    "4": [3],
    "5": [4],
    "6": [5],
    "7": [0, 1],
    "8": [3, 4],
    "9": [2, 5],
    "0": list(range(6)),
    "escape": list(range(6)),
}
ALL_GRAPHS = LAYOUT_KEYS["0"]


def parse_run_options(argv=None, iterations=None):
    """Reads the options every step accepts; `iterations` is the step's own count (--iterations).

    argv: the arguments to read. By default the script's command line; inside a Jupyter kernel,
    that is what %run gives the script, and nothing when the script was started otherwise (runpy,
    exec), because sys.argv is then the kernel's own.
    """
    script = _calling_script()
    parser = argparse.ArgumentParser(
        prog=script.name,
        description="Trains this step's network on MNIST while six live graphs show how it learns.",
        epilog=KEYS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--iterations",
        type=_count,
        default=iterations,
        metavar="N",
        help="train for N iterations (this step: %s)" % iterations,
    )
    parser.add_argument(
        "--seed",
        type=_whole_number,
        default=0,
        metavar="S",
        help="seed of the initial weights and of the batches' order (default: 0)",
    )
    parser.add_argument(
        "--graphs",
        type=_graph_choice,
        default=ALL_GRAPHS,
        metavar="G",
        help="the graphs to show, as the keys choose them: 3 (graph 3 alone), 7 "
        "(graphs 1 and 2), 0 (all six, the default), or graph numbers with "
        "commas, like 1,2,6",
    )
    parser.add_argument(
        "--no-window", action="store_true", help="no live graphs: the final six are saved as a PNG"
    )
    parser.add_argument(
        "--save-movie",
        action="store_true",
        help="also save the graphs as a movie: MP4 with ffmpeg, else an animated GIF",
    )
    parser.add_argument(
        "--logdir",
        type=usable_logdir,  # an unwritable folder stops the script here, before any training
        metavar="DIR",
        help="also log the run for TensorBoard, in DIR/<step>_seed<S> (a repeat of the same step "
        "and seed gets its own folder: _run2, _run3, ...); tensorboard --logdir DIR shows them all",
    )
    parser.add_argument(
        errors.TRACEBACK_OPTION,
        action="store_true",
        help="when the network cannot be built, fed or run: TensorFlow's own error and "
        "traceback, instead of one paragraph in the workshop's words",
    )
    parser.add_argument(
        visu.startup.TF_LOG_OPTION,
        action="store_true",
        help="show TensorFlow's own start-up messages (its C++ log); the environment variable "
        "%s=1 does the same" % visu.startup.TF_LOG_VARIABLE,
    )
    options = parser.parse_args(_script_arguments() if argv is None else argv)
    options.script = script
    print(visu.startup.describe(visu.startup.STARTED))
    if not options.traceback:
        errors.report_uncaught(script, jupyter_shell())
    return options


def _calling_script():
    """The step script that called parse_run_options (its __file__), else what sys.argv names."""
    caller = inspect.currentframe().f_back.f_back
    path = caller.f_globals.get("__file__") if caller else None
    if path is None and jupyter_shell() is None:
        path = sys.argv[0]
    return pathlib.Path(path or "mnist.py").resolve()


def _script_arguments():
    """sys.argv[1:], unless they are a Jupyter kernel's own: its connection file, left in place
    when a cell runs a step with runpy or exec (%run replaces them with the script's)."""
    arguments = sys.argv[1:]
    if jupyter_shell() is not None:
        from ipykernel.connect import get_connection_file  # imported already in a kernel

        connection_file = pathlib.Path(get_connection_file()).name
        if any(connection_file in argument for argument in arguments):
            return []
    return arguments


def jupyter_shell():
    """The shell of the Jupyter kernel running this (Notebook, Lab, VS Code, Colab), or None."""
    ipython = sys.modules.get("IPython")  # only imported when running inside IPython
    shell = ipython.get_ipython() if ipython else None
    return shell if getattr(shell, "kernel", None) is not None else None


def _whole_number(text):
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError("expected a whole number of 0 or more, got %r" % text)
    return int(text)


def _count(text):
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("expected a whole number of 1 or more, got %r" % text)
    return int(text)


def _graph_choice(text):
    """A layout key (0-9), or graph numbers 1-6 separated by commas: the 0-based graphs to show."""
    if text.strip() in LAYOUT_KEYS:
        return LAYOUT_KEYS[text.strip()]
    numbers = text.replace(" ", "").split(",")
    if not all(n in "123456" and len(n) == 1 for n in numbers) or len(set(numbers)) < len(numbers):
        raise argparse.ArgumentTypeError(
            "expected a key of the window (3, or 7 for graphs 1 and 2, 0 for all six) or graph "
            "numbers 1 to 6 separated by commas (1,2,6), got %r" % text
        )
    return sorted(int(n) - 1 for n in numbers)


# --- graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph -------------------------

# A 3x5 pixel font for the digits written on misrecognised images, doubled to 6x10 pixels.
_FONT = [
    "111 101 101 101 111",
    "010 110 010 010 111",
    "111 001 111 100 111",
    "111 001 111 001 111",
    "101 101 111 001 001",
    "111 100 111 001 111",
    "111 100 111 101 111",
    "111 001 001 001 001",
    "111 101 111 101 111",
    "111 101 111 001 111",
]
_GLYPHS = np.array(
    [[[c == "1" for c in row] for row in digit.split()] for digit in _FONT], np.float32
)
_GLYPHS = _GLYPHS.repeat(2, axis=1).repeat(2, axis=2)  # [10 digits, 10 rows, 6 columns]


def _glyph_masks(column):
    """One 28x28 mask per digit, the digit drawn from the given column, one pixel from the top."""
    masks = np.zeros([10, 28, 28], np.float32)
    masks[:, 1:11, column : column + 6] = _GLYPHS
    return masks


_CORRECT_DIGIT_MASKS = _glyph_masks(1)  # the correct answer, top left
_PREDICTED_DIGIT_MASKS = _glyph_masks(21)  # what the network said, top right
_CORRECT_DIGIT_COLOR = (0.0, 0.45, 0.0)  # green
_PREDICTED_DIGIT_COLOR = (0.0, 0.0, 0.0)  # black
_MISRECOGNISED_BACKGROUND = (1.0, 0.6, 0.6)  # light red


def tf_format_mnist_images(X, Y, Y_, n=100, lines=10):
    """Graph op: the first n images of X as one RGB mosaic of `lines` rows, misrecognised first.

    Correctly recognised digits are drawn dark on white. Misrecognised ones are on red, with the
    correct digit (green, top left) and the predicted one (black, top right) written on them.
    X: images [N, 28, 28, 1] or [N, 784]; Y: the network's output [N, 10]; Y_: one-hot labels.
    """
    correct = tf.argmax(Y_, 1)
    predicted = tf.argmax(Y, 1)
    recognised = tf.cast(tf.equal(correct, predicted), tf.int32)
    order = tf.argsort(recognised, stable=True)[:n]  # 0 (misrecognised) sorts first
    ink = tf.reshape(tf.gather(X, order), [-1, 28, 28, 1])
    wrong = 1.0 - tf.cast(tf.gather(recognised, order), tf.float32)[:, None, None, None]
    background = 1.0 - wrong * (1.0 - tf.constant(_MISRECOGNISED_BACKGROUND))
    rgb = (1.0 - ink) * background
    for masks, digits, color in (
        (_CORRECT_DIGIT_MASKS, correct, _CORRECT_DIGIT_COLOR),
        (_PREDICTED_DIGIT_MASKS, predicted, _PREDICTED_DIGIT_COLOR),
    ):
        mask = tf.gather(tf.constant(masks), tf.gather(digits, order))[..., None] * wrong
        rgb = rgb * (1.0 - mask) + mask * tf.constant(color)
    missing = n - tf.shape(rgb)[0]  # white tiles when given fewer than n images
    rgb = tf.pad(rgb, [[0, missing], [0, 0], [0, 0], [0, 0]], constant_values=1.0)
    tiles = tf.reshape(rgb, [lines, n // lines, 28, 28, 3])
    return tf.reshape(tf.transpose(tiles, [0, 2, 1, 3, 4]), [lines * 28, n // lines * 28, 3])


# --- graphs 4 and 5: how values spread, as percentile bands --------------------------------------

BAND_QUANTILES = np.linspace(0.0, 1.0, 8)  # min, the 6 boundaries of 7 equal-count buckets, max


def percentile_bands(values):
    """The 8 boundaries of the 7 bands: min, the 6 inner boundaries holding equal counts, max.

    Values that are not finite (a diverged network) are left out; all NaN when none is finite."""
    values = np.ravel(values)
    finite = values[np.isfinite(values)]
    return np.quantile(finite, BAND_QUANTILES) if finite.size else np.full(8, np.nan)


def _band_colors(base):
    """7 shades of one color, darkest for the middle band around the median."""
    strength = np.array([0.25, 0.45, 0.7, 1.0, 0.7, 0.45, 0.25])[:, None]
    return strength * matplotlib.colors.to_rgb(base) + (1.0 - strength)


# --- the six graphs -----------------------------------------------------------------------------

TITLES = ("Accuracy", "Cross entropy loss", "Training digits", "Weights", "Biases", "Test digits")
TRAINING_COLOR, TEST_COLOR, BIASES_COLOR = "#1f77b4", "#d62728", "#2ca02c"
FIGURE_LABEL = "tensorflowvisu"  # names this module's figures among the ones pyplot manages
FIGSIZE = (19.2, 10.8)  # inches: 1344x756 pixels at the window's 70 dpi
NOTEBOOK_FIGSIZE, NOTEBOOK_DPI = (13.0, 7.3), 80  # an image the notebook scales to its width
WIDGET_FIGSIZE = (10.0, 5.6)  # ipympl's figure keeps its size in pixels: 800x450 fits a cell


def _grid_boxes(count):
    """Figure-relative boxes for `count` graphs: 2 rows of 3 for six, else one row."""
    rows, cols = (2, 3) if count == 6 else (1, count)
    left, right, bottom, top = 0.035, 0.01, 0.05, 0.05  # room for tick labels and titles
    boxes = []
    for k in range(count):
        row, col = divmod(k, cols)
        x, y = col / cols, 1.0 - (row + 1) / rows
        boxes.append([x + left, y + bottom, 1.0 / cols - left - right, 1.0 / rows - bottom - top])
    return boxes


def _finite(values):
    """The values as floats, NaN in place of infinities, so that drawing never fails on them."""
    values = np.asarray(values, float)
    return np.where(np.isfinite(values), values, np.nan)


class SixGraphs:
    """The figure: the six graphs in 2 rows of 3, the data they show, and which of them show."""

    def __init__(self, figure, titles=TITLES):
        self.fig = figure
        self.axes = [figure.add_axes(box) for box in _grid_boxes(6)]
        for ax, title in zip(self.axes, titles):
            ax.set_title(title)
        self._setup_curves(self.axes[0], (0.0, 1.0))
        self._setup_curves(self.axes[1], (0.0, 100.0))
        for ax in (self.axes[2], self.axes[5]):
            ax.set_xticks([])
            ax.set_yticks([])
        self.train_curves = ([], [], [])  # iteration, accuracy, loss
        self.test_curves = ([], [], [])
        self.band_iterations, self.bands4, self.bands5 = [], [], []
        self._band_fills = {3: [], 4: []}  # graph index -> its 7 filled bands
        self.images = {2: None, 5: None}
        self._note_marks = []  # what mark_curve_notes drew

    @staticmethod
    def _setup_curves(ax, ylim):
        ax.set_ylim(*ylim)
        ax.set_xlim(0, 1)
        ax.plot([], [], color=TRAINING_COLOR, label="training")
        ax.plot([], [], color=TEST_COLOR, label="test")
        ax.legend(loc="center right")
        ax.grid(alpha=0.3)

    def show_image(self, index, im):
        im = np.clip(np.nan_to_num(np.asarray(im, np.float32), nan=1.0), 0.0, 1.0)
        if self.images[index] is None:
            self.images[index] = self.axes[index].imshow(im)
        else:
            self.images[index].set_data(im)
        if index == 5 and not self.axes[5].get_yticks().size:  # the first time
            # 1000 test images in 25 rows of 40, out of 10000: every 5 rows are 2% of the test set
            self.axes[5].set_yticks(
                np.linspace(0, im.shape[0], 6) - 0.5, ["100%", "98%", "96%", "94%", "92%", "90%"]
            )

    def update_artists(self):
        """Hands the data gathered so far to the graphs' artists (drawing happens after)."""
        for ax, column in ((self.axes[0], 1), (self.axes[1], 2)):
            for line, curves in zip(ax.get_lines(), (self.train_curves, self.test_curves)):
                line.set_data(curves[0], _finite(curves[column]))
        last = max(self.train_curves[0][-1:] + self.test_curves[0][-1:] + [1])
        for ax in (self.axes[0], self.axes[1], self.axes[3], self.axes[4]):
            ax.set_xlim(0, last)
        for index, bands, color in (
            (3, self.bands4, TRAINING_COLOR),
            (4, self.bands5, BIASES_COLOR),
        ):
            for fill in self._band_fills[index]:
                fill.remove()
            self._band_fills[index] = []
            if len(bands) > 0:
                bands = _finite(bands)
                ax = self.axes[index]
                for k, shade in enumerate(_band_colors(color)):
                    self._band_fills[index].append(
                        ax.fill_between(
                            self.band_iterations,
                            bands[:, k],
                            bands[:, k + 1],
                            color=shade,
                            linewidth=0,
                        )
                    )
                if np.isfinite(bands).any():
                    ax.set_ylim(np.nanmin(bands) - 1e-6, np.nanmax(bands) + 1e-6)

    def mark_curve_notes(self):
        """Marks on graphs 1 and 2 what curve_notes says at the end of a run: the best test
        accuracy, the lowest test loss when the network overfits, a stretch near chance."""
        for mark in self._note_marks:
            mark.remove()
        self._note_marks = []
        last = max(self.train_curves[0][-1:] + self.test_curves[0][-1:] + [1])
        for kind, figures in read_curves(self.train_curves, self.test_curves):
            if kind == "best":
                self._mark_point(0, figures["i"], figures["accuracy"], -1, "best: %.4f", last)
            elif kind == "overfitting":
                label = "lowest test loss: %.2f"
                self._mark_point(1, figures["i"], figures["lowest"], 1, label, last)
            elif kind in ("slow_start", "near_chance", "not_learning"):
                start, stop = figures["start"], figures["stop"]
                self._note_marks.append(self.axes[0].axvspan(start, stop, color="0.88"))
                middle = (start + stop) / 2
                self._note_marks.append(
                    self.axes[0].text(middle, 0.03, "near chance", ha="center", color="0.4")
                )

    def _mark_point(self, index, i, value, side, label, last):
        """A circle around a point of the test curve, labelled above (side 1) or below (-1),
        towards the middle of the graph."""
        ax = self.axes[index]
        self._note_marks += ax.plot(i, value, "o", ms=12, mfc="none", mec=TEST_COLOR, mew=2)
        note = ax.annotate(
            label % value,
            (i, value),
            xytext=(0, 28 * side),
            textcoords="offset points",
            ha="right" if i > last / 2 else "left",
            va="center",
            color=TEST_COLOR,
            bbox=dict(boxstyle="round", fc="white", ec=TEST_COLOR, alpha=0.9),
            arrowprops=dict(arrowstyle="-", color=TEST_COLOR),
        )
        self._note_marks.append(note)

    def show_graphs(self, indices):
        """Shows only the given graphs (0-based), filling the figure."""
        for ax in self.axes:
            ax.set_visible(False)
        for index, box in zip(indices, _grid_boxes(len(indices))):
            self.axes[index].set_position(box)
            self.axes[index].set_visible(True)

    def png(self):
        """The figure as PNG bytes, quickly compressed (a notebook shows one every second)."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()


# --- where the graphs are shown ------------------------------------------------------------------

DRAW_SHARE = 0.2  # a window spends at most this share of the time redrawing
# A notebook's image, a tenth: a fifth would leave training 80% of its speed at best, and each
# frame also costs the kernel and the browser time to send and show it.
NOTEBOOK_DRAW_SHARE = 0.1


class _DrawBudget:
    """Keeps the time spent drawing to `share` of the whole: after a redraw that took t seconds,
    the next one waits until t / share seconds after it started."""

    def __init__(self, share):
        self._share, self._next = share, 0.0  # _next: a perf_counter time

    def due(self):
        return time.perf_counter() >= self._next

    def spend(self, draw):
        start = time.perf_counter()
        draw()
        self._next = start + (time.perf_counter() - start) / self._share

    def now(self):
        self._next = 0.0


class _LiveView:
    """What the live views share: redraw when there is new data and the budget allows (at once
    when a key asks), never while paused."""

    closed = False
    draw_share = DRAW_SHARE

    def __init__(self, graphs):
        self.graphs, self.paused = graphs, False
        self._budget = _DrawBudget(self.draw_share)

    def set_paused(self, paused):
        self.paused = paused

    def refresh(self, new_data, force=False):
        """Called after every iteration, and with force=True when a key changed the graphs."""
        if self.closed:
            return
        if force:
            self._budget.now()
        if (new_data or force) and self._budget.due() and (force or not self.paused):
            self._budget.spend(self._redraw)
        else:
            self._idle()

    def _redraw(self):
        self.graphs.update_artists()  # part of the drawing time: it rebuilds the bands
        self._draw()

    def _idle(self):
        pass


class WindowView(_LiveView):
    """A live window on the screen; between redraws, its keys and close button are polled about
    20 times a second."""

    def __init__(self, graphs, script_name):
        super().__init__(graphs)
        self._script_name, self._next_poll = script_name, 0.0
        graphs.fig.canvas.mpl_connect("close_event", self._on_close)
        self.set_paused(False)

    def _on_close(self, event):
        self.closed = True

    def set_paused(self, paused):
        self.paused = paused
        note = " - paused, Space to resume" if paused else ""
        self.graphs.fig.canvas.manager.set_window_title(
            "%s%s   (keys: 1-6 one graph, 7 8 9 pairs, 0 all, Space pause)"
            % (self._script_name, note)
        )

    def start(self):
        plt.show(block=False)
        print(KEYS_HELP)

    def _draw(self):
        self.graphs.fig.canvas.draw()
        self.graphs.fig.canvas.flush_events()

    def _idle(self):
        if time.perf_counter() >= self._next_poll:
            self._next_poll = time.perf_counter() + 0.05
            self.graphs.fig.canvas.flush_events()

    def finish(self):
        if not self.closed:
            self.graphs.update_artists()
            self.graphs.fig.canvas.draw_idle()
            print("Training done. Close the window to exit.")
            plt.show()


class NotebookView(_LiveView):
    """The graphs as one image in a Jupyter cell's output (Notebook, Lab, VS Code, Colab),
    replaced in place while training: one display, updated, never a new image per frame. The
    figure is not pyplot's, so the inline backend never shows it a second time."""

    draw_share = NOTEBOOK_DRAW_SHARE

    def __init__(self, graphs):
        super().__init__(graphs)
        self._handle = None

    def start(self):
        print(
            "The graphs below change while the network trains; interrupting the kernel stops "
            "it. Fewer graphs: --graphs 3 or --graphs 1,2."
        )
        self._budget.spend(self._draw)  # the (empty) graphs first, the progress lines under them

    def _draw(self):
        from IPython.display import Image, display  # only ever used inside a Jupyter kernel

        image = Image(self.graphs.png())
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)

    def finish(self):
        self._redraw()


class WidgetView(_LiveView):
    """The interactive figure of %matplotlib widget (ipympl) in a notebook cell, redrawn while
    training. Its keys and toolbar act once the cell has finished: a kernel reads the front end's
    messages only between cells, so during training --graphs chooses the graphs."""

    draw_share = NOTEBOOK_DRAW_SHARE

    def start(self):
        from IPython.display import display  # only ever used inside a Jupyter kernel

        print(
            "The figure below changes while the network trains; its keys work once training "
            "is done. Fewer graphs: --graphs 3 or --graphs 1,2."
        )
        display(self.graphs.fig.canvas)  # the widget, in this cell's output

    def _draw(self):
        sys.stdout.flush()  # the progress lines so far, before the image (which is not buffered)
        self.graphs.fig.canvas.draw()
        self.graphs.fig.canvas.manager.refresh_all()  # sends the new image to the front end now

    def finish(self):
        self._redraw()


class PngView:
    """No live graphs: training runs all the same, and the final ones are saved as a PNG, then
    shown by `show` if given (a notebook cell's output, or an IDE's own backend)."""

    closed = paused = False

    def __init__(self, graphs, reason, path, show=None):
        self.graphs, self.reason, self.path, self._show = graphs, reason, path, show

    def set_paused(self, paused):
        self.paused = paused  # changes nothing here: there is no live display to pause

    def start(self):
        print(
            "No window: %s. Training runs all the same; the graphs are saved at the end."
            % self.reason
        )

    def refresh(self, new_data, force=False):
        pass

    def finish(self):
        self.graphs.update_artists()
        self.graphs.fig.savefig(self.path)
        print("The graphs were saved to %s" % self.path)
        if self._show:
            self._show(self.path)


def _agg_graphs(titles, dpi, figsize=FIGSIZE):
    """Six graphs on a figure drawn off-screen and not managed by pyplot, which would show it a
    second time in a notebook, and keep it after the run."""
    figure = matplotlib.figure.Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)
    return SixGraphs(figure, titles)


def _widget_graphs(titles, name):
    """Six graphs on an ipympl canvas that pyplot does not manage: displayed once, by WidgetView,
    never again by pyplot when the cell ends, and left alone by the next run."""
    ipympl = importlib.import_module("ipympl.backend_nbagg")
    figure = matplotlib.figure.Figure(figsize=WIDGET_FIGSIZE, dpi=NOTEBOOK_DPI)
    ipympl.FigureManager(ipympl.FigureCanvas(figure), 0).set_window_title(name)  # its header
    return SixGraphs(figure, titles)


def _display_in_cell(path):
    from IPython.display import Image, display

    display(Image(filename=str(path)))


class MovieRecorder:
    """--save-movie: one frame per test update, MP4 through ffmpeg, else an animated GIF."""

    def __init__(self, graphs, output_path):
        self.graphs = graphs
        if matplotlib.animation.writers.is_available("ffmpeg"):
            self._writer, self.path = matplotlib.animation.FFMpegWriter(fps=10), output_path(".mp4")
            kind = "an MP4"
        else:
            self._writer, self.path = matplotlib.animation.PillowWriter(fps=10), output_path(".gif")
            kind = "an animated GIF (ffmpeg was not found)"
        print("Saving the movie as %s: %s" % (kind, self.path))
        self._writer.setup(graphs.fig, str(self.path), dpi=graphs.fig.dpi)

    def add_frame(self):
        self.graphs.update_artists()
        self._writer.grab_frame()

    def finish(self):
        self._writer.finish()
        print("Movie saved: %s" % self.path)


# The backends of Jupyter's front ends: inline images, and ipympl's (or nbagg's) live figure.
_INLINE_BACKENDS = ("module://matplotlib_inline.backend_inline", "inline")
_WIDGET_BACKENDS = ("module://ipympl.backend_nbagg", "widget", "ipympl")


def window_figure(dpi=70):
    """(figure, None) with a pyplot figure in a live window, or (figure or None, why there is
    none). A figure without a window comes back only where its backend shows figures itself (an
    IDE's module:// backend, on plt.show()). The steps and check_setup.py both ask this."""
    backend = matplotlib.get_backend()
    if backend.lower() in _INLINE_BACKENDS + _WIDGET_BACKENDS and jupyter_shell() is None:
        return None, (  # e.g. !python in a notebook: the kernel's backend, without the kernel
            "this runs outside the notebook's kernel (!python), whose graphs cannot show in "
            "the notebook; %run in a cell shows them live there instead"
        )
    if backend.lower() == "agg":
        display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        if os.environ.get("MPLBACKEND", "").lower() == "agg" or sys.platform != "linux":
            return None, "matplotlib's backend is Agg"  # asked for, or no display to blame
        if display:
            return None, "the display %s could not be opened" % display
        return None, "no display was found"
    plt.close(FIGURE_LABEL)  # the figure of an earlier run in the same kernel, if any
    try:
        figure = plt.figure(FIGURE_LABEL, figsize=FIGSIZE, dpi=dpi)
    except Exception as error:  # e.g. DISPLAY set but no X server answering
        return None, "the window could not open (%s)" % str(error).strip()
    if type(figure.canvas).required_interactive_framework is not None:
        return figure, None
    reason = "matplotlib's %s backend draws no window" % backend
    if backend.startswith("module://") and jupyter_shell() is None:
        return figure, reason
    plt.close(figure)
    return None, reason


def _output_path(script, suffix):
    """<script name><suffix> in the current folder, or in the temp folder if that is read-only."""
    folder = pathlib.Path.cwd()
    if not os.access(folder, os.W_OK):
        folder = pathlib.Path(tempfile.gettempdir())
    return folder / (script.stem + suffix)


# --- TensorBoard: the run as event files, to compare runs (--logdir) ----------------------------

# The digit mosaics are logged as images at the first test update, then at the first one at or
# past each of 1, 2, 5, 10, 20, 50, 100, ... iterations (three a decade, so that the early learning
# shows), and at the last one: 8 to 10 of each for 10000 iterations.
_IMAGE_MILESTONES = [m * 10**e for e in range(15) for m in (1, 2, 5)]
HISTOGRAM_BUCKETS = 30
FLUSH_SECONDS = 10  # how far behind a TensorBoard watching the run live can be


def usable_logdir(text):
    """--logdir's folder, created if missing, once a file could be written in it.

    Anything else stops the script at once, before the data is loaded, with one line saying why.
    (Writing is tried rather than os.access asked: as root, os.access says yes to read-only places.)
    """
    folder = pathlib.Path(text).expanduser().absolute()
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder")
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise SystemExit(_logdir_error(text, error)) from None
    return folder


def _logdir_error(text, error):
    return (
        "--logdir %s: cannot write TensorBoard logs there (%s). Give a folder you can write to; "
        "it is created if missing." % (text, error.strerror or error)
    )


def _new_run_folder(logdir, name):
    """A new, empty folder for this run: logdir/name, else name_run2, name_run3, ... mkdir is
    atomic, so two runs never share a folder, even when started at the same moment."""
    k = 1
    while True:
        folder = logdir / (name if k == 1 else "%s_run%d" % (name, k))
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            k += 1
        except OSError as error:  # the folder became unwritable after the options were read
            raise SystemExit(_logdir_error(str(logdir), error)) from None


def _tag(title):
    """A graph's title as a TensorBoard tag: "Activations, conv layers": activations_conv_layers."""
    return "_".join("".join(c if c.isalnum() else " " for c in title.lower()).split())


def histogram_proto(values, buckets=HISTOGRAM_BUCKETS):
    """The finite values as a TensorBoard histogram, equal-width buckets; None if none is finite."""
    values = np.ravel(values)
    if not values.size:
        return None
    low, high = values.min(), values.max()
    if not (np.isfinite(low) and np.isfinite(high)):  # a NaN or an infinity: a diverged network
        values = values[np.isfinite(values)]
        if not values.size:
            return None
        low, high = values.min(), values.max()
    if low == high:
        counts, limits = [values.size], [high]
    else:
        counts, edges = np.histogram(values, buckets, range=(low, high))
        limits = edges[1:]  # right edges: TensorBoard takes min as the first bucket's left one
    return tf.HistogramProto(
        min=float(low),
        max=float(high),
        num=values.size,
        sum=float(values.sum(dtype=np.float64)),
        sum_squares=float(np.dot(values, values)),
        bucket_limit=np.asarray(limits, float).tolist(),
        bucket=np.asarray(counts, float).tolist(),
    )


def image_proto(im):
    """An RGB image with values in [0, 1] (a digit mosaic) as a PNG for TensorBoard."""
    pixels = np.clip(np.nan_to_num(np.asarray(im, np.float32), nan=1.0), 0.0, 1.0)
    buffer = io.BytesIO()
    matplotlib.image.imsave(
        buffer,
        (pixels * 255 + 0.5).astype(np.uint8),
        format="png",
        pil_kwargs={"compress_level": 1},  # on the mosaics: faster than the default, no larger
    )
    return tf.Summary.Image(
        height=pixels.shape[0],
        width=pixels.shape[1],
        colorspace=4,  # imsave writes RGBA
        encoded_image_string=buffer.getvalue(),
    )


class TensorBoardLog:
    """--logdir: what the graphs show, written as TensorBoard event files by TensorFlow's own
    FileWriter (no tensorboard package needed) into a new folder, logdir/<step>_seed<S>.

    Tags: accuracy/training, accuracy/test, loss/training, loss/test, learning_rate (where the step
    passes one); graphs 4 and 5 as histograms and graphs 3 and 6 as images, tagged by their titles
    (weights, biases, training_digits, test_digits); and the TensorFlow graph for the graph view."""

    def __init__(self, logdir, run_name, titles, graph):
        self.logdir = pathlib.Path(logdir)
        self.folder = _new_run_folder(self.logdir, run_name)
        if tf.executing_eagerly():  # FileWriter refuses eager mode; the steps' graphs never are
            with tf.Graph().as_default():
                self._writer = tf.summary.FileWriter(str(self.folder), flush_secs=FLUSH_SECONDS)
        else:
            self._writer = tf.summary.FileWriter(
                str(self.folder), graph=graph, flush_secs=FLUSH_SECONDS
            )
        self._spread_tags = (_tag(titles[3]), _tag(titles[4]))
        self._mosaic_tags = {2: _tag(titles[2]), 5: _tag(titles[5])}
        self._mosaics = {}  # graph index -> its latest mosaic
        self._last_test = 0  # the iteration of the latest test update
        self._mosaics_logged_at = None
        self._milestones = iter(_IMAGE_MILESTONES)
        self._next_milestone = 0
        print(
            "TensorBoard: this run is logged to %s (to see it: tensorboard --logdir %s)"
            % (self.folder, self.logdir)
        )

    def _write(self, i, values):
        """values: (tag, field of Summary.Value, value) triples, one event at step i."""
        summary = tf.Summary(value=[tf.Summary.Value(**{"tag": t, f: v}) for t, f, v in values])
        self._writer.add_summary(summary, int(i))

    def add_curves(self, i, which, accuracy, loss, learning_rate=None):
        """A point of the training or the test curves (which: "training" or "test")."""
        values = [("accuracy/" + which, accuracy), ("loss/" + which, loss)]
        if learning_rate is not None:
            values.append(("learning_rate", learning_rate))
        self._write(i, [(tag, "simple_value", float(value)) for tag, value in values])
        if which == "test":
            self._last_test = int(i)

    def add_spreads(self, i, data4, data5):
        """What graphs 4 and 5 show, as two histograms."""
        histograms = zip(self._spread_tags, map(histogram_proto, (data4, data5)))
        self._write(i, [(tag, "histo", h) for tag, h in histograms if h is not None])

    def add_mosaic(self, index, im):
        """Graph 3's or graph 6's mosaic (index 2 or 5); both are logged at some test updates."""
        self._mosaics[index] = im
        if index == 5 and self._last_test >= self._next_milestone:
            self._log_mosaics()
            while self._next_milestone <= self._last_test:
                self._next_milestone = next(self._milestones)

    def _log_mosaics(self):
        self._mosaics_logged_at = self._last_test
        self._write(
            self._last_test,
            [(self._mosaic_tags[k], "image", image_proto(im)) for k, im in self._mosaics.items()],
        )

    def close(self):
        """Logs the last mosaics if not yet done, and writes everything to disk."""
        if self._writer is None:
            return
        if 5 in self._mosaics and self._mosaics_logged_at != self._last_test:
            self._log_mosaics()
        self._writer.close()
        self._writer = None
        print("TensorBoard: run written to %s" % self.folder)


# --- reading the curves at the end of a run --------------------------------------------------

LOSS_NOT_A_NUMBER = (
    "Training stopped at iteration {i}: the {which} loss is {value}, not a finite number, and "
    "nothing the network computes from there on means anything. In this workshop the usual "
    "causes are a learning rate too high, whose big updates make the weights grow until the "
    "numbers overflow (lower it, 10 times at a time, until the loss stays finite), and log(0) in "
    "a hand-written cross-entropy: step 1.0's -sum(Y_ * log(Y)) is not a number as soon as the "
    "softmax rounds a probability to exactly 0, which large weights soon cause. That is why the "
    "steps from 2.0 on compute it from the logits (tf.nn.softmax_cross_entropy_with_logits_v2). "
    "The graphs up to iteration {i} are kept."
)

# The curves are read through robust summaries: one training point is measured on a batch of
# 100 images, so it jumps by several percent from one point to the next; a median over a few
# points does not follow a single lucky or unlucky batch.
SUMMARY_POINTS = 5  # medians over 5 consecutive points (500 iterations of the test curves)
END_SHARE = 0.2  # "the end of the run" is its last fifth: 2000 of 10000 iterations
# Near chance: a guess among 10 digits gets 10% right; 20% is twice that, above the batches'
# noise around a guess (10 +- 3 right out of 100) and below anything a learning network shows
# after its first iterations.
NEAR_CHANCE = 0.2
STUCK_SHARE = 0.2  # near chance for a fifth of the run is a long stretch, not a first moment
# Overfitting: the test loss ends at least 30% above its lowest while the training loss at least
# halves over the same iterations. In the full runs of seeds 0 to 2, steps 2.1 and 3.0 (no
# dropout) end 40% to 70% above their lowest; 3.1 (dropout) 21% to 24%, 2.0 (noisy) 19% at most,
# 2.2 (dropout: the workshop calls its test loss stable) and the batch-norm steps 6% at most
# (4.2: seed 0 only).
OVERFITTING_RISE = 0.3
TRAINING_LOSS_FALL = 0.5
# The test accuracy jumps around when, over the end of the run, it typically changes by more
# than 5% of the misrecognised digits from one test to the next: a network that has settled
# changes its answer on only a few borderline digits. In the full runs of seeds 0 to 2, step 2.0
# (a constant learning rate) changes by 6.2% to 7.5%; the steps whose learning rate decays, and
# step 1.0, by 3.6% at most.
JUMPY_TEST_ACCURACY = 0.05
# ... unless it is still climbing: its later half rising by more than 2 typical jumps above its
# earlier half (by 5 in step 2.0 trained by plain gradient descent, still learning at iteration
# 3000; by 1.3 at most in step 2.0's full runs).
STILL_LEARNING_JUMPS = 2

CURVE_NOTES = {
    "best": "The best test accuracy, {accuracy:.4f}, came at iteration {i}: the {after} "
    "iterations after it did not beat it (the last test gave {last:.4f}).",
    "overfitting": "The test loss rose from its lowest, {lowest:.2f} at iteration {i}, to "
    "{last:.2f} at iteration {last_i}, while the training loss kept falling: the network is "
    "overfitting, learning its training images by heart rather than digits in general. Dropout "
    "(steps 2.2 and 3.1) is the workshop's remedy.",
    "slow_start": "The training accuracy stayed near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to {stop}: a slow start, as deep networks of sigmoids often have.",
    "near_chance": "The training accuracy was near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to {stop}: for that long the network did no better than guessing.",
    "not_learning": "The training accuracy was near chance (a guess among 10 digits gets 0.1) "
    "from iteration {start} to the end: the network is not learning. A learning rate far too "
    "high or too low, or a mistake in the model, does this.",
    "jumpy": "The test accuracy still jumps around at the end: over the last {span} iterations "
    "it went up and down between {low:.4f} and {high:.4f}, typically by {jump:.4f} from one test "
    "to the next. The learning rate is too high for the end of training; one that decays (step "
    "2.1) lets the network settle.",
}


def curve_notes(train_curves, test_curves):
    """A few plain lines on what the curves show, each only where the data clearly shows it
    (none when nothing stands out). Each curves is ([iteration], [accuracy], [loss])."""
    found = read_curves(train_curves, test_curves)
    return [CURVE_NOTES[kind].format(**figures) for kind, figures in found]


def read_curves(train_curves, test_curves):
    """What stands out in the curves, as (kind, figures) pairs: the notes' kinds and values."""
    train, test = _finite_points(train_curves), _finite_points(test_curves)
    end = max(train[0][-1:].tolist() + test[0][-1:].tolist() + [0.0])
    near_chance = _near_chance(train, end)
    if near_chance and near_chance[0] == "not_learning":
        return [near_chance]  # nothing else in its curves means much
    found = [
        _best_test_accuracy(test, end),
        _overfitting(train, test),
        near_chance,
        _jumpy_test_accuracy(test, end),
    ]
    return [kind_figures for kind_figures in found if kind_figures]


def _finite_points(curves):
    """(iterations, accuracies, losses) as arrays, without the points that are not finite."""
    points = np.asarray([np.asarray(values, float) for values in curves]).reshape(3, -1)
    return points[:, np.isfinite(points).all(axis=0)]


def _rolling_median(values, points=SUMMARY_POINTS):
    """The median of each value and its neighbours, `points` in all (fewer at both ends)."""
    half = points // 2
    padded = np.pad(np.asarray(values, float), half, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    return np.nanmedian(windows, axis=1)


def _best_test_accuracy(test, end):
    """Where the best test accuracy came, when the last fifth of the run did not beat it."""
    iterations, accuracies, _ = test
    if iterations.size < 2:
        return None
    best = int(np.argmax(accuracies))  # the first of equal bests: the later ones did not beat it
    if iterations[best] > end - END_SHARE * end:
        return None  # still improving at the end: nothing to add to "max test accuracy"
    return "best", dict(
        accuracy=accuracies[best],
        i=int(iterations[best]),
        after=int(end - iterations[best]),
        last=accuracies[-1],
    )


def _overfitting(train, test):
    """The test loss rising from its lowest point while the training loss keeps falling."""
    (iterations, _, losses), (test_iterations, _, test_losses) = train, test
    if test_iterations.size < 2 * SUMMARY_POINTS:
        return None
    smooth = _rolling_median(test_losses)
    low = int(np.argmin(smooth))
    if np.median(test_losses[-SUMMARY_POINTS:]) < (1 + OVERFITTING_RISE) * smooth[low]:
        return None
    # the training loss over the same iterations as these two test summaries
    half = SUMMARY_POINTS // 2
    near_low = test_iterations[[max(low - half, 0), min(low + half, test_iterations.size - 1)]]
    at_low = losses[(iterations >= near_low[0]) & (iterations <= near_low[1])]
    at_end = losses[iterations >= test_iterations[-SUMMARY_POINTS]]
    if not (at_low.size and at_end.size):
        return None
    if np.median(at_end) > TRAINING_LOSS_FALL * np.median(at_low):
        return None
    lowest = int(np.argmin(test_losses))
    return "overfitting", dict(
        lowest=test_losses[lowest],
        i=int(test_iterations[lowest]),
        last=test_losses[-1],
        last_i=int(test_iterations[-1]),
    )


def _near_chance(train, end):
    """The longest stretch where the training accuracy stayed near chance, if long."""
    iterations, accuracies, _ = train
    if iterations.size < SUMMARY_POINTS:
        return None
    near = np.concatenate([[0], _rolling_median(accuracies) <= NEAR_CHANCE, [0]]).astype(int)
    starts, stops = np.flatnonzero(np.diff(near) == 1), np.flatnonzero(np.diff(near) == -1)
    longest = int(np.argmax(stops - starts)) if starts.size else None
    if longest is None or stops[longest] - starts[longest] < SUMMARY_POINTS:
        return None
    start, stop = iterations[starts[longest]], iterations[stops[longest] - 1]
    if stop - start < STUCK_SHARE * end:
        return None
    if stops[longest] == iterations.size:
        kind = "not_learning"
    else:
        kind = "slow_start" if starts[longest] == 0 else "near_chance"
    return kind, dict(start=int(start), stop=int(stop))


def _jumpy_test_accuracy(test, end):
    """The test accuracy still changing a lot from one test to the next at the end of the run."""
    iterations, accuracies, _ = test
    span = END_SHARE * end
    last = accuracies[iterations >= end - span]
    if last.size < SUMMARY_POINTS:
        return None
    changes = np.diff(last)
    jump = np.median(np.abs(changes - np.median(changes)))  # about the changes' trend
    if not jump > JUMPY_TEST_ACCURACY * (1.0 - np.median(last)):
        return None
    half = last.size // 2
    if np.median(last[-half:]) - np.median(last[:half]) > STILL_LEARNING_JUMPS * jump:
        return None  # still climbing: a network learning, not one jumping around a level
    return "jumpy", dict(span=int(span), low=last.min(), high=last.max(), jump=jump)


# --- what the step scripts use ---------------------------------------------------------------


class MnistDataVis:
    """The six graphs, fed by the training loop, shown where the run options and the place the
    script runs in allow: a window, a notebook cell, or a PNG at the end."""

    def __init__(
        self,
        options=None,
        title1=None,
        title2=None,
        title3=None,
        title4=None,
        title5=None,
        title6=None,
        dpi=70,
    ):
        self.options = options if options is not None else parse_run_options([])
        titles = [
            given or default
            for given, default in zip((title1, title2, title3, title4, title5, title6), TITLES)
        ]
        self.graphs, self.view = self._open(titles, dpi)
        self.graphs.show_graphs(self.options.graphs)
        self.graphs.fig.canvas.mpl_connect("key_press_event", self._on_key)
        self._batch_size = 100
        self._not_a_number = None  # (iteration, which loss, value) once a loss is not finite
        self._error = None  # the paragraph of an error of the graph that stopped the training
        caller = inspect.currentframe().f_back
        print(summary.network_summary(tf.get_default_graph(), caller.f_globals))
        self.tensorboard = None
        if getattr(self.options, "logdir", None):
            run_name = "%s_seed%d" % (self.options.script.stem, self.options.seed)
            # the steps make MnistDataVis once their model is built: the graph is complete
            self.tensorboard = TensorBoardLog(
                self.options.logdir, run_name, titles, tf.get_default_graph()
            )

    def _open(self, titles, dpi):
        """The figure, and the view that shows it."""
        if jupyter_shell() is not None:
            return self._open_in_notebook(titles, dpi)
        figure, reason = (None, "--no-window") if self.options.no_window else window_figure(dpi)
        if figure is None:
            graphs = _agg_graphs(titles, dpi)
            return graphs, PngView(graphs, reason, self._output_path(".png"))
        graphs = SixGraphs(figure, titles)
        if reason is None:
            return graphs, WindowView(graphs, self.options.script.stem)
        show = lambda path: plt.show()  # noqa: E731 (an IDE's backend shows the figure itself)
        return graphs, PngView(graphs, reason, self._output_path(".png"), show=show)

    def _open_in_notebook(self, titles, dpi):
        """In a Jupyter kernel: live graphs in the cell's output, or the final ones there."""
        backend = matplotlib.get_backend().lower()
        if self.options.no_window:
            graphs = _agg_graphs(titles, dpi)
            return graphs, PngView(
                graphs, "--no-window", self._output_path(".png"), show=_display_in_cell
            )
        if backend in _WIDGET_BACKENDS:
            graphs = _widget_graphs(titles, self.options.script.stem)
            return graphs, WidgetView(graphs)
        if backend not in _INLINE_BACKENDS:  # %matplotlib qt or tk: a real window
            figure, reason = window_figure(dpi)
            if figure is not None:
                graphs = SixGraphs(figure, titles)
                return graphs, WindowView(graphs, self.options.script.stem)
        graphs = _agg_graphs(titles, NOTEBOOK_DPI, NOTEBOOK_FIGSIZE)
        return graphs, NotebookView(graphs)

    def _output_path(self, suffix):
        return _output_path(self.options.script, suffix)

    # -- data from the training loop --

    def append_training_curves_data(self, i, accuracy, loss, learning_rate=None):
        """Adds a point to the training curves and prints the workshop's training progress line."""
        self._record(self.graphs.train_curves, "training", i, accuracy, loss)
        lr = "" if learning_rate is None else " (lr:%s)" % learning_rate
        print("%d: accuracy:%s loss: %s%s" % (i, accuracy, loss, lr))
        if self.tensorboard:
            self.tensorboard.add_curves(i, "training", accuracy, loss, learning_rate)

    def append_test_curves_data(self, i, accuracy, loss):
        """Adds a point to the test curves and prints the workshop's test progress line."""
        self._record(self.graphs.test_curves, "test", i, accuracy, loss)
        epoch = i * self._batch_size // TRAINING_IMAGES + 1
        print(
            "%d: ********* epoch %d ********* test accuracy:%s test loss: %s"
            % (i, epoch, accuracy, loss)
        )
        if self.tensorboard:
            self.tensorboard.add_curves(i, "test", accuracy, loss)

    def _record(self, curves, which, i, accuracy, loss):
        for values, value in zip(curves, (i, accuracy, loss)):
            values.append(float(value))
        if not math.isfinite(float(loss)) and self._not_a_number is None:
            self._not_a_number = (i, which, float(loss))

    def append_data_histograms(self, i, data4, data5):
        """Adds the spread of two sets of values (the weights and biases) to graphs 4 and 5."""
        self.graphs.band_iterations.append(i)
        self.graphs.bands4.append(percentile_bands(data4))
        self.graphs.bands5.append(percentile_bands(data5))
        if self.tensorboard:
            self.tensorboard.add_spreads(i, data4, data5)

    def update_image1(self, im):
        """Graph 3: the training digits' mosaic."""
        self.graphs.show_image(2, im)
        if self.tensorboard:
            self.tensorboard.add_mosaic(2, im)

    def update_image2(self, im):
        """Graph 6: the test digits' mosaic; its y axis reads as the test accuracy where the red
        rows end."""
        self.graphs.show_image(5, im)
        if self.tensorboard:
            self.tensorboard.add_mosaic(5, im)

    def get_max_test_accuracy(self):
        accuracies = _finite(self.graphs.test_curves[1])
        return float(np.nanmax(accuracies)) if np.isfinite(accuracies).any() else 0.0

    # -- the keys (a window, or ipympl's figure) --

    def _on_key(self, event):
        if event.key in LAYOUT_KEYS:
            self.graphs.show_graphs(LAYOUT_KEYS[event.key])
        elif event.key in (" ", "space"):
            self.view.set_paused(not self.view.paused)
        else:
            return
        self.view.refresh(new_data=False, force=True)  # show the change now, paused or not

    # -- the training loop --

    def animate(
        self,
        compute_step,
        iterations,
        batch_size=100,
        train_data_update_freq=20,
        test_data_update_freq=100,
        more_tests_at_start=False,
        save_movie=False,
    ):
        """Calls compute_step(i, update_test_data, update_train_data) for i = 0 ... iterations.

        Each iteration trains on batch_size images (the epoch in the progress lines counts them).
        Training figures are asked for every train_data_update_freq iterations, test figures
        every test_data_update_freq (and at every training update before the first regular test,
        with more_tests_at_start), and both at the last iteration. A closed window, Ctrl-C (a
        kernel interrupt) or a loss that is not a number stops the training early; the max test
        accuracy and the graphs so far are kept either way.
        """
        self._batch_size = batch_size
        movie = None
        if save_movie or self.options.save_movie:
            movie = MovieRecorder(self.graphs, self._output_path)
        self.view.start()
        try:
            for i in range(iterations + 1):
                if self.view.closed:
                    print("The window was closed: training stopped at iteration %d." % i)
                    break
                update_test, update_train = updates_due(
                    i,
                    iterations,
                    train_data_update_freq,
                    test_data_update_freq,
                    more_tests_at_start,
                )
                try:
                    compute_step(i, update_test, update_train)
                except Exception as error:
                    self._error = self._explained(error, i)
                    if self._error is None:
                        raise
                    break  # _finish prints it
                if movie and update_test:
                    movie.add_frame()
                if self._not_a_number:
                    break  # _finish says why
                self.view.refresh(update_train or update_test)
        except KeyboardInterrupt:
            print("\nInterrupted (Ctrl-C, or the kernel interrupted): training stopped.")
        finally:
            if movie:
                movie.finish()
        self._finish()

    def _explained(self, error, i):
        """The paragraph for an error of the graph while training, None for any other error or
        with --traceback (the max test accuracy and the graphs are kept first then)."""
        if getattr(self.options, "traceback", False):
            self._finish()
            return None
        return errors.safe_explain(error, self.options.script, iteration=i)

    def _finish(self):
        if self.graphs.test_curves[0] or not self._error:  # an error may come before any test
            print("max test accuracy: %.4f" % self.get_max_test_accuracy())
        for line in curve_notes(self.graphs.train_curves, self.graphs.test_curves):
            print(line)
        if self._not_a_number:
            i, which, value = self._not_a_number
            print(LOSS_NOT_A_NUMBER.format(i=i, which=which, value=value), file=sys.stderr)
        if self._error:
            print(self._error, file=sys.stderr)
        if self.tensorboard:
            self.tensorboard.close()  # on disk before a window waits to be closed
        self.graphs.mark_curve_notes()  # on the final graphs, wherever they are shown
        self.view.finish()
        if self._not_a_number or self._error:
            raise SystemExit(1)


def updates_due(i, iterations, train_data_update_freq, test_data_update_freq, more_tests_at_start):
    """(update_test_data, update_train_data) at iteration i: the figures animate() asks for."""
    update_train = i % train_data_update_freq == 0 or i == iterations
    update_test = (
        i % test_data_update_freq == 0
        or i == iterations
        or (more_tests_at_start and i < test_data_update_freq and update_train)
    )
    return update_test, update_train

"""The workshop's live window: six graphs that move while the network learns.

What the step scripts use:
  parse_run_options()      the command-line options every step shares (--help lists them)
  tf_format_mnist_images() a graph op that draws (X, Y, Y_) as a mosaic of digits, misrecognised first
  MnistDataVis()           the window: append_training_curves_data, append_test_curves_data,
                           append_data_histograms, update_image1, update_image2, animate,
                           get_max_test_accuracy

The training never depends on the window: with no screen (ssh, a cloud VM, --no-window, a
notebook's inline backend) animate() runs every iteration all the same and saves the final
six graphs as a PNG.
"""
import argparse
import os
import pathlib
import sys
import tempfile
import time

import matplotlib
import matplotlib.animation
import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import tensorflow.compat.v1 as tf

BATCH_SIZE = 100  # every step trains on batches of 100 of the 60000 training images:
TRAINING_IMAGES = 60000  # the epoch printed in the test progress line counts them

KEYS_HELP = """keys in the window:
  1 ... 6    that graph alone          7   graphs 1 and 2 (accuracy, loss)
  8          graphs 4 and 5 (spreads)  9   graphs 3 and 6 (digits)
  0 or Esc   all six graphs            Space  pause / resume the display
  O          box zoom (then the mouse) H   reset all zooms
  Ctrl-S     save the current image
If training is slow (a small VM), show graph 3 alone, or run with --no-window."""

_run_options = None


def parse_run_options(argv=None):
    """Reads the options every step script accepts, and remembers them for animate()."""
    global _run_options
    parser = argparse.ArgumentParser(
        prog=pathlib.Path(sys.argv[0]).name or None,
        description="Trains this step's network on MNIST while six live graphs show how it learns.",
        epilog=KEYS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=_positive_int, metavar="N",
                        help="train for N iterations instead of the step's own count")
    parser.add_argument("--no-window", action="store_true",
                        help="train without the live window; the final six graphs are saved as a PNG")
    parser.add_argument("--save-movie", action="store_true",
                        help="also save the graphs as a movie: MP4 if ffmpeg is installed, else an animated GIF")
    parser.add_argument("--seed", type=_positive_int, default=0, metavar="S",
                        help="seed of the initial weights and of the batches' order (default: 0)")
    _run_options = parser.parse_args(argv)
    return _run_options


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError("expected a whole number of 0 or more, got %r" % text)
    return value


def run_options():
    """The options parse_run_options() read, or the defaults when a script never asked."""
    return _run_options or parse_run_options([])


# --- graphs 3 and 6: the digit mosaics, computed in the TensorFlow graph ---------------------

# A 3x5 pixel font for the digits written on misrecognised images, doubled to 6x10 pixels.
_FONT = ["111 101 101 101 111", "010 110 010 010 111", "111 001 111 100 111", "111 001 111 001 111",
         "101 101 111 001 001", "111 100 111 001 111", "111 100 111 101 111", "111 001 001 001 001",
         "111 101 111 101 111", "111 101 111 001 111"]
_GLYPHS = np.array([[[c == "1" for c in row] for row in digit.split()] for digit in _FONT], np.float32)
_GLYPHS = _GLYPHS.repeat(2, axis=1).repeat(2, axis=2)  # [10 digits, 10 rows, 6 columns]


def _glyph_masks(column):
    """One 28x28 mask per digit, with the digit drawn from the given column, one pixel from the top."""
    masks = np.zeros([10, 28, 28], np.float32)
    masks[:, 1:11, column:column + 6] = _GLYPHS
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
    for masks, digits, color in ((_CORRECT_DIGIT_MASKS, correct, _CORRECT_DIGIT_COLOR),
                                 (_PREDICTED_DIGIT_MASKS, predicted, _PREDICTED_DIGIT_COLOR)):
        mask = tf.gather(tf.constant(masks), tf.gather(digits, order))[..., None] * wrong
        rgb = rgb * (1.0 - mask) + mask * tf.constant(color)
    rgb = tf.pad(rgb, [[0, n - tf.shape(rgb)[0]], [0, 0], [0, 0], [0, 0]], constant_values=1.0)  # if fewer than n
    tiles = tf.reshape(rgb, [lines, n // lines, 28, 28, 3])
    return tf.reshape(tf.transpose(tiles, [0, 2, 1, 3, 4]), [lines * 28, n // lines * 28, 3])


# --- graphs 4 and 5: how values spread, as percentile bands ----------------------------------

BAND_QUANTILES = np.linspace(0.0, 1.0, 8)  # min, the 6 boundaries of 7 equal-count buckets, max


def percentile_bands(values):
    """The 8 boundaries of the 7 bands: min, the 6 inner boundaries holding equal counts, max."""
    return np.quantile(np.ravel(values), BAND_QUANTILES)


def _band_colors(base):
    """7 shades of one color, darkest for the middle band around the median."""
    strength = np.array([0.25, 0.45, 0.7, 1.0, 0.7, 0.45, 0.25])[:, None]
    return strength * matplotlib.colors.to_rgb(base) + (1.0 - strength)


# --- the window -------------------------------------------------------------------------------

TITLES = ("Accuracy", "Cross entropy loss", "Training digits", "Weights", "Biases", "Test digits")
LAYOUT_KEYS = {"1": [0], "2": [1], "3": [2], "4": [3], "5": [4], "6": [5],
               "7": [0, 1], "8": [3, 4], "9": [2, 5], "0": list(range(6)), "escape": list(range(6))}
TRAINING_COLOR, TEST_COLOR = "#1f77b4", "#d62728"
DRAW_SHARE = 0.2  # a live window spends at most this share of the time redrawing


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


def updates_due(i, iterations, train_data_update_freq, test_data_update_freq, more_tests_at_start):
    """(update_test_data, update_train_data) at iteration i: the figures animate() asks training_step for."""
    update_train = i % train_data_update_freq == 0 or i == iterations
    update_test = (i % test_data_update_freq == 0 or i == iterations or
                   (more_tests_at_start and i < test_data_update_freq and update_train))
    return update_test, update_train


class MnistDataVis:
    """The six graphs in one window (2 rows x 3 columns), fed by the training loop."""

    def __init__(self, title1=None, title2=None, title3=None, title4=None, title5=None, title6=None,
                 dpi=70):
        titles = [given or default for given, default in
                  zip((title1, title2, title3, title4, title5, title6), TITLES)]
        self.no_window_reason = self._choose_backend()
        try:
            self.fig = plt.figure(figsize=(19.2, 10.8), dpi=dpi)
        except Exception as error:  # e.g. DISPLAY set but no X server answering
            self.no_window_reason = "the window could not open (%s)" % str(error).strip()
            plt.switch_backend("agg")
            self.fig = plt.figure(figsize=(19.2, 10.8), dpi=dpi)
        if self.no_window_reason is None and type(self.fig.canvas).required_interactive_framework is None:
            self.no_window_reason = "matplotlib's %s backend draws no window" % matplotlib.get_backend()
        self.axes = [self.fig.add_axes(box) for box in _grid_boxes(6)]
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
        self._paused = self._closed = False
        self._next_draw = self._next_poll = 0.0  # perf_counter times
        self.fig.canvas.mpl_connect("key_press_event", self._on_key)
        self.fig.canvas.mpl_connect("close_event", self._on_close)
        self._set_window_title("")

    @staticmethod
    def _choose_backend():
        """Agg when asked for no window, else matplotlib's own choice (it falls back to Agg with no display)."""
        if run_options().no_window:
            plt.switch_backend("agg")
            return "--no-window"
        if matplotlib.get_backend().lower() != "agg":
            return None
        display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        if os.environ.get("MPLBACKEND", "").lower() == "agg" or not sys.platform.startswith("linux"):
            return "matplotlib's backend is Agg"
        return "the display %s could not be opened" % display if display else "no display was found"

    def _setup_curves(self, ax, ylim):
        ax.set_ylim(*ylim)
        ax.set_xlim(0, 1)
        ax.plot([], [], color=TRAINING_COLOR, label="training")
        ax.plot([], [], color=TEST_COLOR, label="test")
        ax.legend(loc="center right")
        ax.grid(alpha=0.3)

    def _set_window_title(self, note):
        manager = self.fig.canvas.manager
        if manager is not None:
            script = pathlib.Path(sys.argv[0]).stem or "MNIST"
            manager.set_window_title("%s%s   (keys: 1-6 one graph, 7 8 9 pairs, 0 all, Space pause)" % (script, note))

    # -- data from the training loop --

    def append_training_curves_data(self, i, accuracy, loss, learning_rate=None):
        """Adds a point to the training curves and prints the workshop's training progress line."""
        for values, value in zip(self.train_curves, (i, accuracy, loss)):
            values.append(float(value))
        lr = "" if learning_rate is None else " (lr:%s)" % learning_rate
        print("%d: accuracy:%s loss: %s%s" % (i, accuracy, loss, lr))

    def append_test_curves_data(self, i, accuracy, loss):
        """Adds a point to the test curves and prints the workshop's test progress line."""
        for values, value in zip(self.test_curves, (i, accuracy, loss)):
            values.append(float(value))
        epoch = i * BATCH_SIZE // TRAINING_IMAGES + 1
        print("%d: ********* epoch %d ********* test accuracy:%s test loss: %s" % (i, epoch, accuracy, loss))

    def append_data_histograms(self, i, data4, data5):
        """Adds the spread of two sets of values (the weights and biases) to graphs 4 and 5."""
        self.band_iterations.append(i)
        self.bands4.append(percentile_bands(data4))
        self.bands5.append(percentile_bands(data5))

    def update_image1(self, im):
        """Graph 3: the training digits' mosaic."""
        self._show_image(2, im)

    def update_image2(self, im):
        """Graph 6: the test digits' mosaic. Its y axis reads as the test accuracy where the red rows end."""
        self._show_image(5, im)
        if not self.axes[5].get_yticks().size:  # the first time
            # 1000 test images in 25 rows of 40, out of 10000: every 5 rows are 2% of the test set
            self.axes[5].set_yticks(np.linspace(0, im.shape[0], 6) - 0.5, ["100%", "98%", "96%", "94%", "92%", "90%"])

    def _show_image(self, index, im):
        if self.images[index] is None:
            self.images[index] = self.axes[index].imshow(im)
        else:
            self.images[index].set_data(im)

    def get_max_test_accuracy(self):
        return max(self.test_curves[1], default=0.0)

    # -- drawing --

    def _update_artists(self):
        """Hands the data gathered so far to the graphs' artists (drawing happens after)."""
        for ax, column in ((self.axes[0], 1), (self.axes[1], 2)):
            for line, curves in zip(ax.get_lines(), (self.train_curves, self.test_curves)):
                line.set_data(curves[0], curves[column])
        last = max(self.train_curves[0][-1:] + self.test_curves[0][-1:] + [1])
        for ax in (self.axes[0], self.axes[1], self.axes[3], self.axes[4]):
            ax.set_xlim(0, last)
        for index, bands, color in ((3, self.bands4, TRAINING_COLOR), (4, self.bands5, "#2ca02c")):
            for fill in self._band_fills[index]:
                fill.remove()
            self._band_fills[index] = []
            if len(bands) > 0:
                bands = np.array(bands)
                ax = self.axes[index]
                for k, shade in enumerate(_band_colors(color)):
                    self._band_fills[index].append(
                        ax.fill_between(self.band_iterations, bands[:, k], bands[:, k + 1], color=shade, linewidth=0))
                ax.set_ylim(bands.min() - 1e-6, bands.max() + 1e-6)

    def show_graphs(self, indices):
        """Shows only the given graphs (0-based), filling the window."""
        for ax in self.axes:
            ax.set_visible(False)
        for index, box in zip(indices, _grid_boxes(len(indices))):
            self.axes[index].set_position(box)
            self.axes[index].set_visible(True)

    def _on_key(self, event):
        if event.key in LAYOUT_KEYS:
            self.show_graphs(LAYOUT_KEYS[event.key])
        elif event.key in (" ", "space"):
            self._paused = not self._paused
            self._set_window_title(" - paused, Space to resume" if self._paused else "")
        else:
            return
        self._next_draw = 0.0  # show the change now, paused or not
        self._redraw(force=True)

    def _on_close(self, event):
        self._closed = True

    def _redraw(self, force=False):
        """Redraws a live window, keeping the time spent drawing to DRAW_SHARE of the whole."""
        now = time.perf_counter()
        if self._closed or now < self._next_draw or (self._paused and not force):
            return
        self._update_artists()
        self.fig.canvas.draw()
        self.fig.canvas.flush_events()
        spent = time.perf_counter() - now
        self._next_draw = now + spent / DRAW_SHARE

    def _poll_window(self):
        """Lets a live window handle its key presses and close button, about 20 times a second."""
        now = time.perf_counter()
        if not self._closed and now >= self._next_poll:
            self._next_poll = now + 0.05
            self.fig.canvas.flush_events()

    def _output_path(self, suffix):
        """<script name><suffix> in the current folder, or in the temp folder if that one is read-only."""
        folder = pathlib.Path.cwd() if os.access(os.getcwd(), os.W_OK) else pathlib.Path(tempfile.gettempdir())
        return folder / ((pathlib.Path(sys.argv[0]).stem or "mnist") + suffix)

    def _start_movie(self):
        if matplotlib.animation.writers.is_available("ffmpeg"):
            writer, path, kind = matplotlib.animation.FFMpegWriter(fps=10), self._output_path(".mp4"), "an MP4"
        else:
            writer, path, kind = matplotlib.animation.PillowWriter(fps=10), self._output_path(".gif"), \
                "an animated GIF (ffmpeg was not found)"
        print("Saving the movie as %s: %s" % (kind, path))
        writer.setup(self.fig, str(path), dpi=self.fig.dpi)
        return writer, path

    # -- the training loop --

    def animate(self, compute_step, iterations, train_data_update_freq=20, test_data_update_freq=100,
                more_tests_at_start=False, save_movie=False):
        """Calls compute_step(i, update_test_data, update_train_data) for i = 0 ... iterations.

        Training figures are asked for every train_data_update_freq iterations, test figures every
        test_data_update_freq (and at every training update before the first regular test, with
        more_tests_at_start), and both at the last iteration. Run options override `iterations`
        and `save_movie`. Closing the window or Ctrl-C stops the training early; the max test
        accuracy is printed either way.
        """
        options = run_options()
        iterations = options.iterations or iterations
        live = self.no_window_reason is None
        if live:
            plt.show(block=False)
            print(KEYS_HELP)
        else:
            print("No window: %s. Training runs all the same; the graphs are saved at the end." % self.no_window_reason)
        movie = self._start_movie() if save_movie or options.save_movie else None
        try:
            for i in range(iterations + 1):
                if self._closed:
                    print("The window was closed: training stopped at iteration %d." % i)
                    break
                update_test, update_train = updates_due(i, iterations, train_data_update_freq,
                                                        test_data_update_freq, more_tests_at_start)
                compute_step(i, update_test, update_train)
                if movie and update_test:
                    self._update_artists()
                    movie[0].grab_frame()
                if live and (update_train or update_test):
                    self._redraw()
                elif live:
                    self._poll_window()
        except KeyboardInterrupt:
            print("\nInterrupted (Ctrl-C): training stopped.")
        finally:
            if movie:
                movie[0].finish()
                print("Movie saved: %s" % movie[1])
        print("max test accuracy: %.4f" % self.get_max_test_accuracy())
        self._update_artists()
        if live and not self._closed:
            self.fig.canvas.draw_idle()
            print("Training done. Close the window to exit.")
            plt.show()
        elif not live:
            path = self._output_path(".png")
            self.fig.savefig(path)
            print("The six graphs were saved to %s" % path)
            if matplotlib.get_backend().startswith("module://"):  # a notebook or IDE shows it inline
                plt.show()

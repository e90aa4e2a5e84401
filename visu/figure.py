"""The six graphs in 2 rows of 3, drawn from a run's record. Drawing only: the data is the
record's (record.py), where the figure goes is the views' (views.py)."""

import io

import matplotlib.colors
import numpy as np

from visu.record import finite

TITLES = ("Accuracy", "Cross entropy loss", "Training digits", "Weights", "Biases", "Test digits")
TRAINING_COLOR, TEST_COLOR, BIASES_COLOR = "#1f77b4", "#d62728", "#2ca02c"
AGAINST_ALPHA = 0.35  # --against: the reference's curves, faint, behind the run's own (zorder 2)


def grid_boxes(count):
    """Figure-relative boxes for `count` graphs: 2 rows of 3 for six, else one row."""
    rows, cols = (2, 3) if count == 6 else (1, count)
    left, right, bottom, top = 0.035, 0.01, 0.05, 0.05  # room for tick labels and titles
    boxes = []
    for k in range(count):
        row, col = divmod(k, cols)
        x, y = col / cols, 1.0 - (row + 1) / rows
        boxes.append([x + left, y + bottom, 1.0 / cols - left - right, 1.0 / rows - bottom - top])
    return boxes


def band_colors(base):
    """7 shades of one color, darkest for the middle band around the median."""
    strength = np.array([0.25, 0.45, 0.7, 1.0, 0.7, 0.45, 0.25])[:, None]
    return strength * matplotlib.colors.to_rgb(base) + (1.0 - strength)


class SixGraphs:
    """The figure's six graphs: draw(record) hands a record's data to them, show_graphs chooses
    which of them fill the figure, mark_notes circles what the curve notes point at."""

    def __init__(self, figure, titles=TITLES):
        self.fig = figure
        self.axes = [figure.add_axes(box) for box in grid_boxes(6)]
        for ax, title in zip(self.axes, titles):
            ax.set_title(title)
        self._setup_curves(self.axes[0], (0.0, 1.0))
        self._setup_curves(self.axes[1], (0.0, 100.0))
        for ax in (self.axes[2], self.axes[5]):
            ax.set_xticks([])
            ax.set_yticks([])
        self._band_fills = {3: [], 4: []}  # graph index -> its 7 filled bands
        self.images = {2: None, 5: None}
        self._note_marks = []  # what mark_notes drew

    @staticmethod
    def _setup_curves(ax, ylim):
        ax.set_ylim(*ylim)
        ax.set_xlim(0, 1)
        ax.plot([], [], color=TRAINING_COLOR, label="training")
        ax.plot([], [], color=TEST_COLOR, label="test")
        ax.legend(loc="center right")
        ax.grid(alpha=0.3)

    def draw_against(self, reference):
        """--against: a reference run's curves (visu/reference.py), faint, behind the run's own on
        graphs 1 and 2. Drawn whole, once; the x axis follows the run, up to its iteration."""
        for ax, column in ((self.axes[0], 1), (self.axes[1], 2)):
            for points, color, which in (
                (reference.train, TRAINING_COLOR, "training"),
                (reference.test, TEST_COLOR, "test"),
            ):
                label = "%s, %s" % (reference.name, which)
                faint = dict(color=color, alpha=AGAINST_ALPHA, lw=1.5, zorder=1.9, label=label)
                ax.plot(points[0], finite(points[column]), **faint)
            ax.legend(loc="center right")

    def draw(self, record):
        """Hands the record's data to the graphs' artists (the canvas draws them after)."""
        for ax, column in ((self.axes[0], 1), (self.axes[1], 2)):
            for line, curves in zip(ax.get_lines(), (record.train_curves, record.test_curves)):
                line.set_data(curves[0], finite(curves[column]))
        last = record.last_iteration()
        for ax in (self.axes[0], self.axes[1], self.axes[3], self.axes[4]):
            ax.set_xlim(0, last)
        self._draw_bands(3, record.band_iterations, record.bands4, TRAINING_COLOR)
        self._draw_bands(4, record.band_iterations, record.bands5, BIASES_COLOR)
        for index, im in record.mosaics.items():
            self._show_image(index, im)

    def _draw_bands(self, index, iterations, bands, color):
        for fill in self._band_fills[index]:
            fill.remove()
        self._band_fills[index] = []
        if len(bands) == 0:
            return
        bands = finite(bands)
        ax = self.axes[index]
        for k, shade in enumerate(band_colors(color)):
            fill = ax.fill_between(iterations, bands[:, k], bands[:, k + 1], color=shade, lw=0)
            self._band_fills[index].append(fill)
        if np.isfinite(bands).any():
            ax.set_ylim(np.nanmin(bands) - 1e-6, np.nanmax(bands) + 1e-6)

    def _show_image(self, index, im):
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

    def mark_notes(self, found, last):
        """Marks on graphs 1 and 2 what the curve notes (notes.read_curves) found: the best test
        accuracy, the lowest test loss when the network overfits, a stretch near chance."""
        for mark in self._note_marks:
            mark.remove()
        self._note_marks = []
        for kind, figures in found:
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
        for index, box in zip(indices, grid_boxes(len(indices))):
            self.axes[index].set_position(box)
            self.axes[index].set_visible(True)

    def png(self):
        """The figure as PNG bytes, quickly compressed (a notebook shows one every second)."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

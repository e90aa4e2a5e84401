"""The graphs of the table (visu/graphs.py), drawn from a run's record: the workshop's six in 2
rows of 3, and what the network learned. Drawing only: the data is the record's (record.py),
where the figure goes is the views' (views.py)."""

import io
import math

import matplotlib.colors
import numpy as np

from visu.graphs import GRAPHS
from visu.learned_panel import LearnedPanel
from visu.record import finite

TRAINING_COLOR, TEST_COLOR, BIASES_COLOR = "#1f77b4", "#d62728", "#2ca02c"
AGAINST_ALPHA = 0.35  # --against: the reference's curves, faint, behind the run's own (zorder 2)
CURVE_COLUMNS = {"accuracy": 1, "loss": 2}  # the column of (iteration, accuracy, loss) drawn
BAND_COLORS = {"weights": TRAINING_COLOR, "biases": BIASES_COLOR}
LOSS_TOP = 100.0  # the loss axis's top (the workshop's), unless the curves stay higher
START = 0.1  # the share of the iterations drawn that counts as the curves' start


def grid_boxes(count):
    """Figure-relative boxes for `count` graphs: one row of up to three, else two rows."""
    rows = 1 if count <= 3 else 2
    cols = max(1, math.ceil(count / rows))
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


def loss_top(curves, last):
    """The loss axis's top: 100, or more where the losses past the curves' start (the first
    tenth of the iterations drawn: every network starts near 230, a guess among 10 digits) stay
    higher, rounded up to a multiple of 50. curves: (iterations, losses) pairs."""
    highest = LOSS_TOP
    for iterations, losses in curves:
        iterations, losses = np.asarray(iterations, float), finite(losses)
        shown = losses[(iterations >= START * last) & (iterations <= last)]
        if np.isfinite(shown).any():
            highest = max(highest, float(np.nanmax(shown)))
    return LOSS_TOP if highest <= LOSS_TOP else 50.0 * math.ceil(highest * 1.05 / 50.0)


class Graphs:
    """The figure's graphs, one per row of the table, by name: draw(record) hands a record's
    data to them, show_graphs chooses which of them fill the figure, mark_notes circles what the
    curve notes point at. A graph is an axes, or a panel of several (what the network learned).

    titles: {graph name: title} for the ones a step titles otherwise (MnistDataVis(title4=...))."""

    def __init__(self, figure, titles=None):
        self.fig = figure
        titles = {**{graph.name: graph.title for graph in GRAPHS}, **(titles or {})}
        self.panels = {}
        for graph in GRAPHS:
            if graph.kind == "learned":
                self.panels[graph.name] = LearnedPanel(figure, titles[graph.name])
                continue
            ax = self.panels[graph.name] = figure.add_axes([0, 0, 1, 1])
            ax.set_title(titles[graph.name])
            if graph.kind == "mosaic":
                ax.set_xticks([])
                ax.set_yticks([])
        self.axes = list(self.panels.values())  # in the table's order: axes[0] is graph 1
        self._setup_curves(self.panels["accuracy"], (0.0, 1.0))
        self._setup_curves(self.panels["loss"], (0.0, LOSS_TOP))
        self._band_fills = {name: [] for name in BAND_COLORS}  # graph name -> its 7 filled bands
        self.images = {}  # a mosaic's graph name -> its image
        self._note_marks = []  # what mark_notes drew
        self._against = None  # --against's reference run
        self.show_graphs([graph.name for graph in GRAPHS[:6]])

    def show_note(self, text):
        """A note on the run as it trains (visu/explain/start.py), across the foot of the figure."""
        if getattr(self, "_live_note", None) is None:
            self._live_note = self.fig.text(
                0.005, 0.003, "", fontsize=8, color="darkred", va="bottom", wrap=True
            )
        self._live_note.set_text(text)

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
        self._against = reference
        for name, column in CURVE_COLUMNS.items():
            ax = self.panels[name]
            for points, color, which in (
                (reference.train, TRAINING_COLOR, "training"),
                (reference.test, TEST_COLOR, "test"),
            ):
                label = "%s, %s" % (reference.name, which)
                faint = dict(color=color, alpha=AGAINST_ALPHA, lw=1.5, zorder=1.9, label=label)
                ax.plot(points[0], finite(points[column]), **faint)
            ax.legend(loc="center right")

    def draw(self, record):
        """Hands the record's data to the graphs' artists (the canvas draws them after); what the
        network learned is read from it only while its graph shows."""
        last = record.last_iteration()
        for graph in GRAPHS:
            panel = self.panels[graph.name]
            if graph.kind == "curves":
                self._draw_curves(graph.name, record, last)
            elif graph.kind == "bands":
                self._draw_bands(graph.name, record.band_iterations, record.bands[graph.name])
                panel.set_xlim(0, last)
            elif graph.kind == "mosaic" and graph.name in record.mosaics:
                self._show_image(graph.name, record.mosaics[graph.name])
            elif graph.kind == "learned" and panel.get_visible():
                panel.draw(record.network)

    def _draw_curves(self, name, record, last):
        ax, column = self.panels[name], CURVE_COLUMNS[name]
        for line, curves in zip(ax.get_lines(), (record.train_curves, record.test_curves)):
            line.set_data(curves[0], finite(curves[column]))
        ax.set_xlim(0, last)
        if name == "loss":  # the accuracy's axis shows all of its range; the loss's, its curves
            curves = [(c[0], c[column]) for c in (record.train_curves, record.test_curves)]
            if self._against is not None:
                curves += [(c[0], c[column]) for c in (self._against.train, self._against.test)]
            ax.set_ylim(0.0, loss_top(curves, last))

    def _draw_bands(self, name, iterations, bands):
        for fill in self._band_fills[name]:
            fill.remove()
        self._band_fills[name] = []
        if len(bands) == 0:
            return
        bands = finite(bands)
        ax = self.panels[name]
        for k, shade in enumerate(band_colors(BAND_COLORS[name])):
            fill = ax.fill_between(iterations, bands[:, k], bands[:, k + 1], color=shade, lw=0)
            self._band_fills[name].append(fill)
        if np.isfinite(bands).any():
            ax.set_ylim(np.nanmin(bands) - 1e-6, np.nanmax(bands) + 1e-6)

    def _show_image(self, name, im):
        im = np.clip(np.nan_to_num(np.asarray(im, np.float32), nan=1.0), 0.0, 1.0)
        ax = self.panels[name]
        if name not in self.images:
            self.images[name] = ax.imshow(im)
        else:
            self.images[name].set_data(im)
        if name == "test_digits" and not ax.get_yticks().size:  # the first time
            # 1000 test images in 25 rows of 40, out of 10000: every 5 rows are 2% of the test set
            ax.set_yticks(
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
                self._mark_point(
                    "accuracy", figures["i"], figures["accuracy"], -1, "best: %.4f", last
                )
            elif kind == "overfitting":
                label = "lowest test loss: %.2f"
                self._mark_point("loss", figures["i"], figures["lowest"], 1, label, last)
            elif kind in ("slow_start", "near_chance", "not_learning"):
                start, stop = figures["start"], figures["stop"]
                accuracy = self.panels["accuracy"]
                self._note_marks.append(accuracy.axvspan(start, stop, color="0.88"))
                middle = (start + stop) / 2
                self._note_marks.append(
                    accuracy.text(middle, 0.03, "near chance", ha="center", color="0.4")
                )

    def _mark_point(self, name, i, value, side, label, last):
        """A circle around a point of the test curve, labelled above (side 1) or below (-1),
        towards the middle of the graph."""
        ax = self.panels[name]
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

    def show_graphs(self, names):
        """Shows only the named graphs, filling the figure, in the table's order."""
        for panel in self.panels.values():
            panel.set_visible(False)
        shown = [graph.name for graph in GRAPHS if graph.name in names]
        for name, box in zip(shown, grid_boxes(len(shown))):
            self.panels[name].set_position(box)
            self.panels[name].set_visible(True)

    def png(self):
        """The figure as PNG bytes, quickly compressed (a notebook shows one every second)."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

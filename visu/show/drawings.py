"""The drawings of the graphs, one per kind of graph in the table (graphs.py), each registered
once under its kind: the curves (graphs 1 and 2), the mosaics (3 and 6), the bands (4 and 5) and
what the network learned (W). A drawing makes its panel on the figure and draws the record's data
on it; it also says how the TensorBoard log keeps it (LOGGED_AS). figure.py lays the panels out;
the data is the record's (record.py). A learner's page: docs/running.md ("The window").
"""

import math

import matplotlib.colors
import numpy as np

from visu.record import finite
from visu.show.learned_panel import LearnedPanel, weights_picture

TRAINING_COLOR, TEST_COLOR = "#1f77b4", "#d62728"
AGAINST_ALPHA = 0.35  # --against: the reference's curves, faint, behind the run's own (zorder 2)
LOSS_TOP = 100.0  # the loss axis's top (the workshop's), unless the curves stay higher
START = 0.1  # the share of the iterations drawn that counts as the curves' start

DRAWINGS = {}  # kind of graph -> its drawing (a subclass of Drawing)


def drawing(kind):
    """Registers a class as the drawing of the table's graphs of this kind."""

    def register(cls):
        DRAWINGS[kind] = cls
        return cls

    return register


class Drawing:
    """One graph of the figure: `panel` (an axes, or a panel of several that acts as one) made on
    the figure, and draw(record, last), called before every redraw.

    LOGGED_AS says what --logdir writes of it: "scalars" (a curve's points, tagged
    <graph name>/training and /test), "histogram" or "image" (tagged by its title, from
    logged(graph, record)), or None."""

    LOGGED_AS = None

    def __init__(self, figure, graph, title):
        self.graph, self.settings = graph, graph.settings
        self.panel = figure.add_axes([0, 0, 1, 1])
        self.panel.set_title(title)

    def draw(self, record, last):
        """Hands the record's data to the panel's artists (the canvas draws them after)."""

    def draw_against(self, reference):
        """--against: a reference run (visu/reference.py), on the graphs that show its data."""

    @staticmethod
    def logged(graph, record):
        """What --logdir writes of the graph now: the values of a histogram, an image; or None."""
        return None


@drawing("curves")
class Curves(Drawing):
    """A training and a test curve of one column of the record's curves; settings: its column,
    the y axis's top, and whether that grows to show curves that stay above it."""

    LOGGED_AS = "scalars"

    def __init__(self, figure, graph, title):
        super().__init__(figure, graph, title)
        ax, self._against = self.panel, None
        self._cut_marks = []  # what _cut_axis drew
        ax.set_ylim(0.0, self.settings["top"])
        ax.set_xlim(0, 1)
        ax.plot([], [], color=TRAINING_COLOR, label="training")
        ax.plot([], [], color=TEST_COLOR, label="test")
        ax.legend(loc="center right")
        ax.grid(alpha=0.3)

    def draw_against(self, reference):
        """A reference run's curves, faint, behind the run's own. Drawn whole, once; the x axis
        follows the run, up to its iteration."""
        self._against, column = reference, self.settings["column"]
        for points, color, which in (
            (reference.train, TRAINING_COLOR, "training"),
            (reference.test, TEST_COLOR, "test"),
        ):
            label = "%s, %s" % (reference.name, which)
            faint = dict(color=color, alpha=AGAINST_ALPHA, lw=1.5, zorder=1.9, label=label)
            self.panel.plot(points[0], finite(points[column]), **faint)
        self.panel.legend(loc="center right")

    def draw(self, record, last):
        ax, column = self.panel, self.settings["column"]
        for line, curves in zip(ax.get_lines(), (record.train_curves, record.test_curves)):
            line.set_data(curves[0], finite(curves[column]))
        ax.set_xlim(0, last)
        if self.settings.get("grows"):  # the loss's axis shows its curves; accuracy's, its range
            curves = [(c[0], c[column]) for c in (record.train_curves, record.test_curves)]
            if self._against is not None:
                curves += [(c[0], c[column]) for c in (self._against.train, self._against.test)]
            self._cut_axis(curves, last)

    def _cut_axis(self, curves, last):
        """The axis from 0 to the top that loss_top gives the values up to the setting far; the
        values above, far out of the workshop's range (every run's loss starts near 230), marked
        as triangles on the axis's top edge, with a note that the axis is cut and how high they
        went: drawn to scale, they would flatten the other curves into a line at 0."""
        ax, far_above = self.panel, self.settings.get("far", np.inf)
        for mark in self._cut_marks:
            mark.remove()
        self._cut_marks = []
        curves = [(np.asarray(i, float), finite(values)) for i, values in curves]
        far = [values > far_above for _, values in curves]  # NaN compares False
        kept = [(i, np.where(above, np.nan, values)) for (i, values), above in zip(curves, far)]
        top = loss_top(kept, last, self.settings["top"])
        ax.set_ylim(0.0, top)
        if not any(above.any() for above in far):
            return
        lines = ax.get_lines()[: len(curves)]  # the curves' own: training, test (and --against's)
        for (i, _), above, line in zip(curves, far, lines):
            style = dict(color=line.get_color(), alpha=line.get_alpha(), ms=8, clip_on=False)
            self._cut_marks += ax.plot(i[above], np.full(above.sum(), top), "^", **style)
        highest = max(values[above].max() for (_, values), above in zip(curves, far) if above.any())
        note = "axis cut at %g: losses up to %.3g above it (triangles)" % (top, highest)
        box = dict(boxstyle="round", fc="white", ec="0.6", alpha=0.9)
        self._cut_marks.append(
            ax.text(0.01, 0.97, note, transform=ax.transAxes, va="top", color="0.2", bbox=box)
        )


@drawing("bands")
class Bands(Drawing):
    """How a set of values spread over time: 7 bands of equal counts (record.bands), in shades of
    the settings' color, darkest around the median."""

    LOGGED_AS = "histogram"

    def __init__(self, figure, graph, title):
        super().__init__(figure, graph, title)
        self._fills = []  # the 7 filled bands

    def draw(self, record, last):
        for fill in self._fills:
            fill.remove()
        self._fills = []
        bands, ax = record.bands[self.graph.name], self.panel
        if len(bands):
            bands = finite(bands)
            for k, shade in enumerate(band_colors(self.settings["color"])):
                fill = ax.fill_between(
                    record.band_iterations, bands[:, k], bands[:, k + 1], color=shade, lw=0
                )
                self._fills.append(fill)
            if np.isfinite(bands).any():
                ax.set_ylim(np.nanmin(bands) - 1e-6, np.nanmax(bands) + 1e-6)
        ax.set_xlim(0, last)

    @staticmethod
    def logged(graph, record):
        return record.spreads[1][graph.name] if record.spreads is not None else None


@drawing("mosaic")
class Mosaic(Drawing):
    """A picture of digits (record.mosaics); with the setting accuracy_ticks, a y axis that reads as
    the test accuracy where the red rows end."""

    LOGGED_AS = "image"

    def __init__(self, figure, graph, title):
        super().__init__(figure, graph, title)
        self.panel.set_xticks([])
        self.panel.set_yticks([])
        self.image = None

    def draw(self, record, last):
        if self.graph.name not in record.mosaics:
            return
        im = np.asarray(record.mosaics[self.graph.name], np.float32)
        im = np.clip(np.nan_to_num(im, nan=1.0), 0.0, 1.0)
        ax = self.panel
        if self.image is None:
            self.image = ax.imshow(im)
        else:
            self.image.set_data(im)
        if self.settings.get("accuracy_ticks") and not ax.get_yticks().size:  # the first time
            # 1000 test images in 25 rows of 40, out of 10000: every 5 rows are 2% of the test set
            ax.set_yticks(
                np.linspace(0, im.shape[0], 6) - 0.5, ["100%", "98%", "96%", "94%", "92%", "90%"]
            )

    @staticmethod
    def logged(graph, record):
        return record.mosaics.get(graph.name)


@drawing("learned")
class Learned(Drawing):
    """What the network learned (learned_panel.py), read from the network only while it shows."""

    LOGGED_AS = "image"

    def __init__(self, figure, graph, title):
        self.graph, self.settings = graph, graph.settings
        self.panel = LearnedPanel(figure, title)

    def draw(self, record, last):
        if self.panel.get_visible():
            self.panel.draw(record.network)

    @staticmethod
    def logged(graph, record):
        """The first layer's weights as pictures, where the step gives its network (read from it
        now: the record keeps no weights)."""
        first = record.network.first_layer() if record.network else None
        return weights_picture(first) if first is not None else None


def band_colors(base):
    """7 shades of one color, darkest for the middle band around the median."""
    strength = np.array([0.25, 0.45, 0.7, 1.0, 0.7, 0.45, 0.25])[:, None]
    return strength * matplotlib.colors.to_rgb(base) + (1.0 - strength)


def loss_top(curves, last, top=LOSS_TOP):
    """The loss axis's top: 100, or more where the losses past the curves' start (the first
    tenth of the iterations drawn: every network starts near 230, a guess among 10 digits) stay
    higher, rounded up to a multiple of 50. curves: (iterations, losses) pairs."""
    highest = top
    for iterations, losses in curves:
        iterations, losses = np.asarray(iterations, float), finite(losses)
        shown = losses[(iterations >= START * last) & (iterations <= last)]
        if np.isfinite(shown).any():
            highest = max(highest, float(np.nanmax(shown)))
    return top if highest <= top else 50.0 * math.ceil(highest * 1.05 / 50.0)

"""The figure: the graphs of the table (visu/show/graphs.py), each drawn by the drawing of its
kind (drawings.py), laid out: the workshop's six in 2 rows of 3, one alone, or a group; and the
curve notes marked on them. Drawing only: the data is the record's (record.py), where the figure
goes is the outputs' (outputs.py, choose.py). A learner's page: docs/running.md ("The window").
"""

import io
import math

import matplotlib

from visu.show import graphs as table
from visu.show.drawings import DRAWINGS, TEST_COLOR


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


class Graphs:
    """The figure's graphs, one per row of the table, by name: draw(record) hands a record's
    data to their drawings, show_graphs chooses which of them fill the figure, mark_notes circles
    what the curve notes point at. A graph's panel is an axes, or a panel of several (what the
    network learned).

    titles: {graph name: title} for the ones a step titles otherwise (MnistDataVis(title4=...))."""

    def __init__(self, figure, titles=None):
        table.check_keys(matplotlib.rcParamsDefault)  # a new graph's key, none of matplotlib's
        self.fig = figure
        titles = {**{graph.name: graph.title for graph in table.GRAPHS}, **(titles or {})}
        self.drawings = {
            graph.name: DRAWINGS[graph.kind](figure, graph, titles[graph.name])
            for graph in table.GRAPHS
        }
        self.panels = {name: drawing.panel for name, drawing in self.drawings.items()}
        self.axes = list(self.panels.values())  # in the table's order: axes[0] is graph 1
        self._note_marks = []  # what mark_notes drew
        self._live_note = None  # what show_note wrote
        self.show_graphs(table.SIX)

    def show_note(self, text):
        """A note on the run as it trains (visu/explain/start.py), across the foot of the figure."""
        if self._live_note is None:
            self._live_note = self.fig.text(
                0.005, 0.003, "", fontsize=8, color="darkred", va="bottom", wrap=True
            )
        self._live_note.set_text(text)

    def draw_against(self, reference):
        """--against: a reference run's curves (visu/reference.py), faint, behind the run's own on
        the graphs of curves (1 and 2)."""
        for drawing in self.drawings.values():
            drawing.draw_against(reference)

    def draw(self, record):
        """Hands the record's data to the graphs' artists (the canvas draws them after)."""
        last = record.last_iteration()
        for drawing in self.drawings.values():
            drawing.draw(record, last)

    def _curves_of(self, column):
        """The panel of the graph of curves that shows this column of the record's curves (the
        curve notes read the test accuracy, column 1, and the test loss, column 2)."""
        return next(
            self.panels[graph.name]
            for graph in table.GRAPHS
            if graph.kind == "curves" and graph.settings["column"] == column
        )

    def mark_notes(self, found, last):
        """Marks on graphs 1 and 2 what the curve notes (notes.read_curves) found: the best test
        accuracy, the lowest test loss when the network overfits, a stretch near chance."""
        for mark in self._note_marks:
            mark.remove()
        self._note_marks = []
        for kind, figures in found:
            if kind == "best":
                accuracy = self._curves_of(1)
                self._mark_point(
                    accuracy, figures["i"], figures["accuracy"], -1, "best: %.4f", last
                )
            elif kind == "overfitting":
                label = "lowest test loss: %.2f"
                self._mark_point(
                    self._curves_of(2), figures["i"], figures["lowest"], 1, label, last
                )
            elif kind in ("slow_start", "near_chance", "not_learning"):
                start, stop = figures["start"], figures["stop"]
                accuracy = self._curves_of(1)
                self._note_marks.append(accuracy.axvspan(start, stop, color="0.88"))
                middle = (start + stop) / 2
                self._note_marks.append(
                    accuracy.text(middle, 0.03, "near chance", ha="center", color="0.4")
                )

    def _mark_point(self, ax, i, value, side, label, last):
        """A circle around a point of the test curve, labelled above (side 1) or below (-1),
        towards the middle of the graph."""
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
        shown = [graph.name for graph in table.GRAPHS if graph.name in names]
        for name, box in zip(shown, grid_boxes(len(shown))):
            self.panels[name].set_position(box)
            self.panels[name].set_visible(True)

    def png(self):
        """The figure as PNG bytes, quickly compressed (a notebook shows one every second)."""
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

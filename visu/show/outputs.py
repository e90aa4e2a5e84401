"""The outputs: where the graphs go while the network trains. Each implements Output, the small
interface the training loop calls (tensorflowvisu.MnistDataVis.animate): the window, the
notebook's image and ipympl's widget (the live views), the PNG at the end, the movie
(--save-movie), and the TensorBoard log (tensorboard.py). choose.py picks the view; backends.py
makes the figure it draws on. A learner's page: docs/running.md ("The window").
"""

import os
import pathlib
import sys
import tempfile
import time

import matplotlib.animation
import matplotlib.pyplot as plt

from visu.show import graphs as table

DRAW_SHARE = 0.2  # a window spends at most this share of the time redrawing
# ... but waits no longer than this after a redraw: on a busy machine, where one redraw takes
# seconds, the share alone would leave the window on its first frame for minutes.
MAX_WAIT_S = 2.0
# A notebook's image, a tenth: a fifth would leave training 80% of its speed at best, and each
# frame also costs the kernel and the browser time to send and show it.
NOTEBOOK_DRAW_SHARE = 0.1

# What a view says instead of "the graphs change while the network trains" when --restore
# loaded a network: nothing trains, and the graphs are what the saved run recorded.
RESTORED_GRAPHS = "The graphs %s are the saved run's, as it recorded them."


class Output:
    """What the training loop calls on every output, in this order: start() once, update() after
    every iteration, finish() once at the end. Between them the keys call set_paused() and
    redraw_now(), which only the live views act on."""

    closed = False  # True once the user closed it (a window): the training stops
    paused = False  # True while Space froze the display (training goes on)

    def start(self):
        """Before the first iteration."""

    def update(self):
        """After every iteration: reads the run's record and acts only on what is new."""

    def finish(self):
        """Once at the end, however the run ended (trained, stopped, or failed)."""

    def set_paused(self, paused):
        """Space: the display frozen, or going on again."""
        self.paused = paused

    def redraw_now(self):
        """After a key changed the graphs: shown now, paused or not."""


class DrawBudget:
    """Keeps the time spent drawing to `share` of the whole: after a redraw that took t seconds,
    the next one waits until t / share seconds after it started, or MAX_WAIT_S after it ended if
    that comes first. It drops frames, never all of them: a new one every t + MAX_WAIT_S at most."""

    def __init__(self, share):
        self._share, self._next = share, 0.0  # _next: a perf_counter time

    def due(self):
        return time.perf_counter() >= self._next

    def spend(self, draw):
        start = time.perf_counter()
        draw()
        end = time.perf_counter()
        self._next = min(start + (end - start) / self._share, end + MAX_WAIT_S)

    def now(self):
        self._next = 0.0


class LiveView(Output):
    """What the live views share: redraw when the record has new data and the budget allows (at
    once when a key asks), never while paused."""

    draw_share = DRAW_SHARE

    def __init__(self, graphs, record):
        self.graphs, self.record, self.paused = graphs, record, False
        self._budget = DrawBudget(self.draw_share)
        self._drawn = -1  # the record's changes at the last redraw

    def update(self):
        if self.closed:
            return
        if self.record.changes != self._drawn and self._budget.due() and not self.paused:
            self._budget.spend(self._redraw)
        else:
            self._idle()

    def redraw_now(self):
        """After a key changed the graphs: show it now, paused or not."""
        if not self.closed:
            self._budget.now()
            self._budget.spend(self._redraw)

    def _redraw(self):
        self._drawn = self.record.changes
        self.graphs.draw(self.record)  # part of the drawing time: it rebuilds the bands
        self._draw()

    def _idle(self):
        pass


class WindowView(LiveView):
    """A live window on the screen; between redraws, its keys and close button are polled about
    20 times a second."""

    def __init__(self, graphs, record, script_name):
        super().__init__(graphs, record)
        self._script_name, self._next_poll = script_name, 0.0
        graphs.fig.canvas.mpl_connect("close_event", self._on_close)
        self._show_title()

    def _on_close(self, event):
        self.closed = True

    def _show_title(self):
        note = " - paused, Space to resume" if self.paused else ""
        self.graphs.fig.canvas.manager.set_window_title(
            "%s%s   (%s)" % (self._script_name, note, table.title_keys())
        )

    def start(self):
        plt.show(block=False)
        print(table.keys_help())

    def _draw(self):
        self.graphs.fig.canvas.draw()
        # The title says "paused" once the graphs it froze are drawn (Space redraws them at once),
        # never before: what the learner reads in the title is what the window shows.
        self._show_title()
        self.graphs.fig.canvas.flush_events()

    def _idle(self):
        if time.perf_counter() >= self._next_poll:
            self._next_poll = time.perf_counter() + 0.05
            self.graphs.fig.canvas.flush_events()

    def finish(self):
        if not self.closed:
            self.graphs.draw(self.record)
            self.graphs.fig.canvas.draw_idle()
            done = "These are the saved run's graphs" if self.record.restored else "Training done"
            print("%s. Close the window to exit." % done)
            plt.show()


class NotebookView(LiveView):
    """The graphs as one image in a Jupyter cell's output (Notebook, Lab, VS Code, Colab),
    replaced in place while training: one display, updated, never a new image per frame. The
    figure is not pyplot's, so the inline backend never shows it a second time."""

    draw_share = NOTEBOOK_DRAW_SHARE

    def __init__(self, graphs, record):
        super().__init__(graphs, record)
        self._handle = None

    def start(self):
        if self.record.restored:
            print(RESTORED_GRAPHS % "below")
        else:
            print(
                "The graphs below change while the network trains; interrupting the kernel stops "
                "it. Fewer graphs: --graphs 3 or --graphs 1,2; what it learned: --graphs W."
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


class WidgetView(LiveView):
    """The interactive figure of %matplotlib widget (ipympl) in a notebook cell, redrawn while
    training. Its keys and toolbar act once the cell has finished: a kernel reads the front end's
    messages only between cells, so during training --graphs chooses the graphs."""

    draw_share = NOTEBOOK_DRAW_SHARE

    def start(self):
        from IPython.display import display  # only ever used inside a Jupyter kernel

        if self.record.restored:
            print(RESTORED_GRAPHS % "below")
        else:
            print(
                "The figure below changes while the network trains; its keys work once training "
                "is done. Fewer graphs: --graphs 3 or --graphs 1,2; what it learned: --graphs W."
            )
        display(self.graphs.fig.canvas)  # the widget, in this cell's output

    def _draw(self):
        sys.stdout.flush()  # the progress lines so far, before the image (which is not buffered)
        self.graphs.fig.canvas.draw()
        self.graphs.fig.canvas.manager.refresh_all()  # sends the new image to the front end now

    def finish(self):
        self._redraw()


class PngView(Output):
    """No live graphs: training runs all the same, and the final ones are saved as a PNG, then
    shown by `show` if given (a notebook cell's output, or an IDE's own backend)."""

    def __init__(self, graphs, record, reason, path, show=None):
        self.graphs, self.record = graphs, record
        self.reason, self.path, self._show = reason, path, show

    def start(self):
        if not self.record.restored:
            print(
                "No window: %s. Training runs all the same; the graphs are saved at the end."
                % self.reason
            )
        elif self._show:
            print("No window: %s. %s" % (self.reason, RESTORED_GRAPHS % "shown at the end"))
        else:  # they were saved as a PNG when that run trained
            print(
                "No window: %s. The graphs are the saved run's, saved as a PNG when it trained: "
                "none saved this time." % self.reason
            )

    def finish(self):
        if self.record.restored and not self._show:
            return  # start() said so: saving them again would only add a second to --try
        self.graphs.draw(self.record)
        path = unused_path(self.path)  # an earlier run's graphs are kept, never replaced
        self.graphs.fig.savefig(path)
        kept = " (%s, an earlier run's, is kept)" % self.path.name if path != self.path else ""
        print("The graphs were saved to %s%s" % (path, kept))
        if self._show:
            self._show(path)


class MovieRecorder(Output):
    """--save-movie: one frame per test update, MP4 through ffmpeg, else an animated GIF."""

    def __init__(self, graphs, record, output_path):
        self.graphs, self.record = graphs, record
        if matplotlib.animation.writers.is_available("ffmpeg"):
            self._writer, self.path = matplotlib.animation.FFMpegWriter(fps=10), output_path(".mp4")
            kind = "an MP4"
        else:
            self._writer, self.path = matplotlib.animation.PillowWriter(fps=10), output_path(".gif")
            kind = "an animated GIF (ffmpeg was not found)"
        self._kind, self._tests = kind, 0  # test points filmed so far

    def start(self):
        print("Saving the movie as %s: %s" % (self._kind, self.path))
        self._writer.setup(self.graphs.fig, str(self.path), dpi=self.graphs.fig.dpi)

    def update(self):
        if len(self.record.test_curves[0]) > self._tests:
            self._tests = len(self.record.test_curves[0])
            self.graphs.draw(self.record)
            self._writer.grab_frame()

    def finish(self):
        self._writer.finish()
        print("Movie saved: %s" % self.path)


def output_path(script, suffix):
    """<script name><suffix> in the current folder, or in the temp folder if that is read-only."""
    folder = pathlib.Path.cwd()
    if not os.access(folder, os.W_OK):
        folder = pathlib.Path(tempfile.gettempdir())
    return folder / (script.stem + suffix)


def unused_path(path):
    """path, or where it exists, the first of path-2, path-3 ... that does not (my_2.0-2.png)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name("%s-%d%s" % (path.stem, number, path.suffix))
    return candidate

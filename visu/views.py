"""Where the graphs go while the network trains, and the one place that chooses among them.

Every output has the same small interface, called by the training loop:
  start()    before the first iteration
  update()   after every iteration; it reads the run's record and acts only on what is new
  finish()   once at the end (trained, stopped, or failed)
  closed     True once the user closed it (a window): the training stops
  paused     True while Space froze the display
The live ones (window, notebook image, widget) also have redraw_now() and set_paused(), for the
keys. The movie and the TensorBoard log (tensorboard.py) are outputs too, beside the view.
"""

import ctypes
import importlib
import os
import pathlib
import sys
import tempfile
import time

import matplotlib
import matplotlib.animation
import matplotlib.figure
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg

from visu import graphs as table
from visu.figure import Graphs
from visu.options import KEYS_HELP, jupyter_shell

FIGURE_LABEL = "tensorflowvisu"  # names the project's figures among the ones pyplot manages
FIGSIZE = (19.2, 10.8)  # inches: 1344x756 pixels at the window's 70 dpi
NOTEBOOK_FIGSIZE, NOTEBOOK_DPI = (13.0, 7.3), 80  # an image the notebook scales to its width
WIDGET_FIGSIZE = (10.0, 5.6)  # ipympl's figure keeps its size in pixels: 800x450 fits a cell

DRAW_SHARE = 0.2  # a window spends at most this share of the time redrawing
# ... but waits no longer than this after a redraw: on a busy machine, where one redraw takes
# seconds, the share alone would leave the window on its first frame for minutes.
MAX_WAIT_S = 2.0
# A notebook's image, a tenth: a fifth would leave training 80% of its speed at best, and each
# frame also costs the kernel and the browser time to send and show it.
NOTEBOOK_DRAW_SHARE = 0.1

# The backends of Jupyter's front ends: inline images, and ipympl's (or nbagg's) live figure.
# What a view says instead of "the graphs change while the network trains" when --restore
# loaded a network: nothing trains, and the graphs are what the saved run recorded.
RESTORED_GRAPHS = "The graphs %s are the saved run's, as it recorded them."
INLINE_BACKENDS = ("module://matplotlib_inline.backend_inline", "inline")
WIDGET_BACKENDS = ("module://ipympl.backend_nbagg", "widget", "ipympl")


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


class LiveView:
    """What the live views share: redraw when the record has new data and the budget allows (at
    once when a key asks), never while paused."""

    closed = False
    draw_share = DRAW_SHARE

    def __init__(self, graphs, record):
        self.graphs, self.record, self.paused = graphs, record, False
        self._budget = DrawBudget(self.draw_share)
        self._drawn = -1  # the record's changes at the last redraw

    def set_paused(self, paused):
        self.paused = paused

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
        print(KEYS_HELP)

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


class PngView:
    """No live graphs: training runs all the same, and the final ones are saved as a PNG, then
    shown by `show` if given (a notebook cell's output, or an IDE's own backend)."""

    closed = paused = False

    def __init__(self, graphs, record, reason, path, show=None):
        self.graphs, self.record = graphs, record
        self.reason, self.path, self._show = reason, path, show

    def set_paused(self, paused):
        self.paused = paused  # changes nothing here: there is no live display to pause

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

    def update(self):
        pass

    def redraw_now(self):
        pass

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


class MovieRecorder:
    """--save-movie: one frame per test update, MP4 through ffmpeg, else an animated GIF."""

    closed = paused = False

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


def qt_cannot_start():
    """Why Qt's X window cannot start on this Linux machine, or None when it can (or may: another
    system, Wayland, another platform asked for). Qt 6.5 and later need X libraries that pip does
    not install (libxcb-cursor0), and without them Qt ends the process when the window opens:
    loading its X plugin's library first says what is missing, without ending anything."""
    if not sys.platform.startswith("linux") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    if os.environ.get("QT_QPA_PLATFORM", "xcb") != "xcb":
        return None
    try:
        from matplotlib.backends.qt_compat import QtCore  # the binding matplotlib will use

        info = QtCore.QLibraryInfo
        if hasattr(info, "path"):  # Qt 6
            plugins = info.path(info.LibraryPath.PluginsPath)
        else:  # Qt 5
            plugins = info.location(info.PluginsPath)
    except Exception:  # no binding, or one that says nothing: Qt will tell for itself
        return None
    plugin = pathlib.Path(plugins) / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as error:
        return str(error).strip()
    return None


def _instead_of_qt(missing):
    """Switches pyplot to Tk's window when Qt's cannot start; returns the one line that says so,
    or raises ImportError when Tk cannot either."""
    plt.switch_backend("TkAgg")
    return (
        "Qt's window cannot start here (%s): Qt 6.5 and later need a system package on Linux that "
        "pip does not install (Debian, Ubuntu: sudo apt install libxcb-cursor0; Fedora: sudo dnf "
        "install xcb-util-cursor). The graphs use Tk's window instead." % missing
    )


def window_figure(dpi=70, say=print):
    """(figure, None) with a pyplot figure in a live window, or (figure or None, why there is
    none). A figure without a window comes back only where its backend shows figures itself (an
    IDE's module:// backend, on plt.show()). choose_view and check_setup.py both ask this.
    say: what tells the learner that Qt's window, which cannot start here, gave way to Tk's."""
    backend = matplotlib.get_backend()
    if backend.lower().startswith("qt"):
        missing = qt_cannot_start()
        if missing:
            try:
                say(_instead_of_qt(missing))
            except ImportError:  # no tkinter either
                return None, "Qt's window cannot start here (%s)" % missing
            backend = matplotlib.get_backend()
    if backend.lower() in INLINE_BACKENDS + WIDGET_BACKENDS and jupyter_shell() is None:
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


def offscreen_figure(dpi, figsize=FIGSIZE):
    """A figure drawn off-screen and not managed by pyplot, which would show it a second time in
    a notebook, and keep it after the run."""
    figure = matplotlib.figure.Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def widget_figure(name):
    """A figure on an ipympl canvas that pyplot does not manage: displayed once, by WidgetView,
    never again by pyplot when the cell ends, and left alone by the next run."""
    ipympl = importlib.import_module("ipympl.backend_nbagg")
    figure = matplotlib.figure.Figure(figsize=WIDGET_FIGSIZE, dpi=NOTEBOOK_DPI)
    ipympl.FigureManager(ipympl.FigureCanvas(figure), 0).set_window_title(name)  # its header
    return figure


def display_in_cell(path):
    from IPython.display import Image, display

    display(Image(filename=str(path)))


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


def choose_view(options, record, titles, dpi=70):
    """The graphs and the view that shows them, from the options and where the script runs: a
    window, a notebook cell (an image or ipympl's widget), or a PNG at the end. titles: {graph
    name: title} where the step gives its own."""
    name, png = options.script.stem, output_path(options.script, ".png")
    if jupyter_shell() is not None:
        backend = matplotlib.get_backend().lower()
        if options.no_window:
            graphs = Graphs(offscreen_figure(dpi), titles)
            return graphs, PngView(graphs, record, "--no-window", png, show=display_in_cell)
        if backend in WIDGET_BACKENDS:
            graphs = Graphs(widget_figure(name), titles)
            return graphs, WidgetView(graphs, record)
        if backend not in INLINE_BACKENDS:  # %matplotlib qt or tk: a real window
            figure, reason = window_figure(dpi)
            if figure is not None:
                graphs = Graphs(figure, titles)
                return graphs, WindowView(graphs, record, name)
        graphs = Graphs(offscreen_figure(NOTEBOOK_DPI, NOTEBOOK_FIGSIZE), titles)
        return graphs, NotebookView(graphs, record)
    figure, reason = (None, "--no-window") if options.no_window else window_figure(dpi)
    if figure is None:
        graphs = Graphs(offscreen_figure(dpi), titles)
        return graphs, PngView(graphs, record, reason, png)
    graphs = Graphs(figure, titles)
    if reason is None:
        return graphs, WindowView(graphs, record, name)
    show = lambda path: plt.show()  # noqa: E731 (an IDE's backend shows the figure itself)
    return graphs, PngView(graphs, record, reason, png, show=show)

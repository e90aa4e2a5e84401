"""Where a figure can be drawn: a window of pyplot's backend (Qt's diagnosed before it opens, Tk's
instead where Qt cannot start), a figure off-screen (the notebook's image, the PNG), or ipympl's
widget. The outputs (outputs.py) draw on what these make; choose.py and check_setup.py ask
window_figure whether a window can open. A learner's page: docs/setup-and-tests.md ("Where the
graphs show, and how each is checked").
"""

import ctypes
import importlib
import os
import pathlib
import sys

import matplotlib
import matplotlib.figure
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg

from visu.options import jupyter_shell

FIGURE_LABEL = "tensorflowvisu"  # names the project's figures among the ones pyplot manages
FIGSIZE = (19.2, 10.8)  # inches: 1344x756 pixels at the window's 70 dpi
NOTEBOOK_FIGSIZE, NOTEBOOK_DPI = (13.0, 7.3), 80  # an image the notebook scales to its width
WIDGET_FIGSIZE = (10.0, 5.6)  # ipympl's figure keeps its size in pixels: 800x450 fits a cell

# The backends of Jupyter's front ends: inline images, and ipympl's (or nbagg's) live figure.
INLINE_BACKENDS = ("module://matplotlib_inline.backend_inline", "inline")
WIDGET_BACKENDS = ("module://ipympl.backend_nbagg", "widget", "ipympl")


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
    IDE's module:// backend, on plt.show()). choose.py and check_setup.py both ask this.
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

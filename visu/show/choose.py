"""The one place that chooses where the graphs go, from the run options and where the script
runs: a window, a notebook cell (an image or ipympl's widget), or a PNG at the end. Every choice
is an Output (outputs.py) drawing on a figure that backends.py makes. A learner's page:
docs/running.md ("The window"), docs/notebook.md.
"""

import matplotlib
import matplotlib.pyplot as plt

from visu.options import jupyter_shell
from visu.show.backends import (
    INLINE_BACKENDS,
    NOTEBOOK_DPI,
    NOTEBOOK_FIGSIZE,
    WIDGET_BACKENDS,
    offscreen_figure,
    widget_figure,
    window_figure,
)
from visu.show.figure import Graphs
from visu.show.outputs import NotebookView, PngView, WidgetView, WindowView, output_path


def display_in_cell(path):
    from IPython.display import Image, display

    display(Image(filename=str(path)))


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

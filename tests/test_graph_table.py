"""A graph is one row of the table (visu/show/graphs.py) and, for a new kind, its drawing
(visu/show/drawings.py): a graph of a new kind added to a copy of the table reaches the window,
its key, --help, --graphs, the TensorBoard log and the docs' table of the keys with nothing else
changed; and a key that matplotlib already uses is refused."""

import sys

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import matplotlib.backend_bases  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from conftest import ROOT  # noqa: E402
from visu.record import Record  # noqa: E402
from visu.show import drawings, graphs  # noqa: E402
from visu.show.backends import offscreen_figure  # noqa: E402
from visu.show.figure import Graphs  # noqa: E402
from visu.show.tensorboard import TensorBoardLog  # noqa: E402

sys.path.insert(0, str(ROOT / "docs"))  # the generator of the docs' tables
import step_tables  # noqa: E402

CLOSE_UP = graphs.Graph(
    "close_up", "Misrecognised close up", "Z", "close_up",
    "the first misrecognised test digits, larger", {"rows": 2},
)  # fmt: skip


class CloseUp(drawings.Drawing):
    """A new kind of graph: the test mosaic's first rows (the misrecognised digits), enlarged."""

    LOGGED_AS = "image"

    def draw(self, record, last):
        picture = self.logged(self.graph, record)
        if picture is not None and self.panel.get_images():
            self.panel.get_images()[0].set_data(picture)
        elif picture is not None:
            self.panel.imshow(picture)

    @staticmethod
    def logged(graph, record):
        mosaic = record.mosaics.get("test_digits")
        return None if mosaic is None else mosaic[: 28 * graph.settings["rows"], : 28 * 8]


@pytest.fixture
def new_graph(monkeypatch):
    """The table with one more row, and its kind's drawing registered; both undone after."""
    monkeypatch.setattr(graphs, "GRAPHS", graphs.GRAPHS + (CLOSE_UP,))
    monkeypatch.setitem(drawings.DRAWINGS, "close_up", CloseUp)
    return CLOSE_UP


def a_record():
    record = Record()
    record.add_training(0, 0.1, 230.0)
    record.add_test(0, 0.1, 231.0)
    record.set_mosaic("test_digits", np.random.default_rng(0).random((700, 1120, 3)))
    return record


def test_a_new_graph_shows_in_the_window_on_its_key(new_graph, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    options = tensorflowvisu.parse_run_options(
        ["--no-window"], script=tmp_path / "mnist_test_step.py"
    )
    vis = tensorflowvisu.MnistDataVis(options)
    panel = vis.graphs.panels["close_up"]
    assert panel.get_title() == "Misrecognised close up" and not panel.get_visible()
    canvas = vis.graphs.fig.canvas
    canvas.callbacks.process(
        "key_press_event", matplotlib.backend_bases.KeyEvent("key_press_event", canvas, "z")
    )
    shown = [name for name, each in vis.graphs.panels.items() if each.get_visible()]
    assert shown == ["close_up"] and panel.get_position().width > 0.9
    vis.record.set_mosaic("test_digits", a_record().mosaics["test_digits"])
    vis.graphs.draw(vis.record)
    assert panel.get_images()[0].get_array().shape[:2] == (56, 224)
    assert "Z" in graphs.title_keys()


def test_a_new_graph_is_in_help_and_graphs_takes_its_key(new_graph, capsys):
    with pytest.raises(SystemExit):
        tensorflowvisu.parse_run_options(["--help"])
    assert "Z  Misrecognised close up" in capsys.readouterr().out
    assert tensorflowvisu.parse_run_options(["--graphs", "Z"]).graphs == ["close_up"]
    assert tensorflowvisu.parse_run_options(["--graphs", "1,z"]).graphs == ["accuracy", "close_up"]


def test_a_new_graph_is_logged_for_tensorboard_as_its_drawing_says(new_graph, tmp_path):
    record = a_record()
    log = TensorBoardLog(record, tmp_path, "run", {}, tf.Graph())
    log.update()
    log.finish()
    (events,) = (tmp_path / "run").glob("events.out.tfevents.*")
    images = {
        value.tag: value.image
        for event in tf.train.summary_iterator(str(events))
        for value in event.summary.value
        if value.WhichOneof("value") == "image"
    }
    assert (images["misrecognised_close_up"].height, images["misrecognised_close_up"].width) == (
        56,
        224,
    )
    assert "test_digits" in images


def test_a_new_graph_is_in_the_docs_table_of_the_keys(new_graph):
    row = "| Z | **Misrecognised close up**: the first misrecognised test digits, larger |"
    assert row in step_tables.keys_table().splitlines()
    assert row not in (ROOT / "docs/running.md").read_text(encoding="utf-8")  # not yet written


def test_a_key_that_matplotlib_already_uses_is_refused(monkeypatch):
    monkeypatch.setattr(graphs, "GRAPHS", graphs.GRAPHS + (CLOSE_UP._replace(key="C"),))
    monkeypatch.setitem(drawings.DRAWINGS, "close_up", CloseUp)
    assert graphs.keys_taken(matplotlib.rcParamsDefault) == ["c"]  # matplotlib's "back"
    with pytest.raises(ValueError, match="'c'"):
        Graphs(offscreen_figure(70))


def test_the_tables_keys_are_none_of_matplotlibs_own():
    assert graphs.keys_taken(matplotlib.rcParamsDefault) == []
    assert graphs.keys_taken(matplotlib.rcParams) == []

"""A loss that is not a number stops the training with one paragraph, a non-zero exit and the graphs
so far saved; the window, the PNG and the movie draw NaN and infinite values without error."""

import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from conftest import ROOT  # noqa: E402
from visu.notes import read_curves  # noqa: E402
from visu.record import Record, percentile_bands  # noqa: E402
from visu.show.backends import offscreen_figure  # noqa: E402
from visu.show.figure import Graphs  # noqa: E402
from visu.show.outputs import MovieRecorder, WindowView  # noqa: E402

PROGRESS_LINE = re.compile(r"^(\d+): .*loss: (\S+)", re.M)


def test_a_learning_rate_too_high_stops_step_1_0_at_the_first_nan_with_an_explanation(
    mnist_dir, tmp_path
):
    # step 1.0 as a learner would change it: a learning rate 100 times higher
    script = (ROOT / "mnist_1.0_softmax.py").read_text(encoding="utf-8")
    assert "GradientDescentOptimizer(0.005)" in script
    step = tmp_path / "mnist_1.0_softmax.py"
    step.write_text(
        script.replace("GradientDescentOptimizer(0.005)", "GradientDescentOptimizer(0.5)"),
        encoding="utf-8",
    )
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir), PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, str(step), "--no-window"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 1
    progress = PROGRESS_LINE.findall(done.stdout)
    first_nan = next(int(i) for i, loss in progress if loss == "nan")
    assert int(progress[-1][0]) == first_nan < 100  # nothing trained after it
    assert "max test accuracy:" in done.stdout
    paragraph = (
        "Training stopped at iteration %d: the training loss is nan, not a finite number"
        % (first_nan)
    )
    assert paragraph in done.stderr
    assert "learning rate too high" in done.stderr and "log(0)" in done.stderr
    assert "Traceback" not in done.stderr
    png = tmp_path / "mnist_1.0_softmax.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000


def no_window_vis(tmp_path):
    options = tensorflowvisu.parse_run_options(
        ["--no-window"], script=tmp_path / "mnist_test_step.py"
    )
    return tensorflowvisu.MnistDataVis(options)


@pytest.mark.parametrize("which, bad", [("training", np.nan), ("test", np.inf)])
def test_a_loss_not_finite_stops_the_training_at_that_iteration(
    which, bad, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    vis = no_window_vis(tmp_path)
    calls = []

    def step(i, update_test, update_train):
        calls.append(i)
        loss = bad if i == 60 else 50.0
        if update_train:
            vis.append_training_curves_data(i, 0.5, loss if which == "training" else 50.0)
        if update_test:
            vis.append_test_curves_data(i, 0.6, loss if which == "test" else 40.0)

    with pytest.raises(SystemExit) as stopped:
        vis.animate(step, iterations=1000, train_data_update_freq=20, test_data_update_freq=20)
    assert stopped.value.code == 1 and calls[-1] == 60
    out, err = capsys.readouterr()
    assert "max test accuracy: 0.6000" in out
    assert err.startswith(
        "Training stopped at iteration 60: the %s loss is %s, not a finite number" % (which, bad)
    )
    assert (tmp_path / "mnist_test_step.png").stat().st_size > 10000


def bad_values(shape, rng):
    """Values as a diverged network gives them: some NaN, some infinite, some huge."""
    values = rng.normal(size=shape).astype(np.float32)
    flat = values.reshape(-1)
    flat[::7], flat[1::7], flat[2::7] = np.nan, np.inf, -np.inf
    flat[3::7] = np.finfo(np.float32).max
    return values


def bad_record():
    """Curves, bands and both mosaics fed with NaN and infinite values, and bands that are only
    NaN, as after all weights have turned NaN."""
    record, rng = Record(), np.random.default_rng(0)
    for i, (accuracy, loss) in enumerate([(0.1, 230.0), (0.5, np.inf), (np.nan, np.nan)]):
        record.add_training(i * 10, accuracy, loss)
        record.add_test(i * 10, accuracy, loss)
        weights = bad_values(100, rng) if i < 2 else np.full(100, np.nan)
        record.add_spreads(i * 10, weights, bad_values(10, rng))
        if i == 2:
            record.bands["biases"][-1] = np.where(np.arange(8) % 2, np.inf, np.nan)
    assert np.isnan(record.bands["weights"][-1]).all()
    assert np.isnan(percentile_bands([np.inf])).all()
    record.set_mosaic("training_digits", bad_values([280, 280, 3], rng))
    record.set_mosaic("test_digits", bad_values([700, 1120, 3], rng))
    return record


def mark_notes(graphs, record):
    graphs.mark_notes(read_curves(record.train_curves, record.test_curves), 20)


def test_the_png_draws_nan_and_infinite_values(tmp_path):
    graphs, record = Graphs(offscreen_figure(dpi=40)), bad_record()
    graphs.draw(record)
    mark_notes(graphs, record)
    graphs.fig.savefig(tmp_path / "bad.png")
    assert (tmp_path / "bad.png").stat().st_size > 10000
    assert np.isfinite(graphs.axes[3].get_ylim()).all()


def test_a_movie_frame_draws_nan_and_infinite_values(tmp_path):
    graphs, record = Graphs(offscreen_figure(dpi=20)), bad_record()
    movie = MovieRecorder(graphs, record, lambda suffix: tmp_path / ("bad" + suffix))
    movie.start()
    movie.update()  # a frame for the new test points
    movie.finish()
    assert movie.path.stat().st_size > 1000


def test_the_window_draws_nan_and_infinite_values(tmp_path, monkeypatch):
    # a WindowView on a pyplot figure under Agg, whose plt.show() (where a GUI blocks until the
    # window closes) is recorded instead
    shown = []
    monkeypatch.setattr(plt, "show", lambda **kwargs: shown.append(kwargs))
    graphs, record = Graphs(plt.figure()), bad_record()
    try:
        view = WindowView(graphs, record, "mnist_test_step")
        view.start()
        view.redraw_now()  # graphs.draw(record), then draws the window
        mark_notes(graphs, record)
        view.finish()
        graphs.fig.canvas.draw()  # what the window shows at the end
    finally:
        plt.close(graphs.fig)
    assert shown == [{"block": False}, {}]

"""Every step script, run as a learner runs it: from another folder, headless, on the real MNIST."""

import contextlib
import io
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from test_against import printed

from benchmarks import harness
from conftest import ROOT
from visu import progress, reference, steps

# Each step's short run: 300 iterations, or 100 for a step slower than 200 iterations/s on the
# project's machine (the convolutional ones); and the test accuracy it must reach by then: 0.85,
# or more for the steps that get there easily. A step added to the list is run with these.
FLOORS = {"2.1": 0.90, "2.2": 0.90, "3.0": 0.90, "3.1": 0.90, "4.2": 0.90}


def short_run(step):
    return 100 if step.per_second < 200 else 300


STEPS = [(step.file, short_run(step), FLOORS.get(step.number, 0.85)) for step in steps.STEPS]


def run_step(script, *args, cwd, mnist_dir=None, env=None):
    env = dict(os.environ, MPLBACKEND="agg") if env is None else env
    if mnist_dir:
        env["MNIST_DATA_DIR"] = str(mnist_dir)
    return subprocess.run(
        [sys.executable, str(ROOT / script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
    )


@pytest.fixture(scope="module")
def headless_run(mnist_dir, tmp_path_factory):
    """A step's short run, headless, from another folder: made once, read by several tests.
    Returns (its folder, the finished process)."""
    done = {}

    def run(script):
        if script not in done:
            folder = tmp_path_factory.mktemp(script[: -len(".py")])
            iterations = dict((step, count) for step, count, _ in STEPS)[script]
            arguments = ("--no-window", "--iterations", str(iterations))
            done[script] = folder, run_step(script, *arguments, cwd=folder, mnist_dir=mnist_dir)
        return done[script]

    return run


@pytest.mark.parametrize("script, iterations, floor", STEPS)
def test_step_trains_headless_from_another_folder_and_learns(
    script, iterations, floor, headless_run
):
    folder, done = headless_run(script)
    assert done.returncode == 0, done.stderr[-3000:]
    training, tests = (
        progress.read_training_points(done.stdout),
        progress.read_test_points(done.stdout),
    )
    assert training and tests
    figures = [value for point in training + tests for value in point[1:] if value is not None]
    assert all(math.isfinite(value) for value in figures)
    assert tests[-1].i == iterations and tests[-1].epoch == iterations * 100 // 60000 + 1
    best = progress.read_max_test_accuracy(done.stdout)
    assert best == pytest.approx(max(point.accuracy for point in tests), abs=1e-4)
    assert best > floor, "%s reached only %s after %d iterations" % (script, best, iterations)
    assert (folder / script.replace(".py", ".png")).stat().st_size > 10000


@pytest.mark.parametrize("script", [step for step, _, _ in STEPS])
def test_a_steps_first_points_are_its_shipped_solutions_curves(script, headless_run):
    """The same seed trains the same way, so the points a short run prints up to iteration 20 are
    those of the full seed-0 run whose curves ship in visu/solutions/ (for --against), within what
    another processor changes. TensorFlow's two sets of CPU kernels (oneDNN's, and its own with
    TF_ENABLE_ONEDNN_OPTS=0), which one processor or another gets by default, were measured
    against each other up to iteration 20 (python benchmarks/kernel_sets.py): test accuracies up
    to 19 test images apart (step 4.2; 2.2: 10), training accuracies 1 image of a batch, losses
    1.0%. Another TensorFlow release: step 4.2 on 2.16, a loss of 20.46 at iteration 20 for
    20.21 on 2.21 (1.2%). The tolerances below are those, with room."""
    _, done = headless_run(script)
    solution = reference.against(script)
    kinds = (  # what it reads, the shipped points, images of each accuracy, their tolerance
        (progress.read_training_points, solution.train, 100, 3),
        (progress.read_test_points, solution.test, 10_000, 30),
    )
    for read, shipped, images, apart in kinds:
        points = printed(done.stdout, read)
        points = points[:, points[0] <= 20]
        assert points.shape[1] >= 1
        file = shipped[:, np.isin(shipped[0], points[0])]
        assert np.array_equal(file[0], points[0])
        assert np.allclose(file[1], points[1], rtol=0, atol=apart / images)  # accuracies
        assert np.allclose(file[2], points[2].round(2), rtol=0.05, atol=0.006)  # losses, 2 decimals


@pytest.mark.parametrize(
    "display, reason",
    [(None, "no display was found"), (":987", "the display :987 could not be opened")],
)
def test_without_a_usable_display_the_step_trains_all_the_same(
    display, reason, mnist_dir, tmp_path
):
    env = {
        name: value for name, value in os.environ.items() if name not in ("DISPLAY", "MPLBACKEND")
    }
    if display:
        env["DISPLAY"] = display
    done = run_step(
        "mnist_1.0_softmax.py", "--iterations", "20", cwd=tmp_path, mnist_dir=mnist_dir, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "No window: %s. Training runs all the same" % reason in done.stdout
    assert progress.read_max_test_accuracy(done.stdout) >= 0.1
    assert (tmp_path / "mnist_1.0_softmax.png").stat().st_size > 10000


NOTEBOOK_LIKE_BACKEND = """
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg as FigureCanvas

FigureManager = FigureManagerBase


def show(*args, **kwargs):
    print("shown inline")
"""


def test_under_a_notebook_like_backend_the_step_trains_and_shows_the_graphs_at_the_end(
    mnist_dir, tmp_path
):
    (tmp_path / "notebook_like_backend.py").write_text(NOTEBOOK_LIKE_BACKEND, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="module://notebook_like_backend", PYTHONPATH=str(tmp_path))
    done = run_step(
        "mnist_1.0_softmax.py", "--iterations", "20", cwd=tmp_path, mnist_dir=mnist_dir, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        "No window: matplotlib's module://notebook_like_backend backend draws no window"
        in done.stdout
    )
    assert done.stdout.rstrip().endswith("shown inline")
    assert (tmp_path / "mnist_1.0_softmax.png").stat().st_size > 10000


def test_learning_rate_decays_as_the_workshop_says(headless_run):
    _, done = headless_run("mnist_2.1_five_layers_relu_lrdecay.py")
    assert done.returncode == 0, done.stderr[-3000:]
    rates = {point.i: point.learning_rate for point in progress.read_training_points(done.stdout)}
    assert rates[0] == pytest.approx(0.0031)
    assert rates[40] == pytest.approx(0.0001 + 0.003 * 2.718281828 ** (-40 / 2000), rel=1e-5)
    assert rates[300] == pytest.approx(0.0001 + 0.003 * 2.718281828 ** (-300 / 2000), rel=1e-5)


def test_same_seed_gives_the_same_run_and_another_seed_another(mnist_dir, monkeypatch, tmp_path):
    """Three runs in this process, one after the other, as %run makes them in a notebook: nothing
    of one run carries over into the next."""
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    monkeypatch.chdir(tmp_path)  # where the runs save their graphs
    lines = []
    for seed in ("3", "3", "4"):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            harness.run_step(
                "mnist_2.2_five_layers_relu_lrdecay_dropout.py",
                *("--iterations", "30", "--seed", seed),
                animate="train",
                quiet=False,
            )
        lines.append(progress.progress_lines(output.getvalue()))
    assert len(lines[0]) > 4 and lines[0] == lines[1] and lines[0] != lines[2]


def test_help_lists_the_run_options_from_any_folder(tmp_path):
    done = run_step("mnist_3.1_convolutional_bigger_dropout.py", "--help", cwd=tmp_path)
    assert done.returncode == 0
    for option in ("--iterations", "--no-window", "--save-movie", "--seed"):
        assert option in done.stdout
    assert not list(tmp_path.iterdir())


def test_a_bad_option_is_a_clear_error_before_any_training(tmp_path):
    done = run_step("mnist_1.0_softmax.py", "--iterations", "-5", cwd=tmp_path)
    assert done.returncode == 2
    assert "--iterations: expected a whole number of 1 or more, got '-5'" in done.stderr
    assert "accuracy" not in done.stdout

"""--against STEP: a run drawn against a solution's curves (shipped in visu/solutions/, written by
benchmarks/run_steps.py) or against an earlier run's (a --logdir run folder), and the line that
compares them at the end. Real short runs of the steps on the real MNIST; the line's wording on
synthetic curves."""

import contextlib
import io
import os
import re
import subprocess
import sys

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from benchmarks.harness import run_step  # noqa: E402
from conftest import ROOT  # noqa: E402
from visu import progress, reference, steps  # noqa: E402

STEPS = steps.files()
TRAINING_LINE, TEST_LINE = progress.read_training_points, progress.read_test_points


def printed(text, line):
    """The progress lines of one kind as an array [3, points]: iteration, accuracy, loss."""
    return np.array([(p.i, p.accuracy, p.loss) for p in line(text)], float).reshape(-1, 3).T


def train_in_process(monkeypatch, tmp_path, step, *arguments):
    """Runs a step here, headless, from tmp_path; returns its namespace and what it printed."""
    monkeypatch.chdir(tmp_path)  # its PNG goes there
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        namespace = run_step(step, *arguments, animate="train", quiet=False)
    return namespace, output.getvalue()


def faint_lines(ax, name):
    return {line.get_label(): line for line in ax.get_lines() if line.get_label().startswith(name)}


# --- the solutions' curves --------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_every_step_ships_the_curves_of_its_full_seed_0_run(step):
    shipped = reference.SOLUTIONS / step.replace(".py", ".csv")
    curves = reference.read_curves(shipped)
    source = (ROOT / step).read_text(encoding="utf-8")
    own_count = re.search(r"parse_run_options\(iterations=(\d+)\)", source)
    assert curves.iterations == int(own_count.group(1)) == curves.test[0][-1]
    assert curves.train[0][-1] == curves.iterations
    assert np.all(np.diff(curves.train[0]) > 0) and np.all(np.diff(curves.test[0]) > 0)
    assert np.isfinite(curves.train).all() and np.isfinite(curves.test).all()
    summary = shipped.read_text(encoding="utf-8").splitlines()[0]
    assert "max test accuracy %.4f," % curves.test[1].max() in summary
    assert (reference.SOLUTIONS / step.replace(".py", ".csv")).stat().st_size < 40_000


def test_run_steps_writes_the_curves_the_step_printed_and_leaves_the_solutions(mnist_dir, tmp_path):
    shipped = {path: path.read_bytes() for path in reference.SOLUTIONS.iterdir()}
    command = [sys.executable, str(ROOT / "benchmarks" / "run_steps.py"), STEPS[0]]
    command += ["--iterations", "30", "--output-dir", str(tmp_path)]
    env = dict(os.environ, MNIST_DATA_DIR=str(mnist_dir))
    done = subprocess.run(command, capture_output=True, encoding="utf-8", env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    log = (tmp_path / "seed0" / "mnist_1.0_softmax.log").read_text(encoding="utf-8")
    curves = reference.read_curves(tmp_path / "seed0" / "mnist_1.0_softmax.csv")
    for line, points in ((TRAINING_LINE, curves.train), (TEST_LINE, curves.test)):
        expected = printed(log, line)
        assert np.array_equal(points[:2], expected[:2])
        assert np.allclose(points[2], expected[2].round(2), atol=1e-9)
    assert curves.iterations == 30 and curves.name == "1.0"
    assert {path: path.read_bytes() for path in reference.SOLUTIONS.iterdir()} == shipped


def test_a_curves_file_reads_back_what_was_written_gaps_and_not_a_number_included(tmp_path):
    train = ([0, 10, 20, 30], [0.1, 0.5, float("nan"), 0.93], [230.2583, 80.0, float("nan"), 2.5])
    test = ([0, 30], [0.0982, 0.9021], [231.0, 35.125])
    path = tmp_path / "mnist_9.9_mine.csv"
    path.write_text(
        reference.curves_text("mnist_9.9_mine.py", 3, train, test, 12.4), encoding="utf-8"
    )
    assert path.read_text(encoding="utf-8").splitlines()[:3] == [
        "# mnist_9.9_mine.py, seed 3, 30 iterations: max test accuracy 0.9021, 12 s",
        reference.COLUMNS,
        "0,0.1,230.26,0.0982,231.00",
    ]
    curves = reference.read_curves(path)
    assert curves.name == "9.9" and curves.iterations == 30 and curves.seconds == 12
    assert np.array_equal(curves.train[:2], np.array(train[:2]), equal_nan=True)
    assert np.allclose(curves.train[2], [230.26, 80.0, np.nan, 2.5], equal_nan=True)
    assert np.allclose(curves.test, [[0, 30], [0.0982, 0.9021], [231.0, 35.12]], atol=0.006)


# --- STEP: what --against takes, and what it refuses --------------------------------------------


@pytest.mark.parametrize(
    "given",
    ["2.0", "mnist_2.0_five_layers_sigmoid.py", str(ROOT / "mnist_2.0_five_layers_sigmoid.py")],
)
def test_against_takes_a_step_or_its_scripts_name(given):
    options = tensorflowvisu.parse_run_options(["--against", given])
    solution = reference.read_curves(reference.SOLUTIONS / "mnist_2.0_five_layers_sigmoid.csv")
    assert options.against.name == "2.0"
    assert np.array_equal(options.against.test, solution.test)
    assert np.array_equal(options.against.train, solution.train)


def _folder_of_runs(tmp_path):
    run = tmp_path / "runs" / "my_2.0_seed0"
    run.mkdir(parents=True)
    (run / "events.out.tfevents.1.host").write_bytes(b"")
    return tmp_path / "runs"


def _corrupt_run(tmp_path):
    (tmp_path / "events.out.tfevents.1.host").write_bytes(b"\x07" * 64)
    return tmp_path


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda tmp: "2.5", "there is no step 2.5"),
        (lambda tmp: "mnist_2.5_mine.py", "no step, step script or folder has this name"),
        (lambda tmp: _write(tmp / "my_2.0.py"), "my_2.0.py is not one of the workshop's steps"),
        (lambda tmp: _write(tmp / "notes.txt"), "this is a file, not a step nor a run folder"),
        (lambda tmp: tmp, "no TensorBoard run in this folder"),
        (_folder_of_runs, "(it holds the runs my_2.0_seed0: give one of them)"),
        (_corrupt_run, "its event file events.out.tfevents.1.host cannot be read"),
    ],
    ids=["no such step", "no such script", "a copy", "a file", "empty", "runs", "corrupt"],
)
def test_a_wrong_step_or_folder_is_one_line_saying_what_against_takes(make, says, tmp_path):
    given = str(make(tmp_path))
    with pytest.raises(SystemExit) as stopped:
        tensorflowvisu.parse_run_options(["--against", given])
    message = str(stopped.value)
    assert message.startswith("--against %s: " % given) and says in message
    assert "Give a step (%s)" % ", ".join(reference.steps()) in message
    assert list(reference.steps()) == [reference.script_label(step) for step in STEPS]
    assert "\n" not in message


def _write(path):
    path.write_text("print('mine')\n", encoding="utf-8")
    return path


def test_a_wrong_step_stops_the_script_before_the_data_loads(mnist_dir, tmp_path):
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir))
    done = subprocess.run(
        [sys.executable, str(ROOT / STEPS[0]), "--no-window", "--against", "2.5"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode != 0
    assert "Loaded MNIST" not in done.stdout + done.stderr and not TEST_LINE(done.stdout)
    assert done.stderr.strip().splitlines()[-1].startswith("--against 2.5: there is no step 2.5.")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # no PNG


# --- drawn against it, and compared at the end -----------------------------------------------


def test_a_run_against_a_step_draws_the_solutions_curves_behind_its_own_and_compares(
    mnist_dir, monkeypatch, tmp_path
):
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    step = "mnist_1.0_softmax.py"
    namespace, text = train_in_process(
        monkeypatch, tmp_path, step, "--iterations", "30", "--against", "2.0"
    )
    graphs, record = namespace["datavis"].graphs, namespace["datavis"].record
    solution = reference.against("2.0")
    for ax, column in ((graphs.axes[0], 1), (graphs.axes[1], 2)):
        own_training, own_test = ax.get_lines()[:2]  # the run's own curves, on top
        assert np.array_equal(own_test.get_xdata(), record.test_curves[0])
        faint = faint_lines(ax, "2.0, ")
        assert sorted(faint) == ["2.0, test", "2.0, training"]
        for label, points in (("2.0, training", solution.train), ("2.0, test", solution.test)):
            assert np.array_equal(faint[label].get_xdata(), points[0])
            assert np.array_equal(faint[label].get_ydata(), points[column])
            assert faint[label].get_alpha() < 1 and faint[label].get_zorder() < 2
        assert ax.get_xlim() == (0, 30)  # the run's iterations: the solution's first 30
        assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"2.0, test", "test"}
    mine, theirs = round(max(record.test_curves[1]), 4), round(solution.max_test_accuracy(30), 4)
    assert (
        "Against 2.0: max test accuracy %.4f within 30 iterations, against 2.0's %.4f within the "
        "same 30 (%s) and %.4f within its full run of 10000."
        % (mine, theirs, reference.verdict(mine, theirs, "2.0"), solution.max_test_accuracy())
        in text
    )
    assert text.index("max test accuracy:") < text.index("Against 2.0:")
    assert (tmp_path / "mnist_1.0_softmax.png").stat().st_size > 10000


def test_a_run_against_an_earlier_run_folder_draws_that_runs_curves(
    mnist_dir, monkeypatch, tmp_path
):
    monkeypatch.setenv("MNIST_DATA_DIR", str(mnist_dir))
    step, logdir = "mnist_2.1_five_layers_relu_lrdecay.py", tmp_path / "runs"
    first, _ = train_in_process(
        monkeypatch, tmp_path, step, "--iterations", "60", "--logdir", str(logdir)
    )
    folder = logdir / "mnist_2.1_five_layers_relu_lrdecay_seed0"
    second, text = train_in_process(
        monkeypatch, tmp_path, step, "--iterations", "40", "--seed", "1", "--against", str(folder)
    )
    earlier, name = first["datavis"].record, "mnist_2.1_five_layers_relu_lrdecay_seed0"
    for ax, column in (
        (second["datavis"].graphs.axes[0], 1),
        (second["datavis"].graphs.axes[1], 2),
    ):
        faint = faint_lines(ax, name + ", ")
        for which, curves in (("training", earlier.train_curves), ("test", earlier.test_curves)):
            line = faint["%s, %s" % (name, which)]
            assert np.array_equal(line.get_xdata(), curves[0])
            assert np.allclose(line.get_ydata(), curves[column], rtol=1e-6)  # float32 in the log
    best = max(earlier.test_curves[1][: earlier.test_curves[0].index(40) + 1])
    assert "against %s's %.4f within the same 40" % (name, best) in text
    assert "and %.4f within its full run of 60." % max(earlier.test_curves[1]) in text


# what the last line says of a difference within chance, and beyond it (reference.SAME_WITHIN)
NOISE = "the processor's kernels and the seed alone move it by up to 0.0025"


@pytest.mark.parametrize(
    "iterations, accuracies, says",
    [
        (
            [0, 100, 200],
            [0.1, 0.95, 0.96],
            "Against 9.9: max test accuracy 0.9600 within 200 iterations, against 9.9's 0.9500 "
            "within the same 200 (+0.0100: above 9.9, by more than chance: %s) and 0.9800 within "
            "its full run of 1000." % NOISE,
        ),
        (
            [0, 1000, 2000],
            [0.1, 0.97, 0.975],
            "Against 9.9: max test accuracy 0.9750 within 2000 iterations, against 9.9's 0.9800 "
            "within its full run of 1000 (-0.0050: below 9.9, by more than chance: %s)." % NOISE,
        ),
        (
            [0, 500, 2000],
            [0.1, 0.97999999, 0.9],  # a float32 0.98: the same as 0.9800 to 4 decimals
            "Against 9.9: max test accuracy 0.9800 within 2000 iterations, against 9.9's 0.9800 "
            "within its full run of 1000 (+0.0000: the same as 9.9; %s)." % NOISE,
        ),
        (
            [0, 1000, 2000],
            [0.1, 0.97, 0.9776],  # another processor's kernels, or another seed, land there
            "Against 9.9: max test accuracy 0.9776 within 2000 iterations, against 9.9's 0.9800 "
            "within its full run of 1000 (-0.0024: the same as 9.9; %s)." % NOISE,
        ),
        (
            [0, 1000, 2000],
            [0.1, 0.97, 0.9826],
            "Against 9.9: max test accuracy 0.9826 within 2000 iterations, against 9.9's 0.9800 "
            "within its full run of 1000 (+0.0026: above 9.9, by more than chance: %s)." % NOISE,
        ),
        (
            [0, 10, 30],
            [0.1, 0.5, 0.8],  # the reference tested at 0, then at 100 only
            "Against 9.9: max test accuracy 0.8000 within 30 iterations, against 9.9's 0.9000 "
            "within 100 (its first test after 30) and 0.9800 within its full run of 1000.",
        ),
        (
            [0, 100],
            [float("nan"), float("nan")],
            "Against 9.9: this run has no test accuracy to compare with 9.9's 0.9800.",
        ),
    ],
    ids=[
        "shorter",
        "longer",
        "equal",
        "within chance",
        "just beyond chance",
        "shorter than its first test",
        "no accuracy",
    ],
)
def test_the_last_line_compares_at_the_same_iteration_count_and_over_the_full_run(
    iterations, accuracies, says
):
    solution = reference.Curves(
        name="9.9",
        train=np.zeros((3, 0)),
        test=np.array([[0, 100, 150, 200, 500, 1000], [0.1, 0.9, 0.95, 0.94, 0.98, 0.97], [0] * 6]),
        iterations=1000,
    )
    assert reference.comparison(solution, (iterations, accuracies, [0] * 3)) == says


def test_readme_and_the_steps_page_state_the_band_the_last_line_uses():
    band = "%.4f" % reference.SAME_WITHIN
    for page in ("README.md", "docs/steps.md"):
        said = " ".join((ROOT / page).read_text(encoding="utf-8").split())
        assert "within %s" % band in said, page

"""--logdir: the runs as TensorBoard event files, read back with TensorFlow's own reader.

The step runs are real (subprocesses on the real MNIST, a few seconds each); the stops (Ctrl-C, a
loss that is not a number) are driven in this process with synthetic figures."""

import io
import json
import os
import pathlib
import re
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("agg")

import tensorflowvisu  # noqa: E402

import matplotlib.image  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

from conftest import ROOT, skip_or_fail_in_ci  # noqa: E402
from visu import progress  # noqa: E402
from visu.show.tensorboard import histogram_proto  # noqa: E402

SOFTMAX, RELU = "mnist_1.0_softmax.py", "mnist_2.1_five_layers_relu_lrdecay.py"


def run_step(script, *args, cwd, mnist_dir):
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir))
    return subprocess.run(
        [sys.executable, str(ROOT / script), "--no-window", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )


def read_run(folder):
    """{tag: [(step, value)]} of the run's single event file, and the events with a graph."""
    files = list(folder.glob("events.out.tfevents.*"))
    assert len(files) == 1, "one event stream per run folder, found %s" % files
    values, graphs = {}, []
    for event in tf.train.summary_iterator(str(files[0])):
        if event.HasField("graph_def"):
            graphs.append(event.graph_def)
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            content = value.simple_value if kind == "simple_value" else getattr(value, kind)
            values.setdefault(value.tag, []).append((event.step, content))
    return values, graphs


@pytest.fixture(scope="module")
def logged(tmp_path_factory, mnist_dir):
    """Three short runs into one DIR: step 1.0, step 2.1, then step 1.0 again (same seed)."""
    work = tmp_path_factory.mktemp("tensorboard")
    logdir = work / "runs"
    runs = {}
    for name, script, iterations in (
        ("softmax", SOFTMAX, 100),
        ("relu", RELU, 40),
        ("softmax again", SOFTMAX, 20),
    ):
        if name == "softmax again":  # what the repeat must leave untouched
            first = logdir / "mnist_1.0_softmax_seed0"
            runs["first run before the repeat"] = {p.name: p.read_bytes() for p in first.iterdir()}
        done = run_step(
            script, "--iterations", str(iterations), "--logdir", str(logdir), cwd=work,
            mnist_dir=mnist_dir,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        runs[name] = done
    return logdir, runs


def test_each_step_is_one_run_folder_named_after_the_step_and_seed(logged):
    logdir, runs = logged
    assert sorted(p.name for p in logdir.iterdir()) == [
        "mnist_1.0_softmax_seed0",
        "mnist_1.0_softmax_seed0_run2",
        "mnist_2.1_five_layers_relu_lrdecay_seed0",
    ]
    assert "TensorBoard: run written to %s" % (logdir / "mnist_1.0_softmax_seed0") in (
        runs["softmax"].stdout
    )


def test_the_same_step_and_seed_again_gets_its_own_folder_and_leaves_the_first_alone(logged):
    logdir, runs = logged
    first = logdir / "mnist_1.0_softmax_seed0"
    assert {p.name: p.read_bytes() for p in first.iterdir()} == runs["first run before the repeat"]
    values, _ = read_run(logdir / "mnist_1.0_softmax_seed0_run2")
    assert values["accuracy/test"][-1][0] == 20  # the repeat's own 20 iterations
    assert max(step for step, _ in read_run(first)[0]["accuracy/test"]) == 100


def test_the_logged_curves_are_the_printed_progress_lines(logged):
    logdir, runs = logged
    for name, folder in (("softmax", "mnist_1.0_softmax_seed0"), ("relu", RELU[:-3] + "_seed0")):
        values, _ = read_run(logdir / folder)
        printed_tests = progress.read_test_points(runs[name].stdout)
        printed_training = progress.read_training_points(runs[name].stdout)
        assert printed_tests and printed_training
        # the printed figures are float32s written in full, so they must read back exactly
        for tag, points, field in (
            ("accuracy/test", printed_tests, "accuracy"),
            ("loss/test", printed_tests, "loss"),
            ("accuracy/training", printed_training, "accuracy"),
            ("loss/training", printed_training, "loss"),
        ):
            expected = [(point.i, np.float32(getattr(point, field))) for point in points]
            assert [(step, np.float32(value)) for step, value in values[tag]] == expected, tag


def test_the_learning_rate_is_logged_where_the_step_passes_one(logged):
    logdir, runs = logged
    relu, _ = read_run(logdir / (RELU[:-3] + "_seed0"))
    printed = [
        (point.i, np.float32(point.learning_rate))
        for point in progress.read_training_points(runs["relu"].stdout)
    ]
    assert [(step, np.float32(v)) for step, v in relu["learning_rate"]] == printed
    assert printed[0] == (0, np.float32(0.0031))  # step 2.1: 0.0001 + 0.003 at iteration 0
    softmax, _ = read_run(logdir / "mnist_1.0_softmax_seed0")
    assert "learning_rate" not in softmax  # step 1.0's rate is a constant it does not pass


def test_weights_and_biases_are_histograms_at_every_training_update(logged):
    logdir, runs = logged
    values, _ = read_run(logdir / "mnist_1.0_softmax_seed0")
    training_steps = [point.i for point in progress.read_training_points(runs["softmax"].stdout)]
    for tag, count in (("weights", 784 * 10), ("biases", 10)):  # step 1.0: W [784, 10], b [10]
        assert [step for step, _ in values[tag]] == training_steps
        for _, histogram in values[tag]:
            assert histogram.num == count and sum(histogram.bucket) == count
            assert histogram.min <= histogram.bucket_limit[0] and histogram.bucket_limit[-1] == (
                histogram.max
            )
    first, last = values["weights"][0][1], values["weights"][-1][1]
    assert first.min == first.max == 0.0  # step 1.0 starts from zeros, then learns
    assert last.max - last.min > 0.01


def test_the_mosaics_are_images_at_a_few_test_updates_the_first_and_last_included(logged):
    logdir, runs = logged
    values, _ = read_run(logdir / "mnist_1.0_softmax_seed0")
    test_steps = [point.i for point in progress.read_test_points(runs["softmax"].stdout)]
    assert test_steps == [0, 10, 20, 30, 40, 50, 100]
    for tag, shape in (("training_digits", (280, 280)), ("test_digits", (700, 1120))):
        # past 0, 1, 2, 5, 10, 20, 50, 100 ... iterations: never 30 or 40
        assert [step for step, _ in values[tag]] == [0, 10, 20, 50, 100]
        image = values[tag][-1][1]
        pixels = matplotlib.image.imread(io.BytesIO(image.encoded_image_string), format="png")
        assert pixels.shape[:2] == shape == (image.height, image.width)
    repeat, _ = read_run(logdir / "mnist_1.0_softmax_seed0_run2")
    assert [step for step, _ in repeat["test_digits"]] == [0, 10, 20]  # 20: the last test update


def test_the_first_layers_weights_are_pictures_at_the_same_moments_as_the_mosaics(logged):
    logdir, _ = logged
    for folder in ("mnist_1.0_softmax_seed0", RELU[:-3] + "_seed0"):
        values, _ = read_run(logdir / folder)
        pictures = values["what_the_network_learned"]  # the graph's title, as a tag
        assert [step for step, _ in pictures] == [step for step, _ in values["test_digits"]]
        image = pictures[-1][1]
        pixels = matplotlib.image.imread(io.BytesIO(image.encoded_image_string), format="png")
        assert pixels.shape[:2] == (image.height, image.width) and image.width > image.height
        red, blue = pixels[..., 0] - pixels[..., 2], pixels[..., 2] - pixels[..., 0]
        assert (red > 0.2).any() and (blue > 0.2).any()  # weights above 0 and below


def test_the_graph_is_logged_for_the_graph_view(logged):
    logdir, _ = logged
    _, graphs = read_run(logdir / "mnist_1.0_softmax_seed0")
    assert len(graphs) == 1
    graph = tf.GraphDef.FromString(graphs[0])
    ops = {node.op for node in graph.node}
    assert {"Placeholder", "MatMul", "Softmax"} <= ops  # the model, and its training
    assert any(op.endswith("ApplyGradientDescent") for op in ops)


@pytest.mark.parametrize(
    "make_logdir",
    [
        pytest.param(lambda tmp: _file(tmp / "a_file"), id="a file"),
        pytest.param(lambda tmp: _file(tmp / "a_file") / "runs", id="a folder inside a file"),
        pytest.param(lambda tmp: "/proc/mnist_runs", id="a read-only place"),
    ],
)
def test_an_unwritable_logdir_stops_the_script_before_it_loads_data(
    make_logdir, mnist_dir, tmp_path
):
    logdir = make_logdir(tmp_path)
    done = run_step(SOFTMAX, "--logdir", str(logdir), cwd=tmp_path, mnist_dir=mnist_dir)
    assert done.returncode != 0
    assert "Loaded MNIST" not in done.stdout + done.stderr
    assert not progress.progress_lines(done.stdout)
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("--logdir %s: cannot write TensorBoard logs there (" % logdir)
    )
    assert "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] in ([], ["a_file"])  # nothing made, no PNG


def _file(path):
    path.write_text("not a folder", encoding="utf-8")
    return path


def test_a_logdir_that_does_not_exist_yet_is_created(tmp_path):
    options = tensorflowvisu.parse_run_options(["--logdir", str(tmp_path / "new" / "runs")])
    assert options.logdir == tmp_path / "new" / "runs" and options.logdir.is_dir()


# --- the log closes on every kind of stop (in this process, synthetic figures) ------------------


def _logged_vis(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the final PNG goes there
    options = tensorflowvisu.parse_run_options(["--no-window", "--logdir", str(tmp_path / "runs")])
    return tensorflowvisu.MnistDataVis(options)


def _synthetic_step(vis, losses):
    rng = np.random.default_rng(0)

    def compute_step(i, update_test, update_train):
        if update_train:
            vis.append_training_curves_data(i, 0.5, losses(i), 0.003)
            vis.append_data_histograms(i, rng.normal(size=1000), np.full(10, 0.1))
            vis.update_image1(rng.random((280, 280, 3)))
        if update_test:
            vis.append_test_curves_data(i, 0.6, losses(i))
            vis.update_image2(rng.random((700, 1120, 3)))

    return compute_step


def test_ctrl_c_still_writes_the_run_with_its_last_mosaics(tmp_path, monkeypatch, capsys):
    with tf.Graph().as_default():
        vis = _logged_vis(tmp_path, monkeypatch)
        step = _synthetic_step(vis, lambda i: 10.0)

        def interrupted(i, update_test, update_train):
            if i == 130:
                raise KeyboardInterrupt
            step(i, update_test, update_train)

        vis.animate(interrupted, 1000)
    values, graphs = read_run(tmp_path / "runs" / "test_tensorboard_seed0")
    assert [step for step, _ in values["accuracy/test"]] == [0, 100]
    assert values["accuracy/training"][-1][0] == 120
    assert [step for step, _ in values["test_digits"]] == [0, 100]
    assert len(graphs) == 1  # the graph current when MnistDataVis was made
    assert "TensorBoard: run written to" in capsys.readouterr().out


def test_a_loss_that_is_not_a_number_stops_with_the_run_written(tmp_path, monkeypatch):
    with tf.Graph().as_default():
        vis = _logged_vis(tmp_path, monkeypatch)
        compute_step = _synthetic_step(vis, lambda i: float("nan") if i >= 60 else 10.0)
        with pytest.raises(SystemExit) as stop:
            vis.animate(compute_step, 1000)
    assert stop.value.code == 1
    values, _ = read_run(tmp_path / "runs" / "test_tensorboard_seed0")
    assert values["loss/training"][-1][0] == 60 and np.isnan(values["loss/training"][-1][1])
    assert values["learning_rate"][-1] == (60, np.float32(0.003))


def test_a_histogram_leaves_out_values_that_are_not_finite():
    histogram = histogram_proto(np.array([1.0, np.nan, 3.0, np.inf, 2.0]))
    assert (histogram.min, histogram.max, histogram.num, sum(histogram.bucket)) == (1, 3, 3, 3)
    assert histogram_proto(np.array([np.nan, np.nan])) is None
    constant = histogram_proto(np.full(5, 0.1, np.float32))
    assert list(constant.bucket) == [5] and constant.min == constant.max


# --- a real TensorBoard server sees the runs (when one is installed) -----------------------------


def _tensorboard_command():
    """The tensorboard command installed with the Python running the tests (beside it, in a
    virtual environment's bin/ or Scripts/, activated or not), else $TENSORBOARD's: it only reads
    the files, so any environment's will do."""
    folders = [pathlib.Path(sys.executable).parent, pathlib.Path(sysconfig.get_path("scripts"))]
    for folder in folders:
        for name in ("tensorboard", "tensorboard.exe"):
            if (folder / name).is_file():
                return str(folder / name)
    return os.environ.get("TENSORBOARD")


def _get_json(url, wanted, seconds=60):
    """The JSON at url once wanted(it) holds: the server reads the files in the background."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                data = json.loads(response.read())
            if wanted(data):
                return data
        except urllib.error.HTTPError:  # a run it has not read yet
            pass
        assert time.monotonic() < deadline, "TensorBoard never showed what was asked: %s" % url
        time.sleep(0.5)


def test_a_real_tensorboard_server_shows_every_run_and_their_test_accuracy(logged, tmp_path):
    if not _tensorboard_command():
        skip_or_fail_in_ci("no tensorboard command (pip install tensorboard)")
    logdir, runs = logged
    output = tmp_path / "tensorboard.log"
    with open(output, "w", encoding="utf-8") as log:
        server = subprocess.Popen(
            [_tensorboard_command(), "--logdir", str(logdir), "--port", "0"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline, url = time.monotonic() + 60, None
        while url is None:  # it prints "TensorBoard 2.x at http://localhost:PORT/ (Press ..."
            assert server.poll() is None, output.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, output.read_text(encoding="utf-8")
            found = re.search(r"(http://\S+?/) ", output.read_text(encoding="utf-8"))
            url = found.group(1) if found else time.sleep(0.2)
        folders = sorted(p.name for p in logdir.iterdir())
        assert _get_json(url + "data/runs", lambda runs: sorted(runs) == folders)
        for run, name in (("mnist_1.0_softmax_seed0", "softmax"), (RELU[:-3] + "_seed0", "relu")):
            query = urllib.parse.urlencode({"run": run, "tag": "accuracy/test"})
            points = _get_json(url + "data/plugin/scalars/scalars?" + query, bool)
            printed = [
                (point.i, np.float32(point.accuracy))
                for point in progress.read_test_points(runs[name].stdout)
            ]
            assert [(step, np.float32(value)) for _, step, value in points] == printed
    finally:
        server.terminate()
        server.wait(timeout=30)

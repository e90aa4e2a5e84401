"""The trained network kept and used: --save, --restore and --try, as a learner runs them (a step
script from another folder, on the real MNIST), and visu.trained.checkpoint on small graphs."""

import os
import re
import subprocess
import sys
import types

import mnistdata

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from PIL import Image

from conftest import ROOT
from visu.trained import checkpoint

STEP = "mnist_3.1_convolutional_bigger_dropout.py"
ITERATIONS = 300  # about 0.97 on the test set: enough to read clear digits
TRAINING_LINE = re.compile(r"^\d+: accuracy:", re.M)
ANSWER = re.compile(r"^(.+): (\d) \((\d+\.\d)%\), then (\d) \((\d+\.\d)%\)$", re.M)


def run(script, *args, cwd, mnist_dir, env=None):
    env = dict(os.environ if env is None else env, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir))
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=600,
    )


def own_lines(stderr):
    """What the script itself wrote to stderr: not TensorFlow's start-up log."""
    noise = re.compile(r"^(WARNING: All log messages|[IWE]\d{4} |To enable the following)")
    return [line for line in stderr.splitlines() if line.strip() and not noise.match(line)]


def write_digit_files(folder, mnist_dir):
    """The first ten MNIST test digits as image files: PNG and JPEG, 17 to 640 pixels, half of
    them dark on light. Returns [(path, label)]."""
    test = mnistdata.read_data_sets(mnist_dir, one_hot=False).test
    sizes = [28, 56, 100, 300, 17, 640, 45, 200, 28, 150]
    files = []
    for k, size in enumerate(sizes):
        pixels = (test.images[k, :, :, 0] * 255).round().astype(np.uint8)
        picture = Image.fromarray(255 - pixels if k % 2 == 0 else pixels)
        picture = picture.resize((size, size), Image.BICUBIC)
        path = folder / ("digit%d.%s" % (k, "jpg" if k % 3 == 0 else "png"))
        picture.convert("RGB").save(path) if path.suffix == ".jpg" else picture.save(path)
        files.append((path, int(test.labels[k])))
    return files


@pytest.fixture(scope="module")
def trained(tmp_path_factory, mnist_dir):
    """A short run of step 3.1 from another folder, saved with --save and tried on ten files."""
    folder = tmp_path_factory.mktemp("learner")
    files = write_digit_files(folder, mnist_dir)
    paths = [str(path) for path, _ in files]
    done = run(
        ROOT / STEP,
        "--no-window",
        "--iterations",
        str(ITERATIONS),
        "--save",
        "kept",
        "--try",
        *paths,
        cwd=folder,
        mnist_dir=mnist_dir,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, files, done


def answers(stdout):
    """{file: (digit, probability, runner-up)} from the --try lines."""
    return {m[0]: (int(m[1]), float(m[2]), int(m[3])) for m in ANSWER.findall(stdout)}


def test_a_short_run_reads_at_least_9_of_10_mnist_digits_from_files_of_any_size_and_polarity(
    trained,
):
    folder, files, done = trained
    found = answers(done.stdout)
    assert sorted(found) == sorted(str(path) for path, _ in files), done.stdout[-3000:]
    right = [found[str(path)][0] == label for path, label in files]
    assert sum(right) >= 9, done.stdout[-3000:]
    assert "Saved the network (%d iterations) to kept: --restore kept" % ITERATIONS in done.stdout
    assert sorted(p.name for p in (folder / "kept").iterdir()) == [
        "graphs.npz",
        "network.data-00000-of-00001",
        "network.index",
        "network.json",
    ]
    assert not [p for p in folder.iterdir() if ".saving-" in p.name]  # nothing half-written


def test_restoring_gives_the_same_answers_without_training_and_bad_files_get_one_line_each(
    trained, mnist_dir
):
    folder, files, training_run = trained
    notes = folder / "notes.txt"
    notes.write_text("not a picture", encoding="utf-8")
    paths = [str(path) for path, _ in files]
    picture = folder / STEP.replace(".py", ".png")  # the graphs of the run that was saved
    saved = picture.read_bytes()
    done = run(
        ROOT / STEP,
        "--no-window",
        "--restore",
        "kept",
        "--try",
        paths[0],
        str(notes),
        "missing.png",
        *paths[1:],
        cwd=folder,
        mnist_dir=mnist_dir,
    )
    assert done.returncode == 1, "a file not classified must show in the exit status"
    assert not TRAINING_LINE.search(done.stdout), "a restored network is not trained again"
    assert "Restored the network of mnist_3.1_convolutional_bigger_dropout" in done.stdout
    assert answers(done.stdout) == answers(training_run.stdout)  # the same network
    lines = done.stdout.splitlines()
    assert "%s: not classified: not an image file that can be read (PNG or JPEG)" % notes in lines
    assert "missing.png: not classified: no such file" in lines
    best = re.compile(r"^max test accuracy: .*$", re.M)
    assert best.findall(done.stdout) == best.findall(training_run.stdout)  # its graphs came back
    # the run's lines about training and the graphs say one thing: nothing trains, the graphs
    # are the saved run's, saved when it trained
    restored = next(n for n, line in enumerate(lines) if line.startswith("Restored the network"))
    assert lines[restored : restored + 2] == [
        "Restored the network of mnist_3.1_convolutional_bigger_dropout from kept: trained for "
        "%d iterations, max test accuracy %s. No training this time."
        % (ITERATIONS, best.findall(training_run.stdout)[0].split(": ")[1]),
        "No window: --no-window. The graphs are the saved run's, saved as a PNG when it trained: "
        "none saved this time.",
    ]
    assert "Training runs all the same" not in done.stdout
    assert picture.read_bytes() == saved  # nothing trained: the saved run's graphs stay as saved
    assert not own_lines(done.stderr), done.stderr[-2000:]


def test_a_checkpoint_of_another_step_is_refused_in_one_line_naming_both(trained, mnist_dir):
    folder, _, _ = trained
    other = "mnist_2.2_five_layers_relu_lrdecay_dropout"
    done = run(ROOT / (other + ".py"), "--restore", "kept", cwd=folder, mnist_dir=mnist_dir)
    assert done.returncode == 1
    said = own_lines(done.stderr)
    assert len(said) == 1, done.stderr[-3000:]
    assert said[0].startswith("--restore kept: this checkpoint holds the network of ")
    assert "mnist_3.1_convolutional_bigger_dropout" in said[0] and other in said[0]
    assert "(W1 is [784, 200] here, [6, 6, 1, 6] in the checkpoint)" in said[0]
    assert said[0] in (ROOT / "docs" / "your-digits.md").read_text(encoding="utf-8")  # as told
    assert not TRAINING_LINE.search(done.stdout) and not (folder / (other + ".png")).exists()


def test_a_learners_copy_with_the_same_network_restores_the_steps_checkpoint(
    trained, mnist_dir, tmp_path
):
    """What matters is whether the variables fit, not the script's name: my_3.1.py, the step as
    it is under another name (a finished exercise), takes the step's checkpoint."""
    folder, files, training_run = trained
    (tmp_path / "my_3.1.py").write_text((ROOT / STEP).read_text(encoding="utf-8"), "utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # where the copy finds the shared modules
    done = run(
        tmp_path / "my_3.1.py",
        *("--no-window", "--restore", str(folder / "kept"), "--try", str(files[0][0])),
        cwd=tmp_path,
        mnist_dir=mnist_dir,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Restored the network of %s (the same variables as my_3.1's) from " % STEP[:-3] in (
        done.stdout
    )
    assert not TRAINING_LINE.search(done.stdout)
    digit = str(files[0][0])
    assert answers(done.stdout)[digit] == answers(training_run.stdout)[digit]  # the same network


def test_a_refused_checkpoint_names_the_first_variable_that_differs():
    saved = [("Variable", [6, 6, 1, 6]), ("Variable_1", [6]), ("Variable_2", [10])]
    names = {"Variable": "W1", "Variable_1": "B1"}
    wider = [("Variable", [6, 6, 1, 8]), ("Variable_1", [6]), ("Variable_2", [10])]
    assert checkpoint._first_difference(saved, wider, names, "here") == (
        "W1 is [6, 6, 1, 8] here, [6, 6, 1, 6] in the checkpoint"
    )
    more = saved + [("Variable_3", [10])]
    assert checkpoint._first_difference(saved, more, names, "now") == (
        "Variable_3 [10] is not in the checkpoint"
    )
    assert checkpoint._first_difference(saved, saved[:2], names, "here") == (
        "Variable_2 [10] is in the checkpoint only"
    )


def test_a_checkpoint_of_the_network_before_it_was_changed_is_refused_in_one_line(
    trained, mnist_dir, tmp_path
):
    folder, _, _ = trained
    # a learner's copy of the step, with 8 channels in its first layer instead of 6
    source = (ROOT / STEP).read_text(encoding="utf-8")
    changed = source.replace("K, L, M, N = 6, 12, 24, 200", "K, L, M, N = 8, 12, 24, 200")
    assert changed != source
    (tmp_path / STEP).write_text(changed, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # where the copy finds the shared modules
    done = run(
        tmp_path / STEP,
        "--restore",
        str(folder / "kept"),
        cwd=tmp_path,
        mnist_dir=mnist_dir,
        env=env,
    )
    assert done.returncode == 1
    said = own_lines(done.stderr)
    assert len(said) == 1, done.stderr[-3000:]
    assert "the network of mnist_3.1_convolutional_bigger_dropout has changed" in said[0]
    assert "(W1 is [6, 6, 1, 8] now, [6, 6, 1, 6] in the checkpoint)" in said[0]  # its name


def test_save_into_a_folder_of_other_files_is_refused_before_training(mnist_dir, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "holiday.jpg").write_bytes(b"not mine to replace")
    done = run(ROOT / STEP, "--save", "photos", cwd=tmp_path, mnist_dir=mnist_dir)
    assert done.returncode == 1
    assert own_lines(done.stderr) == [
        "--save photos: this folder holds other files, which a save would replace. Give a new "
        "folder, or one an earlier --save made."
    ]
    assert (tmp_path / "photos" / "holiday.jpg").read_bytes() == b"not mine to replace"
    assert "accuracy" not in done.stdout


def test_restore_from_a_folder_without_a_checkpoint_says_so(mnist_dir, tmp_path):
    (tmp_path / "empty").mkdir()
    done = run(ROOT / STEP, "--restore", "empty", cwd=tmp_path, mnist_dir=mnist_dir)
    assert done.returncode == 1
    assert own_lines(done.stderr) == [
        "--restore empty: no checkpoint there (no network.json). Train a step with --save DIR "
        "first."
    ]


def test_a_learners_step_without_the_classifiers_line_is_told_the_line_before_training(
    mnist_dir, tmp_path
):
    source = (ROOT / "mnist_1.0_softmax.py").read_text(encoding="utf-8")
    kept = [line for line in source.splitlines(True) if "the network's answer" not in line]
    kept = [line for line in kept if "set_classifier" not in line]
    assert len(kept) == len(source.splitlines()) - 2
    (tmp_path / "my_network.py").write_text("".join(kept), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = run(
        tmp_path / "my_network.py",
        "--no-window",
        "--try",
        "seven.png",
        cwd=tmp_path,
        mnist_dir=mnist_dir,
        env=env,
    )
    assert done.returncode == 1 and not TRAINING_LINE.search(done.stdout)
    said = own_lines(done.stderr)
    assert said[0].startswith("--try needs the network's answer, which this script does not give")
    assert "    datavis.set_classifier(lambda images: sess.run(Y, {X: images}), sess)" in said
    assert not any("Traceback" in line for line in said)


def test_a_classifiers_line_that_does_not_fit_the_network_is_explained_before_training(
    mnist_dir, tmp_path
):
    source = (ROOT / "mnist_2.2_five_layers_relu_lrdecay_dropout.py").read_text(encoding="utf-8")
    line = "sess.run(Y, {X: images, pkeep: 1.0})"
    assert line in source
    (tmp_path / "my_network.py").write_text(
        source.replace(line, "sess.run(Y, {X: images})"), encoding="utf-8"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = run(
        tmp_path / "my_network.py", "--try", "seven.png", cwd=tmp_path, mnist_dir=mnist_dir, env=env
    )
    assert done.returncode == 1 and not TRAINING_LINE.search(done.stdout)
    said = own_lines(done.stderr)
    assert len(said) == 1 and "The placeholder pkeep (float32) was not given a value" in said[0]
    assert "my_network.py, line " in said[0]


# --- visu.trained.checkpoint on small graphs ----------------------------------------------------


def small_network(first_layer=3):
    """A graph with two variables, and a session where they hold random values."""
    graph = tf.Graph()
    with graph.as_default():
        tf.Variable(tf.truncated_normal([4, first_layer]))
        tf.Variable(tf.ones([first_layer]) / 10)
        session = tf.Session(graph=graph)
        session.run(tf.global_variables_initializer())
    return graph, session


def values(graph, session):
    with graph.as_default():
        return session.run(tf.global_variables())


def test_save_then_restore_gives_the_same_values_and_the_graphs_arrays(tmp_path):
    graph, session = small_network()
    arrays = {"train_curves": np.arange(6.0).reshape(3, 2)}
    with graph.as_default():
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 20, 0.5, arrays)
    other_graph, other_session = small_network()
    assert not np.array_equal(values(graph, session)[0], values(other_graph, other_session)[0])
    with other_graph.as_default():
        about, restored = checkpoint.restore(other_session, tmp_path / "kept", "mnist_x")
    for saved, loaded in zip(values(graph, session), values(other_graph, other_session)):
        np.testing.assert_array_equal(saved, loaded)
    np.testing.assert_array_equal(restored["train_curves"], arrays["train_curves"])
    assert about["iterations"] == 20 and about["variables"] == [
        ("Variable", [4, 3]),
        ("Variable_1", [3]),
    ]
    with other_graph.as_default():  # the same variables, by another script: a learner's copy
        assert checkpoint.restore(other_session, tmp_path / "kept", "my_x")[0]["step"] == "mnist_x"


def test_a_save_replaces_the_earlier_one_and_a_failed_save_leaves_it_whole(tmp_path):
    graph, session = small_network()
    with graph.as_default():
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 10, 0.5)
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 20, 0.6)
    assert checkpoint.read_about(tmp_path / "kept")["iterations"] == 20
    before = {p.name: p.read_bytes() for p in (tmp_path / "kept").iterdir()}
    session.close()  # the next save cannot read the variables
    with graph.as_default(), pytest.raises(RuntimeError):
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 30, 0.7)
    assert {p.name: p.read_bytes() for p in (tmp_path / "kept").iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # no partial folder left


def test_a_changed_network_is_refused_before_tensorflow_reads_the_checkpoint(tmp_path):
    graph, session = small_network(first_layer=3)
    with graph.as_default():
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 10, 0.5)
    graph, session = small_network(first_layer=5)
    with graph.as_default(), pytest.raises(checkpoint.RefusedCheckpoint) as refused:
        checkpoint.restore(session, tmp_path / "kept", "mnist_x")
    assert str(refused.value) == (
        "the network of mnist_x has changed since this checkpoint was saved (Variable is [4, 5] "
        "now, [4, 3] in the checkpoint): train it again with --save."
    )
    with graph.as_default(), pytest.raises(checkpoint.RefusedCheckpoint) as refused:
        checkpoint.restore(session, tmp_path / "kept", "my_x")  # another script's network
    assert str(refused.value) == (
        "this checkpoint holds the network of mnist_x, whose variables are not those of my_x "
        "(Variable is [4, 5] here, [4, 3] in the checkpoint): restore it with mnist_x, or train "
        "my_x with --save."
    )


def test_a_damaged_checkpoint_is_refused_in_one_line(tmp_path):
    graph, session = small_network()
    with graph.as_default():
        checkpoint.save(session, tmp_path / "kept", "mnist_x", 10, 0.5)
    data = tmp_path / "kept" / "network.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:10])  # cut short, as a full disk leaves it
    graph, session = small_network()
    with graph.as_default(), pytest.raises(checkpoint.RefusedCheckpoint) as refused:
        checkpoint.restore(session, tmp_path / "kept", "mnist_x")
    assert str(refused.value).startswith("its files cannot be read (")
    assert "\n" not in str(refused.value)


def test_a_restored_run_without_a_window_says_one_thing_of_its_graphs(capsys):
    from visu.show import outputs

    restored = types.SimpleNamespace(restored=True)
    view = outputs.PngView(None, restored, "--no-window", "unused.png")
    view.start()
    view.finish()  # nothing drawn, nothing saved: the graphs are None here
    assert capsys.readouterr().out.splitlines() == [
        "No window: --no-window. The graphs are the saved run's, saved as a PNG when it trained: "
        "none saved this time."
    ]
    outputs.PngView(
        None, restored, "matplotlib's agg backend draws no window", "x.png", print
    ).start()
    assert capsys.readouterr().out == (
        "No window: matplotlib's agg backend draws no window. The graphs shown at the end are the "
        "saved run's, as it recorded them.\n"
    )

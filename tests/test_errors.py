"""A learner's broken edit: one paragraph in their own names, their file and line, no traceback.

Each test makes a copy of a real step beside the steps, edited the way a learner gets it wrong
(a hidden layer on images not flattened, pkeep left out of a feed, a convolution's input depth,
the initializer run too early, ...), runs it, and reads what it says. Most run in this process
(benchmarks/harness.py: the graph is built, and with training the real animate runs):
the paragraph's text for every kind of error. A few run as the learner runs them, python in a
subprocess, for the exit status, the missing traceback, the saved graphs and --traceback; one
runs with %run in a real Jupyter kernel.
"""

import os
import pathlib
import re
import subprocess
import sys
import uuid

import pytest

from benchmarks.harness import run_step
from conftest import ROOT
from visu import progress
from visu.explain import errors, hooks, spellings, wording

STEP_1_0 = "mnist_1.0_softmax.py"
STEP_2_2 = "mnist_2.2_five_layers_relu_lrdecay_dropout.py"
STEP_3_0 = "mnist_3.0_convolutional.py"

# The learner's edits: (step, [(text in the step, what the learner wrote instead)])
UNFLATTENED = (
    STEP_1_0,
    [
        (
            "W = tf.Variable(tf.zeros([784, 10]))",
            "W1 = tf.Variable(tf.truncated_normal([784, 100], stddev=0.1))\n"
            "B1 = tf.Variable(tf.zeros([100]))\n"
            "W = tf.Variable(tf.zeros([100, 10]))",
        ),
        (
            "XX = tf.reshape(X, [-1, 784])\nY = tf.nn.softmax(tf.matmul(XX, W) + b)",
            "Y1 = tf.nn.relu(tf.matmul(X, W1) + B1)\nY = tf.nn.softmax(tf.matmul(Y1, W) + b)",
        ),
    ],
)
TEST_FEED_WITHOUT_PKEEP = (
    STEP_2_2,
    [("mnist.test.labels, pkeep: 1.0}", "mnist.test.labels}")],
)
TRAINING_FEED_WITHOUT_PKEEP = (
    STEP_2_2,
    [("{X: batch_X, Y_: batch_Y, step: i, pkeep: 0.75}", "{X: batch_X, Y_: batch_Y, step: i}")],
)


def edited(step, replacements):
    text = (ROOT / step).read_text(encoding="utf-8")
    for old, new in replacements:
        assert text.count(old) >= 1, "%s no longer has %r" % (step, old)
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def beside_the_steps():
    """Writes a learner's copy of a step beside the steps; every copy is removed afterwards."""
    written = []

    def write(edit):
        step, replacements = edit
        path = ROOT / ("my_%s_%s" % (uuid.uuid4().hex[:8], step))
        path.write_text(edited(step, replacements), encoding="utf-8")
        written.append(path)
        return path

    yield write
    for path in written:
        path.unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def in_a_folder_of_its_own(monkeypatch, tmp_path):
    """The steps run in this process save their graphs in the current folder: a temporary one.
    They also install their sys.excepthook (for a script): it goes with the test."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)


def paragraph_while_building(path):
    """Runs the copy in this process: the error that stops its graph, and its paragraph."""
    with pytest.raises(Exception) as stopped:
        run_step(path, "--iterations", "1")
    return stopped.value, errors.explain(stopped.value, path)


def paragraph_while_training(path, capsys):
    """Runs the copy in this process, training: what it printed on stderr when it stopped."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as stopped:
        run_step(path, "--iterations", "30", animate="train")
    assert stopped.value.code == 1
    return capsys.readouterr().err


def assert_one_paragraph(text, path, line, by_tensorflow=True):
    """The paragraph names the learner's file and line, holds no traceback, and, where TensorFlow
    raised the error (by_tensorflow), says how to get TensorFlow's own; where the project's checks
    or Python found it, nothing of TensorFlow's is behind it, and it does not."""
    assert "Traceback" not in text and 'File "' not in text
    assert text.strip().count("\n") == 0, "one paragraph, one line:\n" + text
    assert "%s, line %d (" % (path.name, line) in text
    assert (errors.TRACEBACK_OPTION in text) == by_tensorflow


def line_of(path, source):
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(lines, 1) if source in text)


# --- building the graph --------------------------------------------------------------------------


def test_a_hidden_layer_on_images_not_flattened(beside_the_steps, mnist_dir):
    path = beside_the_steps(UNFLATTENED)
    error, paragraph = paragraph_while_building(path)
    assert isinstance(error, ValueError) and "MatMul" in str(error)
    assert_one_paragraph(paragraph, path, line_of(path, "Y1 = tf.nn.relu(tf.matmul(X, W1)"))
    assert paragraph.startswith("The network cannot be built: ")
    assert "X [batch, 28, 28, 1] by W1 [784, 100]" in paragraph
    assert "XX = tf.reshape(X, [-1, 784])" in paragraph


@pytest.mark.parametrize(
    "edit, line, expected",
    [
        (  # a convolution's input depth copied from the first layer's weights
            (STEP_3_0, [("[5, 5, K, L]", "[5, 5, 3, L]")]),
            "Y2 = tf.nn.relu(tf.nn.conv2d(Y1, W2",
            ["Y1 [batch, 28, 28, 4] with the weights W2 [5, 5, 3, 8]", "Make W2 [5, 5, 4, 8]"],
        ),
        (  # a convolution given the flattened images
            (STEP_3_0, [("tf.nn.conv2d(X, W1,", "tf.nn.conv2d(tf.reshape(X, [-1, 784]), W1,")]),
            "Y1 = tf.nn.relu(tf.nn.conv2d(",
            ["tf.reshape(X, ...) [batch, 784]", "[batch, height, width, channels]"],
        ),
        (  # biases with the size of the layer before
            (
                STEP_2_2,
                [
                    (
                        "B2 = tf.Variable(tf.constant(0.1, tf.float32, [M]))",
                        "B2 = tf.Variable(tf.constant(0.1, tf.float32, [L]))",
                    )
                ],
            ),
            "Y2 = tf.nn.relu(tf.matmul(Y1d, W2) + B2)",
            ["tf.matmul(Y1d, W2) [batch, 100] and B2 [200]", "B2 must be [100]"],
        ),
        (  # the flattening of the last convolution with the wrong channel count
            (STEP_3_0, [("tf.reshape(Y3, [-1, 7 * 7 * M])", "tf.reshape(Y3, [-1, 7 * 7 * L])")]),
            "Y4 = tf.nn.relu(tf.matmul(YY, W4) + B4)",
            ["YY = tf.reshape(Y3, [-1, 392])", "Y3 [batch, 7, 7, 12]", "[-1, 588]"],
        ),
        (  # one of the weights joined into allweights without flattening it
            (
                STEP_2_2,
                [("for w in (W1, W2, W3, W4, W5)], 0)", "for w in (W1, W2, W3, W4)] + [W5], 0)")],
            ),
            "allweights = tf.concat(",
            ["W5 [30, 10]", "tf.reshape(W1, ...) [156800]", "tf.reshape(W, [-1])"],
        ),
        (  # a layer's weights with the wrong number of rows
            (STEP_2_2, [("tf.truncated_normal([L, M]", "tf.truncated_normal([M, M]")]),
            "Y2 = tf.nn.relu(tf.matmul(Y1d, W2) + B2)",
            ["Y1d [batch, 200] by W2 [100, 100]", "give W2 200 rows"],
        ),
        (  # integer biases added to float32 values
            (
                STEP_2_2,
                [
                    (
                        "B1 = tf.Variable(tf.constant(0.1, tf.float32, [L]))",
                        "B1 = tf.Variable(tf.ones([L], tf.int32))",
                    )
                ],
            ),
            "Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)",
            ["'+' takes values of one type", "int32 and float32", "tf.cast"],
        ),
    ],
    ids=[
        "conv-input-depth",
        "conv-on-flat-images",
        "bias-size",
        "flatten-count",
        "concat-unflattened",
        "weights-rows",
        "int-biases",
    ],
)
def test_shapes_and_types_that_do_not_fit_while_building(
    edit, line, expected, beside_the_steps, mnist_dir
):
    path = beside_the_steps(edit)
    _, paragraph = paragraph_while_building(path)
    assert paragraph is not None
    assert_one_paragraph(paragraph, path, line_of(path, line))
    for text in expected:
        assert text in paragraph


def test_an_error_that_is_not_the_graphs_keeps_pythons_own_message(beside_the_steps, mnist_dir):
    path = beside_the_steps((STEP_1_0, [("tf.matmul(XX, W) + b)", "tf.matmul(XX, W) + bb)")]))
    error, paragraph = paragraph_while_building(path)
    assert isinstance(error, NameError) and paragraph is None
    shown = []
    hook = hooks.ExceptHook(path, lambda *exc_info: shown.append(exc_info))
    hook(type(error), error, error.__traceback__)
    assert shown == [(NameError, error, error.__traceback__)]  # Python's own hook shows it


# --- feeding and running -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit, line, expected",
    [
        (
            TEST_FEED_WITHOUT_PKEEP,
            "a, c, im = sess.run([accuracy, cross_entropy, It], test_set)",
            [
                "The placeholder pkeep (float32) was not given a value",
                "add pkeep: <value>",
                "to test_set",
                "(pkeep is dropout's keep probability: 1.0 when measuring, 0.75 when training)",
                "accuracy, cross_entropy and It need it",
            ],
        ),
        (  # the images loaded flattened, fed to X [None, 28, 28, 1]
            (STEP_2_2, [("one_hot=True, reshape=False", "one_hot=True, reshape=True")]),
            "a, c, im, w, b, l = sess.run(",
            [
                "X is a placeholder of shape [batch, 28, 28, 1], and is fed batch_X of shape "
                "[100, 784]",
                "read_data_sets(reshape=False)",
            ],
        ),
        (  # the labels as digits
            (STEP_1_0, [("one_hot=True,", "one_hot=False,")]),
            "a, c, im, w, bs = sess.run(",
            [
                "Y_ is a placeholder of shape [batch, 10], and is fed batch_Y of shape [100]",
                "one_hot=True",
            ],
        ),
        (  # the placeholder's name as the key
            (STEP_2_2, [("step: i, pkeep: 0.75}", 'step: i, "pkeep": 0.75}')]),
            "sess.run(train_step, {X: batch_X",
            ["key 'pkeep' is not a placeholder", "Use the placeholder itself: pkeep"],
        ),
        (  # a tensor as the value fed
            (STEP_2_2, [("step: i, pkeep: 0.75}", "step: i, pkeep: tf.constant(0.75)}")]),
            "sess.run(train_step, {X: batch_X",
            ["pkeep is fed a TensorFlow tensor", "not a value"],
        ),
        (  # a constant learning rate, still fetched as if it were a tensor
            (STEP_2_2, [("lr = 0.0001 + 0.003 * tf.exp(-step / 2000)", "lr = 0.003")]),
            "a, c, im, w, b, l = sess.run(",
            ["lr is the number 0.003, not something TensorFlow computes"],
        ),
        (  # the initializer run before the optimizer is made
            (
                STEP_2_2,
                [
                    (
                        "train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)\n",
                        "sess = tf.Session()\nsess.run(tf.global_variables_initializer())\n"
                        "train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)\n",
                    ),
                    (
                        "MnistDataVis(options)\n\nsess = tf.Session()\n"
                        "sess.run(tf.global_variables_initializer())\n",
                        "MnistDataVis(options)\n\n",
                    ),
                ],
            ),
            "sess.run(train_step, {X: batch_X",
            [
                "optimizer's own variable beta",
                "has no value yet",
                "It was made at",
                "line %d (train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy))",
            ],
        ),
        (  # a variable made after the initializer ran
            (
                STEP_1_0,
                [
                    (
                        "b = tf.Variable(tf.zeros([10]))\n",
                        "sess = tf.Session()\nsess.run(tf.global_variables_initializer())\n"
                        "b = tf.Variable(tf.zeros([10]))\n",
                    ),
                    (
                        "MnistDataVis(options)\n\nsess = tf.Session()\n"
                        "sess.run(tf.global_variables_initializer())\n",
                        "MnistDataVis(options)\n\n",
                    ),
                ],
            ),
            "a, c, im, w, bs = sess.run(",
            ["The variable b has no value yet", "b = tf.Variable(tf.zeros([10]))"],
        ),
    ],
    ids=[
        "pkeep-not-fed",
        "images-fed-flat",
        "labels-as-digits",
        "key-a-string",
        "tensor-fed",
        "fetch-a-number",
        "initializer-before-optimizer",
        "variable-after-initializer",
    ],
)
def test_feeds_fetches_and_variables_wrong_while_training(
    edit, line, expected, beside_the_steps, mnist_dir, capsys
):
    path = beside_the_steps(edit)
    err = paragraph_while_training(path, capsys)
    assert err.startswith("Training stopped at iteration 0: ")
    assert_one_paragraph(err, path, line_of(path, line))
    for text in expected:
        if "line %d" in text:
            source = text.split("(", 1)[1].rstrip(")")
            text = text % line_of(path, source)
        assert text in err


def test_any_other_error_while_running_names_what_failed_and_where_it_was_built(
    beside_the_steps, mnist_dir, capsys
):
    # the last convolution flattened into lines twice too long, the dense weights made to fit:
    # it builds, and each batch of 100 images comes out as 50 lines against 100 labels
    path = beside_the_steps(
        (
            STEP_3_0,
            [
                ("tf.reshape(Y3, [-1, 7 * 7 * M])", "tf.reshape(Y3, [-1, 7 * 7 * M * 2])"),
                ("tf.truncated_normal([7 * 7 * M, N]", "tf.truncated_normal([7 * 7 * M * 2, N]"),
            ],
        )
    )
    err = paragraph_while_training(path, capsys)
    assert_one_paragraph(err, path, line_of(path, "a, c, im, w, b, l = sess.run("))
    # the first of the operations to fail: the loss or the accuracy, as TensorFlow runs them
    built = re.search(r"\(built at %s, line (\d+) \(" % re.escape(path.name), err)
    assert built and int(built.group(1)) in (
        line_of(path, "losses = tf.nn.softmax_cross_entropy_with_logits_v2("),
        line_of(path, "correct_prediction = tf.equal("),
    )
    assert re.search(r"TensorFlow says: .*\b50\b.*\b100\b", err)


# --- a size made wrong earlier, failing later: the cause traced back ------------------------------

FLATTEN_PACKING_IMAGES = (  # a flatten with four images' worth per row, the weights made to fit
    STEP_3_0,
    [
        ("tf.reshape(Y3, [-1, 7 * 7 * M])", "tf.reshape(Y3, [-1, 7 * 7 * M * 4])"),
        ("tf.truncated_normal([7 * 7 * M, N]", "tf.truncated_normal([7 * 7 * M * 4, N]"),
    ],
)
PADDING_VALID = (  # the last convolution without padding: 6x6, not the 7x7 the flatten expects
    STEP_3_0,
    [('strides=[1, 2, 2, 1], padding="SAME") + B3', 'strides=[1, 2, 2, 1], padding="VALID") + B3')],
)
STRIDE_1 = (  # the second convolution's stride 1: 14x14 after the third, not 7x7
    STEP_3_0,
    [("conv2d(Y1, W2, strides=[1, 2, 2, 1]", "conv2d(Y1, W2, strides=[1, 1, 1, 1]")],
)
Y3_CONV = "Y3 = tf.nn.relu(tf.nn.conv2d(Y2, W3"
Y2_CONV = "Y2 = tf.nn.relu(tf.nn.conv2d(Y1, W2"
FLATTEN = "YY = tf.reshape(Y3,"


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            FLATTEN_PACKING_IMAGES,
            [
                ("YY = tf.reshape(Y3, [-1, 2352]) (line %d) packs 4 images into each row", FLATTEN),
                ("Y3 holds 7 x 7 x 12 = 588 values per image, and each row takes 2352", None),
                ("the 100 images fed to X make 25 rows, not 100", None),
                ("Y3 7x7x12 (conv 4x4, stride 2, SAME, line %d)", Y3_CONV),
                ("flatten each image whole, tf.reshape(Y3, [-1, 588]), and give W4 588 rows", None),
            ],
        ),
        (
            PADDING_VALID,
            [
                ("YY = tf.reshape(Y3, [-1, 588]) (line %d) asks for rows of 588 values", FLATTEN),
                ("Y3 holds 6 x 6 x 12 = 432 values per image", None),
                ("the 100 images fed to X are 43200 values, not a whole number of rows", None),
                ("Y2 14x14x8 (conv 5x5, stride 2, SAME, line %d)", Y2_CONV),
                ("Y3 6x6x12 (conv 4x4, stride 2, VALID, line %d)", Y3_CONV),
                ("Two fixes: flatten each image whole, tf.reshape(Y3, [-1, 432])", None),
                (
                    'make Y3 hold 588 values per image, as the reshape asks: padding="SAME" '
                    "at line %d",
                    Y3_CONV,
                ),
            ],
        ),
        (
            STRIDE_1,
            [
                ("YY = tf.reshape(Y3, [-1, 588]) (line %d) cuts each image into 4 rows", FLATTEN),
                ("Y3 holds 14 x 14 x 12 = 2352 values per image", None),
                ("the 100 images fed to X make 400 rows, not 100", None),
                ("Y2 28x28x8 (conv 5x5, stride 1, SAME, line %d)", Y2_CONV),
                ("strides=[1, 2, 2, 1] at line", None),
            ],
        ),
    ],
    ids=["flatten-packs-images", "padding-valid", "stride-1"],
)
def test_a_size_made_wrong_earlier_is_traced_to_the_line_that_made_it(
    edit, expected, beside_the_steps, mnist_dir, capsys
):
    path = beside_the_steps(edit)
    err = paragraph_while_training(path, capsys)
    assert err.startswith("Training stopped at iteration 0: sess.run cannot compute: ")
    assert_one_paragraph(err, path, line_of(path, "a, c, im, w, b, l = sess.run("))
    assert "TensorFlow says: " in err and " The cause: " in err
    for text, source in expected:
        assert (text % line_of(path, source) if source else text) in err


SWAPPED_MATMUL = (STEP_2_2, [("tf.matmul(XX, W1)", "tf.matmul(W1, XX)")])


def test_a_matmul_with_the_weights_first_is_said_so_not_blamed_on_the_biases(
    beside_the_steps, mnist_dir
):
    # it builds, the batch size being unknown, into a [784, 784] product, and B1 [200] fails
    path = beside_the_steps(SWAPPED_MATMUL)
    _, paragraph = paragraph_while_building(path)
    assert_one_paragraph(paragraph, path, line_of(path, "tf.matmul(W1, XX)"))
    assert "tf.matmul(W1, XX) has the weights and the data in each other's places" in paragraph
    assert "W1 [784, 200] is a weight (a tf.Variable), and XX [batch, 784] comes from" in paragraph
    assert "the product is [784, 784]" in paragraph
    assert "tf.matmul(XX, W1) gives [batch, 200]" in paragraph
    assert "B1 [200] adds to it" in paragraph
    assert "must be [" not in paragraph  # nothing to change about the biases


def test_a_square_matmul_with_the_weights_first_fails_while_running_and_is_said_so(
    beside_the_steps, mnist_dir, capsys
):
    # a square layer: the biases fit the swapped product, and only the batch finds it
    path = beside_the_steps(
        (
            STEP_2_2,
            [
                ("L, M, N, O = 200, 100,", "L, M, N, O = 200, 200,"),
                ("tf.matmul(Y1d, W2)", "tf.matmul(W2, Y1d)"),
            ],
        )
    )
    err = paragraph_while_training(path, capsys)
    assert_one_paragraph(err, path, line_of(path, "a, c, im, w, b, l = sess.run("))
    line = line_of(path, "tf.matmul(W2, Y1d)")
    assert "The cause: tf.matmul(W2, Y1d) (line %d) has the weights and the data" % line in err
    assert "tf.matmul(Y1d, W2) gives [batch, 200]" in err


BIASES_OR_WEIGHTS = (STEP_2_2, [("tf.truncated_normal([L, M]", "tf.truncated_normal([L, 50]")])


def test_biases_that_do_not_fit_the_weights_get_both_fixes_when_either_is_possible(
    beside_the_steps, mnist_dir
):
    path = beside_the_steps(BIASES_OR_WEIGHTS)
    _, paragraph = paragraph_while_building(path)
    assert_one_paragraph(paragraph, path, line_of(path, "Y2 = tf.nn.relu(tf.matmul(Y1d, W2) + B2)"))
    assert "its weights W2 [200, 50] give 50 neurons: B2 must be [50]" in paragraph
    assert "or, if the layer is meant to have 100 neurons, W2 must be [200, 100]" in paragraph


# --- a message that no pattern reads (a release of TensorFlow that rewords it) --------------------

NEVER = re.compile(r"(?!)")  # a pattern that reads nothing


def test_a_refusal_no_pattern_reads_still_gets_the_learners_line_and_tensorflows_reason(
    beside_the_steps, mnist_dir, monkeypatch
):
    monkeypatch.setattr(wording, "BUILD_REFUSAL", NEVER)
    path = beside_the_steps(UNFLATTENED)
    _, paragraph = paragraph_while_building(path)
    assert paragraph is not None
    assert_one_paragraph(paragraph, path, line_of(path, "Y1 = tf.nn.relu(tf.matmul(X, W1)"))
    assert paragraph.startswith("The network cannot be built: ")
    assert "TensorFlow refused it: Dimensions must be equal, but are 1 and 784." in paragraph
    assert "{{node" not in paragraph


def test_a_run_time_error_no_pattern_reads_is_still_traced_back_through_the_graph(
    beside_the_steps, mnist_dir, capsys, monkeypatch
):
    for name in ("LOGITS_AND_LABELS", "INCOMPATIBLE_SHAPES", "RESHAPE_VALUES", "MATRIX_SIZES"):
        monkeypatch.setattr(wording, name, NEVER)
    path = beside_the_steps(FLATTEN_PACKING_IMAGES)
    err = paragraph_while_training(path, capsys)
    assert_one_paragraph(err, path, line_of(path, "a, c, im, w, b, l = sess.run("))
    assert "TensorFlow says: " in err
    line = line_of(path, FLATTEN)
    assert "The cause: YY = tf.reshape(Y3, [-1, 2352]) (line %d) packs 4 images" % line in err


# --- as the learner runs it ----------------------------------------------------------------------


def run_as_a_script(path, mnist_dir, *options):
    env = dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir))
    return subprocess.run(
        [sys.executable, str(path), "--iterations", "30", "--no-window", *options],
        cwd=path.parent,
        env=env,
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )


def test_a_script_that_cannot_build_its_network_says_why_in_one_paragraph(
    beside_the_steps, mnist_dir
):
    path = beside_the_steps(UNFLATTENED)
    done = run_as_a_script(path, mnist_dir)
    assert done.returncode == 1
    assert_one_paragraph(done.stderr, path, line_of(path, "tf.matmul(X, W1)"))
    assert done.stderr.startswith("The network cannot be built: ")


# TensorFlow builds it (a grouped convolution); oneDNN's kernels then train it, TensorFlow's own
# refuse it at the first sess.run: a learner's processor decided, until the check when it is built
CONV_DEPTH_THAT_DIVIDES = (STEP_3_0, [("[5, 5, K, L]", "[5, 5, 1, L]")])


@pytest.mark.parametrize("kernels", ["1", "0"], ids=["oneDNN", "tensorflows-own"])
def test_a_convolution_whose_depth_divides_the_channels_stops_before_training_on_both_kernel_sets(
    kernels, beside_the_steps, mnist_dir, monkeypatch
):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", kernels)
    path = beside_the_steps(CONV_DEPTH_THAT_DIVIDES)
    done = run_as_a_script(path, mnist_dir)
    assert done.returncode == 1
    assert not progress.read_training_points(done.stdout)  # not one iteration trained
    assert done.stderr.startswith("The network cannot be built: ")
    line = line_of(path, "Y2 = tf.nn.relu(tf.nn.conv2d(Y1, W2")
    assert_one_paragraph(done.stderr, path, line, by_tensorflow=False)  # the project's check
    assert "Y1 [batch, 28, 28, 4] with the weights W2 [5, 5, 1, 8]" in done.stderr
    assert "Make W2 [5, 5, 4, 8]" in done.stderr


def test_an_error_while_training_keeps_and_saves_the_graphs(beside_the_steps, mnist_dir):
    path = beside_the_steps(TRAINING_FEED_WITHOUT_PKEEP)
    png = path.with_suffix(".png")
    try:
        done = run_as_a_script(path, mnist_dir)
        assert done.returncode == 1
        assert_one_paragraph(done.stderr, path, line_of(path, "sess.run(train_step,"))
        assert done.stderr.startswith("Training stopped at iteration 0: sess.run cannot compute")
        assert "The placeholder pkeep (float32) was not given a value" in done.stderr
        assert re.search(r"^max test accuracy: 0\.\d{4}$", done.stdout, re.M)  # tested at 0
        assert "The graphs were saved to %s" % png in done.stdout
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10000
    finally:
        png.unlink(missing_ok=True)


def test_traceback_option_shows_tensorflows_own_error(beside_the_steps, mnist_dir):
    path = beside_the_steps(UNFLATTENED)
    done = run_as_a_script(path, mnist_dir, errors.TRACEBACK_OPTION)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
    assert "Dimensions must be equal, but are 1 and 784" in done.stderr
    assert "The network cannot be built" not in done.stderr


DECK_FEED = (  # the deck's slides write feed=, which sess.run does not take
    STEP_2_2,
    [
        (
            "sess.run([accuracy, cross_entropy, It], test_set)",
            "sess.run([accuracy, cross_entropy, It], feed=test_set)",
        )
    ],
)


def test_the_decks_feed_keyword_is_one_line_naming_feed_dict(beside_the_steps, mnist_dir):
    path = beside_the_steps(DECK_FEED)
    done = run_as_a_script(path, mnist_dir)
    assert done.returncode == 1
    # Python refuses the keyword, in the call: nothing of TensorFlow's is behind it
    assert_one_paragraph(done.stderr, path, line_of(path, "feed=test_set)"), by_tensorflow=False)
    assert done.stderr.startswith("Training stopped at iteration 0: sess.run refused: ")
    assert "sess.run takes no feed=: its feeds go in feed_dict=: " in done.stderr
    assert "sess.run([accuracy, cross_entropy, It], feed_dict=test_set)" in done.stderr
    assert "tensorflowvisu.py" not in done.stderr and "raise failed" not in done.stderr


@pytest.mark.parametrize(
    "edit, message, line",
    [
        (  # a typo in a TensorFlow name: TensorFlow's module_wrapper.py raises it
            (STEP_2_2, [("Y1 = tf.nn.relu(", "Y1 = tf.nn.rellu(")]),
            "AttributeError: module 'tensorflow._api.v2.compat.v1.nn' has no attribute 'rellu'. "
            "Did you mean: 'relu'?",
            "Y1 = tf.nn.rellu(",
        ),
        (  # a typo in the training loop: tensorflowvisu.py's animate raises it again
            (STEP_2_2, [("datavis.update_image2(im)", "datavis.update_image2(imm)")]),
            "NameError: name 'imm' is not defined. Did you mean: 'im'?",
            "datavis.update_image2(imm)",
        ),
    ],
    ids=["tensorflow-name", "in-the-training-loop"],
)
def test_pythons_own_error_keeps_its_message_and_only_the_learners_frames(
    edit, message, line, beside_the_steps, mnist_dir
):
    path = beside_the_steps(edit)
    done = run_as_a_script(path, mnist_dir)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert done.stderr.rstrip().endswith(message)
    files = re.findall(r'^  File "([^"]+)", line (\d+)', done.stderr, re.M)
    assert files and {pathlib.Path(f) for f, _ in files} == {path}  # the learner's lines only
    assert int(files[-1][1]) == line_of(path, line)
    if "rellu" in line:  # it stops before training: --traceback shows all of it
        full = run_as_a_script(path, mnist_dir, errors.TRACEBACK_OPTION)
        assert "module_wrapper.py" in full.stderr and full.stderr.rstrip().endswith(message)


# The original codelab's spellings, as a learner copies them from the deck: for each of
# visu.explain.spellings.SPELLINGS (by what it shows the learner wrote), the edit that writes it
CODELAB_SPELLINGS = {
    "tf.nn.dropout(Y, pkeep)": ("tf.nn.dropout(Y1, rate=1 - pkeep)", "tf.nn.dropout(Y1, pkeep)"),
    "tf.nn.softmax_cross_entropy_with_logits(...)": (
        "softmax_cross_entropy_with_logits_v2(",
        "softmax_cross_entropy_with_logits(",
    ),
    "tf.initialize_all_variables()": (
        "sess.run(tf.global_variables_initializer())",
        "sess.run(tf.initialize_all_variables())",
    ),
    "tf.to_float(x)": (
        "tf.cast(correct_prediction, tf.float32)",
        "tf.to_float(correct_prediction)",
    ),
    "tf.arg_max(Y, 1)": ("tf.argmax(Y, 1)", "tf.arg_max(Y, 1)"),
    "tf.argmax(Y, dimension=1)": ("tf.argmax(Y_, 1)", "tf.argmax(Y_, dimension=1)"),
    "tf.nn.softmax(Y, dim=...)": (
        "Y = tf.nn.softmax(Ylogits)",
        "Y = tf.nn.softmax(Ylogits, dim=-1)",
    ),
}


def test_the_codelabs_spellings_are_one_line_each_and_the_run_goes_on(beside_the_steps, mnist_dir):
    assert set(CODELAB_SPELLINGS) == {s.written for s in spellings.SPELLINGS}  # each one is run
    path = beside_the_steps((STEP_2_2, list(CODELAB_SPELLINGS.values())))
    done = run_as_a_script(path, mnist_dir)
    assert done.returncode == 0
    assert re.search(r"^max test accuracy: 0\.\d{4}$", done.stdout, re.M)
    said = done.stderr.splitlines()
    assert len(said) == len(spellings.SPELLINGS), done.stderr  # one line each, nothing else
    for spelling in spellings.SPELLINGS:
        [line] = [text for text in said if " %s is TensorFlow 1's" % spelling.written in text]
        source = CODELAB_SPELLINGS[spelling.written][1]
        assert line.startswith("%s, line %d (" % (path.name, line_of(path, source)))
        assert line.endswith("The steps now write %s." % spelling.now)
    assert "Instructions for updating" not in done.stderr and "dispatch.py" not in done.stderr
    shown = run_as_a_script(path, mnist_dir, "--tf-log", "--iterations", "1")
    assert shown.returncode == 0
    assert shown.stderr.count("Instructions for updating") == len(spellings.SPELLINGS)
    assert "TensorFlow 1's spelling" not in shown.stderr


def test_help_names_the_traceback_option(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / STEP_1_0), "--help"], capture_output=True, encoding="utf-8"
    )
    assert done.returncode == 0 and errors.TRACEBACK_OPTION in done.stdout


def test_percent_run_in_a_kernel_shows_the_paragraph_for_that_cell_only(
    beside_the_steps, mnist_dir, tmp_path
):
    from test_notebook import Kernel  # a real Jupyter kernel, as the notebook tests start it

    path = beside_the_steps(UNFLATTENED)
    kernel = Kernel(tmp_path, mnist_dir)
    try:
        broken = kernel.run("%%run %s --iterations 30" % path)
        later = kernel.run("1 / 0")
    finally:
        kernel.stop()
    [error] = broken.errors
    paragraph = "\n".join(error["traceback"])
    assert_one_paragraph(paragraph, path, line_of(path, "tf.matmul(X, W1)"))
    assert "X [batch, 28, 28, 1] by W1 [784, 100]" in paragraph
    assert "E0000" not in broken.stderr and "cuda" not in broken.stderr.lower()
    [other] = later.errors  # the next cell's error is shown as IPython shows it
    assert other["ename"] == "ZeroDivisionError" and len(other["traceback"]) > 1

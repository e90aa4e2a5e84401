"""A corpus of learners' mistakes, over the nine steps (the exercises' starting points among
them): each an edited copy of a step beside the steps, run as the learner runs it, answered by the
checks of what a workshop network is (visu/explain/) in the learner's names, in a few lines and
without a traceback; where the answer proposes a rewritten line, the test writes it in and the
run then trains.

Most run in this process (benchmarks/harness.py: the step's own file and command line, the real
MnistDataVis and animate): a TensorFlow process costs seconds of a core, and CI runs the suite
twice. A few run as a script in a process of their own, for the exit status and stderr the
learner sees.
"""

import os
import re
import subprocess
import sys
import uuid
from typing import NamedTuple, Optional

import mnistdata

import pytest

from benchmarks import challenge_variants
from benchmarks.harness import STEPS, run_step
from conftest import ROOT
from visu.explain import errors

S10 = "mnist_1.0_softmax.py"
S20 = "mnist_2.0_five_layers_sigmoid.py"
S21 = "mnist_2.1_five_layers_relu_lrdecay.py"
S22 = "mnist_2.2_five_layers_relu_lrdecay_dropout.py"
S30 = "mnist_3.0_convolutional.py"
S31 = "mnist_3.1_convolutional_bigger_dropout.py"
S40 = "mnist_4.0_batchnorm_five_layers_sigmoid.py"
S41 = "mnist_4.1_batchnorm_five_layers_relu.py"
S42 = "mnist_4.2_batchnorm_convolutional.py"

SQUARE_2_0 = ("L, M, N, O = 200, 100, 60, 30", "L, M, N, O = 100, 100, 100, 30")
SQUARE_2_1 = ("L, M, N, O = 200, 100, 60, 30", "L, M, N, O = 200, 100, 100, 30")
IN_TRAINING_STEP = "    batch_X, batch_Y = mnist.train.next_batch(BATCH_SIZE)\n"


class Mistake(NamedTuple):
    """step: the copy's start; edits: (text in the step, what the learner wrote); said: what the
    answer must say, in the learner's names; when: "build" (stops before training), "train" (stops
    while training) or "note" (said while training goes on); iterations: how far it runs; fix_at:
    the text of the line the proposed rewrite replaces (None: no rewrite proposed)."""

    step: str
    edits: list
    said: list
    when: str = "build"
    iterations: int = 1
    fix_at: Optional[str] = None


MISTAKES = {
    # --- the data: placeholders that take any number of images, of the images' type ---
    "images-placeholder-int32": Mistake(
        S20,
        [("X = tf.placeholder(tf.float32, [", "X = tf.placeholder(tf.int32, [")],
        ["X is a placeholder of int32", "X = tf.placeholder(tf.float32, [None, 28, 28, 1])"],
        fix_at="X = tf.placeholder(",
    ),
    "images-placeholder-int32-cast-later": Mistake(
        S22,
        [
            ("X = tf.placeholder(tf.float32, [", "X = tf.placeholder(tf.int32, ["),
            ("XX = tf.reshape(X, [-1, 784])", "XX = tf.cast(tf.reshape(X, [-1, 784]), tf.float32)"),
        ],
        ["X is a placeholder of int32", "X = tf.placeholder(tf.float32, [None, 28, 28, 1])"],
        fix_at="X = tf.placeholder(",
    ),
    "images-placeholder-of-one-batch": Mistake(
        S21,
        [("X = tf.placeholder(tf.float32, [None,", "X = tf.placeholder(tf.float32, [100,")],
        ["X holds 100 images", "counts the images", "[None, 28, 28, 1]"],
        fix_at="X = tf.placeholder(",
    ),
    "labels-placeholder-of-one-batch": Mistake(
        S31,
        [
            (
                "Y_ = tf.placeholder(tf.float32, [None, 10])",
                "Y_ = tf.placeholder(tf.float32, [100, 10])",
            )
        ],
        ["Y_ holds 100 images", "Y_ = tf.placeholder(tf.float32, [None, 10])"],
        fix_at="Y_ = tf.placeholder(",
    ),
    "labels-placeholder-of-one-value-per-image": Mistake(
        S21,
        [
            (
                "Y_ = tf.placeholder(tf.float32, [None, 10])",
                "Y_ = tf.placeholder(tf.float32, [None])",
            )
        ],
        ["Y_, which the loss takes as its labels", "Y_ = tf.placeholder(tf.float32, [None, 10])"],
        fix_at="Y_ = tf.placeholder(",
    ),
    "step-a-python-number": Mistake(
        S21,
        [("step = tf.placeholder(tf.float32)", "step = 0")],
        ["key step is the number 0", "step = tf.placeholder(tf.float32)"],
        when="train",
        fix_at="step = 0",
    ),
    # --- layers of Keras's, with weights of their own ---
    "keras-dense-with-its-own-weights": Mistake(
        S21,
        [
            (
                "Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)",
                'Y1 = tf.keras.layers.Dense(L, activation="relu")(XX)',
            )
        ],
        [
            "tf.keras.layers.Dense makes weights of its own",
            "W1 (",
            "Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)",
        ],
        fix_at="Y1 = tf.keras",
    ),
    # --- the chain: every layer, weight and bias on it, once ---
    "hidden-layer-made-not-used": Mistake(
        S10,
        [
            (
                "W = tf.Variable(tf.zeros([784, 10]))",
                "W1 = tf.Variable(tf.truncated_normal([784, 200], stddev=0.1))\n"
                "B1 = tf.Variable(tf.zeros([200]))\nW = tf.Variable(tf.zeros([784, 10]))",
            ),
            (
                "Y = tf.nn.softmax(tf.matmul(XX, W) + b)",
                "Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)\nY = tf.nn.softmax(tf.matmul(XX, W) + b)",
            ),
        ],
        ["W1, made at line", "Y1 (", "the loss does not depend on Y1", "takes XX"],
    ),
    "layer-skipped": Mistake(
        S20,
        [SQUARE_2_0, ("tf.matmul(Y3, W4)", "tf.matmul(Y2, W4)")],
        ["W3, made at line", "the loss does not depend on Y3", "takes Y2", "Y3 is left out"],
        fix_at="Y4 = tf.nn.sigmoid(",
    ),
    "dropout-left-out-2.2": Mistake(
        S22,
        [("tf.matmul(Y1d, W2)", "tf.matmul(Y1, W2)")],
        ["Y1d is the dropout of Y1", "nothing uses it", "takes Y1"],
        fix_at="Y2 = tf.nn.relu(",
    ),
    "dropout-left-out-3.1": Mistake(
        S31,
        [("tf.matmul(Y4d, W5)", "tf.matmul(Y4, W5)")],
        ["Y4d is the dropout of Y4", "takes Y4"],
        fix_at="Ylogits = tf.matmul(",
    ),
    "dropout-left-out-4.2": Mistake(
        S42,
        [("tf.matmul(Y4d, W5)", "tf.matmul(Y4, W5)")],
        ["Y4d is the dropout of Y4", "takes Y4"],
        fix_at="Ylogits = tf.matmul(",
    ),
    "weight-used-twice": Mistake(
        S20,
        [SQUARE_2_0, ("tf.matmul(Y2, W3)", "tf.matmul(Y2, W2)")],
        ["W2 is used in two places", "W3 (", "used nowhere"],
        fix_at="Y3 = tf.nn.sigmoid(",
    ),
    "bias-used-twice": Mistake(
        S21,
        [SQUARE_2_1, ("tf.matmul(Y2, W3) + B3", "tf.matmul(Y2, W3) + B2")],
        ["B2 is used in two places", "B3 (", "meant to be B3"],
        fix_at="Y3 = tf.nn.relu(",
    ),
    # --- biases that fit their layer ---
    "bias-broadcasts-to-a-square": Mistake(
        S20,
        [("B1 = tf.Variable(tf.zeros([L]))", "B1 = tf.Variable(tf.zeros([L, 1]))")],
        ["The bias B1 does not fit its layer", "[batch, 200] into [200, 200]", "make it [200]"],
        fix_at="B1 = tf.Variable(",
    ),
    "bias-one-number": Mistake(
        S21,
        [("B5 = tf.Variable(tf.constant(0.1, tf.float32, [10]))", "B5 = tf.Variable(0.1)")],
        ["The bias B5 does not fit its layer", "one number for the 10 neurons"],
        fix_at="B5 = tf.Variable(",
    ),
    "bias-per-image": Mistake(
        S22,
        [
            (
                "B4 = tf.Variable(tf.constant(0.1, tf.float32, [O]))",
                "B4 = tf.Variable(tf.constant(0.1, tf.float32, [BATCH_SIZE, O]))",
            )
        ],
        ["The bias B4 does not fit its layer", "[batch, 30] into [100, 30]"],
        fix_at="B4 = tf.Variable(",
    ),
    # --- types ---
    "int-bias-2.0": Mistake(
        S20,
        [("B1 = tf.Variable(tf.zeros([L]))", "B1 = tf.Variable(tf.zeros([L], tf.int32))")],
        ["B1 is int32", "float32"],
        fix_at="B1 = tf.Variable(",
    ),
    "int-bias-3.0": Mistake(
        S30,
        [
            (
                "B1 = tf.Variable(tf.constant(0.1, tf.float32, [K]))",
                "B1 = tf.Variable(tf.constant(0, shape=[K]))",
            )
        ],
        ["B1 is int32", "tf.constant(0.0, shape=[K])"],
        fix_at="B1 = tf.Variable(",
    ),
    # --- the loss and the accuracy ---
    "loss-arguments-swapped": Mistake(
        S20,
        [("logits=Ylogits, labels=Y_", "logits=Y_, labels=Ylogits")],
        ["in each other's places", "logits=Ylogits, labels=Y_"],
        fix_at="losses = ",
    ),
    "loss-given-probabilities": Mistake(
        S30,
        [("logits=Ylogits, labels=Y_", "logits=Y, labels=Y_")],
        ["Y is already a softmax", "logits=Ylogits"],
        fix_at="losses = ",
    ),
    "logits-made-a-softmax": Mistake(
        S22,
        [("Ylogits = tf.matmul(Y4d, W5) + B5", "Ylogits = tf.nn.softmax(tf.matmul(Y4d, W5) + B5)")],
        ["Ylogits is already a softmax", "Ylogits = tf.matmul(Y4d, W5) + B5"],
        fix_at="Ylogits = tf.nn.softmax(",
    ),
    "loss-given-predictions-as-labels": Mistake(
        S41,
        [("logits=Ylogits, labels=Y_", "logits=Ylogits, labels=Y")],
        ["labels=Y is not the one-hot labels placeholder Y_", "labels=Y_"],
        fix_at="losses = ",
    ),
    "loss-given-a-hidden-layer": Mistake(
        S20,
        [("logits=Ylogits, labels=Y_", "logits=Y4, labels=Y_")],
        ["The loss is given Y4 as its logits", "Y4 holds 30 values per image"],
    ),
    "accuracy-of-a-hidden-layer": Mistake(
        S30,
        [("tf.argmax(Y, 1), tf.argmax(Y_, 1)", "tf.argmax(Y2, 1), tf.argmax(Y_, 1)")],
        [
            "compares Y2, which is not the network's answers",
            "Y2 (made at line",
            "is [batch, 14, 14, 8]",
        ],
    ),
    "log-of-logits": Mistake(
        S10,
        [
            (
                "Y = tf.nn.softmax(tf.matmul(XX, W) + b)",
                "Ylogits = tf.matmul(XX, W) + b\nY = tf.nn.softmax(Ylogits)",
            ),
            ("tf.log(Y)", "tf.log(Ylogits)"),
        ],
        ["the log of Ylogits", "log(Y)"],
        fix_at="cross_entropy = ",
    ),
    "loss-without-the-labels": Mistake(
        S10,
        [("Y_ * tf.log(Y)", "Y * tf.log(Y)")],
        ["does not use the correct answers", "Y_"],
    ),
    "argmax-along-the-batch": Mistake(
        S21,
        [("tf.argmax(Y, 1)", "tf.argmax(Y, 0)")],
        ["tf.argmax(Y, 0)", "axis 1, the 10 digits", "tf.argmax(Y, 1)"],
        fix_at="correct_prediction = ",
    ),
    "argmax-of-the-labels-along-the-batch": Mistake(
        S31,
        [("tf.argmax(Y_, 1)", "tf.argmax(Y_, axis=0)")],
        ["tf.argmax(Y_, 0)", "axis=1"],
        fix_at="correct_prediction = ",
    ),
    "accuracy-with-double-equals": Mistake(
        S10,
        [("tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))", "tf.argmax(Y, 1) == tf.argmax(Y_, 1)")],
        [
            "correct_prediction is False, a Python bool",
            "tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))",
        ],
        fix_at="correct_prediction = ",
    ),
    "accuracy-digit-against-one-hot": Mistake(
        S10,
        [("tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))", "tf.equal(tf.argmax(Y, 1), Y_)")],
        ["compares a digit with a one-hot", "tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))"],
        fix_at="correct_prediction = ",
    ),
    "accuracy-cast-digit-against-one-hot": Mistake(
        S41,
        [
            (
                "tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))",
                "tf.equal(tf.cast(tf.argmax(Y, 1), tf.float32), Y_)",
            )
        ],
        ["compares a digit with a one-hot", "tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))"],
        fix_at="correct_prediction = ",
    ),
    "accuracy-of-probabilities-against-one-hot": Mistake(
        S30,
        [("tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))", "tf.equal(Y, Y_)")],
        ["compares 10 values with 10 values", "tf.equal(tf.argmax(Y, 1), tf.argmax(Y_, 1))"],
        fix_at="correct_prediction = ",
    ),
    "accuracy-mean-of-bools": Mistake(
        S30,
        [
            (
                "tf.reduce_mean(tf.cast(correct_prediction, tf.float32))",
                "tf.reduce_mean(correct_prediction)",
            )
        ],
        ["correct_prediction is bool", "tf.reduce_mean(tf.cast(correct_prediction, tf.float32))"],
        fix_at="accuracy = ",
    ),
    # --- what is gone, or spelt otherwise ---
    "tensorflow-2-import": Mistake(
        S20,
        [("import tensorflow.compat.v1 as tf", "import tensorflow as tf")],
        ["tf.disable_eager_execution is TensorFlow 1's", "import tensorflow.compat.v1 as tf"],
        fix_at="import tensorflow as tf",
    ),
    "contrib-flatten": Mistake(
        S30,
        [("YY = tf.reshape(Y3, [-1, 7 * 7 * M])", "YY = tf.contrib.layers.flatten(Y3)")],
        ["tf.contrib is gone", "tf.reshape(Y3"],
    ),
    "contrib-xavier": Mistake(
        S21,
        [
            (
                "tf.truncated_normal([784, L], stddev=0.1)",
                "tf.contrib.layers.xavier_initializer()([784, L])",
            )
        ],
        ["tf.contrib is gone", "tf.glorot_uniform_initializer()"],
        fix_at="W1 = tf.Variable(",
    ),
    "keras-3-layers": Mistake(
        S22,
        [("Ylogits = tf.matmul(Y4d, W5) + B5", "Ylogits = tf.layers.dense(Y4d, 10)")],
        ["tf.layers needs Keras 2", "tf.matmul(X, W) + B"],
    ),
    "input-data-loader": Mistake(
        S10,
        [
            (
                "import mnistdata\n",
                "import mnistdata\nfrom tensorflow.examples.tutorials.mnist import input_data\n",
            )
        ],
        ["tensorflow.examples (input_data) is gone", "mnistdata.read_data_sets"],
    ),
    "numpy-exp-of-the-step": Mistake(
        S21,
        [
            ("import mnistdata\n", "import mnistdata\nimport numpy as np\n"),
            ("tf.exp(-step / 2000)", "np.exp(-step / 2000)"),
        ],
        ["np.exp computes a number now", "tf.exp(-step / 2000)"],
        fix_at="lr = ",
    ),
    "math-exp-of-the-step": Mistake(
        S30,
        [
            ("import mnistdata\n", "import math\nimport mnistdata\n"),
            ("tf.exp(-step / 2000)", "math.exp(-step / 2000)"),
        ],
        ["math.exp computes a number now", "tf.exp("],
        fix_at="lr = ",
    ),
    "numpy-mean-accuracy": Mistake(
        S10,
        [
            ("import mnistdata\n", "import mnistdata\nimport numpy as np\n"),
            ("accuracy = tf.reduce_mean(", "accuracy = np.mean("),
        ],
        ["np.mean computes a number now", "tf.reduce_mean(tf.cast(correct_prediction"],
        fix_at="accuracy = ",
    ),
    "numpy-dot-in-a-layer": Mistake(
        S21,
        [
            ("import mnistdata\n", "import mnistdata\nimport numpy as np\n"),
            ("Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)", "Y1 = tf.nn.relu(np.dot(XX, W1) + B1)"),
        ],
        ["np.dot computes a number now", "Y1 = tf.nn.relu(tf.matmul(XX, W1) + B1)"],
        fix_at="Y1 = tf.nn.relu(",
    ),
    "std-for-stddev": Mistake(
        S20,
        [("tf.truncated_normal([784, L], stddev=0.1)", "tf.truncated_normal([784, L], std=0.1)")],
        ["has no argument std=", "stddev=0.1"],
        fix_at="W1 = tf.Variable(",
    ),
    "keras-lr": Mistake(
        S21,
        [("tf.train.AdamOptimizer(lr)", "tf.train.AdamOptimizer(lr=lr)")],
        ["has no argument lr=", "learning_rate=lr"],
        fix_at="train_step = ",
    ),
    "stride-for-strides": Mistake(
        S30,
        [("tf.nn.conv2d(X, W1, strides=", "tf.nn.conv2d(X, W1, stride=")],
        ["has no argument stride=", "strides=[1, 1, 1, 1]"],
        fix_at="Y1 = tf.nn.relu(",
    ),
    "axis-for-axes": Mistake(
        S40,
        [("tf.nn.moments(Ylogits, [0, 1, 2]", "tf.nn.moments(Ylogits, axis=[0, 1, 2]")],
        ["has no argument axis=", "axes="],
        fix_at="mean, variance = ",
    ),
    "tensor-called": Mistake(
        S30,
        [(".minimize(cross_entropy)", ".minimize(cross_entropy())")],
        ["cross_entropy is a tensor, not a function", ".minimize(cross_entropy)"],
        fix_at="train_step = ",
    ),
    "training-step-called": Mistake(
        S20,
        [
            (
                "datavis.animate(\n    training_step,",
                "datavis.animate(\n    training_step(0, True, True),",
            )
        ],
        ["animate is given None", "the training function"],
    ),
    # --- the feeds and the training ---
    "test-with-dropout-2.2": Mistake(
        S22,
        [("mnist.test.labels, pkeep: 1.0}", "mnist.test.labels, pkeep: 0.75}")],
        ["with dropout", "gives pkeep 0.75", "pkeep: 1.0"],
        when="train",
        fix_at="test_set = ",
    ),
    "test-with-dropout-3.1": Mistake(
        S31,
        [("mnist.test.labels, pkeep: 1.0}", "mnist.test.labels, pkeep: 0.75}")],
        ["gives pkeep 0.75", "pkeep: 1.0"],
        when="train",
        fix_at="test_set = ",
    ),
    "test-with-the-batch-statistics": Mistake(
        S41,
        [("mnist.test.labels, testing: True}", "mnist.test.labels, testing: False}")],
        ["gives testing False", "moving averages", "testing: True"],
        when="train",
        fix_at="test_set = ",
    ),
    "training-step-never-trains": Mistake(
        S21,
        [("    sess.run(train_step, batch)\n", "")],
        ["training_step never runs train_step", "sess.run(train_step, batch)"],
        when="train",
    ),
    "moving-averages-never-updated": Mistake(
        S40,
        [("sess.run([train_step, update_moving_averages], batch)", "sess.run(train_step, batch)")],
        [
            "update_moving_averages (",
            "never run",
            "sess.run([train_step, update_moving_averages], batch)",
        ],
        when="train",
        fix_at="sess.run(train_step, batch)",
    ),
    "initializer-in-training-step": Mistake(
        S21,
        [
            (
                IN_TRAINING_STEP,
                IN_TRAINING_STEP + "    sess.run(tf.global_variables_initializer())\n",
            )
        ],
        ["training_step builds new operations", "global_variables_initializer", "never learns"],
        when="train",
        iterations=3,
    ),
    "weights-mean-printed-in-training-step": Mistake(
        S10,
        [(IN_TRAINING_STEP, IN_TRAINING_STEP + "    print(sess.run(tf.reduce_mean(W)))\n")],
        ["training_step builds new operations", "tf.reduce_mean(W)", "Build the graph once"],
        when="train",
        iterations=3,
    ),
    "optimizer-in-training-step": Mistake(
        S20,
        [
            ("train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)\n", ""),
            (
                IN_TRAINING_STEP,
                IN_TRAINING_STEP
                + "    train_step = tf.train.AdamOptimizer(lr).minimize(cross_entropy)\n",
            ),
        ],
        ["was made inside training_step", "Build it once, before training"],
        when="train",
    ),
    # --- a healthy start ---
    "weights-too-big": Mistake(
        S21,
        [("tf.truncated_normal([O, 10], stddev=0.1)", "tf.truncated_normal([O, 10], stddev=10.0)")],
        ["the loss starts at", "W5 starts with stddev=10", "stddev=0.1"],
        when="note",
        fix_at="W5 = tf.Variable(",
    ),
    "loss-summed-over-images": Mistake(
        S20,
        [
            (
                "cross_entropy = tf.reduce_mean(losses) * 100.0",
                "cross_entropy = tf.reduce_sum(losses)",
            )
        ],
        ["adds up the images' losses", "tf.reduce_mean(losses) * 100.0"],
        when="note",
        fix_at="cross_entropy = ",
    ),
    "loss-not-times-100": Mistake(
        S31,
        [
            (
                "cross_entropy = tf.reduce_mean(losses) * 100.0",
                "cross_entropy = tf.reduce_mean(losses)",
            )
        ],
        ["100 times smaller", "tf.reduce_mean(losses) * 100.0"],
        when="note",
        fix_at="cross_entropy = ",
    ),
    "loss-without-its-minus": Mistake(
        S10,
        [("cross_entropy = -tf.reduce_mean(", "cross_entropy = tf.reduce_mean(")],
        ["a cross-entropy is never negative", "no minus sign", "cross_entropy = -tf.reduce_mean("],
        when="note",
        fix_at="cross_entropy = ",
    ),
    "weights-of-random-normals-default-scale": Mistake(
        S10,
        [("W = tf.Variable(tf.zeros([784, 10]))", "W = tf.Variable(tf.random_normal([784, 10]))")],
        ["W starts with stddev=1", "tf.random_normal([784, 10], stddev=0.1)"],
        when="note",
        fix_at="W = tf.Variable(",
    ),
    "accuracy-summed-over-images": Mistake(
        S40,
        [("accuracy = tf.reduce_mean(", "accuracy = tf.reduce_sum(")],
        ["an accuracy is the share of images", "adds up", "accuracy = tf.reduce_mean("],
        when="note",
        fix_at="accuracy = ",
    ),
    "learning-rate-too-low": Mistake(
        S20,
        [("lr = 0.003", "lr = 0.000001")],
        ["near chance", "not learning", "The learning rate, 1e-06", "too low"],
        when="note",
        iterations=100,
        fix_at="lr = ",
    ),
    "weights-all-zero": Mistake(
        S20,
        [
            ("tf.truncated_normal([784, L], stddev=0.1)", "tf.zeros([784, L])"),
            ("tf.truncated_normal([L, M], stddev=0.1)", "tf.zeros([L, M])"),
            ("tf.truncated_normal([M, N], stddev=0.1)", "tf.zeros([M, N])"),
            ("tf.truncated_normal([N, O], stddev=0.1)", "tf.zeros([N, O])"),
            ("tf.truncated_normal([O, 10], stddev=0.1)", "tf.zeros([O, 10])"),
        ],
        ["not learning", "W1, W2, W3, W4, W5 (all of them) start at zero"],
        when="note",
    ),
    "weights-all-ones": Mistake(
        S21,
        [
            ("tf.truncated_normal([784, L], stddev=0.1)", "tf.ones([784, L])"),
            ("tf.truncated_normal([L, M], stddev=0.1)", "tf.ones([L, M])"),
            ("tf.truncated_normal([M, N], stddev=0.1)", "tf.ones([M, N])"),
            ("tf.truncated_normal([N, O], stddev=0.1)", "tf.ones([N, O])"),
            ("tf.truncated_normal([O, 10], stddev=0.1)", "tf.ones([O, 10])"),
        ],
        [
            "W1, W2, W3, W4, W5 (all of them) start at 1",
            "tf.truncated_normal([784, L], stddev=0.1)",
        ],
        when="note",
    ),
    "conv-weights-all-one-value": Mistake(
        S30,
        [
            (
                "tf.truncated_normal([5, 5, 1, K], stddev=0.1)",
                "tf.constant(0.1, tf.float32, [5, 5, 1, K])",
            ),
            (
                "tf.truncated_normal([5, 5, K, L], stddev=0.1)",
                "tf.constant(0.1, tf.float32, [5, 5, K, L])",
            ),
            (
                "tf.truncated_normal([4, 4, L, M], stddev=0.1)",
                "tf.constant(0.1, tf.float32, [4, 4, L, M])",
            ),
            (
                "tf.truncated_normal([7 * 7 * M, N], stddev=0.1)",
                "tf.constant(0.1, tf.float32, [7 * 7 * M, N])",
            ),
            ("tf.truncated_normal([N, 10], stddev=0.1)", "tf.constant(0.1, tf.float32, [N, 10])"),
        ],
        ["(all of them) start at 0.1", "tf.truncated_normal([5, 5, 1, K], stddev=0.1)"],
        when="note",
    ),
    # --- what the optimizer lowers, the loss it is given, the softmax, the dropout ---
    "minimize-the-negative-loss": Mistake(
        S20,
        [(".minimize(cross_entropy)", ".minimize(-cross_entropy)")],
        ["given -cross_entropy", "more wrong", ".minimize(cross_entropy)"],
        fix_at="train_step = ",
    ),
    "minimize-the-accuracy": Mistake(
        S21,
        [(".minimize(cross_entropy)", ".minimize(accuracy)")],
        ["accuracy has no gradient", ".minimize(cross_entropy)"],
        fix_at="train_step = ",
    ),
    "sigmoid-cross-entropy": Mistake(
        S21,
        [
            (
                "tf.nn.softmax_cross_entropy_with_logits_v2(",
                "tf.nn.sigmoid_cross_entropy_with_logits(",
            )
        ],
        ["a sigmoid's cross-entropy", "softmax_cross_entropy_with_logits_v2(logits=Ylogits"],
        fix_at="losses = ",
    ),
    "sparse-cross-entropy-of-one-hot": Mistake(
        S42,
        [
            (
                "tf.nn.softmax_cross_entropy_with_logits_v2(",
                "tf.nn.sparse_softmax_cross_entropy_with_logits(",
            )
        ],
        ["Y_ holds it one-hot", "softmax_cross_entropy_with_logits_v2(logits=Ylogits"],
        fix_at="losses = ",
    ),
    "softmax-along-the-batch": Mistake(
        S21,
        [("Y = tf.nn.softmax(Ylogits)", "Y = tf.nn.softmax(Ylogits, axis=0)")],
        ["softmax is taken along the wrong axis", "Y = tf.nn.softmax(Ylogits)"],
        fix_at="Y = tf.nn.softmax(",
    ),
    "dropout-of-a-constant-rate": Mistake(
        S31,
        [("Y4d = tf.nn.dropout(Y4, rate=1 - pkeep)", "Y4d = tf.nn.dropout(Y4, rate=0.25)")],
        ["Dropout's rate is a constant, 0.25", "rate=1 - pkeep"],
        fix_at="Y4d = tf.nn.dropout(",
    ),
    "dropout-rate-given-the-keep-probability": Mistake(
        S22,
        [("Y2d = tf.nn.dropout(Y2, rate=1 - pkeep)", "Y2d = tf.nn.dropout(Y2, rate=pkeep)")],
        ["Dropout's rate is pkeep", "the share kept", "Y2d = tf.nn.dropout(Y2, rate=1 - pkeep)"],
        when="train",
        fix_at="Y2d = tf.nn.dropout(",
    ),
    "initializer-run-in-training-step": Mistake(
        S20,
        [
            (
                "sess.run(tf.global_variables_initializer())",
                "init = tf.global_variables_initializer()\nsess.run(init)",
            ),
            (
                "    sess.run(train_step, batch)\n",
                "    sess.run(train_step, batch)\n    sess.run(init)\n",
            ),
        ],
        ["training_step runs the initializer", "sess.run(init)", "never learns"],
        when="train",
    ),
    # --- a convolution's arguments as TensorFlow takes them ---
    "strides-of-three-numbers": Mistake(
        S30,
        [("tf.nn.conv2d(Y1, W2, strides=[1, 2, 2, 1]", "tf.nn.conv2d(Y1, W2, strides=[1, 2, 2]")],
        ["strides= gives one number per dimension", "strides=[1, 2, 2, 1]"],
        fix_at="Y2 = tf.nn.relu(",
    ),
    "padding-in-lower-case": Mistake(
        S42,
        [
            (
                'tf.nn.conv2d(Y1, W2, strides=[1, 2, 2, 1], padding="SAME")',
                'tf.nn.conv2d(Y1, W2, strides=[1, 2, 2, 1], padding="same")',
            )
        ],
        ['"SAME" or "VALID", in capitals', 'padding="SAME"'],
        fix_at="Y2conv = ",
    ),
}


def edited(step, replacements):
    text = (ROOT / step).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, "%s no longer has %r" % (step, old)
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def beside_the_steps():
    """Writes a learner's copy beside the steps; every copy is removed afterwards."""
    written = []

    def write(step, text):
        path = ROOT / ("my_%s_%s" % (uuid.uuid4().hex[:8], step))
        path.write_text(text, encoding="utf-8")
        written.append(path)
        return path

    yield write
    for path in written:
        path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def small_mnist(mnist_dir):
    """Real MNIST, read once, cut to 6000 training and 1000 test images: the mistakes show at
    the first iterations, and a test of 10000 images would cost each run seconds."""
    full = mnistdata.read_data_sets(mnist_dir, one_hot=True, reshape=False)
    train, test = full.train, full.test
    return train.images[:6000], train.labels[:6000], test.images[:1000], test.labels[:1000]


@pytest.fixture(autouse=True)
def in_a_folder_of_its_own(monkeypatch, tmp_path, small_mnist):
    """Each copy runs in a temporary folder (its graphs are saved there), with its own
    sys.excepthook, on the small MNIST (what the steps' read_data_sets gives)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)

    def read_data_sets(data_dir=None, one_hot=True, reshape=False, seed=0, **_):
        images, labels, test_images, test_labels = small_mnist
        assert one_hot and not reshape  # as every step reads them
        return mnistdata.Datasets(
            train=mnistdata.DataSet(images, labels, shuffle=True, seed=seed),
            test=mnistdata.DataSet(test_images, test_labels),
        )

    monkeypatch.setattr(mnistdata, "read_data_sets", read_data_sets)


def answer(path, mistake, capsys):
    """What the copy says, run in this process: the paragraph that stops it, or its notes."""
    capsys.readouterr()
    arguments = ("--iterations", str(mistake.iterations))
    if mistake.when == "build":
        with pytest.raises(Exception) as stopped:
            run_step(path, *arguments, animate="train")
        return errors.explain(stopped.value, path)
    if mistake.when == "train":
        with pytest.raises(SystemExit) as stopped:
            run_step(path, *arguments, animate="train", quiet=False)
        assert stopped.value.code == 1
        return capsys.readouterr().err.strip()
    step = run_step(path, *arguments, animate="train", quiet=False)
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if line.startswith("Note: ")]
    assert len(notes) == 1, out
    # the same note in the window, at the foot of the figure
    assert notes[0] in [text.get_text() for text in step["datavis"].graphs.fig.texts]
    return notes[0]


def trains(path, capsys):
    """The copy runs on, trains and measures: training figures, no paragraph, no note."""
    capsys.readouterr()
    run_step(path, "--iterations", "1", animate="train", quiet=False)
    out, err = capsys.readouterr()
    assert "Note: " not in out and "max test accuracy" in out, out + err
    assert "0: accuracy:" in out


def with_fix(text, answer_text, fix_at):
    """The copy with the answer's rewritten line in place of the line holding fix_at."""
    proposed = re.search(r" Write: (.+?)(?: \(TensorFlow's own error.*)?$", answer_text)
    assert proposed, "no rewritten line in: " + answer_text
    lines = text.splitlines(keepends=True)
    index = next(n for n, line in enumerate(lines) if fix_at in line)
    indent = re.match(r"\s*", lines[index])[0]
    # a statement written over several lines: the rewrite replaces all of them
    end = index
    while lines[end].count("(") + sum(l.count("(") for l in lines[index:end]) > sum(
        l.count(")") for l in lines[index : end + 1]
    ):
        end += 1
    lines[index : end + 1] = [indent + proposed[1] + "\n"]
    return "".join(lines)


@pytest.mark.parametrize("name", list(MISTAKES))
def test_a_mistake_is_answered_with_its_cause_in_the_learners_names(name, beside_the_steps, capsys):
    mistake = MISTAKES[name]
    text = edited(mistake.step, mistake.edits)
    path = beside_the_steps(mistake.step, text)
    said = answer(path, mistake, capsys)
    assert said, "nothing said"
    assert "Traceback" not in said and 'File "' not in said
    assert len(said.splitlines()) <= 8
    for expected in mistake.said:
        assert expected in said, "%r not in: %s" % (expected, said)
    if mistake.when != "note":
        assert path.name in said  # the learner's file, and its line
    if mistake.fix_at is not None:
        fixed = beside_the_steps(mistake.step, with_fix(text, said, mistake.fix_at))
        trains(fixed, capsys)


def test_the_corpus_spans_the_nine_steps_and_every_kind_of_mistake():
    assert {mistake.step for mistake in MISTAKES.values()} == set(STEPS)
    assert {mistake.when for mistake in MISTAKES.values()} == {"build", "train", "note"}
    assert len(MISTAKES) >= 40


# --- no false alarms ---------------------------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_the_solutions_are_said_nothing_about(step, capsys):
    capsys.readouterr()
    run_step(step, "--iterations", "1", animate="train", quiet=False)
    out, err = capsys.readouterr()
    assert "Note: " not in out and not err.strip(), out + err


@pytest.mark.parametrize("variant", list(challenge_variants.VARIANTS))
def test_the_challenges_variants_are_said_nothing_about(variant, beside_the_steps, capsys):
    source = challenge_variants.variant_source(*challenge_variants.VARIANTS[variant])
    path = beside_the_steps(challenge_variants.STEP, source)
    capsys.readouterr()
    run_step(path, "--iterations", "1", animate="train", quiet=False)
    out, err = capsys.readouterr()
    assert "Note: " not in out and not err.strip(), out + err


# --- as the learner runs them --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["test-with-dropout-2.2", "weights-too-big", "numpy-dot-in-a-layer"]
)
def test_run_as_a_script_the_answer_is_all_the_learner_sees(
    name, beside_the_steps, mnist_dir, tmp_path
):
    mistake = MISTAKES[name]
    path = beside_the_steps(mistake.step, edited(mistake.step, mistake.edits))
    done = subprocess.run(
        [sys.executable, str(path), "--iterations", "1", "--no-window"],
        cwd=tmp_path,  # its graphs are saved there
        env=dict(os.environ, MPLBACKEND="agg", MNIST_DATA_DIR=str(mnist_dir)),
        capture_output=True,
        encoding="utf-8",
        timeout=300,
    )
    seen = done.stderr if mistake.when != "note" else done.stdout
    assert "Traceback" not in done.stderr
    if mistake.when == "build":  # the paragraph alone: no warning of NumPy's above it
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for expected in mistake.said:
        assert expected in seen
    assert done.returncode == (0 if mistake.when == "note" else 1)

"""Each step's results, in one table: the steps' headers ("What to expect"), README, docs/steps.md,
the notebook's text and check_setup.py's speed references are checked against it by
tests/test_step_results.py, so that a new measurement is written here, then wherever a test says.

The figures are full runs of seed 0, headless, on the project's 2-core machine (no GPU):

    python benchmarks/run_steps.py --logdir /tmp/mnist_runs

Standard library only, in the syntax of old Pythons: check_setup.py imports it before anything is
installed.
"""

import collections

Step = collections.namedtuple(
    "Step",
    [
        "file",  # the step's script
        "teaches",  # what the step teaches, in a few words
        "iterations",  # its full run
        "max_test_accuracy",  # seed 0, as the run printed it (4 decimals)
        "first_above_099",  # the iteration of the first test at or above 0.99; None if never
        "seconds",  # the full run's wall time, start-up and final PNG included
        "per_second",  # iterations per second over that whole run
        "original",  # the original workshop's max test accuracy, as its author wrote it
    ],
)

STEPS = (
    Step(
        "mnist_1.0_softmax.py",
        "one softmax layer, cross-entropy, gradient descent",
        2000, "0.9226", None, 6, 337, "0.9268",
    ),
    Step(
        "mnist_2.0_five_layers_sigmoid.py",
        "five layers, sigmoid, Adam, cross-entropy from the logits",
        10000, "0.9803", None, 22, 463, "0.9788",
    ),
    Step(
        "mnist_2.1_five_layers_relu_lrdecay.py",
        "ReLU, biases at 0.1, learning rate decay",
        10000, "0.9829", None, 21, 470, "0.9824",
    ),
    Step(
        "mnist_2.2_five_layers_relu_lrdecay_dropout.py",
        "dropout",
        10000, "0.9813", None, 25, 399, "0.9817",
    ),
    Step(
        "mnist_3.0_convolutional.py",
        "convolutional layers",
        10000, "0.9902", 4400, 64, 156, "0.989",
    ),
    Step(
        "mnist_3.1_convolutional_bigger_dropout.py",
        "bigger convolutions, dropout on the dense layer",
        10000, "0.9918", 2500, 79, 127, "0.9931",
    ),
    Step(
        "mnist_4.0_batchnorm_five_layers_sigmoid.py",
        "batch normalisation (with sigmoid: offsets and scales)",
        10000, "0.9828", None, 21, 466, "–",
    ),
    Step(
        "mnist_4.1_batchnorm_five_layers_relu.py",
        "batch normalisation with ReLU (offsets only)",
        10000, "0.9855", None, 21, 475, "about 0.985",
    ),
    Step(
        "mnist_4.2_batchnorm_convolutional.py",
        "batch normalisation in a convolutional network",
        10000, "0.9958", 1300, 389, 26, "0.995",
    ),
)  # fmt: skip


def number(step):
    """'3.1' for mnist_3.1_convolutional_bigger_dropout.py."""
    return step.file.split("_")[1]


def about(seconds):
    """A run's time as the headers and README say it: '79 s', or '6 min' from 90 s on."""
    if seconds < 90:
        return "%d s" % round(seconds)
    return "%d min" % round(seconds / 60)


def by_file():
    return dict((step.file, step) for step in STEPS)

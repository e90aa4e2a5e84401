"""The workshop's steps, in one list that every other place reads: the benchmarks, the tests
(parametrized from it), check_setup.py, the notebook's generator (docs/exercise_cells.py) and the
docs' generator (docs/step_tables.py), which writes README's tables, docs/steps.md's, and the
figures and thresholds of docs/exercises.md and docs/reading-the-curves.md. A step is a file of
this list, nothing else: a learner's copy beside the steps (my_3.0.py, or mnist_3.0_mine.py) is
never one, whatever its name.

Adding a step, 5.0 say: write its script; run it in full with seed 0
(python benchmarks/run_steps.py mnist_5.0_....py, which ships its curves in visu/solutions/); add
its row below; run python docs/step_tables.py. tests/test_step_list.py checks that the tables and
the tests' parameters follow a step added to the list.

Where a step's figures come from:
- max test accuracy, and the first test at or above 0.99: its shipped curves,
  visu/solutions/<script stem>.csv, the full seed-0 run that --against draws. They are read from
  there, never copied, so that README, the headers, the exercises, the challenge's menu and
  --against give the figures of one run.
- seconds and per_second: full seed-0 runs on the project's 2-core machine (no GPU) while it was
  quiet (python benchmarks/run_steps.py --logdir /tmp/mnist_runs). The shipped curves were made
  while the machine was loaded: the time in each file's first line is several times longer and
  says nothing of a step's speed. Those timing runs gave accuracies within 0.001 of the curves'
  (floats added in another order by the threads); the curves' are the ones stated.

Standard library only, in the syntax of old Pythons (no f-strings): check_setup.py imports it
before anything is installed, and reads no curves.
"""

import collections
import csv
import os

SOLUTIONS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "solutions")

_Step = collections.namedtuple(
    "Step",
    [
        "file",  # the step's script
        "teaches",  # what the step teaches, in a few words
        "starts_from",  # the step whose script its exercise starts from ("2.1"); None for the first
        "deck",  # the deck's pages of its exercise ("7, 8"), as README's workshop table gives them
        "pass_mark",  # the max test accuracy its exercise asks for, the original's or about
        # ("0.975"); step 1.0, no exercise: the original's rounded down
        "iterations",  # its full run
        "seconds",  # that run's wall time on the quiet machine, start-up and final PNG included
        "per_second",  # iterations per second over that whole run
        "original",  # the original workshop's max test accuracy, as its author wrote it
        "original_diff",  # changed lines from starts_from in the original workshop; None: no such
    ],
)


class Step(_Step):
    """One step: the fields above, and the figures of its shipped curves."""

    __slots__ = ()

    @property
    def number(self):
        """'3.1' for mnist_3.1_convolutional_bigger_dropout.py."""
        return self.file.split("_")[1]

    @property
    def curves_file(self):
        """Its shipped curves: visu/solutions/<script stem>.csv."""
        return os.path.join(SOLUTIONS, self.file[: -len(".py")] + ".csv")

    @property
    def max_test_accuracy(self):
        """Its full seed-0 run's max test accuracy, as printed: '0.9898'."""
        return best_test_accuracy(self)

    @property
    def first_above_099(self):
        """The iteration of its full run's first test at or above 0.99; None if none was."""
        return first_test_at_or_above(self, 0.99)


STEPS = (
    Step(
        "mnist_1.0_softmax.py",
        "one softmax layer, cross-entropy, gradient descent",
        None, "6", "0.92",
        2000, 6, 337, "0.9268", None,
    ),
    Step(
        "mnist_2.0_five_layers_sigmoid.py",
        "five layers, sigmoid, Adam, cross-entropy from the logits",
        "1.0", "7, 8", "0.975",
        10000, 22, 463, "0.9788", 124,
    ),
    Step(
        "mnist_2.1_five_layers_relu_lrdecay.py",
        "ReLU, biases at 0.1, learning rate decay",
        "2.0", "8, 9", "0.98",
        10000, 21, 470, "0.9824", 43,
    ),
    Step(
        "mnist_2.2_five_layers_relu_lrdecay_dropout.py",
        "dropout",
        "2.1", "10", "0.98",
        10000, 25, 399, "0.9817", 55,
    ),
    Step(
        "mnist_3.0_convolutional.py",
        "convolutional layers",
        "2.2", "12", "0.989",
        10000, 64, 156, "0.989", 136,
    ),
    Step(
        "mnist_3.1_convolutional_bigger_dropout.py",
        "bigger convolutions, dropout on the dense layer",
        "3.0", "13", "0.99",
        10000, 79, 127, "0.9931", 64,
    ),
    Step(
        "mnist_4.0_batchnorm_five_layers_sigmoid.py",
        "batch normalisation (with sigmoid: offsets and scales)",
        "2.0", '"superpower"', "0.98",
        10000, 21, 466, "–", None,
    ),
    Step(
        "mnist_4.1_batchnorm_five_layers_relu.py",
        "batch normalisation with ReLU (offsets only)",
        "2.1", '"superpower"', "0.98",
        10000, 21, 475, "about 0.985", None,
    ),
    Step(
        "mnist_4.2_batchnorm_convolutional.py",
        "batch normalisation in a convolutional network",
        "3.1", '"superpower"', "0.995",
        10000, 389, 26, "0.995", None,
    ),
)  # fmt: skip

# Step 3.1 over other seeds, the same machine and command as its timing run
# (python benchmarks/run_steps.py mnist_3.1_convolutional_bigger_dropout.py --seeds 1 ... 9):
# seed: (max test accuracy, first test at or above 0.99). Seed 0 is its shipped curves'.
STEP_3_1_OTHER_SEEDS = {
    1: ("0.9930", 1900),
    2: ("0.9923", 2100),
    3: ("0.9917", 2000),
    4: ("0.9924", 1700),
    5: ("0.9917", 1600),
    6: ("0.9925", 2100),
    7: ("0.9934", 1900),
    8: ("0.9932", 2300),
    9: ("0.9926", 1800),
}


def number(step):
    """'3.1' for mnist_3.1_convolutional_bigger_dropout.py."""
    return step.number


def about(seconds):
    """A run's time as the headers and README say it: '79 s', or '6 min' from 90 s on."""
    if seconds < 90:
        return "%d s" % round(seconds)
    return "%d min" % round(seconds / 60)


def files(steps=None):
    """The steps' scripts, in the list's order."""
    return [step.file for step in (STEPS if steps is None else steps)]


def by_file(steps=None):
    return dict((step.file, step) for step in (STEPS if steps is None else steps))


def by_number(steps=None):
    return dict((step.number, step) for step in (STEPS if steps is None else steps))


# --- the figures of the shipped curves -------------------------------------------------------

_TESTS = {}  # curves file -> [(iteration, test accuracy)]


def tests_of(step):
    """Its full seed-0 run's tests, from its shipped curves: [(iteration, accuracy)]."""
    path = step.curves_file
    if path not in _TESTS:
        with open(path, newline="", encoding="utf-8") as lines:
            rows = csv.reader(line for line in lines if not line.startswith("#"))
            header = next(rows)
            column = header.index("test accuracy")
            _TESTS[path] = [(int(row[0]), float(row[column])) for row in rows if row[column]]
    return _TESTS[path]


def best_test_accuracy(step, until=None):
    """The max test accuracy of its full run, or up to iteration `until`, as printed: '0.9898'."""
    accuracies = [a for i, a in tests_of(step) if until is None or i <= until]
    return "%.4f" % max(accuracies)


def first_test_at_or_above(step, accuracy, until=None):
    """The iteration of the first test at or above `accuracy` (up to `until`); None if none."""
    for i, a in tests_of(step):
        if until is not None and i > until:
            break
        if a >= accuracy:
            return i
    return None

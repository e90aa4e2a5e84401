"""The progress lines a step prints, the workshop's own, written and read back here only:

    100: accuracy:0.96 loss: 13.876856 (lr:0.0029536884)
    100: ********* epoch 1 ********* test accuracy:0.9511 test loss: 16.285784
    max test accuracy: 0.9918

The step scripts print them (through tensorflowvisu); check_setup.py, the benchmarks and the tests
read a run's output back with the functions below.

Standard library only, in the syntax of old Pythons (no f-strings): check_setup.py imports this
module to explain an unsupported Python, before anything is installed.
A learner's page: docs/running.md ("The progress lines").
"""

import collections
import re

TRAINING_IMAGES = 60000  # an epoch: the test line counts them
MAX_TEST_ACCURACY = "max test accuracy:"

TrainingPoint = collections.namedtuple("TrainingPoint", "i accuracy loss learning_rate")
TestPoint = collections.namedtuple("TestPoint", "i epoch accuracy loss")
TestPoint.__test__ = False  # not a test class to pytest, in the test modules that import it

# The figures are written with %s: a float32 prints in full ("13.876856"), a NaN as "nan".
_TRAINING = re.compile(r"^(\d+): accuracy:(\S+) loss: (\S+?)(?: \(lr:(\S+)\))?$", re.M)
_TEST = re.compile(r"^(\d+): \*{9} epoch (\d+) \*{9} test accuracy:(\S+) test loss: (\S+)$", re.M)
_MAX = re.compile(r"^max test accuracy: (\S+)$", re.M)


# --- writing -----------------------------------------------------------------------------------


def format_training_line(i, accuracy, loss, learning_rate=None):
    """The line after a training update: the batch's accuracy and loss, and the learning rate
    where the step passes one."""
    rate = "" if learning_rate is None else " (lr:%s)" % learning_rate
    return "%d: accuracy:%s loss: %s%s" % (i, accuracy, loss, rate)


def format_test_line(i, accuracy, loss, batch_size=100):
    """The line after a test update; the epoch counts the training images seen, from 1."""
    epoch = i * batch_size // TRAINING_IMAGES + 1
    return "%d: ********* epoch %d ********* test accuracy:%s test loss: %s" % (
        i,
        epoch,
        accuracy,
        loss,
    )


def format_max_line(accuracy):
    """The run's last progress line."""
    return "%s %.4f" % (MAX_TEST_ACCURACY, accuracy)


# --- reading -----------------------------------------------------------------------------------


def read_training_points(text):
    """[TrainingPoint(i, accuracy, loss, learning_rate or None)] of the training lines in text."""
    return [
        TrainingPoint(int(i), float(accuracy), float(loss), float(rate) if rate else None)
        for i, accuracy, loss, rate in _TRAINING.findall(text)
    ]


def read_test_points(text):
    """[TestPoint(i, epoch, accuracy, loss)] of the test lines in text."""
    return [
        TestPoint(int(i), int(epoch), float(accuracy), float(loss))
        for i, epoch, accuracy, loss in _TEST.findall(text)
    ]


def read_max_test_accuracy(text):
    """The figure of the last "max test accuracy" line in text, or None when there is none."""
    found = _MAX.findall(text)
    return float(found[-1]) if found else None


def is_progress_line(line):
    """Is this one line (its end of line allowed) a training or a test line?"""
    line = line.rstrip("\r\n")
    return bool(_TRAINING.match(line) or _TEST.match(line))


def is_training_line(line):
    return bool(_TRAINING.match(line.rstrip("\r\n")))


def is_last_line(line):
    """Is this the "max test accuracy" line that ends every run, however it stopped?"""
    return bool(_MAX.match(line.rstrip("\r\n")))


def progress_lines(text):
    """The training and test lines of text, in order, as printed."""
    return [line for line in text.splitlines() if is_progress_line(line)]
